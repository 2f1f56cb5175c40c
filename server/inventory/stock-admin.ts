import { catalogDb, locationDb } from '#domain/db-names.ts';
import type { StockMovement } from '#domain/inventory.ts';
import { stockThresholdSchema, type StockThreshold } from '#domain/schemas/index.ts';
import {
  flattenVariants,
  incomingInTransit,
  matchesSearch,
  paginate,
  stockAlerts,
  stockRow,
  valuation,
  type Limits,
  type Page,
  type StockAlert,
  type StockRow,
  type Valuation,
  type VariantInfo
} from '#domain/stock-levels.ts';
import { thresholdInput } from '#domain/stock-levels.ts';
import { actorOf, authorize, type Caller } from '../auth/principal.ts';
import { recordAudit } from '../audit.ts';
import { getOr404, type Couch } from '../couch/client.ts';
import { AppError, badRequest, notFound, parseBody } from '../errors.ts';
import { assertLocations, listTransfers, stockLevels, unknownVariants } from './service.ts';

/**
 * The admin portal's reads over stock (the paginated stock list, alerts, recent adjustments,
 * valuation) and the thresholds it writes. Each read gathers the catalog, the `stock/on_hand` view,
 * transfers and thresholds, and leaves every decision to domain/stock-levels.ts.
 *
 * The catalog is read whole per request (`_all_docs` over `product:`): the list must search names,
 * SKUs and barcodes together and sort by name, which no single view gives; a 10k-product catalog is
 * a few MB read from a local store, fine for an admin page (not for a register, which has its replica).
 */

interface ProductDoc {
  _id: string;
  type?: string;
  name: string;
  categoryId: string;
  status?: string;
  options?: { name: string }[];
  variants: { id: string; sku: string; barcode?: string; options: Record<string, string>; cost?: number }[];
}

/**
 * Flattened catalogs by tenant, each with the catalog database's `update_seq` it was read at. A read
 * asks the database for its current seq (one small request) and reuses the list while it is unchanged,
 * so paging and searching do not re-read every product. Every server copy keeps its own and checks the
 * seq each time, so no copy can serve a stale catalog: the server stays stateless in effect.
 */
const CATALOG_CACHE_TENANTS = 20;
const catalogCache = new Map<string, { seq: string; variants: VariantInfo[] }>();

/** Every variant of the catalog (archived ones too: they may still hold stock). */
export async function catalogVariants(couch: Couch, tenantId: string): Promise<VariantInfo[]> {
  const db = couch.use(catalogDb(tenantId));
  const seq = String((await db.info()).update_seq);
  const hit = catalogCache.get(tenantId);
  if (hit && hit.seq === seq) return hit.variants;
  const res = await db.list({ startkey: 'product:', endkey: 'product:\ufff0', include_docs: true });
  const products = res.rows.map((r) => (r as { doc?: ProductDoc | null }).doc).filter((d): d is ProductDoc => d?.type === 'product');
  const variants = flattenVariants(products);
  catalogCache.delete(tenantId);
  catalogCache.set(tenantId, { seq, variants });
  if (catalogCache.size > CATALOG_CACHE_TENANTS) catalogCache.delete(catalogCache.keys().next().value!);
  return variants;
}

export async function categoryNames(couch: Couch, tenantId: string): Promise<Map<string, string>> {
  const res = await couch.use(catalogDb(tenantId)).list({ startkey: 'category:', endkey: 'category:\ufff0', include_docs: true });
  return new Map(res.rows.map((r) => (r as { doc?: { _id: string; name?: string } | null }).doc).filter((d) => d?.name).map((d) => [d!._id, d!.name!]));
}

/**
 * On hand of every variant at a location, per the location database's `update_seq` it was read at.
 * The grouped `stock/on_hand` read is the inventory page's cost (measured on the demo tenant: ~0.5 s
 * a read on the embedded store, which reduces group=true queries row by row, and the page made two:
 * the list and its alerts). Reads at the same seq, concurrent ones included, share one; any write to
 * the location (a sale, an adjustment) changes the seq, so nothing stale is ever served. The maps are
 * shared: callers only read them.
 */
const ON_HAND_CACHE_LOCATIONS = 50;
const onHandCache = new Map<string, { seq: string; value: Promise<Map<string, number>> }>();

