import { PLATFORM_DB, catalogDb, locationDb } from '#domain/db-names.ts';
import { sameMovement, type Actor } from '#domain/inventory.ts';
import {
  PurchaseOrderError,
  applyReceipt,
  costUpdates,
  makePurchaseOrder,
  makeSupplier,
  markCancelled,
  markSent,
  planReceipt,
  poTotal,
  updateDraft,
  type VariantFacts,
  createPoInput,
  receivePoInput,
  supplierInput,
  updatePoInput
} from '#domain/purchase-orders.ts';
import { purchaseOrderSchema, supplierSchema, type PoStatus, type PurchaseOrder, type Supplier } from '#domain/schemas/index.ts';
import { toDecimalString } from '#domain/money.ts';
import type { z } from 'zod';
import { recordAudit } from '../audit.ts';
import { actorOf, authorize, type Caller } from '../auth/principal.ts';
import { getOr404, statusOf, type Couch } from '../couch/client.ts';
import { badRequest, conflict, notFound, parseBody } from '../errors.ts';
import type { EmailOutboxDoc } from '../platform/types.ts';
import { assertLocations } from './service.ts';
import { advanceDoc, findVariant, insertOnce, variantInfo, type VariantInfo } from './store.ts';

/**
 * Suppliers and purchase orders for the API; the rules (states, receipts, over-receipt, last cost)
 * are domain/purchase-orders.ts.
 */

const asAppError = (err: unknown): never => {
  if (err instanceof PurchaseOrderError) throw err.code === 'invalid' ? badRequest(err.message) : conflict(err.message);
  throw err;
};
const guard = <T>(fn: () => T): T => {
  try {
    return fn();
  } catch (err) {
    return asAppError(err);
  }
};
const parsePo = (raw: unknown) => purchaseOrderSchema.parse(raw);
const audit = (couch: Couch, tenantId: string, action: string, actor: Actor, target: string, details: Record<string, unknown>, requestId?: string) =>
  recordAudit(couch, tenantId, { action, actor: actor.by, target, details, ...(requestId ? { requestId } : {}) });

// -------------------------------------------------------------------------------------------------
// Suppliers

