/**
 * Inventory operations as pure functions (no I/O): stock adjustments and transfers between locations.
 * Stock on hand is never a counter (DESIGN.md §2): every operation here produces `stock_movement`
 * events that `_design/stock/_view/on_hand` sums. The server (server/inventory/service.ts) does the
 * reads and writes; everything that decides *what* to write is here and unit-tested.
 *
 * Idempotency — how a retried request writes nothing twice:
 * - **Adjustments** are `movement:adj:{ulid}`. The client may send the ulid it made when the form
 *   opened (as registers make sale ids); a retry after a lost answer then creates the same id, the
 *   store answers 409 and the server compares: same content → the first write stands (200), other
 *   content → 409. Without an id the server makes one (a retry is then a second adjustment).
 * - **Transfers** are `transfer:{from}:{ulid}`, created the same way. Each status change writes its
 *   ledger event *first*, under an id derived from the transfer, then updates the transfer:
 *     ship    → `movement:transfer_out:{ulid}` in the source database (every line, negated);
 *     receive → `movement:transfer_in:{ulid}` in the destination database (the received quantities).
 *   The derived id is the lock: whoever creates it first has shipped (or received); a concurrent or
 *   retried call gets 409 from the store and compares the stored event with what it would write
 *   (`sameLines`) — equal means "already done, finish the projection", different means a conflicting
 *   receipt (409 to the caller). A crash between the event and the transfer update leaves the event in
 *   place and the transfer one status behind; the retry finds the event, takes its timestamp and
 *   author (`markShipped`/`markReceived` use the stored event), and completes the transfer. A transfer
 *   already shipped or received answers with itself and writes nothing. The gateway refuses these
 *   derived ids from clients (server/gateway/validate-docs.ts), so nobody can pre-empt the lock.
 * Stock leaves the source when the transfer ships and only what was received arrives: the difference
 * (the discrepancy) is recorded on the transfer and is, in the ledger, stock that left and never came.
 */
import { textRule } from './schemas/text.ts';
import { z } from 'zod';
import { newUlid } from './ids.ts';
import { stockMovementSchema, transferSchema, type Transfer } from './schemas/index.ts';
import { locationCode, qty } from './schemas/common.ts';
import type { Actor } from './actor.ts';

export type StockMovement = z.infer<typeof stockMovementSchema>;

/** A refusal the API turns into 400 (`invalid`) or 409 (`conflict`). */
export class InventoryError extends Error {
  constructor(
    readonly code: 'invalid' | 'conflict',
    message: string
  ) {
    super(message);
  }
}

export const ADJUSTMENT_REASONS = ['damage', 'theft', 'found', 'correction', 'adjustment'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

/** Which way each reason may move stock: damage and theft only take out, found only puts in. */
const REASON_SIGN: Readonly<Record<AdjustmentReason, -1 | 1 | 0>> = { damage: -1, theft: -1, found: 1, correction: 0, adjustment: 0 };

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const variantId = z.string().trim().min(1).max(40);
const ulidField = z.string().regex(ULID, 'must be a ULID (26 characters, Crockford base 32)');

function uniqueVariants(lines: { variantId: string }[], ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (seen.has(l.variantId)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'variantId'], message: `${l.variantId} is listed twice` });
    seen.add(l.variantId);
  });
}

export const adjustmentInput = z
  .object({
    /** optional client-made ulid: a retried request is then the same movement */
    id: ulidField.optional(),
    location: locationCode,
    reason: z.enum(ADJUSTMENT_REASONS),
    lines: z.array(z.object({ variantId, qty: qty.refine((n) => n !== 0, 'must not be zero') }).strict()).min(1, 'an adjustment needs at least one line').max(500),
    note: z.string().trim().max(400).superRefine(textRule(true)).optional()
  })
  .strict()
  .superRefine((a, ctx) => {
    uniqueVariants(a.lines, ctx);
    const sign = REASON_SIGN[a.reason];
    a.lines.forEach((l, i) => {
      if (sign !== 0 && Math.sign(l.qty) !== sign) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'qty'], message: `${a.reason} ${sign < 0 ? 'takes stock out: the quantity must be negative' : 'puts stock in: the quantity must be positive'}` });
      }
    });
  });
export type AdjustmentInput = z.input<typeof adjustmentInput>;

export type { Actor };

export function adjustmentId(ulid: string): string {
  return `movement:adj:${ulid}`;
}

