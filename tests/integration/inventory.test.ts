import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';
import { makeProduct } from '../support/fixtures.ts';

let s: TestServer;
let t = '';
let owner = '';
let gmManager = '';
let cashier = '';
let v1 = '';
let v2 = '';
const PW = 'correct-horse-battery';

interface TransferBody {
  _id: string;
  status: string;
  locationCode: string;
  toLocationCode: string;
  discrepancies?: { variantId: string; sent: number; received: number; diff: number }[];
  receivedLines?: { variantId: string; qty: number }[];
  direction?: string;
  inTransit?: boolean;
}

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Stock Co', plan: 'pro', adminEmail: 'o@stock.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@stock.test', name: 'GM manager', role: 'manager', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 'c@stock.test', name: 'Cashier', role: 'cashier', locations: ['GM'], password: PW });
  owner = await login(s, 'o@stock.test', PW);
  gmManager = await login(s, 'm@stock.test', PW);
  cashier = await login(s, 'c@stock.test', PW);
  const product = makeProduct();
  product.variants.push({ ...product.variants[0]!, id: product.variants[0]!.id.replace(/-v01$/, '-v02'), sku: `${product.variants[0]!.sku}-2`, options: { Size: 'L' } });
  product.options = [{ name: 'Size', values: ['M', 'L'] }];
  await s.couch.use(catalogDb(t)).insert(product);
  v1 = product.variants[0]!.id;
  v2 = product.variants[1]!.id;
  // opening stock: 10 of v1 and 5 of v2 at GM (the ledger, as a receiving would write it)
  await s.couch.use(locationDb(t, 'GM')).insert({
    _id: `movement:opening:${newUlid()}`,
    type: 'stock_movement',
    locationCode: 'GM',
    reason: 'opening',
    lines: [{ variantId: v1, qty: 10 }, { variantId: v2, qty: 5 }],
    createdAt: new Date().toISOString(),
    createdBy: 'user:test'
  });
});

afterAll(async () => {
  await s?.stop();
});

async function onHand(loc: string, token = owner): Promise<Record<string, number>> {
  const res = await s.call('GET', `/api/v1/inventory/stock?location=${loc}&variant=${v1},${v2}`, { token });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { stock: { variantId: string; onHand: number }[] };
  return Object.fromEntries(body.stock.map((l) => [l.variantId, l.onHand]));
}

const json = async <T>(res: Response) => (await res.json()) as T;

