/**
 * Register sync figures with real PouchDB clients (node, LevelDB) through the gateway:
 * - offline-backlog: 1,000 sales made offline, pushed when the link returns (goal ≤ 10 s);
 *   baseline: the same 1,000 sales pushed by a one-shot stock `replicate.to` (batch_size 100, PouchDB's default).
 * - propagation: a sale at register A visible in register B's stock view, p50/p95 over 100 sales
 *   (goal p95 ≤ 2,000 ms), both registers running the live sync service.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-node';
import { locationDb } from '#domain/db-names.ts';
import { SyncService } from '../web/src/lib/sync/orchestrator.ts';
import { makeSale } from '../tests/support/fixtures.ts';
import { enrol, login, startTestServer } from '../tests/integration/support/server.ts';
import { FlakyNetwork } from '../tests/integration/support/network.ts';
import { remoteDb } from '../tests/integration/support/pouch.ts';
import { createTenant } from '../server/tenants/provision.ts';
import { percentile, report, type Benchmark } from './lib.ts';

const bench: Benchmark = {
  name: 'sync-node',
  async run() {
    const s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0' });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-bench-sync-'));
    try {
      const t = (await createTenant({ couch: s.couch }, { name: 'Sync Bench', adminEmail: 'o@syncbench.test', adminPassword: 'bench-password-1', locations: [{ code: 'GM' }] })).tenantId;
      const owner = await login(s, 'o@syncbench.test', 'bench-password-1');
      const db = locationDb(t, 'GM');
      const device = (name: string) => enrol(s, owner, 'register', 'GM', name);
      const service = async (name: string, network?: FlakyNetwork) => {
        const { deviceToken: token, device: { id } } = await device(name);
        const sync = new SyncService({
          PouchDB,
          baseUrl: s.url,
          targets: [{ name: db, kind: 'location', direction: 'both' }],
          auth: { token: () => token },
          localName: (n) => path.join(tmp, `${name}-${n}`),
          backoff: [100, 200],
          ...(network ? { fetch: network.fetch } : {})
        });
        return Object.assign(sync, { deviceId: id }); // the gateway takes only sales named after the pushing register
      };

      // offline backlog
      const net = new FlakyNetwork();
      const reg = await service('backlog', net);
      reg.start();
      await reg.whenIdle(30_000);
      net.down = true;
      reg.markOffline();
      const sales = Array.from({ length: 1000 }, () => makeSale('GM', reg.deviceId));
      for (const sale of sales) await reg.local(db).put(sale);
      const t0 = performance.now();
      net.down = false;
      reg.nudge();
      await reg.whenIdle(120_000);
      const ours = (performance.now() - t0) / 1000;
      reg.stop();
      // baseline: stock one-shot push of an equal backlog from a fresh replica
      const stockLocal = new PouchDB(path.join(tmp, 'stock'));
      const stockDevice = await device('stock');
      await stockLocal.bulkDocs(Array.from({ length: 1000 }, () => makeSale('GM', stockDevice.device.id)));
      const remote = remoteDb(s.url, db, stockDevice.deviceToken);
      const t1 = performance.now();
      await stockLocal.replicate.to(remote);
      const stock = (performance.now() - t1) / 1000;
      report({ name: 'offline-backlog', metric: 'seconds', value: ours, baseline: 'pouchdb-replicate-to-default', baseline_value: stock });

      // propagation A → B
      const a = await service('A');
      const b = await service('B');
      a.start();
      b.start();
      await Promise.all([a.whenIdle(60_000), b.whenIdle(60_000)]);
      const bLocal = b.local(db);
      const latencies: number[] = [];
      for (let i = 0; i < 100; i++) {
        const sale = makeSale('GM', a.deviceId);
        const seen = new Promise<void>((resolve) => {
          const feed = bLocal.changes({ since: 'now', live: true, doc_ids: [sale._id] }).on('change', () => {
            feed.cancel();
            resolve();
          });
        });
        const start = performance.now();
        await a.local(db).put(sale);
        await seen;
        await bLocal.query('stock/on_hand', { key: ['GM', 'p1-v01'] }); // B's stock view includes it
        latencies.push(performance.now() - start);
      }
      a.stop();
      b.stop();
      latencies.sort((x, y) => x - y);
      report({ name: 'propagation', metric: 'p50_ms', value: percentile(latencies, 50) });
      report({ name: 'propagation', metric: 'p95_ms', value: percentile(latencies, 95) });
    } finally {
      await s.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
};
export default bench;
