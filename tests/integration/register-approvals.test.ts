import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { auditTenantApprovals } from '../../server/workers/approvals-audit.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';
import { localDb, remoteDb } from './support/pouch.ts';
import { makeApproval, makeSale, makeVoid } from '../support/fixtures.ts';

/**
 * Register documents through the real gateway and store: manager approvals are checked against the
 * tenant's staff directory and land in the audit trail exactly once; returns and voids move the real
 * stock view; the new types obey the sync rules. The audit worker's timer is off while the assertions
 * need a fixed state (it is run by hand), and on at the end across a restart.
 */
let s: TestServer;
let t = '';
let owner = '';
let managerId = '';
let cashierId = '';
let register: Awaited<ReturnType<typeof enrol>>;
let till = ''; // register's device id: its documents are {kind}:{till}:{ulid} with registerId device:{till}
let phone: Awaited<ReturnType<typeof enrol>>;
const PW = 'correct-horse-battery';
const loc = () => `/db/${locationDb(t, 'GM')}`;
const put = (doc: { _id: string }, token: string) => s.call('PUT', `${loc()}/${encodeURIComponent(doc._id)}`, { token, body: doc });

async function approvalEvents(): Promise<{ _id: string; action: string; actor: string; approvedBy: string; target: string; deviceId?: string }[]> {
  const res = await s.couch.use(auditDb(t)).list({ startkey: 'audit:approval:', endkey: 'audit:approval:\ufff0', include_docs: true });
  return res.rows.map((r) => r.doc as never);
}

beforeAll(async () => {
  s = await startTestServer({ APPROVALS_AUDIT_INTERVAL_S: '0', CONFLICT_WORKER_INTERVAL_S: '0' });
  t = (await createTenant({ couch: s.couch }, { name: 'Approval Co', adminEmail: 'o@approval.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  managerId = (await createStaffUser({ couch: s.couch }, t, { email: 'm@approval.test', name: 'Mia Manager', role: 'manager', locations: ['GM'], password: PW }))._id;
  cashierId = (await createStaffUser({ couch: s.couch }, t, { email: 'c@approval.test', name: 'Cal Cashier', role: 'cashier', locations: ['GM'], password: PW }))._id;
  owner = await login(s, 'o@approval.test', PW);
  register = await enrol(s, owner, 'register', 'GM', 'Till 1');
  till = register.device.id;
  phone = await enrol(s, owner, 'rfid_phone', 'GM', 'Phone');
});

afterAll(async () => {
  await s?.stop();
});

describe('manager approvals', () => {
  it('a void with a manager approval replicates in and is audited exactly once, however often it is pushed or re-read', async () => {
    const sale = makeSale('GM', till, { cashierId });
    const voided = makeVoid(sale, [makeApproval(managerId, 'void', 'Mia Manager')]);
    const local = localDb('approvals');
    await local.bulkDocs([sale, voided]);
    const remote = remoteDb(s.url, register.databases.location!, register.deviceToken);
    const pushed = await local.replicate.to(remote);
    expect(pushed).toMatchObject({ docs_written: 2, doc_write_failures: 0 });

    await auditTenantApprovals(s.couch, t, s.ctx.staff);
    const events = await approvalEvents();
    expect(events).toEqual([
      expect.objectContaining({ action: 'approval.void', actor: cashierId, approvedBy: managerId, target: voided._id, deviceId: sale.registerId, createdAt: voided.approvals[0]!.at })
    ]);

    // pushed again from another replica (a reinstalled till), replayed as new_edits=false, and the
    // worker re-reading everything (its checkpoint lost, as after a crash before it was saved)
    const other = localDb('approvals-2');
    await other.bulkDocs([voided]);
    await other.replicate.to(remote);
    const replay = await s.call('POST', `${loc()}/_bulk_docs`, { token: register.deviceToken, body: { docs: [{ ...(await local.get(voided._id)), _revisions: undefined }], new_edits: false } });
    expect(replay.status).toBe(201);
    await auditTenantApprovals(s.couch, t, s.ctx.staff);
    const audit = s.couch.use(auditDb(t));
    const cp = await audit.get(`_local/approvals-audit-${locationDb(t, 'GM')}`);
    await audit.destroy(cp._id, cp._rev);
    await auditTenantApprovals(s.couch, t, s.ctx.staff);
    expect((await approvalEvents()).map((e) => e.target)).toEqual([voided._id]);
  });

  it('a void approved by a cashier is refused with 403 naming the approval, and by replication it is a write failure', async () => {
    const sale = makeSale('GM', till, { cashierId });
    const bad = makeVoid(sale, [makeApproval(cashierId, 'void', 'Cal Cashier')]);
    const res = await put(bad, register.deviceToken);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: string; reason: string };
    expect(body.error).toBe('forbidden');
    expect(body.reason).toBe(`approvals.0 (void by ${cashierId}): role cashier may not approve void (needs sale:void)`);

    const local = localDb('bad-void');
    await local.put(bad);
    const out = await local.replicate.to(remoteDb(s.url, register.databases.location!, register.deviceToken));
    expect(out).toMatchObject({ docs_written: 0, doc_write_failures: 1 });
    expect((await s.call('GET', `${loc()}/${encodeURIComponent(bad._id)}`, { token: owner })).status).toBe(404);

    // an approver unknown to the tenant, and a manager of this tenant approving at a location they do not work at
    expect(await (await put(makeVoid(sale, [makeApproval('user:intruder')]), register.deviceToken)).json()).toMatchObject({ reason: expect.stringContaining('not a staff member') });
    const hm = await enrol(s, owner, 'register', 'HM', 'HM till');
    const hmSale = makeSale('HM', hm.device.id, { cashierId });
    const hmVoid = makeVoid(hmSale, [makeApproval(managerId)]);
    const r = await s.call('PUT', `/db/${locationDb(t, 'HM')}/${encodeURIComponent(hmVoid._id)}`, { token: hm.deviceToken, body: hmVoid });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { reason: string }).reason).toContain('no access to location HM');
  });
});

