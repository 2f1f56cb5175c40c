import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
let t = '';
let owner = '';
const PW = 'correct-horse-battery';

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Auth Co', adminEmail: 'o@auth.test', adminPassword: PW, adminPin: '9999', locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'c@auth.test', name: 'Casey', role: 'cashier', locations: ['GM'], password: PW, pin: '4321' });
  await createStaffUser({ couch: s.couch }, t, { email: 'lock@auth.test', name: 'Lou', role: 'cashier', locations: ['GM'], password: PW });
  owner = await login(s, 'o@auth.test', PW);
});

afterAll(async () => {
  await s?.stop();
});

function refreshCookie(res: Response): string {
  const c = res.headers.getSetCookie().find((h) => h.startsWith('pos_refresh='));
  if (!c) throw new Error('no refresh cookie');
  expect(c).toMatch(/HttpOnly/i);
  expect(c).toMatch(/SameSite=Strict/i);
  return c.split(';')[0]!;
}

describe('password login, refresh, logout', () => {
  it('logs in and returns the user with permissions and an httpOnly refresh cookie', async () => {
    const res = await s.call('POST', '/api/v1/auth/login', { body: { email: 'O@Auth.test ', password: PW } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; user: { role: string; tenantId: string; tenantName: string; permissions: string[] } };
    expect(body.user).toMatchObject({ role: 'owner', tenantId: t, tenantName: 'Auth Co' });
    expect(body.user.permissions).toContain('staff:manage');
    refreshCookie(res);
    const me = await s.call('GET', '/api/v1/auth/me', { token: body.accessToken });
    expect(me.status).toBe(200);
  });

  it('rejects bad input and wrong passwords with clear errors', async () => {
    const r1 = await s.call('POST', '/api/v1/auth/login', { body: { email: 'nope', password: 'x' } });
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { message: string }).message).toContain('email');
    const r2 = await s.call('POST', '/api/v1/auth/login', { body: { email: 'o@auth.test', password: 'wrong-password' } });
    expect(r2.status).toBe(401);
    expect(await r2.json()).toEqual({ error: 'invalid_credentials', message: 'Email or password is wrong' });
    const r3 = await s.call('POST', '/api/v1/auth/login', { body: { email: 'nobody@auth.test', password: 'wrong-password' } });
    expect(r3.status).toBe(401);
  });

  it('locks the account after 5 failed attempts, even for the right password', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await s.call('POST', '/api/v1/auth/login', { body: { email: 'lock@auth.test', password: 'bad-password' } })).status).toBe(401);
    }
    const fifth = await s.call('POST', '/api/v1/auth/login', { body: { email: 'lock@auth.test', password: 'bad-password' } });
    expect(fifth.status).toBe(423);
    expect(((await fifth.json()) as { message: string }).message).toMatch(/locked until \d\d:\d\d UTC/);
    const right = await s.call('POST', '/api/v1/auth/login', { body: { email: 'lock@auth.test', password: PW } });
    expect(right.status).toBe(423);
  });

  it('refresh rotates the token; the old one and a logged-out one stop working', async () => {
    const res = await s.call('POST', '/api/v1/auth/login', { body: { email: 'c@auth.test', password: PW } });
    const cookie1 = refreshCookie(res);
    const r1 = await s.call('POST', '/api/v1/auth/refresh', { headers: { cookie: cookie1 } });
    expect(r1.status).toBe(200);
    const cookie2 = refreshCookie(r1);
    expect(cookie2).not.toBe(cookie1);
    expect((await s.call('POST', '/api/v1/auth/refresh', { headers: { cookie: cookie1 } })).status).toBe(401);
    expect((await s.call('POST', '/api/v1/auth/logout', { headers: { cookie: cookie2 } })).status).toBe(204);
    expect((await s.call('POST', '/api/v1/auth/refresh', { headers: { cookie: cookie2 } })).status).toBe(401);
    expect((await s.call('POST', '/api/v1/auth/refresh')).status).toBe(401);
  });
});

