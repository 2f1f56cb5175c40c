import { describe, expect, it } from 'vitest';
import { priceCart } from '../domain/cart.ts';
import { referenceFromDocs, taxConfigOf } from './reference-data.ts';

const at = '2026-12-07T10:00:00.000Z';
const location = { _id: 'location:GM', type: 'location', code: 'GM', name: 'Grand Mall', timeZone: 'America/New_York', currency: 'USD', taxRateId: 'tax_rate:ny', pricesIncludeTax: false, updatedAt: at, updatedBy: 'x' };
const settings = { _id: 'settings:tenant', type: 'settings', taxRounding: 'line', roundingMode: 'half_up' };
const rate = { _id: 'tax_rate:ny', type: 'tax_rate', name: 'NY 8.875 %', ratePpm: 88_750, exemptCategories: ['food'], updatedAt: at, updatedBy: 'x' };
const table = {
  _id: 'tax_table:nyc',
  type: 'tax_table',
  name: 'New York City',
  versions: [
    { components: [{ id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: {} }] },
    { effectiveFrom: '2027-01-01', components: [{ id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 50_000, rules: {} }] }
  ],
  updatedAt: at,
  updatedBy: 'x'
};
const item = { lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'S', name: 'Shirt', taxCategory: 'general', qty: 1, unitPrice: 10_000, listPrice: 10_000 };

describe('the register’s tax from its replicated documents', () => {
  it('uses the single rate, unchanged, when the location has no tax table', () => {
    const ref = referenceFromDocs([location, settings, rate, table], 'GM')!;
    expect(taxConfigOf(ref)).toEqual({ ratePpm: 88_750, exemptCategories: ['food'], pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up' });
  });
  it('uses the location’s tax table, the version in force at the store’s local date of the pricing', () => {
    const ref = referenceFromDocs([{ ...location, taxTableId: 'tax_table:nyc' }, settings, rate, table], 'GM')!;
    // 23:59 on 31 Dec in New York, then its midnight
    expect(priceCart([item], null, taxConfigOf(ref, new Date('2027-01-01T04:59:00Z'))).taxTotal).toBe(400);
    expect(priceCart([item], null, taxConfigOf(ref, new Date('2027-01-01T05:00:00Z'))).taxTotal).toBe(500);
  });
  it('ignores a table document that does not parse, keeping the single rate', () => {
    const broken = { ...table, versions: [] };
    const ref = referenceFromDocs([{ ...location, taxTableId: 'tax_table:nyc' }, settings, rate, broken], 'GM')!;
    expect(ref.taxTable).toBeNull();
    expect(taxConfigOf(ref)).toMatchObject({ ratePpm: 88_750 });
  });
});