describe('stock through the real views', () => {
  it('a sale takes stock, a return line brings it back, a void restores the sale; layaways reserve until closed', async () => {
    const variant = 'st-v01';
    const level = async (view: 'on_hand' | 'reserved') => {
      const res = await s.couch.use(locationDb(t, 'GM')).view('stock', view, { group: true, key: ['GM', variant] });
      return (res.rows[0]?.value as number | undefined) ?? 0;
    };
    const line = (qty: number) => ({ lineId: 'l1', productId: 'product:st', variantId: variant, sku: 'ST-1', name: 'Stock tee', qty, unitPrice: 1000, discount: 0, tax: 0, total: 1000 * qty });
    const money = (total: number) => ({ subtotal: total, discountTotal: 0, taxTotal: 0, total, tenders: [{ kind: 'cash', amount: total }] });

    const opening = { _id: `movement:${newUlid()}`, type: 'stock_movement', locationCode: 'GM', reason: 'opening', lines: [{ variantId: variant, qty: 10 }], createdAt: new Date().toISOString(), createdBy: 'user:clerk' };
    expect((await put(opening, phone.deviceToken)).status).toBe(201);
    await expect.poll(() => level('on_hand'), VIEW_SETTLES).toBe(10);

    const sale = makeSale('GM', till, { cashierId, lines: [line(3)], ...money(3000) });
    expect((await put(sale, register.deviceToken)).status).toBe(201);
    await expect.poll(() => level('on_hand'), VIEW_SETTLES).toBe(7);

    const ret = makeSale('GM', till, { cashierId, kind: 'return', lines: [{ ...line(-1), returnOf: { saleId: sale._id, lineId: 'l1' } }], ...money(-1000) });
    const retRes = await put(ret, register.deviceToken);
    expect(retRes.status, await retRes.clone().text()).toBe(201);
    await expect.poll(() => level('on_hand'), VIEW_SETTLES).toBe(8);

    const voided = makeVoid(sale, [makeApproval(managerId)]);
    expect((await put(voided, register.deviceToken)).status).toBe(201);
    await expect.poll(() => level('on_hand'), VIEW_SETTLES).toBe(11); // the whole sale of 3 came back; the return's unit was already back

    const ulid = newUlid();
    const layaway = {
      _id: `layaway:${till}:${ulid}`,
      type: 'layaway',
      locationCode: 'GM',
      registerId: `device:${till}`,
      cashierId,
      customerId: 'customer:c1',
      currency: 'USD',
      lines: [line(2)],
      total: 2000,
      tenders: [{ kind: 'cash', amount: 500 }],
      createdAt: new Date().toISOString()
    };
    expect((await put(layaway, register.deviceToken)).status).toBe(201);
    await expect.poll(async () => [await level('on_hand'), await level('reserved')], VIEW_SETTLES).toEqual([11, 2]);
    const close = {
      _id: `layaway_close:${till}:${ulid}`,
      type: 'layaway_close',
      locationCode: 'GM',
      registerId: `device:${till}`,
      cashierId,
      layawayId: layaway._id,
      outcome: 'cancelled',
      lines: [{ variantId: variant, qty: 2 }],
      tenders: [{ kind: 'cash', amount: -500 }],
      createdAt: new Date().toISOString()
    };
    expect((await put(close, register.deviceToken)).status).toBe(201);
    await expect.poll(async () => [await level('on_hand'), await level('reserved')], VIEW_SETTLES).toEqual([11, 0]);
  });
});

