import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import PouchDB from 'pouchdb-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb, locationDb } from '#domain/db-names.ts';
import { SyncService } from '../../web/src/lib/sync/orchestrator.ts';
import { bootstrapReplica, readBootstrapState } from '../../web/src/lib/sync/bootstrap.ts';
import { openRemote } from '../../web/src/lib/sync/transport.ts';
import type { DbPhase } from '../../web/src/lib/sync/state.ts';
import type { CompactProduct } from '../../web/src/lib/catalog-index/compact.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';
import { makeProduct, makeSale } from '../support/fixtures.ts';

/** Fast bootstrap of a fresh replica, its hand-over to live replication, and fault suite 6 (interrupted at 50 %). */
const DOCS = 10_000;
let s: TestServer;
let t = '';
let token = '';
let deviceId = '';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-boot-'));

beforeAll(async () => {
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0' });
  t = (await createTenant({ couch: s.couch }, { name: 'Boot Co', adminEmail: 'o@boot.test', adminPassword: 'correct-horse-battery', locations: [{ code: 'GM' }] })).tenantId;
  const db = s.couch.use(catalogDb(t));
  for (let i = 0; i < DOCS; i += 1000) await db.bulk({ docs: Array.from({ length: 1000 }, (_, j) => makeProduct(`product:b${String(i + j).padStart(6, '0')}`)) });
  const owner = await login(s, 'o@boot.test', 'correct-horse-battery');
  const reg = await enrol(s, owner, 'register', 'GM');
  token = reg.deviceToken;
  deviceId = reg.device.id;
});

