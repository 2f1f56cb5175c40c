import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_DB, catalogDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { hashPin } from '#domain/pin.ts';
import { createStaffUser, createTenant, listStaff, tenantPinSalt } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';

let s: TestServer;
let t = '';
let owner = '';
let admin = '';
let manager = '';
let cashier = '';
const PW = 'correct-horse-battery';

const json = async <T>(res: Response) => (await res.json()) as T;

interface Member {
  id: string;
  email: string;
  role: string;
  locations: string[];
  active: boolean;
  pinSet: boolean;
  mustChangePassword: boolean;
}

async function loginFull(email: string, password: string) {
  const res = await s.call('POST', '/api/v1/auth/login', { body: { email, password } });
  const cookie = res.headers.getSetCookie().find((h) => h.startsWith('pos_refresh='))?.split(';')[0] ?? '';
  return { status: res.status, body: (await res.json()) as { accessToken?: string; user?: { mustChangePassword: boolean; role: string }; message?: string }, cookie };
}

async function invite(body: Record<string, unknown>, token = owner) {
  const res = await s.call('POST', '/api/v1/staff', { token, body });
  return { status: res.status, body: (await res.json()) as { member: Member; temporaryPassword: string; message?: string } };
}

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Staff Co', plan: 'pro', adminEmail: 'o@staff.test', adminPassword: PW, locations: [{ code: 'GM', timeZone: 'America/New_York' }, { code: 'HM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'a@staff.test', name: 'Adele Admin', role: 'admin', locations: ['*'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 'm@staff.test', name: 'Manny', role: 'manager', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 'c@staff.test', name: 'Cass', role: 'cashier', locations: ['GM'], password: PW, pin: '4321' });
  owner = await login(s, 'o@staff.test', PW);
  admin = await login(s, 'a@staff.test', PW);
  manager = await login(s, 'm@staff.test', PW);
  cashier = await login(s, 'c@staff.test', PW);
});

afterAll(async () => {
  await s?.stop();
});

describe('staff API: permissions', () => {
  it('cashiers and managers are refused every staff endpoint (403); no token is 401', async () => {
    for (const token of [cashier, manager]) {
      expect((await s.call('GET', '/api/v1/staff', { token })).status).toBe(403);
      expect((await invite({ email: 'x@staff.test', name: 'X', role: 'cashier', locations: ['GM'] }, token)).status).toBe(403);
      expect((await s.call('GET', '/api/v1/staff/timesheet?location=GM&from=2026-01-01&to=2026-01-02', { token })).status).toBe(403);
      expect((await s.call('GET', '/api/v1/staff/shifts?location=GM&from=2026-01-01&to=2026-01-02', { token })).status).toBe(403);
    }
    expect((await s.call('GET', '/api/v1/staff')).status).toBe(401);
  });

  it('lists the tenant’s staff with role, locations and whether a PIN is set', async () => {
    const res = await s.call('GET', '/api/v1/staff', { token: admin });
    expect(res.status).toBe(200);
    const { staff } = await json<{ staff: Member[] }>(res);
    expect(staff.map((m) => m.email).sort()).toEqual(['a@staff.test', 'c@staff.test', 'm@staff.test', 'o@staff.test']);
    expect(staff.find((m) => m.email === 'c@staff.test')).toMatchObject({ role: 'cashier', locations: ['GM'], pinSet: true, active: true });
  });
});

