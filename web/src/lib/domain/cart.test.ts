import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceCart, refundForReturn, returnLine, type CartLine, type Discount, type PricedLine, type TaxConfig } from './cart.ts';
import { cartLineSchema, saleLineSchema } from './schemas/index.ts';

const NY: TaxConfig = { ratePpm: 88_750, exemptCategories: ['exempt'], pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up' };
const VAT: TaxConfig = { ratePpm: 200_000, exemptCategories: ['zero'], pricesIncludeTax: true, rounding: 'line', roundingMode: 'half_even' };

let seq = 0;
function line(over: Partial<CartLine> = {}): CartLine {
  seq++;
  return {
    lineId: `l${seq}`,
    productId: `product:p${seq}`,
    variantId: `v${seq}`,
    sku: `SKU-${seq}`,
    name: `Item ${seq}`,
    taxCategory: 'standard',
    qty: 1,
    unitPrice: 1000,
    listPrice: over.unitPrice ?? 1000,
    ...over
  };
}

const sumOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('priceCart: tax', () => {
  it('adds exclusive tax per line, rounded half up', () => {
    const t = priceCart([line({ qty: 2, unitPrice: 1000 }), line({ unitPrice: 999 })], null, NY);
    // 2000 × 8.875 % = 177.5 → 178; 999 × 8.875 % = 88.66 → 89
    expect(t.lines.map((l) => l.tax)).toEqual([178, 89]);
    expect(t).toMatchObject({ subtotal: 2999, discountTotal: 0, taxTotal: 267, total: 3266 });
    expect(t.lines[0]).toEqual({ lineId: expect.any(String), productId: expect.any(String), variantId: expect.any(String), sku: expect.any(String), name: expect.any(String), taxCategory: 'standard', qty: 2, unitPrice: 1000, discount: 0, tax: 178, total: 2178 });
  });
  it('takes the tax out of inclusive prices', () => {
    const t = priceCart([line({ unitPrice: 1200 }), line({ unitPrice: 999 })], null, VAT);
    // 1200 × 0.2 / 1.2 = 200; 999 / 6 = 166.5 → 166 (half even)
    expect(t.lines.map((l) => [l.tax, l.total])).toEqual([
      [200, 1200],
      [166, 999]
    ]);
    expect(t).toMatchObject({ subtotal: 2199, taxTotal: 366, total: 2199 });
  });
  it('taxes exempt categories at zero', () => {
    const t = priceCart([line({ taxCategory: 'exempt', unitPrice: 500 }), line({ unitPrice: 1000 })], null, NY);
    expect(t.lines.map((l) => l.tax)).toEqual([0, 89]);
  });
  it('rounds per line or once per invoice', () => {
    const cfg: TaxConfig = { ratePpm: 50_000, exemptCategories: [], pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up' };
    const lines = [line({ unitPrice: 10 }), line({ unitPrice: 10 }), line({ unitPrice: 10 })]; // 0.5 cent of tax each
    expect(priceCart(lines, null, cfg).taxTotal).toBe(3);
    expect(priceCart(lines, null, { ...cfg, roundingMode: 'half_even' }).taxTotal).toBe(0);
    const inv = priceCart(lines, null, { ...cfg, rounding: 'invoice' });
    expect(inv.taxTotal).toBe(2); // 1.5 → 2
    expect(inv.lines.map((l) => l.tax)).toEqual([1, 1, 0]);
    expect(priceCart(lines, null, { ...cfg, rounding: 'invoice', roundingMode: 'half_even' }).lines.map((l) => l.tax)).toEqual([1, 1, 0]);
    const two = priceCart(lines.slice(0, 1).concat(lines.slice(0, 1)).concat(line({ unitPrice: 20 })), null, { ...cfg, rounding: 'invoice', roundingMode: 'half_even' });
    expect(two.taxTotal).toBe(2); // 0.5 + 0.5 + 1 = 2 exactly
  });
  it('gives the invoice rounding to the largest remainders', () => {
    const cfg: TaxConfig = { ratePpm: 100_000, exemptCategories: [], pricesIncludeTax: false, rounding: 'invoice', roundingMode: 'half_up' };
    // exact 0.4, 0.7, 0.9 = 2.0 → lines 0, 1, 1
    const t = priceCart([line({ unitPrice: 4 }), line({ unitPrice: 7 }), line({ unitPrice: 9 })], null, cfg);
    expect(t.lines.map((l) => l.tax)).toEqual([0, 1, 1]);
    expect(t.taxTotal).toBe(2);
  });
  it('handles zero and full rates', () => {
    expect(priceCart([line()], null, { ...NY, ratePpm: 0 }).taxTotal).toBe(0);
    expect(priceCart([line()], null, { ...NY, ratePpm: 1_000_000 }).taxTotal).toBe(1000);
    expect(priceCart([line()], null, { ...VAT, ratePpm: 1_000_000 }).taxTotal).toBe(500);
  });
});

describe('priceCart: discounts', () => {
  it('applies percent and amount line discounts, capping amounts at the line', () => {
    const t = priceCart(
      [
        line({ qty: 3, unitPrice: 333, discount: { kind: 'percent', value: 1000 } }), // 999 × 10 % = 99.9 → 100
        line({ unitPrice: 500, discount: { kind: 'amount', value: 800 } }) // capped at 500
      ],
      null,
      { ...NY, ratePpm: 0 }
    );
    expect(t.lines.map((l) => [l.discount, l.total])).toEqual([
      [100, 899],
      [500, 0]
    ]);
    expect(t.discountTotal).toBe(600);
  });
  it('spreads the order discount over sold lines by their net after line discounts', () => {
    const t = priceCart(
      [line({ unitPrice: 3000 }), line({ unitPrice: 2000, discount: { kind: 'amount', value: 1000 } }), line({ unitPrice: 0 })],
      { kind: 'amount', value: 1000 },
      { ...NY, ratePpm: 0 }
    );
    // eligible nets 3000 and 1000 → 750 and 250
    expect(t.lines.map((l) => l.discount)).toEqual([750, 1250, 0]);
    expect(t.total).toBe(4000 - 1000);
  });
  it('caps an order amount at the eligible net and rounds an order percent once', () => {
    const cfg = { ...NY, ratePpm: 0 };
    expect(priceCart([line({ unitPrice: 300 })], { kind: 'amount', value: 5000 }, cfg).total).toBe(0);
    const t = priceCart([line({ unitPrice: 333 }), line({ unitPrice: 333 }), line({ unitPrice: 333 })], { kind: 'percent', value: 1000 }, cfg);
    expect(t.discountTotal).toBe(100); // 99.9 → 100, not 3 × 33
    expect(t.lines.map((l) => l.discount)).toEqual([34, 33, 33]);
  });
  it('keeps returned (negative) lines out of the order discount', () => {
    const t = priceCart([line({ unitPrice: 1000 }), line({ qty: -1, unitPrice: 1000 })], { kind: 'percent', value: 5000 }, { ...NY, ratePpm: 0 });
    expect(t.lines.map((l) => l.discount)).toEqual([500, 0]);
    expect(t.total).toBe(-500);
  });
  it('mirrors a line discount on a blind return', () => {
    const t = priceCart([line({ qty: -2, unitPrice: 1000, discount: { kind: 'percent', value: 2500 } })], null, NY);
    expect(t.lines[0]).toMatchObject({ qty: -2, discount: -500, tax: -133, total: -1633 }); // -1500 × 8.875 % = -133.125
  });
  it('taxes the discounted net', () => {
    const t = priceCart([line({ unitPrice: 10_000 })], { kind: 'percent', value: 1000 }, NY);
    expect(t.lines[0]).toMatchObject({ discount: 1000, tax: 799, total: 9799 }); // 9000 × 8.875 % = 798.75
  });
});

describe('priceCart: line shape', () => {
  it('carries listPrice only on an override, plus note and returnOf, and matches saleLineSchema', () => {
    const t = priceCart(
      [line({ unitPrice: 800, listPrice: 1000, note: 'manager price' }), line({ unitPrice: 1000, listPrice: 1000 })],
      null,
      NY
    );
    expect(t.lines[0]!.listPrice).toBe(1000);
    expect(t.lines[0]!.note).toBe('manager price');
    expect('listPrice' in t.lines[1]!).toBe(false);
    expect('note' in t.lines[1]!).toBe(false);
    for (const l of t.lines) expect(saleLineSchema.parse(l)).toEqual(l);
  });
  it('refuses invalid lines', () => {
    expect(() => priceCart([line({ qty: 0 })], null, NY)).toThrow(RangeError);
    expect(() => priceCart([line({ qty: 1.5 })], null, NY)).toThrow(RangeError);
    expect(() => priceCart([line({ unitPrice: -1 })], null, NY)).toThrow(RangeError);
    expect(() => priceCart([line({ discount: { kind: 'percent', value: 10_001 } })], null, NY)).toThrow(RangeError);
    expect(() => priceCart([line()], { kind: 'amount', value: -1 }, NY)).toThrow(RangeError);
    expect(() => priceCart([line()], null, { ...NY, ratePpm: 1_000_001 })).toThrow(RangeError);
  });
  it('prices an empty cart at zero', () => {
    expect(priceCart([], { kind: 'amount', value: 100 }, NY)).toEqual({ lines: [], subtotal: 0, discountTotal: 0, taxTotal: 0, total: 0 });
  });
});

describe('returns', () => {
  const original = { qty: 3, unitPrice: 1000, discount: 1, tax: 266, total: 3265 }; // net 2999
  it('apportions net and tax so partial returns sum to the original', () => {
    const a = refundForReturn(original, 0, 1, false);
    const b = refundForReturn(original, 1, 1, false);
    const c = refundForReturn(original, 2, 1, false);
    expect([a, b, c]).toEqual([
      { net: -1000, tax: -89 }, // 2999 × 1/3 = 999.67 → 1000
      { net: -999, tax: -88 }, // 1999.33 → 1999
      { net: -1000, tax: -89 }
    ]);
    expect(refundForReturn(original, 0, 3, false)).toEqual({ net: -2999, tax: -266 });
    expect(refundForReturn(original, 1, 2, false)).toEqual({ net: -1999, tax: -177 });
  });
  it('uses the total as the net when prices include tax', () => {
    expect(refundForReturn({ qty: 2, unitPrice: 600, discount: 0, tax: 200, total: 1200 }, 0, 1, true)).toEqual({ net: -600, tax: -100 });
  });
  it('refuses returning more than was sold', () => {
    expect(() => refundForReturn(original, 2, 2, false)).toThrow('only 1 of 3');
    expect(() => refundForReturn(original, 0, 0, false)).toThrow(RangeError);
    expect(() => refundForReturn({ ...original, qty: -1 }, 0, 1, false)).toThrow(RangeError);
  });
  it('builds a fixed return line that prices to the refund, with no re-pricing or order discount', () => {
    const sale = priceCart([line({ qty: 2, unitPrice: 1500, discount: { kind: 'percent', value: 1000 } })], { kind: 'amount', value: 100 }, NY);
    const sold = sale.lines[0]!;
    const ret = returnLine('sale:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ', sold, 0, 1, false, 'r1');
    expect(cartLineSchema.parse(ret)).toEqual(ret);
    expect(ret).toMatchObject({ qty: -1, unitPrice: 1500, listPrice: 1500, returnOf: { saleId: 'sale:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ', lineId: sold.lineId } });
    // an exchange: the returned item plus a new one, with an order discount that only the new one gets
    const ex = priceCart([ret, line({ unitPrice: 2000 })], { kind: 'percent', value: 1000 }, { ...NY, ratePpm: 50_000 });
    const [r, n] = ex.lines;
    expect(r).toMatchObject({ qty: -1, discount: -1500 - ret.fixed!.net, tax: ret.fixed!.tax, total: ret.fixed!.net + ret.fixed!.tax });
    expect(n).toMatchObject({ discount: 200, tax: 90, total: 1890 });
    expect(ex.total).toBe(r!.total + 1890);
  });
});

// ---- property tests ---------------------------------------------------------------------------

const modeArb = fc.constantFrom<'half_up' | 'half_even'>('half_up', 'half_even');
const configArb: fc.Arbitrary<TaxConfig> = fc.record({
  ratePpm: fc.oneof(fc.constantFrom(0, 50_000, 88_750, 200_000, 1_000_000), fc.integer({ min: 0, max: 300_000 })),
  exemptCategories: fc.subarray(['food', 'exempt']),
  pricesIncludeTax: fc.boolean(),
  rounding: fc.constantFrom<'line' | 'invoice'>('line', 'invoice'),
  roundingMode: modeArb
});
const discountArb: fc.Arbitrary<Discount> = fc.oneof(
  fc.record({ kind: fc.constant('amount' as const), value: fc.integer({ min: 0, max: 200_000 }) }),
  fc.record({ kind: fc.constant('percent' as const), value: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 5000, 10_000)) })
);
function lineArb(qty: fc.Arbitrary<number>): fc.Arbitrary<CartLine> {
  return fc
    .record({
      qty,
      unitPrice: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 999 })),
      taxCategory: fc.constantFrom('standard', 'food', 'exempt'),
      discount: fc.option(discountArb, { nil: undefined })
    })
    .map((r) => line({ ...r, listPrice: r.unitPrice, ...(r.discount ? {} : { discount: undefined }) }));
}
const saleQty = fc.integer({ min: 1, max: 12 });
const anyQty = fc.integer({ min: -6, max: 12 }).filter((q) => q !== 0);
const orderArb = fc.option(discountArb, { nil: null });

