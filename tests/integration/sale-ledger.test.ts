import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { CustomerLedger, LocationLedger, spendableBalance } from '../../web/src/lib/register/local-ledger.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { deriveTenantLedger } from '../../server/workers/sale-ledger.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';
import { ledgerWritten, ledgerWrittenUntil } from './support/ledger.ts';
import { localDb, remoteDb } from './support/pouch.ts';
import { makeApproval, makeSale, makeVoid } from '../support/fixtures.ts';

/**
 * The sale is the one write: a register pushes a sale paid partly with store credit, with a customer
 * attached, and the server's ledger worker derives the customer ledger from it, exactly once however
 * often the sale is pushed or the worker re-reads; a void reverses it. The worker's timer is off while
 * the assertions need a fixed state (it is run by hand), and on at the end across a restart.
 */
let s: TestServer;
let t = '';
let owner = '';
let managerId = '';
let gm: Awaited<ReturnType<typeof enrol>>;
const PW = 'correct-horse-battery';
const CUSTOMER = 'customer:ann';
const POINTS_PER_UNIT = 2;

type Entry = { _id: string; account: string; holder: string; amount: number; reason: string; ref?: string };

async function entries(prefix = 'ledger:'): Promise<Entry[]> {
  const res = await s.couch.use(customersDb(t)).list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true });
  return res.rows.map((r) => r.doc as unknown as Entry);
}

async function balance(account: 'loyalty' | 'store_credit' | 'gift_card', holder = CUSTOMER): Promise<number> {
  const res = await s.couch.use(customersDb(t)).view('ledger', 'balance', { group: true, key: [account, holder] });
  return (res.rows[0]?.value as number | undefined) ?? 0;
}

const written = () => ledgerWritten(s.couch, t);
const writtenUntil = (n: number) => ledgerWrittenUntil(s.couch, t, n);

// 12.00 + tax, paid 6.00 from store credit and the rest in cash, to a known customer
const creditSale = () =>
  makeSale('GM', gm.device.id, {
    customerId: CUSTOMER,
    lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 1, unitPrice: 1200, discount: 0, tax: 107, total: 1307 }],
    subtotal: 1200,
    taxTotal: 107,
    total: 1307,
    tenders: [
      { kind: 'store_credit', amount: 600, reference: CUSTOMER },
      { kind: 'cash', amount: 707 }
    ]
  });
let sale: ReturnType<typeof creditSale>;
let device: PouchDB.Database;

