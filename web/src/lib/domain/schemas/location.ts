import { z } from 'zod';
import { humanText } from './text.ts';
import { couchFields, currency, idRef, idWithPrefix, isoTimestamp, locationCode, minor, nonNegMinor, qty } from './common.ts';
import { componentTaxSchema, taxExemptionSchema } from './tax-table.ts';

/** `{prefix}:{register}:{ulid}`: made on the device, so a document syncs once however often it is pushed. */
export function deviceId(prefix: string) {
  return z.string().regex(new RegExp(`^${prefix}:[A-Za-z0-9_-]+:[0-9A-HJKMNP-TV-Z]{26}$`), `must be ${prefix}:{register}:{ulid}`);
}

/** `GM1-20261201-0042`: register short code, the store's local date, a per-register daily counter. */
export const RECEIPT_NO_PATTERN = /^[A-Z0-9]{1,12}-\d{8}-\d{4,6}$/;

/** Manager approvals recorded on the document they authorised: who asked, who approved (both identities). */
export const APPROVAL_ACTIONS = ['void', 'refund_without_receipt', 'discount_over_limit', 'price_override', 'no_sale', 'close_unsynced', 'payout', 'credit_over_limit'] as const;
export const approvalSchema = z
  .object({
    action: z.enum(APPROVAL_ACTIONS),
    staffId: idRef,
    staffName: humanText(120, { min: 1 }),
    at: isoTimestamp
  })
  .strict();

/** Why an item came back (returned lines only); shop words, in this order on the register. */
export const RETURN_REASONS = ['changed_mind', 'wrong_size', 'defective', 'damaged', 'not_as_described', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/** The original sale line a returned item came from, and that sale's receipt number when it had one. */
const returnOfSchema = z
  .object({
    saleId: idRef,
    lineId: z.string().min(1).max(40),
    receiptNo: z.string().regex(RECEIPT_NO_PATTERN).optional()
  })
  .strict();

/**
 * On a returned line (negative qty): why it came back, and whether it goes back on the shelf.
 * `restock: false` keeps it out of stock on hand (damaged, defective): the stock views and the
 * register's own sums (local-ledger.ts) skip such a line. Absent means restocked (older sales).
 */
const returnFields = {
  returnReason: z.enum(RETURN_REASONS).optional(),
  restock: z.boolean().optional()
};

/** True when a sale line moves stock: every line except a returned item kept off the shelf. */
export const movesStock = (line: { qty: number; restock?: boolean | undefined }): boolean => !(line.qty < 0 && line.restock === false);

/**
 * A sale line; stock views read qty from here, so a sale is its own stock movement. Negative qty is
 * an item coming back (return or exchange); its money fields are negative too (a refund mirrors
 * the sale: domain/cart.ts). `total` = net after discounts, plus tax when prices exclude tax.
 */
export const saleLineSchema = z
  .object({
    lineId: z.string().min(1).max(40),
    productId: idRef,
    variantId: z.string().min(1).max(40),
    sku: humanText(64, { min: 1 }),
    name: humanText(200, { min: 1 }),
    taxCategory: humanText(40).optional(),
    qty: qty.refine((n) => n !== 0, 'must not be zero'),
    unitPrice: nonNegMinor,
    /** catalog price when a price override changed unitPrice */
    listPrice: nonNegMinor.optional(),
    discount: minor.default(0),
    tax: minor,
    /**
     * the tax by jurisdiction component (domain/tax), summing to `tax`; absent on sales priced from a
     * single rate and on sales made before tax tables existed
     */
    taxes: z.array(componentTaxSchema).max(12).optional(),
    total: minor,
    note: humanText(400, { multiline: true }).optional(),
    /** the original sale line a returned item came from (absent on blind returns) */
    returnOf: returnOfSchema.optional(),
    ...returnFields
  })
  .strict()
  .superRefine((l, ctx) => {
    if (l.taxes && l.taxes.reduce((a, t) => a + t.amount, 0) !== l.tax) ctx.addIssue({ code: 'custom', path: ['taxes'], message: `tax components must sum to the line's tax (${l.tax})` });
  });

export const TENDER_KINDS = ['cash', 'card_external', 'card_stripe', 'store_credit', 'gift_card', 'layaway'] as const;
export type TenderKind = (typeof TENDER_KINDS)[number];

/** Money in (positive) or out (negative: a refund) by one means of payment. */
export const tenderSchema = z
  .object({
    kind: z.enum(TENDER_KINDS),
    amount: minor.refine((n) => n !== 0, 'must not be zero'),
    /** card slip / terminal id, gift-card number, store-credit customer, layaway id; card_stripe: the PaymentIntent (pi_…) of a payment, the refund (re_…) of a refund */
    reference: humanText(120).optional(),
    /** card_stripe: the register's payment id (`payment:{register}:{ulid}`), the key the server knows the payment by; a refund names the payment it went back to */
    paymentId: z.string().regex(/^payment:[A-Za-z0-9_-]{1,40}:[0-9A-HJKMNP-TV-Z]{26}$/).optional()
  })
  .strict()
  .refine((t) => t.paymentId === undefined || t.kind === 'card_stripe', { path: ['paymentId'], message: 'only a card_stripe tender names a card payment' });

export const discountSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('amount'), value: nonNegMinor }).strict(),
  /** basis points: 10 % = 1000 */
  z.object({ kind: z.literal('percent'), value: z.number().int().min(0).max(10_000) }).strict()
]);

