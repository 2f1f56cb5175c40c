import type { ProductListQuery } from '#domain/catalog-edit.ts';
import { authorize, type Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import { readImage } from './images.ts';
import { listPriceRules } from './price-rules.ts';
import { generateBarcodes, getProduct, listCategories, listProducts, listTaxCategories } from './products.ts';

/**
 * The catalog editor's reads as use cases. Every one needs catalog:edit — the catalog pages are an
 * editing tool; devices read the catalog through their replica — checked here before the store is
 * read, whoever calls. The writes (products.ts, price-rules.ts, images.ts) check their callers too.
 */

const editor = (p: Principal, action: string) => authorize(p, 'catalog:edit', action).tenantId;

export const productsFor = async (couch: Couch, p: Principal, q: ProductListQuery) => listProducts(couch, editor(p, 'Viewing products'), q);
/** The product with its image and stock views warmed for the editor. */
export const productFor = async (couch: Couch, p: Principal, id: string) => getProduct(couch, editor(p, 'Viewing a product'), id, true);
/** Unused in-store barcodes (none in the catalog, none in `exclude`: the editor's unsaved ones). */
export const newBarcodes = async (couch: Couch, p: Principal, count: number, exclude: string[]) => generateBarcodes(couch, editor(p, 'Generating barcodes'), count, exclude);
export const taxCategoriesFor = async (couch: Couch, p: Principal) => listTaxCategories(couch, editor(p, 'Viewing tax categories'));
export const categoriesFor = async (couch: Couch, p: Principal) => listCategories(couch, editor(p, 'Viewing categories'));
export const imageFor = async (couch: Couch, p: Principal, id: string) => readImage(couch, editor(p, 'Viewing an image'), id);
export const priceRulesFor = async (couch: Couch, p: Principal) => listPriceRules(couch, editor(p, 'Viewing price rules'));
