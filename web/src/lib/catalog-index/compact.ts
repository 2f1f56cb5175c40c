/**
 * The compact catalog wire format (server snapshot → register), one row per active product. Pure;
 * shared by the server that builds it and the register that loads it.
 */
import { z } from 'zod';
import type { IndexEntry } from './entries.ts';

/** `cost` (minor units) is last and optional: an RFID count values its variance at cost; snapshots from before it lack it. */
export type CompactVariant = [variantId: string, sku: string, barcode: string | null, price: number, options: Record<string, string>, cost?: number];
export type CompactProduct = [id: string, rev: string, name: string, taxCategory: string, categoryId: string, variants: CompactVariant[]];

const isStr = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isCompactVariant(v: unknown): v is CompactVariant {
  if (!Array.isArray(v) || v.length < 5 || v.length > 6) return false;
  const [id, sku, barcode, price, options, cost] = v as unknown[];
  if (!isStr(id) || !isStr(sku) || !(barcode === null || isStr(barcode)) || !isCount(price)) return false;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return false;
  for (const o of Object.values(options)) if (!isStr(o)) return false;
  return v.length === 5 || isCount(cost);
}

/**
 * Whether `row` is a CompactProduct. Hand-written rather than a zod tuple because a fresh register
 * checks a whole catalog at once: 100k rows took about 1 s through zod's tuple parser, and well under
 * 100 ms here.
 */
export function isCompactProduct(row: unknown): row is CompactProduct {
  if (!Array.isArray(row) || row.length !== 6) return false;
  const [id, rev, name, taxCategory, categoryId, variants] = row as unknown[];
  return isStr(id) && isStr(rev) && isStr(name) && isStr(taxCategory) && isStr(categoryId) && Array.isArray(variants) && variants.every(isCompactVariant);
}

/** The wire check of a row, for the register reading a snapshot. */
export const compactProductSchema = z.custom<CompactProduct>(isCompactProduct, 'not a compact catalog row');

export interface ProductDoc {
  _id: string;
  _rev: string;
  type?: string;
  status?: string;
  name?: string;
  taxCategory?: string;
  categoryId?: string;
  variants?: { id: string; sku: string; barcode?: string; price: number; cost?: number; options: Record<string, string>; active?: boolean }[];
}

export function compactProduct(doc: ProductDoc): CompactProduct | null {
  if (doc.type !== 'product' || doc.status !== 'active' || !doc.variants) return null;
  const variants = doc.variants.filter((v) => v.active !== false).map((v): CompactVariant => (v.cost !== undefined ? [v.id, v.sku, v.barcode ?? null, v.price, v.options, v.cost] : [v.id, v.sku, v.barcode ?? null, v.price, v.options]));
  return [doc._id, doc._rev, doc.name ?? '', doc.taxCategory ?? '', doc.categoryId ?? '', variants];
}


export function entriesFromCompact(row: CompactProduct): IndexEntry[] {
  const [productId, , name, taxCategory, categoryId, variants] = row;
  return variants.map(([variantId, sku, barcode, price, options, cost]) => ({
    productId,
    variantId,
    name,
    sku,
    ...(barcode ? { barcode } : {}),
    price,
    ...(cost !== undefined ? { cost } : {}),
    taxCategory,
    categoryId,
    options
  }));
}
