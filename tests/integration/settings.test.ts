import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_DB, catalogDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';

/**
 * Settings (issue 5): location edits, device rename/revoke (revoked → 401 at the gateway), the last
 * sync the gateway records, tax rates, settings validation, plan usage, the audit list's filters,
 * alerts, and that a manager (no settings:manage) is refused every one of them.
 */
let s: TestServer;
let t = '';
let owner = '';
let manager = '';
const PW = 'correct-horse-battery';

beforeAll(async () => {
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0' });
  t = (await createTenant({ couch: s.couch }, { name: 'Settings Co', plan: 'starter', adminEmail: 'o@settings.test', adminPassword: PW, locations: [{ code: 'GM', name: 'Grand' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@settings.test', name: 'Maria Manager', role: 'manager', locations: ['GM'], password: PW });
  owner = await login(s, 'o@settings.test', PW);
  manager = await login(s, 'm@settings.test', PW);
});

afterAll(async () => {
  await s?.stop();
});

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface DeviceRow {
  id: string;
  name: string;
  revokedAt: string | null;
  lastSyncAt: string | null;
  lastSeenAt: string | null;
}
async function devices(): Promise<DeviceRow[]> {
  return (await json<{ devices: DeviceRow[] }>(await s.call('GET', '/api/v1/devices', { token: owner }))).devices;
}

async function until<T>(fn: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('locations', () => {
  it('edits name, address, time zone and currency; refuses a bad time zone; the plan limit names the plan', async () => {
    const res = await s.call('PATCH', '/api/v1/locations/gm', { token: owner, body: { name: 'Grand Market', address: '1 Main St', timeZone: 'Europe/Berlin', currency: 'EUR' } });
    expect(res.status).toBe(200);
    expect((await json(res)).location).toMatchObject({ code: 'GM', name: 'Grand Market', address: '1 Main St', timeZone: 'Europe/Berlin', currency: 'EUR' });
    expect(await s.couch.use(catalogDb(t)).get('location:GM')).toMatchObject({ name: 'Grand Market', currency: 'EUR', updatedBy: expect.stringContaining('user:') });

    const bad = await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { timeZone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toContain('timeZone');
    expect((await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { code: 'XX' } })).status).toBe(400);
    expect((await s.call('PATCH', '/api/v1/locations/ZZ', { token: owner, body: { name: 'Nowhere' } })).status).toBe(404);

    const second = await s.call('POST', '/api/v1/locations', { token: owner, body: { code: 'HM', name: 'Harbour' } });
    expect(second.status).toBe(403);
    expect(await json(second)).toMatchObject({ error: 'plan_limit', message: 'Your Starter plan includes 1 store; upgrade to add more' });

    const listed = await json<{ locations: { code: string; taxRateId: string | null }[] }>(await s.call('GET', '/api/v1/settings/locations', { token: owner }));
    expect(listed.locations).toEqual([expect.objectContaining({ code: 'GM', name: 'Grand Market', taxRateId: null, pricesIncludeTax: false })]);
  });

  it('a location’s locale: the currency’s usual one until set, checked, cleared back to the default', async () => {
    const read = async () => (await json<{ locations: { code: string; locale: string | null; effectiveLocale: string }[] }>(await s.call('GET', '/api/v1/settings/locations', { token: owner }))).locations[0]!;
    expect(await read()).toMatchObject({ code: 'GM', locale: null, effectiveLocale: 'en-IE' }); // EUR since the test above
    const set = await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { locale: 'de-DE' } });
    expect(set.status).toBe(200);
    expect((await json(set)).location).toMatchObject({ locale: 'de-DE', effectiveLocale: 'de-DE' });
    expect(await s.couch.use(catalogDb(t)).get('location:GM')).toMatchObject({ locale: 'de-DE' });
    // what registers and every page read: GET /locations answers the locale in force
    const pub = await json<{ locations: { code: string; locale: string }[] }>(await s.call('GET', '/api/v1/locations', { token: owner }));
    expect(pub.locations.find((l) => l.code === 'GM')).toMatchObject({ locale: 'de-DE' });
    const bad = await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { locale: 'not a locale!' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toContain('locale');
    expect((await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { locale: null } })).status).toBe(200);
    expect(await read()).toMatchObject({ locale: null, effectiveLocale: 'en-IE' });
    expect(await s.couch.use(catalogDb(t)).get('location:GM')).not.toHaveProperty('locale');
  });
});

describe('devices', () => {
  it('records the last successful sync, renames, and a revoked device gets 401 at the gateway', async () => {
    const reg = await enrol(s, owner, 'register', 'GM', 'Till 1');
    expect((await devices()).find((d) => d.id === reg.device.id)).toMatchObject({ name: 'Till 1', lastSyncAt: null });

    const before = Date.now();
    const read = await s.call('GET', `/db/${reg.databases.location}/_changes?since=0&limit=1`, { token: reg.deviceToken });
    expect(read.status).toBe(200);
    await read.text();
    const row = await until(async () => (await devices()).find((d) => d.id === reg.device.id && d.lastSyncAt));
    expect(new Date(row.lastSyncAt!).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.lastSeenAt).toBe(row.lastSyncAt);

    expect((await s.call('PATCH', `/api/v1/devices/${reg.device.id}`, { token: owner, body: { name: '' } })).status).toBe(400);
    expect((await s.call('PATCH', `/api/v1/devices/${reg.device.id}`, { token: owner, body: { name: 'Front till' } })).status).toBe(204);
    expect((await devices()).find((d) => d.id === reg.device.id)?.name).toBe('Front till');
    expect(await s.couch.use(PLATFORM_DB).get(`device:${reg.device.id}`)).toMatchObject({ name: 'Front till', lastSyncAt: row.lastSyncAt });

    expect((await s.call('DELETE', `/api/v1/devices/${reg.device.id}`, { token: owner })).status).toBe(204);
    const after = await s.call('GET', `/db/${reg.databases.location}/_changes?since=0&limit=1`, { token: reg.deviceToken });
    expect(after.status).toBe(401);
    expect((await s.call('PATCH', `/api/v1/devices/${reg.device.id}`, { token: owner, body: { name: 'Again' } })).status).toBe(409);
    expect((await s.call('PATCH', `/api/v1/devices/${newUlid()}`, { token: owner, body: { name: 'Ghost' } })).status).toBe(404);
  });
});

describe('tax rates and settings', () => {
  it('creates, validates, assigns to a location, edits and refuses to delete a rate in use', async () => {
    const created = await s.call('POST', '/api/v1/settings/tax-rates', { token: owner, body: { name: 'Berlin VAT', ratePpm: 190_000, exemptCategories: ['Exempt'] } });
    expect(created.status).toBe(201);
    const { taxRate } = await json<{ taxRate: { id: string } }>(created);
    expect(taxRate.id).toBe('tax_rate:berlin-vat');
    expect((await s.call('POST', '/api/v1/settings/tax-rates', { token: owner, body: { name: 'Berlin VAT', ratePpm: 1 } })).status).toBe(409);
    expect((await s.call('POST', '/api/v1/settings/tax-rates', { token: owner, body: { name: 'Too much', ratePpm: 1_000_001 } })).status).toBe(400);
    expect((await s.call('POST', '/api/v1/settings/tax-rates', { token: owner, body: { name: 'Float', ratePpm: 7.5 } })).status).toBe(400);

    expect((await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { taxRateId: 'tax_rate:nope' } })).status).toBe(404);
    // a jurisdiction tax table (written through the gateway today; its editor comes later) is assigned the same way
    expect((await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { taxTableId: 'tax_table:nope' } })).status).toBe(404);
    await s.couch.use(catalogDb(t)).insert({ _id: 'tax_table:nyc', type: 'tax_table', name: 'NYC', versions: [{ components: [{ id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: {} }] }], updatedAt: new Date().toISOString(), updatedBy: 'user:x' });
    const withTable = await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { taxTableId: 'tax_table:nyc' } });
    expect(withTable.status).toBe(200);
    expect((await json<{ location: { taxTableId: string | null } }>(withTable)).location.taxTableId).toBe('tax_table:nyc');
    expect((await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { taxTableId: null } })).status).toBe(200);
    expect(await s.couch.use(catalogDb(t)).get('location:GM')).not.toHaveProperty('taxTableId');
    expect((await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { taxRateId: taxRate.id } })).status).toBe(200);
    // lists right after a write: on a cluster one copy of the shard answers, a moment behind (VIEW_SETTLES)
    const ratesFor = async (q: string) => (await json<{ taxRates: { id: string; locations: string[] }[] }>(await s.call('GET', `/api/v1/settings/tax-rates${q}`, { token: owner }))).taxRates;
    await expect.poll(() => ratesFor('?location=GM'), VIEW_SETTLES).toEqual([expect.objectContaining({ id: taxRate.id, ratePpm: 190_000, exemptCategories: ['exempt'], locations: ['GM'] })]);

    const edited = await s.call('PUT', `/api/v1/settings/tax-rates/${taxRate.id}`, { token: owner, body: { name: 'Berlin VAT', ratePpm: 70_000, exemptCategories: [] } });
    expect(edited.status).toBe(200);
    expect(await s.couch.use(catalogDb(t)).get(taxRate.id)).toMatchObject({ type: 'tax_rate', ratePpm: 70_000, exemptCategories: [] });

    const del = await s.call('DELETE', `/api/v1/settings/tax-rates/${taxRate.id}`, { token: owner });
    expect(del.status).toBe(409);
    expect((await json(del)).message).toContain('GM');
    await s.call('PATCH', '/api/v1/locations/GM', { token: owner, body: { taxRateId: null } });
    expect((await s.call('DELETE', `/api/v1/settings/tax-rates/${taxRate.id}`, { token: owner })).status).toBe(204);
    await expect.poll(() => ratesFor(''), VIEW_SETTLES).toEqual([]);
  });

  it('reads and updates the receipt, payments and register rules with validation; never shows the PIN salt', async () => {
    const got = await json<{ settings: Record<string, unknown> }>(await s.call('GET', '/api/v1/settings', { token: owner }));
    expect(got.settings).toMatchObject({ receiptFooter: '', payments: { cash: true, card: 'terminal', storeCredit: true, giftCard: true }, cashRounding: 0 });
    expect(JSON.stringify(got)).not.toContain('pinSalt');

    const res = await s.call('PATCH', '/api/v1/settings', { token: owner, body: { receiptFooter: 'Thank you!', payments: { cash: true, card: 'stripe', storeCredit: false, giftCard: true }, cashRounding: 5 } });
    expect(res.status).toBe(200);
    const doc = await s.couch.use(catalogDb(t)).get('settings:tenant');
    expect(doc).toMatchObject({ receiptFooter: 'Thank you!', payments: { card: 'stripe', storeCredit: false }, cashRounding: 5, pinSalt: expect.any(String) });

    // the same values again: nothing written, nothing audited
    const again = await s.call('PATCH', '/api/v1/settings', { token: owner, body: { receiptFooter: 'Thank you!', cashRounding: 5 } });
    expect(again.status).toBe(200);
    expect((await s.couch.use(catalogDb(t)).get('settings:tenant'))._rev).toBe(doc._rev);
    const audited = async () => (await json<{ events: { details: { fields: string[] } }[] }>(await s.call('GET', '/api/v1/audit?action=settings.updated', { token: owner }))).events.map((e) => e.details.fields);
    await expect.poll(audited, VIEW_SETTLES).toEqual([['receiptFooter', 'payments', 'cashRounding']]);

    // blind cash count: off until switched on, then in the document the registers read
    expect(got.settings).toMatchObject({ blindCashCount: false });
    expect((await s.call('PATCH', '/api/v1/settings', { token: owner, body: { blindCashCount: true } })).status).toBe(200);
    expect(await s.couch.use(catalogDb(t)).get('settings:tenant')).toMatchObject({ blindCashCount: true });
    expect((await s.call('PATCH', '/api/v1/settings', { token: owner, body: { blindCashCount: 'yes' } })).status).toBe(400);

    for (const body of [{ cashRounding: 3 }, { pinSalt: 'x'.repeat(20) }, { payments: { cash: false, card: 'off', storeCredit: false, giftCard: false } }, {}]) {
      expect((await s.call('PATCH', '/api/v1/settings', { token: owner, body })).status).toBe(400);
    }
  });
});

