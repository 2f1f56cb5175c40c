import { catalogDb, locationDb } from '#domain/db-names.ts';
import {
  InventoryError,
  isInTransit,
  makeAdjustment,
  makeTransfer,
  markReceived,
  markShipped,
  parseTransferId,
  planReceive,
  planShip,
  sameMovement,
  sameTransferRequest,
  type StockMovement,
  adjustmentInput,
  receiveInput,
  transferInput
} from '#domain/inventory.ts';
import { transferSchema, type Transfer } from '#domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { actorOf, type Caller } from '../auth/principal.ts';
import { parseBody } from '../errors.ts';
import { authorizeAny, authorizeInventory } from './authorize.ts';
import { getOr404, statusOf, type Couch, type Db } from '../couch/client.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { getTenant } from '../tenants/provision.ts';
import { advanceDoc, insertOnce } from './store.ts';

/**
 * Inventory use cases (adjustments, transfers, stock levels) for the API. The decisions — what to write,
 * whether a retry is the same request — are the pure functions of domain/inventory.ts (read its header
 * for the idempotency argument); this file reads and writes CouchDB around them. The writes take the
 * caller and its raw input and check both themselves (`authorizeInventory`: the permission and the
 * locations touched) before anything is read, whoever calls them: a route, a worker, an integration.
 */

const asAppError = (err: unknown): never => {
  if (err instanceof InventoryError) throw err.code === 'invalid' ? badRequest(err.message) : conflict(err.message);
  throw err;
};

/** The tenant's location codes; 404 for a code that is not one of them. */
export async function assertLocations(couch: Couch, tenantId: string, codes: string[]): Promise<void> {
  const tenant = await getTenant(couch, tenantId);
  const known = new Set(tenant?.locations ?? []);
  const missing = codes.filter((c) => !known.has(c));
  if (missing.length) throw notFound(`No location ${missing.join(', ')} in this tenant`);
}

/**
 * Variant ids that no product of the catalog has. A variant id starts with its product id's suffix and a
 * dash (schemas/catalog.ts), so the candidate products are the id's prefixes before each dash: one
 * `_all_docs` read for every variant, no catalog-wide scan. Stops typos from creating phantom stock.
 */
export async function unknownVariants(couch: Couch, tenantId: string, variantIds: string[]): Promise<string[]> {
  const candidates = new Set<string>();
  for (const v of variantIds) for (let i = v.indexOf('-'); i > 0; i = v.indexOf('-', i + 1)) candidates.add(`product:${v.slice(0, i)}`);
  if (!candidates.size) return variantIds;
  const res = await couch.use(catalogDb(tenantId)).fetch({ keys: [...candidates] });
  const known = new Set<string>();
  for (const row of res.rows) {
    const doc = (row as { doc?: { type?: string; variants?: { id: string }[] } | null }).doc;
    if (doc?.type === 'product') for (const v of doc.variants ?? []) known.add(v.id);
  }
  return variantIds.filter((v) => !known.has(v));
}

async function assertVariants(couch: Couch, tenantId: string, variantIds: string[]): Promise<void> {
  const unknown = await unknownVariants(couch, tenantId, variantIds);
  if (unknown.length) throw badRequest(`lines: no product in the catalog has variant ${unknown.slice(0, 10).join(', ')}`);
}

// -------------------------------------------------------------------------------------------------
// Stock levels

export interface StockLevel {
  variantId: string;
  onHand: number;
}

/** On hand per variant at a location from `stock/on_hand` (0 for a variant with no movements). All variants with a movement when `variants` is empty. */
export async function stockLevels(couch: Couch, tenantId: string, location: string, variants: string[]): Promise<StockLevel[]> {
  const db = couch.use(locationDb(tenantId, location));
  const res = variants.length
    ? await db.view('stock', 'on_hand', { keys: variants.map((v) => [location, v]), group: true })
    : await db.view('stock', 'on_hand', { startkey: [location], endkey: [location, {}], group: true });
  const sums = new Map(res.rows.map((r) => [(r.key as unknown as [string, string])[1], Number(r.value) || 0]));
  return variants.length ? variants.map((v) => ({ variantId: v, onHand: sums.get(v) ?? 0 })) : [...sums].map(([variantId, onHand]) => ({ variantId, onHand }));
}

// -------------------------------------------------------------------------------------------------
// Adjustments

