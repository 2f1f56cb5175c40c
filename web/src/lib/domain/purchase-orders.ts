/**
 * Suppliers and purchase orders (schemas/purchasing.ts), pure.
 *
 * States: draft (editable) → sent (the supplier email is queued) → partially_received → received;
 * cancel from draft, sent or partially_received (closes what is still outstanding; what arrived stays).
 *
 * Receipts. Each delivery is booked as receipt number n = (receipts so far) + 1, which the client sends
 * with it. Its movement `movement:po:{ulid}:{n}` (reason `receive`) is written first, then the order
 * records receipt n and adds to each line's `received`. Replaying receipt n with the same lines
 * answers the order as it is (or finishes an interrupted attempt from the stored movement); other
 * lines under an existing n, or a number that skips ahead, are 409 — so a double-clicked or retried
 * "receive" never counts twice, and two people booking the same delivery get one receipt and a 409.
 *
 * Over-receipt: refused. A line can receive at most what is outstanding (ordered − received); more
 * is 400 naming the line, so the extra units are booked deliberately (an adjustment "found", or a new
 * order) rather than by a typo.
 *
 * Cost rule: last cost. Receiving a line sets the catalog variant's `cost` to that line's unit cost
 * (when it differs), so valuation and count variances use what the tenant last paid.
 */
import { textRule } from './schemas/text.ts';
import { z } from 'zod';
import { newUlid } from './ids.ts';
import { purchaseOrderSchema, stockMovementSchema, supplierSchema, type PurchaseOrder, type Supplier } from './schemas/index.ts';
import { locationCode, nonNegMinor, qty } from './schemas/common.ts';
import type { Actor, StockMovement } from './inventory.ts';

export class PurchaseOrderError extends Error {
  constructor(
    readonly code: 'invalid' | 'conflict',
    message: string
  ) {
    super(message);
  }
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const variantId = z.string().trim().min(1).max(40);

function uniqueVariants(lines: { variantId: string }[], ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (seen.has(l.variantId)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'variantId'], message: `${l.variantId} is listed twice` });
    seen.add(l.variantId);
  });
}

// ---------------------------------------------------------------------------------------------
// Suppliers

export const supplierInput = z
  .object({
    name: z.string().trim().min(1, 'a supplier needs a name').max(120).superRefine(textRule()),
    email: z.union([z.literal(''), z.email('must be an email address').max(200)]).optional(),
    phone: z.string().trim().max(40).superRefine(textRule()).optional(),
    leadTimeDays: z.number().int().min(0).max(365).default(7),
    active: z.boolean().default(true)
  })
  .strict();