describe('plan, audit and alerts', () => {
  it('reports plan usage', async () => {
    const res = await json(await s.call('GET', '/api/v1/settings/plan', { token: owner }));
    expect(res).toMatchObject({ plan: { id: 'starter', limits: { stores: 1, registers: 2 } }, usage: { stores: 1, registers: 0, apiKeys: 0 } });
  });

  it('lists audit events newest first, filtered by action, user, device and date, paginated with a cursor', async () => {
    type Page = { events: { action: string; actor: string; actorName: string | null; deviceId: string | null; deviceName: string | null; createdAt: string }[]; nextCursor: string | null };
    const all = await json<Page>(await s.call('GET', '/api/v1/audit?limit=200', { token: owner }));
    const actions = all.events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['tenant.created', 'location.created', 'location.updated', 'device.renamed', 'device.revoked', 'tax_rate.updated', 'settings.updated']));
    const times = all.events.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    const renamed = await json<Page>(await s.call('GET', '/api/v1/audit?action=device.renamed', { token: owner }));
    expect(renamed.events).toHaveLength(1);
    expect(renamed.events[0]).toMatchObject({ actorName: 'Owner', deviceName: 'Front till' });
    const deviceId = renamed.events[0]!.deviceId!;

    const byDevice = await json<Page>(await s.call('GET', `/api/v1/audit?device=${deviceId}`, { token: owner }));
    expect(byDevice.events.map((e) => e.action).sort()).toEqual(['device.enrolled', 'device.renamed', 'device.revoked']);
    const prefix = await json<Page>(await s.call('GET', '/api/v1/audit?action=tax_rate.', { token: owner }));
    expect(prefix.events.map((e) => e.action)).toEqual(['tax_rate.deleted', 'tax_rate.updated', 'tax_rate.created']);

    const ownerId = renamed.events[0]!.actor;
    const byUser = await json<Page>(await s.call('GET', `/api/v1/audit?user=${encodeURIComponent(ownerId)}&limit=200`, { token: owner }));
    expect(byUser.events.length).toBeGreaterThan(5);
    expect(byUser.events.every((e) => e.actor === ownerId)).toBe(true);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await json<Page>(await s.call('GET', `/api/v1/audit?from=${tomorrow}`, { token: owner }))).events).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await json<Page>(await s.call('GET', `/api/v1/audit?from=${today}&to=${today}&limit=200`, { token: owner }))).events.length).toBe(all.events.length);

    // pages of 3 walk the same events without gaps or repeats
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await json<Page>(await s.call('GET', `/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: owner }));
      walked.push(...page.events.map((e) => `${e.createdAt}|${e.action}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.events.map((e) => `${e.createdAt}|${e.action}`));

    expect((await s.call('GET', '/api/v1/audit?from=yesterday', { token: owner })).status).toBe(400);
    expect((await s.call('GET', '/api/v1/audit?cursor=garbage', { token: owner })).status).toBe(400);
  });

  it('raises alerts for a device not synced for over an hour and an old open shift on it', async () => {
    const reg = await enrol(s, owner, 'register', 'GM', 'Till 2');
    const twoHours = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const platform = s.couch.use(PLATFORM_DB);
    const d = (await platform.get(`device:${reg.device.id}`)) as Record<string, unknown>;
    await platform.insert({ ...d, enrolledAt: twoHours, lastSyncAt: twoHours });
    const ulid = newUlid();
    await s.couch.use(locationDb(t, 'GM')).insert({
      _id: `shift:${reg.device.id}:${ulid}`,
      type: 'shift',
      locationCode: 'GM',
      registerId: `device:${reg.device.id}`,
      openedBy: 'user:x',
      openedByName: 'Ana',
      openingFloat: 10_000,
      openedAt: new Date(Date.now() - 17 * 3_600_000).toISOString()
    });
    type Alerts = { alerts: { kind: string; severity: string; message: string; locationCode: string | null }[] };
    const res = await s.call('GET', '/api/v1/alerts', { token: manager });
    expect(res.status).toBe(200);
    const { alerts } = await json<Alerts>(res);
    expect(alerts.map((a) => [a.kind, a.severity])).toEqual([
      ['shift_unsynced', 'critical'],
      ['shift_long_open', 'warning'],
      ['device_not_synced', 'warning']
    ]);
    expect(alerts[2]?.message).toBe('Register "Till 2" at GM has not synced for 2 h');

    // closing the shift clears both shift alerts
    await s.couch.use(locationDb(t, 'GM')).insert({ _id: `shift_close:${reg.device.id}:${ulid}`, type: 'shift_close' });
    expect((await json<Alerts>(await s.call('GET', '/api/v1/alerts', { token: owner }))).alerts.map((a) => a.kind)).toEqual(['device_not_synced']);
  });
});

describe('permissions', () => {
  it('refuses a manager (no settings:manage) every settings endpoint, and anonymous callers', async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/v1/settings'],
      ['PATCH', '/api/v1/settings', { receiptFooter: 'x' }],
      ['GET', '/api/v1/settings/locations'],
      ['PATCH', '/api/v1/locations/GM', { name: 'Mine' }],
      ['GET', '/api/v1/devices'],
      ['PATCH', `/api/v1/devices/${newUlid()}`, { name: 'x' }],
      ['GET', '/api/v1/settings/tax-rates'],
      ['POST', '/api/v1/settings/tax-rates', { name: 'x', ratePpm: 1 }],
      ['GET', '/api/v1/settings/plan'],
      ['GET', '/api/v1/audit']
    ];
    for (const [method, path, body] of calls) {
      const res = await s.call(method, path, { token: manager, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await s.call(method, path, body ? { body } : {})).status, `${method} ${path} anonymous`).toBe(401);
    }
    expect((await s.call('GET', '/api/v1/alerts')).status).toBe(401);
  });
});