describe('invite → temporary password → forced change', () => {
  it('invites a cashier: login, directory entry with PIN, an outbox email without the password, an audit event', async () => {
    const out = await invite({ email: 'New.Cashier@staff.test', name: 'Nina New', role: 'cashier', locations: ['gm'], pin: '2468' }, admin);
    expect(out.status).toBe(201);
    expect(out.body.member).toMatchObject({ email: 'new.cashier@staff.test', role: 'cashier', locations: ['GM'], pinSet: true, mustChangePassword: true });
    expect(out.body.temporaryPassword).toMatch(/^\S{12,}$/);
    const entry = (await listStaff(s.couch, t)).find((e) => e.userId === out.body.member.id);
    expect(entry).toMatchObject({ role: 'cashier', locations: ['GM'], active: true, pinHash: await hashPin('2468', await tenantPinSalt(s.couch, t)) });
    const outbox = await s.couch.use(PLATFORM_DB).get(`outbox:staff_invite:${out.body.member.id}`);
    expect(outbox).toMatchObject({ type: 'email_outbox', template: 'staff_invite', to: 'new.cashier@staff.test', status: 'pending' });
    expect(JSON.stringify(outbox)).not.toContain(out.body.temporaryPassword);
    const audit = await s.couch.use(`t-${t}-audit`).list({ include_docs: true });
    expect(audit.rows.some((r) => (r.doc as { action?: string; target?: string }).action === 'staff.invited' && (r.doc as { target?: string }).target === out.body.member.id)).toBe(true);

    // sign in with the temporary password: the session says a new password is due
    const first = await loginFull('new.cashier@staff.test', out.body.temporaryPassword);
    expect(first.status).toBe(200);
    expect(first.body.user?.mustChangePassword).toBe(true);
    const token = first.body.accessToken!;
    const change = (currentPassword: string, newPassword: string) => s.call('POST', '/api/v1/auth/password', { token, body: { currentPassword, newPassword } });
    expect((await change('wrong-password-1', 'Fresh-start-2026')).status).toBe(403);
    const weak = await change(out.body.temporaryPassword, 'short');
    expect(weak.status).toBe(400);
    expect((await json<{ message: string }>(weak)).message).toContain('at least 10 characters');
    const ok = await change(out.body.temporaryPassword, 'Fresh-start-2026');
    expect(ok.status).toBe(200);
    expect((await json<{ user: { mustChangePassword: boolean } }>(ok)).user.mustChangePassword).toBe(false);
    expect((await loginFull('new.cashier@staff.test', out.body.temporaryPassword)).status).toBe(401);
    const again = await loginFull('new.cashier@staff.test', 'Fresh-start-2026');
    expect(again.body.user?.mustChangePassword).toBe(false);
    // and as a cashier they are denied the staff pages' API
    expect((await s.call('GET', '/api/v1/staff', { token: again.body.accessToken! })).status).toBe(403);
  });

  it('refuses a taken email (409), a PIN already in use (409, nothing left behind) and unknown locations (404)', async () => {
    expect((await invite({ email: 'c@staff.test', name: 'Dup', role: 'cashier', locations: ['GM'] })).status).toBe(409);
    const clash = await invite({ email: 'pinclash@staff.test', name: 'Clash', role: 'cashier', locations: ['GM'], pin: '4321' });
    expect(clash.status).toBe(409);
    expect(clash.body.message).toMatch(/PIN/);
    // the email is free again: the half-made login was removed
    expect((await invite({ email: 'pinclash@staff.test', name: 'Clash', role: 'cashier', locations: ['GM'] })).status).toBe(201);
    expect((await invite({ email: 'nowhere@staff.test', name: 'No', role: 'cashier', locations: ['ZZ'] })).status).toBe(404);
    expect((await invite({ email: 'nolocs@staff.test', name: 'No', role: 'cashier', locations: [] })).status).toBe(400);
    // an admin (every location) needs none
    expect((await invite({ email: 'admin2@staff.test', name: 'Second Admin', role: 'admin', locations: [] }, owner)).body.member?.locations).toEqual(['*']);
  });

  it('sign-up style generated owner passwords are temporary too', async () => {
    const created = await createTenant({ couch: s.couch }, { name: 'Temp Co', plan: 'starter', adminEmail: 'owner@temp.test', locations: [{ code: 'MAIN' }] });
    const first = await loginFull('owner@temp.test', created.generatedPassword!);
    expect(first.body.user?.mustChangePassword).toBe(true);
  });
});

