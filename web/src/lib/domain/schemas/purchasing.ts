import { z } from 'zod';
import { humanText } from './text.ts';
import { couchFields, idRef, isoTimestamp, locationCode, nonNegMinor, qty } from './common.ts';

const variantId = z.string().min(1).max(40);
const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

/**
 * A supplier (`supplier:{ulid}`), tenant-wide in the catalog database. Written only by the server
 * (POST/PUT /api/v1/inventory/suppliers; sync rules `server-only`).
 */
export const supplierSchema = z
  .object({
    ...couchFields,
    _id: z.string().regex(new RegExp(`^supplier:${ULID}$`), 'must be supplier:{ulid}'),
    type: z.literal('supplier'),
    name: humanText(120, { min: 1, trim: true }),
    email: z.email().max(200).optional(),
    phone: humanText(40, { trim: true }).optional(),
    /** days from sending an order to its arrival, for planning reorders */
    leadTimeDays: z.number().int().min(0).max(365),
    active: z.boolean(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
    updatedBy: idRef
  })
  .strict();
export type Supplier = z.infer<typeof supplierSchema>;

export const PO_STATUSES = ['draft', 'sent', 'partially_received', 'received', 'cancelled'] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

export const poLineSchema = z
  .object({
    variantId,
    sku: humanText(64, { min: 1 }),
    name: humanText(300, { min: 1 }),
    ordered: qty.refine((n) => n > 0, 'must be positive'),
    /** per unit, minor units of the tenant currency */
    unitCost: nonNegMinor,
    /** received so far over every receipt */
    received: qty.refine((n) => n >= 0, 'must not be negative')
  })
  .strict();

/** One delivery booked against the order: its number n names its movement `movement:po:{ulid}:{n}`. */
export const poReceiptSchema = z
  .object({
    n: z.number().int().min(1),
    movementId: idRef,
    lines: z.array(z.object({ variantId, qty: qty.refine((n) => n > 0, 'must be positive') }).strict()).min(1),
    receivedAt: isoTimestamp,
    receivedBy: idRef
  })
  .strict();

/**
 * A purchase order (`po:{location}:{ulid}`) in the database of the location it delivers to. Only
 * the server writes it (sync rules `server-only`): sending queues the supplier email, and each receipt
 * first writes its stock movement under an id derived from the order and the receipt number
 * (domain/purchase-orders.ts), then records the receipt here and adds to the lines' `received`.
 */
export const purchaseOrderSchema = z
  .object({
    ...couchFields,
    _id: z.string().regex(new RegExp(`^po:[A-Z][A-Z0-9]{1,9}:${ULID}$`), 'must be po:{location}:{ulid}'),
    type: z.literal('purchase_order'),
    locationCode,
    supplierId: idRef,
    /** short human number shown on screens and in the email (from the ulid) */
    number: humanText(20, { min: 1 }),
    status: z.enum(PO_STATUSES),
    lines: z.array(poLineSchema).max(1000),
    note: humanText(1000, { multiline: true }).optional(),
    expectedAt: isoTimestamp.optional(),
    receipts: z.array(poReceiptSchema),
    createdAt: isoTimestamp,
    createdBy: idRef,
    sentAt: isoTimestamp.optional(),
    sentBy: idRef.optional(),
    cancelledAt: isoTimestamp.optional(),
    cancelledBy: idRef.optional(),
    updatedAt: isoTimestamp,
    updatedBy: idRef
  })
  .strict()
  .superRefine((po, ctx) => {
    if (po._id.split(':')[1] !== po.locationCode) ctx.addIssue({ code: 'custom', path: ['_id'], message: 'must name its location (po:{locationCode}:{ulid})' });
    const seen = new Set<string>();
    po.lines.forEach((l, i) => {
      if (seen.has(l.variantId)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'variantId'], message: 'each variant once per order' });
      seen.add(l.variantId);
    });
    if (po.status !== 'draft' && po.lines.length === 0) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'a sent order has lines' });
    po.receipts.forEach((r, i) => {
      if (r.n !== i + 1) ctx.addIssue({ code: 'custom', path: ['receipts', i, 'n'], message: 'receipts are numbered 1, 2, 3… in order' });
    });
  });
export type PurchaseOrder = z.infer<typeof purchaseOrderSchema>;
export type PoLine = z.infer<typeof poLineSchema>;
