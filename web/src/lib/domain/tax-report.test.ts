import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceCart, returnLine, type CartLine, type CartTax } from './cart.ts';
import { buildReport } from './report-tables.ts';
import { reversalFact, saleFact, taxByJurisdiction, type CatalogLookup, type SaleFact } from './sales-analytics.ts';
import { saleSchema, type SaleDoc, type VoidDoc } from './schemas/index.ts';
import type { TaxContext, TaxTable } from './tax/index.ts';
import { NYC_COMPONENTS, UNDER_110 as under110 } from './tax/tables.fixtures.ts';

const NY = 'America/New_York';
const NYC: TaxTable = {
  versions: [
    { components: NYC_COMPONENTS },
    // the city's share goes up on 1 March (illustrative): the report splits the rates by day
    {
      effectiveFrom: '2026-03-01',
      components: [
        { id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: under110 },
        { id: 'nyc', name: 'New York City', kind: 'city', ratePpm: 47_500, rules: under110 },
        { id: 'ny-mctd', name: 'MCTD', kind: 'special', ratePpm: 3_750, rules: under110 }
      ]
    }
  ]
};
const catalog: CatalogLookup = { categoryOf: () => undefined, taxRateOf: () => ({ id: 'tax_rate:ny', name: 'NY 8.875%', ratePpm: 88_750 }) };
const tableTax = (at: string, rounding: 'line' | 'invoice' = 'line'): TaxContext => ({ table: NYC, pricesIncludeTax: false, rounding, roundingMode: 'half_up', at, timeZone: NY });

let n = 0;
const id = () => `01HZZZZZZZZZZZZZZZZZZ${String(n++).padStart(5, '0')}`;
function item(unitPrice: number, taxCategory = 'general', qty = 1): CartLine {
  n++;
  return { lineId: `l${n}`, productId: `product:p${n}`, variantId: `p${n}-v01`, sku: `S${n}`, name: `Item ${n}`, taxCategory, qty, unitPrice, listPrice: unitPrice };
}
/** A sale document as the register writes it from a priced cart; checked by the schema the gateway uses. */
function sell(lines: CartLine[], createdAt: string, tax: CartTax): SaleDoc {
  const t = priceCart(lines, null, tax);
  return saleSchema.parse({
    _id: `sale:R1:${id()}`,
    type: 'sale',
    kind: lines.some((l) => l.qty < 0) ? (lines.some((l) => l.qty > 0) ? 'exchange' : 'return') : 'sale',
    locationCode: 'GM',
    registerId: 'register:r1',
    cashierId: 'user:c',
    currency: 'USD',
    lines: t.lines,
    subtotal: t.subtotal,
    discountTotal: t.discountTotal,
    taxTotal: t.taxTotal,
    pricesIncludeTax: false,
    total: t.total,
    tenders: t.total === 0 ? [] : [{ kind: 'cash', amount: t.total }],
    createdAt
  });
}
const voidOf = (s: SaleDoc, createdAt: string): VoidDoc => ({ _id: `void:${s._id.slice(5)}`, type: 'void', locationCode: 'GM', registerId: s.registerId, saleId: s._id, reason: 'mistake', lines: [], tenders: [], total: -s.total, cashierId: 'user:m', approvals: [], createdAt }) as unknown as VoidDoc;

