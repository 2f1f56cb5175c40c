import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';
import { makeProduct } from '../support/fixtures.ts';

/**
 * The admin stock pages' API: the paginated stock list joined with the catalog (search, in transit,
 * thresholds), variant lookup, recent adjustments, thresholds, alerts and valuation, with location
 * permissions (a GM manager at HM, a cashier, a stock clerk and cost figures).
 */
let s: TestServer;
let t = '';
let owner = '';
let gmManager = '';
let cashier = '';
let clerk = '';
const PW = 'correct-horse-battery';
let shirt: ReturnType<typeof makeProduct>;
let cap: ReturnType<typeof makeProduct>;
let s1 = '';
let s2 = '';
let c1 = '';

const json = async <T>(res: Response) => (await res.json()) as T;

interface Row {
  variantId: string;
  productName: string;
  label: string;
  sku: string;
  onHand: number;
  inTransit: number;
  lowStock: number | null;
  reorderPoint: number | null;
  state: string;
}
interface Levels {
  rows: Row[];
  total: number;
  page: number;
  pages: number;
}

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Stock Admin Co', plan: 'pro', adminEmail: 'o@sa.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@sa.test', name: 'GM manager', role: 'manager', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 'c@sa.test', name: 'Cashier', role: 'cashier', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 'k@sa.test', name: 'Clerk', role: 'stock_clerk', locations: ['GM'], password: PW });
  [owner, gmManager, cashier, clerk] = (await Promise.all(['o', 'm', 'c', 'k'].map((u) => login(s, `${u}@sa.test`, PW)))) as [string, string, string, string];

  shirt = makeProduct();
  shirt.name = 'Oxford Shirt';
  shirt.categoryId = 'category:shirts';
  shirt.options = [{ name: 'Size', values: ['M', 'L'] }];
  Object.assign(shirt.variants[0]!, { cost: 1200 });
  shirt.variants.push({ ...shirt.variants[0]!, id: shirt.variants[0]!.id.replace(/-v01$/, '-v02'), sku: `${shirt.variants[0]!.sku}-L`, barcode: '5901234123457', options: { Size: 'L' } });
  cap = makeProduct();
  cap.name = 'Baseball Cap';
  cap.categoryId = 'category:hats';
  cap.variants[0]!.barcode = '96385074';
  await s.couch.use(catalogDb(t)).bulk({
    docs: [
      shirt,
      cap,
      { _id: 'category:shirts', type: 'category', name: 'Shirts', updatedAt: new Date().toISOString(), updatedBy: 'user:test' },
      { _id: 'category:hats', type: 'category', name: 'Hats', updatedAt: new Date().toISOString(), updatedBy: 'user:test' }
    ]
  });
  s1 = shirt.variants[0]!.id;
  s2 = shirt.variants[1]!.id;
  c1 = cap.variants[0]!.id;
  const opening = (loc: string, lines: { variantId: string; qty: number }[]) =>
    s.couch.use(locationDb(t, loc)).insert({ _id: `movement:opening:${newUlid()}`, type: 'stock_movement', locationCode: loc, reason: 'opening', lines, createdAt: new Date().toISOString(), createdBy: 'user:test' });
  await opening('GM', [{ variantId: s1, qty: 10 }, { variantId: s2, qty: 4 }, { variantId: c1, qty: -2 }]);
  await opening('HM', [{ variantId: s1, qty: 1 }]);
});

afterAll(async () => {
  await s?.stop();
});

const levels = async (query: string, token = owner) => {
  const res = await s.call('GET', `/api/v1/inventory/levels?${query}`, { token });
  expect(res.status).toBe(200);
  return json<Levels>(res);
};

