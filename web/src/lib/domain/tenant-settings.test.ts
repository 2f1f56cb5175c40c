import { describe, expect, it } from 'vitest';
import { settingsSchema } from './schemas/index.ts';
import { formatRatePpm, parseCategoryList, parseRatePercent, settingsUpdateInput, taxRateIdFor, taxRateInput } from './tenant-settings.ts';

describe('parseRatePercent / formatRatePpm', () => {
  it.each([
    ['8.875', 88_750],
    ['8,875 %', 88_750],
    ['0', 0],
    ['20', 200_000],
    ['100', 1_000_000],
    ['7.25', 72_500],
    ['0.0001', 1]
  ])('%s → %i ppm and back', (text, ppm) => {
    expect(parseRatePercent(text)).toEqual({ ok: true, ppm });
    expect(parseRatePercent(formatRatePpm(ppm))).toEqual({ ok: true, ppm });
  });

  it.each(['', 'abc', '-5', '8.12345', '1e2', '100.5'])('refuses %j', (text) => {
    expect(parseRatePercent(text).ok).toBe(false);
  });

  it('formats without trailing zeros', () => {
    expect(formatRatePpm(88_750)).toBe('8.875');
    expect(formatRatePpm(200_000)).toBe('20');
  });
});

describe('tax rate input', () => {
  it('normalises exempt categories and refuses bad ones', () => {
    expect(parseCategoryList('Exempt, food  food')).toEqual(['exempt', 'food']);
    expect(taxRateInput.parse({ name: ' NY ', ratePpm: 88_750, exemptCategories: ['Exempt'] })).toEqual({ name: 'NY', ratePpm: 88_750, exemptCategories: ['exempt'] });
    expect(taxRateInput.safeParse({ name: 'x', ratePpm: 1_000_001 }).success).toBe(false);
    expect(taxRateInput.safeParse({ name: 'x', ratePpm: 1.5 }).success).toBe(false);
    expect(taxRateInput.safeParse({ name: 'x', ratePpm: 1, exemptCategories: ['no spaces'] }).success).toBe(false);
  });

  it('makes ids from names', () => {
    expect(taxRateIdFor('NY State + City')).toBe('tax_rate:ny-state-city');
    expect(taxRateIdFor('***')).toBe('tax_rate:rate');
  });
});

describe('settings update', () => {
  it('accepts a partial update and refuses unknown or invalid fields', () => {
    expect(settingsUpdateInput.parse({ receiptFooter: 'Thanks!' })).toEqual({ receiptFooter: 'Thanks!' });
    expect(settingsUpdateInput.safeParse({ pinSalt: 'x'.repeat(20) }).success).toBe(false);
    expect(settingsUpdateInput.safeParse({ cashRounding: 3 }).success).toBe(false);
    expect(settingsUpdateInput.safeParse({ cashierDiscountLimitBp: 10_001 }).success).toBe(false);
    expect(settingsUpdateInput.safeParse({ receiptFooter: 'x'.repeat(401) }).success).toBe(false);
  });

  it('needs at least one way to pay', () => {
    expect(settingsUpdateInput.safeParse({ payments: { cash: false, card: 'off', storeCredit: false, giftCard: false } }).success).toBe(false);
    expect(settingsUpdateInput.safeParse({ payments: { cash: false, card: 'stripe', storeCredit: false, giftCard: false } }).success).toBe(true);
  });

  it('gives an old settings document the default payments', () => {
    const doc = settingsSchema.parse({ _id: 'settings:tenant', type: 'settings', tenantName: 'T', pinSalt: 'x'.repeat(20), updatedAt: '2026-01-01T00:00:00.000Z', updatedBy: 'system' });
    expect(doc.payments).toEqual({ cash: true, card: 'terminal', storeCredit: true, giftCard: true });
  });
});
