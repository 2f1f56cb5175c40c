import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_DB, catalogDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';
import { makeProduct, makeSale } from '../support/fixtures.ts';

let s: TestServer;
let t = '';
let owner = '';
let gmManager = '';
let cashier = '';
let v1 = '';
let v2 = '';
let productId = '';
const PW = 'correct-horse-battery';

const json = async <T>(res: Response) => (await res.json()) as T;

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Count Co', plan: 'pro', adminEmail: 'o@count.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@count.test', name: 'GM manager', role: 'manager', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 'c@count.test', name: 'Cashier', role: 'cashier', locations: ['GM'], password: PW });
  owner = await login(s, 'o@count.test', PW);
  gmManager = await login(s, 'm@count.test', PW);
  cashier = await login(s, 'c@count.test', PW);
  const base = makeProduct();
  const first = base.variants[0]!;
  const product = {
    ...base,
    options: [{ name: 'Size', values: ['M', 'L'] }],
    variants: [
      { ...first, cost: 400 },
      { ...first, id: first.id.replace(/-v01$/, '-v02'), sku: `${first.sku}-2`, barcode: '5901234123457', options: { Size: 'L' } }
    ]
  };
  await s.couch.use(catalogDb(t)).insert(product);
  productId = product._id;
  v1 = product.variants[0]!.id;
  v2 = product.variants[1]!.id;
  await s.couch.use(locationDb(t, 'GM')).insert({
    _id: `movement:opening:${newUlid()}`,
    type: 'stock_movement',
    locationCode: 'GM',
    reason: 'opening',
    lines: [{ variantId: v1, qty: 10 }, { variantId: v2, qty: 5 }],
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    createdBy: 'user:test'
  });
});

afterAll(async () => {
  await s?.stop();
});

/** The stock API (a view): on a cluster not read-your-writes, so expectations after a write poll it. */
async function onHand(loc: string): Promise<Record<string, number>> {
  const res = await s.call('GET', `/api/v1/inventory/stock?location=${loc}&variant=${v1},${v2}`, { token: owner });
  expect(res.status).toBe(200);
  const body = await json<{ stock: { variantId: string; onHand: number }[] }>(res);
  return Object.fromEntries(body.stock.map((l) => [l.variantId, l.onHand]));
}

async function movementsWithPrefix(loc: string, prefix: string): Promise<string[]> {
  const res = await s.couch.use(locationDb(t, loc)).list({ startkey: prefix, endkey: `${prefix}\ufff0` });
  return res.rows.map((r) => r.id);
}

interface Review {
  session: { _id: string; status: string; movementId?: string; rejectReason?: string };
  review: { lines: { variantId: string; expected: number; counted: number; variance: number; unitCost: number }[]; totals: { variance: number; varianceValue: number }; frozen: boolean };
}

