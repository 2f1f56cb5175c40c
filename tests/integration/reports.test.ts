import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb, locationDb } from '#domain/db-names.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { login, startTestServer, type TestServer } from './support/server.ts';
import { makeApproval, makeProduct, makeSale, makeVoid } from '../support/fixtures.ts';

let s: TestServer;
let t = '';
let owner = '';
let gmManager = '';
let cashier = '';
const PW = 'correct-horse-battery';
const product = makeProduct();
const variant = product.variants[0]!;

type Sale = ReturnType<typeof makeSale>;
/** A sale of `qty` × `price` (tax 10 %) at `loc`, made at `createdAt`. */
function sale(loc: string, createdAt: string, qty = 1, price = 1000, overrides: Record<string, unknown> = {}): Sale {
  const tax = Math.round(qty * price * 0.1);
  const total = qty * price + tax;
  return makeSale(loc, `${loc}-1`, {
    createdAt,
    cashierId: 'user:carl',
    cashierName: 'Carl Cashier',
    lines: [{ lineId: 'l1', productId: product._id, variantId: variant.id, sku: variant.sku, name: 'Test tee', taxCategory: 'clothing', qty, unitPrice: price, discount: 0, tax, total }],
    subtotal: qty * price,
    taxTotal: tax,
    total,
    tenders: [{ kind: 'cash', amount: total }],
    ...(qty < 0 ? { kind: 'return' } : {}),
    ...overrides
  });
}

// GM is New York, HM Chicago. 2026-03-04T02:30Z is 21:30 on 3 March in New York.
const gmEvening = sale('GM', '2026-03-04T02:30:00.000Z', 2);
const gmMorning = sale('GM', '2026-03-04T15:00:00.000Z', 1, 5000);
const gmReturn = sale('GM', '2026-03-04T16:00:00.000Z', -1, 1000, { approvals: [makeApproval('user:maria', 'refund_without_receipt', 'Maria Manager')] });
const gmVoided = sale('GM', '2026-03-04T17:00:00.000Z', 3);
const gmVoid = makeVoid(gmVoided, [makeApproval('user:maria', 'void', 'Maria Manager')], { createdAt: '2026-03-04T17:05:00.000Z' });
const hmSale = sale('HM', '2026-03-03T20:00:00.000Z', 4);

beforeAll(async () => {
  s = await startTestServer();
  t = (
    await createTenant(
      { couch: s.couch },
      { name: 'Report Co', plan: 'pro', adminEmail: 'o@reports.test', adminPassword: PW, locations: [{ code: 'GM', timeZone: 'America/New_York' }, { code: 'HM', timeZone: 'America/Chicago' }] }
    )
  ).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@reports.test', name: 'GM manager', role: 'manager', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 'c@reports.test', name: 'Cashier', role: 'cashier', locations: ['GM'], password: PW });
  [owner, gmManager, cashier] = await Promise.all([login(s, 'o@reports.test', PW), login(s, 'm@reports.test', PW), login(s, 'c@reports.test', PW)]);
  const catalog = s.couch.use(catalogDb(t));
  await catalog.insert(product);
  await catalog.insert({ _id: 'category:tees', type: 'category', name: 'Tees', updatedAt: new Date().toISOString(), updatedBy: 'user:test' });
  await s.couch.use(locationDb(t, 'GM')).bulk({ docs: [gmEvening, gmMorning, gmReturn, gmVoided, gmVoid] });
  await s.couch.use(locationDb(t, 'HM')).insert(hmSale);
});

afterAll(async () => {
  await s?.stop();
});

