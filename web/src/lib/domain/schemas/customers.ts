import { z } from 'zod';
import { couchFields, fieldTimes, idRef, idWithPrefix, isoTimestamp, minor } from './common.ts';

/** A postal address on a customer profile (admin portal); registers neither need nor write them. */
export const addressSchema = z
  .object({
    label: z.string().trim().max(40).default(''),
    line1: z.string().trim().min(1).max(120),
    line2: z.string().trim().max(120).default(''),
    city: z.string().trim().min(1).max(80),
    region: z.string().trim().max(80).default(''),
    postalCode: z.string().trim().max(20).default(''),
    country: z.string().trim().regex(/^[A-Z]{2}$/, 'must be a two-letter country code like US')
  })
  .strict();

export const customerSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('customer'),
    type: z.literal('customer'),
    firstName: z.string().trim().min(1).max(80),
    lastName: z.string().trim().max(80).default(''),
    email: z.email().optional(),
    phone: z.string().max(40).optional(),
    tags: z.array(z.string().max(40)).default([]),
    /** optional, so registers that never write it keep working */
    addresses: z.array(addressSchema).max(10).optional(),
    /** set by the server when this profile was merged into another (the kept one): searches skip it */
    mergedInto: idWithPrefix('customer').optional(),
    /** pricing group (e.g. "VIP", "staff"): price rules targeting it apply to this customer's sales */
    group: z.string().trim().min(1).max(40).optional(),
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
    reason: z.string().min(1).max(200),
    ref: idRef.optional(),
    createdAt: isoTimestamp,
    createdBy: idRef
  })
  .strict();
