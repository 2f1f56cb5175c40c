import { randomInt } from 'node:crypto';
import { catalogDb } from '#domain/db-names.ts';
import {
  applyProductInput,
  barcodeSpellings,
  CatalogError,
  clashMessages,
  internalBarcode,
  internalClashes,
  newCategoryId,
  searchProducts,
  withStatus,
  type CategoryDoc,
  type ProductDoc,
  type ProductInput,
  type ProductListQuery,
  type VariantOwner
} from '#domain/catalog-edit.ts';
import { toGtin14 } from '#domain/gtin.ts';
import { newUlid } from '#domain/ids.ts';
import { categorySchema } from '#domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { readImage } from './images.ts';
import { getOr404, listPrefix, statusOf, type Couch, type Db } from '../couch/client.ts';
import { AppError, badRequest, conflict, notFound, parseBody } from '../errors.ts';
import { catalogEditor, revQuery, statusBody } from './editor.ts';
import type { Caller } from '../auth/principal.ts';
import { categoryInput, categoryUpdate, productInput, productUpdate } from '#domain/catalog-edit.ts';
import type { Actor } from '#domain/actor.ts';

/**
 * Products and categories edited one at a time from the admin portal. Decisions are domain/catalog-edit.ts;
 * this file reads the catalog database around them and writes with the revision the editor started
 * from, so a stale edit is a 409 instead of silently overwriting someone else's change.
 *
 * Uniqueness of SKUs and barcodes is checked against the catalog's by_sku / by_barcode views just
 * before the write. Two editors saving the same new SKU in the same instant can both pass (CouchDB has
 * no cross-document constraint); the CSV import and this editor both check, and the views show a dup.
 */
export type { Actor };


const staleMessage = (what: string) =>
  `This ${what} was changed by someone else since you opened it. Reload it to see their changes, then make yours again.`;

const asAppError = (err: unknown): never => {
  if (err instanceof CatalogError) throw err.code === 'invalid' ? badRequest(err.message) : new AppError(409, 'clash', err.message);
  throw err;
};

const getDoc = <T>(db: Db, id: string, what: string): Promise<T> => getOr404<T>(db, id, `No ${what} ${id}`);

/** Writes `doc` with its `_rev`; CouchDB's 409 (someone saved in between) becomes our stale message. */
async function put<T extends { _id: string; _rev?: string }>(db: Db, doc: T, what: string): Promise<T> {
  try {
    const res = await db.insert(doc);
    return { ...doc, _rev: res.rev };
  } catch (err) {
    if (statusOf(err) === 409) throw new AppError(409, 'stale_revision', doc._rev ? staleMessage(what) : `A ${what} with id ${doc._id} already exists`);
    throw err;
  }
}

/**
 * Starts building the uniqueness views without waiting. The embedded store builds a view on its first
 * query (~6 s per view for the 520-product demo catalog), which would otherwise land on the first
 * Generate or Save; the list and editor pages ask for this on load, so the build is done by then.
 */
function warmViews(db: Db): void {
  for (const view of ['by_sku', 'by_barcode'] as const) void db.view('catalog', view, { limit: 0 }).catch(() => undefined);
}

export async function listProducts(couch: Couch, tenantId: string, q: ProductListQuery) {
  const db = couch.use(catalogDb(tenantId));
  const products = await listPrefix<ProductDoc>(db, 'product:');
  warmViews(db); // after the read, so the list itself does not wait for the build
  return searchProducts(products, q);
}

export async function getProduct(couch: Couch, tenantId: string, id: string, warm = false): Promise<ProductDoc> {
  const db = couch.use(catalogDb(tenantId));
  const doc = await getDoc<ProductDoc>(db, id, 'product');
  if (warm) warmViews(db);
  if ((doc as { type?: string }).type !== 'product') throw notFound(`No product ${id}`);
  return doc;
}

async function owners(db: Db, view: 'by_sku' | 'by_barcode', keys: string[]): Promise<Map<string, VariantOwner[]>> {
  const out = new Map<string, VariantOwner[]>();
  if (keys.length === 0) return out;
  const res = await db.view<VariantOwner>('catalog', view, { keys: [...new Set(keys)] });
  for (const row of res.rows) {
    const list = out.get(String(row.key)) ?? [];
    list.push(row.value);
    out.set(String(row.key), list);
  }
  return out;
}

/**
 * Products owning variant ids: a variant id starts with its product's suffix and a dash, so the
 * candidates are the id's prefixes before each dash (as inventory/service.ts `unknownVariants`).
 */