describe('roles and locations', () => {
  it('admins cannot grant the owner role or change an owner; nobody changes their own role', async () => {
    const { staff } = await json<{ staff: Member[] }>(await s.call('GET', '/api/v1/staff', { token: owner }));
    const id = (email: string) => staff.find((m) => m.email === email)!.id;
    const mgr = id('m@staff.test');
    expect((await s.call('PATCH', `/api/v1/staff/${mgr}`, { token: admin, body: { role: 'owner' } })).status).toBe(403);
    expect((await s.call('PATCH', `/api/v1/staff/${id('o@staff.test')}`, { token: admin, body: { role: 'manager', locations: ['GM'] } })).status).toBe(403);
    expect((await s.call('POST', `/api/v1/staff/${id('o@staff.test')}/lock`, { token: admin })).status).toBe(403);
    expect((await s.call('PATCH', `/api/v1/staff/${id('o@staff.test')}`, { token: owner, body: { role: 'admin' } })).status).toBe(403);
    expect((await s.call('POST', `/api/v1/staff/${id('o@staff.test')}/lock`, { token: owner })).status).toBe(403);
  });

  it('a role and location change reaches the login and the staff directory the gateway checks', async () => {
    const { staff } = await json<{ staff: Member[] }>(await s.call('GET', '/api/v1/staff', { token: owner }));
    const mgr = staff.find((m) => m.email === 'm@staff.test')!.id;
    const res = await s.call('PATCH', `/api/v1/staff/${mgr}`, { token: admin, body: { role: 'stock_clerk', locations: ['HM', 'GM'] } });
    expect(res.status).toBe(200);
    expect((await json<{ member: Member }>(res)).member).toMatchObject({ role: 'stock_clerk', locations: ['GM', 'HM'] });
    expect((await listStaff(s.couch, t)).find((e) => e.userId === mgr)).toMatchObject({ role: 'stock_clerk', locations: ['GM', 'HM'] });
    const relogin = await loginFull('m@staff.test', PW);
    expect(relogin.body.user?.role).toBe('stock_clerk');
    // back to manager at GM for the other tests; an unknown location is refused
    expect((await s.call('PATCH', `/api/v1/staff/${mgr}`, { token: admin, body: { locations: ['XX'] } })).status).toBe(404);
    expect((await s.call('PATCH', `/api/v1/staff/${mgr}`, { token: admin, body: { role: 'manager', locations: ['GM'] } })).status).toBe(200);
    expect((await s.call('PATCH', `/api/v1/staff/user:nope`, { token: admin, body: { role: 'manager' } })).status).toBe(400);
    expect((await s.call('PATCH', `/api/v1/staff/${mgr}`, { token: admin, body: {} })).status).toBe(400);
  });
});

describe('lock, PIN and password resets', () => {
  it('a locked user cannot sign in, refresh or use their PIN; unlocking restores sign-in', async () => {
    const { staff } = await json<{ staff: Member[] }>(await s.call('GET', '/api/v1/staff', { token: owner }));
    const cass = staff.find((m) => m.email === 'c@staff.test')!.id;
    const session = await loginFull('c@staff.test', PW);
    const register = await enrol(s, owner, 'register', 'GM');
    expect((await s.call('POST', '/api/v1/auth/pin', { token: register.deviceToken, body: { pin: '4321' } })).status).toBe(200);

    const lock = await s.call('POST', `/api/v1/staff/${cass}/lock`, { token: admin });
    expect(lock.status).toBe(200);
    expect((await json<{ member: Member }>(lock)).member.active).toBe(false);
    expect((await loginFull('c@staff.test', PW)).status).toBe(403);
    const refresh = await s.call('POST', '/api/v1/auth/refresh', { headers: { cookie: session.cookie } });
    expect(refresh.status).toBe(401);
    expect((await s.call('POST', '/api/v1/auth/pin', { token: register.deviceToken, body: { pin: '4321' } })).status).toBe(401);
    expect((await listStaff(s.couch, t)).find((e) => e.userId === cass)?.active).toBe(false);

    expect((await s.call('POST', `/api/v1/staff/${cass}/unlock`, { token: admin })).status).toBe(200);
    expect((await loginFull('c@staff.test', PW)).status).toBe(200);
    expect((await s.call('POST', '/api/v1/auth/pin', { token: register.deviceToken, body: { pin: '4321' } })).status).toBe(200);
  });

  it('a PIN reset updates the directory; a given PIN must be unique; a generated one is answered once', async () => {
    const { staff } = await json<{ staff: Member[] }>(await s.call('GET', '/api/v1/staff', { token: owner }));
    const mgr = staff.find((m) => m.email === 'm@staff.test')!.id;
    const salt = await tenantPinSalt(s.couch, t);
    expect((await s.call('POST', `/api/v1/staff/${mgr}/pin`, { token: admin, body: { pin: '4321' } })).status).toBe(409);
    expect((await s.call('POST', `/api/v1/staff/${mgr}/pin`, { token: admin, body: { pin: '12' } })).status).toBe(400);
    const set = await s.call('POST', `/api/v1/staff/${mgr}/pin`, { token: admin, body: { pin: '975310' } });
    expect(set.status).toBe(200);
    expect((await listStaff(s.couch, t)).find((e) => e.userId === mgr)?.pinHash).toBe(await hashPin('975310', salt));
    const gen = await json<{ pin: string }>(await s.call('POST', `/api/v1/staff/${mgr}/pin`, { token: admin, body: {} }));
    expect(gen.pin).toMatch(/^\d{6}$/);
    expect((await listStaff(s.couch, t)).find((e) => e.userId === mgr)?.pinHash).toBe(await hashPin(gen.pin, salt));
  });

  it('a password reset answers a temporary password, ends sessions and forces a change', async () => {
    const { staff } = await json<{ staff: Member[] }>(await s.call('GET', '/api/v1/staff', { token: owner }));
    const mgr = staff.find((m) => m.email === 'm@staff.test')!.id;
    const session = await loginFull('m@staff.test', PW);
    const res = await s.call('POST', `/api/v1/staff/${mgr}/password`, { token: admin });
    expect(res.status).toBe(200);
    const { temporaryPassword } = await json<{ temporaryPassword: string }>(res);
    expect((await s.call('POST', '/api/v1/auth/refresh', { headers: { cookie: session.cookie } })).status).toBe(401);
    expect((await loginFull('m@staff.test', PW)).status).toBe(401);
    const next = await loginFull('m@staff.test', temporaryPassword);
    expect(next.body.user?.mustChangePassword).toBe(true);
  });
});

