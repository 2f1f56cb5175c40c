import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDb, catalogDb, customersDb, locationDb, PLATFORM_DB } from '#domain/db-names.ts';
import { login, startTestServer, type TestServer } from './support/server.ts';

const SIGNUP_LIMIT = 10;
const NEW_PASSWORD = 'Shelf-stock-2026!';
let s: TestServer;
let signups = 0;

beforeAll(async () => {
  s = await startTestServer({ SIGNUP_RATE_LIMIT: String(SIGNUP_LIMIT), CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0' });
});
afterAll(async () => {
  await s?.stop();
});

interface Signup {
  tenantId: string;
  tenantName: string;
  ownerEmail: string;
  plan: string;
  temporaryPassword: string;
  signInUrl: string;
}

function signupBody(name: string, email: string, plan: string) {
  return { businessName: name, ownerName: 'Olive Owner', ownerEmail: email, plan, location: { code: 'gm', name: 'Grand Market', timeZone: 'Europe/Berlin', currency: 'EUR' } };
}

async function signUp(name: string, email: string, plan: string): Promise<Signup & { token: string }> {
  signups++;
  const res = await s.call('POST', '/api/v1/signup', { body: signupBody(name, email, plan) });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const out = (await res.json()) as Signup;
  // the generated password is temporary: nothing but the password change is open until it is replaced
  const temporary = await login(s, email, out.temporaryPassword);
  const changed = await s.call('POST', '/api/v1/auth/password', { token: temporary, body: { currentPassword: out.temporaryPassword, newPassword: NEW_PASSWORD } });
  if (changed.status !== 200) throw new Error(`password change failed: ${changed.status} ${await changed.text()}`);
  return { ...out, token: ((await changed.json()) as { accessToken: string }).accessToken };
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

async function enrolmentCode(token: string, kind: 'register' | 'rfid_phone', name: string) {
  return s.call('POST', '/api/v1/devices/enrolment-codes', { token, body: { kind, locationCode: 'GM', name } });
}

async function enrolRegister(token: string, name: string): Promise<string> {
  const code = await enrolmentCode(token, 'register', name);
  expect(code.status).toBe(201);
  const res = await s.call('POST', '/api/v1/devices/enrol', { body: { code: (await json(code)).code } });
  expect(res.status).toBe(201);
  return ((await json(res)).device as { id: string }).id;
}

describe('POST /api/v1/signup', () => {
  it('provisions the tenant with its plan; the owner signs in with the temporary password shown once', async () => {
    signups++;
    const res = await s.call('POST', '/api/v1/signup', { body: signupBody('Fresh Threads', 'Owner@Fresh.test', 'pro') });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const out = (await res.json()) as Signup;
    expect(out).toMatchObject({ tenantId: 'freshthreads', tenantName: 'Fresh Threads', ownerEmail: 'owner@fresh.test', plan: 'pro', signInUrl: '/admin/setup' });
    expect(out.temporaryPassword).toMatch(/^\S{12,}$/);

    const t = out.tenantId;
    const dbs = await s.couch.listDbs();
    for (const name of [catalogDb(t), customersDb(t), auditDb(t), locationDb(t, 'GM')]) expect(dbs).toContain(name);
    const platform = s.couch.use(PLATFORM_DB);
    expect(await platform.get(`tenant:${t}`)).toMatchObject({ plan: 'pro', locations: ['GM'], status: 'active' });
    expect(await s.couch.use(catalogDb(t)).get('location:GM')).toMatchObject({ name: 'Grand Market', timeZone: 'Europe/Berlin', currency: 'EUR' });
    expect(await s.couch.use(locationDb(t, 'GM')).get('_design/stock')).toMatchObject({ version: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // the welcome email is queued in the platform outbox, without the password
    const outbox = await platform.get(`outbox:welcome:${t}`);
    expect(outbox).toMatchObject({ type: 'email_outbox', tenantId: t, to: 'owner@fresh.test', template: 'welcome', status: 'pending', data: { businessName: 'Fresh Threads', plan: 'Pro' } });
    expect(JSON.stringify(outbox)).not.toContain(out.temporaryPassword);

    const token = await login(s, 'owner@fresh.test', out.temporaryPassword);
    const me = await json(await s.call('GET', '/api/v1/auth/me', { token }));
    expect(me.user).toMatchObject({ role: 'owner', tenantId: t, tenantName: 'Fresh Threads', locations: ['*'], mustChangePassword: true });
    // until the temporary password is replaced, the API and the gateway answer only that
    const blocked = await s.call('GET', '/api/v1/locations', { token });
    expect(blocked.status).toBe(403);
    expect(((await blocked.json()) as { error: string }).error).toBe('password_change_required');
    expect((await s.call('GET', `/db/t-${t}-catalog/_all_docs?limit=1`, { token })).status).toBe(403);
    const changed = await s.call('POST', '/api/v1/auth/password', { token, body: { currentPassword: out.temporaryPassword, newPassword: NEW_PASSWORD } });
    expect(changed.status).toBe(200);
    const fresh = ((await changed.json()) as { accessToken: string }).accessToken;
    expect((await s.call('GET', '/api/v1/locations', { token: fresh })).status).toBe(200);
    expect((await s.call('GET', `/db/t-${t}-catalog/_all_docs?limit=1`, { token: fresh })).status).toBe(200);
  });

  it('a taken email answers 409 email_taken and provisions nothing', async () => {
    const before = (await s.couch.listDbs()).length;
    signups++;
    const res = await s.call('POST', '/api/v1/signup', { body: signupBody('Copy Cat', 'owner@fresh.test', 'starter') });
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.error).toBe('email_taken');
    expect(body.message).toMatch(/owner@fresh\.test already exists/);
    expect((await s.couch.listDbs()).length).toBe(before);
  });

  it('bad input is a 400 naming the field', async () => {
    signups++;
    const res = await s.call('POST', '/api/v1/signup', { body: { ...signupBody('Oddity', 'o@odd.test', 'platinum'), location: { code: '9x', name: 'X', timeZone: 'Mars/Base', currency: 'EUR' } } });
    expect(res.status).toBe(400);
    const { message } = await json(res);
    expect(message).toMatch(/plan/);
    expect(message).toMatch(/location\.code/);
  });
});

describe('plan limits', () => {
  it('Starter: one store, two registers, each refusal a 403 plan_limit that says what to do', async () => {
    const { token, tenantId } = await signUp('Little Shop', 'o@little.test', 'starter');

    const second = await s.call('POST', '/api/v1/locations', { token, body: { code: 'HM', name: 'High Street' } });
    expect(second.status).toBe(403);
    expect(await json(second)).toEqual({ error: 'plan_limit', message: 'Your Starter plan includes 1 store; upgrade to add more' });
    expect((await s.couch.listDbs()).includes(locationDb(tenantId, 'HM'))).toBe(false);

    // a code made while there is room, redeemed once the plan is full, is refused and kept
    await enrolRegister(token, 'Till 1');
    const spare = await json(await enrolmentCode(token, 'register', 'Till 3'));
    const secondTill = await enrolRegister(token, 'Till 2');

    const third = await enrolmentCode(token, 'register', 'Till 4');
    expect(third.status).toBe(403);
    expect(await json(third)).toEqual({ error: 'plan_limit', message: 'Your Starter plan includes 2 registers; upgrade to enrol more' });
    const late = await s.call('POST', '/api/v1/devices/enrol', { body: { code: spare.code } });
    expect(late.status).toBe(403);
    expect((await json(late)).error).toBe('plan_limit');

    // RFID phones are not registers
    expect((await enrolmentCode(token, 'rfid_phone', 'Phone')).status).toBe(201);

    // revoking a register frees its place; the refused code still works
    expect((await s.call('DELETE', `/api/v1/devices/${secondTill}`, { token })).status).toBe(204);
    expect((await s.call('POST', '/api/v1/devices/enrol', { body: { code: spare.code } })).status).toBe(201);
  });

  it('Pro takes a second store; createTenant refuses more stores than the plan holds before making anything', async () => {
    const { token } = await signUp('Mid Chain', 'o@midchain.test', 'pro');
    expect((await s.call('POST', '/api/v1/locations', { token, body: { code: 'HM' } })).status).toBe(201);
    const { createTenant } = await import('../../server/tenants/provision.ts');
    await expect(
      createTenant({ couch: s.couch }, { name: 'Too Big', adminEmail: 'o@toobig.test', plan: 'starter', locations: [{ code: 'GM' }, { code: 'HM' }] })
    ).rejects.toThrow(/Starter plan includes 1 store/);
    expect(await s.couch.use(PLATFORM_DB).get('tenant:toobig').catch((e: { statusCode?: number }) => e.statusCode)).toBe(404);
  });
});

describe('API keys', () => {
  it('Enterprise: a scoped key reads the catalog through /db, cannot write, is listed without secrets, and stops working when revoked', async () => {
    const { token, tenantId: t } = await signUp('Big Retail', 'o@bigretail.test', 'enterprise');
    const other = await signUp('Other Retail', 'o@otherretail.test', 'enterprise');

    const created = await s.call('POST', '/api/v1/api-keys', { token, body: { name: 'Data warehouse', scopes: ['catalog:read'] } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { token: key, apiKey } = (await created.json()) as { token: string; apiKey: { id: string; scopes: string[]; hint: string } };
    expect(key).toMatch(/^pk_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'Data warehouse', scopes: ['catalog:read'], hint: `pk_${apiKey.id}_…`, revokedAt: null });

    // stored hashed: the platform document holds the SHA-256, never the token
    const stored = await s.couch.use(PLATFORM_DB).get(`apikey:${apiKey.id}`);
    expect(JSON.stringify(stored)).not.toContain(key.slice(30));
    const listed = await s.call('GET', '/api/v1/api-keys', { token });
    const listText = await listed.text();
    expect(listed.status).toBe(200);
    expect(listText).not.toContain(key.slice(30));
    expect(listText).not.toContain('tokenHash');
    expect(JSON.parse(listText).apiKeys).toEqual([expect.objectContaining({ id: apiKey.id, name: 'Data warehouse' })]);

    // reads its scope, by Bearer or X-API-Key
    const bearer = { authorization: `Bearer ${key}` };
    const all = await s.call('GET', `/db/${catalogDb(t)}/_all_docs?include_docs=true`, { headers: bearer });
    expect(all.status).toBe(200);
    const rows = ((await all.json()) as { rows: { id: string }[] }).rows.map((r) => r.id);
    expect(rows).toContain('location:GM');
    expect((await s.call('GET', `/db/${catalogDb(t)}/location:GM`, { headers: { 'x-api-key': key } })).status).toBe(200);
    expect((await s.call('POST', `/db/${catalogDb(t)}/_find`, { headers: bearer, body: { selector: { type: 'location' } } })).status).toBe(200);

    // …and nothing else: other scopes, other tenants, writes, the API
    expect((await s.call('GET', `/db/${locationDb(t, 'GM')}/_all_docs`, { headers: bearer })).status).toBe(403);
    expect((await s.call('GET', `/db/${customersDb(t)}/_all_docs`, { headers: bearer })).status).toBe(403);
    expect((await s.call('GET', `/db/${catalogDb(other.tenantId)}/_all_docs`, { headers: bearer })).status).toBe(403);
    const category = { _id: 'category:hats', type: 'category', name: 'Hats', updatedAt: new Date().toISOString(), updatedBy: 'x' };
    const put = await s.call('PUT', `/db/${catalogDb(t)}/category:hats`, { headers: bearer, body: category });
    expect(put.status).toBe(403);
    expect(await put.json()).toMatchObject({ error: 'forbidden', reason: 'API keys are read-only' });
    expect((await s.call('POST', `/db/${catalogDb(t)}/_bulk_docs`, { headers: bearer, body: { docs: [category] } })).status).toBe(403);
    expect((await s.call('PUT', `/db/${catalogDb(t)}/_local/cp`, { headers: bearer, body: { n: 1 } })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/locations', { headers: bearer })).status).toBe(401);
    await expect(s.couch.use(catalogDb(t)).get('category:hats')).rejects.toMatchObject({ statusCode: 404 });

    // a tampered secret with a real key id is refused
    const forged = `${key.slice(0, -4)}AAAA` === key ? `${key.slice(0, -4)}BBBB` : `${key.slice(0, -4)}AAAA`;
    expect((await s.call('GET', `/db/${catalogDb(t)}/_all_docs`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);

    // only the owning tenant revokes it
    expect((await s.call('DELETE', `/api/v1/api-keys/${apiKey.id}`, { token: other.token })).status).toBe(404);
    expect((await s.call('DELETE', `/api/v1/api-keys/${apiKey.id}`, { token })).status).toBe(204);
    const revoked = await s.call('GET', `/db/${catalogDb(t)}/_all_docs`, { headers: bearer });
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ error: 'unauthorized' });
    const after = (await json(await s.call('GET', '/api/v1/api-keys', { token }))).apiKeys as { revokedAt: string | null }[];
    expect(after[0]!.revokedAt).toEqual(expect.any(String));

    // a key can open several scopes; unknown scopes are refused
    const multi = await json(await s.call('POST', '/api/v1/api-keys', { token, body: { name: 'BI', scopes: ['sales:read', 'customers:read'] } }));
    const mh = { authorization: `Bearer ${multi.token}` };
    expect((await s.call('GET', `/db/${locationDb(t, 'GM')}/_changes`, { headers: mh })).status).toBe(200);
    expect((await s.call('GET', `/db/${customersDb(t)}`, { headers: mh })).status).toBe(200);
    expect((await s.call('GET', `/db/${catalogDb(t)}`, { headers: mh })).status).toBe(403);
    const bad = await s.call('POST', '/api/v1/api-keys', { token, body: { name: 'Bad', scopes: ['sales:write'] } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toMatch(/scopes/);
  });

  it('a Pro tenant cannot create keys (403 plan_limit); a cashier cannot manage them', async () => {
    const { token, tenantId } = await signUp('Pro Shop', 'o@proshop.test', 'pro');
    const res = await s.call('POST', '/api/v1/api-keys', { token, body: { name: 'ERP', scopes: ['catalog:read'] } });
    expect(res.status).toBe(403);
    const body = await json(res);
    expect(body.error).toBe('plan_limit');
    expect(body.message).toMatch(/API keys come with the Enterprise plan; your Pro plan does not include them/);
    expect(await json(await s.call('GET', '/api/v1/api-keys', { token }))).toEqual({ apiKeys: [] });

    const { createStaffUser } = await import('../../server/tenants/provision.ts');
    await createStaffUser({ couch: s.couch }, tenantId, { email: 'c@proshop.test', name: 'Cass', role: 'cashier', locations: ['GM'], password: 'cashier-pass-1' });
    const cashier = await login(s, 'c@proshop.test', 'cashier-pass-1');
    expect((await s.call('GET', '/api/v1/api-keys', { token: cashier })).status).toBe(403);
    // a made-up key is simply unknown
    const fake = `pk_${'0'.repeat(26)}_${'A'.repeat(43)}`;
    expect((await s.call('GET', `/db/${catalogDb(tenantId)}`, { headers: { 'x-api-key': fake } })).status).toBe(401);
  });
});

describe('sign-up rate limit', () => {
  it(`answers 429 after ${SIGNUP_LIMIT} sign-ups an hour from one client`, async () => {
    let res: Response | null = null;
    for (let i = signups; i <= SIGNUP_LIMIT; i++) res = await s.call('POST', '/api/v1/signup', { body: {} });
    expect(res?.status).toBe(429);
    expect(await res!.json()).toMatchObject({ error: 'rate_limited' });
  });
});
