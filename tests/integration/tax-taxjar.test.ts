import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, today } from '#domain/business-day.ts';
import { auditDb, catalogDb, INTEGRATIONS_DB } from '#domain/db-names.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { startFakeTaxjar, type FakeTaxjar } from '../support/fake-taxjar.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';

/**
 * Jurisdiction rates from TaxJar (issue 18), through the official `taxjar` client against the local
 * TaxJar server (support/fake-taxjar.ts, reached by TAXJAR_API_URL): connecting (a refused token is a
 * clear 422), previewing a location's rates as a diff (no table, a hand-made table), applying at once
 * and again (nothing new), a changed rate refused until reviewed, a scheduled version, and callers
 * without settings:manage refused.
 */
const PW = 'correct-horse-battery';
const TOKEN = 'tj_alpha_0123456789abcdef';
const NYC = { country: 'US', zip: '10001', state: 'NY', city: 'New York', street: '350 5th Ave' };
const NY_RATE = { state: 'NY', state_rate: '0.04', county: 'NEW YORK', county_rate: '0.0', city: 'NEW YORK', city_rate: '0.045', combined_district_rate: '0.00375' };

let s: TestServer;
let f: FakeTaxjar;
let a = '';
const tok = { owner: '', manager: '', cashier: '', register: '' };