describe('time entries and shifts', () => {
  it('a register writes clock punches; the timesheet pairs them per business day and exports CSV', async () => {
    const register = await enrol(s, owner, 'register', 'GM', 'Till 9');
    const reg = register.device.id;
    const put = (doc: Record<string, unknown>) => s.call('PUT', `/db/${locationDb(t, 'GM')}/${encodeURIComponent(String(doc._id))}`, { token: register.deviceToken, body: doc });
    const punch = (kind: 'in' | 'out', at: string, staffId = 'user:cass', staffName = 'Cass') => ({
      _id: `time_entry:${reg}:${newUlid(Date.parse(at))}`,
      type: 'time_entry',
      locationCode: 'GM',
      registerId: `device:${reg}`,
      staffId,
      staffName,
      kind,
      at
    });
    // 09:00–17:30 New York on 2 March, and an overnight 22:00 → 02:00 on 3/4 March
    for (const d of [punch('in', '2026-03-02T14:00:00.000Z'), punch('out', '2026-03-02T22:30:00.000Z'), punch('in', '2026-03-04T03:00:00.000Z'), punch('out', '2026-03-04T07:00:00.000Z'), punch('out', '2026-03-05T15:00:00.000Z', 'user:bo', 'Bo')]) {
      expect((await put(d)).status).toBe(201);
    }
    // immutable and only as itself
    const other = punch('in', '2026-03-06T14:00:00.000Z');
    expect((await put({ ...other, _id: `time_entry:someoneelse:${newUlid()}` })).status).toBe(403);
    expect((await put({ ...other, kind: 'maybe' })).status).toBe(400);

    const res = await s.call('GET', '/api/v1/staff/timesheet?location=GM&from=2026-03-01&to=2026-03-05', { token: admin });
    expect(res.status).toBe(200);
    const sheet = await json<{ timeZone: string; rows: { day: string; staffName: string; minutes: number; unmatched: unknown[] }[]; totalMinutes: number; unmatchedCount: number }>(res);
    expect(sheet.timeZone).toBe('America/New_York');
    expect(sheet.rows.map((r) => [r.day, r.staffName, r.minutes, r.unmatched.length])).toEqual([
      ['2026-03-02', 'Cass', 510, 0],
      ['2026-03-03', 'Cass', 240, 0],
      ['2026-03-05', 'Bo', 0, 1]
    ]);
    expect(sheet.totalMinutes).toBe(750);
    expect(sheet.unmatchedCount).toBe(1);

    const csv = await s.call('GET', '/api/v1/staff/timesheet?location=GM&from=2026-03-01&to=2026-03-05&format=csv', { token: admin });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('timesheet-GM-2026-03-01-2026-03-05.csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[1]).toBe('GM,2026-03-02,user:cass,Cass,8.50,510,2026-03-02T14:00:00.000Z,2026-03-02T22:30:00.000Z,0,');
    expect((await s.call('GET', '/api/v1/staff/timesheet?location=GM&from=2026-03-05&to=2026-03-01', { token: admin })).status).toBe(400);
  });

  it('lists shifts with cashier, times and over/short, and opens one with its Z report', async () => {
    const db = s.couch.use(locationDb(t, 'GM'));
    const ulid = newUlid(Date.parse('2026-03-02T13:00:00.000Z'));
    const shiftId = `shift:reg1:${ulid}`;
    await db.insert({ _id: shiftId, type: 'shift', locationCode: 'GM', registerId: 'device:reg1', openedBy: 'user:cass', openedByName: 'Cass', openingFloat: 10000, openedAt: '2026-03-02T13:00:00.000Z' });
    await db.insert({ _id: `shift:reg1:${newUlid(Date.parse('2026-03-03T13:00:00.000Z'))}`, type: 'shift', locationCode: 'GM', registerId: 'device:reg1', openedBy: 'user:cass', openedByName: 'Cass', openingFloat: 10000, openedAt: '2026-03-03T13:00:00.000Z' });
    await db.insert({
      _id: `shift_close:reg1:${ulid}`,
      type: 'shift_close',
      locationCode: 'GM',
      registerId: 'device:reg1',
      shiftId,
      closedBy: 'user:cass',
      closedByName: 'Cass',
      denominations: { '2000': 5 },
      countedCash: 10000,
      expectedCash: 10250,
      overShort: -250,
      report: { netSales: 4200, salesCount: 3, tenders: { cash: 250 } },
      unsyncedAtClose: 0,
      approvals: [],
      closedAt: '2026-03-02T22:00:00.000Z'
    });
    // the list is read from a listing: on a cluster one copy of each shard, a moment behind the writes
    await expect
      .poll(async () => {
        const res = await s.call('GET', '/api/v1/staff/shifts?location=GM&from=2026-03-01&to=2026-03-31', { token: admin });
        expect(res.status).toBe(200);
        const { shifts } = await json<{ shifts: { id: string; openedByName: string; closedAt: string | null; overShort: number | null; netSales: number | null; day: string }[] }>(res);
        return shifts.map((x) => [x.day, x.openedByName, x.closedAt, x.overShort, x.netSales]);
      }, VIEW_SETTLES)
      .toEqual([
        ['2026-03-03', 'Cass', null, null, null],
        ['2026-03-02', 'Cass', '2026-03-02T22:00:00.000Z', -250, 4200]
      ]);
    const one = await s.call('GET', `/api/v1/staff/shift?location=GM&id=${encodeURIComponent(shiftId)}`, { token: admin });
    expect(one.status).toBe(200);
    // the stored Z report read by today's definitions (an older one, as here, converted: domain/shift-report.ts)
    expect(await one.json()).toMatchObject({ shift: { id: shiftId, overShort: -250 }, report: { version: 2, figures: { net: 4200, transactions: 3 }, tenders: { cash: 250 } }, close: { denominations: { '2000': 5 } }, locale: 'en-US' });
    expect((await s.call('GET', `/api/v1/staff/shift?location=HM&id=${encodeURIComponent(shiftId)}`, { token: admin })).status).toBe(404);
  });
});

describe('catalog staff entries', () => {
  it('registers still cannot write staff documents', async () => {
    const register = await enrol(s, owner, 'register', 'GM');
    const res = await s.call('PUT', `/db/${catalogDb(t)}/staff%3Aforged`, { token: register.deviceToken, body: { _id: 'staff:forged', type: 'staff' } });
    expect(res.status).toBe(403);
  });
});
