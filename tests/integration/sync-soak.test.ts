import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locationDb } from '#domain/db-names.ts';
import { SyncService } from '../../web/src/lib/sync/orchestrator.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, ON_COUCHDB, startTestServer, type TestServer } from './support/server.ts';
import { clusterNodes, killNode, restartNode } from './support/cluster.ts';
import { FlakyNetwork } from './support/network.ts';
import { makeSale } from '../support/fixtures.ts';

/**
 * Fault suite 1 (offline soak): 5 registers × 200 sales while their links drop at random, the store
 * crashes once (on a CouchDB cluster: one node of three is killed, and started again later) and the
 * whole server restarts once mid-replication. Afterwards the server has exactly
 * 1,000 sales, no duplicates, no conflicts, and stock moved by exactly the quantities sold.
 * Fault suite 3 (replay): the same sale pushed again from fresh replicas and by a retried _bulk_docs
 * is still one document.
 */
const REGISTERS = 5;
const SALES_EACH = 200;
const VARIANTS = Array.from({ length: 20 }, (_, i) => `v${String(i + 1).padStart(2, '0')}`);
const OPENING = 1000;
const PW = 'correct-horse-battery';

let s: TestServer;
let port = 0;
let t = '';
let dataDir = '';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-soak-'));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}

beforeAll(async () => {
  port = await freePort();
  s = await startTestServer({ PORT: String(port), CONFLICT_WORKER_INTERVAL_S: '0' });
  dataDir = s.dataDir;
  t = (await createTenant({ couch: s.couch }, { name: 'Soak Co', adminEmail: 'o@soak.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  await s.couch.use(locationDb(t, 'GM')).insert({
    _id: 'movement:opening-soak',
    type: 'stock_movement',
    locationCode: 'GM',
    reason: 'opening',
    lines: VARIANTS.map((variantId) => ({ variantId, qty: OPENING })),
    createdAt: new Date().toISOString(),
    createdBy: 'system'
  });
});

afterAll(async () => {
  await s?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('sync fault suite', () => {
  // First, and at its own store: a database whose copies are still converging after the soak's node
  // fault is not what this test is about (a fresh register pulling one has been seen to stall: docs/SYNC.md).
  it('replay: the same sale pushed three times and a _bulk_docs retried after a timeout is one document', { timeout: 200_000 }, async () => {
    const owner = await login(s, 'o@soak.test', PW);
    const dev = await enrol(s, owner, 'register', 'HM', 'replay');
    const sale = makeSale('HM', dev.device.id);
    for (let i = 0; i < 3; i++) {
      const sync = new SyncService({
        PouchDB,
        baseUrl: s.url,
        targets: [{ name: dev.databases.location!, kind: 'location', direction: 'both' }],
        auth: { token: () => dev.deviceToken },
        localName: (n) => path.join(tmp, `replay${i}-${n}`),
        backoff: [50]
      });
      await sync.local(dev.databases.location!).put({ ...sale });
      sync.start();
      await sync.whenIdle(60_000);
      sync.stop();
    }
    // a client that gave up waiting (timeout) and sent the same batch again
    const body = JSON.stringify({ docs: [{ ...sale, _rev: '1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', _revisions: { start: 1, ids: ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'] } }], new_edits: false });
    const headers = { authorization: `Bearer ${dev.deviceToken}`, 'content-type': 'application/json' };
    const url = `${s.url}/db/${dev.databases.location}/_bulk_docs`;
    await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(1) }).catch(() => undefined);
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(201);

    const db = s.couch.use(dev.databases.location!);
    const doc = (await db.get(sale._id, { conflicts: true, revs_info: true })) as { _conflicts?: string[] };
    expect((await db.list({ keys: [sale._id] })).rows).toHaveLength(1);
    // the three device pushes made one revision; the hand-made retry carries the same body under another
    // revision id, so the gateway acknowledges it without writing a second leaf (events are created once)
    expect(doc._conflicts ?? []).toHaveLength(0);
  });

  it('offline soak: 5 registers × 200 sales through drops, a store crash and a server restart', { timeout: 240_000 }, async () => {
    const owner = await login(s, 'o@soak.test', PW);
    const rand = prng(42);
    const registers: { sync: SyncService; network: FlakyNetwork; db: PouchDB.Database; id: string }[] = [];
    for (let r = 0; r < REGISTERS; r++) {
      const dev = await enrol(s, owner, 'register', 'GM', `GM-${r + 1}`);
      const network = new FlakyNetwork();
      const sync = new SyncService({
        PouchDB,
        baseUrl: s.url,
        targets: [{ name: dev.databases.location!, kind: 'location', direction: 'both' }],
        auth: { token: () => dev.deviceToken },
        localName: (n) => path.join(tmp, `r${r}-${n}`),
        backoff: [50, 100, 200, 400],
        random: rand,
        fetch: network.fetch
      });
      registers.push({ sync, network, db: sync.local(dev.databases.location!), id: dev.device.id });
    }
    for (const reg of registers) reg.sync.start();

    const sold = new Map<string, number>();
    const flapper = setInterval(() => {
      for (const reg of registers) reg.network.down = rand() < 0.35;
    }, 150);

    // the store dies mid-replication: the embedded one restarts itself; a cluster loses a node for a while
    const nodes = clusterNodes();
    if (ON_COUCHDB && nodes < 3) console.warn('sync fault suite: no local 3-node cluster (COUCHDB_TEST_DIR): no node is stopped');
    let nodeBack: Promise<void> = Promise.resolve();
    for (let i = 0; i < SALES_EACH; i++) {
      if (i === 60 && !ON_COUCHDB) s.embedded!.crashForTest();
      if (i === 60 && nodes >= 3) await killNode(nodes);
      if (i === 100 && nodes >= 3) nodeBack = restartNode(nodes);
      if (i === 120) {
        // the whole server restarts on the same address
        await s.stop({ keepData: true });
        s = await startTestServer({ PORT: String(port), CONFLICT_WORKER_INTERVAL_S: '0' }, dataDir);
      }
      for (const reg of registers) {
        const variantId = VARIANTS[Math.floor(rand() * VARIANTS.length)]!;
        const qty = 1 + Math.floor(rand() * 3);
        sold.set(variantId, (sold.get(variantId) ?? 0) + qty);
        const sale = makeSale('GM', reg.id, {
          lines: [{ lineId: 'l1', productId: 'product:p1', variantId, sku: 'T-1', name: 'Tee', qty, unitPrice: 1000, discount: 0, tax: 0, total: 1000 * qty }],
          subtotal: 1000 * qty,
          taxTotal: 0,
          total: 1000 * qty,
          tenders: [{ kind: 'cash', amount: 1000 * qty }]
        });
        await reg.db.put(sale); // durable on the device first, whatever the network does
      }
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    clearInterval(flapper);
    await nodeBack;
    for (const reg of registers) {
      reg.network.down = false;
      reg.sync.nudge();
    }
    await Promise.all(registers.map((reg) => reg.sync.whenIdle(90_000)));
    expect(registers.every((reg) => reg.network.failures > 0)).toBe(true); // the drops really happened
    for (const reg of registers) reg.sync.stop();

    const db = s.couch.use(locationDb(t, 'GM'));
    // _all_docs on a cluster, like a view, reads one copy of the shard: the node that was down may still
    // be catching up on the sales written while it was gone (seen: exactly those 200 missing once)
    const listed = async () => new Set((await db.list({ startkey: 'sale:', endkey: 'sale:\ufff0' })).rows.map((r) => r.id)).size;
    await expect.poll(listed, { timeout: 60_000, interval: 500 }).toBe(REGISTERS * SALES_EACH);
    expect((await db.view('conflicts', 'open', {})).rows).toEqual([]);
    // a clustered view reads one copy of each shard: the node that came back may still be catching up
    const expected = Object.fromEntries(VARIANTS.map((v) => [v, OPENING - (sold.get(v) ?? 0)]));
    await expect
      .poll(async () => {
        const stock = await db.view('stock', 'on_hand', { group: true });
        const levels = Object.fromEntries(stock.rows.map((r) => [(r.key as unknown as string[])[1], r.value as number]));
        return Object.fromEntries(VARIANTS.map((v) => [v, levels[v]]));
      }, { timeout: 30_000, interval: 500 })
      .toEqual(expected);
  });
});
