import type { RequestHandler } from 'express';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PLATFORM_DB, parseDbName } from '#domain/db-names.ts';
import { createApp } from './app.ts';
import { TokenService } from './auth/tokens.ts';
import type { Config } from './config.ts';
import { connectCouch, detectWriteCopies, waitForCouch, type Couch } from './couch/client.ts';
import { EmbeddedCouch, type CouchCredentials } from './couch/embedded.ts';
import type { Ctx } from './context.ts';
import { existingDemo, seedDemo, type DemoSummary } from './demo/seed-demo.ts';
import type { Logger } from './log.ts';
import { DeviceRegistry } from './platform/devices.ts';
import { SessionRegistry } from './auth/sessions.ts';
import { ApiKeyRegistry } from './auth/api-keys.ts';
import { StaffDirectory } from './gateway/staff-directory.ts';
import { CatalogSnapshots } from './sync/catalog-snapshot.ts';
import { loadJwtSecret } from './secrets.ts';
import { ShopifyIntegration } from './integrations/shopify/service.ts';
import { startStockPushWorker } from './integrations/shopify/stock-push.ts';
import { secretBoxOf } from './integrations/store.ts';
import { preparePlatform } from './tenants/provision.ts';
import { startConflictWorker } from './workers/conflicts.ts';
import { DbUpdates } from './workers/db-updates.ts';
import { Leases } from './workers/lease.ts';
import { TenantWorker } from './workers/tenant-worker.ts';
import { startApprovalsAuditWorker } from './workers/approvals-audit.ts';
import { startSaleLedgerWorker } from './workers/sale-ledger.ts';
import { DesignDocUpgrades, type UpgradeJob } from './couch/ddoc-upgrade.ts';
import { SYNC_RULES } from '../sync-rules/rules.ts';
import { warmLocationViews } from './couch/warm-views.ts';
import { Notify, SETTLE_MS } from './notify/service.ts';
import { catchUp } from './notify/triggers.ts';
import { runShutdown, type ShutdownReport } from './shutdown.ts';
import { Metrics } from './metrics/registry.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB_HANDLER = path.join(ROOT, 'build', 'handler.js');

export interface RunningServer {
  url: string;
  ctx: Ctx;
  couch: Couch;
  embedded: EmbeddedCouch | null;
  demo: DemoSummary | null;
  /** the background workers by metric name, and this copy's lease holder id */
  workers: Record<string, TenantWorker>;
  leaseHolder: string;
  close(): Promise<ShutdownReport>;
}

/** Builds the SvelteKit app when no build exists, so a fresh clone's `npm start` just works. */
function ensureWebBuild(log: Logger): void {
  if (fs.existsSync(WEB_HANDLER)) return;
  log.info('no web build found; running vite build (first start only)');
  const r = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed; see the output above');
}

async function loadWebHandler(): Promise<RequestHandler> {
  const mod = (await import(pathToFileURL(WEB_HANDLER).href)) as { handler: RequestHandler };
  return mod.handler;
}

async function anyTenantExists(couch: Couch): Promise<boolean> {
  const res = await couch.use(PLATFORM_DB).list({ startkey: 'tenant:', endkey: 'tenant:\ufff0', limit: 1 });
  return res.rows.length > 0;
}

export interface StartOptions {
  /** held just before each staged design doc is swapped in (tests watch an upgrade in progress) */
  beforeDesignDocSwap?: (job: UpgradeJob) => Promise<void>;
}

