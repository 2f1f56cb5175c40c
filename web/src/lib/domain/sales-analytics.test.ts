import { describe, expect, it } from 'vitest';
import { addDays, businessDay, daysBetween, localHour, startOfDay, utcRange, weekStart } from './business-day.ts';
import {
  discountsAndOverrides,
  fillHours,
  matchesJournal,
  refundsAndVoids,
  reversalFact,
  saleFact,
  salesBy,
  taxByRate,
  tendersBy,
  topBy,
  totals,
  voidIdOf,
  zReports,
  type CatalogLookup,
  type LayawayMoneyDoc
} from './sales-analytics.ts';
import type { SaleDoc, ShiftCloseDoc, VoidDoc } from './schemas/index.ts';

const NY = 'America/New_York';
const ULID = '01HZZZZZZZZZZZZZZZZZZZZZZ';
let n = 0;
const ulid = () => `${ULID.slice(0, 25 - String(n).length)}${n++}`.padEnd(26, '0').slice(0, 26);

type Line = SaleDoc['lines'][number];
function line(productId: string, qty: number, unitPrice: number, opts: Partial<Line> = {}): Line {
  const discount = opts.discount ?? 0;
  const tax = opts.tax ?? Math.round((qty * unitPrice - discount) * 0.1);
  return { lineId: `l${n++}`, productId, variantId: `${productId.slice(8)}-v01`, sku: productId, name: productId.slice(8), qty, unitPrice, discount, tax, total: qty * unitPrice - discount + tax, ...opts };
}
function sale(createdAt: string, lines: Line[], opts: Partial<SaleDoc> = {}): SaleDoc {
  const subtotal = lines.reduce((a, l) => a + l.qty * l.unitPrice, 0);
  const discountTotal = lines.reduce((a, l) => a + l.discount, 0);
  const taxTotal = lines.reduce((a, l) => a + l.tax, 0);
  const total = lines.reduce((a, l) => a + l.total, 0);
  return {
    _id: `sale:R1:${ulid()}`,
    type: 'sale',
    kind: lines.every((l) => l.qty < 0) ? 'return' : 'sale',
    locationCode: 'GM',
    registerId: 'device:R1',
    cashierId: 'user:carl',
    cashierName: 'Carl',
    currency: 'USD',
    lines,
    subtotal,
    discountTotal,
    taxTotal,
    pricesIncludeTax: false,
    total,
    rounding: 0,
    tenders: [{ kind: total < 0 ? 'cash' : 'card_external', amount: total }],
    change: 0,
    approvals: [],
    createdAt,
    ...opts
  };
}
function voidOf(s: SaleDoc, createdAt: string): VoidDoc {
  return {
    _id: voidIdOf(s._id),
    type: 'void',
    locationCode: s.locationCode,
    registerId: s.registerId,
    saleId: s._id,
    reason: 'wrong item',
    lines: s.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
    tenders: s.tenders.map((t) => ({ ...t, amount: -t.amount })),
    total: -s.total,
    cashierId: s.cashierId,
    approvals: [{ action: 'void', staffId: 'user:maria', staffName: 'Maria Manager', at: createdAt }],
    createdAt
  };
}
const catalog: CatalogLookup = {
  categoryOf: (id) => (id === 'product:tee' ? { id: 'category:tops', name: 'Tops' } : id === 'product:jeans' ? { id: 'category:bottoms', name: 'Bottoms' } : undefined),
  taxRateOf: (_loc, cat) => (cat === 'exempt' ? undefined : { id: 'tax_rate:ny', name: 'NY 8.875%', ratePpm: 88_750 })
};
const fact = (s: SaleDoc, v?: VoidDoc) => saleFact(s, NY, catalog, v);