beforeAll(async () => {
  f = await startFakeTaxjar();
  f.tokens.add(TOKEN);
  f.us.set('10001', { ...NY_RATE });
  f.vat.set('FI', { name: 'Finland', standard_rate: '0.255', reduced_rate: '0.14', super_reduced_rate: '0.1', parking_rate: '0.0', distance_sale_threshold: '10000.0' });
  s = await startTestServer({ TAXJAR_API_URL: f.url, CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0' });
  a = (await createTenant({ couch: s.couch }, { name: 'Alpha Tax', plan: 'pro', adminEmail: 'o@alpha.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, a, { email: 'm@alpha.test', name: 'Mo Manager', role: 'manager', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, a, { email: 'c@alpha.test', name: 'Cy Cashier', role: 'cashier', locations: ['GM'], password: PW });
  tok.owner = await login(s, 'o@alpha.test', PW);
  tok.manager = await login(s, 'm@alpha.test', PW);
  tok.cashier = await login(s, 'c@alpha.test', PW);
  tok.register = (await enrol(s, tok.owner, 'register', 'GM', 'Till GM')).deviceToken;
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await f?.stop();
});

const api = (path: string) => `/api/v1/integrations/tax${path}`;
async function ok<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}
interface Rated {
  id: string;
  kind: string;
  ratePpm: number;
  percent: string;
}
interface Preview {
  current: { source: string } | null;
  proposal: { proposalId: string; table: string; effectiveFrom?: string; components: { id: string; ratePpm: number; rules: Record<string, unknown> }[] };
  diff: { added: Rated[]; removed: Rated[]; changed: { id: string; fromPpm: number; toPpm: number; from: string; to: string }[]; unchanged: Rated[]; combined: { toPpm: number }; same: boolean };
  providerCombinedPpm: number;
}
interface Applied {
  table: string;
  changed: boolean;
  effectiveFrom: string | null;
}
const preview = (code: string, body: unknown, token = tok.owner) => s.call('POST', api(`/locations/${code}/preview`), { token, body });
const apply = (code: string, body: unknown, token = tok.owner) => s.call('POST', api(`/locations/${code}/apply`), { token, body });
const catalog = () => s.couch.use(catalogDb(a));
const location = async (code: string) => (await catalog().get(`location:${code}`)) as { taxTableId?: string };
const table = async (id: string) => (await catalog().get(id)) as { _rev: string; versions: { effectiveFrom?: string; components: { id: string; ratePpm: number; rules: Record<string, unknown> }[] }[] };
const nyToday = () => today('America/New_York');

describe('connection', () => {
  it('refuses a token TaxJar refuses with a clear 422, and callers without settings:manage', async () => {
    const bad = await s.call('PUT', api('/connection'), { token: tok.owner, body: { apiToken: 'tj_wrong_0123456789abcdef' } });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: 'tax_provider_unauthorized', message: expect.stringMatching(/TaxJar refused the API token/) });
    expect(f.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v2/categories', auth: 'Bearer tj_wrong_0123456789abcdef' });
    expect((await s.call('PUT', api('/connection'), { token: tok.owner, body: { apiToken: 'short' } })).status).toBe(400);
    for (const t of [tok.manager, tok.cashier, tok.register]) expect((await s.call('PUT', api('/connection'), { token: t, body: { apiToken: TOKEN } })).status).toBe(403);
    expect(await ok(await s.call('GET', api('/connection'), { token: tok.owner }))).toEqual({ connected: false });
    // nothing is looked up before a token is connected
    expect((await preview('GM', { address: NYC })).status).toBe(409);
  });

  it('connects with a good token, sealed at rest', async () => {
    const view = await ok(await s.call('PUT', api('/connection'), { token: tok.owner, body: { apiToken: TOKEN } }));
    expect(view).toMatchObject({ connected: true, provider: 'taxjar', tokenHint: '…cdef' });
    expect(JSON.stringify(view)).not.toContain(TOKEN);
    expect(JSON.stringify(await s.couch.use(INTEGRATIONS_DB).get(`tax_connection:${a}`))).not.toContain(TOKEN);
  });
});

describe('rates for a location', () => {
  let first = '';

  it('previews a location without a table: every component added, nothing written', async () => {
    const p = await ok<Preview>(await preview('GM', { address: NYC }));
    expect(f.requests.at(-1)).toMatchObject({ path: '/v2/rates/10001', query: { country: 'US', state: 'NY', city: 'New York', street: '350 5th Ave' }, auth: `Bearer ${TOKEN}` });
    expect(p.current).toBeNull();
    expect(p.diff.added.map((c) => [c.id, c.kind, c.ratePpm, c.percent])).toEqual([
      ['us-ny', 'state', 40_000, '4 %'],
      ['us-ny-city-new-york', 'city', 45_000, '4.5 %'],
      ['us-ny-districts-10001', 'special', 3_750, '0.375 %']
    ]);
    expect(p.diff).toMatchObject({ removed: [], changed: [], same: false, combined: { toPpm: 88_750 } });
    expect(p.providerCombinedPpm).toBe(88_750);
    expect(p.proposal.table).toBe('tax_table:taxjar-gm');
    expect((await location('GM')).taxTableId).toBeUndefined();
    await expect(catalog().get('tax_table:taxjar-gm')).rejects.toMatchObject({ statusCode: 404 });
    first = p.proposal.proposalId;
  });

  it('applies on confirmation once: the table, the location pointed at it, audited; again writes nothing', async () => {
    expect((await apply('GM', { address: NYC, proposalId: '0'.repeat(24) })).status).toBe(409);
    const done = await ok<Applied>(await apply('GM', { address: NYC, proposalId: first }));
    expect(done).toMatchObject({ table: 'tax_table:taxjar-gm', changed: true, effectiveFrom: null });
    expect((await location('GM')).taxTableId).toBe('tax_table:taxjar-gm');
    const t = await table('tax_table:taxjar-gm');
    expect(t.versions).toHaveLength(1);
    expect(t.versions[0]!.components.map((c) => [c.id, c.ratePpm])).toEqual([['us-ny', 40_000], ['us-ny-city-new-york', 45_000], ['us-ny-districts-10001', 3_750]]);

    const again = await ok<Applied>(await apply('GM', { address: NYC, proposalId: first }));
    expect(again.changed).toBe(false);
    expect((await table('tax_table:taxjar-gm'))._rev).toBe(t._rev);
    const p = await ok<Preview>(await preview('GM', { address: NYC }));
    expect(p.diff).toMatchObject({ added: [], removed: [], changed: [], same: true });
    expect(p.current?.source).toBe('tax_table:taxjar-gm');

    await expect
      .poll(async () => {
        const rows = await s.couch.use(auditDb(a)).list({ include_docs: true });
        return rows.rows.filter((r) => (r.doc as { action?: string }).action === 'tax.rates_applied').map((r) => (r.doc as { target: string }).target);
      }, VIEW_SETTLES)
      .toEqual(['tax_table:taxjar-gm']);
  });

  it('shows a changed rate, refuses a stale proposal, and schedules it from a local date', async () => {
    const before = await ok<Preview>(await preview('GM', { address: NYC }));
    f.us.set('10001', { ...NY_RATE, city_rate: '0.05' });
    // reviewed before TaxJar's rate changed: applying it would not apply what was reviewed
    expect((await apply('GM', { address: NYC, proposalId: before.proposal.proposalId })).status).toBe(409);

    const yesterday = addDays(nyToday(), -1);
    expect((await preview('GM', { address: NYC, effectiveFrom: yesterday })).status).toBe(400);
    const from = addDays(nyToday(), 30);
    const p = await ok<Preview>(await preview('GM', { address: NYC, effectiveFrom: from }));
    expect(p.diff.changed).toEqual([{ id: 'us-ny-city-new-york', name: 'New York city', kind: 'city', fromPpm: 45_000, toPpm: 50_000, from: '4.5 %', to: '5 %' }]);
    expect(p.diff.unchanged.map((c) => c.id)).toEqual(['us-ny', 'us-ny-districts-10001']);
    expect(p.proposal.effectiveFrom).toBe(from);

    expect(await ok<Applied>(await apply('GM', { address: NYC, effectiveFrom: from, proposalId: p.proposal.proposalId }))).toMatchObject({ changed: true, effectiveFrom: from });
    const t = await table('tax_table:taxjar-gm');
    expect(t.versions.map((v) => [v.effectiveFrom ?? null, v.components.find((c) => c.id === 'us-ny-city-new-york')!.ratePpm])).toEqual([
      [null, 45_000],
      [from, 50_000]
    ]);
    expect((await ok<Applied>(await apply('GM', { address: NYC, effectiveFrom: from, proposalId: p.proposal.proposalId }))).changed).toBe(false);
    expect((await table('tax_table:taxjar-gm'))._rev).toBe(t._rev);
    // the scheduled version is not overtaken by one applied at once before it
    const now = await ok<Preview>(await preview('GM', { address: NYC }));
    expect((await apply('GM', { address: NYC, proposalId: now.proposal.proposalId })).status).toBe(409);
  });

  it('diffs against a hand-made table and schedules over it, keeping its rates and category rules until then', async () => {
    const manual = {
      _id: 'tax_table:hm-manual',
      type: 'tax_table',
      name: 'HM by hand',
      versions: [
        {
          components: [
            { id: 'us-ny', name: 'NY state', kind: 'state', ratePpm: 40_000, rules: { clothing: { kind: 'exempt_under', threshold: 11_000 } } },
            { id: 'nyc', name: 'New York City', kind: 'city', ratePpm: 45_000, rules: {} }
          ]
        }
      ],
      updatedAt: new Date().toISOString(),
      updatedBy: 'user:test'
    };
    await catalog().insert(manual);
    await ok(await s.call('PATCH', '/api/v1/locations/HM', { token: tok.owner, body: { taxTableId: manual._id } }));

    const from = addDays(nyToday(), 10);
    const p = await ok<Preview>(await preview('HM', { address: NYC, effectiveFrom: from }));
    expect(p.current?.source).toBe(manual._id);
    expect(p.diff.unchanged.map((c) => c.id)).toEqual(['us-ny']);
    expect(p.diff.added.map((c) => c.id)).toEqual(['us-ny-city-new-york', 'us-ny-districts-10001']);
    expect(p.diff.removed.map((c) => [c.id, c.ratePpm])).toEqual([['nyc', 45_000]]);
    expect(p.proposal.components.find((c) => c.id === 'us-ny')!.rules).toEqual({ clothing: { kind: 'exempt_under', threshold: 11_000 } });

    expect((await ok<Applied>(await apply('HM', { address: NYC, effectiveFrom: from, proposalId: p.proposal.proposalId }))).changed).toBe(true);
    expect((await location('HM')).taxTableId).toBe('tax_table:taxjar-hm');
    const t = await table('tax_table:taxjar-hm');
    expect(t.versions.map((v) => [v.effectiveFrom ?? null, v.components.map((c) => c.id)])).toEqual([
      [null, ['us-ny', 'nyc']],
      [from, ['us-ny', 'us-ny-city-new-york', 'us-ny-districts-10001']]
    ]);
    expect((await ok<Applied>(await apply('HM', { address: NYC, effectiveFrom: from, proposalId: p.proposal.proposalId }))).changed).toBe(false);
  });

  it('answers a VAT country with its standard rate, and refuses what it cannot look up clearly', async () => {
    const vat = await ok<Preview>(await preview('GM', { address: { country: 'FI', zip: '00150', city: 'Helsinki' } }));
    expect(vat.proposal.components.map((c) => [c.id, c.ratePpm])).toEqual([['fi-vat', 255_000]]);
    expect((await preview('GM', { address: { ...NYC, zip: '99999' } })).status).toBe(404);
    expect((await preview('GM', { address: { ...NYC, zip: 'ABCDE' } })).status).toBe(400);
    expect((await preview('GM', { address: { country: 'CA', zip: 'V5K 0A1', state: 'BC' } })).status).toBe(422);
    expect((await preview('ZZ', { address: NYC })).status).toBe(404);
  });

  it('refuses a cashier, a register and a manager without settings:manage', async () => {
    const p = await ok<Preview>(await preview('GM', { address: NYC }));
    const before = f.requests.length;
    for (const t of [tok.cashier, tok.register, tok.manager]) {
      expect((await preview('GM', { address: NYC }, t)).status).toBe(403);
      expect((await apply('GM', { address: NYC, proposalId: p.proposal.proposalId }, t)).status).toBe(403);
      expect((await s.call('GET', api('/connection'), { token: t })).status).toBe(403);
    }
    // refused before TaxJar is asked
    expect(f.requests.length).toBe(before);
  });
});
