import { z } from 'zod';
import { humanText } from './text.ts';
import { couchFields, fieldTimes, idRef, idWithPrefix, isoTimestamp, minor } from './common.ts';
import { taxExemptionSchema } from './tax-table.ts';

/** A postal address on a customer profile (admin portal); registers neither need nor write them. */
export const addressSchema = z
  .object({
    label: humanText(40, { trim: true }).default(''),
    line1: humanText(120, { min: 1, trim: true }),
    line2: humanText(120, { trim: true }).default(''),
    city: humanText(80, { min: 1, trim: true }),
    region: humanText(80, { trim: true }).default(''),
    postalCode: humanText(20, { trim: true }).default(''),
    country: z.string().trim().regex(/^[A-Z]{2}$/, 'must be a two-letter country code like US')
  })
  .strict();

export const customerSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('customer'),
    type: z.literal('customer'),
    firstName: humanText(80, { min: 1, trim: true }),
    lastName: humanText(80, { trim: true }).default(''),
    email: z.email().optional(),
    phone: humanText(40).optional(),
    tags: z.array(humanText(40)).default([]),
    /** optional, so registers that never write it keep working */
    addresses: z.array(addressSchema).max(10).optional(),
    /** set by the server when this profile was merged into another (the kept one): searches skip it */
    mergedInto: idWithPrefix('customer').optional(),
    /** pricing group (e.g. "VIP", "staff"): price rules targeting it apply to this customer's sales */
    group: humanText(40, { min: 1, trim: true }).optional(),
    /** a tax-exemption certificate: the register charges this customer no tax while it is valid (domain/tax) */
    taxExemption: taxExemptionSchema.optional(),
    updatedAt: isoTimestamp,
    updatedBy: idRef,
    fieldTimes: fieldTimes.optional()
  })
  .strict();

/** Loyalty points, store credit and gift-card value are sums of these entries (DESIGN.md §2). */
export const ledgerEntrySchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('ledger'),
    type: z.literal('ledger_entry'),
    account: z.enum(['loyalty', 'store_credit', 'gift_card']),
    /** customer id for loyalty / store credit, card number for gift cards */
    holder: idRef,
    amount: minor.refine((n) => n !== 0, 'must not be zero'),
    reason: humanText(200, { min: 1 }),
    ref: idRef.optional(),
    createdAt: isoTimestamp,
    createdBy: idRef
  })
  .strict();