const json = async <T>(res: Response) => (await res.json()) as T;
interface Report {
  columns: { key: string; label: string }[];
  rows: Record<string, string | number>[];
  totals: Record<string, string | number>;
  locations: string[];
}
const report = async (path: string, token = owner) => {
  const res = await s.call('GET', `/api/v1/reports/${path}`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<Report>(res);
};

describe('report endpoints', () => {
  it('sales by day: business days in each location time zone, returns subtract, the voided sale is out', async () => {
    const r = await report('sales-by-day?from=2026-03-03&to=2026-03-04');
    expect(r.locations).toEqual(['GM', 'HM']);
    expect(r.rows.map((x) => [x.key, x.transactions, x.units, x.net, x.returns])).toEqual([
      ['2026-03-03', 2, 6, 6000, 0], // GM 21:30 local (2 × 10.00) + HM (4 × 10.00)
      ['2026-03-04', 2, 0, 4000, 1000] // 50.00 sale, 10.00 return
    ]);
    const gm = await report('sales-by-day?from=2026-03-04&to=2026-03-04&location=gm');
    expect(gm.rows).toEqual([expect.objectContaining({ key: '2026-03-04', transactions: 2, net: 4000, tax: 400, total: 4400 })]);
  });

  it('by location, employee, category, product, hour', async () => {
    const range = 'from=2026-03-03&to=2026-03-04';
    expect((await report(`sales-by-location?${range}`)).rows.map((x) => [x.key, x.net])).toEqual([
      ['GM', 6000],
      ['HM', 4000]
    ]);
    expect((await report(`sales-by-employee?${range}`)).rows.map((x) => [x.label, x.transactions])).toEqual([['Carl Cashier', 4]]);
    expect((await report(`sales-by-category?${range}`)).rows.map((x) => [x.label, x.net])).toEqual([['Tees', 10_000]]);
    expect((await report(`sales-by-product?${range}`)).rows.map((x) => [x.key, x.units])).toEqual([[product._id, 6]]);
    const hours = (await report(`sales-by-hour?${range}&location=GM`)).rows;
    expect(hours).toHaveLength(24);
    expect(hours.filter((h) => h.transactions).map((h) => [h.label, h.net])).toEqual([
      ['10:00', 5000],
      ['11:00', -1000],
      ['21:00', 2000]
    ]);
  });

  it('tenders, tax, refunds and voids with who approved, discounts', async () => {
    const range = 'from=2026-03-03&to=2026-03-04&location=GM';
    const tenders = (await report(`tenders?${range}`)).rows;
    // cash in: 22.00 + 55.00 + 33.00 (voided, then given back) ; out: 11.00 return + 33.00 void
    expect(tenders).toEqual([{ kind: 'Cash', count: 4, taken: 11_000, refunded: 4400, net: 6600, sales: 6600, layaways: 0 }]);
    const tax = (await report(`tax?${range}`)).rows;
    expect(tax).toEqual([expect.objectContaining({ locationCode: 'GM', taxable: 6000, tax: 600 })]);
    const rv = (await report(`refunds-voids?${range}`)).rows;
    expect(rv.map((x) => [x.kind, x.saleId, x.amount, x.approvedBy])).toEqual([
      ['void', gmVoided._id, 3300, 'Maria Manager'],
      ['return', gmReturn._id, 1100, 'Maria Manager']
    ]);
    expect((await report(`discounts?${range}`)).rows).toEqual([]);
  });

  it('Z reports list the shift closes of the range', async () => {
    const ulid = gmEvening._id.split(':')[2]!;
    await s.couch.use(locationDb(t, 'GM')).insert({
      _id: `shift_close:GM-1:${ulid}`,
      type: 'shift_close',
      locationCode: 'GM',
      registerId: 'device:GM-1',
      shiftId: `shift:GM-1:${ulid}`,
      closedBy: 'user:maria',
      closedByName: 'Maria Manager',
      denominations: {},
      countedCash: 20_000,
      expectedCash: 20_050,
      overShort: -50,
      report: { salesCount: 3, netSales: 7700, openedAt: '2026-03-04T14:30:00.000Z' },
      unsyncedAtClose: 0,
      approvals: [],
      closedAt: '2026-03-04T23:00:00.000Z'
    });
    const z = (await report('z-reports?from=2026-03-04&to=2026-03-04&location=GM')).rows;
    // an older stored report: its net sales read by today's definition (it had no tax); the shift by its register, never its id
    expect(z).toEqual([expect.objectContaining({ day: '2026-03-04', closedBy: 'Maria Manager', transactions: 3, net: 7700, overShort: -50, shift: 'GM-1 · Mar 4, 9:30 AM' })]);
    expect(JSON.stringify(z)).not.toContain('shift:GM-1');
    expect((await report('z-reports?from=2026-03-05&to=2026-03-05&location=GM')).rows).toEqual([]);
  });

  it('CSV: by .csv route or ?format=csv, with a filename and the documented columns, money as decimals', async () => {
    for (const path of ['sales-by-day.csv?from=2026-03-03&to=2026-03-04&location=GM', 'sales-by-day?from=2026-03-03&to=2026-03-04&location=GM&format=csv']) {
      const res = await s.call('GET', `/api/v1/reports/${path}`, { token: owner });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="sales-by-day-GM-2026-03-03-to-2026-03-04.csv"');
      const lines = (await res.text()).trim().split('\r\n');
      expect(lines[0]).toBe('Day,Transactions,Units,Gross sales,Discounts,Returns,Net sales,Tax,Rounding,Total collected,Average basket');
      expect(lines.slice(1)).toEqual([
        '2026-03-03,1,2,20.00,0.00,0.00,20.00,2.00,0.00,22.00,20.00',
        '2026-03-04,2,0,50.00,0.00,10.00,40.00,4.00,0.00,44.00,20.00',
        'Total,3,2,70.00,0.00,10.00,60.00,6.00,0.00,66.00,20.00'
      ]);
    }
  });

  it('location scoping: a GM manager sees GM only; HM is 403; a cashier is 403 everywhere', async () => {
    const mine = await report('sales-by-location?from=2026-03-03&to=2026-03-04', gmManager);
    expect(mine.locations).toEqual(['GM']);
    expect(mine.rows.map((x) => x.key)).toEqual(['GM']);
    expect((await s.call('GET', '/api/v1/reports/sales-by-day?location=HM', { token: gmManager })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/sales?location=HM', { token: gmManager })).status).toBe(403);
    expect((await s.call('GET', `/api/v1/sales/${encodeURIComponent(hmSale._id)}?location=HM`, { token: gmManager })).status).toBe(403);
    for (const path of ['/api/v1/reports/dashboard', '/api/v1/reports/sales-by-day', '/api/v1/reports/tenders.csv', '/api/v1/sales', `/api/v1/sales/${encodeURIComponent(gmMorning._id)}?location=GM`]) {
      expect((await s.call('GET', path, { token: cashier })).status, path).toBe(403);
    }
    expect((await s.call('POST', `/api/v1/sales/${encodeURIComponent(gmMorning._id)}/email`, { token: cashier, body: { location: 'GM', to: 'x@y.test' } })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/reports/sales-by-day')).status).toBe(401);
  });

  it('a void made days later comes off its own day (the sale’s day is not rewritten); layaway money shows by tender; products by name', async () => {
    const jacket = { ...makeProduct(), name: 'Jacket' };
    await s.couch.use(catalogDb(t)).insert(jacket);
    const line = (variant: string, over: Record<string, unknown> = {}) => ({
      lineId: `l-${variant}`, productId: jacket._id, variantId: `${jacket._id.slice(8)}-${variant}`, sku: `JKT-${variant}`, name: `Jacket · L / ${variant}`, taxCategory: 'clothing',
      qty: 1, unitPrice: 8999, discount: 0, tax: 900, total: 9899, ...over
    });
    // 10 March: three jackets, one with 45.00 off; voided on 12 March
    const lines = [line('Burgundy', { discount: 4500, tax: 450, total: 4949 }), line('Grey'), line('Sand')];
    const sold = makeSale('GM', 'GM-1', { createdAt: '2026-03-10T15:00:00.000Z', cashierName: 'Carl Cashier', lines, subtotal: 3 * 8999, discountTotal: 4500, taxTotal: 2250, total: 24_747, tenders: [{ kind: 'card_external', amount: 24_747 }], rounding: 0 });
    const laterVoid = makeVoid(sold, [makeApproval('user:maria', 'void', 'Maria Manager')], { createdAt: '2026-03-12T15:00:00.000Z' });
    const deposit = {
      _id: `layaway:GM-1:${sold._id.split(':')[2]}`, type: 'layaway', locationCode: 'GM', registerId: 'device:GM-1', cashierId: 'user:carl', customerId: 'customer:c1', currency: 'USD',
      lines: [line('Grey')], total: 9899, tenders: [{ kind: 'cash', amount: 2000 }], change: 0, createdAt: '2026-03-10T16:00:00.000Z'
    };
    await s.couch.use(locationDb(t, 'GM')).bulk({ docs: [sold, laterVoid, deposit] });

    const day = (d: string) => report(`sales-by-day?from=${d}&to=${d}&location=GM`);
    expect((await day('2026-03-10')).rows).toEqual([expect.objectContaining({ transactions: 1, units: 3, gross: 26_997, discounts: 4500, returns: 0, net: 22_497, tax: 2250, collected: 24_747 })]);
    expect((await day('2026-03-12')).rows).toEqual([expect.objectContaining({ transactions: -1, units: -3, gross: -26_997, discounts: -4500, net: -22_497, tax: -2250, collected: -24_747 })]);
    const both = await report('sales-by-day?from=2026-03-10&to=2026-03-12&location=GM');
    expect(both.totals).toMatchObject({ transactions: 0, gross: 0, net: 0, collected: 0 });

    const products = await report('sales-by-product?from=2026-03-10&to=2026-03-10&location=GM');
    expect(products.rows.map((x) => [x.label, x.units, x.gross, x.discounts, x.net])).toEqual([['Jacket', 3, 26_997, 4500, 22_497]]);
    const variants = await report('sales-by-variant?from=2026-03-10&to=2026-03-10&location=GM');
    expect(variants.rows.map((x) => [x.label, x.sku, x.units, x.net])).toEqual([
      ['Jacket · L / Grey', 'JKT-Grey', 1, 8999],
      ['Jacket · L / Sand', 'JKT-Sand', 1, 8999],
      ['Jacket · L / Burgundy', 'JKT-Burgundy', 1, 4499]
    ]);
    const tenders = await report('tenders?from=2026-03-10&to=2026-03-10&location=GM');
    expect(tenders.rows).toEqual([
      { kind: 'Card (external terminal)', count: 1, taken: 24_747, refunded: 0, net: 24_747, sales: 24_747, layaways: 0 },
      { kind: 'Cash', count: 0, taken: 2000, refunded: 0, net: 2000, sales: 0, layaways: 2000 }
    ]);
    expect(tenders.totals).toMatchObject({ kind: 'Total', net: 26_747, sales: 24_747, layaways: 2000 });
    const rv = await report('refunds-voids?from=2026-03-12&to=2026-03-12&location=GM');
    expect(rv.rows.map((x) => [x.kind, x.saleId, x.net, x.tax, x.amount])).toEqual([['void', sold._id, 22_497, 2250, 24_747]]);
  });

  it('checks its query: unknown report 404, bad dates 400, reversed or too long ranges 400, unknown location 404', async () => {
    expect((await s.call('GET', '/api/v1/reports/nope', { token: owner })).status).toBe(404);
    expect((await s.call('GET', '/api/v1/reports/tax?from=2026-02-30', { token: owner })).status).toBe(400);
    expect((await s.call('GET', '/api/v1/reports/tax?from=2026-03-05&to=2026-03-04', { token: owner })).status).toBe(400);
    expect((await s.call('GET', '/api/v1/reports/tax?from=2024-01-01&to=2026-03-04', { token: owner })).status).toBe(400);
    expect((await s.call('GET', '/api/v1/reports/tax?location=ZZ', { token: owner })).status).toBe(404);
  });
});

interface JournalBody {
  total: number;
  sales: { id: string; number: string; voided: boolean; kind: string; total: number }[];
  cashiers: { id: string; name: string }[];
}

describe('sales journal', () => {
  const list = async (qs: string, token = owner) => {
    const res = await s.call('GET', `/api/v1/sales?from=2026-03-03&to=2026-03-04&${qs}`, { token });
    expect(res.status, await res.clone().text()).toBe(200);
    return json<JournalBody>(res);
  };

  it('lists newest first with filters and pages', async () => {
    const all = await list('');
    expect(all.total).toBe(5);
    expect(all.sales.map((x) => x.id)).toEqual([gmVoided._id, gmReturn._id, gmMorning._id, gmEvening._id, hmSale._id]);
    expect(all.cashiers).toEqual([{ id: 'user:carl', name: 'Carl Cashier' }]);
    expect((await list('type=voided')).sales.map((x) => x.id)).toEqual([gmVoided._id]);
    expect((await list('type=return')).sales.map((x) => x.id)).toEqual([gmReturn._id]);
    expect((await list('type=sale&location=GM')).sales.map((x) => x.id)).toEqual([gmMorning._id, gmEvening._id]);
    expect((await list(`q=${gmMorning._id.slice(-8)}`)).sales.map((x) => x.id)).toEqual([gmMorning._id]);
    const page2 = await list('pageSize=2&page=2');
    expect(page2).toMatchObject({ total: 5, page: 2, pageSize: 2 });
    expect(page2.sales.map((x) => x.id)).toEqual([gmMorning._id, gmEvening._id]);
    expect((await list('', gmManager)).total).toBe(4);
  });

  it('opens a sale with its void and approver; 404 for a sale of another location', async () => {
    const res = await s.call('GET', `/api/v1/sales/${encodeURIComponent(gmVoided._id)}?location=GM`, { token: gmManager });
    expect(res.status).toBe(200);
    const body = await json<{ sale: { _id: string }; void: { approvals: { staffName: string }[]; reason: string }; fact: { voided: boolean }; location: { timeZone: string } }>(res);
    expect(body.sale._id).toBe(gmVoided._id);
    expect(body.fact.voided).toBe(true);
    expect(body.void.approvals[0]!.staffName).toBe('Maria Manager');
    expect(body.location.timeZone).toBe('America/New_York');
    expect((await s.call('GET', `/api/v1/sales/${encodeURIComponent(hmSale._id)}?location=GM`, { token: owner })).status).toBe(404);
  });

  it('emails a receipt by queueing an outbox document in the location database', async () => {
    const res = await s.call('POST', `/api/v1/sales/${encodeURIComponent(gmMorning._id)}/email`, { token: gmManager, body: { location: 'GM', to: 'shopper@example.test' } });
    expect(res.status).toBe(202);
    const { outbox } = await json<{ outbox: { _id: string } }>(res);
    const doc = await s.couch.use(locationDb(t, 'GM')).get(outbox._id);
    expect(doc).toMatchObject({ type: 'outbox', channel: 'email', template: 'receipt', to: 'shopper@example.test', ref: gmMorning._id, locationCode: 'GM' });
    expect((await s.call('POST', `/api/v1/sales/${encodeURIComponent(gmMorning._id)}/email`, { token: owner, body: { location: 'GM', to: 'not-an-email' } })).status).toBe(400);
  });
});

describe('dashboard', () => {
  it('shows today and this week per location and in total; a sale made now counts at once', async () => {
    const before = await json<{ total: { today: { transactions: number; net: number } } }>(await s.call('GET', '/api/v1/reports/dashboard', { token: owner }));
    const now = sale('HM', new Date().toISOString(), 2, 2500);
    await s.couch.use(locationDb(t, 'HM')).insert(now);
    const res = await s.call('GET', '/api/v1/reports/dashboard', { token: owner });
    expect(res.status).toBe(200);
    const d = await json<{
      locations: { code: string; figures: { today: { transactions: number; net: number; units: number } } }[];
      total: { today: { transactions: number; net: number }; week: { transactions: number } };
      topProducts: { key: string }[];
      hourly: unknown[];
      daily: unknown[];
    }>(res);
    expect(d.total.today.transactions).toBe(before.total.today.transactions + 1);
    expect(d.total.today.net).toBe(before.total.today.net + 5000);
    expect(d.locations.find((l) => l.code === 'HM')!.figures.today).toMatchObject({ transactions: 1, units: 2, net: 5000 });
    expect(d.total.week.transactions).toBeGreaterThanOrEqual(1);
    expect(d.topProducts[0]!.key).toBe(product._id);
    expect(d.hourly).toHaveLength(24);
    expect(d.daily).toHaveLength(7);
    const gm = await json<{ locations: { code: string }[] }>(await s.call('GET', '/api/v1/reports/dashboard', { token: gmManager }));
    expect(gm.locations.map((l) => l.code)).toEqual(['GM']);
  });
});