afterAll(async () => {
  await s?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function serverWinners(): Promise<Map<string, string>> {
  const rows = (await s.couch.use(catalogDb(t)).list()).rows;
  return new Map(rows.map((r) => [r.id, r.value.rev]));
}

async function localWinners(db: PouchDB.Database): Promise<Map<string, string>> {
  const rows = (await db.allDocs()).rows;
  return new Map(rows.map((r) => [r.id, r.value.rev]));
}

describe('fast bootstrap', () => {
  it('loads a fresh replica, shows progress, then hands over to live replication without refetching', async () => {
    const phases = new Set<DbPhase>();
    let maxPercent = 0;
    let movedByLivePull = 0;
    const sync = new SyncService({
      PouchDB,
      baseUrl: s.url,
      targets: [{ name: catalogDb(t), kind: 'catalog', direction: 'pull' }],
      auth: { token: () => token },
      localName: (n) => path.join(tmp, `fresh-${n}`),
      backoff: [50]
    });
    sync.subscribe((st) => {
      const d = st.databases[0]!;
      phases.add(d.phase);
      if (d.progress) maxPercent = Math.max(maxPercent, d.progress.percent);
      if (d.phase !== 'bootstrapping') movedByLivePull = Math.max(movedByLivePull, d.moved);
    });
    sync.start();
    await sync.whenIdle(60_000);
    const local = sync.local(catalogDb(t));
    expect(phases.has('bootstrapping')).toBe(true);
    expect(maxPercent).toBe(100);
    expect(await localWinners(local)).toEqual(await serverWinners());
    const state = await readBootstrapState(local);
    expect(state).toMatchObject({ complete: true, handedOver: true });
    expect(movedByLivePull).toBe(0); // live replication started where the bootstrap ended: nothing fetched twice

    // live replication carries on from the bootstrap's sequence: a server edit arrives, and only it
    const db = s.couch.use(catalogDb(t));
    const doc = (await db.get('product:b000042')) as ReturnType<typeof makeProduct> & { _rev: string };
    await db.insert({ ...doc, name: 'Renamed on the server' });
    await expect.poll(async () => ((await local.get('product:b000042')) as { name: string }).name, { timeout: 60_000 }).toBe('Renamed on the server');
    sync.stop();
  });

  it('fault 6: interrupted at 50 %, it resumes without refetching and ends consistent with a concurrent change', async () => {
    const local = new PouchDB(path.join(tmp, 'interrupted'));
    let fetchedDocs = 0;
    let cutAfter = 1; // let one page through, then the link drops
    const network = async (url: string | Request, opts?: RequestInit) => {
      const u = String(url);
      if (u.includes('_changes') && u.includes('include_docs')) {
        if (cutAfter-- <= 0) throw new TypeError('fetch failed: network is down');
        const res = await (PouchDB as unknown as { fetch: typeof fetch }).fetch(url, opts);
        // read it here to count (a clone of a large body can stall on backpressure), then hand on a copy
        const text = await res.text();
        fetchedDocs += (JSON.parse(text) as { results: unknown[] }).results.length;
        return new Response(text, { status: res.status, headers: { 'content-type': 'application/json' } });
      }
      return (PouchDB as unknown as { fetch: typeof fetch }).fetch(url, opts);
    };
    const remote = openRemote(PouchDB, s.url, catalogDb(t), { token: () => token }, network);
    await expect(bootstrapReplica(local, remote, { batchSize: DOCS / 2 })).rejects.toThrow(/network is down/);
    const half = await readBootstrapState(local);
    expect(half).toMatchObject({ complete: false, written: DOCS / 2 });
    expect(fetchedDocs).toBe(DOCS / 2);

    // meanwhile the server changes: one document already loaded, one not yet, and a new one
    const db = s.couch.use(catalogDb(t));
    const early = (await db.get('product:b000001')) as ReturnType<typeof makeProduct> & { _rev: string };
    const late = (await db.get('product:b009999')) as ReturnType<typeof makeProduct> & { _rev: string };
    await db.bulk({ docs: [{ ...early, name: 'Changed early' }, { ...late, name: 'Changed late' }, makeProduct('product:new-during-bootstrap')] });

    cutAfter = Infinity;
    fetchedDocs = 0;
    const done = await bootstrapReplica(local, remote, { batchSize: DOCS / 2 });
    expect(done.complete).toBe(true);
    // only the second half and the changes, never the first half again
    expect(fetchedDocs).toBeLessThanOrEqual(DOCS / 2 + 3 + 20);
    expect(await localWinners(local)).toEqual(await serverWinners());
    expect(await local.get('product:b000001')).toMatchObject({ name: 'Changed early' });
  });
});

describe('compact catalog index fed by sync', () => {
  it('is filled by the bootstrap, kept current by live pulls, and rebuilt from the replica when lost', async () => {
    const { IDBFactory, IDBKeyRange } = await import('fake-indexeddb');
    const { CatalogIndex } = await import('../../web/src/lib/catalog-index/catalog-index.ts');
    const { CatalogIndexStore } = await import('../../web/src/lib/catalog-index/store.ts');
    const idb = new IDBFactory();
    const name = catalogDb(t);
    const index = new CatalogIndex(new CatalogIndexStore(name, idb, IDBKeyRange));
    await index.open();
    const sync = new SyncService({
      PouchDB,
      baseUrl: s.url,
      targets: [{ name, kind: 'catalog', direction: 'pull' }],
      auth: { token: () => token },
      localName: (n) => path.join(tmp, `indexed-${n}`),
      backoff: [50],
      hooks: {
        onBootstrapPage: (_db, page, docs) => index.onBootstrapPage(page, docs),
        onReplicaReady: (_db, local) => index.ensureComplete(local),
        onPulled: (_db, docs) => index.onPulled(docs)
      }
    });
    sync.start();
    await sync.whenIdle(60_000);
    const products = (await s.couch.use(name).list({ startkey: 'product:', endkey: 'product:\ufff0' })).rows.length;
    expect(index.lookup.size).toBe(products); // one variant each in these fixtures
    const any = (await s.couch.use(name).get('product:b000100')) as ReturnType<typeof makeProduct> & { _rev: string };
    expect(index.lookup.find(any.variants[0]!.sku)).toMatchObject({ productId: 'product:b000100' });

    // a live change reaches the scan index
    await s.couch.use(name).insert({ ...any, variants: any.variants.map((v) => ({ ...v, price: 4321 })) });
    await expect.poll(() => index.lookup.find(any.variants[0]!.sku)?.price, { timeout: 60_000 }).toBe(4321);
    sync.stop();

    // cold start from the persisted index: same answers without touching the network
    const reopened = new CatalogIndex(new CatalogIndexStore(name, idb, IDBKeyRange));
    await reopened.open();
    expect(reopened.lookup.size).toBe(products);
    expect(reopened.lookup.find(any.variants[0]!.sku)?.price).toBe(4321);

    // lost index (e.g. cleared storage): rebuilt from the local replica
    const fresh = new CatalogIndex(new CatalogIndexStore(`${name}-lost`, new IDBFactory(), IDBKeyRange));
    await fresh.ensureComplete(sync.local(name));
    expect(fresh.lookup.size).toBe(products);
  });
});

describe('catalog snapshot for fresh registers', () => {
  it('serves every active product compactly, stays current, and lets the bootstrap touch only what changed', async () => {
    const { IDBFactory, IDBKeyRange } = await import('fake-indexeddb');
    const { CatalogIndex } = await import('../../web/src/lib/catalog-index/catalog-index.ts');
    const { CatalogIndexStore } = await import('../../web/src/lib/catalog-index/store.ts');
    const name = catalogDb(t);
    const get = async () => {
      const res = await s.call('GET', '/api/v1/sync/catalog-snapshot', { token });
      expect(res.status).toBe(200);
      return (await res.json()) as { seq: string | number; products: CompactProduct[] };
    };
    const first = await get();
    const active = (await s.couch.use(name).list({ startkey: 'product:', endkey: 'product:\ufff0' })).rows;
    expect(first.products).toHaveLength(active.length);
    expect(new Map(first.products.map((p) => [p[0], p[1]]))).toEqual(new Map(active.map((r) => [r.id, r.value.rev])));

    // a fresh register loads it, then bootstraps its replica while the server changes one product
    const idb = new IDBFactory();
    const index = new CatalogIndex(new CatalogIndexStore(`${name}-snap`, idb, IDBKeyRange));
    await index.open();
    await index.loadSnapshot(get);
    expect(index.lookup.size).toBe(active.length);
    const doc = (await s.couch.use(name).get('product:b000007')) as ReturnType<typeof makeProduct> & { _rev: string };
    await s.couch.use(name).insert({ ...doc, variants: doc.variants.map((v) => ({ ...v, price: 777 })) });
    await s.couch.use(name).insert({ ...(await s.couch.use(name).get('product:b000008')), status: 'archived' } as never);

    const sync = new SyncService({
      PouchDB,
      baseUrl: s.url,
      targets: [{ name, kind: 'catalog', direction: 'pull' }],
      auth: { token: () => token },
      localName: (n) => path.join(tmp, `snap-${n}`),
      backoff: [50],
      hooks: {
        onBootstrapPage: (_db, page, docs, deleted) => index.onBootstrapPage(page, docs, deleted),
        onReplicaReady: (_db, local) => index.ensureComplete(local),
        onPulled: (_db, docs) => index.onPulled(docs)
      }
    });
    sync.start();
    await sync.whenIdle(60_000);
    sync.stop();
    expect(index.lookup.find(doc.variants[0]!.sku)?.price).toBe(777);
    expect(index.lookup.size).toBe(active.length - 1); // the archived product left the scan index

    // the snapshot on the server moved on as well
    const second = await get();
    expect(second.products.find((p) => p[0] === 'product:b000007')?.[1]).not.toBe(first.products.find((p) => p[0] === 'product:b000007')?.[1]);
    expect(second.products.some((p) => p[0] === 'product:b000008')).toBe(false);

    // a reload finds the snapshot's chunks plus the overlay (bootstrap pages did not overwrite them)
    // (overlay writes from pulls are fire-and-forget: wait for them to land, however busy the machine)
    const reopen = async () => {
      const reopened = await new CatalogIndex(new CatalogIndexStore(`${name}-snap`, idb, IDBKeyRange)).open();
      return [reopened.size, reopened.find(doc.variants[0]!.sku)?.price];
    };
    await expect.poll(reopen, { timeout: 60_000, interval: 100 }).toEqual([active.length - 1, 777]);
  });
});

describe('pending changes', () => {
  it('a brand-new register pulling its store, and one reloaded before its first push pause, count only what the server lacks', async () => {
    // the store's opening stock: what a brand-new register pulls into its location replica
    const loc = locationDb(t, 'GM');
    await s.couch.use(loc).bulk({
      docs: Array.from({ length: 300 }, (_, i) => ({ _id: `movement:opening-${String(i).padStart(4, '0')}`, type: 'stock_movement', locationCode: 'GM', reason: 'opening', lines: [{ variantId: `p${i}-v01`, qty: 5 }], createdAt: '2026-11-01T09:00:00.000Z', createdBy: 'user:test' }))
    });
    const localName = (n: string) => path.join(tmp, `pending-${n}`);
    const options = { PouchDB, baseUrl: s.url, targets: [{ name: loc, kind: 'location', direction: 'both' as const }], auth: { token: () => token }, localName, backoff: [50], bootstrap: false };
    const first = new SyncService(options);
    const fresh: number[] = [];
    first.subscribe((st) => fresh.push(st.databases[0]!.pending));
    first.start();
    await first.whenIdle(60_000);
    first.stop();
    expect(Math.max(...fresh)).toBe(0); // a brand-new register has nothing to send while it pulls the store
    // the tab died before its push ever paused: no sync mark was saved; then one sale was rung up
    const local = new PouchDB(localName(loc));
    const mark = await local.get('_local/pos-sync-mark').catch(() => null);
    if (mark) await local.remove(mark as PouchDB.Core.RemoveDocument);
    await local.put(makeSale('GM', deviceId));

    const seen: number[] = [];
    const second = new SyncService(options);
    second.subscribe((st) => seen.push(st.databases[0]!.pending));
    second.start();
    await second.whenIdle(60_000);
    second.stop();
    expect(Math.max(...seen)).toBeLessThanOrEqual(1); // the sale, never the 300 movements it pulled
    expect(seen.at(-1)).toBe(0);
  });
});

