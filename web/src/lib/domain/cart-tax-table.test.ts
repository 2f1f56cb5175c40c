import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceCart, refundTaxes, returnLine, taxContextOfConfig, withExemption, type CartLine, type TaxConfig } from './cart.ts';
import { cartLineSchema, saleLineSchema } from './schemas/index.ts';
import { receiptTotals } from './sales-figures.ts';
import type { TaxContext } from './tax/index.ts';
import { NYC } from './tax/tables.fixtures.ts';

let seq = 0;
function line(over: Partial<CartLine> = {}): CartLine {
  seq++;
  return { lineId: `l${seq}`, productId: `product:p${seq}`, variantId: `v${seq}`, sku: `SKU-${seq}`, name: `Item ${seq}`, taxCategory: 'general', qty: 1, unitPrice: 1000, listPrice: over.unitPrice ?? 1000, ...over };
}

const NY = NYC;
const ctx = (over: Partial<TaxContext> = {}): TaxContext => ({ table: NY, pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up', at: '2026-12-07T15:00:00Z', timeZone: 'America/New_York', ...over });

describe('priceCart with a tax table', () => {
  it('records each line’s tax by component, and the sale lines validate', () => {
    const t = priceCart([line({ taxCategory: 'clothing', unitPrice: 5_000 }), line({ taxCategory: 'clothing', unitPrice: 12_000 })], null, ctx());
    expect(t.lines[0]).toMatchObject({ tax: 0, taxes: [], total: 5_000 });
    expect(t.lines[1]).toMatchObject({ tax: 1_065, total: 13_065 });
    expect(t.lines[1]!.taxes!.map((x) => [x.jurisdictionId, x.amount])).toEqual([
      ['ny-state', 480],
      ['nyc', 540],
      ['ny-mctd', 45]
    ]);
    for (const l of t.lines) expect(saleLineSchema.parse(l)).toEqual(l);
  });
  it('judges the threshold after the order discount', () => {
    // a 10 % order discount takes the $120 jacket to $108: under $110, no tax
    const t = priceCart([line({ taxCategory: 'clothing', unitPrice: 12_000 })], { kind: 'percent', value: 1_000 }, ctx());
    expect(t.lines[0]).toMatchObject({ discount: 1_200, tax: 0, taxes: [] });
  });
  it('charges a customer with a valid exemption certificate no tax, and one whose certificate expired the full tax', () => {
    const lines = [line({ unitPrice: 12_000 })];
    expect(priceCart(lines, null, withExemption(ctx(), { certificateNo: 'ST-120-1', expiresOn: '2026-12-07' })).taxTotal).toBe(0);
    expect(priceCart(lines, null, withExemption(ctx(), { certificateNo: 'ST-120-1', expiresOn: '2026-12-06' })).taxTotal).toBe(1_065);
  });
  it('says which certificate took tax off, so the sale records it; none when it took nothing off', () => {
    const lines = [line({ unitPrice: 12_000 })];
    const state = { certificateNo: 'ST-120-1', expiresOn: '2026-12-07', jurisdictions: ['ny-state'] };
    const t = priceCart(lines, null, withExemption(ctx(), state));
    expect(t.taxExemption).toEqual(state);
    expect(t.taxTotal).toBe(1_065 - 480);
    expect(priceCart(lines, null, withExemption(ctx(), { ...state, expiresOn: '2026-12-06' })).taxExemption).toBeUndefined();
    expect(priceCart(lines, null, ctx()).taxExemption).toBeUndefined();
  });
  it('returns refund each component: partial returns give back exactly what the line charged', () => {
    const sold = priceCart([line({ qty: 3, unitPrice: 12_345 })], null, ctx()).lines[0]!;
    const r1 = returnLine('sale:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ', sold, 0, 1, false, 'r1');
    const r2 = returnLine('sale:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ', sold, 1, 2, false, 'r2');
    expect(cartLineSchema.parse(r1)).toEqual(r1);
    for (const r of [r1, r2]) expect(r.fixed!.taxes!.reduce((a, x) => a + x.amount, 0)).toBe(r.fixed!.tax);
    sold.taxes!.forEach((c, i) => expect(r1.fixed!.taxes![i]!.amount + r2.fixed!.taxes![i]!.amount).toBe(-c.amount));
    // the refund prices as recorded, components and all
    const refund = priceCart([r1], null, ctx());
    expect(refund.lines[0]!.taxes).toEqual(r1.fixed!.taxes);
    expect(saleLineSchema.parse(refund.lines[0])).toEqual(refund.lines[0]);
  });
  it('prices a single-rate location exactly as before and records no components', () => {
    const cfg: TaxConfig = { ratePpm: 88_750, exemptCategories: ['exempt'], pricesIncludeTax: false, rounding: 'invoice', roundingMode: 'half_up' };
    const lines = [line({ qty: 2 }), line({ unitPrice: 999 }), line({ taxCategory: 'exempt' })];
    const legacy = priceCart(lines, null, cfg);
    expect(legacy.lines.every((l) => !('taxes' in l))).toBe(true);
    const viaTable = priceCart(lines, null, taxContextOfConfig(cfg, 'tax_rate:ny', 'NY'));
    expect(viaTable.lines.map((l) => l.tax)).toEqual(legacy.lines.map((l) => l.tax));
    expect(viaTable.lines[0]!.taxes).toEqual([{ jurisdictionId: 'tax_rate:ny', name: 'NY', ratePpm: 88_750, amount: legacy.lines[0]!.tax }]);
  });
});

describe('refundTaxes properties', () => {
  it('splits every partial return so it sums to its tax and all returns sum to each component', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }), (amounts, chunks) => {
        const qty = chunks.reduce((a, b) => a + b, 0);
        const taxes = amounts.map((amount, i) => ({ jurisdictionId: `c${i}`, name: `C${i}`, ratePpm: 10_000, amount }));
        const tax = amounts.reduce((a, b) => a + b, 0);
        const back = amounts.map(() => 0);
        let done = 0;
        for (const k of chunks) {
          const part = refundTaxes({ qty, tax, taxes }, done, k)!;
          // round(tax × n / qty), halves up (all non-negative here)
          const upTo = (n: number) => (BigInt(tax) * BigInt(n) * 2n + BigInt(qty)) / (2n * BigInt(qty));
          const partTax = Number(upTo(done) - upTo(done + k));
          expect(part.reduce((a, x) => a + x.amount, 0)).toBe(partTax);
          part.forEach((x, i) => (back[i]! -= x.amount));
          done += k;
        }
        expect(back).toEqual(amounts);
      })
    );
  });
});