describe('stock list', () => {
  it('lists every catalog variant with names, on hand and state, sorted by product name', async () => {
    const gm = await levels('location=GM');
    expect(gm.total).toBe(3);
    expect(gm.rows.map((r) => [r.productName, r.label, r.onHand, r.state])).toEqual([
      ['Baseball Cap', 'M', -2, 'negative'],
      ['Oxford Shirt', 'M', 10, 'ok'],
      ['Oxford Shirt', 'L', 4, 'ok']
    ]);
    const hm = await levels('location=hm');
    expect(hm.rows.find((r) => r.variantId === s1)?.onHand).toBe(1);
    expect(hm.rows.find((r) => r.variantId === c1)?.onHand).toBe(0);
  });

  it('lists an archived product only while it holds stock here, and stays right as stock moves (the figures are read per location state)', async () => {
    const old = makeProduct();
    old.name = 'Aaa Archived Anorak';
    old.categoryId = 'category:hats';
    (old as { status?: string }).status = 'archived';
    const gone = makeProduct();
    gone.name = 'Aaa Archived Empty';
    gone.categoryId = 'category:hats';
    (gone as { status?: string }).status = 'archived';
    await s.couch.use(catalogDb(t)).bulk({ docs: [old, gone] });
    const move = (qty: number) => s.couch.use(locationDb(t, 'GM')).insert({ _id: `movement:opening:${newUlid()}`, type: 'stock_movement', locationCode: 'GM', reason: 'opening', lines: [{ variantId: old.variants[0]!.id, qty }], createdAt: new Date().toISOString(), createdBy: 'user:test' });
    await move(2);
    const listed = async () => (await levels('location=GM')).rows.map((r) => [r.productName, r.onHand]);
    await expect.poll(async () => await listed(), VIEW_SETTLES).toEqual([['Aaa Archived Anorak', 2], ['Baseball Cap', -2], ['Oxford Shirt', 10], ['Oxford Shirt', 4]]);
    await s.call('GET', '/api/v1/inventory/alerts?location=GM', { token: owner }); // fills the whole-location figures
    await move(-2);
    await expect.poll(async () => await listed(), VIEW_SETTLES).toEqual([['Baseball Cap', -2], ['Oxford Shirt', 10], ['Oxford Shirt', 4]]);
    await s.couch.use(catalogDb(t)).bulk({ docs: [{ ...(await s.couch.use(catalogDb(t)).get(old._id)), _deleted: true }, { ...(await s.couch.use(catalogDb(t)).get(gone._id)), _deleted: true }] });
  });

  it('searches by name words, SKU and barcode; paginates', async () => {
    await expect.poll(async () => (await levels('location=GM&q=oxford%20l')).rows.map((r) => r.variantId), VIEW_SETTLES).toEqual([s2]);
    await expect.poll(async () => (await levels(`location=GM&q=${shirt.variants[1]!.sku}`)).rows.map((r) => r.variantId), VIEW_SETTLES).toEqual([s2]);
    await expect.poll(async () => (await levels('location=GM&q=96385074')).rows.map((r) => r.variantId), VIEW_SETTLES).toEqual([c1]);
    // the archived products the test before deleted: a cluster's lists may show them a moment longer
    await expect.poll(() => levels('location=GM&pageSize=2&page=2'), VIEW_SETTLES).toMatchObject({ total: 3, page: 2, pages: 2 });
    expect((await levels('location=GM&pageSize=2&page=2')).rows.map((r) => r.variantId)).toEqual([s2]);
    expect((await s.call('GET', '/api/v1/inventory/levels?location=GM&pageSize=5000', { token: owner })).status).toBe(400);
    expect((await s.call('GET', '/api/v1/inventory/levels?location=ZZ', { token: owner })).status).toBe(404);
  });

  it('shows units in transit at the destination once a transfer ships, until it is received', async () => {
    const { transfer } = await json<{ transfer: { _id: string } }>(await s.call('POST', '/api/v1/inventory/transfers', { token: owner, body: { from: 'GM', to: 'HM', lines: [{ variantId: s1, qty: 3 }] } }));
    const path = `/api/v1/inventory/transfers/${encodeURIComponent(transfer._id)}`;
    await expect.poll(async () => (await levels('location=HM')).rows.find((r) => r.variantId === s1)?.inTransit, VIEW_SETTLES).toBe(0); // a draft is not on its way
    await s.call('POST', `${path}/ship`, { token: owner });
    await expect.poll(async () => (await levels('location=HM')).rows.find((r) => r.variantId === s1), VIEW_SETTLES).toMatchObject({ onHand: 1, inTransit: 3 });
    await expect.poll(async () => (await levels('location=GM')).rows.find((r) => r.variantId === s1), VIEW_SETTLES).toMatchObject({ onHand: 7, inTransit: 0 });
    const inStock = await levels('location=HM&filter=in_stock');
    expect(inStock.rows.map((r) => r.variantId)).toEqual([s1]);
    await s.call('POST', `${path}/receive`, { token: owner, body: { lines: [{ variantId: s1, qty: 3 }] } });
    await expect.poll(async () => (await levels('location=HM')).rows.find((r) => r.variantId === s1), VIEW_SETTLES).toMatchObject({ onHand: 4, inTransit: 0 });
  });

  it('looks a variant up by SKU or barcode with its on hand', async () => {
    const bySku = await json<{ variant: { variantId: string; onHand: number; productName: string } }>(await s.call('GET', `/api/v1/inventory/lookup?location=GM&code=${shirt.variants[0]!.sku}`, { token: gmManager }));
    expect(bySku.variant).toMatchObject({ variantId: s1, onHand: 7, productName: 'Oxford Shirt' });
    const byCode = await json<{ variant: { variantId: string } }>(await s.call('GET', '/api/v1/inventory/lookup?location=GM&code=5901234123457', { token: owner }));
    expect(byCode.variant.variantId).toBe(s2);
    expect((await s.call('GET', '/api/v1/inventory/lookup?location=GM&code=NOPE', { token: owner })).status).toBe(404);
    const named = await json<{ variants: { variantId: string; label: string }[] }>(await s.call('GET', `/api/v1/inventory/variants?ids=${s2},${c1},ghost`, { token: gmManager }));
    expect(named.variants.map((v) => [v.variantId, v.label])).toEqual([
      [c1, 'M'],
      [s2, 'L']
    ]);
  });
});