describe('new register document types follow the sync rules', () => {
  const shift = () => ({
    _id: `shift:${till}:${newUlid()}`,
    type: 'shift',
    locationCode: 'GM',
    registerId: `device:${till}`,
    openedBy: cashierId,
    openingFloat: 15000,
    openedAt: new Date().toISOString()
  });

  it('a register opens a shift; an RFID phone may not; nobody edits it afterwards', async () => {
    const mine = shift();
    const ok = await put(mine, register.deviceToken);
    expect(ok.status).toBe(201);
    const { rev } = (await ok.json()) as { rev: string };
    expect(await (await put({ ...mine, _rev: rev, openingFloat: 0 } as never, register.deviceToken)).json()).toMatchObject({ reason: expect.stringContaining('immutable') });

    const byPhone = await put(shift(), phone.deviceToken);
    expect(byPhone.status).toBe(403);
    expect(((await byPhone.json()) as { reason: string }).reason).toBe('type: a rfid_phone device may not write shift documents (needs sale:create)');
  });

  it('a register may not record stock movements (phones and users do); parked sales stay editable', async () => {
    const movement = { _id: `movement:${newUlid()}`, type: 'stock_movement', locationCode: 'GM', reason: 'receive', lines: [{ variantId: 'x-v01', qty: 1 }], createdAt: new Date().toISOString(), createdBy: 'user:x' };
    expect((await put(movement, register.deviceToken)).status).toBe(403);

    const parked = {
      _id: `parked:${till}:${newUlid()}`,
      type: 'parked_sale',
      locationCode: 'GM',
      registerId: `device:${till}`,
      label: 'Blue coat lady',
      lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', taxCategory: 'clothing', qty: 1, unitPrice: 1000, listPrice: 1000 }],
      parkedBy: cashierId,
      updatedAt: new Date().toISOString(),
      updatedBy: cashierId
    };
    const first = await put(parked, register.deviceToken);
    expect(first.status).toBe(201);
    const { rev } = (await first.json()) as { rev: string };
    expect((await s.call('DELETE', `${loc()}/${encodeURIComponent(parked._id)}?rev=${rev}`, { token: register.deviceToken })).status).toBe(200);
    expect((await put(parked, phone.deviceToken)).status).toBe(403);
  });
});

