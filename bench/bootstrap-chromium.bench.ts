/**
 * Fresh register in Chromium: enrol through the real /pos page and time until the catalog replica
 * is complete ("Up to date" with every document) and until the compact scan index covers the
 * catalog; baseline in the same browser and run: stock `PouchDB.replicate` (batch_size 1000) into
 * IndexedDB, and PouchDB's local `bulkDocs(new_edits:false)` floor for the same documents.
 * Sizes: 10,000 and 100,000 catalog documents (BENCH_SIZES=10000 to run one).
 */
import { chromium, type Browser } from '@playwright/test';
import { catalogDb } from '#domain/db-names.ts';
import { makeProduct } from '../tests/support/fixtures.ts';
import { login, startTestServer, type TestServer } from '../tests/integration/support/server.ts';
import { createTenant } from '../server/tenants/provision.ts';
import { report, type Benchmark } from './lib.ts';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const POUCHDB_DIST = new URL('../node_modules/pouchdb/dist/pouchdb.min.js', import.meta.url).pathname;
const INDEXEDDB_ADAPTER_DIST = new URL('../node_modules/pouchdb/dist/pouchdb.indexeddb.min.js', import.meta.url).pathname;
const label = (n: number) => `${n / 1000}k`;
/** tsx (esbuild keepNames) wraps functions in `__name(...)`; functions sent to the page need it defined there. */
const KEEP_NAMES_SHIM = { content: 'globalThis.__name = (f) => f;' };

async function enrolmentLink(s: TestServer, ownerEmail: string): Promise<string> {
  const token = await login(s, ownerEmail, 'bench-password-1');
  const res = await s.call('POST', '/api/v1/devices/enrolment-codes', { token, body: { kind: 'register', locationCode: 'GM', name: 'Bench register' } });
  return ((await res.json()) as { qrPayload: string }).qrPayload;
}

async function ours(browser: Browser, s: TestServer, link: string, n: number, products: number): Promise<{ replica: number; scanReady: number; coldStart: number; token: string }> {
  const context = await browser.newContext();
  await context.addInitScript(KEEP_NAMES_SHIM);
  const page = await context.newPage();
  await page.goto(s.url + link);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Enrol' }).click();
  let scanReady = 0;
  const scan = page
    .waitForFunction((min) => Number(/Ready to sell: (\d+)/.exec(document.body.innerText)?.[1] ?? 0) >= min, products, { timeout: 600_000, polling: 50 })
    .then(() => (scanReady = (Date.now() - t0) / 1000));
  const progress = setInterval(() => {
    void page.locator('table').first().innerText().then((t) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${t.replace(/\s+/g, ' ')}`), () => undefined);
  }, 10_000);
  await page.waitForFunction(
    (min) => {
      const row = Array.from(document.querySelectorAll('tr')).find((r) => r.textContent?.startsWith('catalog'));
      const cells = row?.querySelectorAll('td');
      return !!cells && cells[1]!.textContent!.includes('Up to date') && Number(cells[2]!.textContent) >= min;
    },
    n,
    { timeout: 600_000, polling: 50 }
  );
  const replica = (Date.now() - t0) / 1000;
  await scan;
  clearInterval(progress);
  const token = await page.evaluate(() => (JSON.parse(localStorage.getItem('pos.device')!) as { deviceToken: string }).deviceToken);
  // cold start: reload with everything local → the scan index covers the catalog again
  const t1 = Date.now();
  await page.reload();
  await page.waitForFunction((min) => Number(/Ready to sell: (\d+)/.exec(document.body.innerText)?.[1] ?? 0) >= min, products, { timeout: 120_000, polling: 20 });
  const coldStart = (Date.now() - t1) / 1000;
  await context.close();
  return { replica, scanReady, coldStart, token };
}

async function baseline(browser: Browser, s: TestServer, db: string, token: string): Promise<{ stock: number; floor: number }> {
  const context = await browser.newContext({ bypassCSP: true });
  await context.addInitScript(KEEP_NAMES_SHIM);
  const page = await context.newPage();
  await page.goto(s.url + '/');
  await page.addScriptTag({ path: POUCHDB_DIST });
  await page.addScriptTag({ path: INDEXEDDB_ADAPTER_DIST });
  const result = await page.evaluate(
    async ({ db, token }) => {
      type P = { replicate: { from(r: unknown, o: object): Promise<unknown> }; allDocs(o: object): Promise<{ rows: { doc: object }[] }>; bulkDocs(d: object[], o: object): Promise<unknown> };
      const PouchDB = (window as unknown as { PouchDB: { new (n: string, o?: object): P; fetch: typeof fetch } }).PouchDB;
      const remote = new PouchDB(`${location.origin}/db/${db}`, {
        skip_setup: true,
        fetch: (u: string, o: RequestInit) => {
          const headers = new Headers(o.headers);
          headers.set('Authorization', `Bearer ${token}`);
          return PouchDB.fetch(u, { ...o, headers });
        }
      });
      let t0 = performance.now();
      // same local adapter as the app, so the comparison is the method, not the storage engine
      await new PouchDB('bench-stock', { adapter: 'indexeddb' }).replicate.from(remote, { batch_size: 1000 });
      const stock = (performance.now() - t0) / 1000;
      const docs = (await remote.allDocs({ include_docs: true })).rows.map((r) => r.doc);
      const floorDb = new PouchDB('bench-floor', { adapter: 'indexeddb' });
      t0 = performance.now();
      for (let i = 0; i < docs.length; i += 1000) await floorDb.bulkDocs(docs.slice(i, i + 1000), { new_edits: false });
      return { stock, floor: (performance.now() - t0) / 1000 };
    },
    { db, token }
  );
  await context.close();
  return result;
}

const bench: Benchmark = {
  name: 'bootstrap-chromium',
  async run() {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage']
    });
    const s = await startTestServer({ SKIP_WEB: '0', CONFLICT_WORKER_INTERVAL_S: '0' });
    try {
      for (const n of SIZES) {
        const email = `o-${n}@bench.test`;
        const t = (await createTenant({ couch: s.couch }, { name: `Bench ${n}`, adminEmail: email, adminPassword: 'bench-password-1', locations: [{ code: 'GM' }] })).tenantId;
        const db = s.couch.use(catalogDb(t));
        for (let i = 0; i < n; i += 1000) await db.bulk({ docs: Array.from({ length: 1000 }, () => makeProduct()) });
        const total = (await db.info()).doc_count;
        // The server keeps catalog snapshots built (at start and every 30 s); do now what it would have done.
        await s.ctx.snapshots.get(t);
        const o = await ours(browser, s, await enrolmentLink(s, email), total, n);
        const b = await baseline(browser, s, catalogDb(t), o.token);
        report({ name: `bootstrap-${label(n)}`, metric: 'seconds', value: o.replica, baseline: 'pouchdb-replicate-bs1000', baseline_value: b.stock });
        report({ name: `bootstrap-${label(n)}-pouchdb-bulkdocs-floor`, metric: 'seconds', value: b.floor });
        report({ name: `scan-ready-${label(n)}`, metric: 'seconds', value: o.scanReady });
        report({ name: `cold-start-${label(n)}`, metric: 'seconds', value: o.coldStart });
      }
    } finally {
      await s.stop();
      await browser.close();
    }
  }
};
export default bench;
