import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { connectCouch, ensureDb, type Db } from '../../server/couch/client.ts';
import { insertOnce } from '../../server/inventory/store.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { makeProduct, makeSale } from '../support/fixtures.ts';
import { enrol, login, startTestServer, STORE, type TestServer } from './support/server.ts';

/**
 * What a request wrote is in every view and list read after it, on the store in use. On a CouchDB
 * cluster a view query reads one copy of each shard; the server's writes and the gateway's wait for
 * every copy (`w` = n, server/couch/client.ts detectWriteCopies; a compare-and-swap write is put on
 * every copy after its quorum write, cas.ts), so whichever copy answers has the write. Each round reads straight after its write, with no wait: a lagging copy shows as a stale
 * read. The same rounds written at CouchDB's default quorum are counted for comparison (on a local
 * 3-node cluster about one read in seven was stale, measured 2026-12-07).
 */
const ROUNDS = 60;
const PW = 'correct-horse-battery';
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.couch.server.db.destroy(s.couch.physical('ryw-all')).catch(() => undefined);
  await s?.couch.server.db.destroy(s.couch.physical('ryw-quorum')).catch(() => undefined);
  await s?.couch.server.db.destroy(s.couch.physical('ryw-cas')).catch(() => undefined);
  await s?.stop();
});

type Write = (db: Db, doc: { _id: string; k: string }) => Promise<unknown>;
const plainInsert: Write = (db, doc) => db.insert(doc);
/** a create-once write by compare-and-swap (server/couch/cas.ts), as movements and ledger entries are made */
const createOnce: Write = (db, doc) => insertOnce(db, doc, () => true, 'Doc');

/** Writes ROUNDS documents one at a time through `couch`, reading a counting view after each; returns the stale reads. */
async function staleReads(couch: typeof s.couch, name: string, write: Write): Promise<number> {
  await ensureDb(couch, name);
  const db = couch.use(name);
  await db.insert({ _id: '_design/ryw', views: { count: { map: 'function (d) { if (d.k) emit(d.k, 1); }', reduce: '_count' } } } as never);
  let stale = 0;
  for (let i = 1; i <= ROUNDS; i++) {
    await write(db, { _id: `d:${i}`, k: 'x' });
    const res = await db.view('ryw', 'count', { reduce: true });
    if ((res.rows[0]?.value ?? 0) !== i) stale++;
  }
  return stale;
}

describe(`read your writes on ${STORE}`, () => {
  it("the server's writes, plain and compare-and-swap, are in the next view read, whichever copy answers it", async () => {
    expect(await staleReads(s.couch, 'ryw-all', plainInsert)).toBe(0);
    expect(await staleReads(s.couch, 'ryw-cas', createOnce)).toBe(0);
    // the same through a connection that keeps CouchDB's default quorum, for the record
    const quorum = connectCouch(s.couch.creds, { prefix: s.couch.prefix });
    const atQuorum = await staleReads(quorum, 'ryw-quorum', plainInsert);
    console.log(`read your writes on ${STORE}: w=${s.couch.writeCopies ?? 'default'} 0 of ${2 * ROUNDS} reads stale; CouchDB's default quorum ${atQuorum} of ${ROUNDS}`);
  });

  it("a manager's adjustment and a register's sale through the gateway are in the stock read straight after", async () => {
    const t = (await createTenant({ couch: s.couch }, { name: 'Ryw Co', adminEmail: 'o@ryw.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
    const owner = await login(s, 'o@ryw.test', PW);
    const register = await enrol(s, owner, 'register', 'GM', 'Till 1');
    const product = makeProduct();
    await s.couch.use(catalogDb(t)).insert(product);
    const v = product.variants[0]!.id;
    const stock = async () => {
      const res = await s.call('GET', `/api/v1/inventory/stock?location=GM&variant=${v}`, { token: owner });
      expect(res.status).toBe(200);
      return ((await res.json()) as { stock: { variantId: string; onHand: number }[] }).stock.find((l) => l.variantId === v)?.onHand;
    };
    let expected = 0;
    for (let i = 0; i < 20; i++) {
      const adj = await s.call('POST', '/api/v1/inventory/adjustments', { token: owner, body: { id: newUlid(), location: 'GM', reason: 'found', lines: [{ variantId: v, qty: 3 }] } });
      expect(adj.status).toBe(201);
      expected += 3;
      expect(await stock(), `round ${i}, after the adjustment`).toBe(expected);
      const sale = makeSale('GM', register.device.id, { lines: [{ lineId: 'l1', productId: product._id, variantId: v, sku: product.variants[0]!.sku, name: 'Tee', qty: 1, unitPrice: 1000, discount: 0, tax: 89, total: 1089 }] });
      const put = await s.call('PUT', `/db/${register.databases.location!}/${encodeURIComponent(sale._id)}`, { token: register.deviceToken, body: sale });
      expect(put.status).toBeLessThan(300);
      expected -= 1;
      expect(await stock(), `round ${i}, after the sale`).toBe(expected);
    }
  });
});
