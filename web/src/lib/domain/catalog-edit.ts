import { textRule } from './schemas/text.ts';
import { z } from 'zod';
import { gtinCheckDigit, isValidGtin, toGtin14 } from './gtin.ts';
import { categorySchema, productIdSuffix, productSchema, variantSchema } from './schemas/catalog.ts';
import { idRef, nonNegMinor } from './schemas/common.ts';
import { canonicalJson } from './canonical-json.ts';

/**
 * Editing products and categories one at a time in the admin portal (the CSV import is
 * catalog-csv-plan.ts). Pure: what the server checks and writes; the server reads the catalog around it.
 */
export type ProductDoc = z.infer<typeof productSchema>;
export type CategoryDoc = z.infer<typeof categorySchema>;
export type Variant = z.infer<typeof variantSchema>;

export const PRODUCT_STATUSES = ['active', 'archived'] as const;

/** What the editor sends: the product's own fields, never its bookkeeping. */
export const productInput = z
  .object({
    name: z.string().trim().min(1, 'is required').max(200).superRefine(textRule()),
    description: z.string().max(4000).superRefine(textRule(true)).optional(),
    categoryId: idRef,
    taxCategory: z.string().trim().min(1, 'is required').max(40),
    status: z.enum(PRODUCT_STATUSES).default('active'),
    options: z.array(z.object({ name: z.string().trim().min(1).max(40).superRefine(textRule()), values: z.array(z.string().trim().min(1).max(40)).min(1) }).strict()),
    variants: z
      .array(
        z
          .object({
            id: z.string().optional(),
            sku: z.string().trim().min(1, 'is required').max(64).superRefine(textRule()),
            barcode: z
              .string()
              .trim()
              .optional()
              .transform((b) => (b ? b : undefined)),
            options: z.record(z.string(), z.string()),
            price: nonNegMinor,
            cost: nonNegMinor.optional(),
            active: z.boolean().default(true)
          })
          .strict()
      )
      .min(1, 'a product needs at least one variant')
      .max(2000, 'at most 2,000 variants per product'),
    /** from POST /api/v1/catalog/images; absent = no image */
    imageId: z.string().max(60).optional()
  })
  .strict();
export type ProductInput = z.infer<typeof productInput>;

/** Update = the input plus the revision the editor started from (optimistic concurrency). */
export const productUpdate = productInput.extend({ _rev: z.string().min(1, 'is required: the revision you edited') });

export const categoryInput = z
  .object({
    name: z.string().trim().min(1, 'is required').max(80).superRefine(textRule()),
    parentId: idRef.optional(),
    sort: z.number().int().optional()
  })
  .strict();
export const categoryUpdate = categoryInput.extend({ _rev: z.string().min(1, 'is required: the revision you edited') });

export class CatalogError extends Error {
  constructor(
    readonly code: 'invalid' | 'clash',
    message: string
  ) {
    super(message);
  }
}

/** Barcode problems for one code, as the editor shows them next to the field ('' when fine). */
export function barcodeProblem(code: string): string {
  const c = code.trim();
  if (!c) return '';
  if (!/^\d+$/.test(c)) return 'A barcode is digits only';
  if (![8, 12, 13, 14].includes(c.length)) return `A barcode has 8, 12 (UPC-A), 13 (EAN-13) or 14 (GTIN-14) digits; this has ${c.length}`;
  if (!isValidGtin(c)) return `Check digit should be ${gtinCheckDigit(c.slice(0, -1))}, not ${c.slice(-1)}`;
  return '';
}

/**
 * The spellings under which a catalog could store the same item as `code` (UPC-A 012345678905 and
 * EAN-13 0012345678905 are one GTIN): what to look up in the by_barcode view to find a clash.
 */
export function barcodeSpellings(code: string): string[] {
  const g14 = toGtin14(code);
  const out = new Set<string>([code]);
  for (const len of [8, 12, 13, 14]) {
    const cut = 14 - len;
    if (/^0*$/.test(g14.slice(0, cut))) out.add(g14.slice(cut));
  }
  return [...out];
}

