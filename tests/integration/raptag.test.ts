import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { countSessionDoc } from '../../web/src/lib/raptag/flows/count.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';
import { makeProduct } from '../support/fixtures.ts';

/**
 * The RFID phone against the real server and store (issue 15): what an enrolled phone may do through
 * the API with its device token (read stock everywhere; see, ship and receive its own store's
 * transfers; nothing else), the count it writes through the gateway, and a manager's PIN on the phone
 * approving that count.
 */
let s: TestServer;
let t = '';
let owner = '';
let v1 = '';
let gmPhone: Awaited<ReturnType<typeof enrol>>;
let hmPhone: Awaited<ReturnType<typeof enrol>>;
let gmTill: Awaited<ReturnType<typeof enrol>>;
const PW = 'correct-horse-battery';

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Tag Co', plan: 'pro', adminEmail: 'o@tag.test', adminPassword: PW, adminPin: '1111', locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@tag.test', name: 'GM manager', role: 'manager', locations: ['GM'], password: PW, pin: '3333' });
  await createStaffUser({ couch: s.couch }, t, { email: 'k@tag.test', name: 'Clerk', role: 'stock_clerk', locations: ['GM'], password: PW, pin: '5555' });
  owner = await login(s, 'o@tag.test', PW);
  const product = makeProduct();
  await s.couch.use(catalogDb(t)).insert(product);
  v1 = product.variants[0]!.id;
  await s.couch.use(locationDb(t, 'GM')).insert({ _id: `movement:opening:${newUlid()}`, type: 'stock_movement', locationCode: 'GM', reason: 'opening', lines: [{ variantId: v1, qty: 10 }], createdAt: new Date().toISOString(), createdBy: 'user:test' });
  gmPhone = await enrol(s, owner, 'rfid_phone', 'GM', 'GM phone');
  hmPhone = await enrol(s, owner, 'rfid_phone', 'HM', 'HM phone');
  gmTill = await enrol(s, owner, 'register', 'GM', 'GM till');
});

afterAll(async () => {
  await s?.stop();
});

const json = async <T>(res: Response) => (await res.json()) as T;

