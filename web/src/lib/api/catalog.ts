import { z } from 'zod';
import { ApiError, call } from './client.ts';

/** Catalog editing calls for the admin portal (server/api/catalog-edit-routes.ts). */

const variantSchema = z.object({
  id: z.string(),
  sku: z.string(),
  barcode: z.string().optional(),
  options: z.record(z.string(), z.string()),
  price: z.number(),
  cost: z.number().optional(),
  active: z.boolean()
});
export const productSchema = z.object({
  _id: z.string(),
  _rev: z.string(),
  name: z.string(),
  description: z.string().optional(),
  categoryId: z.string(),
  taxCategory: z.string(),
  status: z.enum(['active', 'archived']),
  options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
  variants: z.array(variantSchema),
  imageId: z.string().optional(),
  updatedAt: z.string()
});
export type Product = z.infer<typeof productSchema>;
export type ProductVariant = z.infer<typeof variantSchema>;

const summarySchema = z.object({
  _id: z.string(),
  name: z.string(),
  categoryId: z.string(),
  status: z.enum(['active', 'archived']),
  variantCount: z.number(),
  skus: z.array(z.string()),
  minPrice: z.number(),
  maxPrice: z.number(),
  updatedAt: z.string()
});
export type ProductSummary = z.infer<typeof summarySchema>;
const listSchema = z.object({ total: z.number(), items: z.array(summarySchema), page: z.number(), pageSize: z.number() });
const one = z.object({ product: productSchema });

export const categorySchema = z.object({ _id: z.string(), _rev: z.string(), name: z.string(), parentId: z.string().optional(), sort: z.number().optional(), productCount: z.number().optional() });
export type Category = z.infer<typeof categorySchema>;

export interface ProductBody {
  name: string;
  description?: string;
  categoryId: string;
  taxCategory: string;
  status: 'active' | 'archived';
  options: { name: string; values: string[] }[];
  variants: { id?: string; sku: string; barcode?: string; options: Record<string, string>; price: number; cost?: number; active: boolean }[];
  imageId?: string;
}

export interface ProductQuery {
  q?: string;
  category?: string;
  status?: 'active' | 'archived' | 'all';
  page?: number;
  pageSize?: number;
}

const idPath = (id: string) => encodeURIComponent(id);

export function listProducts(token: string, q: ProductQuery) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') qs.set(k, String(v));
  return call('GET', `/catalog/products?${qs}`, listSchema, { token });
}
export const getProduct = async (token: string, id: string) => (await call('GET', `/catalog/products/${idPath(id)}`, one, { token })).product;
export const createProduct = async (token: string, body: ProductBody) => (await call('POST', '/catalog/products', one, { token, body })).product;
export const updateProduct = async (token: string, id: string, rev: string, body: ProductBody) =>
  (await call('PUT', `/catalog/products/${idPath(id)}`, one, { token, body: { ...body, _rev: rev } })).product;
export const setArchived = async (token: string, id: string, rev: string, archived: boolean) =>
  (await call('POST', `/catalog/products/${idPath(id)}/${archived ? 'archive' : 'unarchive'}`, one, { token, body: { _rev: rev } })).product;
export const generateBarcodes = async (token: string, count: number, exclude: string[]) =>
  (await call('POST', '/catalog/barcodes', z.object({ barcodes: z.array(z.string()) }), { token, body: { count, exclude } })).barcodes;

export const taxCategorySchema = z.object({ id: z.string(), products: z.number(), exemptAt: z.array(z.string()), ruledBy: z.array(z.string()).default([]) });
export type TaxCategory = z.infer<typeof taxCategorySchema>;
/** "standard", the categories tax rates exempt, and those products use (GET /catalog/tax-categories). */
export const listTaxCategories = async (token: string) => (await call('GET', '/catalog/tax-categories', z.object({ taxCategories: z.array(taxCategorySchema) }), { token })).taxCategories;
export const listCategories = async (token: string) => (await call('GET', '/catalog/categories', z.object({ categories: z.array(categorySchema) }), { token })).categories;
export const createCategory = async (token: string, body: { name: string; sort?: number }) =>
  (await call('POST', '/catalog/categories', z.object({ category: categorySchema }), { token, body })).category;
export const updateCategory = async (token: string, id: string, rev: string, body: { name: string; sort?: number }) =>
  (await call('PUT', `/catalog/categories/${idPath(id)}`, z.object({ category: categorySchema }), { token, body: { ...body, _rev: rev } })).category;
export const deleteCategory = (token: string, id: string, rev: string) => call('DELETE', `/catalog/categories/${idPath(id)}?rev=${encodeURIComponent(rev)}`, null, { token });

const priceRuleSchema = z.object({
  _id: z.string(),
  _rev: z.string(),
  name: z.string(),
  discount: z.object({ kind: z.enum(['percent', 'amount']), value: z.number() }),
  target: z.union([
    z.object({ kind: z.literal('category'), categoryId: z.string() }),
    z.object({ kind: z.literal('product'), productId: z.string() }),
    z.object({ kind: z.literal('customer_group'), group: z.string() })
  ]),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  active: z.boolean(),
  state: z.enum(['live', 'scheduled', 'ended', 'inactive']).optional()
});
export type PriceRule = z.infer<typeof priceRuleSchema>;
export type PriceRuleBody = Omit<PriceRule, '_id' | '_rev' | 'state'>;

export const listPriceRules = async (token: string) => (await call('GET', '/catalog/price-rules', z.object({ rules: z.array(priceRuleSchema) }), { token })).rules;
export const createPriceRule = async (token: string, body: PriceRuleBody) => (await call('POST', '/catalog/price-rules', z.object({ rule: priceRuleSchema }), { token, body })).rule;
export const updatePriceRule = async (token: string, id: string, rev: string, body: PriceRuleBody) =>
  (await call('PUT', `/catalog/price-rules/${idPath(id)}`, z.object({ rule: priceRuleSchema }), { token, body: { ...body, _rev: rev } })).rule;
export const deletePriceRule = (token: string, id: string, rev: string) => call('DELETE', `/catalog/price-rules/${idPath(id)}?rev=${encodeURIComponent(rev)}`, null, { token });

/** Image types and size the server takes (server/catalog/images.ts). */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;

/** A binary body or answer is not JSON, so these two use fetch directly, with `call`'s error contract. */
async function binaryFailure(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: string; message?: string } | null;
  return new ApiError(res.status, body?.error ?? 'http_error', body?.message ?? `The server answered ${res.status}.`);
}

export async function uploadImage(token: string, file: Blob): Promise<{ imageId: string }> {
  let res: Response;
  try {
    res = await fetch('/api/v1/catalog/images', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': file.type, accept: 'application/json' }, body: file });
  } catch {
    throw new ApiError(0, 'offline', 'Cannot reach the server. Check the network connection and try again.');
  }
  if (!res.ok) throw await binaryFailure(res);
  const parsed = z.object({ imageId: z.string() }).safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new ApiError(res.status, 'bad_response', 'The server sent an answer this app does not understand. Reload the page.');
  return parsed.data;
}

export async function fetchImage(token: string, imageId: string): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/catalog/images/${idPath(imageId)}`, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(0, 'offline', 'Cannot reach the server. Check the network connection and try again.');
  }
  if (!res.ok) throw await binaryFailure(res);
  return res.blob();
}
