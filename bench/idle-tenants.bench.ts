import fs from 'node:fs';
import path from 'node:path';
import { customersDb, locationDb } from '#domain/db-names.ts';
import { createTenant } from '../server/tenants/provision.ts';
import { auditTenantApprovals } from '../server/workers/approvals-audit.ts';
import { allTenantIds, resolveTenantConflicts } from '../server/workers/conflicts.ts';
import { deriveTenantLedger, PointsRateCache } from '../server/workers/sale-ledger.ts';
import { warmLocationViews } from '../server/couch/warm-views.ts';
import { SYNC_RULES } from '../sync-rules/rules.ts';
import { startTestServer, type TestServer } from '../tests/integration/support/server.ts';
import { makeSale } from '../tests/support/fixtures.ts';
import { percentile, report, type Benchmark } from './lib.ts';

/**
 * `idle-tenants`: what 1,000 provisioned tenants cost when nobody is using them (issue 13, "idle
 * cost"), CPU seconds per minute of the server and the store together, for our change-driven workers
 * against the timer-driven schedule they replaced (every tenant visited every 10 s by the approvals
 * audit and the sale ledger, every 30 s by the conflict worker and the warm-up, run here by the
 * benchmark itself with the same worker functions); and the time from a sale written to its ledger
 * entries (change → worker output). `TENANTS` (default 1,000 on CouchDB, 200 on the embedded store,
 * which holds about 250), `IDLE_S` (default 60) and `PROVISIONERS` (default 4) resize it.
 * With COUCH_URL set it runs against that CouchDB (its node processes' CPU from COUCHDB_TEST_DIR/pids).
 * Per 100 tenants is what they add above the same server and store idle with no tenant (the floor,
 * measured first: the store's own housekeeping is there whatever the tenants).
 *
 * Idle is measured once CouchDB has closed what the provisioning used. CouchDB keeps a database open
 * for a minute or more after its last use (`[couchdb] idle_check_timeout`, 61 s) with its view
 * indexes, and re-reads each cached design document 67 s after its last use before dropping it
 * (`[ddoc_cache] refresh_timeout`): after work that touched a few hundred tenants the node spends
 * several CPU-s/min for 2-4 minutes, whatever the number of tenants (docs/OPERATIONS.md, "Idle
 * cost"). That tail is a cost of the work just done, so it is reported on its own (the first minute
 * after the workers settled), not hidden and not counted as idle.
 */
/** The embedded store runs out of open files at about 250 tenants (OPERATIONS.md): 1,000 is for CouchDB. */
const TENANTS = Number(process.env.TENANTS ?? (process.env.COUCH_URL ? 1000 : 200));
const IDLE_S = Number(process.env.IDLE_S ?? 60);
/** tenants provisioned at the same time (PROVISIONERS) */
const PROVISIONERS = Math.max(1, Number(process.env.PROVISIONERS ?? 4));
const SAMPLES = 40;
const TICKS = 100; // USER_HZ: /proc/PID/stat counts CPU time in 1/100 s on Linux

