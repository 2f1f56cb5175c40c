/**
 * Stock between the POS ledger and Shopify (pure). Both directions move deltas, never absolute levels:
 *   POS → Shopify: each in-store ledger event (sale, return, void, adjustment, transfer, count, receipt)
 *     found on a location database's changes feed becomes a delta on the mapped Shopify location, summed
 *     per inventory item into one `inventoryAdjustQuantities` call per batch;
 *   Shopify → POS: each online order line takes stock out and each restocking refund line puts it back,
 *     as `stock_movement` documents with ids derived from Shopify's own ids (ids.ts), written once.
 * Setting absolute levels would overwrite sales in flight on the other side; deltas commute.
 */
import { movesStock, stockMovementSchema } from '../schemas/location.ts';
import type { z } from 'zod';
import { SHOPIFY_MOVEMENT_PREFIX, orderMovementId, refundMovementId } from './ids.ts';
import type { OrderPayload, RefundPayload } from './webhooks.ts';

export type StockMovement = z.infer<typeof stockMovementSchema>;
export const INTEGRATION_ACTOR = 'integration:shopify';

/**
 * What one document does to on-hand stock, exactly as `_design/stock/_view/on_hand` sums it (sales
 * out, voids back in, movements as signed), except movements the integration itself wrote from Shopify
 * (`movement:shopify:…`): those came from Shopify and must not go back to it.
 */
export function ledgerDeltas(doc: Record<string, unknown>): { locationCode: string; variantId: string; qty: number }[] {
  const lines = Array.isArray(doc.lines) ? (doc.lines as { variantId?: unknown; qty?: unknown; restock?: unknown }[]) : null;
  const code = typeof doc.locationCode === 'string' ? doc.locationCode : null;
  if (!lines || !code || doc._deleted) return [];
  let sign: 1 | -1;
  if (doc.type === 'stock_movement') {
    if (typeof doc._id === 'string' && doc._id.startsWith(SHOPIFY_MOVEMENT_PREFIX)) return [];
    sign = 1;
  } else if (doc.type === 'sale') sign = -1;
  else if (doc.type === 'void') sign = 1;
  else return [];
  return lines.flatMap((l) => {
    if (typeof l.variantId !== 'string' || typeof l.qty !== 'number' || l.qty === 0) return [];
    // a returned line kept off the shelf (damaged) moves nothing, as in the view (schemas movesStock)
    if (doc.type === 'sale' && !movesStock({ qty: l.qty, restock: typeof l.restock === 'boolean' ? l.restock : undefined })) return [];
    return [{ locationCode: code, variantId: l.variantId, qty: sign * l.qty }];
  });
}

export interface PushChange {
  inventoryItemId: string;
  shopifyLocationId: string;
  delta: number;
}

/**
 * The deltas a page of changes sends: summed per inventory item, zero sums dropped, in a stable order
 * (so a retry of the same page builds the same request and its idempotency key matches).
 */
export function pushChanges(
  docs: readonly Record<string, unknown>[],
  itemOf: (variantId: string) => string | undefined,
  shopifyLocationOf: (locationCode: string) => string | undefined
): { changes: PushChange[]; unmapped: string[] } {
  const sums = new Map<string, PushChange>();
  const unmapped = new Set<string>();
  for (const doc of docs) {
    for (const d of ledgerDeltas(doc)) {
      const loc = shopifyLocationOf(d.locationCode);
      if (!loc) continue;
      const item = itemOf(d.variantId);
      if (!item) {
        unmapped.add(d.variantId);
        continue;
      }
      const key = `${item}@${loc}`;
      const cur = sums.get(key) ?? { inventoryItemId: item, shopifyLocationId: loc, delta: 0 };
      cur.delta += d.qty;
      sums.set(key, cur);
    }
  }
  const changes = [...sums.values()].filter((c) => c.delta !== 0).sort((a, b) => (a.inventoryItemId + a.shopifyLocationId).localeCompare(b.inventoryItemId + b.shopifyLocationId));
  return { changes, unmapped: [...unmapped].sort() };
}

/** Shopify caps the changes of one inventoryAdjustQuantities call; larger batches are split. */
export const MAX_CHANGES_PER_CALL = 250;

/**
 * The idempotency key of one part of a push batch: derived from what names the batch (tenant, store,
 * the changes-feed range it covers, the part) and what it sends, so a batch re-sent after a crash
 * carries the key Shopify already saw and is applied once, while a batch whose changes were narrowed
 * after Shopify refused some (nothing of it applied) is a new request. `hash` is the caller's digest
 * (sha-256 on the server); the key keeps to the characters the client accepts.
 */
export function pushIdempotencyKey(hash: (s: string) => string, tenantId: string, locationCode: string, fromSeq: string, toSeq: string, part: number, changes: readonly PushChange[]): string {
  const what = changes.map((c) => `${c.inventoryItemId}@${c.shopifyLocationId}${c.delta}`).join(',');
  return `pos-push-${hash(JSON.stringify([tenantId, locationCode, fromSeq, toSeq, part, what])).slice(0, 48)}`;
}

/**
 * The changes of a refused call that Shopify named as not stocked at the location (its userErrors'
 * `field` is `["input", "changes", "{index}", …]`), or null when the refusal is about anything else
 * (then the whole batch waits: nothing can be dropped safely).
 */
