import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';
import { makeProduct, makeSale } from '../support/fixtures.ts';

let s: TestServer;
let t = '';
let owner = '';
let cashier = '';
let register = '';
let tillId = ''; // the register's device id: it names its sales sale:{deviceId}:{ulid}
let phone = '';
const PW = 'correct-horse-battery';
const loc = () => `/db/t-${t}-loc-gm`;

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Valid Co', adminEmail: 'o@valid.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'c@valid.test', name: 'C', role: 'cashier', locations: ['GM'], password: PW });
  owner = await login(s, 'o@valid.test', PW);
  cashier = await login(s, 'c@valid.test', PW);
  const till = await enrol(s, owner, 'register', 'GM');
  register = till.deviceToken;
  tillId = till.device.id;
  phone = (await enrol(s, owner, 'rfid_phone', 'GM')).deviceToken;
});

afterAll(async () => {
  await s?.stop();
});

describe('documents written through the gateway', () => {
  it('a valid sale is stored; the same sale cannot then be edited or deleted', async () => {
    const sale = makeSale('GM', tillId);
    const put = await s.call('PUT', `${loc()}/${encodeURIComponent(sale._id)}`, { token: register, body: sale });
    expect(put.status).toBe(201);
    const { rev } = (await put.json()) as { rev: string };
    const edit = await s.call('PUT', `${loc()}/${encodeURIComponent(sale._id)}`, { token: register, body: { ...sale, _rev: rev, total: 1 } });
    expect(edit.status).toBe(403);
    expect(((await edit.json()) as { reason: string }).reason).toMatch(/^_rev: sale documents are immutable/);
    const del = await s.call('DELETE', `${loc()}/${encodeURIComponent(sale._id)}?rev=${rev}`, { token: owner });
    expect(del.status).toBe(403);
    expect(((await del.json()) as { reason: string }).reason).toMatch(/^_deleted:/);
    const again = (await (await s.call('GET', `${loc()}/${encodeURIComponent(sale._id)}`, { token: register })).json()) as { total: number; _rev: string };
    expect(again).toMatchObject({ total: sale.total, _rev: rev });
  });

  it('an invalid document is rejected with 400 naming the field', async () => {
    const sale = makeSale('GM', tillId);
    (sale.lines[0] as { qty: number }).qty = 0; // negative is a returned item; zero is never valid
    const res = await s.call('PUT', `${loc()}/${encodeURIComponent(sale._id)}`, { token: register, body: sale });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_document', reason: expect.stringContaining('lines.0.qty') });

    const noCurrency = { ...makeSale('GM', tillId), currency: 'dollars' };
    const r2 = await s.call('POST', loc(), { token: register, body: noCurrency });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { reason: string }).reason).toContain('currency');

    const r3 = await s.call('POST', loc(), { token: register, body: { type: 'sale' } });
    expect(r3.status).toBe(400);
    expect(((await r3.json()) as { reason: string }).reason).toContain('_id');
  });

  it('_bulk_docs stores the valid documents and returns a forbidden entry for each invalid one', async () => {
    const good = makeSale('GM', tillId);
    const bad = makeSale('GM', tillId, { total: -5 });
    const wrongLoc = makeSale('HM', tillId);
    const res = await s.call('POST', `${loc()}/_bulk_docs`, { token: register, body: { docs: [good, bad, wrongLoc] } });
    expect(res.status).toBe(201);
    const out = (await res.json()) as { id: string; ok?: boolean; error?: string; reason?: string }[];
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ id: good._id, ok: true });
    expect(out[1]).toMatchObject({ id: bad._id, error: 'forbidden', reason: expect.stringContaining('total') });
    expect(out[2]).toMatchObject({ id: wrongLoc._id, error: 'forbidden', reason: expect.stringContaining('locationCode') });
    expect((await s.call('GET', `${loc()}/${encodeURIComponent(bad._id)}`, { token: register })).status).toBe(404);
  });

  it('tax by jurisdiction: a sale line’s components must sum to its tax; an owner’s tax table is stored, a malformed one or a cashier’s refused', async () => {
    const line = (taxes: { jurisdictionId: string; name: string; ratePpm: number; amount: number }[]) => [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 1, unitPrice: 1000, discount: 0, tax: 89, total: 1089, taxes }];
    const state = { jurisdictionId: 'ny-state', name: 'New York State', ratePpm: 40_000, amount: 40 };
    const city = { jurisdictionId: 'nyc', name: 'New York City', ratePpm: 48_750, amount: 49 };
    const good = makeSale('GM', tillId, { lines: line([state, city]) });
    expect((await s.call('PUT', `${loc()}/${encodeURIComponent(good._id)}`, { token: register, body: good })).status).toBe(201);
    const off = makeSale('GM', tillId, { lines: line([state, { ...city, amount: 48 }]) });
    const res = await s.call('PUT', `${loc()}/${encodeURIComponent(off._id)}`, { token: register, body: off });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { reason: string }).reason).toContain('lines.0.taxes');

    const table = {
      type: 'tax_table',
      name: 'NYC',
      versions: [{ components: [{ id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: { clothing: { kind: 'exempt_under', threshold: 11_000 } } }] }],
      updatedAt: new Date().toISOString(),
      updatedBy: 'user:o'
    };
    const cat = `/db/t-${t}-catalog`;
    expect((await s.call('PUT', `${cat}/tax_table:nyc`, { token: owner, body: table })).status).toBe(201);
    expect((await s.call('PUT', `${cat}/tax_table:nyc2`, { token: cashier, body: table })).status).toBe(403);
    const unordered = { ...table, versions: [{ ...table.versions[0], effectiveFrom: '2027-01-01' }, { ...table.versions[0], effectiveFrom: '2026-01-01' }] };
    const bad = await s.call('PUT', `${cat}/tax_table:nyc3`, { token: owner, body: unordered });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { reason: string }).reason).toContain('versions.1.effectiveFrom');
  });

  it('replication-style writes (new_edits=false) of an edited event are refused', async () => {
    const sale = { ...makeSale('GM', tillId), _rev: '2-abcdef', _revisions: { start: 2, ids: ['abcdef', '123456'] } };
    const res = await s.call('POST', `${loc()}/_bulk_docs`, { token: register, body: { docs: [sale], new_edits: false } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual([{ id: sale._id, error: 'forbidden', reason: expect.stringContaining('immutable') }]);
  });

  it('permissions: a cashier cannot edit the catalog, a phone cannot record sales, staff entries are server-only', async () => {
    const product = makeProduct();
    const r1 = await s.call('PUT', `/db/t-${t}-catalog/${encodeURIComponent(product._id)}`, { token: cashier, body: product });
    expect(r1.status).toBe(403);
    expect(((await r1.json()) as { reason: string }).reason).toContain('catalog:edit');
    const r1b = await s.call('PUT', `/db/t-${t}-catalog/${encodeURIComponent(product._id)}`, { token: owner, body: product });
    expect(r1b.status).toBe(201);

    const sale = makeSale('GM', tillId);
    const r2 = await s.call('PUT', `${loc()}/${encodeURIComponent(sale._id)}`, { token: phone, body: sale });
    expect(r2.status).toBe(403);

    const staff = { _id: 'staff:x', type: 'staff', userId: 'user:x', name: 'Mallory', role: 'owner', locations: ['*'], active: true, updatedAt: new Date().toISOString(), updatedBy: 'x' };
    const r3 = await s.call('PUT', `/db/t-${t}-catalog/staff%3Ax`, { token: owner, body: staff });
    expect(r3.status).toBe(403);
  });

  it('a register writes only as itself: another register\'s id or registerId is refused, by PUT and by replication', async () => {
    const other = await enrol(s, owner, 'register', 'GM', 'Till 2');
    const reason = async (res: Response) => ((await res.json()) as { reason: string }).reason;
    const asOther = makeSale('GM', other.device.id); // named after Till 2, pushed by Till 1
    const r1 = await s.call('PUT', `${loc()}/${encodeURIComponent(asOther._id)}`, { token: register, body: asOther });
    expect(r1.status).toBe(403);
    expect(await reason(r1)).toBe(`registerId: must be device:${tillId}, the register writing it`);
    const renamed = { ...asOther, registerId: `device:${tillId}` }; // its own registerId, another register's id segment
    const r2 = await s.call('PUT', `${loc()}/${encodeURIComponent(renamed._id)}`, { token: register, body: renamed });
    expect(r2.status).toBe(403);
    expect(await reason(r2)).toMatch(/^_id: a register names its sale documents sale:/);

    const mine = makeSale('GM', tillId);
    const res = await s.call('POST', `${loc()}/_bulk_docs`, { token: register, body: { docs: [mine, asOther, renamed] } });
    expect(await res.json()).toEqual([
      expect.objectContaining({ id: mine._id, ok: true }),
      { id: asOther._id, error: 'forbidden', reason: expect.stringMatching(/^registerId:/) },
      { id: renamed._id, error: 'forbidden', reason: expect.stringMatching(/^_id:/) }
    ]);
    expect((await s.call('GET', `${loc()}/${encodeURIComponent(asOther._id)}`, { token: owner })).status).toBe(404);
    // the register it names can write it
    expect((await s.call('PUT', `${loc()}/${encodeURIComponent(asOther._id)}`, { token: other.deviceToken, body: asOther })).status).toBe(201);
  });

  it('malformed bodies get clear errors', async () => {
    const res = await fetch(`${s.url}${loc()}/_bulk_docs`, { method: 'POST', headers: { authorization: `Bearer ${register}`, 'content-type': 'application/json' }, body: '{"docs": [' });
    expect(res.status).toBe(400);
    const r2 = await s.call('POST', `${loc()}/_bulk_docs`, { token: register, body: { docs: 'nope' } });
    expect(r2.status).toBe(400);
  });
});
