import { z } from 'zod';
import { humanText } from './text.ts';
import { couchFields, idRef, isoTimestamp, locationCode, qty } from './common.ts';

export const TRANSFER_STATUSES = ['draft', 'shipped', 'received'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

const variantId = z.string().min(1).max(40);

/** What was sent: a positive quantity per variant, each variant once. */
export const transferLineSchema = z.object({ variantId, qty: qty.refine((n) => n > 0, 'must be positive') }).strict();
/** What arrived: zero (nothing came) or more (over-shipments happen) per line of the transfer. */
export const receivedLineSchema = z.object({ variantId, qty: qty.refine((n) => n >= 0, 'must not be negative') }).strict();
/** A line where what arrived differs from what was sent: `diff` = sent − received (positive = missing). */
export const discrepancySchema = z.object({ variantId, sent: z.number().int().min(0), received: z.number().int().min(0), diff: z.number().int() }).strict();

/**
 * A transfer of stock from one location to another (`transfer:{from}:{ulid}`), kept in the **source**
 * location's database (so `locationCode` is the source, like every document there), and replicated
 * to its devices and admin browsers. It is the one mutable inventory document, and only the server
 * writes it (sync rules: `server-only`), because each status change goes with a ledger event the
 * server writes first under an id derived from the transfer (domain/inventory.ts):
 *   draft    → nothing moved;
 *   shipped  → `movement:transfer_out:{ulid}` (negative lines) is in the source database;
 *   received → `movement:transfer_in:{ulid}` (the received quantities) is in the destination's,
 *              and `discrepancies` lists every line where received ≠ sent.
 * The transfer's own status is a projection of those events; stock levels never read it.
 */
export const transferSchema = z
  .object({
    ...couchFields,
    _id: z.string().regex(/^transfer:[A-Z][A-Z0-9]{1,9}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be transfer:{from location}:{ulid}'),
    type: z.literal('transfer'),
    /** the source location: the transfer lives in its database */
    locationCode,
    toLocationCode: locationCode,
    status: z.enum(TRANSFER_STATUSES),
    lines: z.array(transferLineSchema).min(1, 'a transfer needs at least one line'),
    note: humanText(400, { multiline: true }).optional(),
    createdAt: isoTimestamp,
    createdBy: idRef,
    shippedAt: isoTimestamp.optional(),
    shippedBy: idRef.optional(),
    shipMovementId: idRef.optional(),
    receivedAt: isoTimestamp.optional(),
    receivedBy: idRef.optional(),
    /** absent when nothing at all arrived (no movement to write) */
    receiveMovementId: idRef.optional(),
    receivedLines: z.array(receivedLineSchema).optional(),
    discrepancies: z.array(discrepancySchema).optional(),
    updatedAt: isoTimestamp,
    updatedBy: idRef
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t._id.split(':')[1] !== t.locationCode) ctx.addIssue({ code: 'custom', path: ['_id'], message: 'must name the source location (transfer:{locationCode}:{ulid})' });
    if (t.toLocationCode === t.locationCode) ctx.addIssue({ code: 'custom', path: ['toLocationCode'], message: 'must differ from the source location' });
    const seen = new Set<string>();
    t.lines.forEach((l, i) => {
      if (seen.has(l.variantId)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'variantId'], message: 'each variant once per transfer' });
      seen.add(l.variantId);
    });
    const shipped = t.status !== 'draft';
    if (shipped !== Boolean(t.shippedAt && t.shippedBy && t.shipMovementId)) {
      ctx.addIssue({ code: 'custom', path: ['shippedAt'], message: 'shippedAt, shippedBy and shipMovementId are set exactly when the transfer has shipped' });
    }
    const received = t.status === 'received';
    if (received !== Boolean(t.receivedAt && t.receivedBy && t.receivedLines && t.discrepancies)) {
      ctx.addIssue({ code: 'custom', path: ['receivedAt'], message: 'receivedAt, receivedBy, receivedLines and discrepancies are set exactly when the transfer was received' });
    }
    if (!received && t.receiveMovementId) ctx.addIssue({ code: 'custom', path: ['receiveMovementId'], message: 'only a received transfer has a receive movement' });
  });

export type Transfer = z.infer<typeof transferSchema>;

/**
 * Low-stock threshold and reorder point of one variant at one location (`threshold:{variantId}`), kept
 * in that location's database so its registers and admin browsers read it with the stock it describes.
 * Only the server writes it (PUT /api/v1/inventory/thresholds; sync rules `server-only`): the API checks
 * the variant exists and the writer's location access, which a gateway write could not. Clearing both
 * limits deletes the document. `lowStock`: on hand ≤ it is "low stock" (an alert); `reorderPoint`: on
 * hand ≤ it is "time to reorder" (a flag on the stock list, for purchase orders).
 */
export const stockThresholdSchema = z
  .object({
    ...couchFields,
    _id: z.string().regex(/^threshold:[A-Za-z0-9_-]{1,40}$/, 'must be threshold:{variantId}'),
    type: z.literal('stock_threshold'),
    locationCode,
    variantId,
    lowStock: z.number().int().min(0).max(1_000_000).optional(),
    reorderPoint: z.number().int().min(0).max(1_000_000).optional(),
    updatedAt: isoTimestamp,
    updatedBy: idRef
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t._id !== `threshold:${t.variantId}`) ctx.addIssue({ code: 'custom', path: ['_id'], message: 'must be threshold:{variantId}' });
    if (t.lowStock === undefined && t.reorderPoint === undefined) ctx.addIssue({ code: 'custom', path: ['lowStock'], message: 'set lowStock, reorderPoint or both (delete the document to clear)' });
  });

export type StockThreshold = z.infer<typeof stockThresholdSchema>;