/** 2 × denominator × |actual − exact| ≤ bound × denominator, with exact = numerator / denominator */
function within(actual: bigint, numerator: bigint, denominator: bigint, halves: bigint): boolean {
  const diff = actual * denominator - numerator;
  return 2n * (diff < 0n ? -diff : diff) <= halves * denominator;
}

function checkInvariants(lines: CartLine[], order: Discount | null, cfg: TaxConfig) {
  const t = priceCart(lines, order, cfg);
  expect(t.total).toBe(t.subtotal - t.discountTotal + (cfg.pricesIncludeTax ? 0 : t.taxTotal));
  expect(sumOf(t.lines.map((l) => l.total))).toBe(t.total);
  expect(sumOf(t.lines.map((l) => l.tax))).toBe(t.taxTotal);
  expect(sumOf(t.lines.map((l) => l.discount))).toBe(t.discountTotal);
  const rate = BigInt(cfg.ratePpm);
  const den = cfg.pricesIncludeTax ? 1_000_000n + rate : 1_000_000n;
  let exactInvoice = 0n;
  t.lines.forEach((p, i) => {
    const src = lines[i]!;
    const gross = p.qty * p.unitPrice;
    const net = gross - p.discount;
    expect(p.total).toBe(net + (cfg.pricesIncludeTax ? 0 : p.tax));
    // discount has the sign of qty and never exceeds the gross
    expect(Math.abs(p.discount)).toBeLessThanOrEqual(Math.abs(gross));
    expect(p.discount * Math.sign(p.qty)).toBeGreaterThanOrEqual(0);
    const numerator = cfg.ratePpm === 0 || cfg.exemptCategories.includes(src.taxCategory) ? 0n : BigInt(net) * rate;
    exactInvoice += numerator;
    if (numerator === 0n) expect(p.tax).toBe(0);
    // tax never has the opposite sign of the net
    expect(p.tax * Math.sign(net)).toBeGreaterThanOrEqual(0);
    if (cfg.rounding === 'line') expect(within(BigInt(p.tax), numerator, den, 1n)).toBe(true);
    else expect(within(BigInt(p.tax), numerator, den, 2n)).toBe(true); // floor or ceiling of the exact tax
    expect(saleLineSchema.safeParse(p).success).toBe(true);
  });
  if (cfg.rounding === 'invoice') expect(within(BigInt(t.taxTotal), exactInvoice, den, 1n)).toBe(true);
  return t;
}