/**
 * A fresh internal barcode: an EAN-13 in the GS1 restricted-circulation range (prefix 2, as the demo
 * catalog's), which a brand's GTIN never uses. `random` gives 11 digits' worth of entropy; the caller
 * checks the result against the catalog and asks again on a (rare) clash.
 */
export function internalBarcode(random: () => number): string {
  let body = '2';
  for (let i = 0; i < 11; i++) body += String(Math.floor(random() * 10) % 10);
  return body + String(gtinCheckDigit(body));
}

export interface VariantOwner {
  productId: string;
  variantId: string;
}

/**
 * Problems inside one product: repeated SKUs, barcodes, ids or option combinations. The catalog-wide
 * half is `clashMessages` with what the views say other products hold.
 */
export function internalClashes(p: Pick<ProductDoc, 'variants'>): string[] {
  const out: string[] = [];
  const skus = new Map<string, number>();
  const codes = new Map<string, number>();
  const combos = new Map<string, number>();
  p.variants.forEach((v, i) => {
    const s = skus.get(v.sku.toLowerCase());
    if (s !== undefined) out.push(`SKU ${v.sku} is used by variants ${s + 1} and ${i + 1}`);
    else skus.set(v.sku.toLowerCase(), i);
    if (v.barcode) {
      const g = toGtin14(v.barcode);
      const b = codes.get(g);
      if (b !== undefined) out.push(`Barcode ${v.barcode} is used by variants ${b + 1} and ${i + 1}`);
      else codes.set(g, i);
    }
    const key = JSON.stringify(Object.entries(v.options).sort());
    const c = combos.get(key);
    if (c !== undefined) out.push(`Variants ${c + 1} and ${i + 1} have the same options (${Object.values(v.options).join(' / ') || 'none'})`);
    else combos.set(key, i);
  });
  return out;
}

/**
 * Clashes with other products, from by_sku / by_barcode lookups (`owners` of each looked-up key).
 * A key owned only by this product is fine (it is being saved again).
 */
export function clashMessages(
  productId: string,
  p: Pick<ProductDoc, 'variants'>,
  skuOwners: ReadonlyMap<string, VariantOwner[]>,
  barcodeOwners: ReadonlyMap<string, VariantOwner[]>,
  idOwners: ReadonlyMap<string, string> = new Map()
): string[] {
  const out: string[] = [];
  const other = (owners: VariantOwner[] | undefined) => owners?.find((o) => o.productId !== productId);
  for (const v of p.variants) {
    const s = other(skuOwners.get(v.sku));
    if (s) out.push(`SKU ${v.sku} is already used by product ${productIdSuffix(s.productId)} (variant ${s.variantId})`);
    if (v.barcode) {
      for (const spelling of barcodeSpellings(v.barcode)) {
        const b = other(barcodeOwners.get(spelling));
        if (b) {
          out.push(`Barcode ${v.barcode} is already used by product ${productIdSuffix(b.productId)} (variant ${b.variantId})`);
          break;
        }
      }
    }
    const owner = idOwners.get(v.id);
    if (owner && owner !== productId) out.push(`Variant id ${v.id} is already used by product ${productIdSuffix(owner)}`);
  }
  return out;
}

/**
 * The product document to write: `input` over `prev` (or a new one), variant ids assigned where the
 * editor left them blank, and `fieldTimes` stamped for the fields that changed (per-field conflict
 * resolution, domain/conflicts.ts). Throws CatalogError('invalid') with the schema's words.
 */