async function variantIdOwners(db: Db, ids: string[]): Promise<Map<string, string>> {
  const candidates = new Set<string>();
  for (const v of ids) for (let i = v.indexOf('-'); i > 0; i = v.indexOf('-', i + 1)) candidates.add(`product:${v.slice(0, i)}`);
  const out = new Map<string, string>();
  if (!candidates.size) return out;
  const res = await db.fetch({ keys: [...candidates] });
  const wanted = new Set(ids);
  for (const row of res.rows) {
    const doc = (row as { doc?: { _id: string; type?: string; variants?: { id: string }[] } | null }).doc;
    if (doc?.type === 'product') for (const v of doc.variants ?? []) if (wanted.has(v.id)) out.set(v.id, doc._id);
  }
  return out;
}

async function assertNoClashes(db: Db, doc: ProductDoc): Promise<void> {
  const inside = internalClashes(doc);
  const codes = doc.variants.flatMap((v) => (v.barcode ? barcodeSpellings(v.barcode) : []));
  const [skuOwners, barcodeOwners, idOwners] = await Promise.all([
    owners(
      db,
      'by_sku',
      doc.variants.map((v) => v.sku)
    ),
    owners(db, 'by_barcode', codes),
    variantIdOwners(
      db,
      doc.variants.map((v) => v.id)
    )
  ]);
  const problems = [...inside, ...clashMessages(doc._id, doc, skuOwners, barcodeOwners, idOwners)];
  if (problems.length) throw new AppError(409, 'clash', problems.slice(0, 5).join('; '), { problems });
}

