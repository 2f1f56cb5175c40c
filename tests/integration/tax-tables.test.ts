import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, today } from '#domain/business-day.ts';
import { auditDb, catalogDb } from '#domain/db-names.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';

/**
 * A location's tax table edited by hand (issue 18, tenants without a tax service): read with the
 * version in force, saved at once (a table of its own is made and the location pointed at it), saved
 * again unchanged (no write), scheduled from a later date and cancelled, the gateway's schema refusing
 * a bad component, and callers without settings:manage refused.
 */
const PW = 'correct-horse-battery';
let s: TestServer;
let a = '';
const tok = { owner: '', manager: '', register: '' };

beforeAll(async () => {
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0' });
  a = (await createTenant({ couch: s.couch }, { name: 'Hand Tax', plan: 'pro', adminEmail: 'o@hand.test', adminPassword: PW, locations: [{ code: 'GM', timeZone: 'America/New_York' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, a, { email: 'm@hand.test', name: 'Mo Manager', role: 'manager', locations: ['GM'], password: PW });
  tok.owner = await login(s, 'o@hand.test', PW);
  tok.manager = await login(s, 'm@hand.test', PW);
  tok.register = (await enrol(s, tok.owner, 'register', 'GM', 'Till GM')).deviceToken;
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

const path = (rest = '') => `/api/v1/settings/locations/GM/tax-table${rest}`;
async function ok<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}
interface Read {
  today: string;
  table: { id: string; versions: { effectiveFrom?: string; inForce: boolean; scheduled: boolean; components: { id: string; ratePpm: number; rules: Record<string, unknown> }[] }[] } | null;
}
const NY = [
  { id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: { clothing: { kind: 'exempt_under', threshold: 11_000 } } },
  { id: 'nyc', name: 'New York City', kind: 'city', ratePpm: 45_000, rules: {} },
  { id: 'mctd', name: 'MCTD', kind: 'special', ratePpm: 3_750, rules: { clothing: { kind: 'exempt_under', threshold: 11_000 } } }
];

describe('hand-edited tax table', () => {
  it('creates the location’s own table, points the location at it, and saves unchanged rates without a write', async () => {
    expect((await ok<Read>(await s.call('GET', path(), { token: tok.owner }))).table).toBeNull();
    const saved = await ok<{ table: string; changed: boolean }>(await s.call('PUT', path(), { token: tok.owner, body: { components: NY } }));
    expect(saved).toMatchObject({ table: 'tax_table:gm', changed: true });
    expect(((await s.couch.use(catalogDb(a)).get('location:GM')) as { taxTableId?: string }).taxTableId).toBe('tax_table:gm');
    const read = await ok<Read>(await s.call('GET', path(), { token: tok.owner }));
    expect(read.table!.versions).toHaveLength(1);
    expect(read.table!.versions[0]).toMatchObject({ inForce: true, scheduled: false });
    expect(read.table!.versions[0]!.components.map((c) => [c.id, c.ratePpm])).toEqual([['ny-state', 40_000], ['nyc', 45_000], ['mctd', 3_750]]);
    const rev = ((await s.couch.use(catalogDb(a)).get('tax_table:gm')) as { _rev: string })._rev;
    expect(await ok(await s.call('PUT', path(), { token: tok.owner, body: { components: NY } }))).toMatchObject({ changed: false });
    expect(((await s.couch.use(catalogDb(a)).get('tax_table:gm')) as { _rev: string })._rev).toBe(rev);
  });

  it('schedules a change from a later date, keeps today’s rates until then, and cancels it', async () => {
    const day = addDays(today('America/New_York'), 3);
    const next = NY.map((c) => (c.id === 'nyc' ? { ...c, ratePpm: 50_000 } : c));
    expect(await ok(await s.call('PUT', path(), { token: tok.owner, body: { effectiveFrom: day, components: next } }))).toMatchObject({ changed: true, effectiveFrom: day });
    const read = await ok<Read>(await s.call('GET', path(), { token: tok.owner }));
    expect(read.table!.versions.map((v) => [v.effectiveFrom ?? null, v.inForce, v.scheduled])).toEqual([[null, true, false], [day, false, true]]);
    // a change today behind a scheduled one would put versions out of order
    expect((await s.call('PUT', path(), { token: tok.owner, body: { components: NY.slice(0, 2) } })).status).toBe(409);
    expect((await s.call('PUT', path(), { token: tok.owner, body: { effectiveFrom: today('America/New_York'), components: NY } })).status).toBe(400);
    expect(await ok(await s.call('DELETE', path(`/versions/${day}`), { token: tok.owner }))).toMatchObject({ cancelled: day });
    expect((await s.call('DELETE', path(`/versions/${day}`), { token: tok.owner })).status).toBe(404);
    expect((await ok<Read>(await s.call('GET', path(), { token: tok.owner }))).table!.versions).toHaveLength(1);
    await expect.poll(async () => (await s.couch.use(auditDb(a)).list({ include_docs: true })).rows.map((r) => (r.doc as { action?: string }).action), VIEW_SETTLES).toEqual(expect.arrayContaining(['tax_table.edited', 'tax_table.schedule_cancelled']));
  });

  it('refuses what the gateway’s schema refuses, and callers without settings:manage', async () => {
    const twice = await s.call('PUT', path(), { token: tok.owner, body: { components: [NY[0], NY[0]] } });
    expect(twice.status).toBe(400);
    expect(await twice.text()).toMatch(/appears twice/);
    expect((await s.call('PUT', path(), { token: tok.owner, body: { components: [{ ...NY[1], ratePpm: 1_500_000 }] } })).status).toBe(400);
    expect((await s.call('PUT', path(), { token: tok.owner, body: { components: [{ ...NY[1], rules: { clothing: { kind: 'reduced' } } }] } })).status).toBe(400);
    expect((await s.call('GET', '/api/v1/settings/locations/ZZ/tax-table', { token: tok.owner })).status).toBe(404);
    for (const token of [tok.manager, tok.register]) {
      expect((await s.call('GET', path(), { token })).status).toBe(403);
      expect((await s.call('PUT', path(), { token, body: { components: NY } })).status).toBe(403);
    }
  });
});