describe('an RFID phone on the inventory API', () => {
  it('reads stock here and at the other stores; a register may not', async () => {
    const res = await s.call('GET', `/api/v1/inventory/stock/across?variant=${v1}`, { token: gmPhone.deviceToken });
    expect(res.status).toBe(200);
    const body = await json<{ locations: { location: string; stock: { variantId: string; onHand: number }[] }[] }>(res);
    expect(body.locations.map((l) => [l.location, l.stock[0]!.onHand])).toEqual([['GM', 10], ['HM', 0]]);
    expect((await s.call('GET', `/api/v1/inventory/stock?location=HM&variant=${v1}`, { token: gmPhone.deviceToken })).status).toBe(200);
    expect((await s.call('GET', `/api/v1/inventory/stock/across?variant=${v1}`, { token: gmTill.deviceToken })).status).toBe(403);
  });

  it('ships its own store’s transfer and the other store’s phone receives it, with the discrepancy recorded; neither may create or adjust', async () => {
    const created = await s.call('POST', '/api/v1/inventory/transfers', { token: owner, body: { from: 'GM', to: 'HM', lines: [{ variantId: v1, qty: 4 }] } });
    const { transfer } = await json<{ transfer: { _id: string } }>(created);
    const path = `/api/v1/inventory/transfers/${encodeURIComponent(transfer._id)}`;

    // the phones see it from their ends; the HM phone may not ship it, the GM phone may not receive it
    const list = await json<{ transfers: { _id: string; direction: string }[] }>(await s.call('GET', '/api/v1/inventory/transfers?location=HM', { token: hmPhone.deviceToken }));
    expect(list.transfers.find((x) => x._id === transfer._id)?.direction).toBe('in');
    expect((await s.call('POST', `${path}/ship`, { token: hmPhone.deviceToken })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/inventory/transfers?location=HM', { token: gmPhone.deviceToken })).status).toBe(403);

    const ship = await s.call('POST', `${path}/ship`, { token: gmPhone.deviceToken });
    expect(ship.status).toBe(200);
    expect(await json<object>(ship)).toMatchObject({ changed: true, transfer: { status: 'shipped', shippedBy: `device:${gmPhone.device.id}` } });
    expect((await s.call('POST', `${path}/receive`, { token: gmPhone.deviceToken, body: { lines: [{ variantId: v1, qty: 3 }] } })).status).toBe(403);
    const receive = await s.call('POST', `${path}/receive`, { token: hmPhone.deviceToken, body: { lines: [{ variantId: v1, qty: 3 }] } });
    expect(receive.status).toBe(200);
    expect(await json<object>(receive)).toMatchObject({ transfer: { status: 'received', discrepancies: [{ variantId: v1, sent: 4, received: 3, diff: 1 }] } });
    // the same receipt queued offline and sent twice changes nothing
    expect(await json<object>(await s.call('POST', `${path}/receive`, { token: hmPhone.deviceToken, body: { lines: [{ variantId: v1, qty: 3 }] } }))).toMatchObject({ changed: false });

    expect((await s.call('POST', '/api/v1/inventory/transfers', { token: gmPhone.deviceToken, body: { from: 'GM', to: 'HM', lines: [{ variantId: v1, qty: 1 }] } })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/inventory/adjustments', { token: gmPhone.deviceToken, body: { location: 'GM', reason: 'found', lines: [{ variantId: v1, qty: 1 }] } })).status).toBe(403);
    expect((await s.call('POST', `${path}/ship`, { token: gmTill.deviceToken })).status).toBe(403);
  });
});

describe('a count from the phone', () => {
  it('is written through the gateway as the phone, approved with a manager’s PIN on the phone, and books the variance once', async () => {
    const now = new Date().toISOString();
    const session = { id: `count:GM:${newUlid()}`, kind: 'count' as const, status: 'active' as const, locationCode: 'GM', scope: { kind: 'all' as const }, zone: 'floor', startedAt: now, startedBy: { id: 'user:k', name: 'Clerk' } };
    const doc = countSessionDoc(session, new Map([[v1, 5]]), { id: 'user:k', name: 'Clerk' }, gmPhone.device.id, now);
    const db = `/db/${gmPhone.databases.location}`;
    // as another phone: refused
    expect((await s.call('PUT', `${db}/${encodeURIComponent(doc._id)}`, { token: gmPhone.deviceToken, body: { ...doc, deviceId: `device:${hmPhone.device.id}` } })).status).toBe(403);
    const put = await s.call('PUT', `${db}/${encodeURIComponent(doc._id)}`, { token: gmPhone.deviceToken, body: doc });
    expect(put.status).toBe(201);

    // a manager's PIN on the phone: a staff session for the phone's store, with the manager's role
    const manager = await json<{ accessToken: string }>(await s.call('POST', '/api/v1/auth/pin', { token: gmPhone.deviceToken, body: { pin: '3333' } }));
    const approve = await s.call('POST', `/api/v1/inventory/counts/${encodeURIComponent(doc._id)}/approve`, { token: manager.accessToken });
    expect(approve.status).toBe(200);
    expect(await json<object>(approve)).toMatchObject({ changed: true, session: { status: 'approved', reviewedBy: expect.stringMatching(/^user:/) } });
    const again = await s.call('POST', `/api/v1/inventory/counts/${encodeURIComponent(doc._id)}/approve`, { token: manager.accessToken });
    expect(await json<object>(again)).toMatchObject({ changed: false, session: { status: 'approved' } });
    // the stock view right after the approval: on a cluster one copy answers, a moment behind
    const onHand = async () => (await json<{ stock: { onHand: number }[] }>(await s.call('GET', `/api/v1/inventory/stock?location=GM&variant=${v1}`, { token: owner }))).stock[0]?.onHand;
    await expect.poll(onHand, VIEW_SETTLES).toBe(5); // 10 − 4 shipped = 6 expected, 5 counted: −1 booked

    expect((await s.call('POST', '/api/v1/auth/pin', { token: gmPhone.deviceToken, body: { pin: '9999' } })).status).toBe(401);
  });
});
