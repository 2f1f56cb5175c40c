import { z } from 'zod';
import { couchFields, currency, idRef, idWithPrefix, isoTimestamp, locationCode, minor, nonNegMinor, qty } from './common.ts';

/** A sale line; stock views read qty from here, so a sale is its own stock movement. */
export const saleLineSchema = z
  .object({
    lineId: z.string().min(1).max(40),
    productId: idRef,
    variantId: z.string().min(1).max(40),
    sku: z.string().min(1).max(64),
    name: z.string().min(1).max(200),
    qty: qty.refine((n) => n > 0, 'must be at least 1'),
    unitPrice: nonNegMinor,
    discount: nonNegMinor.default(0),
    tax: nonNegMinor,
    total: minor,
    note: z.string().max(400).optional()
  })
  .strict();

export const TENDER_KINDS = ['cash', 'card_external', 'card_stripe', 'store_credit', 'gift_card'] as const;

export const tenderSchema = z
  .object({
    kind: z.enum(TENDER_KINDS),
    amount: minor,
    reference: z.string().max(120).optional()
  })
  .strict();

export const saleSchema = z
  .object({
    ...couchFields,
    _id: z.string().regex(/^sale:[A-Za-z0-9_-]+:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be sale:{register}:{ulid}'),
    type: z.literal('sale'),
    locationCode,
    registerId: idRef,
    shiftId: idRef.optional(),
    cashierId: idRef,
    customerId: idRef.optional(),
    currency,
    lines: z.array(saleLineSchema).min(1, 'a sale needs at least one line'),
    subtotal: minor,
    discountTotal: nonNegMinor,
    taxTotal: nonNegMinor,
    total: minor,
    tenders: z.array(tenderSchema).min(1, 'a sale needs at least one tender'),
    change: nonNegMinor.default(0),
    createdAt: isoTimestamp
  })
  .strict()
  .superRefine((s, ctx) => {
    const paid = s.tenders.reduce((a, t) => a + t.amount, 0);
    if (paid - s.change !== s.total) {
      ctx.addIssue({ code: 'custom', path: ['tenders'], message: `tenders minus change (${paid - s.change}) must equal total (${s.total})` });
    }
  });

export const MOVEMENT_REASONS = [
  'opening',
  'receive',
  'adjustment',
  'damage',
  'theft',
  'found',
  'correction',
  'count',
  'transfer_out',
  'transfer_in'
] as const;

export const stockMovementSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('movement'),
    type: z.literal('stock_movement'),
    locationCode,
    reason: z.enum(MOVEMENT_REASONS),
    lines: z
      .array(z.object({ variantId: z.string().min(1).max(40), qty: qty.refine((n) => n !== 0, 'must not be zero') }).strict())
      .min(1),
    note: z.string().max(400).optional(),
    ref: idRef.optional(),
    createdAt: isoTimestamp,
    createdBy: idRef
  })
  .strict();