export const saleSchema = z
  .object({
    ...couchFields,
    _id: deviceId('sale'),
    type: z.literal('sale'),
    /** sale; return (only returned lines); exchange (both) */
    kind: z.enum(['sale', 'return', 'exchange']).default('sale'),
    /**
     * The number printed on the receipt and typed back for returns, made offline by the register:
     * `{register short code}-{store's local date}-{daily counter}` (domain/receipt-number.ts).
     * Absent on sales made before receipt numbers existed (they show the id's last characters).
     */
    receiptNo: z.string().regex(RECEIPT_NO_PATTERN, 'must be a receipt number like GM1-20261201-0042').optional(),
    locationCode,
    registerId: idRef,
    shiftId: idRef.optional(),
    cashierId: idRef,
    cashierName: humanText(120).optional(),
    customerId: idRef.optional(),
    currency,
    lines: z.array(saleLineSchema).min(1, 'a sale needs at least one line'),
    orderDiscount: discountSchema.optional(),
    subtotal: minor,
    discountTotal: minor,
    taxTotal: minor,
    /** how line totals read: net + tax (false) or net with tax inside (true); returns refund the same way */
    pricesIncludeTax: z.boolean().default(false),
    total: minor,
    /** cash rounding (e.g. to 0.05) applied to what was paid: tenders − change = total + rounding */
    rounding: minor.default(0),
    /** empty only when nothing is owed either way (an even exchange, a fully discounted sale) */
    tenders: z.array(tenderSchema),
    change: nonNegMinor.default(0),
    approvals: z.array(approvalSchema).default([]),
    layawayId: idRef.optional(),
    /** the customer's exemption certificate that took tax off this sale (domain/tax), for the receipt and audits */
    taxExemption: taxExemptionSchema.optional(),
    createdAt: isoTimestamp
  })
  .strict()
  .superRefine((s, ctx) => {
    const paid = s.tenders.reduce((a, t) => a + t.amount, 0);
    if (paid - s.change !== s.total + s.rounding) {
      ctx.addIssue({ code: 'custom', path: ['tenders'], message: `tenders minus change (${paid - s.change}) must equal total plus rounding (${s.total + s.rounding})` });
    }
    if (s.tenders.length === 0 && s.total + s.rounding !== 0) ctx.addIssue({ code: 'custom', path: ['tenders'], message: 'a sale with money owed needs at least one tender' });
    // The money must add up, line by line and in total: refunds and reports are computed from these.
    let subtotal = 0;
    let discount = 0;
    let tax = 0;
    let total = 0;
    s.lines.forEach((l, i) => {
      const gross = l.qty * l.unitPrice;
      const expected = gross - l.discount + (s.pricesIncludeTax ? 0 : l.tax);
      if (l.total !== expected) ctx.addIssue({ code: 'custom', path: ['lines', i, 'total'], message: `must be qty × unitPrice − discount${s.pricesIncludeTax ? '' : ' + tax'} (${expected})` });
      if (l.qty > 0 ? l.discount < 0 || l.discount > gross || l.tax < 0 : l.discount > 0 || l.discount < gross || l.tax > 0) {
        ctx.addIssue({ code: 'custom', path: ['lines', i], message: 'discount and tax must have the sign of the quantity, and a discount cannot exceed the line' });
      }
      if (l.qty > 0 && (l.returnReason !== undefined || l.restock !== undefined)) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'restock'], message: 'a return reason and restock belong on returned lines (negative quantity) only' });
      }
      subtotal += gross;
      discount += l.discount;
      tax += l.tax;
      total += l.total;
    });
    if (s.subtotal !== subtotal) ctx.addIssue({ code: 'custom', path: ['subtotal'], message: `must be the sum of qty × unitPrice (${subtotal})` });
    if (s.discountTotal !== discount) ctx.addIssue({ code: 'custom', path: ['discountTotal'], message: `must be the sum of line discounts (${discount})` });
    if (s.taxTotal !== tax) ctx.addIssue({ code: 'custom', path: ['taxTotal'], message: `must be the sum of line tax (${tax})` });
    if (s.total !== total) ctx.addIssue({ code: 'custom', path: ['total'], message: `total (${s.total}) must equal the sum of line totals (${total})` });
  });