describe('tax collected by jurisdiction', () => {
  it('sums the components the sales recorded, per day and rate; returns and voids subtract', () => {
    const feb = sell([item(5_000, 'clothing'), item(12_000, 'clothing')], '2026-02-28T20:00:00Z', tableTax('2026-02-28T20:00:00Z'));
    const mar = sell([item(12_000, 'clothing')], '2026-03-01T15:00:00Z', tableTax('2026-03-01T15:00:00Z'));
    const back = sell([returnLine(mar._id, mar.lines[0]!, 0, 1, false, 'r1')], '2026-03-02T15:00:00Z', tableTax('2026-03-02T15:00:00Z'));
    const legacy = sell([item(1_000)], '2026-03-02T16:00:00Z', { ratePpm: 88_750, exemptCategories: [], pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up' });
    const facts: SaleFact[] = [feb, mar, back, legacy].map((s) => saleFact(s, NY, catalog));
    facts.push(reversalFact(voidOf(feb, '2026-03-02T17:00:00Z'), feb, NY, catalog));
    const rows = taxByJurisdiction(facts, catalog).map((r) => [r.day, r.jurisdictionId, r.ratePpm, r.lines, r.tax]);
    expect(rows).toEqual([
      // the $50 shirt is exempt from all three in the city; the $120 jacket: 480 + 540 + 45
      ['2026-02-28', 'ny-mctd', 3_750, 1, 45],
      ['2026-02-28', 'ny-state', 40_000, 1, 480],
      ['2026-02-28', 'nyc', 45_000, 1, 540],
      ['2026-03-01', 'ny-mctd', 3_750, 1, 45],
      ['2026-03-01', 'ny-state', 40_000, 1, 480],
      ['2026-03-01', 'nyc', 47_500, 1, 570],
      // 2 March: the jacket returned (its recorded components back), February's sale voided, a single-rate sale
      // (the return is a line of its own, +1; the void takes February's line back, −1)
      ['2026-03-02', 'ny-mctd', 3_750, 0, -90],
      ['2026-03-02', 'ny-state', 40_000, 0, -960],
      ['2026-03-02', 'nyc', 47_500, 1, -570],
      ['2026-03-02', 'nyc', 45_000, -1, -540],
      ['2026-03-02', 'tax_rate:ny', 88_750, 1, 89]
    ]);
    const table = buildReport({ report: 'tax-by-jurisdiction', facts, closes: [], catalog, timeZoneOf: () => NY, days: [] });
    expect(table.rows[2]).toMatchObject({ name: 'New York City', ratePercent: '4.5', tax: 540 });
    expect(table.totals.tax).toBe(facts.reduce((a, f) => a + f.figures.tax, 0));
  });

  it('equals the sum of the sales’ line tax to the cent, in total and per day and jurisdiction', () => {
    const cartLine = fc
      .record({ unit: fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.constantFrom(99, 10_999, 11_000)), qty: fc.integer({ min: 1, max: 4 }), cat: fc.constantFrom('general', 'clothing') })
      .map((r) => item(r.unit, r.cat, r.qty));
    const saleArb = fc.record({
      lines: fc.array(cartLine, { minLength: 1, maxLength: 5 }),
      minute: fc.integer({ min: 0, max: 5 * 24 * 60 }),
      rounding: fc.constantFrom<'line' | 'invoice'>('line', 'invoice'),
      legacy: fc.boolean(),
      returned: fc.boolean(),
      voided: fc.boolean()
    });
    fc.assert(
      fc.property(fc.array(saleArb, { minLength: 1, maxLength: 8 }), (specs) => {
        const facts: SaleFact[] = [];
        const sales: SaleDoc[] = [];
        for (const sp of specs) {
          const at = new Date(Date.parse('2026-02-27T12:00:00Z') + sp.minute * 60_000).toISOString();
          const tax: CartTax = sp.legacy ? { ratePpm: 88_750, exemptCategories: [], pricesIncludeTax: false, rounding: sp.rounding, roundingMode: 'half_up' } : tableTax(at, sp.rounding);
          const s = sell(sp.lines, at, tax);
          sales.push(s);
          facts.push(saleFact(s, NY, catalog));
          if (sp.returned) {
            const back = sell([returnLine(s._id, s.lines[0]!, 0, 1, false, 'r')], at, tax);
            sales.push(back);
            facts.push(saleFact(back, NY, catalog));
          }
          if (sp.voided) facts.push(reversalFact(voidOf(s, at), s, NY, catalog));
        }
        const rows = taxByJurisdiction(facts, catalog);
        // in total: the report is the sales' tax, voids subtracting
        expect(rows.reduce((a, r) => a + r.tax, 0)).toBe(facts.reduce((a, f) => a + f.figures.tax, 0));
        // per day and jurisdiction: Σ of the lines' recorded components (or their tax, unsplit)
        const expected = new Map<string, number>();
        for (const f of facts) {
          for (const l of f.lines) {
            const parts = l.taxes ?? [{ jurisdictionId: 'tax_rate:ny', amount: l.figures.tax }];
            for (const p of parts) expected.set(`${f.day}|${p.jurisdictionId}`, (expected.get(`${f.day}|${p.jurisdictionId}`) ?? 0) + p.amount);
          }
        }
        const got = new Map<string, number>();
        for (const r of rows) got.set(`${r.day}|${r.jurisdictionId}`, (got.get(`${r.day}|${r.jurisdictionId}`) ?? 0) + r.tax);
        for (const [k, v] of expected) expect(got.get(k) ?? 0, k).toBe(v);
        for (const [k, v] of got) expect(expected.get(k) ?? 0, k).toBe(v);
        // and each sale's lines: components sum to the line's tax
        for (const s of sales) for (const l of s.lines) if (l.taxes) expect(l.taxes.reduce((a, t) => a + t.amount, 0)).toBe(l.tax);
      }),
      { numRuns: 150 }
    );
  });
});
