import { z } from 'zod';
import { humanText } from './text.ts';
import { couchFields, fieldTimes, idRef, idWithPrefix, isoTimestamp } from './common.ts';

/**
 * A price rule (catalog database; written by users with catalog:edit through the admin portal or
 * the gateway; replicated to every register, which applies it offline, domain/price-rules.ts).
 * Percentage (basis points) or amount (minor units per unit) off, for a category, a product, or every
 * item sold to a customer of a group; optionally only between `startsAt` (inclusive) and `endsAt`
 * (exclusive).
 */
export const PRICE_RULE_TARGETS = ['category', 'product', 'customer_group'] as const;

export const priceRuleSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('price_rule'),
    type: z.literal('price_rule'),
    name: humanText(120, { min: 1, trim: true }),
    discount: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('percent'), value: z.number().int().min(1, 'must be more than 0').max(10_000, 'cannot be more than 100 %') }).strict(),
      z.object({ kind: z.literal('amount'), value: z.number().int().min(1, 'must be more than 0').refine(Number.isSafeInteger, 'out of range') }).strict()
    ]),
    target: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('category'), categoryId: idRef }).strict(),
      z.object({ kind: z.literal('product'), productId: idRef }).strict(),
      z.object({ kind: z.literal('customer_group'), group: humanText(40, { min: 1, trim: true }) }).strict()
    ]),
    startsAt: isoTimestamp.optional(),
    endsAt: isoTimestamp.optional(),
    active: z.boolean(),
    updatedAt: isoTimestamp,
    updatedBy: idRef,
    fieldTimes: fieldTimes.optional()
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.startsAt && r.endsAt && Date.parse(r.endsAt) <= Date.parse(r.startsAt)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  });
export type PriceRuleDoc = z.infer<typeof priceRuleSchema>;
