import { z } from 'zod';
import { catalogDb, locationDb } from '#domain/db-names.ts';
import { LOCATION_CODE_PATTERN } from '#domain/db-names.ts';
import { driftDocId, driftLines, pushCursorId, type DriftLine, type ProductMap } from '#domain/shopify/index.ts';
import { recordAudit } from '../../audit.ts';
import { principalId, type Caller } from '../../auth/principal.ts';
import { casUpdate } from '../../couch/cas.ts';
import { listPrefix, statusOf } from '../../couch/client.ts';
import { badRequest, conflict, notFound, parseBody } from '../../errors.ts';
import { shopifyAdmin, shopifyProblem } from './connection.ts';
import type { ShopifyIntegration } from './service.ts';
import { mappedStores, pushCursorSchema, type PushCursor } from './stock-push.ts';
import type { ConnectionDoc } from './store.ts';

/**
 * Reconciliation (issue 16): "Compare stock" reads Shopify's available quantity at every mapped
 * location (GraphQL, paged) and the POS on-hand of the same store (ledger view), and lists the linked
 * variants where they differ. "Push POS stock" for chosen lines is handed to the stock push
 * (stock-push.ts `prepareCorrection`): it is measured and sent there, under the tenant's lease, when the
 * store's push has caught up, as one idempotent `inventoryAdjustQuantities` batch — never as an
 * absolute set (an online sale in flight still lands on top of it).
 *
 * The comparison is a snapshot: in-store sales not pushed yet and online orders whose webhook has not
 * been applied yet show as differences for a moment; each store says whether its push was behind.
 * The last comparison is kept (`shopify_drift:{tenant}`) so the page shows it after a reload.
 */
const MAX_LINES = 500;

export interface DriftRow extends DriftLine {
  productId: string;
  name: string;
  sku: string;
  options: string;
}
export interface StoreComparison {
  code: string;
  name: string;
  shopifyLocationId: string;
  shopifyLocationName: string;
  compared: number;
  differing: number;
  /** the store's in-store push was behind or had a batch in flight when compared */
  pushBehind: boolean;
}

const driftDocSchema = z.looseObject({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal('shopify_drift'),
  tenantId: z.string(),
  comparedAt: z.string(),
  comparedBy: z.string(),
  stores: z.array(z.custom<StoreComparison>()),
  lines: z.array(z.custom<DriftRow>()),
  truncated: z.boolean()
});
type DriftDoc = z.infer<typeof driftDocSchema>;

async function mapped(sh: ShopifyIntegration, tenantId: string): Promise<ConnectionDoc> {
  const c = await sh.store.connection(tenantId);
  if (!c || c.status !== 'connected') throw notFound('No Shopify store is connected');
  if (!mappedStores(c).length) throw conflict('Map at least one store to a Shopify location first');
  return c;
}

/** Compares every linked variant at every mapped store; keeps and answers the result. */
export async function compareShopifyStock(sh: ShopifyIntegration, caller: Caller) {
  const p = shopifyAdmin(caller, 'Comparing stock with Shopify');
  const c = await mapped(sh, p.tenantId);
  const db = await sh.store.db();
  const links = await listPrefix<ProductMap>(db, `shopify_map:${p.tenantId}:`);
  const items = links.flatMap((l) => l.variants.map((v) => ({ variantId: v.variantId, inventoryItemId: v.inventoryItemId, productId: l.productId })));
  const client = sh.clientOf(c);
  const [catalogLocations, shopifyLocations, push] = await Promise.all([
    listPrefix<{ code: string; name: string }>(sh.couch.use(catalogDb(p.tenantId)), 'location:'),
    client.locations().catch(shopifyProblem),
    sh.pusher.status(c)
  ]);
  const stores: StoreComparison[] = [];
  const lines: DriftLine[] = [];
  for (const m of mappedStores(c)) {
    const levels = await client.levelsAt(m.shopifyLocationId).catch(shopifyProblem);
    const onHand = await sh.couch.use(locationDb(p.tenantId, m.code)).view('stock', 'on_hand', { group: true, startkey: [m.code], endkey: [m.code, {}] });
    const pos = new Map(onHand.rows.map((r) => [String((r.key as unknown as [string, string])[1]), Number(r.value)]));
    const drift = driftLines(items, m.code, pos, levels);
    const state = push.find((s) => s.code === m.code);
    stores.push({
      code: m.code,
      name: catalogLocations.find((l) => l.code === m.code)?.name ?? m.code,
      shopifyLocationId: m.shopifyLocationId,
      shopifyLocationName: shopifyLocations.find((l) => l.id === m.shopifyLocationId)?.name ?? m.shopifyLocationId,
      compared: items.filter((it) => levels.has(it.inventoryItemId)).length,
      differing: drift.length,
      pushBehind: !!state && (!!state.inFlight || (state.backlog ?? 0) > 0)
    });
    lines.push(...drift);
  }
  const shown = lines.slice(0, MAX_LINES);
  const productOf = new Map(items.map((it) => [it.variantId, it.productId]));
  const productIds = [...new Set(shown.map((l) => productOf.get(l.variantId)!))];
  const products = productIds.length ? (await sh.couch.use(catalogDb(p.tenantId)).fetch({ keys: productIds })).rows : [];
  const byId = new Map(
    products.flatMap((r) => ('doc' in r && r.doc ? [[r.key, r.doc as unknown as { name: string; variants: { id: string; sku: string; options: Record<string, string> }[] }] as const] : []))
  );
  const rows: DriftRow[] = shown.map((l) => {
    const productId = productOf.get(l.variantId)!;
    const prod = byId.get(productId);
    const v = prod?.variants.find((x) => x.id === l.variantId);
    return { ...l, productId, name: prod?.name ?? productId, sku: v?.sku ?? '', options: v ? Object.values(v.options).join(' / ') : '' };
  });
  const now = new Date().toISOString();
  const doc: DriftDoc = { _id: driftDocId(p.tenantId), type: 'shopify_drift', tenantId: p.tenantId, comparedAt: now, comparedBy: principalId(p), stores, lines: rows, truncated: lines.length > MAX_LINES };
  // the newest comparison replaces the last one (a lost race means another comparison was kept: also fine)
  await casUpdate<DriftDoc>(db, doc._id, (raw) => driftDocSchema.parse(raw), (cur) => ({ ...doc, _rev: cur._rev! })).catch(async (err: unknown) => {
    if (statusOf(err) !== 404) throw err;
    await db.insert(doc).catch(() => {});
  });
  await recordAudit(sh.couch, p.tenantId, { action: 'shopify.stock_compared', actor: principalId(p), target: c.shop, details: { stores: stores.map((s) => ({ code: s.code, compared: s.compared, differing: s.differing })) } });
  return publicDrift(doc);
}

