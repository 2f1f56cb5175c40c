/**
 * What the gateway costs a replicating device: pull 10,000 catalog documents with PouchDB through
 * `/db` (auth, access check, streaming proxy) versus straight from the embedded store (baseline),
 * same data, same run. Also p50/p95 of single document reads both ways.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-node';
import { catalogDb } from '#domain/db-names.ts';
import { makeProduct } from '../tests/support/fixtures.ts';
import { enrol, login, startTestServer } from '../tests/integration/support/server.ts';
import { createTenant } from '../server/tenants/provision.ts';
import { percentile, report, STORE_DIRECT, type Benchmark } from './lib.ts';

const DOCS = 10_000;
const BATCH = 500;

function remote(url: string, auth: string) {
  return new PouchDB(url, {
    skip_setup: true,
    fetch: (u: string | Request, opts?: RequestInit) => {
      const headers = new Headers(opts?.headers);
      headers.set('Authorization', auth);
      return PouchDB.fetch(u, { ...opts, headers });
    }
  } as PouchDB.Configuration.RemoteDatabaseConfiguration);
}

async function timedPull(src: PouchDB.Database): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-bench-'));
  const local = new PouchDB(path.join(dir, 'db'));
  const t0 = performance.now();
  const r = await local.replicate.from(src, { batch_size: BATCH });
  const s = (performance.now() - t0) / 1000;
  if (r.docs_written < DOCS) throw new Error(`pulled only ${r.docs_written}`);
  await local.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  return s;
}

async function readLatencies(src: PouchDB.Database, ids: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    await src.get(id);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

const bench: Benchmark = {
  name: 'gateway-overhead',
  async run() {
    const s = await startTestServer();
    try {
      const t = (await createTenant({ couch: s.couch }, { name: 'Bench Co', adminEmail: 'o@bench.test', adminPassword: 'bench-password-1', locations: [{ code: 'GM' }] })).tenantId;
      const db = s.couch.use(catalogDb(t));
      const ids: string[] = [];
      for (let i = 0; i < DOCS; i += 1000) {
        const docs = Array.from({ length: 1000 }, () => makeProduct());
        ids.push(...docs.slice(0, 20).map((d) => d._id));
        await db.bulk({ docs });
      }
      const owner = await login(s, 'o@bench.test', 'bench-password-1');
      const device = await enrol(s, owner, 'register', 'GM');
      const viaGateway = remote(`${s.url}/db/${catalogDb(t)}`, `Bearer ${device.deviceToken}`);
      const direct = remote(`${s.couch.creds.url}/${s.couch.physical(catalogDb(t))}`, s.couch.authHeader);

      await timedPull(direct); // warm both paths (LevelDB caches, JIT) before measuring
      const directS = Math.min(await timedPull(direct), await timedPull(direct));
      const gatewayS = Math.min(await timedPull(viaGateway), await timedPull(viaGateway));
      report({ name: 'gateway-overhead', metric: 'seconds', value: gatewayS, baseline: STORE_DIRECT, baseline_value: directS });
      report({ name: 'gateway-overhead', metric: 'docs_per_s', value: DOCS / gatewayS, baseline: STORE_DIRECT, baseline_value: DOCS / directS });
      report({ name: 'gateway-overhead', metric: 'overhead_ratio', value: gatewayS / directS });

      const sample = ids.slice(0, 200);
      const gw = await readLatencies(viaGateway, sample);
      const dr = await readLatencies(direct, sample);
      report({ name: 'gateway-doc-get', metric: 'p50_ms', value: percentile(gw, 50), baseline: STORE_DIRECT, baseline_value: percentile(dr, 50) });
      report({ name: 'gateway-doc-get', metric: 'p95_ms', value: percentile(gw, 95), baseline: STORE_DIRECT, baseline_value: percentile(dr, 95) });
    } finally {
      await s.stop();
    }
  }
};
export default bench;
