import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';
import { makeSale } from '../support/fixtures.ts';

/**
 * Tenant isolation through the gateway: every principal of tenant A gets 401/403 on every `/db`
 * path of tenant B, and on A's own databases the sync rules do not give it.
 */
let s: TestServer;
const tokens: Record<string, string> = {};
let a = '';
let b = '';
let tillGM = ''; // device id of A's GM register: the probe sales are named after it, as it would make them
const PW = 'correct-horse-battery';

beforeAll(async () => {
  s = await startTestServer();
  const ctx = { couch: s.couch };
  a = (await createTenant(ctx, { name: 'Acme Retail', adminEmail: 'owner@acme.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  b = (await createTenant(ctx, { name: 'Bravo Goods', adminEmail: 'owner@bravo.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  await createStaffUser(ctx, a, { email: 'manager@acme.test', name: 'M', role: 'manager', locations: ['GM'], password: PW });
  await createStaffUser(ctx, a, { email: 'cashier@acme.test', name: 'C', role: 'cashier', locations: ['GM'], password: PW });
  tokens.aOwner = await login(s, 'owner@acme.test', PW);
  tokens.aManagerGM = await login(s, 'manager@acme.test', PW);
  tokens.aCashierGM = await login(s, 'cashier@acme.test', PW);
  const till = await enrol(s, tokens.aOwner, 'register', 'GM');
  tokens.aRegisterGM = till.deviceToken;
  tillGM = till.device.id;
  tokens.aPhoneGM = (await enrol(s, tokens.aOwner, 'rfid_phone', 'GM')).deviceToken;
  tokens.bOwner = await login(s, 'owner@bravo.test', PW);
  // B has data worth stealing
  await s.couch.use(`t-${b}-loc-gm`).insert(makeSale('GM'));
});

afterAll(async () => {
  await s?.stop();
});

/** Every endpoint shape a client could try on a database, as [method, path suffix, body]. */
function probes(db: string): [string, string, unknown?][] {
  const sale = makeSale('GM', tillGM);
  const id = encodeURIComponent(sale._id);
  return [
    ['GET', `/db/${db}`],
    ['GET', `/db/${db}/_changes`],
    ['GET', `/db/${db}/_changes?feed=longpoll&since=0&timeout=100`],
    ['GET', `/db/${db}/_all_docs?include_docs=true`],
    ['POST', `/db/${db}/_all_docs`, { keys: ['settings:tenant'] }],
    ['POST', `/db/${db}/_bulk_get`, { docs: [{ id: 'settings:tenant' }] }],
    ['POST', `/db/${db}/_revs_diff`, { x: ['1-a'] }],
    ['POST', `/db/${db}/_bulk_docs`, { docs: [makeSale('GM', tillGM)] }],
    ['GET', `/db/${db}/_local/checkpoint`],
    ['PUT', `/db/${db}/_local/checkpoint`, { last_seq: 0 }],
    ['GET', `/db/${db}/_design/stock`],
    ['GET', `/db/${db}/_design/stock/_view/on_hand`],
    ['GET', `/db/${db}/settings%3Atenant`],
    ['PUT', `/db/${db}/${id}`, sale],
    ['POST', `/db/${db}`, makeSale('GM', tillGM)],
    ['POST', `/db/${db}/_find`, { selector: {} }],
    ['GET', `/db/${db}/_index`],
    ['GET', `/db/${db}/_security`],
    ['GET', `/db/${db}%2F_all_docs`],
    ['GET', `/db/${encodeURIComponent(db + '/_all_docs')}`],
    ['GET', `/db/${db}/..%2F..%2F_all_dbs`]
  ];
}

async function expectDenied(token: string | undefined, db: string) {
  for (const [method, path, body] of probes(db)) {
    const res = await s.call(method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    expect([400, 401, 403], `${method} ${path} → ${res.status} ${text}`).toContain(res.status);
    expect(text).not.toContain('"type":"sale"');
  }
}

describe('gateway isolation', () => {
  const bDbs = () => [`t-${b}-catalog`, `t-${b}-customers`, `t-${b}-audit`, `t-${b}-loc-gm`];

  it.each(['aOwner', 'aManagerGM', 'aCashierGM', 'aRegisterGM', 'aPhoneGM'])('%s cannot reach any database of tenant B', async (who) => {
    for (const db of bDbs()) await expectDenied(tokens[who], db);
  });

  it('anonymous and forged tokens get 401 everywhere', async () => {
    for (const db of bDbs()) {
      const res = await s.call('GET', `/db/${db}/_all_docs`);
      expect(res.status).toBe(401);
    }
    const forged = tokens.aOwner!.slice(0, -4) + 'AAAA';
    expect((await s.call('GET', `/db/t-${a}-catalog`, { token: forged })).status).toBe(401);
  });

  it('a register and a GM manager cannot reach the other location of their own tenant', async () => {
    await expectDenied(tokens.aRegisterGM, `t-${a}-loc-hm`);
    await expectDenied(tokens.aManagerGM, `t-${a}-loc-hm`);
    await expectDenied(tokens.aPhoneGM, `t-${a}-customers`);
    await expectDenied(tokens.aRegisterGM, `t-${a}-audit`);
  });

  it('server-level endpoints are closed to everyone, including owners', async () => {
    for (const path of ['/db/', '/db/_all_dbs', '/db/_config', '/db/_users', '/db/_session', '/db/_uuids', '/db/platform', '/db/platform/_all_docs']) {
      const res = await s.call('GET', path, { token: tokens.aOwner });
      expect([403, 404], path).toContain(res.status);
    }
    expect((await s.call('PUT', `/db/t-${a}-newdb`, { token: tokens.aOwner })).status).toBe(403);
    expect((await s.call('DELETE', `/db/t-${a}-catalog`, { token: tokens.aOwner })).status).toBe(403);
    expect((await s.call('PUT', `/db/t-${a}-catalog/_security`, { token: tokens.aOwner, body: { members: {} } })).status).toBe(403);
    expect((await s.call('PUT', `/db/t-${a}-catalog/_design/evil`, { token: tokens.aOwner, body: { views: {} } })).status).toBe(403);
  });

  it('the same principals do reach what the rules give them (so the denials above are real)', async () => {
    expect((await s.call('GET', `/db/t-${a}-loc-gm/_all_docs`, { token: tokens.aRegisterGM })).status).toBe(200);
    expect((await s.call('GET', `/db/t-${a}-catalog/_changes`, { token: tokens.aPhoneGM })).status).toBe(200);
    expect((await s.call('GET', `/db/t-${a}-loc-hm`, { token: tokens.aOwner })).status).toBe(200);
    expect((await s.call('GET', `/db/t-${b}-loc-gm/_all_docs`, { token: tokens.bOwner })).status).toBe(200);
  });

  it('the catalog is read-only for a register', async () => {
    const res = await s.call('POST', `/db/t-${a}-catalog/_bulk_docs`, { token: tokens.aRegisterGM, body: { docs: [] } });
    expect(res.status).toBe(403);
  });

  it('a revoked device loses access at once', async () => {
    const dev = await enrol(s, tokens.aOwner!, 'register', 'GM', 'to revoke');
    expect((await s.call('GET', `/db/t-${a}-loc-gm`, { token: dev.deviceToken })).status).toBe(200);
    expect((await s.call('DELETE', `/api/v1/devices/${dev.device.id}`, { token: tokens.aOwner })).status).toBe(204);
    expect((await s.call('GET', `/db/t-${a}-loc-gm`, { token: dev.deviceToken })).status).toBe(401);
  });
});