async function assertCategory(db: Db, id: string): Promise<void> {
  try {
    const c = (await db.get(id)) as { type?: string };
    if (c.type === 'category') return;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  throw badRequest(`categoryId: no category ${id}`);
}

async function assertImage(couch: Couch, tenantId: string, imageId: string | undefined): Promise<void> {
  if (!imageId) return;
  try {
    await readImage(couch, tenantId, imageId);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw badRequest(`imageId: no image ${imageId}; upload it first`);
    throw err;
  }
}

async function createProductNow(couch: Couch, tenantId: string, input: ProductInput, actor: Actor): Promise<ProductDoc> {
  const db = couch.use(catalogDb(tenantId));
  await assertCategory(db, input.categoryId);
  await assertImage(couch, tenantId, input.imageId);
  // the server picks the id; variant ids the editor made for a product that did not exist are dropped
  const id = `product:${newUlid().toLowerCase()}`;
  let doc: ProductDoc;
  try {
    doc = applyProductInput(id, { ...input, variants: input.variants.map(({ id: _drop, ...v }) => v) }, null, actor);
  } catch (err) {
    return asAppError(err);
  }
  await assertNoClashes(db, doc);
  const saved = await put(db, doc, 'product');
  await audit(couch, tenantId, 'catalog.product.create', saved._id, actor, { name: saved.name, variants: saved.variants.length });
  return saved;
}

async function updateProductNow(couch: Couch, tenantId: string, id: string, input: ProductInput & { _rev: string }, actor: Actor): Promise<ProductDoc> {
  const db = couch.use(catalogDb(tenantId));
  const prev = await getProduct(couch, tenantId, id);
  if (prev._rev !== input._rev) throw new AppError(409, 'stale_revision', staleMessage('product'));
  if (input.categoryId !== prev.categoryId) await assertCategory(db, input.categoryId);
  if (input.imageId !== prev.imageId) await assertImage(couch, tenantId, input.imageId);
  const { _rev, ...fields } = input;
  let doc: ProductDoc;
  try {
    doc = applyProductInput(id, fields, prev, actor);
  } catch (err) {
    return asAppError(err);
  }
  await assertNoClashes(db, doc);
  const saved = await put(db, doc, 'product');
  const removed = prev.variants.filter((v) => !saved.variants.some((n) => n.id === v.id)).map((v) => v.id);
  await audit(couch, tenantId, 'catalog.product.update', saved._id, actor, { variants: saved.variants.length, ...(removed.length ? { removedVariants: removed } : {}) });
  return saved;
}

async function setProductStatusNow(couch: Couch, tenantId: string, id: string, status: ProductDoc['status'], rev: string | undefined, actor: Actor) {
  const db = couch.use(catalogDb(tenantId));
  const prev = await getProduct(couch, tenantId, id);
  if (rev && prev._rev !== rev) throw new AppError(409, 'stale_revision', staleMessage('product'));
  if (prev.status === status) return prev;
  const saved = await put(db, withStatus(prev, status, actor), 'product');
  await audit(couch, tenantId, status === 'archived' ? 'catalog.product.archive' : 'catalog.product.unarchive', saved._id, actor, {});
  return saved;
}

/** Internal barcodes no product of the tenant carries (nor the `exclude` ones the editor holds unsaved). */
export async function generateBarcodes(couch: Couch, tenantId: string, count: number, exclude: string[]): Promise<string[]> {
  const db = couch.use(catalogDb(tenantId));
  const taken = new Set(exclude.map(toGtin14));
  const out: string[] = [];
  for (let round = 0; round < 5 && out.length < count; round++) {
    const candidates: string[] = [];
    while (candidates.length < (count - out.length) * 2) {
      const c = internalBarcode(() => randomInt(10) / 10);
      if (!taken.has(toGtin14(c))) {
        taken.add(toGtin14(c));
        candidates.push(c);
      }
    }
    const used = await owners(db, 'by_barcode', candidates.flatMap(barcodeSpellings));
    for (const c of candidates) if (out.length < count && !barcodeSpellings(c).some((s) => used.has(s))) out.push(c);
  }
  if (out.length < count) throw new AppError(503, 'unavailable', 'Could not find unused barcodes; try again');
  return out;
}

// --- categories ---

/** A tax category choice: products using it, the rates exempting it, the tax tables with a rule for it. */
export interface TaxCategoryChoice {
  id: string;
  products: number;
  exemptAt: string[];
  /** tax tables (by name) whose components have a rule for this category (domain/tax) */
  ruledBy: string[];
}

/**
 * The tax categories an admin chooses from: "standard" (taxed at each store's rate), every category a
 * tax rate exempts or a tax table has a rule for, and every category products already use, sorted,
 * each once.
 */
export function taxCategoryChoices(
  inUse: readonly { key: string; value: number }[],
  rates: readonly { name: string; exemptCategories?: string[] }[],
  tables: readonly { name: string; versions?: { components?: { rules?: Record<string, unknown> }[] }[] }[]
): TaxCategoryChoice[] {
  const out = new Map<string, TaxCategoryChoice>();
  const entry = (id: string) => out.get(id) ?? out.set(id, { id, products: 0, exemptAt: [], ruledBy: [] }).get(id)!;
  entry('standard');
  for (const r of inUse) entry(r.key).products = r.value;
  for (const rate of rates) for (const c of rate.exemptCategories ?? []) entry(c).exemptAt.push(rate.name);
  for (const t of tables) {
    const named = new Set((t.versions ?? []).flatMap((v) => (v.components ?? []).flatMap((c) => Object.keys(c.rules ?? {}))));
    for (const c of named) entry(c).ruledBy.push(t.name);
  }
  return [...out.values()].sort((a, b) => (a.id === 'standard' ? -1 : b.id === 'standard' ? 1 : a.id.localeCompare(b.id)));
}

/** taxCategoryChoices from the catalog: the grouped `_count` view (one read, not a scan of the catalog), the rates and the tables. */
export async function listTaxCategories(couch: Couch, tenantId: string): Promise<TaxCategoryChoice[]> {
  const db = couch.use(catalogDb(tenantId));
  const [inUse, rates, tables] = await Promise.all([
    db.view<number>('tax_categories', 'in_use', { group: true }).then((r) => r.rows as unknown as { key: string; value: number }[]),
    listPrefix<{ name: string; exemptCategories?: string[] }>(db, 'tax_rate:'),
    listPrefix<{ name: string; versions?: { components?: { rules?: Record<string, unknown> }[] }[] }>(db, 'tax_table:')
  ]);
  return taxCategoryChoices(inUse, rates, tables);
}

export async function listCategories(couch: Couch, tenantId: string) {
  const db = couch.use(catalogDb(tenantId));
  const [categories, products] = await Promise.all([listPrefix<CategoryDoc>(db, 'category:'), listPrefix<ProductDoc>(db, 'product:')]);
  const counts = new Map<string, number>();
  for (const p of products) counts.set(p.categoryId, (counts.get(p.categoryId) ?? 0) + 1);
  return categories
    .sort((a, b) => (a.sort ?? Number.MAX_SAFE_INTEGER) - (b.sort ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name))
    .map((c) => ({ ...c, productCount: counts.get(c._id) ?? 0 }));
}

function checkedCategory(doc: unknown): CategoryDoc {
  const r = categorySchema.safeParse(doc);
  if (!r.success) throw badRequest(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

async function createCategoryNow(couch: Couch, tenantId: string, input: { name: string; parentId?: string; sort?: number }, actor: Actor) {
  const db = couch.use(catalogDb(tenantId));
  const existing = await listPrefix<CategoryDoc>(db, 'category:');
  if (existing.some((c) => c.name.toLowerCase() === input.name.toLowerCase())) throw new AppError(409, 'clash', `A category named ${input.name} already exists`);
  if (input.parentId && !existing.some((c) => c._id === input.parentId)) throw badRequest(`parentId: no category ${input.parentId}`);
  const doc = checkedCategory({
    _id: newCategoryId(input.name, new Set(existing.map((c) => c._id))),
    type: 'category',
    ...input,
    updatedAt: actor.now,
    updatedBy: actor.by,
    fieldTimes: Object.fromEntries(Object.keys(input).map((k) => [k, actor.now]))
  });
  const saved = await put(db, doc, 'category');
  await audit(couch, tenantId, 'catalog.category.create', saved._id, actor, { name: saved.name });
  return saved;
}

async function updateCategoryNow(couch: Couch, tenantId: string, id: string, input: { _rev: string; name: string; parentId?: string; sort?: number }, actor: Actor) {
  const db = couch.use(catalogDb(tenantId));
  const prev = await getDoc<CategoryDoc>(db, id, 'category');
  if (prev.type !== 'category') throw notFound(`No category ${id}`);
  if (prev._rev !== input._rev) throw new AppError(409, 'stale_revision', staleMessage('category'));
  if (input.parentId === id) throw badRequest('parentId: a category cannot be its own parent');
  const existing = await listPrefix<CategoryDoc>(db, 'category:');
  if (existing.some((c) => c._id !== id && c.name.toLowerCase() === input.name.toLowerCase())) throw new AppError(409, 'clash', `A category named ${input.name} already exists`);
  const { _rev, ...fields } = input;
  const fieldTimes = { ...(prev.fieldTimes ?? {}) };
  for (const [k, v] of Object.entries(fields)) if ((prev as Record<string, unknown>)[k] !== v) fieldTimes[k] = actor.now;
  const { parentId: _p, sort: _s, ...base } = prev;
  const doc = checkedCategory({ ...base, ...fields, updatedAt: actor.now, updatedBy: actor.by, fieldTimes });
  const saved = await put(db, doc, 'category');
  await audit(couch, tenantId, 'catalog.category.update', saved._id, actor, { name: saved.name });
  return saved;
}

/** Deleting a category that products still use would leave them pointing nowhere: refused with the count. */
async function deleteCategoryNow(couch: Couch, tenantId: string, id: string, rev: string, actor: Actor) {
  const db = couch.use(catalogDb(tenantId));
  const prev = await getDoc<CategoryDoc>(db, id, 'category');
  if (prev._rev !== rev) throw new AppError(409, 'stale_revision', staleMessage('category'));
  const products = await listPrefix<ProductDoc>(db, 'product:');
  const using = products.filter((p) => p.categoryId === id).length;
  if (using) throw conflict(`${using} product${using === 1 ? '' : 's'} still use ${prev.name}; move them to another category first`);
  try {
    await db.destroy(id, rev);
  } catch (err) {
    if (statusOf(err) === 409) throw new AppError(409, 'stale_revision', staleMessage('category'));
    throw err;
  }
  await audit(couch, tenantId, 'catalog.category.delete', id, actor, { name: prev.name });
}

async function audit(couch: Couch, tenantId: string, action: string, target: string, actor: Actor, details: Record<string, unknown>) {
  await recordAudit(couch, tenantId, { action, actor: actor.by, target, details, ...(actor.requestId ? { requestId: actor.requestId } : {}) });
}

// -------------------------------------------------------------------------------------------------
// Use cases: each checks its caller (catalog:edit) before reading the input, whoever calls it.

export async function createProduct(couch: Couch, caller: Caller, raw: unknown): Promise<ProductDoc> {
  const { tenantId, actor } = catalogEditor(caller, 'Creating a product');
  return createProductNow(couch, tenantId, parseBody(productInput, raw), actor);
}

export async function updateProduct(couch: Couch, caller: Caller, id: string, raw: unknown): Promise<ProductDoc> {
  const { tenantId, actor } = catalogEditor(caller, 'Editing a product');
  return updateProductNow(couch, tenantId, id, parseBody(productUpdate, raw), actor);
}

/** Archive (`archived`) or restore (`active`) a product; `raw` may carry the `_rev` the editor saw. */
export async function setProductStatus(couch: Couch, caller: Caller, id: string, status: ProductDoc['status'], raw: unknown) {
  const { tenantId, actor } = catalogEditor(caller, status === 'archived' ? 'Archiving a product' : 'Restoring a product');
  return setProductStatusNow(couch, tenantId, id, status, parseBody(statusBody, raw)._rev, actor);
}

export async function createCategory(couch: Couch, caller: Caller, raw: unknown) {
  const { tenantId, actor } = catalogEditor(caller, 'Creating a category');
  return createCategoryNow(couch, tenantId, parseBody(categoryInput, raw), actor);
}

export async function updateCategory(couch: Couch, caller: Caller, id: string, raw: unknown) {
  const { tenantId, actor } = catalogEditor(caller, 'Editing a category');
  return updateCategoryNow(couch, tenantId, id, parseBody(categoryUpdate, raw), actor);
}

export async function deleteCategory(couch: Couch, caller: Caller, id: string, rawQuery: unknown) {
  const { tenantId, actor } = catalogEditor(caller, 'Deleting a category');
  return deleteCategoryNow(couch, tenantId, id, parseBody(revQuery, rawQuery).rev, actor);
}