/**
 * Voiding a completed sale is a new document (never an edit); it carries the lines so stock views
 * reverse them. Its id is the sale's (`void:{register}:{the sale's ulid}`), so a sale can be voided
 * once: a second void on this device is refused, two offline devices voiding it collide as a
 * conflict on an immutable document, which raises an alert instead of refunding twice.
 */
export const voidSchema = z
  .object({
    ...couchFields,
    _id: deviceId('void'),
    type: z.literal('void'),
    locationCode,
    registerId: idRef,
    shiftId: idRef.optional(),
    saleId: idRef,
    reason: humanText(200, { min: 1, trim: true }),
    lines: z.array(z.object({ variantId: z.string().min(1).max(40), qty: qty.refine((n) => n !== 0, 'must not be zero') }).strict()).min(1),
    /** what went back to the customer: the sale's tenders negated, cash net of the change given */
    tenders: z.array(tenderSchema),
    /** the money reversed: minus the sale's total (negative for a voided sale, positive for a voided refund) */
    total: minor,
    cashierId: idRef,
    approvals: z.array(approvalSchema).min(1, 'a void needs a manager approval'),
    createdAt: isoTimestamp
  })
  .strict()
  .superRefine((v, ctx) => {
    if (`sale:${v._id.slice('void:'.length)}` !== v.saleId) ctx.addIssue({ code: 'custom', path: ['saleId'], message: 'must be the sale this void is named after (void:{register}:{sale ulid})' });
  });

/**
 * Tenders taken toward a sale that was never completed, and given back: the cashier cancelled the
 * payment, or the customer walked away with $20 of cash already in the drawer. A sale in progress
 * keeps its tenders durably (register/open-sales.ts), so they can only leave it two ways: in the
 * completed sale, or in one of these, printed as a slip. `saleId` is the id the sale would have had
 * (it was never written). `items` is the cart at the time, for the record; it moves no stock.
 * Cash out equals cash in, so the drawer's expected cash is unchanged; the Z report lists them.
 */
export const paymentVoidSchema = z
  .object({
    ...couchFields,
    _id: deviceId('payment_void'),
    type: z.literal('payment_void'),
    locationCode,
    registerId: idRef,
    shiftId: idRef.optional(),
    cashierId: idRef,
    cashierName: z.string().max(120).optional(),
    saleId: idRef,
    currency,
    items: z.array(z.object({ name: z.string().min(1).max(200), qty: qty.refine((n) => n !== 0, 'must not be zero') }).strict()).max(500),
    /** what the sale came to when the payment was cancelled */
    total: minor,
    /** the tenders that had been taken */
    taken: z.array(tenderSchema).min(1),
    /** what went back: each taken tender negated, in the same order */
    returned: z.array(tenderSchema).min(1),
    reason: z.string().trim().min(1).max(200),
    createdAt: isoTimestamp
  })
  .strict()
  .superRefine((v, ctx) => {
    const mirrored = v.taken.length === v.returned.length && v.taken.every((t, i) => v.returned[i]!.kind === t.kind && v.returned[i]!.amount === -t.amount);
    if (!mirrored) ctx.addIssue({ code: 'custom', path: ['returned'], message: 'must give back exactly each tender taken (same kind, amount negated)' });
  });

