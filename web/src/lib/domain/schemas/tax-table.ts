/**
 * A location's tax table (`tax_table:{slug}`, in the catalog database, replicated to every register
 * like `tax_rate`), the per-component tax amounts a sale line records, and a customer's exemption
 * certificate. The engine that reads them is domain/tax (its types.ts documents each rule).
 */
import { z } from 'zod';
import { humanText } from './text.ts';
import { couchFields, fieldTimes, idRef, idWithPrefix, isoTimestamp, minor, nonNegMinor } from './common.ts';
import { isIsoDate } from '../business-day.ts';
import { COMPONENT_KINDS } from '../tax/types.ts';

export const isoDate = z.string().refine(isIsoDate, 'must be a date like 2026-12-31');
const ratePpm = z.number().int().min(0).max(1_000_000, 'must be at most 100 %');
/** a component's id: stable across versions, reported by; also a legacy rate's `tax_rate:…` id */
export const jurisdictionId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$/, 'must be a short id like ny-state');

export const taxRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('taxable') }).strict(),
  z.object({ kind: z.literal('exempt') }).strict(),
  z.object({ kind: z.literal('reduced'), ratePpm }).strict(),
  z.object({ kind: z.literal('exempt_under'), threshold: nonNegMinor }).strict(),
  z.object({ kind: z.literal('taxed_over'), threshold: nonNegMinor }).strict()
]);

export const taxComponentSchema = z
  .object({
    id: jurisdictionId,
    name: humanText(80, { min: 1 }),
    kind: z.enum(COMPONENT_KINDS),
    ratePpm,
    /** product tax category → rule; a category not listed is taxable at ratePpm */
    rules: z.record(humanText(40, { min: 1 }), taxRuleSchema).default({})
  })
  .strict();

export const taxVersionSchema = z
  .object({
    /** the store's local date from whose midnight this version applies; absent on the first only */
    effectiveFrom: isoDate.optional(),
    components: z.array(taxComponentSchema).max(12)
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.components.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['components', i, 'id'], message: 'appears twice in this version' });
      seen.add(c.id);
    });
  });

export const taxTableSchema = z
  .object({
    ...couchFields,
    _id: idWithPrefix('tax_table'),
    type: z.literal('tax_table'),
    name: humanText(80, { min: 1 }),
    versions: z.array(taxVersionSchema).min(1).max(50),
    updatedAt: isoTimestamp,
    updatedBy: idRef,
    fieldTimes: fieldTimes.optional()
  })
  .strict()
  .superRefine((t, ctx) => {
    t.versions.forEach((v, i) => {
      if (i === 0) return;
      const prev = t.versions[i - 1]!.effectiveFrom;
      if (v.effectiveFrom === undefined) ctx.addIssue({ code: 'custom', path: ['versions', i, 'effectiveFrom'], message: 'only the first version may have no effective date' });
      else if (prev !== undefined && prev >= v.effectiveFrom) ctx.addIssue({ code: 'custom', path: ['versions', i, 'effectiveFrom'], message: 'versions must be in ascending effective-date order' });
    });
  });

/** One component's share of a sale line's tax (domain/tax ComponentTax). */
export const componentTaxSchema = z
  .object({
    jurisdictionId,
    name: humanText(80, { min: 1 }),
    ratePpm,
    amount: minor
  })
  .strict();

/**
 * A customer's tax-exemption certificate: the register charges no tax while it is valid (through
 * expiresOn) — none at all, or none for the listed jurisdiction (component) ids.
 */
export const taxExemptionSchema = z
  .object({
    certificateNo: humanText(60, { min: 1, trim: true }),
    expiresOn: isoDate,
    jurisdictions: z.array(jurisdictionId).min(1).max(12).optional()
  })
  .strict();