export async function startServer(config: Config, log: Logger, opts: StartOptions = {}): Promise<RunningServer> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  let embedded: EmbeddedCouch | null = null;
  let creds: CouchCredentials;
  if (config.COUCH_URL) {
    creds = { url: config.COUCH_URL, user: config.COUCH_USER!, password: config.COUCH_PASSWORD! };
  } else {
    embedded = new EmbeddedCouch(config.dataDir, config.EMBEDDED_COUCH_PORT, log);
    creds = await embedded.start();
  }
  const couch = connectCouch(creds, { prefix: config.COUCH_DB_PREFIX, ...(config.COUCH_URL ? { tenantQ: config.COUCH_TENANT_Q } : {}) });
  await waitForCouch(couch);
  if (config.COUCH_URL) await detectWriteCopies(couch, config.COUCH_WRITE_COPIES);
  await preparePlatform(couch);
  // Databases provisioned by an older release get changed views built under `_design/{name}-next`
  // and swapped in, in the background once the server listens; the old views serve meanwhile.
  const designDocs = new DesignDocUpgrades(couch, log, {
    concurrency: config.DESIGN_DOC_BUILDS,
    allowDowngrade: config.DESIGN_DOC_DOWNGRADE,
    ...(opts.beforeDesignDocSwap ? { beforeSwap: opts.beforeDesignDocSwap } : {})
  });

  const jwtSecret = loadJwtSecret(config.dataDir, config.JWT_SECRET);
  let listeningAt = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const ctx: Ctx = {
    config,
    couch,
    tokens: new TokenService(jwtSecret, config.ACCESS_TOKEN_TTL_S),
    devices: new DeviceRegistry(couch),
    sessions: new SessionRegistry(couch),
    apiKeys: new ApiKeyRegistry(couch),
    snapshots: new CatalogSnapshots(couch),
    staff: new StaffDirectory(couch),
    notify: new Notify(couch, log, config, jwtSecret, () => listeningAt),
    metrics: new Metrics({ couch, log, embedded }),
    designDocs,
    shopify: new ShopifyIntegration(couch, log, config, secretBoxOf(config)),
    log
  };

  let demo: DemoSummary | null = null;
  if (config.SEED_DEMO) demo = (await anyTenantExists(couch)) ? await existingDemo(ctx) : await seedDemo(ctx);

  let webHandler: RequestHandler | undefined;
  if (!config.SKIP_WEB) {
    ensureWebBuild(log);
    webHandler = await loadWebHandler();
  }
  // The embedded store keeps its port across restarts, so the upstream is stable; read it per request anyway.
  const app = createApp(ctx, { webHandler, upstream: () => ({ url: couch.creds.url, authHeader: couch.authHeader, timeoutMs: config.UPSTREAM_TIMEOUT_S * 1000, dbPrefix: couch.prefix, ...(couch.writeCopies ? { writeCopies: couch.writeCopies } : {}) }) });
  const server = app.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Long-lived `_changes` feeds: no request timeout; heartbeats keep proxies from cutting them.
  server.requestTimeout = 0;
  void designDocs.run();
  // Background work follows the store's database updates (workers/db-updates.ts): an idle tenant
  // costs nothing, and one server copy at a time works a tenant (leases).
  const updates = new DbUpdates(couch, log, { onCouchDb: !!config.COUCH_URL });
  const wiring = { updates, leases: new Leases(couch), ...(config.COUCH_URL ? { settleMs: SETTLE_MS } : {}) };
  const workers: TenantWorker[] = [];
  const named: Record<string, TenantWorker> = {};
  const track = (name: string, w: TenantWorker) => {
    workers.push(w);
    named[name] = w;
    ctx.metrics.workers.register(name, () => w.lagSeconds());
  };
  if (config.CONFLICT_WORKER_INTERVAL_S > 0) track('conflicts', startConflictWorker(couch, SYNC_RULES, log, wiring));
  if (config.APPROVALS_AUDIT_INTERVAL_S > 0) track('approvals_audit', startApprovalsAuditWorker(couch, ctx.staff, log, wiring));
  if (config.SALE_LEDGER_INTERVAL_S > 0) track('sale_ledger', startSaleLedgerWorker(couch, log, wiring));
  // in-store stock movements of the mapped stores go to Shopify as deltas (integrations/shopify/stock-push.ts)
  if (config.SHOPIFY_WORKERS) {
    ctx.shopify.pushWorker = startStockPushWorker(ctx.shopify, log, wiring, config.SHOPIFY_PUSH_RETRY_S * 1000);
    track('shopify_push', ctx.shopify.pushWorker);
  }
  // Keep the registers' catalog snapshots built (so a fresh register never waits for a full build after
  // a large import) and the location views indexed for the admin pages: after changes, at most every
  // 5 s per tenant. Each copy keeps its own snapshot cache, so no lease.
  const warm = new TenantWorker(couch, log, {
    name: 'warm-up',
    kinds: ['catalog', 'location'],
    minGapMs: 5_000,
    perTenant: async (t) => {
      await ctx.snapshots.get(t);
      await warmLocationViews(couch, t);
    }
  }).attach(updates);
  track('warm_up', warm);
  // Email and SMS: the platform outbox is followed by the notify worker's own feed; location
  // databases are read on each update (and once at start, the sweep).
  updates.subscribe((db) => {
    if (parseDbName(db)?.kind === 'location') ctx.notify.changed(db);
  });
  updates.onSweep(() => void catchUp(couch, log, (db) => ctx.notify.changed(db)));
  ctx.notify.worker.start();
  // Shopify webhooks recorded while no copy was running (or left mid-way) are due now
  ctx.shopify.queue.kick();
  updates.start();
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  if (!config.PUBLIC_URL) listeningAt = `http://${host}:${port}`;

  return {
    url: `http://${host}:${port}`,
    ctx,
    couch,
    embedded,
    demo,
    workers: named,
    leaseHolder: wiring.leases.holder,
    async close() {
      designDocs.stop();
      const report = await runShutdown([
        {
          name: 'workers',
          deadlineMs: 15_000,
          run: async () => {
            await updates.stop();
            await Promise.all(workers.map((w) => w.stop()));
          }
        },
        { name: 'notify worker', deadlineMs: 15_000, run: () => ctx.notify.worker.stop() },
        { name: 'shopify webhook queue', deadlineMs: 15_000, run: () => ctx.shopify.queue.stop() },
        {
          name: 'http server',
          deadlineMs: 5_000,
          run: () => {
            // long-polls and keep-alive sockets are cut; close() resolves when the last one is gone
            const closed = new Promise<void>((resolve) => server.close(() => resolve()));
            server.closeAllConnections();
            return closed;
          }
        },
        { name: 'embedded store', deadlineMs: 10_000, run: () => embedded?.stop() }
      ]);
      server.closeAllConnections(); // anything accepted while the steps ran
      const slow = report.steps.filter((s) => s.outcome !== 'done' || s.ms > 2_000);
      if (slow.length) log.warn({ ms: report.ms, steps: report.steps }, 'shutdown was slow or incomplete');
      else log.info({ ms: report.ms }, 'shut down');
      return report;
    }
  };
}