describe('the receipt’s tax by jurisdiction', () => {
  it('prints each component’s tax with its rate, and they add up to the total', () => {
    const t = priceCart([line({ taxCategory: 'clothing', unitPrice: 5_000 }), line({ taxCategory: 'clothing', unitPrice: 12_000 }), line({ unitPrice: 2_000 })], null, ctx());
    const totals = receiptTotals({ lines: t.lines, rounding: 0, total: t.total });
    expect(totals.map((x) => [x.label, x.amount])).toEqual([
      ['Subtotal', 19_000],
      ['New York State 4%', 560],
      ['New York City 4.5%', 630],
      ['MCTD 0.375%', 53],
      ['TOTAL', 20_243]
    ]);
    expect(t.total).toBe(19_000 + 560 + 630 + 53);
  });

  it('tax inside the prices: "Incl." each component after the total; a line without components is plain Tax', () => {
    const t = priceCart([line({ unitPrice: 10_875 })], null, ctx({ pricesIncludeTax: true }));
    const old = { ...line({ unitPrice: 1_000 }), discount: 0, tax: 80, total: 1_000 };
    const totals = receiptTotals({ lines: [...t.lines, old], rounding: 0, total: t.total + 1_000, pricesIncludeTax: true });
    const incl = totals.filter((x) => x.label.startsWith('Incl. ') || x.label === 'Tax');
    expect(incl.map((x) => x.label)).toEqual(['Incl. New York State 4%', 'Incl. New York City 4.5%', 'Incl. MCTD 0.375%', 'Incl. Tax']);
    expect(incl.reduce((a, x) => a + x.amount, 0)).toBe(t.taxTotal + 80);
  });
});