/** A stock adjustment with its reason: needs inventory:adjust at that location (an RFID phone may not). */
export async function recordAdjustment(couch: Couch, caller: Caller, raw: unknown): Promise<{ movement: StockMovement; created: boolean }> {
  authorizeAny(caller.principal, 'stock:adjust');
  const input = parseBody(adjustmentInput, raw);
  authorizeInventory(caller.principal, 'stock:adjust', { location: input.location });
  const { tenantId } = caller.principal;
  const actor = actorOf(caller.principal);
  const { requestId } = caller;
  await assertLocations(couch, tenantId, [input.location]);
  await assertVariants(couch, tenantId, input.lines.map((l) => l.variantId));
  const movement = makeAdjustment(input, actor);
  const out = await insertOnce(couch.use(locationDb(tenantId, input.location)), movement, (s) => sameMovement(s, movement), 'Adjustment');
  if (out.created) {
    await recordAudit(couch, tenantId, { action: 'inventory.adjusted', actor: actor.by, target: movement._id, details: { location: input.location, reason: input.reason, lines: input.lines }, ...(requestId ? { requestId } : {}) });
  }
  return { movement: out.doc, created: out.created };
}

// -------------------------------------------------------------------------------------------------
// Transfers

/** A transfer request from one store to another: needs inventory:adjust at both. */
export async function createTransfer(couch: Couch, caller: Caller, raw: unknown): Promise<{ transfer: Transfer; created: boolean }> {
  authorizeAny(caller.principal, 'transfer:create');
  const input = parseBody(transferInput, raw);
  authorizeInventory(caller.principal, 'transfer:create', { transfer: { from: input.from, to: input.to } });
  const { tenantId } = caller.principal;
  const actor = actorOf(caller.principal);
  const { requestId } = caller;
  await assertLocations(couch, tenantId, [input.from, input.to]);
  await assertVariants(couch, tenantId, input.lines.map((l) => l.variantId));
  const transfer = makeTransfer(input, actor);
  const out = await insertOnce(couch.use(locationDb(tenantId, input.from)), transfer, (s) => sameTransferRequest(s, transfer), 'Transfer');
  if (out.created) await recordAudit(couch, tenantId, { action: 'transfer.created', actor: actor.by, target: transfer._id, details: { from: input.from, to: input.to, lines: input.lines }, ...(requestId ? { requestId } : {}) });
  return { transfer: out.doc, created: out.created };
}

/** The transfer by id (its id names the source database), or 404. */
export async function getTransfer(couch: Couch, tenantId: string, id: string): Promise<Transfer> {
  const parsed = parseTransferId(id);
  if (!parsed) throw notFound(`No transfer ${id} (ids look like transfer:GM:{ulid})`);
  return getOr404(couch.use(locationDb(tenantId, parsed.from)), id, `No transfer ${id}`, (raw) => transferSchema.parse(raw));
}

/**
 * Saves the next state of a transfer after its movement exists. On 409 someone else updated it in
 * between (a concurrent ship/receive): re-read and let `next` decide again — it answers null when the
 * stored transfer already has the outcome (nothing to write).
 */
async function advance(db: Db, id: string, next: (current: Transfer) => Transfer | null): Promise<{ transfer: Transfer; changed: boolean }> {
  const out = await advanceDoc(db, id, (raw) => transferSchema.parse(raw), next);
  return { transfer: out.doc, changed: out.changed };
}

/**
 * The transfer `id` for a caller who may do `action` with it: refused before the read when the caller
 * may not do it anywhere (so nothing is learnt about which transfers exist), then for its stores.
 */
export async function transferFor(couch: Couch, caller: Caller, action: 'transfer:view' | 'transfer:ship' | 'transfer:receive', id: string): Promise<Transfer> {
  authorizeAny(caller.principal, action);
  const t = await getTransfer(couch, caller.principal.tenantId, id);
  authorizeInventory(caller.principal, action, { transfer: { from: t.locationCode, to: t.toLocationCode } });
  return t;
}

/** Ship: write transfer_out at the source (once), then mark the transfer shipped. A shipped or received transfer answers as it is. */
export async function shipTransfer(couch: Couch, caller: Caller, id: string): Promise<{ transfer: Transfer; changed: boolean }> {
  const t = await transferFor(couch, caller, 'transfer:ship', id);
  const { tenantId } = caller.principal;
  const actor = actorOf(caller.principal);
  const { requestId } = caller;
  const plan = planShip(t, actor);
  if (plan.kind === 'done') return { transfer: t, changed: false };
  const db = couch.use(locationDb(tenantId, t.locationCode));
  const { doc: movement } = await insertOnce(db, plan.movement, (s) => sameMovement(s, plan.movement), 'Movement');
  const out = await advance(db, t._id, (current) => (current.status === 'draft' ? markShipped(current, movement, actor) : null));
  if (out.changed) await recordAudit(couch, tenantId, { action: 'transfer.shipped', actor: actor.by, target: t._id, details: { movement: movement._id }, ...(requestId ? { requestId } : {}) });
  return out;
}