/** The tenant's suppliers: needs inventory:adjust. */
export async function listSuppliers(couch: Couch, caller: Caller): Promise<Supplier[]> {
  const { tenantId } = authorize(caller.principal, 'inventory:adjust', 'Viewing suppliers');
  const res = await couch.use(catalogDb(tenantId)).list({ startkey: 'supplier:', endkey: 'supplier:\ufff0', include_docs: true });
  return res.rows
    .map((r) => r.doc as unknown as Supplier)
    .filter((d) => d?.type === 'supplier')
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function getSupplier(couch: Couch, tenantId: string, id: string): Promise<Supplier> {
  try {
    return supplierSchema.parse(await couch.use(catalogDb(tenantId)).get(id));
  } catch (err) {
    if (statusOf(err) === 404 || (err instanceof Error && err.name === 'ZodError')) throw notFound(`No supplier ${id}`);
    throw err;
  }
}

async function saveSupplierNow(couch: Couch, tenantId: string, input: z.output<typeof supplierInput>, actor: Actor, id?: string): Promise<Supplier> {
  const db = couch.use(catalogDb(tenantId));
  if (!id) {
    const doc = makeSupplier(input, actor);
    const res = await db.insert(doc);
    await audit(couch, tenantId, 'supplier.created', actor, doc._id, { name: doc.name });
    return { ...doc, _rev: res.rev };
  }
  await getSupplier(couch, tenantId, id);
  const out = await advanceDoc(db, id, (raw) => supplierSchema.parse(raw), (cur) => makeSupplier(input, actor, cur));
  await audit(couch, tenantId, 'supplier.updated', actor, id, { name: out.doc.name });
  return out.doc;
}

// -------------------------------------------------------------------------------------------------
// Orders

export function parsePoId(id: string): { location: string } | null {
  const m = /^po:([A-Z][A-Z0-9]{1,9}):[0-9A-HJKMNP-TV-Z]{26}$/.exec(id);
  return m ? { location: m[1]! } : null;
}

export async function getPurchaseOrder(couch: Couch, tenantId: string, id: string): Promise<PurchaseOrder> {
  const parsed = parsePoId(id);
  if (!parsed) throw notFound(`No purchase order ${id} (ids look like po:GM:{ulid})`);
  return getOr404(couch.use(locationDb(tenantId, parsed.location)), id, `No purchase order ${id}`, parsePo);
}

/** A catalog variant by exact SKU or barcode, for adding order lines: needs inventory:adjust. */
export async function variantForOrder(couch: Couch, caller: Caller, code: string): Promise<VariantInfo> {
  const { tenantId } = authorize(caller.principal, 'inventory:adjust', 'Looking up a variant');
  const v = await findVariant(couch, tenantId, code);
  if (!v) throw notFound(`No variant has SKU or barcode ${code}`);
  return v;
}

/** Orders delivering to a location, newest first (one `_all_docs` range over time-sorted ids): needs inventory:adjust there. */
export async function listPurchaseOrders(couch: Couch, caller: Caller, location: string, status?: PoStatus, limit = 500): Promise<PurchaseOrder[]> {
  const { tenantId } = authorize(caller.principal, 'inventory:adjust', 'Viewing purchase orders', [location]);
  await assertLocations(couch, tenantId, [location]);
  const res = await couch.use(locationDb(tenantId, location)).list({ startkey: `po:${location}:\ufff0`, endkey: `po:${location}:`, descending: true, include_docs: true, limit: 2000 });
  return res.rows
    .map((r) => r.doc as unknown as PurchaseOrder)
    .filter((d) => d?.type === 'purchase_order' && (!status || d.status === status))
    .slice(0, limit);
}

async function factsFor(couch: Couch, tenantId: string, variantIds: string[]): Promise<Map<string, VariantFacts>> {
  return new Map([...(await variantInfo(couch, tenantId, variantIds))].map(([id, i]) => [id, { sku: i.sku, name: i.name }]));
}

async function createPurchaseOrderNow(couch: Couch, tenantId: string, input: z.output<typeof createPoInput>, actor: Actor, requestId?: string): Promise<{ order: PurchaseOrder; created: boolean }> {
  await assertLocations(couch, tenantId, [input.location]);
  await getSupplier(couch, tenantId, input.supplierId);
  const facts = await factsFor(couch, tenantId, input.lines.map((l) => l.variantId));
  const full = guard(() => makePurchaseOrder(input, facts, actor));
  const out = await insertOnce(couch.use(locationDb(tenantId, input.location)), full, (s) => s.supplierId === full.supplierId && s.locationCode === full.locationCode, 'Purchase order');
  if (out.created) await audit(couch, tenantId, 'po.created', actor, full._id, { supplier: input.supplierId, lines: input.lines.length }, requestId);
  return { order: out.doc, created: out.created };
}

async function updatePurchaseOrderNow(couch: Couch, tenantId: string, id: string, input: z.output<typeof updatePoInput>, actor: Actor): Promise<PurchaseOrder> {
  const po = await getPurchaseOrder(couch, tenantId, id);
  if (input.supplierId) await getSupplier(couch, tenantId, input.supplierId);
  const facts = await factsFor(couch, tenantId, input.lines.map((l) => l.variantId));
  const out = await advanceDoc(couch.use(locationDb(tenantId, po.locationCode)), id, parsePo, (cur) => guard(() => updateDraft(cur, input, facts, actor)));
  return out.doc;
}

/**
 * Send: queue the email to the supplier (platform outbox, one per order: `outbox:po:{id}`, so a retry
 * never queues two), then mark the order sent. A supplier without an email still lets the order be
 * marked sent (phoned in); the answer says whether an email was queued.
 */
async function sendPurchaseOrderNow(couch: Couch, tenantId: string, id: string, actor: Actor, requestId?: string): Promise<{ order: PurchaseOrder; changed: boolean; emailQueued: boolean }> {
  const po = await getPurchaseOrder(couch, tenantId, id);
  const next = guard(() => markSent(po, actor));
  if (!next) return { order: po, changed: false, emailQueued: false };
  const supplier = await getSupplier(couch, tenantId, po.supplierId);
  let emailQueued = false;
  if (supplier.email) {
    const doc: EmailOutboxDoc = {
      _id: `outbox:po:${tenantId}:${po._id}`,
      type: 'email_outbox',
      tenantId,
      to: supplier.email,
      template: 'purchase_order',
      // the delivery worker reads the order for the email's table and its CSV attachment
      ref: po._id,
      locationCode: po.locationCode,
      data: {
        supplierName: supplier.name,
        orderNumber: po.number,
        deliverTo: po.locationCode,
        lines: po.lines.map((l) => `${l.ordered} × ${l.sku} ${l.name} @ ${toDecimalString(l.unitCost)}`).join('\n'),
        total: toDecimalString(poTotal(po)),
        ...(po.note ? { note: po.note } : {})
      },
      status: 'pending',
      attempts: 0,
      createdAt: actor.now
    };
    try {
      await couch.use(PLATFORM_DB).insert(doc);
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    emailQueued = true;
  }
  const out = await advanceDoc(couch.use(locationDb(tenantId, po.locationCode)), id, parsePo, (cur) => guard(() => markSent(cur, actor)));
  if (out.changed) await audit(couch, tenantId, 'po.sent', actor, id, { supplier: supplier._id, emailQueued }, requestId);
  return { order: out.doc, changed: out.changed, emailQueued };
}

async function cancelPurchaseOrderNow(couch: Couch, tenantId: string, id: string, actor: Actor, requestId?: string): Promise<{ order: PurchaseOrder; changed: boolean }> {
  const po = await getPurchaseOrder(couch, tenantId, id);
  const out = await advanceDoc(couch.use(locationDb(tenantId, po.locationCode)), id, parsePo, (cur) => guard(() => markCancelled(cur, actor)));
  if (out.changed) await audit(couch, tenantId, 'po.cancelled', actor, id, {}, requestId);
  return { order: out.doc, changed: out.changed };
}

/**
 * Receive: write the receipt's movement (once, id from the order and receipt number), record it on the
 * order, then apply the last-cost rule to the catalog variants it touched.
 */
async function receivePurchaseOrderNow(
  couch: Couch,
  tenantId: string,
  id: string,
  input: z.output<typeof receivePoInput>,
  actor: Actor,
  requestId?: string
): Promise<{ order: PurchaseOrder; changed: boolean; costsUpdated: number }> {
  const po = await getPurchaseOrder(couch, tenantId, id);
  const plan = guard(() => planReceipt(po, input, actor));
  if (plan.kind === 'done') return { order: po, changed: false, costsUpdated: 0 };
  const db = couch.use(locationDb(tenantId, po.locationCode));
  const want = plan.movement;
  const { doc: movement } = await insertOnce(db, want, (s) => sameMovement(s, want), 'Receipt');
  const out = await advanceDoc(db, id, parsePo, (cur) => {
    if (cur.receipts.some((r) => r.n === input.n)) {
      guard(() => planReceipt(cur, input, actor)); // booked meanwhile: same lines → done, else 409
      return null;
    }
    return guard(() => applyReceipt(cur, input.n, movement, actor));
  });
  let costsUpdated = 0;
  if (out.changed) {
    costsUpdated = await applyLastCost(couch, tenantId, costUpdates(out.doc, movement), actor);
    await audit(couch, tenantId, 'po.received', actor, id, { receipt: input.n, movement: movement._id, status: out.doc.status, costsUpdated }, requestId);
  }
  return { order: out.doc, changed: out.changed, costsUpdated };
}

/** Sets each variant's catalog cost to its last purchase cost; returns how many variants changed. */
async function applyLastCost(couch: Couch, tenantId: string, costs: Map<string, number>, actor: Actor): Promise<number> {
  const info = await variantInfo(couch, tenantId, [...costs.keys()]);
  const byProduct = new Map<string, string[]>();
  for (const [v, i] of info) if (i.cost !== costs.get(v)) byProduct.set(i.productId, [...(byProduct.get(i.productId) ?? []), v]);
  let changed = 0;
  const db = couch.use(catalogDb(tenantId));
  for (const [productId, variants] of byProduct) {
    const out = await advanceDoc(
      db,
      productId,
      (raw) => raw as { _id: string; _rev?: string; variants: { id: string; cost?: number }[]; fieldTimes?: Record<string, string>; updatedAt: string; updatedBy: string },
      (cur) => {
        if (cur.variants.every((v) => !variants.includes(v.id) || v.cost === costs.get(v.id))) return null;
        return {
          ...cur,
          variants: cur.variants.map((v) => (variants.includes(v.id) ? { ...v, cost: costs.get(v.id)! } : v)),
          ...(cur.fieldTimes ? { fieldTimes: { ...cur.fieldTimes, variants: actor.now } } : {}),
          updatedAt: actor.now,
          updatedBy: actor.by
        };
      }
    );
    if (out.changed) changed += variants.length;
  }
  return changed;
}

// -------------------------------------------------------------------------------------------------
// Use cases: each checks its caller whoever calls it. Everything needs inventory:adjust; an order also
// access to the store it delivers to. The permission is checked before the input is read.

const ADJUST = 'inventory:adjust' as const;

/** The order `id` for a caller who may `action` it: refused before the read, then for its store. */
export async function orderFor(couch: Couch, caller: Caller, action: string, id: string): Promise<PurchaseOrder> {
  const p = authorize(caller.principal, ADJUST, action);
  const po = await getPurchaseOrder(couch, p.tenantId, id);
  authorize(p, ADJUST, action, po.locationCode);
  return po;
}

/** Adds a supplier, or (with `id`) edits one. */
export async function saveSupplier(couch: Couch, caller: Caller, raw: unknown, id?: string): Promise<Supplier> {
  const p = authorize(caller.principal, ADJUST, id ? 'Editing a supplier' : 'Adding a supplier');
  return saveSupplierNow(couch, p.tenantId, parseBody(supplierInput, raw), actorOf(p), id);
}

export async function createPurchaseOrder(couch: Couch, caller: Caller, raw: unknown): Promise<{ order: PurchaseOrder; created: boolean }> {
  authorize(caller.principal, ADJUST, 'Creating a purchase order');
  const input = parseBody(createPoInput, raw);
  const p = authorize(caller.principal, ADJUST, 'Creating a purchase order', input.location);
  return createPurchaseOrderNow(couch, p.tenantId, input, actorOf(p), caller.requestId);
}

export async function updatePurchaseOrder(couch: Couch, caller: Caller, id: string, raw: unknown): Promise<PurchaseOrder> {
  authorize(caller.principal, ADJUST, 'Editing a purchase order');
  const input = parseBody(updatePoInput, raw);
  const po = await orderFor(couch, caller, 'Editing a purchase order', id);
  return updatePurchaseOrderNow(couch, caller.principal.tenantId, po._id, input, actorOf(caller.principal));
}

export async function sendPurchaseOrder(couch: Couch, caller: Caller, id: string): Promise<{ order: PurchaseOrder; changed: boolean; emailQueued: boolean }> {
  const po = await orderFor(couch, caller, 'Sending a purchase order', id);
  return sendPurchaseOrderNow(couch, caller.principal.tenantId, po._id, actorOf(caller.principal), caller.requestId);
}

export async function cancelPurchaseOrder(couch: Couch, caller: Caller, id: string): Promise<{ order: PurchaseOrder; changed: boolean }> {
  const po = await orderFor(couch, caller, 'Cancelling a purchase order', id);
  return cancelPurchaseOrderNow(couch, caller.principal.tenantId, po._id, actorOf(caller.principal), caller.requestId);
}

export async function receivePurchaseOrder(couch: Couch, caller: Caller, id: string, raw: unknown): Promise<{ order: PurchaseOrder; changed: boolean; costsUpdated: number }> {
  authorize(caller.principal, ADJUST, 'Receiving a purchase order');
  const input = parseBody(receivePoInput, raw);
  const po = await orderFor(couch, caller, 'Receiving a purchase order', id);
  return receivePurchaseOrderNow(couch, caller.principal.tenantId, po._id, input, actorOf(caller.principal), caller.requestId);
}