describe('thresholds and alerts', () => {
  it('a low-stock threshold flags the variant low in the list and in alerts; negative stock alerts without one', async () => {
    const set = await s.call('PUT', '/api/v1/inventory/thresholds', { token: gmManager, body: { location: 'GM', variantIds: [s2], lowStock: 4, reorderPoint: 8 } });
    expect(set.status).toBe(200);
    expect((await json<{ thresholds: object[] }>(set)).thresholds).toEqual([expect.objectContaining({ _id: `threshold:${s2}`, lowStock: 4, reorderPoint: 8, locationCode: 'GM' })]);
    await expect.poll(async () => (await levels('location=GM')).rows.find((r) => r.variantId === s2), VIEW_SETTLES).toMatchObject({ lowStock: 4, reorderPoint: 8, state: 'low' });
    const attention = await levels('location=GM&filter=attention');
    expect(attention.rows.map((r) => r.variantId).sort()).toEqual([c1, s2].sort());

    const alerts = await json<{ locations: { location: string; negative: { variantId: string; onHand: number; sku: string }[]; low: { variantId: string; onHand: number; lowStock: number; productName: string }[] }[] }>(
      await s.call('GET', '/api/v1/inventory/alerts?location=GM', { token: gmManager })
    );
    expect(alerts.locations).toHaveLength(1);
    expect(alerts.locations[0]!.negative).toEqual([expect.objectContaining({ variantId: c1, onHand: -2, sku: cap.variants[0]!.sku })]);
    expect(alerts.locations[0]!.low).toEqual([expect.objectContaining({ variantId: s2, onHand: 4, lowStock: 4, productName: 'Oxford Shirt' })]);
  });

  it('sets a whole product at once, removes one limit, and clears', async () => {
    const bulk = await s.call('PUT', '/api/v1/inventory/thresholds', { token: owner, body: { location: 'HM', productId: shirt._id, lowStock: 5, reorderPoint: null } });
    expect(bulk.status).toBe(200);
    expect((await json<{ thresholds: { variantId: string }[] }>(bulk)).thresholds.map((x) => x.variantId).sort()).toEqual([s1, s2].sort());
    // stock levels read the thresholds through a view: on a cluster a moment behind the write
    await expect.poll(async () => (await levels('location=HM&q=oxford')).rows.map((r) => [r.variantId, r.lowStock, r.state]), VIEW_SETTLES).toEqual([
      [s1, 5, 'low'],
      [s2, 5, 'out']
    ]);
    // updating keeps one document per variant (the revision is carried over)
    await s.call('PUT', '/api/v1/inventory/thresholds', { token: owner, body: { location: 'HM', variantIds: [s1], lowStock: 2, reorderPoint: 6 } });
    await expect.poll(async () => (await levels('location=HM&q=oxford')).rows.find((r) => r.variantId === s1), VIEW_SETTLES).toMatchObject({ lowStock: 2, reorderPoint: 6, state: 'reorder' });
    const cleared = await s.call('PUT', '/api/v1/inventory/thresholds', { token: owner, body: { location: 'HM', productId: shirt._id, lowStock: null, reorderPoint: null } });
    expect(await json<object>(cleared)).toMatchObject({ thresholds: [], cleared: expect.arrayContaining([s1, s2]) });
    await expect.poll(async () => (await levels('location=HM&q=oxford')).rows.map((r) => [r.lowStock, r.reorderPoint]), VIEW_SETTLES).toEqual([
      [null, null],
      [null, null]
    ]);
    const docs = await s.couch.use(locationDb(t, 'HM')).list({ startkey: 'threshold:', endkey: 'threshold:\ufff0' });
    expect(docs.rows).toHaveLength(0);
  });

  it('refuses bad input and unknown variants; the documents are server-only at the gateway', async () => {
    expect((await s.call('PUT', '/api/v1/inventory/thresholds', { token: owner, body: { location: 'GM', variantIds: [s1], lowStock: -1, reorderPoint: null } })).status).toBe(400);
    expect((await s.call('PUT', '/api/v1/inventory/thresholds', { token: owner, body: { location: 'GM', lowStock: 1, reorderPoint: null } })).status).toBe(400);
    const ghost = await s.call('PUT', '/api/v1/inventory/thresholds', { token: owner, body: { location: 'GM', variantIds: ['ghost-v01'], lowStock: 1, reorderPoint: null } });
    expect(ghost.status).toBe(400);
    expect((await json<{ message: string }>(ghost)).message).toContain('ghost-v01');
    expect((await s.call('PUT', '/api/v1/inventory/thresholds', { token: owner, body: { location: 'GM', productId: 'product:nope', lowStock: 1, reorderPoint: null } })).status).toBe(404);
    const forged = { _id: `threshold:${s1}`, type: 'stock_threshold', locationCode: 'GM', variantId: s1, lowStock: 999, updatedAt: new Date().toISOString(), updatedBy: 'user:x' };
    const put = await s.call('PUT', `/db/t-${t}-loc-gm/${encodeURIComponent(forged._id)}`, { token: owner, body: forged });
    expect(put.status).toBe(403);
  });
});