/**
 * Receive: write transfer_in at the destination with what arrived (once), then mark the transfer
 * received with its discrepancies. The same quantities again answer the received transfer; other
 * quantities on a received transfer are 409 (the first receipt stands).
 */
export async function receiveTransfer(couch: Couch, caller: Caller, id: string, raw: unknown): Promise<{ transfer: Transfer; changed: boolean }> {
  authorizeAny(caller.principal, 'transfer:receive');
  const input = parseBody(receiveInput, raw);
  const t = await transferFor(couch, caller, 'transfer:receive', id);
  const { tenantId } = caller.principal;
  const actor = actorOf(caller.principal);
  const { requestId } = caller;
  let plan: ReturnType<typeof planReceive>;
  try {
    plan = planReceive(t, input, actor);
  } catch (err) {
    return asAppError(err);
  }
  if (plan.kind === 'done') return { transfer: t, changed: false };
  const { received } = plan;
  let movement: StockMovement | null = null;
  if (plan.movement) {
    const want = plan.movement;
    const stored = await insertOnce(couch.use(locationDb(tenantId, t.toLocationCode)), want, (s) => sameMovement(s, want), 'Receipt');
    movement = stored.doc;
  }
  const out = await advance(couch.use(locationDb(tenantId, t.locationCode)), t._id, (current) => {
    if (current.status === 'shipped') return markReceived(current, received, movement, actor);
    try {
      planReceive(current, input, actor); // received meanwhile: same quantities → done, else 409
    } catch (err) {
      asAppError(err);
    }
    return null;
  });
  if (out.changed) {
    await recordAudit(couch, tenantId, { action: 'transfer.received', actor: actor.by, target: t._id, details: { movement: movement?._id ?? null, discrepancies: out.transfer.discrepancies }, ...(requestId ? { requestId } : {}) });
  }
  return out;
}

/**
 * On hand of a few variants at every location of the tenant `visible` lets the caller see (the RFID
 * phone's "here and at the other stores"): one grouped view read per location.
 */
export async function stockAcrossLocations(couch: Couch, tenantId: string, variants: string[], visible: (location: string) => boolean): Promise<{ location: string; name: string; stock: StockLevel[] }[]> {
  const tenant = await getTenant(couch, tenantId);
  const codes = (tenant?.locations ?? []).filter(visible);
  if (codes.length === 0) return [];
  const names = await couch.use(catalogDb(tenantId)).fetch({ keys: codes.map((c) => `location:${c}`) });
  const nameOf = new Map(names.rows.map((r) => [(r as { key: string }).key.slice('location:'.length), ((r as { doc?: { name?: string } | null }).doc?.name ?? '') as string]));
  return Promise.all(
    codes.map(async (code) => {
      try {
        return { location: code, name: nameOf.get(code) || code, stock: await stockLevels(couch, tenantId, code, variants) };
      } catch (err) {
        if (statusOf(err) === 404) return { location: code, name: nameOf.get(code) || code, stock: variants.map((variantId) => ({ variantId, onHand: 0 })) };
        throw err;
      }
    })
  );
}

/**
 * Transfers `location` takes part in (outgoing from its database, incoming from the others), newest
 * first, from each location database's `transfers/by_location` view; `status` narrows it ("shipped" =
 * in transit).
 */
export async function listTransfers(couch: Couch, tenantId: string, location: string, status?: Transfer['status'], limit = 200): Promise<Transfer[]> {
  const tenant = await getTenant(couch, tenantId);
  if (!tenant?.locations.includes(location)) throw notFound(`No location ${location} in this tenant`);
  const range = status ? { startkey: [location, status], endkey: [location, status, {}] } : { startkey: [location], endkey: [location, {}] };
  const found = await Promise.all(
    tenant.locations.map(async (code) => {
      try {
        const res = await couch.use(locationDb(tenantId, code)).view('transfers', 'by_location', { ...range, include_docs: true });
        return res.rows.map((r) => r.doc as unknown as Transfer).filter(Boolean);
      } catch (err) {
        if (statusOf(err) === 404) return []; // a location whose database or view is not there yet
        throw err;
      }
    })
  );
  return found
    .flat()
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a._id < b._id ? 1 : -1))
    .slice(0, limit);
}

export { isInTransit };