/** The stock_movement an adjustment writes: signed quantities at one location, with its reason. */
export function makeAdjustment(input: z.output<typeof adjustmentInput>, actor: Actor): StockMovement {
  return stockMovementSchema.parse({
    _id: adjustmentId(input.id ?? newUlid()),
    type: 'stock_movement',
    locationCode: input.location,
    reason: input.reason,
    lines: input.lines,
    ...(input.note ? { note: input.note } : {}),
    createdAt: actor.now,
    createdBy: actor.by
  });
}

/** Same ledger effect: equal lines (order aside), location and reason. What a retry must match. */
export function sameMovement(a: StockMovement, b: StockMovement): boolean {
  return a.locationCode === b.locationCode && a.reason === b.reason && sameLines(a.lines, b.lines) && (a.ref ?? null) === (b.ref ?? null);
}

export function sameLines(a: readonly { variantId: string; qty: number }[], b: readonly { variantId: string; qty: number }[]): boolean {
  if (a.length !== b.length) return false;
  const m = new Map(a.map((l) => [l.variantId, l.qty]));
  return b.every((l) => m.get(l.variantId) === l.qty);
}

// ---------------------------------------------------------------------------------------------
// Transfers

export const transferInput = z
  .object({
    id: ulidField.optional(),
    from: locationCode,
    to: locationCode,
    lines: z.array(z.object({ variantId, qty: qty.refine((n) => n > 0, 'must be positive') }).strict()).min(1, 'a transfer needs at least one line').max(500),
    note: z.string().trim().max(400).superRefine(textRule(true)).optional()
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.from === t.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from the source location' });
    uniqueVariants(t.lines, ctx);
  });
export type TransferInput = z.input<typeof transferInput>;

export const receiveInput = z
  .object({
    /** what arrived, per variant of the transfer; a line not listed arrived with 0 units */
    lines: z.array(z.object({ variantId, qty: qty.refine((n) => n >= 0, 'must not be negative') }).strict()).max(500)
  })
  .strict()
  .superRefine((r, ctx) => uniqueVariants(r.lines, ctx));
export type ReceiveInput = z.input<typeof receiveInput>;

export function transferId(from: string, ulid: string): string {
  return `transfer:${from}:${ulid}`;
}

/** transfer:{from}:{ulid} → { from, ulid }, or null for anything else. */
export function parseTransferId(id: string): { from: string; ulid: string } | null {
  const m = /^transfer:([A-Z][A-Z0-9]{1,9}):([0-9A-HJKMNP-TV-Z]{26})$/.exec(id);
  return m ? { from: m[1]!, ulid: m[2]! } : null;
}

/** Ids of the two ledger events a transfer writes, derived from it: each can exist once. */
export function transferOutMovementId(t: Pick<Transfer, '_id'>): string {
  return `movement:transfer_out:${parseTransferId(t._id)?.ulid ?? t._id}`;
}
export function transferInMovementId(t: Pick<Transfer, '_id'>): string {
  return `movement:transfer_in:${parseTransferId(t._id)?.ulid ?? t._id}`;
}

/** Derived movement ids the server alone writes (the gateway refuses them from clients). */
export const SERVER_MOVEMENT_PREFIXES = ['movement:transfer_out:', 'movement:transfer_in:'] as const;

