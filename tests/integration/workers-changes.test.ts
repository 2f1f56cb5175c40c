import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customersDb, locationDb } from '#domain/db-names.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { DbUpdates } from '../../server/workers/db-updates.ts';
import { createLogger } from '../../server/log.ts';
import { makeSale } from '../support/fixtures.ts';
import { ON_COUCHDB, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';

/**
 * Background workers follow the store's database updates (issue 13, "idle cost"): output appears
 * after a write, whoever made it (here: straight into the store, not through this server's gateway),
 * an idle tenant is never visited, and of two server copies on one store only one works a tenant
 * (leases) while both stay correct.
 */
const PW = 'correct-horse-battery';
let a: TestServer;
let b: TestServer | null = null;
let t = '';
let idle = '';

const points = async (s: TestServer, holder: string) => {
  const res = await s.couch.use(customersDb(t)).view('ledger', 'balance', { group: true, key: ['loyalty', holder] });
  return (res.rows[0]?.value as number | undefined) ?? 0;
};

beforeAll(async () => {
  a = await startTestServer({ SALE_LEDGER_INTERVAL_S: '1', APPROVALS_AUDIT_INTERVAL_S: '1', CONFLICT_WORKER_INTERVAL_S: '1' });
  t = (await createTenant({ couch: a.couch }, { name: 'Busy Co', adminEmail: 'o@busy.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  idle = (await createTenant({ couch: a.couch }, { name: 'Idle Co', adminEmail: 'o@idle.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
});

afterAll(async () => {
  await b?.stop({ keepData: true });
  await a?.stop();
});

describe('change-driven workers', () => {
  it('the store reports each database write on its updates feed (logical names, this deployment only)', async () => {
    const heard: string[] = [];
    const feed = new DbUpdates(a.couch, createLogger('silent'), { onCouchDb: ON_COUCHDB, longpollMs: 2_000 });
    feed.subscribe((db) => heard.push(db));
    feed.start();
    try {
      // the feed takes its position before anything is written
      await expect.poll(async () => {
        await a.couch.use(locationDb(t, 'GM')).insert({ _id: `probe:${Date.now()}`, type: 'probe' });
        return heard.includes(locationDb(t, 'GM'));
      }, { timeout: 30_000, interval: 500 }).toBe(true);
      expect(heard.every((db) => !db.startsWith('_') && !db.startsWith(a.couch.prefix || '\u0000'))).toBe(true);
    } finally {
      await feed.stop();
    }
  });

  it('a sale written straight into the store earns its points without any timer; an idle tenant is not visited', async () => {
    expect(a.ctx.metrics.workers.lagSeconds().map(([n]) => n).sort()).toEqual(['approvals_audit', 'conflicts', 'sale_ledger', 'shopify_push', 'warm_up']);
    const ledger = a.workers.sale_ledger!;
    // the tenants' creation wrote to their databases: let that settle first
    await new Promise((r) => setTimeout(r, 1_000));
    await expect.poll(() => ledger.quiet(), { timeout: 30_000 }).toBe(true);
    const idleRuns = ledger.ran.get(idle) ?? 0;
    const busyRuns = ledger.ran.get(t) ?? 0;
    const sale = makeSale('GM', 'GM-1', { customerId: 'customer:zed' });
    await a.couch.use(locationDb(t, 'GM')).insert(sale);
    await expect.poll(() => points(a, 'customer:zed'), VIEW_SETTLES).toBeGreaterThan(0);
    expect(ledger.ran.get(t)).toBeGreaterThan(busyRuns);
    expect(ledger.ran.get(idle) ?? 0).toBe(idleRuns);
    expect(ledger.lagSeconds()).toBeLessThan(5);
  });

  it('two server copies on one store: one works the tenant, the sale is counted once', async () => {
    b = await startTestServer({ SALE_LEDGER_INTERVAL_S: '1', APPROVALS_AUDIT_INTERVAL_S: '0', CONFLICT_WORKER_INTERVAL_S: '0', ...(ON_COUCHDB ? { COUCH_DB_PREFIX: a.couch.prefix } : { COUCH_URL: a.couch.creds.url, COUCH_USER: a.couch.creds.user, COUCH_PASSWORD: a.couch.creds.password }) });
    const before = await points(a, 'customer:amy');
    const sales = Array.from({ length: 5 }, () => makeSale('GM', 'GM-2', { customerId: 'customer:amy' }));
    for (const sale of sales) await a.couch.use(locationDb(t, 'GM')).insert(sale);
    const entries = async () =>
      (await a.couch.use(customersDb(t)).list({ startkey: 'ledger:sale:', endkey: 'ledger:sale:\ufff0' })).rows.filter((r) => sales.some((s) => r.id.startsWith(`ledger:${s._id}:`))).length;
    await expect.poll(entries, VIEW_SETTLES).toBe(5);
    await expect.poll(() => points(a, 'customer:amy'), VIEW_SETTLES).toBeGreaterThan(before);
    // copy A held the tenant's lease from the sale before and renewed it while working: B heard the
    // same updates and left the tenant to A
    const lease = (await a.couch.use('platform').get(`lease:sale-ledger:${t}`)) as unknown as { holder: string };
    expect(lease.holder).toBe(a.leaseHolder);
    expect(b.workers.sale_ledger!.ran.get(t) ?? 0).toBe(0);
    expect(a.workers.sale_ledger!.ran.get(t)).toBeGreaterThan(0);
  });
});