describe('across a restart', () => {
  it('the started worker records new approvals once, and start redeploys an outdated design doc', async () => {
    await auditTenantApprovals(s.couch, t, s.ctx.staff); // what is there so far (the stock test's void)
    const before = (await approvalEvents()).length;
    expect(before).toBe(2);
    // lose the checkpoint too: the restarted worker re-reads the whole feed and must still not duplicate
    const audit = s.couch.use(auditDb(t));
    const cp = await audit.get(`_local/approvals-audit-${locationDb(t, 'GM')}`);
    await audit.destroy(cp._id, cp._rev);
    // a database left by an older release: its sales design doc predates by_shift
    const gm = s.couch.use(locationDb(t, 'GM'));
    const old = (await gm.get('_design/sales')) as { _rev: string; views: Record<string, unknown> };
    await gm.insert({ ...old, views: { by_day: old.views.by_day }, version: 'older-release' });
    const dir = s.dataDir;
    await s.stop({ keepData: true });
    s = await startTestServer({ APPROVALS_AUDIT_INTERVAL_S: '1', CONFLICT_WORKER_INTERVAL_S: '0' }, dir);

    const sale = makeSale('GM', till, { cashierId });
    const cash = { _id: `cash:${till}:${newUlid()}`, type: 'cash_movement', locationCode: 'GM', registerId: `device:${till}`, shiftId: `shift:${till}:x`, kind: 'no_sale', amount: 0, reason: 'change for a note', staffId: cashierId, approvals: [makeApproval(managerId, 'no_sale')], createdAt: new Date().toISOString() };
    expect((await put(sale, register.deviceToken)).status).toBe(201);
    expect((await put(cash, register.deviceToken)).status).toBe(201);
    await expect.poll(async () => (await approvalEvents()).length, { timeout: 60_000, interval: 250 }).toBe(before + 1);
    const events = await approvalEvents();
    expect(events.find((e) => e.target === cash._id)).toMatchObject({ action: 'approval.no_sale', actor: cashierId, approvedBy: managerId });
    expect(new Set(events.map((e) => e.target)).size).toBe(events.length);
    // let the worker run once more: still nothing new
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await approvalEvents()).length).toBe(before + 1);

    // start brought the older database up to the current design docs: in the background (the new
    // views are built under _design/sales-next, then swapped in), so wait for /readyz to say so
    await expect.poll(async () => ((await (await s.call('GET', '/readyz')).json()) as { designDocs: { state: string } }).designDocs.state, { timeout: 60_000, interval: 250 }).toBe('current');
    const ddoc = (await s.couch.use(locationDb(t, 'GM')).get('_design/sales')) as { views: Record<string, unknown>; version: string };
    expect(ddoc.version).not.toBe('older-release');
    await expect(s.couch.use(locationDb(t, 'GM')).get('_design/sales-next')).rejects.toMatchObject({ statusCode: 404 });
    expect(Object.keys(ddoc.views)).toContain('by_shift');
    const shiftSales = await s.couch.use(locationDb(t, 'GM')).view('sales', 'by_shift', { group_level: 1 });
    expect(shiftSales.rows).toEqual([]); // none of these test sales belonged to a shift
  });
});

describe('registers of one location', () => {
  it("another register voids Till 1's sale: the void is named after the sale and names the register that voided it", async () => {
    const till2 = await enrol(s, owner, 'register', 'GM', 'Till 2');
    const sale = makeSale('GM', till, { cashierId });
    expect((await put(sale, register.deviceToken)).status).toBe(201);
    // Till 2 cannot record it as Till 1's void (Till 1's Z report would show a void it never did)
    const asTill1 = makeVoid(sale, [makeApproval(managerId)]);
    const refused = await put(asTill1, till2.deviceToken);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { reason: string }).reason).toBe(`registerId: must be device:${till2.device.id}, the register writing it`);
    // ...but as its own: the id stays the sale's (a sale is voided once, whichever register does it)
    const voided = makeVoid(sale, [makeApproval(managerId)], { registerId: `device:${till2.device.id}` });
    expect(voided._id).toBe(`void:${sale._id.slice('sale:'.length)}`);
    expect((await put(voided, till2.deviceToken)).status).toBe(201);
    // and Till 2 cannot sell in Till 1's name
    const forged = makeSale('GM', till, { cashierId, registerId: `device:${till2.device.id}` });
    expect((await put(forged, till2.deviceToken)).status).toBe(403);
  });
});
