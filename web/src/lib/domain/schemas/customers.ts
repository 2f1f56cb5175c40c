import { z } from 'zod';
import { couchFields, fieldTimes, idRef, idWithPrefix, isoTimestamp, minor } from './common.ts';

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
