/**
 * Fresh-replica load of 10,000 catalog documents through the gateway, in node (LevelDB): our
 * bootstrap (changes feed with documents, 5,000 a page, written with new_edits:false) against stock
 * `PouchDB.replicate` at batch_size 1000, same data, same run; plus PouchDB's local bulkDocs floor.
 * The Chromium (IndexedDB) version with 100k documents is still to come (see docs/SYNC.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-node';
import { catalogDb } from '#domain/db-names.ts';
import { bootstrapReplica } from '../web/src/lib/sync/bootstrap.ts';
import { openRemote } from '../web/src/lib/sync/transport.ts';
import { makeProduct } from '../tests/support/fixtures.ts';
import { enrol, login, startTestServer } from '../tests/integration/support/server.ts';
import { createTenant } from '../server/tenants/provision.ts';
import { report, type Benchmark } from './lib.ts';

const DOCS = 10_000;

function freshDb(): { db: PouchDB.Database; dispose: () => Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-bench-boot-'));
  const db = new PouchDB(path.join(dir, 'db'));
  return { db, dispose: async () => { await db.destroy(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const bench: Benchmark = {
  name: 'bootstrap-10k-node',
  async run() {
    const s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0' });
    try {
      const t = (await createTenant({ couch: s.couch }, { name: 'Boot Bench', adminEmail: 'o@bootbench.test', adminPassword: 'bench-password-1', locations: [{ code: 'GM' }] })).tenantId;
      const all: object[] = [];
      for (let i = 0; i < DOCS; i += 1000) {
        const docs = Array.from({ length: 1000 }, () => makeProduct());
        await s.couch.use(catalogDb(t)).bulk({ docs });
      }
      const owner = await login(s, 'o@bootbench.test', 'bench-password-1');
      const { deviceToken } = await enrol(s, owner, 'register', 'GM');
      const remote = openRemote(PouchDB, s.url, catalogDb(t), { token: () => deviceToken });
      for (const r of (await remote.allDocs({ include_docs: true })).rows) all.push(r.doc!);

      const runs = { ours: [] as number[], stock: [] as number[], floor: [] as number[] };
      for (let round = 0; round < 2; round++) {
        const a = freshDb();
        runs.stock.push(await timed(() => a.db.replicate.from(remote, { batch_size: 1000 })));
        await a.dispose();
        const b = freshDb();
        runs.ours.push(await timed(() => bootstrapReplica(b.db, remote)));
        if ((await b.db.info()).doc_count < DOCS) throw new Error('bootstrap incomplete');
        await b.dispose();
        const c = freshDb();
        runs.floor.push(await timed(async () => { for (let i = 0; i < all.length; i += 1000) await c.db.bulkDocs(all.slice(i, i + 1000) as PouchDB.Core.PutDocument<object>[], { new_edits: false }); }));
        await c.dispose();
      }
      const best = (xs: number[]) => Math.min(...xs);
      report({ name: 'bootstrap-10k-node', metric: 'seconds', value: best(runs.ours), baseline: 'pouchdb-replicate-bs1000', baseline_value: best(runs.stock) });
      report({ name: 'bootstrap-10k-node-local-bulkdocs-floor', metric: 'seconds', value: best(runs.floor) });
    } finally {
      await s.stop();
    }
  }
};
export default bench;