describe('inventory API', () => {
  it('stock levels come from the on_hand view, several variants at once', async () => {
    expect(await onHand('GM')).toEqual({ [v1]: 10, [v2]: 5 });
    expect(await onHand('HM')).toEqual({ [v1]: 0, [v2]: 0 });
    const all = await json<{ stock: { variantId: string; onHand: number }[] }>(await s.call('GET', '/api/v1/inventory/stock?location=GM', { token: owner }));
    expect(all.stock).toEqual(expect.arrayContaining([{ variantId: v1, onHand: 10 }, { variantId: v2, onHand: 5 }]));
  });

  it('an adjustment (damage −2) moves on_hand; the same adjustment retried is written once', async () => {
    const id = newUlid();
    const body = { id, location: 'GM', reason: 'damage', lines: [{ variantId: v1, qty: -2 }], note: 'water damage' };
    const res = await s.call('POST', '/api/v1/inventory/adjustments', { token: gmManager, body });
    expect(res.status).toBe(201);
    expect(await json<{ movement: object }>(res)).toMatchObject({ created: true, movement: { _id: `movement:adj:${id}`, reason: 'damage', lines: [{ variantId: v1, qty: -2 }] } });
    expect((await onHand('GM'))[v1]).toBe(8);

    const retry = await s.call('POST', '/api/v1/inventory/adjustments', { token: gmManager, body });
    expect(retry.status).toBe(200);
    expect(await json<object>(retry)).toMatchObject({ created: false });
    expect((await onHand('GM'))[v1]).toBe(8);

    const clash = await s.call('POST', '/api/v1/inventory/adjustments', { token: gmManager, body: { ...body, lines: [{ variantId: v1, qty: -5 }] } });
    expect(clash.status).toBe(409);
    expect((await onHand('GM'))[v1]).toBe(8);
  });

  it('adjustments are checked: reason sign, unknown variants', async () => {
    const wrongSign = await s.call('POST', '/api/v1/inventory/adjustments', { token: owner, body: { location: 'GM', reason: 'damage', lines: [{ variantId: v1, qty: 2 }] } });
    expect(wrongSign.status).toBe(400);
    expect((await json<{ message: string }>(wrongSign)).message).toContain('lines.0.qty');
    const unknown = await s.call('POST', '/api/v1/inventory/adjustments', { token: owner, body: { location: 'GM', reason: 'found', lines: [{ variantId: 'nope-v01', qty: 1 }] } });
    expect(unknown.status).toBe(400);
    expect((await json<{ message: string }>(unknown)).message).toContain('nope-v01');
    const noLoc = await s.call('POST', '/api/v1/inventory/adjustments', { token: owner, body: { location: 'ZZ', reason: 'found', lines: [{ variantId: v1, qty: 1 }] } });
    expect(noLoc.status).toBe(404);
  });

  it('a transfer GM→HM of 3: ship takes 3 from GM and shows in transit; receiving 2 puts 2 in HM and records a discrepancy of 1; twice changes nothing', async () => {
    const created = await s.call('POST', '/api/v1/inventory/transfers', { token: owner, body: { from: 'GM', to: 'HM', lines: [{ variantId: v1, qty: 3 }] } });
    expect(created.status).toBe(201);
    const { transfer } = await json<{ transfer: TransferBody }>(created);
    expect(transfer).toMatchObject({ status: 'draft', locationCode: 'GM', toLocationCode: 'HM' });
    expect(transfer._id).toMatch(/^transfer:GM:/);
    expect((await onHand('GM'))[v1]).toBe(8); // a draft moves nothing
    const path = `/api/v1/inventory/transfers/${encodeURIComponent(transfer._id)}`;

    const ship = await s.call('POST', `${path}/ship`, { token: owner });
    expect(ship.status).toBe(200);
    expect(await json<object>(ship)).toMatchObject({ changed: true, transfer: { status: 'shipped' } });
    expect(await onHand('GM')).toEqual({ [v1]: 5, [v2]: 5 });
    expect(await onHand('HM')).toEqual({ [v1]: 0, [v2]: 0 });

    // in transit, seen from both ends
    for (const loc of ['GM', 'HM']) {
      const list = await json<{ transfers: TransferBody[]; inTransit: string[] }>(await s.call('GET', `/api/v1/inventory/transfers?location=${loc}&status=in_transit`, { token: owner }));
      expect(list.inTransit).toEqual([transfer._id]);
      expect(list.transfers[0]).toMatchObject({ _id: transfer._id, inTransit: true, direction: loc === 'GM' ? 'out' : 'in' });
    }

    const shipAgain = await s.call('POST', `${path}/ship`, { token: owner });
    expect(shipAgain.status).toBe(200);
    expect(await json<object>(shipAgain)).toMatchObject({ changed: false, transfer: { status: 'shipped' } });
    expect((await onHand('GM'))[v1]).toBe(5);

    const receive = await s.call('POST', `${path}/receive`, { token: owner, body: { lines: [{ variantId: v1, qty: 2 }] } });
    expect(receive.status).toBe(200);
    const received = await json<{ transfer: TransferBody; changed: boolean }>(receive);
    expect(received).toMatchObject({ changed: true, transfer: { status: 'received', discrepancies: [{ variantId: v1, sent: 3, received: 2, diff: 1 }] } });
    expect(await onHand('HM')).toEqual({ [v1]: 2, [v2]: 0 });
    expect((await onHand('GM'))[v1]).toBe(5);

    const receiveAgain = await s.call('POST', `${path}/receive`, { token: owner, body: { lines: [{ variantId: v1, qty: 2 }] } });
    expect(receiveAgain.status).toBe(200);
    expect(await json<object>(receiveAgain)).toMatchObject({ changed: false });
    const receiveOther = await s.call('POST', `${path}/receive`, { token: owner, body: { lines: [{ variantId: v1, qty: 3 }] } });
    expect(receiveOther.status).toBe(409);
    expect(await s.call('POST', `${path}/ship`, { token: owner }).then((r) => r.status)).toBe(200);
    expect(await onHand('HM')).toEqual({ [v1]: 2, [v2]: 0 });
    expect(await onHand('GM')).toEqual({ [v1]: 5, [v2]: 5 });

    const all = await json<{ transfers: TransferBody[]; inTransit: string[] }>(await s.call('GET', '/api/v1/inventory/transfers?location=HM', { token: owner }));
    expect(all.inTransit).toEqual([]);
    expect(all.transfers.find((x) => x._id === transfer._id)).toMatchObject({ status: 'received', inTransit: false });
  });

  it('a transfer cannot be received before it ships; its ledger ids cannot be written through the gateway', async () => {
    const { transfer } = await json<{ transfer: TransferBody }>(await s.call('POST', '/api/v1/inventory/transfers', { token: owner, body: { from: 'GM', to: 'HM', lines: [{ variantId: v2, qty: 1 }] } }));
    const early = await s.call('POST', `/api/v1/inventory/transfers/${encodeURIComponent(transfer._id)}/receive`, { token: owner, body: { lines: [{ variantId: v2, qty: 1 }] } });
    expect(early.status).toBe(409);
    const ulid = transfer._id.split(':')[2];
    const forged = { _id: `movement:transfer_out:${ulid}`, type: 'stock_movement', locationCode: 'GM', reason: 'transfer_out', lines: [{ variantId: v2, qty: -100 }], createdAt: new Date().toISOString(), createdBy: 'user:x' };
    const put = await s.call('PUT', `/db/t-${t}-loc-gm/${encodeURIComponent(forged._id)}`, { token: owner, body: forged });
    expect(put.status).toBe(403);
    // the transfer itself is server-only
    const edit = await s.call('PUT', `/db/t-${t}-loc-gm/${encodeURIComponent(transfer._id)}`, { token: owner, body: { ...transfer, status: 'received' } });
    expect(edit.status).toBe(403);
    expect((await onHand('GM'))[v2]).toBe(5);
  });

  it('a GM manager cannot adjust, ship to or receive at HM; a cashier cannot adjust at all', async () => {
    const hm = await s.call('POST', '/api/v1/inventory/adjustments', { token: gmManager, body: { location: 'HM', reason: 'found', lines: [{ variantId: v1, qty: 1 }] } });
    expect(hm.status).toBe(403);
    expect((await json<{ message: string }>(hm)).message).toContain('HM');
    expect((await s.call('GET', `/api/v1/inventory/stock?location=HM&variant=${v1}`, { token: gmManager })).status).toBe(403);

    // the manager may send from GM, but only someone at HM receives it
    const { transfer } = await json<{ transfer: TransferBody }>(await s.call('POST', '/api/v1/inventory/transfers', { token: gmManager, body: { from: 'GM', to: 'HM', lines: [{ variantId: v1, qty: 1 }] } }));
    expect((await s.call('POST', `/api/v1/inventory/transfers/${encodeURIComponent(transfer._id)}/ship`, { token: gmManager })).status).toBe(200);
    const recv = await s.call('POST', `/api/v1/inventory/transfers/${encodeURIComponent(transfer._id)}/receive`, { token: gmManager, body: { lines: [{ variantId: v1, qty: 1 }] } });
    expect(recv.status).toBe(403);
    const fromHm = await s.call('POST', '/api/v1/inventory/transfers', { token: gmManager, body: { from: 'HM', to: 'GM', lines: [{ variantId: v1, qty: 1 }] } });
    expect(fromHm.status).toBe(403);

    const cash = await s.call('POST', '/api/v1/inventory/adjustments', { token: cashier, body: { location: 'GM', reason: 'found', lines: [{ variantId: v1, qty: 1 }] } });
    expect(cash.status).toBe(403);
    expect((await json<{ message: string }>(cash)).message).toContain('inventory:adjust');
    expect((await s.call('GET', `/api/v1/inventory/stock?location=GM&variant=${v1}`, { token: cashier })).status).toBe(403);

    // a device credential is not a user: no inventory API
    const till = await enrol(s, owner, 'register', 'GM');
    expect((await s.call('POST', '/api/v1/inventory/adjustments', { token: till.deviceToken, body: { location: 'GM', reason: 'found', lines: [{ variantId: v1, qty: 1 }] } })).status).toBe(403);
    expect((await onHand('GM'))[v1]).toBe(4); // 5 − the manager's shipped unit
  });
  it('an attempt interrupted after its ledger write is completed by the retry, which writes nothing twice', async () => {
    const { transfer } = await json<{ transfer: TransferBody }>(await s.call('POST', '/api/v1/inventory/transfers', { token: owner, body: { from: 'GM', to: 'HM', lines: [{ variantId: v2, qty: 2 }] } }));
    const ulid = transfer._id.split(':')[2];
    const path = `/api/v1/inventory/transfers/${encodeURIComponent(transfer._id)}`;
    const leftAt = '2026-11-24T08:00:00.000Z';
    // a ship that stored its movement and died before marking the transfer shipped
    await s.couch.use(locationDb(t, 'GM')).insert({ _id: `movement:transfer_out:${ulid}`, type: 'stock_movement', locationCode: 'GM', reason: 'transfer_out', lines: [{ variantId: v2, qty: -2 }], note: 'to HM', ref: transfer._id, createdAt: leftAt, createdBy: 'user:earlier' });
    expect((await onHand('GM'))[v2]).toBe(3);
    const ship = await json<{ transfer: TransferBody & { shippedAt: string; shippedBy: string } }>(await s.call('POST', `${path}/ship`, { token: owner }));
    expect(ship.transfer).toMatchObject({ status: 'shipped', shippedAt: leftAt, shippedBy: 'user:earlier' });
    expect((await onHand('GM'))[v2]).toBe(3);

    // a receipt of 1 that stored its movement and died; the retry with the same count completes it, another count is refused
    await s.couch.use(locationDb(t, 'HM')).insert({ _id: `movement:transfer_in:${ulid}`, type: 'stock_movement', locationCode: 'HM', reason: 'transfer_in', lines: [{ variantId: v2, qty: 1 }], note: 'from GM', ref: transfer._id, createdAt: leftAt, createdBy: 'user:earlier' });
    expect((await s.call('POST', `${path}/receive`, { token: owner, body: { lines: [{ variantId: v2, qty: 2 }] } })).status).toBe(409);
    const recv = await s.call('POST', `${path}/receive`, { token: owner, body: { lines: [{ variantId: v2, qty: 1 }] } });
    expect(recv.status).toBe(200);
    expect(await json<object>(recv)).toMatchObject({ changed: true, transfer: { status: 'received', discrepancies: [{ variantId: v2, sent: 2, received: 1, diff: 1 }] } });
    expect((await onHand('HM'))[v2]).toBe(1);
  });
});