export function makeSupplier(input: z.output<typeof supplierInput>, actor: Actor, existing?: Supplier): Supplier {
  return supplierSchema.parse({
    ...(existing ?? { _id: `supplier:${newUlid()}`, type: 'supplier', createdAt: actor.now }),
    name: input.name,
    email: input.email || undefined,
    phone: input.phone || undefined,
    leadTimeDays: input.leadTimeDays,
    active: input.active,
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

// ---------------------------------------------------------------------------------------------
// Orders

const orderLineInput = z.object({ variantId, ordered: qty.refine((n) => n > 0, 'must be positive'), unitCost: nonNegMinor }).strict();

export const createPoInput = z
  .object({
    id: z.string().regex(ULID, 'must be a ULID').optional(),
    location: locationCode,
    supplierId: z.string().startsWith('supplier:'),
    lines: z.array(orderLineInput).max(1000).default([]),
    note: z.string().trim().max(1000).superRefine(textRule(true)).optional()
  })
  .strict()
  .superRefine((p, ctx) => uniqueVariants(p.lines, ctx));

/** A draft's new content: the whole line list (the editor sends what it shows). */
export const updatePoInput = z
  .object({
    supplierId: z.string().startsWith('supplier:').optional(),
    lines: z.array(orderLineInput).max(1000),
    note: z.string().trim().max(1000).superRefine(textRule(true)).optional()
  })
  .strict()
  .superRefine((p, ctx) => uniqueVariants(p.lines, ctx));

export const receivePoInput = z
  .object({
    /** receipt number: 1 for the first delivery, then 2…; a replay sends the same number */
    n: z.number().int().min(1),
    lines: z.array(z.object({ variantId, qty: qty.refine((n) => n >= 0, 'must not be negative') }).strict()).min(1).max(1000)
  })
  .strict()
  .superRefine((r, ctx) => uniqueVariants(r.lines, ctx));

export function poId(location: string, ulid: string): string {
  return `po:${location}:${ulid}`;
}
const ulidOf = (id: string) => id.split(':')[2] ?? id;

export const PO_MOVEMENT_PREFIX = 'movement:po:';
export function receiptMovementId(po: Pick<PurchaseOrder, '_id'>, n: number): string {
  return `${PO_MOVEMENT_PREFIX}${ulidOf(po._id)}:${n}`;
}

/** Variant facts a line copies from the catalog, so the order reads the same if the product changes. */
export interface VariantFacts {
  sku: string;
  name: string;
}

function linesWithFacts(lines: z.output<typeof orderLineInput>[], facts: ReadonlyMap<string, VariantFacts>, keepReceived?: ReadonlyMap<string, number>) {
  return lines.map((l) => {
    const f = facts.get(l.variantId);
    if (!f) throw new PurchaseOrderError('invalid', `lines: no product in the catalog has variant ${l.variantId}`);
    return { variantId: l.variantId, sku: f.sku, name: f.name, ordered: l.ordered, unitCost: l.unitCost, received: keepReceived?.get(l.variantId) ?? 0 };
  });
}

export function makePurchaseOrder(input: z.output<typeof createPoInput>, facts: ReadonlyMap<string, VariantFacts>, actor: Actor): PurchaseOrder {
  const ulid = input.id ?? newUlid();
  return purchaseOrderSchema.parse({
    _id: poId(input.location, ulid),
    type: 'purchase_order',
    locationCode: input.location,
    supplierId: input.supplierId,
    number: `PO-${ulid.slice(-8)}`,
    status: 'draft',
    lines: linesWithFacts(input.lines, facts),
    ...(input.note ? { note: input.note } : {}),
    receipts: [],
    createdAt: actor.now,
    createdBy: actor.by,
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

/** A draft with new lines / supplier / note. Only a draft is editable. */
export function updateDraft(po: PurchaseOrder, input: z.output<typeof updatePoInput>, facts: ReadonlyMap<string, VariantFacts>, actor: Actor): PurchaseOrder {
  if (po.status !== 'draft') throw new PurchaseOrderError('conflict', `${po.number} is ${po.status}; only a draft can be edited`);
  const { note: _old, ...rest } = po;
  return purchaseOrderSchema.parse({
    ...rest,
    supplierId: input.supplierId ?? po.supplierId,
    lines: linesWithFacts(input.lines, facts),
    ...(input.note ? { note: input.note } : {}),
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

export function poTotal(po: Pick<PurchaseOrder, 'lines'>): number {
  return po.lines.reduce((s, l) => s + l.ordered * l.unitCost, 0);
}

/** Draft → sent; null when already sent or further (a retry: nothing to do). */
export function markSent(po: PurchaseOrder, actor: Actor): PurchaseOrder | null {
  if (po.status === 'cancelled') throw new PurchaseOrderError('conflict', `${po.number} was cancelled`);
  if (po.status !== 'draft') return null;
  if (!po.lines.length) throw new PurchaseOrderError('invalid', `${po.number} has no lines; add what to order before sending`);
  return purchaseOrderSchema.parse({ ...po, status: 'sent', sentAt: actor.now, sentBy: actor.by, updatedAt: actor.now, updatedBy: actor.by });
}

/** Cancel: draft, sent or partially received (closing the rest); null when already cancelled. */
export function markCancelled(po: PurchaseOrder, actor: Actor): PurchaseOrder | null {
  if (po.status === 'cancelled') return null;
  if (po.status === 'received') throw new PurchaseOrderError('conflict', `${po.number} is fully received; nothing left to cancel`);
  return purchaseOrderSchema.parse({ ...po, status: 'cancelled', cancelledAt: actor.now, cancelledBy: actor.by, updatedAt: actor.now, updatedBy: actor.by });
}

export function outstanding(l: Pick<PurchaseOrder['lines'][number], 'ordered' | 'received'>): number {
  return Math.max(0, l.ordered - l.received);
}

const sameReceiptLines = (a: readonly { variantId: string; qty: number }[], b: readonly { variantId: string; qty: number }[]) =>
  a.length === b.length && b.every((l) => a.some((x) => x.variantId === l.variantId && x.qty === l.qty));

/**
 * What receipt `input.n` does: `done` when the order already has receipt n with these lines (a
 * replay); 409 for other lines under n, a skipped number, a draft, a cancelled or fully received
 * order; 400 for variants not on the order, nothing received, or more than outstanding. Otherwise
 * `write` this movement, then `applyReceipt`.
 */
export function planReceipt(po: PurchaseOrder, input: z.output<typeof receivePoInput>, actor: Actor): { kind: 'write'; movement: StockMovement } | { kind: 'done' } {
  const lines = input.lines.filter((l) => l.qty > 0);
  const existing = po.receipts.find((r) => r.n === input.n);
  if (existing) {
    if (sameReceiptLines(existing.lines, lines)) return { kind: 'done' };
    throw new PurchaseOrderError('conflict', `Receipt ${input.n} of ${po.number} was already booked with other quantities; reload the order`);
  }
  if (po.status === 'draft') throw new PurchaseOrderError('conflict', `${po.number} has not been sent yet; send it before receiving`);
  if (po.status === 'cancelled') throw new PurchaseOrderError('conflict', `${po.number} was cancelled`);
  if (po.status === 'received') throw new PurchaseOrderError('conflict', `${po.number} is already fully received`);
  const next = po.receipts.length + 1;
  if (input.n !== next) throw new PurchaseOrderError('conflict', `The next receipt of ${po.number} is number ${next}; reload the order`);
  const byVariant = new Map(po.lines.map((l) => [l.variantId, l]));
  for (const l of input.lines) {
    const line = byVariant.get(l.variantId);
    if (!line) throw new PurchaseOrderError('invalid', `lines: ${l.variantId} is not on ${po.number}`);
    if (l.qty > outstanding(line)) {
      throw new PurchaseOrderError('invalid', `lines: ${line.sku} — receiving ${l.qty} but only ${outstanding(line)} of ${line.ordered} are outstanding (over-receipts are refused)`);
    }
  }
  if (!lines.length) throw new PurchaseOrderError('invalid', 'lines: nothing received; enter at least one quantity');
  return {
    kind: 'write',
    movement: stockMovementSchema.parse({
      _id: receiptMovementId(po, input.n),
      type: 'stock_movement',
      locationCode: po.locationCode,
      reason: 'receive',
      lines,
      note: `${po.number} receipt ${input.n}`,
      ref: po._id,
      createdAt: actor.now,
      createdBy: actor.by
    })
  };
}

/** The order with receipt n (from its stored movement) added: received so far, then the status it leads to. */
export function applyReceipt(po: PurchaseOrder, n: number, movement: StockMovement, actor: Actor): PurchaseOrder {
  const got = new Map(movement.lines.map((l) => [l.variantId, l.qty]));
  const lines = po.lines.map((l) => ({ ...l, received: l.received + (got.get(l.variantId) ?? 0) }));
  const complete = lines.every((l) => l.received >= l.ordered);
  return purchaseOrderSchema.parse({
    ...po,
    lines,
    receipts: [...po.receipts, { n, movementId: movement._id, lines: movement.lines, receivedAt: movement.createdAt, receivedBy: movement.createdBy }],
    status: complete ? 'received' : 'partially_received',
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

/** Last-cost rule: variant → unit cost of each line a receipt touched. */
export function costUpdates(po: PurchaseOrder, movement: StockMovement): Map<string, number> {
  const touched = new Set(movement.lines.map((l) => l.variantId));
  return new Map(po.lines.filter((l) => touched.has(l.variantId)).map((l) => [l.variantId, l.unitCost]));
}

export type { PurchaseOrder, Supplier };
