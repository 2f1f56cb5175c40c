import { describe, expect, it } from 'vitest';
import { designDocsFor } from '../../../../couch-design-docs/index.ts';
import { buildReport, COLUMNS, REPORTS, reportCsv, totalsRow } from './report-tables.ts';
import { saleFact } from './sales-analytics.ts';
import type { SaleDoc } from './schemas/index.ts';

const sale = (createdAt: string, qty: number, price: number, name = 'Tee, "classic"'): SaleDoc => ({
  _id: `sale:R1:01HZZZZZZZZZZZZZZZZZZZZZZ${qty > 0 ? 'A' : 'B'}`,
  type: 'sale',
  kind: qty > 0 ? 'sale' : 'return',
  locationCode: 'GM',
  registerId: 'device:R1',
  cashierId: 'user:c',
  cashierName: 'Carl',
  currency: 'USD',
  lines: [{ lineId: 'l1', productId: 'product:tee', variantId: 'tee-v01', sku: 'T', name, qty, unitPrice: price, discount: 0, tax: 0, total: qty * price }],
  subtotal: qty * price,
  discountTotal: 0,
  taxTotal: 0,
  pricesIncludeTax: false,
  total: qty * price,
  rounding: 0,
  tenders: [{ kind: 'cash', amount: qty * price }],
  change: 0,
  approvals: [],
  createdAt
});
const catalog = { categoryOf: () => ({ id: 'category:tops', name: 'Tops' }) };
const facts = [saleFact(sale('2026-03-03T15:00:00Z', 2, 1250), 'America/New_York', catalog), saleFact(sale('2026-03-04T15:00:00Z', -1, 1250), 'America/New_York', catalog)];
const input = { facts, closes: [], catalog, timeZoneOf: () => 'America/New_York', days: ['2026-03-02', '2026-03-03', '2026-03-04'] };