describe('priceCart properties', () => {
  it('keeps the totals consistent for any sale cart and config', () => {
    fc.assert(
      fc.property(fc.array(lineArb(saleQty), { minLength: 1, maxLength: 12 }), orderArb, configArb, (lines, order, cfg) => {
        const t = checkInvariants(lines, order, cfg);
        expect(t.total).toBeGreaterThanOrEqual(0);
        expect(t.taxTotal).toBeGreaterThanOrEqual(0);
        t.lines.forEach((l) => {
          expect(l.discount).toBeGreaterThanOrEqual(0);
          expect(l.discount).toBeLessThanOrEqual(l.qty * l.unitPrice);
          expect(l.tax).toBeGreaterThanOrEqual(0);
        });
      }),
      { numRuns: 500 }
    );
  });
  it('keeps the totals consistent for carts with blind returns', () => {
    fc.assert(
      fc.property(fc.array(lineArb(anyQty), { minLength: 1, maxLength: 12 }), orderArb, configArb, (lines, order, cfg) => {
        checkInvariants(lines, order, cfg);
      }),
      { numRuns: 300 }
    );
  });
  it('gives the order discount exactly, only to sold non-fixed lines', () => {
    fc.assert(
      fc.property(fc.array(lineArb(anyQty), { minLength: 1, maxLength: 10 }), discountArb, (lines, order) => {
        const cfg = { ...NY, ratePpm: 0 };
        const without = priceCart(lines, null, cfg);
        const withOrder = priceCart(lines, order, cfg);
        const eligibleNet = sumOf(without.lines.filter((l) => l.qty > 0).map((l) => l.qty * l.unitPrice - l.discount));
        const expected =
          order.kind === 'amount' ? Math.min(order.value, eligibleNet) : eligibleNet > 0 ? Math.round((eligibleNet * order.value) / 10_000 + 1e-9) : 0;
        expect(withOrder.discountTotal - without.discountTotal).toBe(expected);
        withOrder.lines.forEach((l, i) => {
          if (l.qty < 0) expect(l.discount).toBe(without.lines[i]!.discount);
        });
      }),
      { numRuns: 300 }
    );
  });
});