export function applyProductInput(productId: string, input: ProductInput, prev: ProductDoc | null, actor: { by: string; now: string }): ProductDoc {
  const suffix = productIdSuffix(productId);
  const taken = new Set<string>([...(prev?.variants ?? []).map((v) => v.id), ...input.variants.flatMap((v) => (v.id ? [v.id] : []))]);
  let n = 1;
  const variants = input.variants.map((v) => {
    let id = v.id;
    if (!id) {
      do id = `${suffix}-v${String(n++).padStart(2, '0')}`;
      while (taken.has(id));
      taken.add(id);
    }
    const out: Variant = { id, sku: v.sku, options: v.options, price: v.price, active: v.active };
    if (v.barcode) out.barcode = v.barcode;
    if (v.cost !== undefined) out.cost = v.cost;
    // the editor has no compare-at field: keep one an integration (Shopify import) set
    const before = prev?.variants.find((p) => p.id === id);
    if (before?.compareAtPrice !== undefined) out.compareAtPrice = before.compareAtPrice;
    return out;
  });
  const fields = {
    name: input.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    categoryId: input.categoryId,
    taxCategory: input.taxCategory,
    options: input.options,
    variants,
    status: input.status,
    ...(input.imageId ? { imageId: input.imageId } : {})
  };
  const fieldTimes: Record<string, string> = { ...(prev?.fieldTimes ?? {}) };
  for (const [k, v] of Object.entries(fields)) {
    if (!prev || canonicalJson((prev as Record<string, unknown>)[k]) !== canonicalJson(v)) fieldTimes[k] = actor.now;
  }
  const doc = {
    _id: productId,
    ...(prev?._rev ? { _rev: prev._rev } : {}),
    type: 'product' as const,
    ...fields,
    updatedAt: actor.now,
    updatedBy: actor.by,
    fieldTimes
  };
  const parsed = productSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new CatalogError('invalid', `${i.path.join('.') || 'product'}: ${i.message}`);
  }
  return parsed.data;
}

/** Archive / unarchive: only the status changes. */
export function withStatus(prev: ProductDoc, status: ProductDoc['status'], actor: { by: string; now: string }): ProductDoc {
  return { ...prev, status, updatedAt: actor.now, updatedBy: actor.by, fieldTimes: { ...(prev.fieldTimes ?? {}), status: actor.now } };
}

export const productListQuery = z.object({
  q: z.string().trim().max(100).optional(),
  category: z.string().max(200).optional(),
  status: z.enum([...PRODUCT_STATUSES, 'all']).default('all'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25)
});
export type ProductListQuery = z.infer<typeof productListQuery>;

export interface ProductSummary {
  _id: string;
  _rev?: string;
  name: string;
  categoryId: string;
  status: ProductDoc['status'];
  variantCount: number;
  skus: string[];
  minPrice: number;
  maxPrice: number;
  updatedAt: string;
}

export function summarise(p: ProductDoc): ProductSummary {
  const prices = p.variants.map((v) => v.price);
  return {
    _id: p._id,
    ...(p._rev ? { _rev: p._rev } : {}),
    name: p.name,
    categoryId: p.categoryId,
    status: p.status,
    variantCount: p.variants.length,
    skus: p.variants.slice(0, 3).map((v) => v.sku),
    minPrice: Math.min(...prices),
    maxPrice: Math.max(...prices),
    updatedAt: p.updatedAt
  };
}

/**
 * The list page's search: name words (all must appear), or an exact-ish SKU prefix, or a barcode
 * (any GTIN spelling); then the category and status filters; sorted by name; one page of it.
 */
export function searchProducts(products: readonly ProductDoc[], q: ProductListQuery): { total: number; items: ProductSummary[] } {
  const text = (q.q ?? '').toLowerCase();
  const words = text.split(/\s+/).filter(Boolean);
  const asGtin = /^\d{8,14}$/.test(text) ? toGtin14(text) : null;
  const matches = (p: ProductDoc) => {
    if (!text) return true;
    const name = p.name.toLowerCase();
    if (words.every((w) => name.includes(w))) return true;
    return p.variants.some((v) => v.sku.toLowerCase().startsWith(text) || (asGtin !== null && v.barcode !== undefined && toGtin14(v.barcode) === asGtin));
  };
  const hits = products
    .filter((p) => (q.status === 'all' || p.status === q.status) && (!q.category || p.categoryId === q.category) && matches(p))
    .sort((a, b) => a.name.localeCompare(b.name) || a._id.localeCompare(b._id));
  const start = (q.page - 1) * q.pageSize;
  return { total: hits.length, items: hits.slice(start, start + q.pageSize).map(summarise) };
}

/** `category:{slug}` for a new category, unique among `existing` ids. */
export function newCategoryId(name: string, existing: ReadonlySet<string>): string {
  const slug =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'category';
  let id = `category:${slug}`;
  for (let k = 2; existing.has(id); k++) id = `category:${slug}-${k}`;
  return id;
}