describe('recent adjustments', () => {
  it('lists the newest adjustments first with names, reason and note', async () => {
    for (const body of [
      { location: 'GM', reason: 'damage', lines: [{ variantId: s1, qty: -1 }], note: 'torn seam' },
      { location: 'GM', reason: 'found', lines: [{ variantId: s2, qty: 2 }] }
    ]) {
      expect((await s.call('POST', '/api/v1/inventory/adjustments', { token: gmManager, body })).status).toBe(201);
    }
    type Listed = { adjustments: { reason: string; note: string | null; lines: { variantId: string; qty: number; productName: string; label: string }[] }[] };
    // the list right after the writes: on a cluster one copy answers, a moment behind
    let res: Listed = { adjustments: [] };
    const listed = async () => (res = await json<Listed>(await s.call('GET', '/api/v1/inventory/adjustments?location=GM&limit=10', { token: gmManager }))).adjustments.length;
    await expect.poll(listed, VIEW_SETTLES).toBe(2);
    expect(res.adjustments.map((a) => [a.reason, a.note, a.lines[0]!.qty, a.lines[0]!.label])).toEqual([
      ['found', null, 2, 'L'],
      ['damage', 'torn seam', -1, 'M']
    ]);
    expect(res.adjustments[0]!.lines[0]!.productName).toBe('Oxford Shirt');
    expect((await json<{ adjustments: unknown[] }>(await s.call('GET', '/api/v1/inventory/adjustments?location=HM', { token: owner }))).adjustments).toEqual([]);
  });
});