export function makeTransfer(input: z.output<typeof transferInput>, actor: Actor): Transfer {
  return transferSchema.parse({
    _id: transferId(input.from, input.id ?? newUlid()),
    type: 'transfer',
    locationCode: input.from,
    toLocationCode: input.to,
    status: 'draft',
    lines: input.lines,
    ...(input.note ? { note: input.note } : {}),
    createdAt: actor.now,
    createdBy: actor.by,
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

/** Same draft as an earlier create with the same id (a retried POST): what matters is where and what. */
export function sameTransferRequest(a: Transfer, b: Transfer): boolean {
  return a.locationCode === b.locationCode && a.toLocationCode === b.toLocationCode && sameLines(a.lines, b.lines);
}

/** The transfer_out movement shipping writes at the source: every line, negated. */
export function shipMovement(t: Transfer, actor: Actor): StockMovement {
  return stockMovementSchema.parse({
    _id: transferOutMovementId(t),
    type: 'stock_movement',
    locationCode: t.locationCode,
    reason: 'transfer_out',
    lines: t.lines.map((l) => ({ variantId: l.variantId, qty: -l.qty })),
    note: `to ${t.toLocationCode}`,
    ref: t._id,
    createdAt: actor.now,
    createdBy: actor.by
  });
}

/**
 * What to do on "ship": `write` the movement then `markShipped`, or `done` (already shipped or
 * received: nothing to write). Only a draft ships.
 */
export function planShip(t: Transfer, actor: Actor): { kind: 'write'; movement: StockMovement } | { kind: 'done' } {
  if (t.status !== 'draft') return { kind: 'done' };
  return { kind: 'write', movement: shipMovement(t, actor) };
}

/**
 * The transfer once its transfer_out movement exists. `movement` is the stored one (possibly written
 * by an earlier, interrupted attempt), so the transfer says when the stock really left.
 */
export function markShipped(t: Transfer, movement: StockMovement, actor: Actor): Transfer {
  return transferSchema.parse({
    ...t,
    status: 'shipped',
    shippedAt: movement.createdAt,
    shippedBy: movement.createdBy,
    shipMovementId: movement._id,
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

/** Received quantities for every line of the transfer (unlisted = 0); refuses variants it did not carry. */
export function receivedLinesFor(t: Transfer, input: z.output<typeof receiveInput>): { variantId: string; qty: number }[] {
  const onTransfer = new Set(t.lines.map((l) => l.variantId));
  const unknown = input.lines.filter((l) => !onTransfer.has(l.variantId)).map((l) => l.variantId);
  if (unknown.length) throw new InventoryError('invalid', `lines: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not on transfer ${t._id}`);
  const got = new Map(input.lines.map((l) => [l.variantId, l.qty]));
  return t.lines.map((l) => ({ variantId: l.variantId, qty: got.get(l.variantId) ?? 0 }));
}

/** sent − received per line where they differ (positive = missing, negative = more arrived than sent). */
export function discrepanciesOf(t: Transfer, received: { variantId: string; qty: number }[]) {
  const got = new Map(received.map((l) => [l.variantId, l.qty]));
  return t.lines
    .map((l) => ({ variantId: l.variantId, sent: l.qty, received: got.get(l.variantId) ?? 0, diff: l.qty - (got.get(l.variantId) ?? 0) }))
    .filter((d) => d.diff !== 0);
}

/** The transfer_in movement at the destination: the received quantities (none when nothing arrived). */
export function receiveMovement(t: Transfer, received: { variantId: string; qty: number }[], actor: Actor): StockMovement | null {
  const lines = received.filter((l) => l.qty > 0);
  if (!lines.length) return null;
  return stockMovementSchema.parse({
    _id: transferInMovementId(t),
    type: 'stock_movement',
    locationCode: t.toLocationCode,
    reason: 'transfer_in',
    lines,
    note: `from ${t.locationCode}`,
    ref: t._id,
    createdAt: actor.now,
    createdBy: actor.by
  });
}

/**
 * What to do on "receive": refuse a draft (nothing has left yet); `done` when it was already received
 * with these quantities (a retry); refuse other quantities on a received transfer (the first receipt
 * stands: correct it with an adjustment); otherwise `write` the movement (null: nothing arrived) then
 * `markReceived`.
 */
export function planReceive(
  t: Transfer,
  input: z.output<typeof receiveInput>,
  actor: Actor
): { kind: 'write'; received: { variantId: string; qty: number }[]; movement: StockMovement | null } | { kind: 'done' } {
  const received = receivedLinesFor(t, input);
  if (t.status === 'draft') throw new InventoryError('conflict', `Transfer ${t._id} has not shipped yet; ship it before receiving`);
  if (t.status === 'received') {
    if (sameLines(t.receivedLines ?? [], received)) return { kind: 'done' };
    throw new InventoryError('conflict', `Transfer ${t._id} was already received with other quantities; record an adjustment to correct stock`);
  }
  return { kind: 'write', received, movement: receiveMovement(t, received, actor) };
}

/** The transfer once received: `movement` is the stored transfer_in (or null when nothing arrived). */
export function markReceived(t: Transfer, received: { variantId: string; qty: number }[], movement: StockMovement | null, actor: Actor): Transfer {
  return transferSchema.parse({
    ...t,
    status: 'received',
    receivedAt: movement?.createdAt ?? actor.now,
    receivedBy: movement?.createdBy ?? actor.by,
    ...(movement ? { receiveMovementId: movement._id } : {}),
    receivedLines: received,
    discrepancies: discrepanciesOf(t, received),
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

/** In transit: shipped (stock left the source) and not yet received at the destination. */
export function isInTransit(t: Pick<Transfer, 'status'>): boolean {
  return t.status === 'shipped';
}
