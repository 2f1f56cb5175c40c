import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDb, customersDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { makeSale } from '../support/fixtures.ts';
import { login, startTestServer, type TestServer } from './support/server.ts';
import { makeCast, PW, type Cast, type PrincipalName } from './support/principals.ts';

/**
 * Issue 11: each class of finding from the independent probe, as tables and generated cases against
 * the real server and store. The fuzz test (gateway-fuzz.test.ts) throws generated requests at the
 * same kinds of principals; the upstream failure modes are in gateway-upstream.test.ts.
 */
let s: TestServer;
/** restarts of the embedded store (a real CouchDB in COUCH_URL has none to count) */
const restarts = () => s.embedded?.restartCount ?? 0;
let c: Cast;
const loc = () => `/db/${locationDb(c.tenant, 'GM')}`;
const enc = encodeURIComponent;

async function call(who: PrincipalName, method: string, path: string, body?: unknown, raw?: string) {
  const headers: Record<string, string> = { ...c.headers[who] };
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + path, { method, headers, ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: asserted where it matters */
  }
  return { status: res.status, text, json: json as Record<string, unknown> & unknown[], type: res.headers.get('content-type') ?? '' };
}

/** A JSON error with no stack, path or HTML: what every refusal must look like. */
function expectCleanError(r: { status: number; text: string; type: string }, status: number | number[]) {
  expect(Array.isArray(status) ? status : [status], r.text).toContain(r.status);
  expect(r.type).toMatch(/^application\/json/);
  expect(r.text).not.toMatch(/<html|<pre|\bat .*\(|node_modules|\/srv\/|\/home\/|\/work\/|Error:/i);
}

beforeAll(async () => {
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0', API_RATE_LIMIT: '100000' });
  c = await makeCast(s, 'Secure');
});

afterAll(async () => {
  await s?.stop();
});

describe('1. events are created once, never replaced', () => {
  let sale: ReturnType<typeof makeSale>;
  let rev = '';
  beforeAll(async () => {
    sale = makeSale('GM', c.registerId);
    const put = await call('register', 'PUT', `${loc()}/${enc(sale._id)}`, sale);
    expect(put.status).toBe(201);
    rev = (put.json as unknown as { rev: string }).rev;
  });

  /** The same sale with other content that is still a valid sale: one line cheaper. */
  const forgedBody = () => {
    const line = { ...sale.lines[0]!, unitPrice: 1, tax: 0, total: 1 };
    return { ...sale, lines: [line], subtotal: 1, taxTotal: 0, total: 1, tenders: [{ kind: 'cash', amount: 1 }] };
  };

  it.each(['register', 'pinCashierOnRegister', 'pinManagerOnRegister', 'owner', 'manager', 'cashier'] as PrincipalName[])(
    '%s cannot replace it with new_edits:false under a made-up generation-1 revision',
    async (who) => {
      const forged = { ...forgedBody(), _rev: '1-ffffffffffffffffffffffffffffffff', _revisions: { start: 1, ids: ['ffffffffffffffffffffffffffffffff'] } };
      const r = await call(who, 'POST', `${loc()}/_bulk_docs`, { docs: [forged], new_edits: false });
      expect(r.status).toBe(201); // CouchDB's per-document semantics: the batch answers, the document is refused
      expect(r.json).toEqual([{ id: sale._id, error: 'forbidden', reason: expect.stringMatching(new RegExp(`^(_id: ${sale._id} already exists with different content|type: )`)) }]);
      const single = await call(who, 'PUT', `${loc()}/${enc(sale._id)}?new_edits=false`, forged);
      expectCleanError(single, 403);
      const stored = (await s.couch.use(locationDb(c.tenant, 'GM')).get(sale._id, { conflicts: true })) as { _rev: string; total: number; _conflicts?: string[] };
      expect(stored).toMatchObject({ _rev: rev, total: sale.total });
      expect(stored._conflicts).toBeUndefined();
    }
  );

  it('the refusal is audited once per forged revision, however often a device retries it', async () => {
    const forged = { ...forgedBody(), _rev: '1-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' };
    for (let i = 0; i < 3; i++) await call('register', 'POST', `${loc()}/_bulk_docs`, { docs: [forged], new_edits: false });
    const audit = await s.couch.use(auditDb(c.tenant)).list({ startkey: 'audit:event-replace:', endkey: 'audit:event-replace:\ufff0', include_docs: true });
    const mine = audit.rows.map((r) => r.doc as unknown as { target: string; action: string; details: { rev: string; existingRev: string } }).filter((d) => d.details.rev === forged._rev);
    expect(mine).toEqual([expect.objectContaining({ action: 'event.replace_refused', target: sale._id, details: expect.objectContaining({ existingRev: rev }) })]);
  });

  it('an identical replay stays idempotent: the same revision, or the same body under another revision id', async () => {
    const same = await call('register', 'POST', `${loc()}/_bulk_docs`, { docs: [{ ...sale, _rev: rev }], new_edits: false });
    expect(same).toMatchObject({ status: 201, json: [] });
    const remade = await call('register', 'POST', `${loc()}/_bulk_docs`, { docs: [{ ...sale, _rev: '1-0123456789abcdef0123456789abcdef' }], new_edits: false });
    expect(remade).toMatchObject({ status: 201, json: [] });
    const put = await call('register', 'PUT', `${loc()}/${enc(sale._id)}?new_edits=false`, { ...sale, _rev: '1-0123456789abcdef0123456789abcdef' });
    expect(put.status).toBe(201);
    const stored = (await s.couch.use(locationDb(c.tenant, 'GM')).get(sale._id, { conflicts: true })) as { _rev: string; _conflicts?: string[] };
    expect(stored._rev).toBe(rev);
    expect(stored._conflicts).toBeUndefined();
  });

  it('a batch is judged with one lookup: new events in it are stored, the forged one refused', async () => {
    const fresh = [makeSale('GM', c.registerId), makeSale('GM', c.registerId)].map((d, i) => ({ ...d, _rev: `1-${'ab'.repeat(16)}`.slice(0, 34) + i }));
    const forged = { ...forgedBody(), _rev: '1-dddddddddddddddddddddddddddddddd' };
    const r = await call('register', 'POST', `${loc()}/_bulk_docs`, { docs: [fresh[0], forged, fresh[1]], new_edits: false });
    expect(r.json).toEqual([{ id: sale._id, error: 'forbidden', reason: expect.stringContaining('already exists with different content') }]);
    for (const d of fresh) expect((await call('register', 'GET', `${loc()}/${enc(d._id)}`)).status).toBe(200);
  });

  it('where a second leaf reaches the store anyway, the conflict worker restores the original and reports read it', async () => {
    const db = s.couch.use(locationDb(c.tenant, 'GM'));
    await db.bulk({ docs: [{ ...forgedBody(), _rev: '1-ffffffffffffffffffffffffffffffff' }], new_edits: false });
    expect(await db.get(sale._id)).toMatchObject({ total: 1 }); // CouchDB's winner: the forged one
    const resolved = await call('owner', 'POST', '/api/v1/sync/conflicts/resolve');
    expect(resolved.status).toBe(200);
    expect(await db.get(sale._id)).toMatchObject({ _rev: rev, total: sale.total });
    const detail = await call('owner', 'GET', `/api/v1/sales/${enc(sale._id)}?location=GM`);
    expect(detail.status).toBe(200);
    expect(JSON.stringify(detail.json)).toContain(`"total":${sale.total}`);
    expect(JSON.stringify(detail.json)).not.toContain('"total":1,');
  });
});

describe('2. sessions on a device keep the device\'s limits', () => {
  const put = (who: PrincipalName, doc: { _id: string }) => call(who, 'PUT', `${loc()}/${enc(doc._id)}`, doc);

  it.each([
    ['pinCashierOnRegister', () => makeSale('GM', c.register2Id), 403, /^registerId: must be device:/],
    ['pinCashierOnRegister', () => makeSale('GM', c.register2Id, { registerId: `device:${c.registerId}` }), 403, /^_id: a register names its sale documents/],
    ['pinManagerOnRegister', () => makeSale('GM', c.register2Id), 403, /^registerId:/],
    ['pinCashierOnPhone', () => makeSale('GM', c.phoneId), 403, /^type: a session on a rfid_phone device may not write sale documents/],
    ['pinClerkOnPhone', () => makeSale('GM', c.phoneId), 403, /^type: a session on a rfid_phone device/],
    ['phone', () => makeSale('GM', c.phoneId), 403, /^type: a rfid_phone device may not write sale documents/],
    ['owner', () => makeSale('GM', c.registerId), 403, /^type: sale documents are written by registers; a browser session cannot write them/],
    ['manager', () => makeSale('GM', c.registerId), 403, /^type: sale documents are written by registers/],
    ['pinCashierOnRegister', () => makeSale('GM', c.registerId), 201, null],
    ['register2', () => makeSale('GM', c.register2Id), 201, null]
  ] as [PrincipalName, () => { _id: string }, number, RegExp | null][])('%s writing %#', async (who, doc, status, reason) => {
    const r = await put(who, doc());
    expect(r.status, r.text).toBe(status);
    if (reason) expect(String(r.json.reason)).toMatch(reason);
  });

  it('a phone session writes stock movements only with inventory:adjust, a register session never', async () => {
    const movement = () => ({ _id: `movement:adj:${newUlid()}`, type: 'stock_movement', locationCode: 'GM', reason: 'damage', lines: [{ variantId: 'p1-v01', qty: -1 }], createdAt: new Date().toISOString(), createdBy: 'user:x' });
    expect((await put('pinClerkOnPhone', movement())).status).toBe(201);
    expect((await put('pinCashierOnPhone', movement())).status).toBe(403);
    expect((await put('pinManagerOnRegister', movement())).status).toBe(403);
  });
});

describe('3. the gateway allow-lists query parameters by name and shape, and rebuilds the query', () => {
  it.each([
    '_changes?doc_ids[]=a',
    '_changes?selector[type]=sale',
    '_changes?filter[]=_view&view[]=a/b',
    '_changes?filter[0]=_doc_ids&doc_ids[0]=a',
    '_changes?doc_ids%5B%5D=a',
    '_changes?since=0&since=1',
    '_changes?since=0;feed=continuous',
    '_changes?style=all_docs&batch=ok',
    '_all_docs?keys[]=a',
    '_bulk_docs?new_edits=false'
  ])('%s → 400, and nothing reached the store', async (q) => {
    const before = restarts();
    const r = await call('owner', q.startsWith('_bulk_docs') ? 'POST' : 'GET', `${loc()}/${q}`, q.startsWith('_bulk_docs') ? { docs: [] } : undefined);
    expectCleanError(r, 400);
    expect(restarts()).toBe(before);
  });

  it('what replication sends still works, with the cache buster dropped', async () => {
    const r = await call('register', 'GET', `${loc()}/_changes?style=all_docs&since=0&limit=2&_nonce=123&seq_interval=2`);
    expect(r.status).toBe(200);
    expect((r.json as unknown as { results: unknown[] }).results.length).toBeLessThanOrEqual(2);
  });
});

describe('4. bad input answers 4xx JSON naming the problem, never a 5xx or internals', () => {
  it('the probe\'s cases', async () => {
    const before = restarts();
    expectCleanError(await call('owner', 'GET', `${loc()}/_changes?view[x]=a`), 400);
    const bulkGet = await call('owner', 'POST', `${loc()}/_bulk_get`, { docs: 'x' });
    expectCleanError(bulkGet, 400);
    expect(String(bulkGet.json.reason)).toContain('docs');
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const local = await call('register', 'PUT', `${loc()}/_local/x`, undefined, deep);
    expectCleanError(local, 400);
    expect(String(local.json.reason)).toContain('deeper than');
    const deepApi = await call('owner', 'POST', '/api/v1/customers', undefined, '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000));
    expectCleanError(deepApi, 400);
    expect(restarts()).toBe(before);
    expect((await call('owner', 'GET', '/readyz')).status).toBe(200);
  });

  it.each([
    '/api/v1/inventory/stock?location=XX',
    '/api/v1/inventory/transfers?location=XX',
    '/api/v1/inventory/levels?location=XX',
    '/api/v1/inventory/lookup?location=XX&code=1',
    '/api/v1/inventory/adjustments?location=XX',
    '/api/v1/inventory/alerts?location=XX',
    '/api/v1/inventory/valuation?location=XX',
    '/api/v1/inventory/counts?location=XX',
    '/api/v1/inventory/purchase-orders?location=XX',
    '/api/v1/staff/timesheet?location=XX&from=2026-11-01&to=2026-11-02',
    '/api/v1/staff/shifts?location=XX&from=2026-11-01&to=2026-11-02',
    '/api/v1/staff/shift?location=XX&id=shift:x',
    '/api/v1/settings/tax-rates?location=XX',
    '/api/v1/reports/dashboard?location=XX',
    '/api/v1/sales?location=XX&from=2026-11-01&to=2026-11-02',
    `/api/v1/sales/${enc('sale:x:y')}?location=XX`
  ])('GET %s → 404 for a location the tenant does not have', async (path) => {
    const r = await call('owner', 'GET', path);
    expectCleanError(r, 404);
  });

  it('unknown locations in writes are 404 too, and nothing is stored', async () => {
    expectCleanError(await call('owner', 'POST', '/api/v1/inventory/adjustments', { location: 'XX', reason: 'damage', lines: [{ variantId: 'p1-v01', qty: -1 }] }), [400, 404]);
    expectCleanError(await call('owner', 'PUT', '/api/v1/inventory/thresholds', { location: 'XX', thresholds: [] }), [400, 404]);
  });

  it('Express and body-parser errors are clean JSON', async () => {
    expectCleanError(await call('owner', 'POST', '/api/v1/customers', undefined, '{"firstName":'), 400);
    expectCleanError(await call('owner', 'GET', '/api/v1/staff/%E0%A4%A'), [400, 404]);
    const wrongType = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json; charset=latin-2' }, body: '{}' });
    expectCleanError({ status: wrongType.status, text: await wrongType.text(), type: wrongType.headers.get('content-type') ?? '' }, [400, 415]);
    expectCleanError(await call('owner', 'POST', `${loc()}/_bulk_docs`, undefined, '{"docs": ['), 400);
    expectCleanError(await call('owner', 'POST', `${loc()}/_find`, undefined, 'null'), 400);
    expectCleanError(await call('owner', 'GET', `/db/${customersDb(c.tenant)}/%E0%A4%A`), 400);
  });
});

describe('5. human text is well-formed, without control characters, NFC', () => {
  const NUL = 'Acme\u0000Retail';
  const LONE = 'Acme \ud800 Retail';

  it.each([
    ['sign-up business name', 'anonymous', 'POST', '/api/v1/signup', (t: string) => ({ businessName: t, ownerEmail: `x${newUlid().toLowerCase()}@signup.test`, plan: 'starter', location: { code: 'GM', name: 'Main', timeZone: 'America/New_York', currency: 'USD' } })],
    ['staff name', 'owner', 'POST', '/api/v1/staff', (t: string) => ({ email: `s${newUlid().toLowerCase()}@x.test`, name: t, role: 'cashier', locations: ['GM'] })],
    ['location name', 'owner', 'POST', '/api/v1/locations', (t: string) => ({ code: 'ZZ', name: t, timeZone: 'America/New_York' })],
    ['device name', 'owner', 'POST', '/api/v1/devices/enrolment-codes', (t: string) => ({ kind: 'register', locationCode: 'GM', name: t })],
    ['API key name', 'owner', 'POST', '/api/v1/api-keys', (t: string) => ({ name: t, scopes: ['catalog:read'] })]
  ] as [string, PrincipalName, string, string, (t: string) => unknown][])('%s with NUL or an unpaired surrogate → 400', async (_what, who, method, path, body) => {
    for (const bad of [NUL, LONE]) {
      const r = await call(who, method, path, body(bad));
      expectCleanError(r, 400);
    }
  });

  it('a sale line name with NUL, a lone surrogate or decomposed accents is refused through /db', async () => {
    for (const name of ['Tee\u0000', 'Tee \udc00', 'Cafe\u0301']) {
      const sale = makeSale('GM', c.registerId);
      sale.lines[0]!.name = name;
      const r = await call('register', 'POST', `${loc()}/_bulk_docs`, { docs: [sale] });
      expect(r.json).toEqual([{ id: sale._id, error: 'forbidden', reason: expect.stringMatching(/^lines\.0\.name: /) }]);
      expect((await call('register', 'GET', `${loc()}/${enc(sale._id)}`)).status).toBe(404);
    }
  });

  it('the API normalises typed text to NFC instead of refusing it', async () => {
    const r = await call('owner', 'POST', '/api/v1/devices/enrolment-codes', { kind: 'rfid_phone', locationCode: 'GM', name: 'Cafe\u0301 phone' });
    expect(r.status).toBe(201);
    expect(r.json.name).toBe('Café phone');
  });
});

describe('6. no client regular expression reaches the store', () => {
  it.each(['owner', 'apiKey', 'cashier'] as PrincipalName[])('%s: $regex in _find is refused', async (who) => {
    const db = who === 'cashier' ? `/db/t-${c.tenant}-catalog` : loc();
    const r = await call(who, 'POST', `${db}/_find`, { selector: { type: 'sale', cashierId: { $regex: '^(a+)+$' } } });
    expectCleanError(r, 400);
    expect(String(r.json.reason)).toContain('$regex');
    const nested = await call(who, 'POST', `${db}/_explain`, { selector: { $or: [{ a: { $not: { $regex: 'x' } } }] } });
    expectCleanError(nested, 400);
  });

  it('plain selectors still work for integrations', async () => {
    const r = await call('apiKey', 'POST', `${loc()}/_find`, { selector: { type: 'sale', total: { $gt: 0 } }, limit: 5 });
    expect(r.status).toBe(200);
  });
});

describe('7. /db reads follow the same permissions as /api/v1', () => {
  it.each([
    ['cashier', 'audit', 403],
    ['cashier', 'customers', 403],
    ['clerk', 'audit', 403],
    ['clerk', 'customers', 403],
    ['manager', 'audit', 403],
    ['manager', 'customers', 200],
    ['admin', 'audit', 200],
    ['owner', 'customers', 200],
    ['register', 'customers', 200],
    ['pinCashierOnRegister', 'customers', 200],
    ['register', 'audit', 403],
    ['phone', 'customers', 403],
    ['apiKey', 'customers', 200],
    ['apiKey', 'audit', 403]
  ] as [PrincipalName, string, number][])('%s reading the %s database → %i', async (who, kind, status) => {
    for (const path of ['', '/_all_docs?limit=1', '/_changes?since=0&limit=1']) {
      expect((await call(who, 'GET', `/db/t-${c.tenant}-${kind}${path}`)).status, path).toBe(status);
    }
  });
});

describe('8. sessions end when they should', () => {
  const me = (token: string) => fetch(`${s.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
  const gw = (token: string) => fetch(`${s.url}/db/t-${c.tenant}-catalog`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('sign-out ends the access token at once, on /api/v1 and the gateway', async () => {
    const res = await s.call('POST', '/api/v1/auth/login', { body: { email: 'manager@secure.test', password: PW } });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(await me(accessToken)).toBe(200);
    const out = await fetch(`${s.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(await me(accessToken)).toBe(401);
    expect(await gw(accessToken)).toBe(401);
    // other sessions of the same user carry on
    expect(await me(c.tokens.manager!)).toBe(200);
  });

  it('a PIN session signs out with its own token', async () => {
    const r = await s.call('POST', '/api/v1/auth/pin', { token: c.tokens.register, body: { pin: '4444' } });
    const { accessToken } = (await r.json()) as { accessToken: string };
    expect(await gw(accessToken)).toBe(200);
    expect((await s.call('POST', '/api/v1/auth/logout', { token: accessToken })).status).toBe(204);
    expect(await gw(accessToken)).toBe(401);
    expect(await gw(c.tokens.register!)).toBe(200); // the device itself stays enrolled
  });

  it('locking a user ends their browser and PIN sessions; a role change ends the old token (a refresh gets the new role)', async () => {
    const email = `temp${newUlid().toLowerCase()}@secure.test`;
    const invite = await call('owner', 'POST', '/api/v1/staff', { email, name: 'Tem Porary', role: 'manager', locations: ['GM'], pin: '778899' });
    expect(invite.status).toBe(201);
    const temp = String(invite.json.temporaryPassword);
    const userId = String((invite.json.member as { id: string }).id);
    const first = await login(s, email, temp);
    const changed = await s.call('POST', '/api/v1/auth/password', { token: first, body: { currentPassword: temp, newPassword: 'Better-horse-battery-9' } });
    expect(changed.status).toBe(200);
    expect(await me(first)).toBe(401); // the temporary-password token ended with the change
    const browser = await login(s, email, 'Better-horse-battery-9');
    const pinRes = await s.call('POST', '/api/v1/auth/pin', { token: c.tokens.register, body: { pin: '778899' } });
    const pinToken = ((await pinRes.json()) as { accessToken: string }).accessToken;
    expect([await me(browser), await gw(pinToken)]).toEqual([200, 200]);

    expect((await call('owner', 'PATCH', `/api/v1/staff/${enc(userId)}`, { role: 'cashier' })).status).toBe(200);
    expect(await me(browser)).toBe(401);
    expect(await gw(pinToken)).toBe(401);
    const again = await login(s, email, 'Better-horse-battery-9');
    expect(((await (await s.call('GET', '/api/v1/auth/me', { token: again })).json()) as { user: { role: string } }).user.role).toBe('cashier');

    expect((await call('owner', 'POST', `/api/v1/staff/${enc(userId)}/lock`)).status).toBe(200);
    expect(await me(again)).toBe(401);
    expect((await call('owner', 'POST', `/api/v1/staff/${enc(userId)}/unlock`)).status).toBe(200);
    expect(await me(again)).toBe(401); // unlocking does not bring old sessions back
  });

  it('a password reset ends every session of the user', async () => {
    const token = await login(s, 'clerk@secure.test', PW);
    expect(await me(token)).toBe(200);
    expect((await call('owner', 'POST', `/api/v1/staff/${enc(c.userIds.clerk)}/password`)).status).toBe(200);
    expect(await me(token)).toBe(401);
    expect(await me(c.tokens.clerk!)).toBe(401);
  });

  it('the fifth wrong password itself answers with the lockout message', async () => {
    const email = `lock${newUlid().toLowerCase()}@secure.test`;
    await call('owner', 'POST', '/api/v1/staff', { email, name: 'Lou Lock', role: 'cashier', locations: ['GM'] });
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 5; i++) {
      const r = await s.call('POST', '/api/v1/auth/login', { body: { email, password: 'wrong-password-1' } });
      statuses.push(r.status);
      last = ((await r.json()) as { message: string }).message;
    }
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    expect(last).toMatch(/^Too many failed attempts: account is locked until \d\d:\d\d UTC/);
  });
});
