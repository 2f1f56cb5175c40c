import { textRule } from './schemas/text.ts';
import { z } from 'zod';
import { paymentSettingsSchema, settingsSchema } from './schemas/index.ts';

/**
 * What an admin may change in the tenant's `settings:tenant` document (Settings → Receipt and
 * register rules) and the tax-rate form's parsing. Shared: the page validates as the user types, the
 * server validates again with the same schemas before it writes.
 */
const shape = settingsSchema.shape;
export const settingsUpdateInput = z
  .object({
    receiptHeader: z.string().max(400, 'must be at most 400 characters'),
    receiptFooter: z.string().max(400, 'must be at most 400 characters'),
    payments: paymentSettingsSchema,
    cashRounding: z.number().int().refine((n) => [0, 1, 5, 10, 25, 50, 100].includes(n), 'must be 0 (off), 1, 5, 10, 25, 50 or 100 minor units'),
    cashierDiscountLimitBp: z.number().int().min(0, 'must be 0–100 %').max(10_000, 'must be 0–100 %'),
    offlineBalanceLimit: z.number().int().min(0, 'must not be negative').max(100_000_000, 'is too large'),
    blindCashCount: z.boolean(),
    gs1CompanyPrefixes: z
      .array(z.string().trim().regex(/^\d{6,12}$/, 'each company prefix must be 6 to 12 digits'))
      .max(20, 'at most 20 company prefixes')
      .refine((a) => new Set(a).size === a.length, 'each company prefix once'),
    taxRounding: shape.taxRounding.unwrap(),
    roundingMode: shape.roundingMode.unwrap()
  })
  .partial()
  .strict();
export type SettingsUpdate = z.infer<typeof settingsUpdateInput>;

/** The fields of `settings:tenant` the admin page shows (never the PIN salt). */
export const EDITABLE_SETTINGS = ['receiptHeader', 'receiptFooter', 'payments', 'cashRounding', 'cashierDiscountLimitBp', 'offlineBalanceLimit', 'blindCashCount', 'taxRounding', 'roundingMode', 'gs1CompanyPrefixes'] as const;

/**
 * "8.875" (percent, up to 4 decimals) → 88_750 parts per million, exactly (no float maths: the
 * register multiplies by this integer). Returns an error message for anything else.
 */
export function parseRatePercent(text: string): { ok: true; ppm: number } | { ok: false; message: string } {
  const m = /^\s*(\d{1,3})(?:[.,](\d{1,4}))?\s*%?\s*$/.exec(text);
  if (!m) return { ok: false, message: 'must be a percentage like 8.875 (up to 4 decimals)' };
  const ppm = Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0'));
  if (ppm > 1_000_000) return { ok: false, message: 'must be at most 100 %' };
  return { ok: true, ppm };
}

/** 88_750 → "8.875" */
export function formatRatePpm(ppm: number): string {
  const whole = Math.floor(ppm / 10_000);
  const frac = String(ppm % 10_000).padStart(4, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

const category = z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be a short code like exempt or clothing-under-110');

/** A tax rate as the admin enters it; the id is made by the server (`tax_rate:{slug}`). */
export const taxRateInput = z
  .object({
    name: z.string().trim().min(1, 'is required').max(80).superRefine(textRule()),
    ratePpm: z.number().int().min(0, 'must not be negative').max(1_000_000, 'must be at most 100 %'),
    exemptCategories: z.array(category).max(50).default([])
  })
  .strict();
export type TaxRateInput = z.input<typeof taxRateInput>;

/** "exempt, Food " → ["exempt", "food"]: the exempt tax categories as typed in one field. */
export function parseCategoryList(text: string): string[] {
  return [...new Set(text.split(/[,\s]+/).map((s) => s.trim().toLowerCase()).filter(Boolean))];
}

/** `tax_rate:` + a slug of the name, e.g. "NY State + City" → tax_rate:ny-state-city. */
export function taxRateIdFor(name: string): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `tax_rate:${slug || 'rate'}`;
}
