import { z } from 'zod';
import { humanText } from './text.ts';
import { isLocale } from '../store-format.ts';
import { couchFields, currency, fieldTimes, idRef, idWithPrefix, isoTimestamp, locationCode, nonNegMinor } from './common.ts';
import { isValidGtin } from '../gtin.ts';
import { ROLES } from '../permissions.ts';

const mutable = {
  updatedAt: isoTimestamp,
  updatedBy: idRef,
  /** when each field was last written, for per-field conflict resolution (domain/conflicts.ts) */
  fieldTimes: fieldTimes.optional()
};

export const categorySchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('category'),
    type: z.literal('category'),
    name: humanText(80, { min: 1, trim: true }),
    parentId: idRef.optional(),
    sort: z.number().int().optional(),
    ...mutable
  })
  .strict();

export const barcode = z.string().refine(isValidGtin, 'must be a GTIN-8/12/13/14 with a valid check digit');

export const variantSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be a short id'),
    sku: humanText(64, { min: 1, trim: true }),
    barcode: barcode.optional(),
    options: z.record(humanText(40, { min: 1 }), humanText(40)),
    price: nonNegMinor,
    /** the "was" price shown struck through (Shopify's compare-at price); informational at the register */
    compareAtPrice: nonNegMinor.optional(),
    cost: nonNegMinor.optional(),
    active: z.boolean().default(true)
  })
  .strict();

export const productSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('product'),
    type: z.literal('product'),
    name: humanText(200, { min: 1, trim: true }),
    description: humanText(4000, { multiline: true }).optional(),
    categoryId: idRef,
    taxCategory: humanText(40, { min: 1 }),
    options: z.array(z.object({ name: humanText(40, { min: 1 }), values: z.array(humanText(40, { min: 1 })).min(1) }).strict()),
    variants: z.array(variantSchema).min(1, 'a product needs at least one variant'),
    status: z.enum(['active', 'archived']),
    /** the product image in the tenant's media database (never replicated to devices; server/catalog/images.ts) */
    imageId: z.string().regex(/^image:[a-z0-9]{1,40}$/, 'must be an image id from the image upload').optional(),
    ...mutable
  })
  .strict()
  .superRefine((p, ctx) => {
    // The stock ledger is keyed [locationCode, variantId] without the product, so a variant id must be
    // unique across the catalog: it starts with the product id's suffix (product:nx-000123 →
    // nx-000123-v01), which makes two products' variants distinct without a catalog-wide lookup.
    const prefix = `${productIdSuffix(p._id)}-`;
    const seen = new Set<string>();
    p.variants.forEach((v, i) => {
      if (!v.id.startsWith(prefix) || v.id.length === prefix.length) {
        ctx.addIssue({ code: 'custom', path: ['variants', i, 'id'], message: `must start with "${prefix}" (the product id without "product:")` });
      }
      if (seen.has(v.id)) ctx.addIssue({ code: 'custom', path: ['variants', i, 'id'], message: 'duplicate variant id' });
      seen.add(v.id);
    });
  });

/** `product:nx-000123` → `nx-000123`: what every variant id of that product starts with (plus "-"). */
export function productIdSuffix(productId: string): string {
  return productId.slice('product:'.length);
}

export const taxRateSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('tax_rate'),
    type: z.literal('tax_rate'),
    name: humanText(80, { min: 1 }),
    /** parts per million: 8.875 % = 88_750 */
    ratePpm: z.number().int().min(0).max(1_000_000),
    /** tax categories this rate does not apply to (e.g. "exempt", "clothing-under-110") */
    exemptCategories: z.array(humanText(80)).default([]),
    ...mutable
  })
  .strict();

export const locationSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('location'),
    type: z.literal('location'),
    code: locationCode,
    name: humanText(120, { min: 1 }),
    address: humanText(400, { multiline: true }).default(''),
    timeZone: humanText(64, { min: 1 }),
    currency,
    /** BCP 47 tag dates and money are written in (receipts, reports); absent: the currency's default (domain/store-format.ts) */
    locale: z.string().min(2).max(35).refine(isLocale, 'must be a locale like en-US or fr-CA').optional(),
    taxRateId: idRef.optional(),
    /** the location's tax table (schemas/tax-table.ts); when set it is used instead of taxRateId */
    taxTableId: idWithPrefix('tax_table').optional(),
    pricesIncludeTax: z.boolean().default(false),
    ...mutable
  })
  .strict();

