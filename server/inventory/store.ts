import { catalogDb } from '#domain/db-names.ts';
import { casPut, casUpdate, settledLeaves } from '../couch/cas.ts';
import type { Couch, Db } from '../couch/client.ts';
import { AppError, conflict } from '../errors.ts';

/** Small CouchDB helpers shared by transfers, adjustments, counts and purchase orders. */

/**
 * Creates `doc` once; when it exists (or a concurrent create won, server/couch/cas.ts) the stored one is
 * returned when `same` says it is the same write, else 409. After a lost race it reads only once the
 * race has ended (`settledLeaves`): a rival read a moment earlier may itself be about to yield, and if
 * every racer yielded the document is gone and is created again.
 */
export async function insertOnce<T extends { _id: string }>(db: Db, doc: T, same: (stored: T) => boolean, what: string): Promise<{ doc: T; created: boolean }> {
  let stored: T | null = null;
  for (let attempt = 0; attempt < 5 && !stored; attempt++) {
    const res = await casPut(db, doc);
    if (res.ok) return { doc: { ...doc, _rev: res.rev }, created: true };
    const live = await settledLeaves(db, doc._id);
    if (live === null) break;
    const [winner] = live;
    if (winner) {
      const { _revisions: _history, ...body } = winner;
      stored = body as unknown as T;
    } // none: every racer yielded — create it again
  }
  if (!stored) throw new AppError(503, 'busy', `${doc._id} is being written by other requests; retry`);
  if (!same(stored)) throw conflict(`${what} ${doc._id} already exists with other content`);
  return { doc: stored, created: false };
}

/**
 * Saves the next state of a mutable server-only document. When a concurrent request changed it first
 * (409, or the losing side of a cluster race: server/couch/cas.ts) re-reads and asks `next` again;
 * null means the stored document already has the outcome.
 */
export async function advanceDoc<T extends { _id: string; _rev?: string }>(db: Db, id: string, parse: (raw: unknown) => T, next: (current: T) => T | null): Promise<{ doc: T; changed: boolean }> {
  const out = await casUpdate(db, id, parse, next);
  if (out) return out;
  throw new AppError(503, 'busy', `${id} is being changed by another request; retry`);
}

export interface VariantInfo {
  variantId: string;
  productId: string;
  sku: string;
  barcode?: string;
  /** product name and option values, e.g. "Tee · M / Black" */
  name: string;
  cost: number | null;
  categoryId: string;
}

interface ProductDoc {
  _id: string;
  type?: string;
  name: string;
  categoryId: string;
  variants: { id: string; sku: string; barcode?: string; options: Record<string, string>; cost?: number }[];
}

export const variantName = (p: Pick<ProductDoc, 'name'>, v: { options: Record<string, string> }) => {
  const opts = Object.values(v.options).filter(Boolean).join(' / ');
  return opts ? `${p.name} · ${opts}` : p.name;
};

function infoOf(p: ProductDoc, v: ProductDoc['variants'][number]): VariantInfo {
  return { variantId: v.id, productId: p._id, sku: v.sku, ...(v.barcode ? { barcode: v.barcode } : {}), name: variantName(p, v), cost: v.cost ?? null, categoryId: p.categoryId };
}

/**
 * Catalog facts per variant id, read with one `_all_docs` fetch of the candidate products (a variant id
 * starts with its product id's suffix and a dash, schemas/catalog.ts). Unknown variants are absent.
 */
export async function variantInfo(couch: Couch, tenantId: string, variantIds: readonly string[]): Promise<Map<string, VariantInfo>> {
  const out = new Map<string, VariantInfo>();
  const candidates = new Set<string>();
  for (const v of variantIds) for (let i = v.indexOf('-'); i > 0; i = v.indexOf('-', i + 1)) candidates.add(`product:${v.slice(0, i)}`);
  if (!candidates.size) return out;
  const wanted = new Set(variantIds);
  const res = await couch.use(catalogDb(tenantId)).fetch({ keys: [...candidates] });
  for (const row of res.rows) {
    const doc = (row as { doc?: ProductDoc | null }).doc;
    if (doc?.type !== 'product') continue;
    for (const v of doc.variants ?? []) if (wanted.has(v.id)) out.set(v.id, infoOf(doc, v));
  }
  return out;
}

/** Variants of the products in these categories (catalog view `catalog/by_category`). */
export async function variantsInCategories(couch: Couch, tenantId: string, categoryIds: readonly string[]): Promise<string[]> {
  const db = couch.use(catalogDb(tenantId));
  const found = await Promise.all(
    categoryIds.map(async (c) => {
      const res = await db.view('catalog', 'by_category', { startkey: [c], endkey: [c, {}], include_docs: true });
      return res.rows.flatMap((r) => ((r.doc as unknown as ProductDoc | null)?.variants ?? []).map((v) => v.id));
    })
  );
  return [...new Set(found.flat())];
}

/** A variant by exact SKU or barcode (catalog views `by_sku`, `by_barcode`), for adding order lines. */
export async function findVariant(couch: Couch, tenantId: string, code: string): Promise<VariantInfo | null> {
  const db = couch.use(catalogDb(tenantId));
  for (const view of ['by_sku', 'by_barcode'] as const) {
    const res = await db.view('catalog', view, { key: code, limit: 1 });
    const hit = res.rows[0]?.value as { productId: string; variantId: string } | undefined;
    if (hit) return (await variantInfo(couch, tenantId, [hit.variantId])).get(hit.variantId) ?? null;
  }
  return null;
}