const publicDrift = (d: DriftDoc) => ({ comparedAt: d.comparedAt, stores: d.stores, lines: d.lines, truncated: d.truncated });

/** The last comparison and the "push POS stock" requests per mapped store (their state on the cursor). */
export async function reconcileStatus(sh: ShopifyIntegration, caller: Caller) {
  const p = shopifyAdmin(caller, 'Reading the stock comparison');
  const c = await sh.store.connection(p.tenantId);
  if (!c || c.status !== 'connected') return { comparison: null, corrections: [] };
  const last = await sh.store.get(driftDocId(p.tenantId), (d) => driftDocSchema.parse(d));
  const cursors = await Promise.all(mappedStores(c).map((m) => sh.store.get(pushCursorId(p.tenantId, m.code), (d) => pushCursorSchema.parse(d))));
  const corrections = cursors.flatMap((cur) => (cur ? cur.corrections.map((k) => ({ code: cur.locationCode, ...k })) : []));
  return { comparison: last ? publicDrift(last) : null, corrections };
}

export const pushStockInput = z
  .object({
    /** made by the caller: sending the same request again (a double click, a retry) asks once */
    requestId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'must be 8–64 letters, digits or dashes'),
    lines: z
      .array(z.object({ code: z.string().regex(LOCATION_CODE_PATTERN), variantId: z.string().min(1).max(200) }).strict())
      .min(1, 'choose at least one line')
      .max(MAX_LINES)
  })
  .strict();

/**
 * Asks the stock push to make Shopify's available equal the POS for the lines chosen (per store, one
 * request on the store's cursor). Answers at once; the request's state shows in `reconcileStatus`.
 */
export async function pushPosStock(sh: ShopifyIntegration, caller: Caller, raw: unknown) {
  const p = shopifyAdmin(caller, 'Pushing POS stock to Shopify');
  const input = parseBody(pushStockInput, raw);
  const c = await mapped(sh, p.tenantId);
  const stores = new Map(mappedStores(c).map((m) => [m.code, m.shopifyLocationId]));
  const byStore = new Map<string, string[]>();
  input.lines.forEach((l, i) => {
    if (!stores.has(l.code)) throw badRequest(`lines.${i}.code: ${l.code} is not mapped to a Shopify location`);
    const list = byStore.get(l.code) ?? [];
    if (!list.includes(l.variantId)) list.push(l.variantId);
    byStore.set(l.code, list);
  });
  const db = await sh.store.db();
  const linked = new Set(
    (await db.view<string>('links', 'by_pos_variant', { keys: [...new Set(input.lines.map((l) => l.variantId))].map((v) => [p.tenantId, v]) })).rows.map((r) => String((r.key as unknown as unknown[])[1]))
  );
  input.lines.forEach((l, i) => {
    if (!linked.has(l.variantId)) throw badRequest(`lines.${i}.variantId: ${l.variantId} is not linked to a Shopify product`);
  });
  const now = new Date().toISOString();
  for (const [code, variantIds] of byStore) {
    const cur = await sh.pusher.ensureCursor(c, code, stores.get(code)!);
    const out = await casUpdate<PushCursor>(db, cur._id, (d) => pushCursorSchema.parse(d), (x) =>
      x.corrections.some((k) => k.id === input.requestId) ? null : { ...x, corrections: [...x.corrections, { id: input.requestId, variantIds, requestedAt: now, requestedBy: principalId(p), status: 'pending', result: null }], updatedAt: now }
    );
    if (!out) throw conflict('The stock push is busy; try again');
  }
  sh.pushWorker?.enqueue(p.tenantId);
  await recordAudit(sh.couch, p.tenantId, { action: 'shopify.stock_push_requested', actor: principalId(p), target: c.shop, details: { requestId: input.requestId, lines: input.lines } });
  return { requestId: input.requestId, stores: [...byStore.keys()] };
}
