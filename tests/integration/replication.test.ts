import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';
import { makeProduct, makeSale } from '../support/fixtures.ts';
import { localDb, remoteDb } from './support/pouch.ts';

/** A register (PouchDB in node, device credential) replicating through the gateway like a browser would. */
let s: TestServer;
let t = '';
let owner = '';
let device: Awaited<ReturnType<typeof enrol>>;
const PW = 'correct-horse-battery';

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Repl Co', adminEmail: 'o@repl.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  owner = await login(s, 'o@repl.test', PW);
  const catalog = s.couch.use(`t-${t}-catalog`);
  await catalog.bulk({ docs: Array.from({ length: 250 }, () => makeProduct()) });
  device = await enrol(s, owner, 'register', 'GM');
});

afterAll(async () => {
  await s?.stop();
});

describe('register replication through the gateway', () => {
  it('pulls the whole catalog, including design docs, with its device credential', async () => {
    const local = localDb('catalog');
    const remote = remoteDb(s.url, device.databases.catalog!, device.deviceToken);
    const result = await local.replicate.from(remote, { batch_size: 100 });
    expect(result.ok).toBe(true);
    const info = await local.allDocs({ startkey: 'product:', endkey: 'product:\ufff0' });
    expect(info.rows).toHaveLength(250);
    expect((await local.get('settings:tenant')) as { pinSalt?: string }).toHaveProperty('pinSalt');
    // design docs come along, so the device can query the same views offline
    expect(await local.get('_design/catalog')).toHaveProperty('views.by_barcode');
    // the catalog is pull-only for a register: a push is refused outright and nothing lands
    await local.put(makeProduct('product:from-register'));
    await expect(local.replicate.to(remote)).rejects.toMatchObject({ status: 403, reason: expect.stringContaining('read-only') });
    await expect(s.couch.use(`t-${t}-catalog`).get('product:from-register')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('syncs the location database both ways, and a re-pushed sale stays one document', async () => {
    const local = localDb('loc');
    const remote = remoteDb(s.url, device.databases.location!, device.deviceToken);
    const sales = Array.from({ length: 20 }, () => makeSale('GM', device.device.id));
    await local.bulkDocs(sales);
    const push = await local.replicate.to(remote);
    expect(push.docs_written).toBe(20);

    // server side: a movement written by the admin reaches the register
    const movement = { _id: 'movement:01JD00000000000000000000MV', type: 'stock_movement', locationCode: 'GM', reason: 'receive', lines: [{ variantId: 'p1-v01', qty: 5 }], createdAt: new Date().toISOString(), createdBy: 'user:x' };
    expect((await s.call('PUT', `/db/${device.databases.location}/${encodeURIComponent(movement._id)}`, { token: owner, body: movement })).status).toBe(201);
    await local.replicate.from(remote);
    expect(await local.get(movement._id)).toMatchObject({ reason: 'receive' });

    // push the same sales again from a fresh device replica (no checkpoint): still 20 on the server
    const second = localDb('loc2');
    await second.bulkDocs(sales.map((d) => ({ ...d })));
    await second.replicate.to(remote);
    const serverSales = await s.couch.use(device.databases.location!).list({ startkey: 'sale:', endkey: 'sale:\ufff0' });
    expect(serverSales.rows).toHaveLength(20);
  });

  it('a live pull receives a server change through the streamed _changes feed', async () => {
    const local = localDb('live');
    const remote = remoteDb(s.url, device.databases.location!, device.deviceToken);
    const rep = local.replicate.from(remote, { live: true, retry: true });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const sale = makeSale('GM', 'GM-2');
      await s.couch.use(device.databases.location!).insert(sale);
      const deadline = Date.now() + 60_000;
      let found = false;
      while (!found && Date.now() < deadline) {
        found = await local.get(sale._id).then(() => true, () => false);
        if (!found) await new Promise((r) => setTimeout(r, 100));
      }
      expect(found).toBe(true);
    } finally {
      // wait for the cancelled replication to finish its in-flight _changes request, so it cannot
      // outlive the test and fail unhandled when the server stops
      rep.cancel();
      await Promise.resolve(rep).then(() => undefined, () => undefined);
    }
  });
});