describe('report tables', () => {
  it('every report has columns and builds from facts', () => {
    for (const report of REPORTS) {
      const t = buildReport({ ...input, report });
      expect(t.columns).toBe(COLUMNS[report]);
      for (const row of t.rows) for (const key of Object.keys(row)) expect(typeof row[key] === 'string' || typeof row[key] === 'number').toBe(true);
      expect(t.totals[t.columns[0]!.key]).toBe('Total');
    }
  });

  it('the totals row is the sum of the rows; average basket from the totals', () => {
    const t = buildReport({ ...input, report: 'sales-by-day' });
    expect(t.totals).toMatchObject({ key: 'Total', transactions: 2, units: 1, gross: 2500, returns: 1250, net: 1250, collected: 1250, averageBasket: 625 });
    // line reports: a sale counted under two products is not two sales, so Transactions has no total
    expect(totalsRow(COLUMNS['sales-by-product'], [{ transactions: 2, units: 1, net: 5 }, { transactions: 1, units: 2, net: 7 }])).toEqual({ key: 'Total', units: 3, gross: 0, discounts: 0, returns: 0, net: 12, tax: 0, total: 0 });
  });

  it('sales by day lists every day of the range and charts net by day', () => {
    const t = buildReport({ ...input, report: 'sales-by-day' });
    expect(t.rows.map((r) => [r.key, r.net])).toEqual([
      ['2026-03-02', 0],
      ['2026-03-03', 2500],
      ['2026-03-04', -1250]
    ]);
    // one location: one series, the days of the range as they are (the page formats them)
    expect(t.chart).toEqual({ x: 'day', labels: ['2026-03-02', '2026-03-03', '2026-03-04'], series: [{ name: 'GM', values: [0, 2500, -1250] }], unit: 'money' });
    // tables people read rather than look at have no chart
    expect(buildReport({ ...input, report: 'z-reports' }).chart).toBeUndefined();
    expect(buildReport({ ...input, report: 'sales-by-product' }).chart).toMatchObject({ x: 'category', series: [{ name: 'Net sales' }] });
  });

  it('charts returns and discounts per day per store, and the top variants as bars; no chart for an empty list', () => {
    const refunds = buildReport({ ...input, report: 'refunds-voids' });
    expect(refunds.rows).toHaveLength(1);
    expect(refunds.chart).toEqual({ x: 'day', labels: input.days, series: [{ name: 'GM', values: [0, 0, refunds.rows[0]!.amount] }], unit: 'money' });
    expect(refunds.rows[0]!.amount).toBe(1250);
    expect(buildReport({ ...input, facts: facts.slice(0, 1), report: 'refunds-voids' }).chart).toBeUndefined();
    expect(buildReport({ ...input, report: 'discounts' }).chart).toBeUndefined(); // no discount given
    const plain = sale('2026-03-02T15:00:00Z', 1, 1000);
    const discounted: SaleDoc = { ...plain, _id: 'sale:R1:01HZZZZZZZZZZZZZZZZZZZZZZC', lines: plain.lines.map((l) => ({ ...l, discount: 200, total: 800 })), discountTotal: 200, total: 800, tenders: [{ kind: 'cash', amount: 800 }] };
    const discounts = buildReport({ ...input, facts: [...facts, saleFact(discounted, 'America/New_York', catalog)], report: 'discounts' });
    expect(discounts.rows.map((r) => [r.day, r.discount])).toEqual([['2026-03-02', 200]]);
    expect(discounts.chart).toEqual({ x: 'day', labels: input.days, series: [{ name: 'GM', values: [200, 0, 0] }], unit: 'money' });
    const variants = buildReport({ ...input, report: 'sales-by-variant' });
    expect(variants.chart).toMatchObject({ x: 'category', labels: ['T'], series: [{ name: 'Net sales', values: [1250] }] });
  });

  it('CSV: label header, money as decimals (negative too), quoted text', () => {
    const csv = reportCsv(buildReport({ ...input, report: 'sales-by-product' }));
    expect(csv.split('\r\n')).toEqual([
      'Product id,Product,Transactions,Units,Gross sales,Discounts,Returns,Net sales,Tax,Total sales',
      'product:tee,"Tee, ""classic""",2,1,25.00,0.00,12.50,12.50,0.00,12.50',
      'Total,,,1,25.00,0.00,12.50,12.50,0.00,12.50',
      ''
    ]);
    expect(reportCsv({ columns: [{ key: 'a', label: 'A', kind: 'money' }], rows: [{ a: -5 }] }, 'JPY')).toBe('A\r\n-5\r\n');
  });

  it('CSV times are the store’s wall clock in the row’s location, not UTC instants', () => {
    const table = { columns: [{ key: 'createdAt', label: 'Time', kind: 'datetime' as const }], rows: [{ createdAt: '2026-03-04T02:30:00.000Z', locationCode: 'GM' }] };
    expect(reportCsv(table, 'USD', () => 'America/New_York')).toBe('Time\r\n2026-03-03 21:30\r\n');
  });
});

describe('reports/by_time view', () => {
  const src = designDocsFor('location').find((d) => d._id === '_design/reports')?.views?.by_time?.map ?? '';
  const map = (doc: object) => {
    const out: unknown[] = [];
    (new Function('emit', `return (${src});`)((k: unknown, v: unknown) => out.push([k, v])) as (d: object) => void)(doc);
    return out;
  };
  it('keys sales, voids and layaway money by createdAt, shift closes by closedAt, nothing else', () => {
    expect(map({ type: 'sale', createdAt: '2026-03-03T15:00:00Z' })).toEqual([[['sale', '2026-03-03T15:00:00Z'], null]]);
    expect(map({ type: 'void', createdAt: '2026-03-03T16:00:00Z' })).toEqual([[['void', '2026-03-03T16:00:00Z'], null]]);
    for (const type of ['layaway', 'layaway_payment', 'layaway_close']) expect(map({ type, createdAt: '2026-03-03T16:00:00Z' })).toEqual([[[type, '2026-03-03T16:00:00Z'], null]]);
    expect(map({ type: 'shift_close', closedAt: '2026-03-03T23:00:00Z' })).toEqual([[['shift_close', '2026-03-03T23:00:00Z'], null]]);
    expect(map({ type: 'stock_movement', createdAt: '2026-03-03T15:00:00Z' })).toEqual([]);
  });
});