export async function onHandMap(couch: Couch, tenantId: string, location: string): Promise<Map<string, number>> {
  const key = `${tenantId}/${location}`;
  const seq = String((await couch.use(locationDb(tenantId, location)).info()).update_seq);
  const hit = onHandCache.get(key);
  if (hit && hit.seq === seq) return hit.value;
  const value = stockLevels(couch, tenantId, location, []).then((levels) => new Map(levels.map((l) => [l.variantId, l.onHand])));
  onHandCache.delete(key);
  onHandCache.set(key, { seq, value });
  if (onHandCache.size > ON_HAND_CACHE_LOCATIONS) onHandCache.delete(onHandCache.keys().next().value!);
  // a failed read is not kept
  value.catch(() => {
    if (onHandCache.get(key)?.value === value) onHandCache.delete(key);
  });
  return value;
}

/** The location's thresholds by variant. */
export async function readLimits(couch: Couch, tenantId: string, location: string): Promise<Map<string, Limits & { doc: StockThreshold }>> {
  const res = await couch.use(locationDb(tenantId, location)).list({ startkey: 'threshold:', endkey: 'threshold:\ufff0', include_docs: true });
  const out = new Map<string, Limits & { doc: StockThreshold }>();
  for (const row of res.rows) {
    const parsed = stockThresholdSchema.safeParse((row as { doc?: unknown }).doc);
    if (parsed.success) out.set(parsed.data.variantId, { lowStock: parsed.data.lowStock, reorderPoint: parsed.data.reorderPoint, doc: parsed.data });
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// Stock list

export type StockFilter = 'all' | 'attention' | 'in_stock';

export interface StockListQuery {
  location: string;
  q: string;
  filter: StockFilter;
  page: number;
  pageSize: number;
}

/**
 * One page of the stock list at a location: every variant of the catalog (so a variant with no
 * movement yet shows 0 and can be given a threshold), each with on hand, units in transit to here,
 * its limits and state. `attention` keeps negative, out, low and reorder rows; `in_stock` those with
 * stock here or on the way.
 */
export async function listStock(couch: Couch, tenantId: string, query: StockListQuery): Promise<Page<StockRow>> {
  await assertLocations(couch, tenantId, [query.location]);
  const [variants, limits, transfers] = await Promise.all([
    catalogVariants(couch, tenantId),
    readLimits(couch, tenantId, query.location),
    listTransfers(couch, tenantId, query.location, 'shipped', 10_000)
  ]);
  const transit = incomingInTransit(transfers, query.location);
  const candidates = variants.filter((v) => matchesSearch(v, query.q));
  const row = (v: VariantInfo, onHand: ReadonlyMap<string, number>) => stockRow(v, onHand.get(v.variantId) ?? 0, transit.get(v.variantId) ?? 0, limits.get(v.variantId));
  // an archived product's variants only while they still hold or await stock
  const shown = (r: StockRow) => !r.archived || r.onHand !== 0 || r.inTransit !== 0;
  if (query.filter === 'all') {
    // Every active variant is listed whatever its stock, so only the archived ones and the page itself
    // need on-hand figures: two keyed reads instead of the whole location (0.5 s a read on the demo tenant).
    const archived = candidates.filter((v) => v.archived);
    const archivedOnHand = await onHandOf(couch, tenantId, query.location, archived.map((v) => v.variantId));
    const listed = candidates.filter((v) => !v.archived || shown(row(v, archivedOnHand)));
    const page = paginate(listed, query.page, query.pageSize);
    const onHand = await onHandOf(couch, tenantId, query.location, page.rows.map((v) => v.variantId));
    return { ...page, rows: page.rows.map((v) => row(v, onHand)) };
  }
  const onHand = await onHandMap(couch, tenantId, query.location);
  const rows = candidates
    .map((v) => row(v, onHand))
    .filter(shown)
    .filter((r) => (query.filter === 'attention' ? r.state !== 'ok' : r.onHand !== 0 || r.inTransit !== 0));
  return paginate(rows, query.page, query.pageSize);
}

/** On hand of some variants: from the whole-location figures when they are current, else one keyed read. */
async function onHandOf(couch: Couch, tenantId: string, location: string, variantIds: string[]): Promise<ReadonlyMap<string, number>> {
  if (variantIds.length === 0) return new Map();
  const key = `${tenantId}/${location}`;
  const cached = onHandCache.get(key);
  if (cached) {
    const seq = String((await couch.use(locationDb(tenantId, location)).info()).update_seq);
    if (cached.seq === seq) return cached.value;
  }
  return new Map((await stockLevels(couch, tenantId, location, variantIds)).map((l) => [l.variantId, l.onHand]));
}

/**
 * A variant by exact SKU or barcode (the adjustment and transfer forms' lookup), with its on hand at
 * `location`. Read from the (cached) catalog list rather than the by_sku/by_barcode views, which the
 * embedded store would first have to build.
 */
export async function findVariant(couch: Couch, tenantId: string, code: string, location: string): Promise<VariantInfo & { onHand: number }> {
  await assertLocations(couch, tenantId, [location]);
  const variants = await catalogVariants(couch, tenantId);
  const v = variants.find((x) => x.sku === code) ?? variants.find((x) => x.barcode === code);
  if (!v) throw notFound(`No variant has the SKU or barcode ${code}`);
  const [level] = await stockLevels(couch, tenantId, location, [v.variantId]);
  return { ...v, onHand: level?.onHand ?? 0 };
}

// -------------------------------------------------------------------------------------------------
// Alerts

export interface NamedAlert extends StockAlert {
  productName: string | null;
  label: string | null;
  sku: string | null;
}

/**
 * Stock alerts of one location: negative stock and low stock (on hand ≤ its threshold), named from
 * the catalog. The dashboard and GET /inventory/alerts both call this.
 */
export async function stockAlertsAt(couch: Couch, tenantId: string, location: string, variants?: VariantInfo[]): Promise<{ location: string; negative: NamedAlert[]; low: NamedAlert[] }> {
  const [catalog, onHand, limits] = await Promise.all([variants ?? catalogVariants(couch, tenantId), onHandMap(couch, tenantId, location), readLimits(couch, tenantId, location)]);
  const byId = new Map(catalog.map((v) => [v.variantId, v]));
  const name = (a: StockAlert): NamedAlert => {
    const v = byId.get(a.variantId);
    return { ...a, productName: v?.productName ?? null, label: v?.label ?? null, sku: v?.sku ?? null };
  };
  const alerts = stockAlerts(onHand, limits);
  return { location, negative: alerts.negative.map(name), low: alerts.low.map(name) };
}

// -------------------------------------------------------------------------------------------------
// Thresholds

/**
 * Sets or clears limits for some variants (or every variant of a product) at one location: needs
 * inventory:adjust there (checked here, before anything is read, whoever calls). Null removes a
 * limit; a threshold left with none is deleted. One `_bulk_docs` write; a document changed by someone
 * else in between is reported as a conflict for the caller to retry.
 */
export async function setThresholds(couch: Couch, caller: Caller, raw: unknown): Promise<{ thresholds: StockThreshold[]; cleared: string[] }> {
  authorize(caller.principal, 'inventory:adjust', 'Setting stock thresholds');
  const input = parseBody(thresholdInput, raw);
  authorize(caller.principal, 'inventory:adjust', 'Setting stock thresholds', [input.location]);
  const { tenantId } = caller.principal;
  const actor = actorOf(caller.principal);
  const { requestId } = caller;
  await assertLocations(couch, tenantId, [input.location]);
  let variantIds: string[];
  if (input.productId) {
    const product = await getOr404<ProductDoc>(couch.use(catalogDb(tenantId)), input.productId, `No product ${input.productId}`);
    variantIds = product.variants.map((v) => v.id);
  } else {
    variantIds = [...new Set(input.variantIds ?? [])];
    const unknown = await unknownVariants(couch, tenantId, variantIds);
    if (unknown.length) throw badRequest(`variantIds: no product in the catalog has variant ${unknown.slice(0, 10).join(', ')}`);
  }
  const db = couch.use(locationDb(tenantId, input.location));
  const existing = await db.fetch({ keys: variantIds.map((v) => `threshold:${v}`) });
  const revs = new Map<string, string>();
  for (const row of existing.rows) {
    const r = row as { id?: string; key?: string; value?: { rev: string; deleted?: boolean } };
    if (r.value && !r.value.deleted && r.key) revs.set(r.key, r.value.rev);
  }
  const clear = input.lowStock === null && input.reorderPoint === null;
  const docs: Record<string, unknown>[] = [];
  const thresholds: StockThreshold[] = [];
  const cleared: string[] = [];
  for (const variantId of variantIds) {
    const _id = `threshold:${variantId}`;
    const rev = revs.get(_id);
    if (clear) {
      if (rev) docs.push({ _id, _rev: rev, _deleted: true });
      cleared.push(variantId);
      continue;
    }
    const doc = stockThresholdSchema.parse({
      _id,
      ...(rev ? { _rev: rev } : {}),
      type: 'stock_threshold',
      locationCode: input.location,
      variantId,
      ...(input.lowStock !== null ? { lowStock: input.lowStock } : {}),
      ...(input.reorderPoint !== null ? { reorderPoint: input.reorderPoint } : {}),
      updatedAt: actor.now,
      updatedBy: actor.by
    });
    docs.push(doc);
    thresholds.push(doc);
  }
  if (docs.length) {
    const res = await db.bulk({ docs });
    const failed = res.filter((r) => r.error);
    if (failed.length) throw new AppError(409, 'conflict', `Thresholds changed meanwhile for ${failed.map((f) => f.id).join(', ')}; reload and retry`);
  }
  await recordAudit(couch, tenantId, {
    action: clear ? 'inventory.thresholds_cleared' : 'inventory.thresholds_set',
    actor: actor.by,
    target: input.productId ?? variantIds.join(','),
    details: { location: input.location, variants: variantIds.length, lowStock: input.lowStock, reorderPoint: input.reorderPoint },
    ...(requestId ? { requestId } : {})
  });
  return { thresholds, cleared };
}

// -------------------------------------------------------------------------------------------------
// Recent adjustments

export interface AdjustmentRow {
  _id: string;
  reason: string;
  note: string | null;
  createdAt: string;
  createdBy: string;
  lines: { variantId: string; qty: number; productName: string | null; label: string | null; sku: string | null }[];
}

/**
 * The latest adjustments at a location, newest first. Adjustment ids are `movement:adj:{ulid}` and a
 * ulid sorts by time, so a descending `_all_docs` range is the list: no view to build.
 */
export async function recentAdjustments(couch: Couch, tenantId: string, location: string, limit: number): Promise<AdjustmentRow[]> {
  await assertLocations(couch, tenantId, [location]);
  const res = await couch.use(locationDb(tenantId, location)).list({ startkey: 'movement:adj:\ufff0', endkey: 'movement:adj:', descending: true, include_docs: true, limit });
  const movements = res.rows.map((r) => (r as { doc?: StockMovement | null }).doc).filter((d): d is StockMovement => d?.type === 'stock_movement');
  const needed = new Set(movements.flatMap((m) => m.lines.map((l) => l.variantId)));
  const byId = new Map((needed.size ? await catalogVariants(couch, tenantId) : []).filter((v) => needed.has(v.variantId)).map((v) => [v.variantId, v]));
  return movements.map((m) => ({
    _id: m._id,
    reason: m.reason,
    note: m.note ?? null,
    createdAt: m.createdAt,
    createdBy: m.createdBy,
    lines: m.lines.map((l) => {
      const v = byId.get(l.variantId);
      return { variantId: l.variantId, qty: l.qty, productName: v?.productName ?? null, label: v?.label ?? null, sku: v?.sku ?? null };
    })
  }));
}

// -------------------------------------------------------------------------------------------------
// Valuation

/** Stock × cost at each of `locations`, by category, with totals (domain `valuation`). */
export async function valuationAt(couch: Couch, tenantId: string, locations: string[]): Promise<Valuation> {
  await assertLocations(couch, tenantId, locations);
  const [variants, names, levels] = await Promise.all([
    catalogVariants(couch, tenantId),
    categoryNames(couch, tenantId),
    Promise.all(locations.map(async (loc) => [loc, await onHandMap(couch, tenantId, loc)] as const))
  ]);
  return valuation(new Map(variants.map((v) => [v.variantId, v])), new Map(levels), names);
}

/** The tenant's currency for money columns: the first location's (a tenant trades in one currency). */
export async function tenantCurrency(couch: Couch, tenantId: string): Promise<string> {
  const res = await couch.use(catalogDb(tenantId)).list({ startkey: 'location:', endkey: 'location:\ufff0', include_docs: true, limit: 1 });
  return ((res.rows[0] as { doc?: { currency?: string } } | undefined)?.doc?.currency ?? 'USD').toUpperCase();
}

/** The tenant's locations (code and name) in code order. */
export async function tenantLocations(couch: Couch, tenantId: string): Promise<{ code: string; name: string }[]> {
  const res = await couch.use(catalogDb(tenantId)).list({ startkey: 'location:', endkey: 'location:\ufff0', include_docs: true });
  return res.rows
    .map((r) => (r as { doc?: { type?: string; code?: string; name?: string } | null }).doc)
    .filter((d): d is { code: string; name: string } => d?.type === 'location' && typeof d.code === 'string')
    .map((d) => ({ code: d.code, name: d.name ?? d.code }))
    .sort((a, b) => (a.code < b.code ? -1 : 1));
}