/** Opening a register: the counted float. Closing is a separate `shift_close` with the same ulid. */
export const shiftSchema = z
  .object({
    ...couchFields,
    _id: deviceId('shift'),
    type: z.literal('shift'),
    locationCode,
    registerId: idRef,
    openedBy: idRef,
    openedByName: humanText(120).optional(),
    openingFloat: nonNegMinor,
    openedAt: isoTimestamp
  })
  .strict();

/** Denomination counts keyed by the note or coin value in minor units: { "2000": 3, "25": 8 }. */
export const denominationCounts = z.record(z.string().regex(/^[1-9][0-9]{0,6}$/, 'must be a value in minor units'), z.number().int().min(0));

export const shiftCloseSchema = z
  .object({
    ...couchFields,
    /** shift_close:{register}:{the shift's ulid}: a shift can be closed once, on any device */
    _id: deviceId('shift_close'),
    type: z.literal('shift_close'),
    locationCode,
    registerId: idRef,
    shiftId: idRef,
    closedBy: idRef,
    closedByName: humanText(120).optional(),
    denominations: denominationCounts,
    countedCash: nonNegMinor,
    expectedCash: minor,
    overShort: minor,
    /** the Z report as computed on the device (domain/shift-report.ts) */
    report: z.record(z.string(), z.unknown()),
    /** sales of this shift not yet on the server when it closed (0 unless a manager overrode) */
    unsyncedAtClose: z.number().int().min(0).default(0),
    approvals: z.array(approvalSchema).default([]),
    closedAt: isoTimestamp
  })
  .strict()
  .superRefine((c, ctx) => {
    if (`shift:${c._id.slice('shift_close:'.length)}` !== c.shiftId) ctx.addIssue({ code: 'custom', path: ['shiftId'], message: 'must be the shift this close document is named after' });
  });

/** Cash put into or taken out of the drawer outside a sale, or a no-sale drawer open. */
export const cashMovementSchema = z
  .object({
    ...couchFields,
    _id: deviceId('cash'),
    type: z.literal('cash_movement'),
    locationCode,
    registerId: idRef,
    shiftId: idRef,
    kind: z.enum(['in', 'out', 'no_sale']),
    amount: nonNegMinor,
    reason: humanText(200, { min: 1, trim: true }),
    staffId: idRef,
    approvals: z.array(approvalSchema).default([]),
    createdAt: isoTimestamp
  })
  .strict()
  .superRefine((m, ctx) => {
    if ((m.kind === 'no_sale') !== (m.amount === 0)) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a no-sale moves no cash; cash in/out moves some' });
  });

/** A cart line as the register holds it before it is priced into a sale line. */
export const cartLineSchema = z
  .object({
    lineId: z.string().min(1).max(40),
    productId: idRef,
    variantId: z.string().min(1).max(40),
    sku: humanText(64, { min: 1 }),
    name: humanText(200, { min: 1 }),
    taxCategory: humanText(40),
    qty: qty.refine((n) => n !== 0, 'must not be zero'),
    unitPrice: nonNegMinor,
    listPrice: nonNegMinor,
    discount: discountSchema.optional(),
    note: humanText(400, { multiline: true }).optional(),
    returnOf: returnOfSchema.optional(),
    ...returnFields,
    /** a returned line refunds what was paid for it, not today's price (and the tax components it recorded) */
    fixed: z.object({ net: minor, tax: minor, taxes: z.array(componentTaxSchema).max(12).optional() }).strict().optional()
  })
  .strict();