export function notStockedIndexes(userErrors: readonly { field: readonly string[] | null; code: string | null }[]): number[] | null {
  if (!userErrors.length) return null;
  const out: number[] = [];
  for (const e of userErrors) {
    const i = e.field && e.field[0] === 'input' && e.field[1] === 'changes' ? Number(e.field[2]) : NaN;
    if (e.code !== 'ITEM_NOT_STOCKED_AT_LOCATION' || !Number.isInteger(i) || i < 0) return null;
    out.push(i);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

// -------------------------------------------------------------------------------------------------
// Shopify → POS

export interface StockContext {
  /** POS variant of a Shopify product/variant, or undefined when the product is not linked */
  variantOf: (shopifyProductId: string | null, shopifyVariantId: string | null) => string | undefined;
  /** POS store of a Shopify location; the order location for null or an unmapped one */
  storeOf: (shopifyLocationId: string | null) => string | null;
}

export interface MovementPlan {
  movements: StockMovement[];
  /** lines not moved, and why (product not linked, no store mapped) */
  skipped: { line: string; reason: string }[];
}

/** An online order's lines leave the store its location maps to (else the connection's order store). */
export function orderMovements(order: OrderPayload, ctx: StockContext): MovementPlan {
  const out: MovementPlan = { movements: [], skipped: [] };
  const store = ctx.storeOf(order.location_id);
  for (const li of order.line_items) {
    if (li.quantity === 0) continue;
    const variantId = ctx.variantOf(li.product_id, li.variant_id);
    if (!variantId) {
      out.skipped.push({ line: li.id, reason: `variant ${li.variant_id ?? '(none)'} is not linked to a POS product` });
      continue;
    }
    if (!store) {
      out.skipped.push({ line: li.id, reason: 'no store is mapped for online orders' });
      continue;
    }
    out.movements.push(
      stockMovementSchema.parse({
        _id: orderMovementId(order.id, li.id),
        type: 'stock_movement',
        locationCode: store,
        reason: 'online_order',
        lines: [{ variantId, qty: -li.quantity }],
        note: `Shopify order ${order.name || order.id}`.slice(0, 400),
        ref: `shopify:order:${order.id}`,
        createdAt: new Date(order.created_at).toISOString(),
        createdBy: INTEGRATION_ACTOR
      })
    );
  }
  return out;
}

/** Restock types that put stock back (a cancellation with restock creates a "cancel" refund). */
const RESTOCKING = new Set(['return', 'cancel', 'legacy_restock']);

/**
 * Refund lines that restocked come back to the store of their location. A cancelled order's payload
 * lists its refunds too: both `refunds/create` and `orders/cancelled` name the same refund lines, so the
 * derived ids make the restock happen once whichever arrives first (or if only one ever does).
 */
export function refundMovements(refund: Pick<RefundPayload, 'id' | 'order_id' | 'created_at' | 'refund_line_items'>, lineProduct: (lineItemId: string) => { productId: string | null; variantId: string | null } | undefined, ctx: StockContext): MovementPlan {
  const out: MovementPlan = { movements: [], skipped: [] };
  for (const rl of refund.refund_line_items) {
    if (rl.quantity === 0 || !RESTOCKING.has(rl.restock_type ?? '')) continue;
    const ids = rl.line_item ? { productId: rl.line_item.product_id, variantId: rl.line_item.variant_id } : lineProduct(rl.line_item_id);
    const variantId = ids ? ctx.variantOf(ids.productId, ids.variantId) : undefined;
    if (!variantId) {
      out.skipped.push({ line: rl.id, reason: `refunded line ${rl.line_item_id} is not linked to a POS product` });
      continue;
    }
    const store = ctx.storeOf(rl.location_id);
    if (!store) {
      out.skipped.push({ line: rl.id, reason: 'no store is mapped for online orders' });
      continue;
    }
    out.movements.push(
      stockMovementSchema.parse({
        _id: refundMovementId(refund.id, rl.id),
        type: 'stock_movement',
        locationCode: store,
        reason: 'online_refund',
        lines: [{ variantId, qty: rl.quantity }],
        note: `Shopify refund ${refund.id} (${rl.restock_type})`,
        ref: `shopify:order:${refund.order_id}`,
        createdAt: new Date(refund.created_at).toISOString(),
        createdBy: INTEGRATION_ACTOR
      })
    );
  }
  return out;
}

/** A cancelled order: its lines (if not moved yet) and every restocking refund it lists. */
export function cancelledOrderMovements(order: OrderPayload, ctx: StockContext): MovementPlan {
  const placed = orderMovements(order, ctx);
  const lines = new Map(order.line_items.map((li) => [li.id, { productId: li.product_id, variantId: li.variant_id }]));
  const refunds = order.refunds.map((r) => refundMovements(r, (id) => lines.get(id), ctx));
  return { movements: [...placed.movements, ...refunds.flatMap((r) => r.movements)], skipped: [...placed.skipped, ...refunds.flatMap((r) => r.skipped)] };
}

// -------------------------------------------------------------------------------------------------
// Reconciliation

export interface DriftLine {
  locationCode: string;
  variantId: string;
  inventoryItemId: string;
  pos: number;
  shopify: number;
  /** pos − shopify */
  diff: number;
}

/** Variants whose on-hand differs between the POS ledger and Shopify's "available", per store. */
export function driftLines(
  items: readonly { variantId: string; inventoryItemId: string }[],
  locationCode: string,
  pos: ReadonlyMap<string, number>,
  shopify: ReadonlyMap<string, number>
): DriftLine[] {
  const out: DriftLine[] = [];
  for (const it of items) {
    const p = pos.get(it.variantId) ?? 0;
    const s = shopify.get(it.inventoryItemId);
    if (s === undefined) continue; // not stocked at that Shopify location: nothing to compare
    if (p !== s) out.push({ locationCode, variantId: it.variantId, inventoryItemId: it.inventoryItemId, pos: p, shopify: s, diff: p - s });
  }
  return out;
}