describe('business days in the location time zone', () => {
  it('a sale late in the evening in New York belongs to that local day, though UTC is already the next', () => {
    expect(businessDay('2026-03-04T02:30:00.000Z', NY)).toBe('2026-03-03'); // 21:30 EST
    expect(localHour('2026-03-04T02:30:00.000Z', NY)).toBe(21);
    expect(businessDay('2026-03-04T05:00:00.000Z', NY)).toBe('2026-03-04'); // 00:00 EST
    expect(businessDay('2026-03-04T04:59:59.999Z', NY)).toBe('2026-03-03');
    // the same instant is a different day in Tokyo
    expect(businessDay('2026-03-03T16:00:00.000Z', 'Asia/Tokyo')).toBe('2026-03-04');
  });

  it('day starts are local midnight, across the DST changes (23- and 25-hour days)', () => {
    expect(new Date(startOfDay('2026-03-08', NY)).toISOString()).toBe('2026-03-08T05:00:00.000Z'); // EST
    expect(new Date(startOfDay('2026-03-09', NY)).toISOString()).toBe('2026-03-09T04:00:00.000Z'); // EDT
    expect(startOfDay('2026-03-09', NY) - startOfDay('2026-03-08', NY)).toBe(23 * 3_600_000);
    expect(startOfDay('2026-11-02', NY) - startOfDay('2026-11-01', NY)).toBe(25 * 3_600_000);
    expect(utcRange('2026-11-01', '2026-11-01', NY)).toEqual({ start: '2026-11-01T04:00:00.000Z', end: '2026-11-02T05:00:00.000Z' });
    // 01:30 local happens twice on 1 November 2026; both are that business day
    expect(businessDay('2026-11-01T05:30:00.000Z', NY)).toBe('2026-11-01');
    expect(businessDay('2026-11-01T06:30:00.000Z', NY)).toBe('2026-11-01');
    expect(localHour('2026-11-01T06:30:00.000Z', NY)).toBe(1);
  });

  it('a zone whose clocks spring forward at midnight starts that day at 01:00', () => {
    // America/Santiago: 2026-09-06 00:00 → 01:00 (UTC−4 → UTC−3)
    const start = startOfDay('2026-09-06', 'America/Santiago');
    expect(businessDay(new Date(start).toISOString(), 'America/Santiago')).toBe('2026-09-06');
    expect(businessDay(new Date(start - 1).toISOString(), 'America/Santiago')).toBe('2026-09-05');
  });

  it('date helpers: inclusive day lists, ISO weeks start on Monday', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(weekStart('2026-11-25')).toBe('2026-11-23'); // Wednesday → Monday
    expect(weekStart('2026-11-29')).toBe('2026-11-23'); // Sunday
    expect(weekStart('2026-11-23')).toBe('2026-11-23');
  });
});