beforeAll(async () => {
  s = await startTestServer({ SALE_LEDGER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', CONFLICT_WORKER_INTERVAL_S: '0' });
  t = (await createTenant({ couch: s.couch }, { name: 'Ledger Co', adminEmail: 'o@ledger.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  managerId = (await createStaffUser({ couch: s.couch }, t, { email: 'm@ledger.test', name: 'Mia Manager', role: 'manager', locations: ['*'], password: PW }))._id;
  owner = await login(s, 'o@ledger.test', PW);
  gm = await enrol(s, owner, 'register', 'GM', 'Till 1');
  const catalog = s.couch.use(catalogDb(t));
  const settings = await catalog.get('settings:tenant');
  await catalog.insert({ ...settings, loyaltyPointsPerUnit: POINTS_PER_UNIT });
});

afterAll(async () => {
  await s?.stop();
});

describe('the customer ledger is derived from sales', () => {
  it('devices cannot write ledger entries; nobody writes one named after a sale; staff with sale:refund can adjust', async () => {
    const put = (doc: { _id: string }, token: string) => s.call('PUT', `/db/${customersDb(t)}/${encodeURIComponent(doc._id)}`, { token, body: doc });
    const now = new Date().toISOString();
    const forged = { _id: `ledger:sale:${gm.device.id}:${newUlid()}:t0`, type: 'ledger_entry', account: 'store_credit', holder: CUSTOMER, amount: 100_000, reason: 'refund', createdAt: now, createdBy: 'user:x' };
    const res = await put(forged, gm.deviceToken);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { reason: string }).reason).toContain("written only by the server's sale-ledger worker");
    // not even the owner: those ids are the worker's, which would take a pre-empted one as already written
    const byOwner = await put({ ...forged, _id: `ledger:sale:${gm.device.id}:${newUlid()}:points` }, owner);
    expect(byOwner.status).toBe(403);
    expect(((await byOwner.json()) as { reason: string }).reason).toContain("written only by the server's sale-ledger worker");
    const deviceAdjustment = await put({ ...forged, _id: `ledger:adj:${newUlid()}` }, gm.deviceToken);
    expect(((await deviceAdjustment.json()) as { reason: string }).reason).toContain('register device may not write ledger_entry');

    // the customer starts with 10.00 of store credit, given by the owner in the admin portal
    const opening = { _id: `ledger:adj:${newUlid()}`, type: 'ledger_entry', account: 'store_credit', holder: CUSTOMER, amount: 1000, reason: 'goodwill', createdAt: now, createdBy: 'user:owner' };
    expect((await put(opening, owner)).status).toBe(201);
    await expect.poll(() => balance('store_credit'), VIEW_SETTLES).toBe(1000);
  });

  it('a sale paid partly with store credit writes exactly its entries; the balance view and the register agree', async () => {
    sale = creditSale();
    device = localDb('ledger-till');
    await device.put(sale);
    expect(await device.replicate.to(remoteDb(s.url, gm.databases.location!, gm.deviceToken))).toMatchObject({ docs_written: 1, doc_write_failures: 0 });

    // before the worker: the register subtracts its own pending sale from the replicated ledger
    const customers = localDb('ledger-till-customers');
    const pull = async () => {
      await customers.replicate.from(remoteDb(s.url, gm.databases.customers!, gm.deviceToken));
      const ledger = new CustomerLedger();
      for (const r of (await customers.allDocs({ include_docs: true })).rows) ledger.apply(r.doc as never);
      const location = new LocationLedger();
      location.apply(sale as never);
      return spendableBalance(ledger, location, 'store_credit', CUSTOMER);
    };
    expect(await pull()).toBe(400);
    expect(await entries(`ledger:${sale._id}`)).toEqual([]);

    expect(await writtenUntil(2)).toBe(2);
    await expect.poll(async () => (await entries(`ledger:${sale._id}`)).map(({ _id, account, holder, amount, reason, ref }) => ({ _id, account, holder, amount, reason, ref })), VIEW_SETTLES).toEqual([
      { _id: `ledger:${sale._id}:points`, account: 'loyalty', holder: CUSTOMER, amount: 13 * POINTS_PER_UNIT, reason: 'earned', ref: sale._id },
      { _id: `ledger:${sale._id}:t0`, account: 'store_credit', holder: CUSTOMER, amount: -600, reason: 'sale', ref: sale._id }
    ]);
    await expect.poll(() => balance('store_credit'), VIEW_SETTLES).toBe(400);
    await expect.poll(() => balance('loyalty'), VIEW_SETTLES).toBe(26);
    // after: the entry came back to the register, which no longer counts the sale as pending
    expect(await pull()).toBe(400);
  });

  it('the worker again, without its checkpoint, and the sale pushed twice more: nothing new', async () => {
    expect(await written()).toBe(0);
    const cdb = s.couch.use(customersDb(t));
    const cp = await cdb.get(`_local/sale-ledger-${locationDb(t, 'GM')}`);
    await cdb.destroy(cp._id, cp._rev);

    const other = localDb('ledger-till-2');
    await other.put(sale);
    await other.replicate.to(remoteDb(s.url, gm.databases.location!, gm.deviceToken));
    const replay = await s.call('POST', `/db/${locationDb(t, 'GM')}/_bulk_docs`, { token: gm.deviceToken, body: { docs: [await device.get(sale._id)], new_edits: false } });
    expect(replay.status).toBe(201);

    expect(await written()).toBe(0);
    await expect.poll(async () => (await entries('ledger:sale:')).length, VIEW_SETTLES).toBe(2);
    await expect.poll(async () => [await balance('store_credit'), await balance('loyalty')], VIEW_SETTLES).toEqual([400, 26]);
  });

  it('covers every location of the tenant; a sale without a customer earns no points', async () => {
    const hm = await enrol(s, owner, 'register', 'HM', 'HM till');
    const there = makeSale('HM', hm.device.id, { customerId: CUSTOMER }); // 10.89: 10 units
    const anonymous = makeSale('HM', hm.device.id);
    const till = localDb('ledger-hm');
    await till.bulkDocs([there, anonymous]);
    expect(await till.replicate.to(remoteDb(s.url, hm.databases.location!, hm.deviceToken))).toMatchObject({ docs_written: 2 });
    expect(await writtenUntil(1)).toBe(1);
    await expect.poll(() => balance('loyalty'), VIEW_SETTLES).toBe(26 + 20);
    expect(await entries(`ledger:${anonymous._id}`)).toEqual([]);
  });

  it('a void reverses the points (and the store credit, should such a void arrive), once', async () => {
    const v = makeVoid(sale, [makeApproval(managerId, 'void', 'Mia Manager')]);
    await device.put(v);
    expect(await device.replicate.to(remoteDb(s.url, gm.databases.location!, gm.deviceToken))).toMatchObject({ docs_written: 1, doc_write_failures: 0 });
    expect(await writtenUntil(2)).toBe(2);
    await expect.poll(async () => (await entries(`ledger:${v._id}`)).map(({ _id, account, amount, reason, ref }) => ({ _id, account, amount, reason, ref })), VIEW_SETTLES).toEqual([
      { _id: `ledger:${v._id}:points`, account: 'loyalty', amount: -26, reason: 'void', ref: v._id },
      { _id: `ledger:${v._id}:t0`, account: 'store_credit', amount: 600, reason: 'void', ref: v._id }
    ]);
    await expect.poll(async () => [await balance('store_credit'), await balance('loyalty')], VIEW_SETTLES).toEqual([1000, 20]);
    expect(await written()).toBe(0);
  });

  it('a void that reaches the server before its sale is reversed once the sale is there', async () => {
    const hmDb = s.couch.use(locationDb(t, 'HM'));
    const early = makeSale('HM', 'HM-1', { customerId: CUSTOMER });
    const v = makeVoid(early, [makeApproval(managerId, 'void', 'Mia Manager')]);
    await hmDb.insert(v);
    // the worker sees the void (on a cluster perhaps a run later) and waits for its sale, writing nothing
    const waiting: string[] = [];
    await expect
      .poll(async () => {
        const [, hm] = await deriveTenantLedger(s.couch, t);
        expect(hm!.written).toBe(0);
        waiting.push(...hm!.waiting);
        return waiting;
      }, VIEW_SETTLES)
      .toEqual([v._id]);
    await hmDb.insert(early);
    expect(await writtenUntil(2)).toBe(2);
    await expect.poll(async () => (await entries(`ledger:${v._id}`)).map((e) => [e._id, e.amount]), VIEW_SETTLES).toEqual([[`ledger:${v._id}:points`, -20]]);
    await expect.poll(() => balance('loyalty'), VIEW_SETTLES).toBe(20);
  });

  it('across a restart the started worker derives new sales once, and re-reading everything writes nothing', async () => {
    const before = (await entries()).length;
    // lose every checkpoint: the restarted worker re-reads both feeds from the start
    const cdb = s.couch.use(customersDb(t));
    for (const code of ['GM', 'HM']) {
      const cp = await cdb.get(`_local/sale-ledger-${locationDb(t, code)}`);
      await cdb.destroy(cp._id, cp._rev);
    }
    const dir = s.dataDir;
    await s.stop({ keepData: true });
    s = await startTestServer({ SALE_LEDGER_INTERVAL_S: '1', APPROVALS_AUDIT_INTERVAL_S: '0', CONFLICT_WORKER_INTERVAL_S: '0' }, dir);

    const next = creditSale();
    const till = localDb('ledger-after-restart');
    await till.put(next);
    await till.replicate.to(remoteDb(s.url, gm.databases.location!, gm.deviceToken));
    await expect.poll(async () => (await entries(`ledger:${next._id}`)).length, { timeout: 60_000, interval: 250 }).toBe(2);
    await expect.poll(async () => (await s.couch.use(customersDb(t)).get(`_local/sale-ledger-${locationDb(t, 'HM')}`).catch(() => null)) !== null, { timeout: 60_000 }).toBe(true);
    await expect.poll(async () => (await entries()).length, VIEW_SETTLES).toBe(before + 2);
    await expect.poll(async () => [await balance('store_credit'), await balance('loyalty')], VIEW_SETTLES).toEqual([400, 20 + 26]);
  });
});