/** A parked (held) cart, visible to the location's other registers; deleted when resumed. */
export const parkedSaleSchema = z
  .object({
    ...couchFields,
    _id: deviceId('parked'),
    type: z.literal('parked_sale'),
    locationCode,
    registerId: idRef,
    label: humanText(80, { min: 1, trim: true }),
    lines: z.array(cartLineSchema).min(1),
    orderDiscount: discountSchema.optional(),
    customerId: idRef.optional(),
    parkedBy: idRef,
    parkedByName: humanText(120).optional(),
    updatedAt: isoTimestamp,
    updatedBy: idRef,
    fieldTimes: z.record(z.string(), isoTimestamp).optional()
  })
  .strict();

/** Layaway opened: the goods are reserved (stock/reserved) until picked up or cancelled. */
export const layawaySchema = z
  .object({
    ...couchFields,
    _id: deviceId('layaway'),
    type: z.literal('layaway'),
    locationCode,
    registerId: idRef,
    shiftId: idRef.optional(),
    cashierId: idRef,
    customerId: idRef,
    currency,
    lines: z.array(saleLineSchema).min(1),
    total: nonNegMinor,
    /** deposit taken when it was opened */
    tenders: z.array(tenderSchema).min(1),
    change: nonNegMinor.default(0),
    /** fraction of what was paid kept on cancellation, basis points (the configured rule) */
    cancellationFeeBp: z.number().int().min(0).max(10_000).default(0),
    /** how the stored line totals read, so the pickup sale prices them the same way */
    pricesIncludeTax: z.boolean().default(false),
    /** manager approvals given on the cart (discounts, price overrides), carried to the pickup sale */
    approvals: z.array(approvalSchema).default([]),
    createdAt: isoTimestamp
  })
  .strict();

export const layawayPaymentSchema = z
  .object({
    ...couchFields,
    _id: deviceId('layaway_payment'),
    type: z.literal('layaway_payment'),
    locationCode,
    registerId: idRef,
    shiftId: idRef.optional(),
    cashierId: idRef,
    layawayId: idRef,
    tenders: z.array(tenderSchema).min(1),
    change: nonNegMinor.default(0),
    createdAt: isoTimestamp
  })
  .strict();

/** layaway_close:{register}:{the layaway's ulid}: picked up (the pickup sale moves the stock) or cancelled (refund). */
export const layawayCloseSchema = z
  .object({
    ...couchFields,
    _id: deviceId('layaway_close'),
    type: z.literal('layaway_close'),
    locationCode,
    registerId: idRef,
    shiftId: idRef.optional(),
    cashierId: idRef,
    layawayId: idRef,
    outcome: z.enum(['picked_up', 'cancelled']),
    /** the reserved lines, released */
    lines: z.array(z.object({ variantId: z.string().min(1).max(40), qty: qty.refine((n) => n !== 0, 'must not be zero') }).strict()).min(1),
    saleId: idRef.optional(),
    /** money returned on cancellation (negative amounts) */
    tenders: z.array(tenderSchema).default([]),
    feeKept: nonNegMinor.default(0),
    createdAt: isoTimestamp
  })
  .strict();

/** A mobile number as people type it: an optional +, then 6–15 digits with spaces, dots, dashes or brackets. */
export const PHONE_PATTERN = /^\+?(?:[\s().-]*\d){6,15}[\s().-]*$/;

/** A message to send (receipt email or text); the integrations' outbox worker delivers it. */
export const outboxSchema = z
  .object({
    ...couchFields,
    _id: deviceId('outbox'),
    type: z.literal('outbox'),
    locationCode,
    channel: z.enum(['email', 'sms']),
    to: humanText(200, { min: 3 }),
    template: z.enum(['receipt']),
    ref: idRef,
    createdBy: idRef,
    createdAt: isoTimestamp
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.channel === 'email' && !z.email().safeParse(o.to).success) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be an email address' });
    if (o.channel === 'sms' && !PHONE_PATTERN.test(o.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be a phone number like +1 555 010 0199' });
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
  'transfer_in',
  /** an online (Shopify) order took the stock; written by the server only (movement:shopify:…) */
  'online_order',
  /** an online refund or cancellation restocked it; server only */
  'online_refund'
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
    note: humanText(400, { multiline: true }).optional(),
    ref: idRef.optional(),
    createdAt: isoTimestamp,
    createdBy: idRef
  })
  .strict();