describe('valuation', () => {
  it('values positive stock at cost by location and category, and exports the same as CSV', async () => {
    // GM now: s1 6 × 12.00, s2 6 × 12.00 (cost copied from v01), cap −2 (not counted); HM: s1 4 × 12.00
    type Valuation = { currency: string; locations: string[]; total: { units: number; value: number; missingCost: number }; byLocation: { location: string; value: number }[]; byCategory: { categoryName: string; value: number }[] };
    const valuation = async () => json<Valuation>(await s.call('GET', '/api/v1/inventory/valuation', { token: owner }));
    // the stock moves of the tests before are views a cluster may show a moment later
    await expect.poll(async () => (await valuation()).total, VIEW_SETTLES).toEqual({ units: 16, value: 19200, missingCost: 0 });
    const v = await valuation();
    expect(v.locations).toEqual(['GM', 'HM']);
    expect(v.byLocation).toEqual([
      { location: 'GM', units: 12, value: 14400, missingCost: 0 },
      { location: 'HM', units: 4, value: 4800, missingCost: 0 }
    ]);
    expect(v.byCategory).toEqual([expect.objectContaining({ categoryName: 'Shirts', value: 19200 })]);
    expect(v.total).toEqual({ units: 16, value: 19200, missingCost: 0 });

    const csv = await s.call('GET', '/api/v1/inventory/valuation.csv?location=GM', { token: owner });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/inventory-valuation-GM-/);
    expect((await csv.text()).split('\r\n')).toEqual(['location,category,units,value_usd,variants_without_cost', 'GM,Shirts,12,144.00,0', 'TOTAL,,12,144.00,0', '']);
  });
});

describe('permissions', () => {
  it('a GM manager sees and acts at GM only', async () => {
    for (const path of ['/levels?location=HM', '/adjustments?location=HM', '/alerts?location=HM', '/valuation?location=HM', `/lookup?location=HM&code=${shirt.variants[0]!.sku}`]) {
      const res = await s.call('GET', `/api/v1/inventory${path}`, { token: gmManager });
      expect(res.status, path).toBe(403);
      expect((await json<{ message: string }>(res)).message).toContain('HM');
    }
    expect((await s.call('PUT', '/api/v1/inventory/thresholds', { token: gmManager, body: { location: 'HM', variantIds: [s1], lowStock: 1, reorderPoint: null } })).status).toBe(403);
    const locs = await json<{ locations: { code: string; mine: boolean }[] }>(await s.call('GET', '/api/v1/inventory/locations', { token: gmManager }));
    expect(locs.locations.map((l) => [l.code, l.mine])).toEqual([
      ['GM', true],
      ['HM', false]
    ]);
    // without a location: only the locations the manager has
    const alerts = await json<{ locations: { location: string }[] }>(await s.call('GET', '/api/v1/inventory/alerts', { token: gmManager }));
    expect(alerts.locations.map((l) => l.location)).toEqual(['GM']);
    const val = await json<{ locations: string[] }>(await s.call('GET', '/api/v1/inventory/valuation', { token: gmManager }));
    expect(val.locations).toEqual(['GM']);
  });

  it('a cashier gets 403 everywhere; a stock clerk works stock but sees no cost figures', async () => {
    for (const [method, path, body] of [
      ['GET', '/locations'],
      ['GET', '/levels?location=GM'],
      ['GET', '/adjustments?location=GM'],
      ['GET', '/alerts?location=GM'],
      ['GET', '/valuation?location=GM'],
      ['GET', '/valuation.csv?location=GM'],
      ['GET', `/lookup?location=GM&code=${shirt.variants[0]!.sku}`],
      ['PUT', '/thresholds', { location: 'GM', variantIds: [s1], lowStock: 1, reorderPoint: null }]
    ] as const) {
      const res = await s.call(method, `/api/v1/inventory${path}`, { token: cashier, ...(body ? { body } : {}) });
      expect(res.status, path).toBe(403);
      expect((await json<{ message: string }>(res)).message).toContain('inventory:adjust');
    }
    expect((await s.call('GET', '/api/v1/inventory/levels?location=GM', { token: clerk })).status).toBe(200);
    const val = await s.call('GET', '/api/v1/inventory/valuation?location=GM', { token: clerk });
    expect(val.status).toBe(403);
    expect((await json<{ message: string }>(val)).message).toContain('report:view');
    expect((await s.call('GET', '/api/v1/inventory/levels?location=GM')).status).toBe(401);
  });
});