describe('sales facts and aggregates', () => {
  const s1 = sale('2026-03-03T15:00:00.000Z', [line('product:tee', 2, 1000), line('product:jeans', 1, 5000, { discount: 500 })]);
  const s2 = sale('2026-03-04T02:30:00.000Z', [line('product:tee', 1, 1000)], { cashierId: 'user:ana', cashierName: 'Ana' }); // 21:30 on the 3rd
  const ret = sale('2026-03-04T16:00:00.000Z', [line('product:tee', -1, 1000)], { approvals: [{ action: 'refund_without_receipt', staffId: 'user:maria', staffName: 'Maria Manager', at: '2026-03-04T16:00:00.000Z' }] });
  const voided = sale('2026-03-04T17:00:00.000Z', [line('product:jeans', 1, 5000)]);
  // voided the next morning: the sale counts on the 4th, its void takes it back off on the 5th
  const v = voidOf(voided, '2026-03-05T14:00:00.000Z');
  const facts = [fact(s1), fact(s2), fact(ret), fact(voided, v), reversalFact(v, voided, NY, catalog)];

  it('a sale becomes gross (before discounts), discounts, net without tax, units and local day/hour', () => {
    const f = fact(s1);
    expect(f).toMatchObject({ day: '2026-03-03', hour: 10, voided: false });
    expect(f.figures).toEqual({ transactions: 1, units: 3, gross: 7000, discounts: 500, returns: 0, net: 6500, tax: 650, total: 7150, rounding: 0, collected: 7150, averageBasket: 6500 });
    expect(f.lines.map((l) => [l.categoryName, l.figures.gross, l.figures.net])).toEqual([
      ['Tops', 2000, 2000],
      ['Bottoms', 5000, 4500]
    ]);
  });

  it('prices that include tax have the tax taken out of gross, discounts and net', () => {
    const incl = sale('2026-03-03T15:00:00.000Z', [{ ...line('product:tee', 1, 1100, { tax: 100 }), total: 1100 }], { pricesIncludeTax: true, total: 1100, tenders: [{ kind: 'cash', amount: 1100 }] });
    expect(fact(incl).figures).toMatchObject({ gross: 1000, discounts: 0, net: 1000, tax: 100, total: 1100 });
    // 110.00 with 10 % tax inside, 11.00 off: charged 99.00 of which 9.00 tax → gross 100.00, discount 10.00, net 90.00
    const off = sale('2026-03-03T15:00:00.000Z', [{ ...line('product:tee', 1, 11_000, { discount: 1100, tax: 900 }), total: 9900 }], { pricesIncludeTax: true, total: 9900, tenders: [{ kind: 'cash', amount: 9900 }] });
    expect(fact(off).figures).toMatchObject({ gross: 10_000, discounts: 1000, net: 9000, tax: 900, total: 9900 });
  });

  it('totals: a void takes its sale back off, returns subtract', () => {
    const t = totals(facts);
    expect(t).toMatchObject({ transactions: 3, units: 3, gross: 8000, discounts: 500, returns: 1000, net: 6500, tax: 650, total: 7150 });
    expect(t.averageBasket).toBe(Math.round(6500 / 3));
    expect(totals([])).toMatchObject({ transactions: 0, averageBasket: 0 });
  });

  it('by day uses the business day: the 21:30 sale counts on the 3rd; a void counts on the day it is made', () => {
    expect(salesBy(facts, 'day').map((r) => [r.key, r.transactions, r.gross, r.returns, r.net])).toEqual([
      ['2026-03-03', 2, 8000, 0, 7500],
      ['2026-03-04', 2, 5000, 1000, 4000],
      ['2026-03-05', -1, -5000, 0, -5000]
    ]);
    // voided the same day, the sale nets out of that day and its row
    const sameDay = [fact(voided, v), reversalFact({ ...v, createdAt: '2026-03-04T17:05:00.000Z' }, voided, NY, catalog)];
    expect(salesBy(sameDay, 'day')).toEqual([]);
    expect(salesBy(sameDay, 'product')).toEqual([]);
  });

  it('by hour, employee, location, category, product, variant', () => {
    expect(fillHours(salesBy(facts, 'hour')).filter((r) => r.transactions).map((r) => [r.label, r.net])).toEqual([
      ['09:00', -5000],
      ['10:00', 6500],
      ['11:00', -1000],
      ['12:00', 5000],
      ['21:00', 1000]
    ]);
    expect(salesBy(facts, 'employee').map((r) => [r.label, r.transactions, r.net])).toEqual([
      ['Carl', 2, 5500],
      ['Ana', 1, 1000]
    ]);
    expect(salesBy(facts, 'location').map((r) => [r.key, r.net])).toEqual([['GM', 6500]]);
    expect(salesBy(facts, 'category').map((r) => [r.label, r.transactions, r.units, r.net, r.returns])).toEqual([
      ['Bottoms', 1, 1, 4500, 0],
      ['Tops', 3, 2, 2000, 1000]
    ]);
    expect(topBy(facts, 'product', 1)).toEqual([{ key: 'product:jeans', label: 'jeans', units: 1, net: 4500 }]);
  });

  it('product rows carry the product’s name; variant rows each variant’s', () => {
    const named: CatalogLookup = { ...catalog, productName: (id) => (id === 'product:jacket' ? 'Jacket' : undefined) };
    const jacket = (variant: string, qty: number, discount = 0) => ({ ...line('product:jacket', qty, 8999, { discount }), variantId: `jacket-${variant}`, sku: `JKT-${variant}`, name: `Jacket · L / ${variant}` });
    const a = sale('2026-03-03T15:00:00.000Z', [jacket('Burgundy', 1, 4500), jacket('Grey', 1)]);
    const b = sale('2026-03-03T16:00:00.000Z', [jacket('Sand', 1)]);
    const fs = [saleFact(a, NY, named), saleFact(b, NY, named)];
    expect(salesBy(fs, 'product').map((r) => [r.key, r.label, r.units, r.gross, r.discounts, r.net])).toEqual([['product:jacket', 'Jacket', 3, 3 * 8999, 4500, 3 * 8999 - 4500]]);
    expect(topBy(fs, 'product')).toEqual([{ key: 'product:jacket', label: 'Jacket', units: 3, net: 3 * 8999 - 4500 }]);
    expect(salesBy(fs, 'variant').map((r) => [r.label, r.sku, r.productId, r.units, r.net])).toEqual([
      ['Jacket · L / Grey', 'JKT-Grey', 'product:jacket', 1, 8999],
      ['Jacket · L / Sand', 'JKT-Sand', 'product:jacket', 1, 8999],
      ['Jacket · L / Burgundy', 'JKT-Burgundy', 'product:jacket', 1, 4499]
    ]);
    // without a catalog name (a deleted product), the product part of the line's name
    expect(salesBy([saleFact(b, NY, catalog)], 'product')[0]!.label).toBe('Jacket');
  });

  it('tax by rate, with exempt lines under "No tax"', () => {
    const exempt = sale('2026-03-03T15:00:00.000Z', [line('product:food', 1, 300, { tax: 0, taxCategory: 'exempt' })]);
    const rows = taxByRate([...facts, fact(exempt)], catalog);
    expect(rows).toEqual([
      { rateId: 'tax_rate:ny', rateName: 'NY 8.875%', ratePpm: 88_750, locationCode: 'GM', taxable: 6500, tax: 650 }, // the voided jeans in and out
      { rateId: 'none', rateName: 'No tax', ratePpm: 0, locationCode: 'GM', taxable: 300, tax: 0 }
    ]);
  });

  it('tenders: cash less change, refunds out; a void gives its money back; layaway money apart from sales', () => {
    const cash = sale('2026-03-03T15:00:00.000Z', [line('product:tee', 1, 1000)], { tenders: [{ kind: 'cash', amount: 2000 }], change: 900 });
    const deposit = { _id: 'layaway:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ', type: 'layaway', tenders: [{ kind: 'cash', amount: 3000 }], change: 500 } as unknown as LayawayMoneyDoc;
    const cancel = { _id: 'layaway_close:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ', type: 'layaway_close', tenders: [{ kind: 'cash', amount: -2250 }], feeKept: 250 } as unknown as LayawayMoneyDoc;
    const rows = tendersBy([fact(cash), fact(ret), fact(voided, v), reversalFact(v, voided, NY, catalog)], [deposit, cancel]);
    expect(rows.find((r) => r.kind === 'cash')).toEqual({ kind: 'cash', count: 2, taken: 1100 + 2500, refunded: 1100 + 2250, net: 250, sales: 0, layaways: 250 });
    expect(rows.find((r) => r.kind === 'card_external')).toEqual({ kind: 'card_external', count: 1, taken: 5500, refunded: 5500, net: 0, sales: 0, layaways: 0 });
  });

  it('discounts and price overrides with their approvals', () => {
    const over = sale('2026-03-03T18:00:00.000Z', [line('product:tee', 1, 800, { listPrice: 1000 })], {
      approvals: [{ action: 'price_override', staffId: 'user:maria', staffName: 'Maria Manager', at: '2026-03-03T18:00:00.000Z' }]
    });
    const rows = discountsAndOverrides([...facts, fact(over)]);
    expect(rows.map((r) => [r.saleId, r.type, r.discount, r.overrides, r.approvals.map((a) => a.staffName)])).toEqual([
      [over._id, 'sale', 0, 1, ['Maria Manager']],
      [s1._id, 'sale', 500, 0, []]
    ]);
  });

  it('refunds and voids, newest first, with who approved them', () => {
    const rows = refundsAndVoids(facts);
    expect(rows.map((r) => [r.kind, r.saleId, r.net, r.tax, r.amount, r.approvedBy, r.day])).toEqual([
      ['void', voided._id, 5000, 500, 5500, 'Maria Manager', '2026-03-05'],
      ['return', ret._id, 1000, 100, 1100, 'Maria Manager', '2026-03-04']
    ]);
  });

  it('journal filters: type, cashier, register, receipt number', () => {
    const pick = (f: Parameters<typeof matchesJournal>[1]) => facts.filter((s) => matchesJournal(s, f)).map((s) => s.saleId);
    expect(pick({ type: 'voided' })).toEqual([voided._id]);
    expect(pick({ type: 'return' })).toEqual([ret._id]);
    expect(pick({ type: 'sale' })).toEqual([s1._id, s2._id]);
    expect(pick({ cashierId: 'user:ana' })).toEqual([s2._id]);
    expect(pick({ registerId: 'device:R2' })).toEqual([]);
    expect(pick({ q: s2._id.slice(-8).toLowerCase() })).toEqual([s2._id]);
  });

  it('Z reports read the stored report, in the location time zone', () => {
    const close = {
      _id: 'shift_close:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ',
      type: 'shift_close',
      locationCode: 'GM',
      registerId: 'device:R1',
      shiftId: 'shift:R1:01HZZZZZZZZZZZZZZZZZZZZZZZ',
      closedBy: 'user:maria',
      closedByName: 'Maria Manager',
      denominations: {},
      countedCash: 15000,
      expectedCash: 15100,
      overShort: -100,
      report: { salesCount: 4, netSales: 9000 },
      unsyncedAtClose: 0,
      approvals: [],
      closedAt: '2026-03-04T03:00:00.000Z'
    } as ShiftCloseDoc;
    // an older report without tax: its figures read by today's definitions (domain/shift-report.ts storedShiftReport)
    expect(zReports([close], () => NY)).toEqual([expect.objectContaining({ day: '2026-03-03', closedBy: 'Maria Manager', transactions: 4, net: 9000, gross: 9000, overShort: -100 })]);
  });
});