describe('device enrolment and PIN sign-in', () => {
  it('an enrolment code works once and binds the device to tenant + location + kind', async () => {
    const codeRes = await s.call('POST', '/api/v1/devices/enrolment-codes', { token: owner, body: { kind: 'register', locationCode: 'gm', name: 'Front till' } });
    expect(codeRes.status).toBe(201);
    const code = (await codeRes.json()) as { code: string; qrPayload: string; qrUrl: string; qrSvg: string };
    expect(code.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(code.qrPayload).toContain('/pos?enrol=');
    expect(code.qrUrl).toBe(`${s.url}${code.qrPayload}`);
    expect(code.qrSvg).toContain('<svg');
    const first = await s.call('POST', '/api/v1/devices/enrol', { body: { code: code.code.toLowerCase().replace('-', ' ') } });
    expect(first.status).toBe(201);
    const dev = (await first.json()) as { deviceToken: string; device: Record<string, string>; databases: Record<string, string> };
    expect(dev.device).toMatchObject({ kind: 'register', locationCode: 'GM', tenantId: t, name: 'Front till' });
    expect(dev.databases).toEqual({ catalog: `t-${t}-catalog`, location: `t-${t}-loc-gm`, customers: `t-${t}-customers` });
    const second = await s.call('POST', '/api/v1/devices/enrol', { body: { code: code.code } });
    expect(second.status).toBe(400);
    expect(((await second.json()) as { message: string }).message).toMatch(/unknown, used or expired/);
  });

  it('each register gets a short code of its own for receipt numbers, even enrolling at the same moment; phones get none', async () => {
    const many = await Promise.all([1, 2, 3, 4].map(() => enrol(s, owner, 'register', 'HM')));
    const codes = many.map((d) => (d.device as { shortCode?: string }).shortCode);
    expect(new Set(codes).size).toBe(4);
    for (const c of codes) expect(c).toMatch(/^HM\d+$/);
    const phone = await enrol(s, owner, 'rfid_phone', 'HM');
    expect((phone.device as { shortCode?: string }).shortCode).toBeUndefined();
  });

  it('only admins with settings:manage create codes, for locations that exist', async () => {
    const cashier = await login(s, 'c@auth.test', PW);
    expect((await s.call('POST', '/api/v1/devices/enrolment-codes', { token: cashier, body: { kind: 'register', locationCode: 'GM', name: 'x' } })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/devices/enrolment-codes', { token: owner, body: { kind: 'register', locationCode: 'ZZ', name: 'x' } })).status).toBe(404);
    expect((await s.call('POST', '/api/v1/devices/enrolment-codes', { token: owner, body: { kind: 'toaster', locationCode: 'GM', name: 'x' } })).status).toBe(400);
  });

  it('staff sign in by PIN on an enrolled device of their location; 5 bad PINs lock the device', async () => {
    const gm = await enrol(s, owner, 'register', 'GM');
    const ok = await s.call('POST', '/api/v1/auth/pin', { token: gm.deviceToken, body: { pin: '4321' } });
    expect(ok.status).toBe(200);
    const staff = (await ok.json()) as { accessToken: string; user: { name: string; role: string } };
    expect(staff.user).toMatchObject({ name: 'Casey', role: 'cashier' });
    // a staff session is not a device credential: it cannot sign someone else in
    expect((await s.call('POST', '/api/v1/auth/pin', { token: staff.accessToken, body: { pin: '4321' } })).status).toBe(403);

    const hm = await enrol(s, owner, 'register', 'HM');
    expect((await s.call('POST', '/api/v1/auth/pin', { token: hm.deviceToken, body: { pin: '4321' } })).status).toBe(401);
    expect((await s.call('POST', '/api/v1/auth/pin', { token: hm.deviceToken, body: { pin: '9999' } })).status).toBe(200);
    expect((await s.call('POST', '/api/v1/auth/pin', { token: hm.deviceToken, body: { pin: '12' } })).status).toBe(400);
    expect((await s.call('POST', '/api/v1/auth/pin', { body: { pin: '4321' } })).status).toBe(401);

    for (let i = 0; i < 4; i++) expect((await s.call('POST', '/api/v1/auth/pin', { token: gm.deviceToken, body: { pin: '0000' } })).status).toBe(401);
    const locked = await s.call('POST', '/api/v1/auth/pin', { token: gm.deviceToken, body: { pin: '0000' } });
    expect(locked.status).toBe(423);
    expect(((await locked.json()) as { message: string }).message).toContain('PIN sign-in on this device is locked');
    expect((await s.call('POST', '/api/v1/auth/pin', { token: gm.deviceToken, body: { pin: '4321' } })).status).toBe(423);
  });

  it('PINs are unique within a tenant', async () => {
    await expect(
      createStaffUser({ couch: s.couch }, t, { email: 'dup@auth.test', name: 'Dup', role: 'cashier', locations: ['GM'], password: PW, pin: '4321' })
    ).rejects.toThrow(/already used/);
  });
});

describe('API hygiene', () => {
  it('every response carries a request id, and a sane incoming one is echoed', async () => {
    const res = await s.call('GET', '/healthz', { headers: { 'x-request-id': 'test-correlation-123' } });
    expect(res.headers.get('x-request-id')).toBe('test-correlation-123');
    const other = await s.call('GET', '/api/v1/nothing-here');
    expect(other.status).toBe(404);
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(other.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('readyz reports the database', async () => {
    expect((await s.call('GET', '/readyz')).status).toBe(200);
  });

  it('adding a location creates its database', async () => {
    const res = await s.call('POST', '/api/v1/locations', { token: owner, body: { code: 'lm', name: 'Lakeside', timeZone: 'America/Los_Angeles' } });
    expect(res.status).toBe(201);
    expect((await s.call('GET', `/db/t-${t}-loc-lm`, { token: owner })).status).toBe(200);
    const list = (await (await s.call('GET', '/api/v1/locations', { token: owner })).json()) as { locations: { code: string }[] };
    expect(list.locations.map((l) => l.code).sort()).toEqual(['GM', 'HM', 'LM']);
    const bad = await s.call('POST', '/api/v1/locations', { token: owner, body: { code: 'LM2', timeZone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('timeZone');
  });
});
