import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';
import { makeProduct, makeSale } from '../support/fixtures.ts';
import { localDb, remoteDb } from './support/pouch.ts';

/** Fault suite 4: concurrent offline edits converge by the sync rules; the worker is idempotent. */
let s: TestServer;
let t = '';
let owner = '';
let regA: Awaited<ReturnType<typeof enrol>>;
let regB: Awaited<ReturnType<typeof enrol>>;
const PW = 'correct-horse-battery';
const customer = {
  _id: 'customer:c1',
  type: 'customer',
  firstName: 'Ana',
  lastName: 'Diaz',
  phone: '555-0100',
  tags: ['regular'],
  updatedAt: '2026-11-20T10:00:00.000Z',
  updatedBy: 'user:seed'
};

beforeAll(async () => {
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0' });
  t = (await createTenant({ couch: s.couch }, { name: 'Conflict Co', adminEmail: 'o@conflict.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  owner = await login(s, 'o@conflict.test', PW);
  regA = await enrol(s, owner, 'register', 'GM', 'A');
  regB = await enrol(s, owner, 'register', 'GM', 'B');
  await s.couch.use(`t-${t}-catalog`).insert(makeProduct('product:p1'));
  await s.couch.use(`t-${t}-customers`).insert(customer);
});

afterAll(async () => {
  await s?.stop();
});

const resolve = async () => (await (await s.call('POST', '/api/v1/sync/conflicts/resolve', { token: owner })).json()) as { outcomes: { id: string; action: string }[] };
const conflicts = async () => (await (await s.call('GET', '/api/v1/sync/conflicts', { token: owner })).json()) as { open: unknown[]; alerts: unknown[]; resolved: { target: string }[] };

describe('conflict resolution', () => {
  it('two offline edits of a customer and a product converge to the same per-field winner on both devices', async () => {
    // two devices with a replica each
    const custA = localDb('cA');
    const custB = localDb('cB');
    const remoteA = remoteDb(s.url, regA.databases.customers!, regA.deviceToken);
    const remoteB = remoteDb(s.url, regB.databases.customers!, regB.deviceToken);
    await custA.replicate.from(remoteA);
    await custB.replicate.from(remoteB);
    const catA = localDb('pA');
    const catB = localDb('pB');
    const catRemote = remoteDb(s.url, `t-${t}-catalog`, owner);
    await catA.replicate.from(catRemote);
    await catB.replicate.from(catRemote);

    // offline: A changes the phone, B changes the last name and tags a VIP
    const ca = (await custA.get('customer:c1')) as typeof customer & { _rev: string };
    await custA.put({ ...ca, phone: '555-0199', updatedAt: '2026-11-24T10:00:00.000Z', updatedBy: 'device:A', fieldTimes: { phone: '2026-11-24T10:00:00.000Z' } });
    const cb = (await custB.get('customer:c1')) as typeof customer & { _rev: string };
    await custB.put({ ...cb, lastName: 'Diaz-Ruiz', tags: ['regular', 'vip'], updatedAt: '2026-11-24T11:00:00.000Z', updatedBy: 'device:B', fieldTimes: { lastName: '2026-11-24T11:00:00.000Z', tags: '2026-11-24T11:00:00.000Z' } });
    // offline: two managers rename the product; the later edit wins
    const pa = (await catA.get('product:p1')) as ReturnType<typeof makeProduct> & { _rev: string };
    await catA.put({ ...pa, name: 'Tee (A)', updatedAt: '2026-11-24T09:00:00.000Z', updatedBy: 'user:a' });
    const pb = (await catB.get('product:p1')) as ReturnType<typeof makeProduct> & { _rev: string };
    await catB.put({ ...pb, name: 'Tee (B)', updatedAt: '2026-11-24T09:30:00.000Z', updatedBy: 'user:b' });

    // back online
    for (const [l, r] of [[custA, remoteA], [custB, remoteB], [catA, catRemote], [catB, catRemote]] as const) expect((await l.replicate.to(r)).docs_written).toBe(1);
    expect((await conflicts()).open).toHaveLength(2);

    const first = await resolve();
    expect(first.outcomes.map((o) => [o.id, o.action]).sort()).toEqual([['customer:c1', 'resolved'], ['product:p1', 'resolved']]);
    expect((await resolve()).outcomes).toEqual([]); // idempotent: nothing left to do
    const after = await conflicts();
    expect(after.open).toEqual([]);
    expect(after.resolved.map((r) => r.target).sort()).toEqual(['customer:c1', 'product:p1']);

    for (const [l, r] of [[custA, remoteA], [custB, remoteB], [catA, catRemote], [catB, catRemote]] as const) await l.replicate.from(r);
    const finalA = await custA.get('customer:c1', { conflicts: true });
    const finalB = await custB.get('customer:c1', { conflicts: true });
    expect(finalA).toEqual(finalB);
    expect(finalA).toMatchObject({ phone: '555-0199', lastName: 'Diaz-Ruiz', tags: ['regular', 'vip'] });
    expect(finalA).not.toHaveProperty('_conflicts');
    const prodA = await catA.get('product:p1', { conflicts: true });
    expect(prodA).toEqual(await catB.get('product:p1', { conflicts: true }));
    expect(prodA).toMatchObject({ name: 'Tee (B)' });
  });

  it('a second body under an existing sale id is refused at the gateway, not stored as a conflict', async () => {
    // Only register A may write A's sales, so the two bodies come from two replicas of A (a till
    // reinstalled from an old backup that made the same id again).
    const sale = makeSale('GM', regA.device.id);
    const a = localDb('sA');
    const b = localDb('sA-restored');
    await a.put(sale);
    await b.put({ ...sale, cashierId: 'user:other' }); // same id, different body: two generation-1 revisions
    await a.replicate.to(remoteDb(s.url, regA.databases.location!, regA.deviceToken));
    expect(await b.replicate.to(remoteDb(s.url, regA.databases.location!, regA.deviceToken))).toMatchObject({ docs_written: 0, doc_write_failures: 1 });
    const stored = (await s.couch.use(regA.databases.location!).get(sale._id, { conflicts: true })) as { cashierId: string; _conflicts?: string[] };
    expect(stored).toMatchObject({ cashierId: sale.cashierId });
    expect(stored._conflicts).toBeUndefined();
    expect((await resolve()).outcomes).toEqual([]);
  });

  it('a second leaf that reaches the database anyway (a CouchDB peer) is removed and the original kept, once, with an alert', async () => {
    const sale = makeSale('GM', regA.device.id);
    const db = s.couch.use(regA.databases.location!);
    const put = await s.call('PUT', `/db/${regA.databases.location}/${encodeURIComponent(sale._id)}`, { token: regA.deviceToken, body: sale });
    expect(put.status).toBe(201);
    const { rev: originalRev } = (await put.json()) as { rev: string };
    // around the gateway: the highest revision id wins in CouchDB, so the forgery is what everyone reads now
    const forged = { ...sale, cashierId: 'user:mallory', _rev: '1-ffffffffffffffffffffffffffffffff', _revisions: { start: 1, ids: ['ffffffffffffffffffffffffffffffff'] } };
    await db.bulk({ docs: [forged], new_edits: false });
    expect(await db.get(sale._id)).toMatchObject({ cashierId: 'user:mallory' });

    const outcomes = (await resolve()).outcomes;
    expect(outcomes).toEqual([expect.objectContaining({ id: sale._id, action: 'alert' })]);
    // on a cluster the removal may have reached one copy first (202): wait for a quorum read to show it
    await expect
      .poll(async () => {
        const after = (await db.get(sale._id, { conflicts: true })) as { _rev: string; cashierId: string; _conflicts?: string[] };
        return { _rev: after._rev, cashierId: after.cashierId, conflicts: after._conflicts ?? null };
      }, VIEW_SETTLES)
      .toEqual({ _rev: originalRev, cashierId: sale.cashierId, conflicts: null });
    // devices pulling now get the original too
    const replica = localDb('sA-after');
    await replica.replicate.from(remoteDb(s.url, regA.databases.location!, regA.deviceToken));
    expect(await replica.get(sale._id)).toMatchObject({ _rev: originalRev, cashierId: sale.cashierId });

    expect((await resolve()).outcomes).toEqual([]); // nothing left to do
    const c = await conflicts();
    expect(c.open).toEqual([]);
    const alert = (c.alerts as { target: string; details: { kept: string; removed: { rev: string; body: string }[] } }[]).find((x) => x.target === sale._id);
    expect(alert?.details.kept).toBe(originalRev);
    expect(alert?.details.removed).toEqual([expect.objectContaining({ rev: forged._rev, body: expect.stringContaining('user:mallory') })]);
  });

  it('needs settings:manage', async () => {
    expect((await s.call('GET', '/api/v1/sync/conflicts', { token: regA.deviceToken })).status).toBe(403);
  });
});