describe('count sessions API', () => {
  let countId = '';

  it('a manager runs a manual count: start, enter, submit; a sale after submission is not variance', async () => {
    const start = await s.call('POST', '/api/v1/inventory/counts', { token: gmManager, body: { location: 'GM', scope: { kind: 'variants', variantIds: [v1, v2] } } });
    expect(start.status).toBe(201);
    countId = (await json<{ session: { _id: string } }>(start)).session._id;
    expect(countId).toMatch(/^count:GM:/);
    const enter = await s.call('PUT', `/api/v1/inventory/counts/${encodeURIComponent(countId)}/counts`, { token: gmManager, body: { counts: [{ variantId: v1, qty: 8 }, { variantId: v2, qty: 6 }] } });
    expect(enter.status).toBe(200);
    const sub = await s.call('POST', `/api/v1/inventory/counts/${encodeURIComponent(countId)}/submit`, { token: gmManager });
    expect(sub.status).toBe(200);
    expect(await json<{ session: { status: string } }>(sub)).toMatchObject({ session: { status: 'submitted' }, changed: true });
    // counting is over; 1 × v1 sells while the count waits for review
    await new Promise((r) => setTimeout(r, 5));
    await s.couch.use(locationDb(t, 'GM')).insert(makeSale('GM', 'GM-1', { lines: [{ lineId: 'l1', productId, variantId: v1, sku: 'X', name: 'Tee', qty: 1, unitPrice: 1000, discount: 0, tax: 0, total: 1000 }] }));
    await expect.poll(() => onHand('GM'), VIEW_SETTLES).toEqual({ [v1]: 9, [v2]: 5 });

    const detail = await json<Review>(await s.call('GET', `/api/v1/inventory/counts/${encodeURIComponent(countId)}`, { token: gmManager }));
    expect(detail.review.frozen).toBe(false);
    expect(detail.review.lines).toEqual([
      expect.objectContaining({ variantId: v1, expected: 10, counted: 8, variance: -2, unitCost: 400 }),
      expect.objectContaining({ variantId: v2, expected: 5, counted: 6, variance: 1, unitCost: 0 })
    ]);
    expect(detail.review.totals).toMatchObject({ variance: -1, varianceValue: -800 });
  });

  it('lists sessions by status and refuses cashiers and other locations', async () => {
    const list = await json<{ sessions: { _id: string; status: string }[] }>(await s.call('GET', '/api/v1/inventory/counts?location=GM&status=submitted', { token: gmManager }));
    expect(list.sessions.map((x) => x._id)).toContain(countId);
    expect((await s.call('GET', '/api/v1/inventory/counts?location=GM', { token: cashier })).status).toBe(403);
    expect((await s.call('POST', `/api/v1/inventory/counts/${encodeURIComponent(countId)}/approve`, { token: cashier })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/inventory/counts', { token: gmManager, body: { location: 'HM', scope: { kind: 'all' } } })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/inventory/counts?location=HM', { token: gmManager })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/inventory/counts', { token: gmManager, body: { location: 'GM', scope: { kind: 'nope' } } })).status).toBe(400);
  });

  it('approving writes the correction exactly once, on top of today\'s stock; approving again writes nothing', async () => {
    const path = `/api/v1/inventory/counts/${encodeURIComponent(countId)}/approve`;
    const [a, b] = await Promise.all([s.call('POST', path, { token: gmManager }), s.call('POST', path, { token: owner })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const bodies = [await json<{ changed: boolean; session: { status: string } }>(a), await json<{ changed: boolean }>(b)];
    expect(bodies.filter((x) => x.changed)).toHaveLength(1);
    // 8 counted, 1 sold since: 7; v2 6 counted
    await expect.poll(() => onHand('GM'), VIEW_SETTLES).toEqual({ [v1]: 7, [v2]: 6 });
    const again = await json<Review & { changed: boolean }>(await s.call('POST', path, { token: gmManager }));
    expect(again).toMatchObject({ changed: false, session: { status: 'approved' } });
    expect(again.review.frozen).toBe(true);
    expect(again.review.lines.map((l) => l.variance)).toEqual([-2, 1]);
    await expect.poll(() => onHand('GM'), VIEW_SETTLES).toEqual({ [v1]: 7, [v2]: 6 });
    expect(await movementsWithPrefix('GM', 'movement:count:')).toHaveLength(1);
    expect((await s.call('POST', `/api/v1/inventory/counts/${encodeURIComponent(countId)}/reject`, { token: gmManager, body: { reason: 'late' } })).status).toBe(409);
  });

  it('a rejected count keeps its reason, moves no stock and cannot be approved', async () => {
    const start = await json<{ session: { _id: string } }>(await s.call('POST', '/api/v1/inventory/counts', { token: gmManager, body: { location: 'GM', scope: { kind: 'all' } } }));
    const id = encodeURIComponent(start.session._id);
    await s.call('PUT', `/api/v1/inventory/counts/${id}/counts`, { token: gmManager, body: { counts: [{ variantId: v1, qty: 1 }] } });
    expect((await s.call('POST', `/api/v1/inventory/counts/${id}/approve`, { token: gmManager })).status).toBe(409); // still open
    await s.call('POST', `/api/v1/inventory/counts/${id}/submit`, { token: gmManager });
    const detail = await json<Review>(await s.call('GET', `/api/v1/inventory/counts/${id}`, { token: gmManager }));
    expect(detail.review.lines.map((l) => [l.variantId, l.counted, l.variance])).toEqual([[v1, 1, -6], [v2, 0, -6]]);
    expect((await s.call('POST', `/api/v1/inventory/counts/${id}/reject`, { token: gmManager, body: {} })).status).toBe(400);
    const rej = await json<Review>(await s.call('POST', `/api/v1/inventory/counts/${id}/reject`, { token: gmManager, body: { reason: 'only one aisle was counted' } }));
    expect(rej.session).toMatchObject({ status: 'rejected', rejectReason: 'only one aisle was counted' });
    expect((await s.call('POST', `/api/v1/inventory/counts/${id}/approve`, { token: gmManager })).status).toBe(409);
    await expect.poll(() => onHand('GM'), VIEW_SETTLES).toEqual({ [v1]: 7, [v2]: 6 });
  });

  it('a category count covers every variant of the category; uncounted ones count as 0', async () => {
    const start = await json<{ session: { _id: string } }>(await s.call('POST', '/api/v1/inventory/counts', { token: gmManager, body: { location: 'GM', scope: { kind: 'categories', categoryIds: ['category:tees'] } } }));
    const id = encodeURIComponent(start.session._id);
    await s.call('PUT', `/api/v1/inventory/counts/${id}/counts`, { token: gmManager, body: { counts: [{ variantId: v1, qty: 7 }] } });
    await s.call('POST', `/api/v1/inventory/counts/${id}/submit`, { token: gmManager });
    const detail = await json<Review>(await s.call('GET', `/api/v1/inventory/counts/${id}`, { token: gmManager }));
    expect(detail.review.lines.map((l) => [l.variantId, l.expected, l.counted, l.variance])).toEqual([[v1, 7, 7, 0], [v2, 6, 0, -6]]);
    expect((await s.call('POST', `/api/v1/inventory/counts/${id}/reject`, { token: gmManager, body: { reason: 'test only' } })).status).toBe(200);
  });

  it('an RFID phone writes a submitted count through the gateway once; no client edits it or writes count movements', async () => {
    const phone = await enrol(s, owner, 'rfid_phone', 'GM', 'Phone');
    const now = new Date().toISOString();
    const doc = {
      _id: `count:GM:${newUlid()}`,
      type: 'count_session',
      locationCode: 'GM',
      source: 'rfid',
      scope: { kind: 'variants', variantIds: [v2] },
      status: 'submitted',
      counts: [{ variantId: v2, qty: 6 }],
      countedBy: 'staff:1',
      deviceId: `device:${phone.device.id}`,
      startedAt: now,
      submittedAt: now,
      createdAt: now,
      createdBy: `device:${phone.device.id}`,
      updatedAt: now,
      updatedBy: `device:${phone.device.id}`
    };
    const db = `/db/t-${t}-loc-gm`;
    const approved = await s.call('PUT', `${db}/${encodeURIComponent(doc._id)}`, { token: phone.deviceToken, body: { ...doc, status: 'approved' } });
    expect(approved.status).toBe(403);
    const other = await s.call('PUT', `${db}/${encodeURIComponent(doc._id)}`, { token: phone.deviceToken, body: { ...doc, deviceId: 'device:someone-else' } });
    expect(other.status).toBe(403);
    const put = await s.call('PUT', `${db}/${encodeURIComponent(doc._id)}`, { token: phone.deviceToken, body: doc });
    expect(put.status).toBe(201);
    const rev = (await json<{ rev: string }>(put)).rev;
    expect((await s.call('PUT', `${db}/${encodeURIComponent(doc._id)}`, { token: phone.deviceToken, body: { ...doc, _rev: rev, counts: [] } })).status).toBe(403);
    const forged = { _id: `movement:count:${newUlid()}`, type: 'stock_movement', locationCode: 'GM', reason: 'count', lines: [{ variantId: v1, qty: 5 }], createdAt: now, createdBy: 'user:x' };
    expect((await s.call('PUT', `${db}/${encodeURIComponent(forged._id)}`, { token: owner, body: forged })).status).toBe(403);
    const forgedPo = { ...forged, _id: `movement:po:${newUlid()}:1`, reason: 'receive' };
    expect((await s.call('PUT', `${db}/${encodeURIComponent(forgedPo._id)}`, { token: owner, body: forgedPo })).status).toBe(403);
    // the review page sees it and can approve it (matches: no movement)
    const res = await json<Review>(await s.call('POST', `/api/v1/inventory/counts/${encodeURIComponent(doc._id)}/approve`, { token: gmManager }));
    expect(res.session.status).toBe('approved');
    expect(res.session.movementId).toBeUndefined();
    expect(res.review.totals.variance).toBe(0);
  });
});

interface Order {
  _id: string;
  status: string;
  number: string;
  lines: { variantId: string; ordered: number; received: number; unitCost: number }[];
  receipts: { n: number }[];
}

describe('purchase orders API', () => {
  let supplierId = '';
  let poId = '';
  const poPath = (suffix = '') => `/api/v1/inventory/purchase-orders/${encodeURIComponent(poId)}${suffix}`;

  it('suppliers: create, list, edit; cashiers may not', async () => {
    const res = await s.call('POST', '/api/v1/inventory/suppliers', { token: gmManager, body: { name: 'Acme Textiles', email: 'orders@acme.test', phone: '+1 555 0100', leadTimeDays: 10 } });
    expect(res.status).toBe(201);
    supplierId = (await json<{ supplier: { _id: string } }>(res)).supplier._id;
    const edit = await s.call('PUT', `/api/v1/inventory/suppliers/${encodeURIComponent(supplierId)}`, { token: gmManager, body: { name: 'Acme Textiles Ltd', email: 'orders@acme.test', leadTimeDays: 12 } });
    expect(await json<{ supplier: object }>(edit)).toMatchObject({ supplier: { name: 'Acme Textiles Ltd', leadTimeDays: 12 } });
    // a list right after a write: on a cluster one copy of the shard answers, a moment behind (VIEW_SETTLES)
    const names = async () => (await json<{ suppliers: { name: string }[] }>(await s.call('GET', '/api/v1/inventory/suppliers', { token: gmManager }))).suppliers.map((x) => x.name);
    await expect.poll(names, VIEW_SETTLES).toEqual(['Acme Textiles Ltd']);
    expect((await s.call('POST', '/api/v1/inventory/suppliers', { token: cashier, body: { name: 'X' } })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/inventory/suppliers', { token: gmManager, body: { name: 'X', email: 'not-an-email' } })).status).toBe(400);
  });

  it('lookup by SKU or barcode; create a draft; permissions per location', async () => {
    const bySku = await json<{ variant: { variantId: string } }>(await s.call('GET', `/api/v1/inventory/variant-lookup?code=5901234123457`, { token: gmManager }));
    expect(bySku.variant.variantId).toBe(v2);
    expect((await s.call('GET', '/api/v1/inventory/variant-lookup?code=nope', { token: gmManager })).status).toBe(404);
    const id = newUlid();
    const body = { id, location: 'GM', supplierId, lines: [{ variantId: v1, ordered: 10, unitCost: 450 }, { variantId: v2, ordered: 4, unitCost: 1200 }] };
    const res = await s.call('POST', '/api/v1/inventory/purchase-orders', { token: gmManager, body });
    expect(res.status).toBe(201);
    poId = (await json<{ order: Order }>(res)).order._id;
    expect((await s.call('POST', '/api/v1/inventory/purchase-orders', { token: gmManager, body })).status).toBe(200); // retried create
    expect((await s.call('POST', '/api/v1/inventory/purchase-orders', { token: gmManager, body: { ...body, id: newUlid(), location: 'HM' } })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/inventory/purchase-orders', { token: cashier, body: { ...body, id: newUlid() } })).status).toBe(403);
    expect((await s.call('POST', poPath('/receive'), { token: gmManager, body: { n: 1, lines: [{ variantId: v1, qty: 1 }] } })).status).toBe(409); // draft
    const drafts = async () => (await json<{ orders: Order[] }>(await s.call('GET', '/api/v1/inventory/purchase-orders?location=GM&status=draft', { token: gmManager }))).orders.map((o) => o._id);
    await expect.poll(drafts, VIEW_SETTLES).toEqual([poId]);
  });

  it('send queues one email to the supplier in the outbox', async () => {
    const a = await json<{ order: Order; changed: boolean; emailQueued: boolean }>(await s.call('POST', poPath('/send'), { token: gmManager }));
    expect(a).toMatchObject({ changed: true, emailQueued: true, order: { status: 'sent' } });
    const b = await json<{ changed: boolean }>(await s.call('POST', poPath('/send'), { token: gmManager }));
    expect(b.changed).toBe(false);
    const mail = (await s.couch.use(PLATFORM_DB).get(`outbox:po:${t}:${poId}`)) as unknown as { to: string; template: string; data: Record<string, string> };
    expect(mail).toMatchObject({ to: 'orders@acme.test', template: 'purchase_order', data: { total: '93.00' } });
    expect((await s.call('PUT', poPath(), { token: gmManager, body: { lines: [] } })).status).toBe(409);
  });

  it('receives partially then fully; replays do not double count; over-receipt refused; last cost kept', async () => {
    const before = await onHand('GM');
    const first = { n: 1, lines: [{ variantId: v1, qty: 6 }, { variantId: v2, qty: 0 }] };
    const [r1, r2] = await Promise.all([s.call('POST', poPath('/receive'), { token: gmManager, body: first }), s.call('POST', poPath('/receive'), { token: gmManager, body: first })]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const o1 = await json<{ order: Order }>(r1);
    expect(o1.order.status).toBe('partially_received');
    await expect.poll(() => onHand('GM'), VIEW_SETTLES).toEqual({ [v1]: before[v1]! + 6, [v2]: before[v2] });
    expect((await s.call('POST', poPath('/receive'), { token: gmManager, body: { n: 1, lines: [{ variantId: v1, qty: 5 }] } })).status).toBe(409);
    const over = await s.call('POST', poPath('/receive'), { token: gmManager, body: { n: 2, lines: [{ variantId: v1, qty: 5 }] } });
    expect(over.status).toBe(400);
    expect((await json<{ message: string }>(over)).message).toMatch(/only 4 of 10 are outstanding/);
    const done = await json<{ order: Order; costsUpdated: number }>(await s.call('POST', poPath('/receive'), { token: gmManager, body: { n: 2, lines: [{ variantId: v1, qty: 4 }, { variantId: v2, qty: 4 }] } }));
    expect(done.order.status).toBe('received');
    expect(done.order.lines.map((l) => l.received)).toEqual([10, 4]);
    await expect.poll(() => onHand('GM'), VIEW_SETTLES).toEqual({ [v1]: before[v1]! + 10, [v2]: before[v2]! + 4 });
    expect(await movementsWithPrefix('GM', 'movement:po:')).toHaveLength(2);
    const product = (await s.couch.use(catalogDb(t)).get(productId)) as unknown as { variants: { id: string; cost?: number }[] };
    expect(product.variants.map((v) => v.cost)).toEqual([450, 1200]);
    expect((await s.call('POST', poPath('/cancel'), { token: gmManager })).status).toBe(409);
  });
});