describe('refund properties', () => {
  /** A sequence of positive chunks that add up to n. */
  const partitionArb = (n: number) =>
    fc.array(fc.integer({ min: 1, max: n }), { minLength: 1, maxLength: n }).map((xs) => {
      const out: number[] = [];
      let left = n;
      for (const x of xs) {
        if (left === 0) break;
        const take = Math.min(x, left);
        out.push(take);
        left -= take;
      }
      if (left > 0) out.push(left);
      return out;
    });

  it('refunds every line of a sale exactly, whatever the partial returns', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb(saleQty), { minLength: 1, maxLength: 6 }),
        orderArb,
        configArb,
        fc.array(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 12 }), { minLength: 6, maxLength: 6 }),
        (lines, order, cfg, chunkSeeds) => {
          const sale = priceCart(lines, order, cfg);
          let refundTotal = 0;
          sale.lines.forEach((sold, i) => {
            // split the sold qty into the chunks this line comes back in
            const chunks: number[] = [];
            let left = sold.qty;
            for (const c of chunkSeeds[i]!) {
              if (left === 0) break;
              chunks.push(Math.min(c, left));
              left -= Math.min(c, left);
            }
            if (left > 0) chunks.push(left);
            let returned = 0;
            let lineRefund = 0;
            let netRefund = 0;
            let taxRefund = 0;
            for (const k of chunks) {
              const ret = returnLine('sale:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ', sold, returned, k, cfg.pricesIncludeTax, `r${i}-${returned}`);
              // each return is its own document, priced with the same config (and any order discount, which must not touch it)
              const priced = priceCart([ret], order, cfg).lines[0]!;
              expect(priced.qty).toBe(-k);
              expect(priced.discount).toBeLessThanOrEqual(0);
              expect(Math.abs(priced.discount)).toBeLessThanOrEqual(k * sold.unitPrice);
              lineRefund += priced.total;
              netRefund += ret.fixed!.net;
              taxRefund += priced.tax;
              returned += k;
            }
            expect(lineRefund).toBe(0 - sold.total);
            expect(taxRefund).toBe(0 - sold.tax);
            expect(netRefund).toBe(0 - (sold.qty * sold.unitPrice - sold.discount));
            refundTotal += lineRefund;
          });
          expect(refundTotal).toBe(0 - sale.total);
        }
      ),
      { numRuns: 300 }
    );
  });

  it('apportions monotonically: every chunk is within one unit price per unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 10_000 }), (qty, unitPrice, bp) => {
        const gross = qty * unitPrice;
        const discount = Math.floor((gross * bp) / 10_000);
        const original = { qty, unitPrice, discount, tax: 0, total: gross - discount };
        return fc.assert(
          fc.property(partitionArb(qty), (chunks) => {
            let done = 0;
            for (const k of chunks) {
              const r = refundForReturn(original, done, k, true);
              expect(r.net).toBeLessThanOrEqual(0);
              expect(-r.net).toBeLessThanOrEqual(k * unitPrice);
              done += k;
            }
          }),
          { numRuns: 5 }
        );
      }),
      { numRuns: 100 }
    );
  });
});

// Keeps the PricedLine import honest: a priced line can be returned directly.
const _typecheck: (l: PricedLine) => CartLine = (l) => returnLine('sale:x', l, 0, 1, false, 'x');
void _typecheck;