export const registerSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('register'),
    type: z.literal('register'),
    locationCode,
    name: humanText(80, { min: 1 }),
    ...mutable
  })
  .strict();

/**
 * Staff directory entry, replicated to devices so a PIN can be checked offline. Written only by the
 * server (the gateway refuses device and browser writes of this type).
 */
export const staffSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('staff'),
    type: z.literal('staff'),
    userId: idRef,
    name: humanText(120, { min: 1 }),
    role: z.enum(ROLES),
    /** location codes, or ["*"] for every location */
    locations: z.array(z.string()),
    pinHash: z.string().optional(),
    active: z.boolean(),
    ...mutable
  })
  .strict();

/** Card payments: on a standalone terminal (the cashier keys the amount), on a Stripe reader, or not taken. */
export const CARD_MODES = ['terminal', 'stripe', 'off'] as const;
export const paymentSettingsSchema = z
  .object({ cash: z.boolean(), card: z.enum(CARD_MODES), storeCredit: z.boolean(), giftCard: z.boolean() })
  .strict()
  .refine((p) => p.cash || p.card !== 'off' || p.storeCredit || p.giftCard, 'the register needs at least one way to take payment');
export const PAYMENT_DEFAULTS = { cash: true, card: 'terminal', storeCredit: true, giftCard: true } as const satisfies z.input<typeof paymentSettingsSchema>;

/** Tenant-wide settings the devices need offline, including the PIN hashing parameters. */
export const settingsSchema = z
  .object({
    ...couchFields,
    _id: z.literal('settings:tenant'),
    type: z.literal('settings'),
    tenantName: humanText(120, { min: 1 }),
    pinSalt: z.string().min(16),
    receiptHeader: humanText(400, { multiline: true }).default(''),
    receiptFooter: humanText(400, { multiline: true }).default(''),
    /** register rules, read offline (domain/cart.ts, domain/tender.ts) */
    taxRounding: z.enum(['line', 'invoice']).default('line'),
    roundingMode: z.enum(['half_up', 'half_even']).default('half_up'),
    /** cash payments round to this many minor units (5 = 0.05); 0 = off */
    cashRounding: z.number().int().min(0).max(100).default(0),
    /** largest discount a cashier may give without a manager, basis points of the line or order */
    cashierDiscountLimitBp: z.number().int().min(0).max(10_000).default(1000),
    /** blind cash count: closing a shift, the cashier counts the drawer before seeing the expected cash */
    blindCashCount: z.boolean().default(false),
    /** store credit / gift card a register may accept while offline, per sale, minor units */
    offlineBalanceLimit: z.number().int().min(0).default(5000),
    /** layaways: minimum deposit and the share of payments kept on cancellation, basis points */
    layawayMinDepositBp: z.number().int().min(0).max(10_000).default(2000),
    layawayCancellationFeeBp: z.number().int().min(0).max(10_000).default(1000),
    /** which tenders the register offers for sales (refunds can always go back as cash or card) */
    payments: paymentSettingsSchema.default(PAYMENT_DEFAULTS),
    /** loyalty points earned per whole currency unit spent */
    loyaltyPointsPerUnit: z.number().int().min(0).max(100).default(1),
    /** when an admin confirmed the payment methods in the setup wizard (domain/setup.ts) */
    paymentsConfirmedAt: isoTimestamp.optional(),
    /** points worth one whole currency unit when redeemed (100 = 100 points buy 1.00); see domain/loyalty.ts */
    loyaltyPointsPerRedeemUnit: z.number().int().min(1).max(100_000).default(100),
    /**
     * The tenant's GS1 company prefixes (6–12 digits each): RFID tags of other prefixes are listed as
     * foreign, and tags are encoded (SGTIN-96) under the one a GTIN belongs to (domain/epc.ts)
     */
    gs1CompanyPrefixes: z.array(z.string().regex(/^\d{6,12}$/, 'must be 6 to 12 digits')).max(20).default([]),
    ...mutable
  })
  .strict();