/** CPU seconds (user + system) a process has used, from /proc. */
function procCpu(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

function storePids(s: TestServer): number[] {
  if (s.embedded) {
    const rt = JSON.parse(fs.readFileSync(path.join(s.dataDir, 'couch', 'runtime.json'), 'utf8')) as { pid: number };
    return [rt.pid];
  }
  const dir = process.env.COUCHDB_TEST_DIR;
  return dir ? fs.readFileSync(path.join(dir, 'pids'), 'utf8').trim().split('\n').map(Number) : [];
}

/** CouchDB's open databases and Erlang processes (null on the embedded store, which reports neither). */
async function storeHolding(s: TestServer): Promise<{ openDbs: number; processes: number } | null> {
  if (s.embedded) return null;
  const stats = (await s.couch.server.request({ path: '_node/_local/_stats/couchdb/open_databases' })) as { value: number };
  const system = (await s.couch.server.request({ path: '_node/_local/_system' })) as { process_count: number };
  return { openDbs: stats.value, processes: system.process_count };
}

/** CPU seconds per minute of this process (the server runs in it) and the store while `during` runs. */
async function cpuPerMinute(s: TestServer, seconds: number, during?: () => Promise<void>): Promise<{ server: number; store: number }> {
  const pids = storePids(s);
  const store0 = pids.reduce((a, p) => a + procCpu(p), 0);
  const self0 = process.cpuUsage();
  const stop = during ? during() : Promise.resolve();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const self = process.cpuUsage(self0);
  const store = pids.reduce((a, p) => a + procCpu(p), 0) - store0;
  await stop;
  const perMin = 60 / seconds;
  return { server: ((self.user + self.system) / 1e6) * perMin, store: store * perMin };
}

/** The schedule the workers had before they followed changes: every tenant, on timers. */
function timerDrivenBaseline(s: TestServer, untilMs: number): () => Promise<void> {
  const rates = new PointsRateCache();
  const loop = async (everyMs: number, work: (t: string) => Promise<unknown>) => {
    while (Date.now() < untilMs) {
      const started = Date.now();
      for (const t of await allTenantIds(s.couch)) {
        if (Date.now() >= untilMs) return;
        await work(t).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(everyMs, untilMs - started) - (Date.now() - started))));
    }
  };
  return () =>
    Promise.all([
      loop(10_000, (t) => auditTenantApprovals(s.couch, t, s.ctx.staff)),
      loop(10_000, (t) => deriveTenantLedger(s.couch, t, rates)),
      loop(30_000, (t) => resolveTenantConflicts(s.couch, t, SYNC_RULES)),
      loop(30_000, async (t) => {
        await s.ctx.snapshots.get(t);
        await warmLocationViews(s.couch, t);
      })
    ]).then(() => undefined);
}

