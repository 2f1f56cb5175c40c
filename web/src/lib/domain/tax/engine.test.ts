import { describe, expect, it } from 'vitest';
import { computeTax, effectiveInstant, tableFromSingleRate, type TaxContext, type TaxLine, type TaxTable } from './index.ts';
import { NYC, UNDER_110 as under110 } from './tables.fixtures.ts';

/** One sale context; the tests vary the table, pricing and rounding. */
function ctx(table: TaxTable, over: Partial<TaxContext> = {}): TaxContext {
  return { table, pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up', at: '2026-12-07T15:00:00Z', timeZone: 'America/New_York', ...over };
}
const item = (net: number, taxCategory = 'general', qty = 1): TaxLine => ({ taxCategory, qty, net });

// A New York county that does not exempt clothing (rates as in Dutchess County, 8.125 %): the state's
// 4 % and the MCTD's 0.375 % exempt clothing and footwear under $110 an item; the county's 3.75 % does not.
const NY_COUNTY: TaxTable = {
  versions: [
    {
      components: [
        { id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: under110 },
        { id: 'ny-dutchess', name: 'Dutchess County', kind: 'county', ratePpm: 37_500, rules: {} },
        { id: 'ny-mctd', name: 'MCTD', kind: 'special', ratePpm: 3_750, rules: under110 }
      ]
    }
  ]
};
// Massachusetts 6.25 %: an item of clothing is taxed only on the part of its price above $175.
const MA: TaxTable = { versions: [{ components: [{ id: 'ma', name: 'Massachusetts', kind: 'state', ratePpm: 62_500, rules: { clothing: { kind: 'taxed_over', threshold: 17_500 } } }] }] };
// UK VAT 20 % in the price; children's clothing is zero-rated (taxable at 0 %, still reported).
const UK: TaxTable = { versions: [{ components: [{ id: 'gb-vat', name: 'VAT', kind: 'country', ratePpm: 200_000, rules: { 'kids-clothing': { kind: 'reduced', ratePpm: 0 } } }] }] };
// British Columbia: GST 5 % (federal) and PST 7 % (provincial); children's clothing is PST-exempt.
const BC: TaxTable = {
  versions: [
    {
      components: [
        { id: 'ca-gst', name: 'GST', kind: 'country', ratePpm: 50_000, rules: {} },
        { id: 'bc-pst', name: 'PST', kind: 'state', ratePpm: 70_000, rules: { 'kids-clothing': { kind: 'exempt' } } }
      ]
    }
  ]
};

describe('tax engine: New York clothing under $110', () => {
  it('taxes a $50 shirt at the county share only and a $120 jacket at all three', () => {
    const r = computeTax([item(5_000, 'clothing'), item(12_000, 'clothing')], ctx(NY_COUNTY));
    // shirt: 5000 × 3.75 % = 187.5 → 188; jacket: 480 + 450 + 45
    expect(r.lines).toEqual([
      { tax: 188, taxes: [{ jurisdictionId: 'ny-dutchess', name: 'Dutchess County', ratePpm: 37_500, amount: 188 }] },
      {
        tax: 975,
        taxes: [
          { jurisdictionId: 'ny-state', name: 'New York State', ratePpm: 40_000, amount: 480 },
          { jurisdictionId: 'ny-dutchess', name: 'Dutchess County', ratePpm: 37_500, amount: 450 },
          { jurisdictionId: 'ny-mctd', name: 'MCTD', ratePpm: 3_750, amount: 45 }
        ]
      }
    ]);
    expect(r.tax).toBe(1_163);
  });
  it('exempts the shirt entirely in New York City, and taxes other categories at the full rate', () => {
    const r = computeTax([item(5_000, 'clothing'), item(5_000, 'general')], ctx(NYC));
    expect(r.lines[0]).toEqual({ tax: 0, taxes: [] });
    expect(r.lines[1]!.tax).toBe(200 + 225 + 19); // MCTD: 5000 × 0.375 % = 18.75 → 19
  });
  it('judges the price per item after the store’s discounts, exactly at the threshold', () => {
    const r = computeTax([item(22_000, 'clothing', 2), item(10_800, 'clothing'), item(21_999, 'clothing', 2)], ctx(NYC));
    expect(r.lines.map((l) => l.tax)).toEqual([
      880 + 990 + 83, // two at $110.00 each: taxed (82.5 → 83)
      0, // a $120 jacket sold at $108 after a discount
      0 // two items averaging $109.995
    ]);
  });
  it('rounds each component once per invoice when the location rounds by invoice', () => {
    const r = computeTax([item(5_000, 'clothing'), item(12_000, 'clothing')], ctx(NY_COUNTY, { rounding: 'invoice' }));
    // county: 187.5 + 450 = 637.5 → 638; the shirt's .5 remainder takes the unit
    expect(r.lines.map((l) => l.taxes!.map((t) => t.amount))).toEqual([[188], [480, 450, 45]]);
  });
});

describe('tax engine: Massachusetts clothing over $175', () => {
  it('taxes only the part of each item above $175', () => {
    const r = computeTax([item(20_000, 'clothing'), item(10_000, 'clothing'), item(36_000, 'clothing', 2), item(5_000)], ctx(MA));
    // 2500 × 6.25 % = 156.25 → 156; under $175: 0; 2 × $180 → 2 × $5 → 62.5 → 63; other goods 312.5 → 313
    expect(r.lines.map((l) => l.tax)).toEqual([156, 0, 63, 313]);
    expect(r.lines[1]!.taxes).toEqual([{ jurisdictionId: 'ma', name: 'Massachusetts', ratePpm: 62_500, amount: 0 }]);
  });
  it('refunds a blind return of the same item by the same rule', () => {
    const r = computeTax([item(-20_000, 'clothing', -1)], ctx(MA));
    expect(r.lines[0]!.tax).toBe(-156);
  });
  it('with inclusive prices, takes the tax out of the part above the threshold', () => {
    // 2500 above $175 holds 6.25 %: 2500 × 62500 / 1062500 = 147.06 → 147
    expect(computeTax([item(20_000, 'clothing')], ctx(MA, { pricesIncludeTax: true })).lines[0]!.tax).toBe(147);
  });
});

describe('tax engine: UK VAT 20 % included in prices', () => {
  it('takes the VAT out of the price and zero-rates children’s clothing', () => {
    const r = computeTax([item(2_400), item(1_200, 'kids-clothing'), item(999)], ctx(UK, { pricesIncludeTax: true, timeZone: 'Europe/London' }));
    // 2400 × 20/120 = 400; zero-rated: 0 at 0 %; 999/6 = 166.5 → 167
    expect(r.lines).toEqual([
      { tax: 400, taxes: [{ jurisdictionId: 'gb-vat', name: 'VAT', ratePpm: 200_000, amount: 400 }] },
      { tax: 0, taxes: [{ jurisdictionId: 'gb-vat', name: 'VAT', ratePpm: 0, amount: 0 }] },
      { tax: 167, taxes: [{ jurisdictionId: 'gb-vat', name: 'VAT', ratePpm: 200_000, amount: 167 }] }
    ]);
  });
});

describe('tax engine: Canada GST + PST', () => {
  it('charges both on general goods and only GST on children’s clothing', () => {
    const r = computeTax([item(10_000), item(3_000, 'kids-clothing')], ctx(BC, { timeZone: 'America/Vancouver' }));
    expect(r.lines.map((l) => l.taxes!.map((t) => [t.jurisdictionId, t.amount]))).toEqual([
      [
        ['ca-gst', 500],
        ['bc-pst', 700]
      ],
      [['ca-gst', 150]]
    ]);
    expect(r.tax).toBe(1_350);
  });
  it('rounds each tax separately: per line, or once per invoice with the remainder to the first lines', () => {
    const lines = [item(10), item(10), item(10)];
    // GST 0.5 and PST 0.7 a line: per line 1 + 1 each; per invoice GST 1.5 → 2 and PST 2.1 → 2
    expect(computeTax(lines, ctx(BC, { rounding: 'line' })).lines.map((l) => l.tax)).toEqual([2, 2, 2]);
    const inv = computeTax(lines, ctx(BC, { rounding: 'invoice' }));
    expect(inv.lines.map((l) => l.taxes!.map((t) => t.amount))).toEqual([
      [1, 1],
      [1, 1],
      [0, 0]
    ]);
    expect(inv.tax).toBe(4);
  });
  it('shares an inclusive price’s tax between the components in proportion to their rates', () => {
    // 11200 includes 12 %: 1200 of tax, 500 GST and 700 PST
    const r = computeTax([item(11_200)], ctx(BC, { pricesIncludeTax: true }));
    expect(r.lines[0]!.taxes!.map((t) => t.amount)).toEqual([500, 700]);
  });
});

describe('tax engine: effective dates at the store’s local midnight', () => {
  const change = (effectiveFrom: string): TaxTable => ({
    versions: [
      { components: [{ id: 's', name: 'State', kind: 'state', ratePpm: 40_000, rules: {} }] },
      { effectiveFrom, components: [{ id: 's', name: 'State', kind: 'state', ratePpm: 45_000, rules: {} }] }
    ]
  });
  const taxAt = (table: TaxTable, at: string, timeZone: string) => computeTax([item(10_000)], ctx(table, { at, timeZone }));

  it('applies a change dated the day after clocks fall back from midnight standard time', () => {
    // New York leaves DST at 02:00 on 1 Nov 2026; midnight starting 2 Nov is 05:00 UTC, not 04:00
    const t = change('2026-11-02');
    expect(new Date(effectiveInstant('2026-11-02', 'America/New_York')).toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(taxAt(t, '2026-11-02T04:59:59.999Z', 'America/New_York')).toMatchObject({ tax: 400, effectiveFrom: null });
    expect(taxAt(t, '2026-11-02T05:00:00.000Z', 'America/New_York')).toMatchObject({ tax: 450, effectiveFrom: '2026-11-02' });
  });
  it('applies a change dated the DST night itself from that local midnight', () => {
    const t = change('2026-03-08');
    expect(taxAt(t, '2026-03-08T04:59:59Z', 'America/New_York').tax).toBe(400);
    expect(taxAt(t, '2026-03-08T05:00:00Z', 'America/New_York').tax).toBe(450);
    expect(taxAt(t, '2026-03-08T07:30:00Z', 'America/New_York').tax).toBe(450); // 03:30 EDT
  });
  it('starts the day at 01:00 where clocks spring forward at midnight (Santiago)', () => {
    const t = change('2026-09-06');
    expect(new Date(effectiveInstant('2026-09-06', 'America/Santiago')).toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(taxAt(t, '2026-09-06T03:59:59Z', 'America/Santiago').tax).toBe(400);
    expect(taxAt(t, '2026-09-06T04:00:00Z', 'America/Santiago').tax).toBe(450);
  });
  it('uses the store’s zone, not UTC: the same instant is before the change in Los Angeles and after it in London', () => {
    const t = change('2026-07-01');
    expect(taxAt(t, '2026-07-01T06:00:00Z', 'America/Los_Angeles').tax).toBe(400);
    expect(taxAt(t, '2026-07-01T06:00:00Z', 'Europe/London').tax).toBe(450);
  });
  it('prices a sale before every dated version with the earliest, and refuses unordered versions', () => {
    const only: TaxTable = { versions: [{ effectiveFrom: '2027-01-01', components: [{ id: 's', name: 'S', kind: 'state', ratePpm: 40_000, rules: {} }] }] };
    expect(taxAt(only, '2026-12-01T12:00:00Z', 'UTC').tax).toBe(400);
    const unordered: TaxTable = { versions: [only.versions[0]!, { effectiveFrom: '2026-01-01', components: [] }] };
    expect(() => taxAt(unordered, '2026-12-01T12:00:00Z', 'UTC')).toThrow(RangeError);
  });
});

describe('tax engine: customer exemptions', () => {
  const exemption = { certificateNo: 'ST-120-0042', expiresOn: '2026-12-31' };
  it('zeroes the tax while the certificate is valid on the sale’s local date, expiry day included', () => {
    // 23:30 on 31 Dec in New York is already 1 Jan in UTC
    expect(computeTax([item(12_000, 'clothing')], ctx(NY_COUNTY, { at: '2027-01-01T04:30:00Z', exemption }))).toMatchObject({ tax: 0, customerExempt: true, lines: [{ tax: 0, taxes: [] }] });
    expect(computeTax([item(12_000, 'clothing')], ctx(NY_COUNTY, { at: '2027-01-01T05:00:00Z', exemption }))).toMatchObject({ tax: 975, customerExempt: false });
  });
  it('exempts only the listed jurisdictions when the certificate names them', () => {
    const state = { ...exemption, jurisdictions: ['ny-state', 'ny-mctd'] };
    // $120 of clothing: the county's 3.75 % stays due, the state's 4 % and the MCTD's 0.375 % do not
    const r = computeTax([item(12_000, 'clothing')], ctx(NY_COUNTY, { exemption: state }));
    expect(r).toMatchObject({ tax: 450, customerExempt: true });
    expect(r.lines[0]!.taxes!.map((t) => t.jurisdictionId)).toEqual(['ny-dutchess']);
    // expired: everything is due again
    expect(computeTax([item(12_000, 'clothing')], ctx(NY_COUNTY, { at: '2027-01-02T15:00:00Z', exemption: state }))).toMatchObject({ tax: 975, customerExempt: false });
  });
  it('still refunds a returned line’s recorded tax', () => {
    const fixed = { tax: -975, taxes: [{ jurisdictionId: 'ny-state', name: 'New York State', ratePpm: 40_000, amount: -975 }] };
    expect(computeTax([{ taxCategory: 'clothing', qty: -1, net: -12_000, fixed }], ctx(NY_COUNTY, { exemption })).lines[0]).toEqual(fixed);
  });
});

describe('tax engine: fixed lines and invalid input', () => {
  it('keeps a fixed line’s tax, with or without components, and refuses components that do not sum', () => {
    expect(computeTax([{ taxCategory: 'x', qty: -1, net: -1000, fixed: { tax: -89 } }], ctx(NY_COUNTY)).lines[0]).toEqual({ tax: -89 });
    const bad = { tax: -89, taxes: [{ jurisdictionId: 'a', name: 'A', ratePpm: 1, amount: -88 }] };
    expect(() => computeTax([{ taxCategory: 'x', qty: -1, net: -1000, fixed: bad }], ctx(NY_COUNTY))).toThrow(RangeError);
  });
  it('refuses rates over 100 %, duplicate components, fractional amounts and bad times', () => {
    const over: TaxTable = { versions: [{ components: [{ id: 'a', name: 'A', kind: 'state', ratePpm: 1_000_001, rules: {} }] }] };
    expect(() => computeTax([item(100)], ctx(over))).toThrow(RangeError);
    const twice: TaxTable = { versions: [{ components: [NY_COUNTY.versions[0]!.components[0]!, NY_COUNTY.versions[0]!.components[0]!] }] };
    expect(() => computeTax([item(100)], ctx(twice))).toThrow(RangeError);
    expect(() => computeTax([item(10.5)], ctx(NY_COUNTY))).toThrow(RangeError);
    expect(() => computeTax([item(100)], ctx(NY_COUNTY, { at: 'yesterday' }))).toThrow(RangeError);
  });
  it('turns a single-rate location into one component exempting its categories', () => {
    const t = tableFromSingleRate({ id: 'tax_rate:ny', name: 'NY 8.875 %', ratePpm: 88_750, exemptCategories: ['exempt'] });
    const r = computeTax([item(2_000, 'standard', 2), item(999, 'exempt')], ctx(t));
    expect(r.lines).toEqual([{ tax: 178, taxes: [{ jurisdictionId: 'tax_rate:ny', name: 'NY 8.875 %', ratePpm: 88_750, amount: 178 }] }, { tax: 0, taxes: [] }]);
  });
});