const bench: Benchmark = {
  name: 'idle-tenants',
  async run() {
    const s = await startTestServer({ SALE_LEDGER_INTERVAL_S: '1', APPROVALS_AUDIT_INTERVAL_S: '1', CONFLICT_WORKER_INTERVAL_S: '1' });
    try {
      // the store and server idle with no tenant at all: what a tenant adds is measured above this floor
      await Promise.all(Object.values(s.workers).map((w) => w.idle()));
      await new Promise((r) => setTimeout(r, 5_000));
      const floor = await cpuPerMinute(s, IDLE_S);
      const floorHolding = await storeHolding(s);
      const started = Date.now();
      const tenants: string[] = [];
      // a few at a time: provisioning is ~25 sequential requests per tenant, mostly waiting on the store
      let next = 0;
      const provisioner = async () => {
        for (let i = next++; i < TENANTS; i = next++) {
          const t = await createTenant({ couch: s.couch }, { name: `Idle ${i}`, adminEmail: `o${i}@idle.bench`, adminPassword: 'correct-horse-battery', locations: [{ code: 'GM' }] });
          tenants.push(t.tenantId);
          if (tenants.length % 50 === 0) console.error(`  ${tenants.length} tenants provisioned (${Math.round((Date.now() - started) / 1000)} s)`);
        }
      };
      await Promise.all(Array.from({ length: PROVISIONERS }, provisioner));
      console.error(`  ${TENANTS} tenants provisioned in ${Math.round((Date.now() - started) / 1000)} s (${PROVISIONERS} at a time)`);
      // provisioning wrote to every tenant: let the workers finish with that first
      for (let said = Date.now(); ; ) {
        await Promise.all(Object.values(s.workers).map((w) => w.idle()));
        await new Promise((r) => setTimeout(r, 2_000));
        const busy = Object.entries(s.workers)
          .filter(([, w]) => !w.quiet())
          .map(([name, w]) => `${name} (lag ${Math.round(w.lagSeconds())} s)`);
        // and the store's own catch-up after so many new databases (view builds, compactions)
        const tasks = s.embedded ? [] : ((await s.couch.server.request({ path: '_active_tasks' })) as { type: string }[]);
        if (tasks.length) busy.push(`CouchDB: ${tasks.length} active tasks (${[...new Set(tasks.map((t) => t.type))].join(', ')})`);
        if (!busy.length) break;
        if (Date.now() - said > 60_000) {
          said = Date.now();
          console.error(`  still settling: ${busy.join(', ')}`);
        }
      }
      await new Promise((r) => setTimeout(r, 5_000));
      console.error(`  workers settled ${Math.round((Date.now() - started) / 1000)} s after provisioning began; measuring the first ${IDLE_S} s after`);
      const tail = await cpuPerMinute(s, IDLE_S);
      // then idle: once CouchDB holds no more open databases and processes than with no tenant at all
      if (floorHolding) {
        const waitFrom = Date.now();
        for (;;) {
          const h = (await storeHolding(s))!;
          if (h.openDbs <= floorHolding.openDbs + 10 && h.processes <= floorHolding.processes + 200) break;
          if (Date.now() - waitFrom > 600_000) {
            console.error(`  CouchDB still holds ${h.openDbs} open databases and ${h.processes} processes after 10 min (no tenants: ${floorHolding.openDbs} / ${floorHolding.processes}); measuring anyway`);
            break;
          }
          await new Promise((r) => setTimeout(r, 5_000));
        }
        console.error(`  CouchDB closed what provisioning used ${Math.round((Date.now() - waitFrom) / 1000)} s after that`);
      }
      console.error(`  measuring ${IDLE_S} s idle, twice`);
      const ours = await cpuPerMinute(s, IDLE_S);
      // the same server with the timer-driven schedule running beside its (idle) change-driven workers
      const base = await cpuPerMinute(s, IDLE_S, timerDrivenBaseline(s, Date.now() + IDLE_S * 1000));
      const total = (x: { server: number; store: number }) => x.server + x.store;
      console.error(
        `  idle ${IDLE_S} s: no tenants server ${floor.server.toFixed(2)} + store ${floor.store.toFixed(2)}; ${TENANTS} tenants: right after the work server ${tail.server.toFixed(2)} + store ${tail.store.toFixed(2)}; ours server ${ours.server.toFixed(2)} + store ${ours.store.toFixed(2)}; timers server ${base.server.toFixed(2)} + store ${base.store.toFixed(2)} CPU-s/min`
      );
      // the store closing what the provisioning used (see above): a cost of that work, not of idleness
      report({ name: 'idle-tenants', metric: 'cpu_s_per_min_first_minute_after_work', value: total(tail) });
      report({ name: 'idle-tenants', metric: 'cpu_s_per_min', value: total(ours), baseline: `timer-driven workers (10 s / 30 s), ${TENANTS} tenants`, baseline_value: total(base) });
      // what the tenants add to an idle server and store (the store's own housekeeping is the floor)
      report({ name: 'idle-tenants', metric: 'cpu_s_per_min_per_100_tenants', value: (Math.max(0, total(ours) - total(floor)) * 100) / TENANTS, baseline: 'no tenants', baseline_value: total(floor) });

      console.error(`  change → worker output: ${SAMPLES} sales at random tenants`);
      // change → worker output: a sale with a customer, to its loyalty entry, at random tenants
      const lat: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t = tenants[Math.floor(Math.random() * tenants.length)]!;
        const sale = makeSale('GM', 'GM-1', { customerId: 'customer:bench' });
        const t0 = Date.now();
        await s.couch.use(locationDb(t, 'GM')).insert(sale);
        for (;;) {
          const got = await s.couch.use(customersDb(t)).get(`ledger:${sale._id}:points`).then(() => true, () => false);
          if (got) break;
          if (Date.now() - t0 > 60_000) throw new Error('no ledger entry within 60 s');
          await new Promise((r) => setTimeout(r, 20));
        }
        lat.push(Date.now() - t0);
      }
      lat.sort((a, b) => a - b);
      report({ name: 'change-to-worker-output', metric: 'p50_ms', value: percentile(lat, 50) });
      report({ name: 'change-to-worker-output', metric: 'p95_ms', value: percentile(lat, 95) });
    } finally {
      await s.stop();
    }
  }
};
export default bench;
