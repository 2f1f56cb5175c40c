import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATIONS_DB, PLATFORM_DB, catalogDb, locationDb } from '#domain/db-names.ts';
import { newProductId, orderMovementId, pushCursorId, variantIdFor } from '#domain/shopify/index.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { FakeShopify, type FakeProduct } from '../support/fake-shopify.ts';
import { makeProduct, makeSale } from '../support/fixtures.ts';
import { VIEW_SETTLES, login, startTestServer, type TestServer } from './support/server.ts';

/**
 * POS → Shopify stock push (issue 16): in-store ledger movements of the mapped stores reach the local
 * Shopify as `inventoryAdjustQuantities` deltas, once, and what came from Shopify does not go back.
 * Sales are written into the store database as a register's replication would write them.
 */
const shop = new FakeShopify('push-shop.myshopify.com');
let s: TestServer;
let t = '';
let owner = '';
let warehouse = '';
let outlet = '';
let tee: FakeProduct;
let mug: FakeProduct;
let teeS = '';
let teeM = '';
const MUG = 'mug-v01';
const LOCAL = 'local-v01';
const PW = 'correct-horse-battery';

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface PushStatus {
  code: string;
  backlog: number | null;
  inFlight: unknown;
  lastPushAt: string | null;
  lastPush: { documents: number; changes: number; units: number } | null;
  unlinkedLines: number;
  notStocked: number;
  lastError: string | null;
}
async function pushStatus(code: string): Promise<PushStatus> {
  const res = await s.call('GET', '/api/v1/integrations/shopify', { token: owner });
  const body = await json<{ push: PushStatus[] }>(res);
  if (!body.push) throw new Error(`status ${res.status}: ${JSON.stringify(body)}`);
  return body.push.find((p) => p.code === code)!;
}

const line = (variantId: string, qty: number, extra: Record<string, unknown> = {}) => ({ lineId: `l${Math.random().toString(36).slice(2, 8)}`, productId: 'product:x', variantId, sku: 'X', name: 'X', qty, unitPrice: 1000, discount: 0, tax: 0, total: 1000 * qty, ...extra });
async function sell(code: string, lines: ReturnType<typeof line>[]): Promise<string> {
  const total = lines.reduce((n, l) => n + l.total, 0);
  const sale = makeSale(code, `${code}-1`, { lines, subtotal: total, taxTotal: 0, total, tenders: [{ kind: 'cash', amount: total }] });
  await s.couch.use(locationDb(t, code)).insert(sale);
  return sale._id;
}
const level = (item: FakeProduct['variants'][number], loc: string) => shop.availableAt(item.inventoryItemId, loc);

/**
 * The pusher has dealt with ledger document `docId` (a movement of a linked variant): its cursor lists
 * it among the documents pushed lately and holds no batch in flight. (Not "the changes since the
 * cursor no longer list it": on a cluster the copy a changes read comes from may not have a document
 * written a moment ago, which would read as "already past it".)
 */
async function pastIt(code: string, docId: string): Promise<boolean> {
  const cur = (await s.couch.use(INTEGRATIONS_DB).get(pushCursorId(t, code))) as { pending: unknown; recent: string[] };
  return !cur.pending && cur.recent.includes(docId);
}

beforeAll(async () => {
  await shop.start();
  warehouse = shop.addLocation('Warehouse').id;
  outlet = shop.addLocation('Outlet').id;
  tee = shop.addProduct(
    {
      title: 'Summer tee',
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variants: [
        { sku: 'TEE-S', price: '19.99', options: [{ name: 'Size', value: 'S' }] },
        { sku: 'TEE-M', price: '19.99', options: [{ name: 'Size', value: 'M' }] }
      ]
    },
    { [warehouse]: 7, [outlet]: 3 }
  );
  mug = shop.addProduct({ title: 'Mug', variants: [{ sku: 'MUG-1', price: '12.00' }] }, { [warehouse]: 5 });
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0', SHOPIFY_API_ORIGIN: shop.origin, SHOPIFY_PUSH_RETRY_S: '0.2' });
  t = (await createTenant({ couch: s.couch }, { name: 'Push Co', plan: 'pro', adminEmail: 'o@push.test', adminPassword: PW, locations: [{ code: 'GM', name: 'Grand' }, { code: 'EA', name: 'East' }] })).tenantId;
  const catalog = s.couch.use(catalogDb(t));
  await catalog.insert({ ...makeProduct('product:mug'), name: 'Mug', variants: [{ id: MUG, sku: 'MUG-1', options: {}, price: 1100, active: true }], options: [] });
  // sold only in store: never linked to Shopify
  await catalog.insert({ ...makeProduct('product:local'), name: 'Gift wrap', variants: [{ id: LOCAL, sku: 'WRAP', options: {}, price: 200, active: true }], options: [] });
  owner = await login(s, 'o@push.test', PW);
  // sold before the store was connected: not Shopify's business
  await sell('GM', [line(MUG, 1)]);

  expect((await s.call('POST', '/api/v1/integrations/shopify/connect', { token: owner, body: { shop: 'push-shop', accessToken: shop.accessToken, apiSecret: shop.apiSecret } })).status).toBe(201);
  const mapped = await s.call('PUT', '/api/v1/integrations/shopify/mapping', { token: owner, body: { locations: [{ code: 'GM', shopifyLocationId: warehouse }, { code: 'EA', shopifyLocationId: outlet }], orderLocation: 'GM', ownership: { mode: 'shopify' } } });
  expect(mapped.status).toBe(200);
  expect((await s.call('POST', '/api/v1/integrations/shopify/import', { token: owner })).status).toBe(202);
  for (let i = 0; ; i++) {
    const job = (await json<{ job: { status: string } }>(await s.call('GET', '/api/v1/integrations/shopify/import', { token: owner }))).job;
    if (job.status !== 'running') {
      expect(job.status).toBe('done');
      break;
    }
    if (i > 300) throw new Error('the import did not finish');
    await new Promise((r) => setTimeout(r, 100)); // polling the job's state (expect.poll needs a test)
  }
  teeS = variantIdFor(newProductId(tee.id), tee.variants[0]!.id);
  teeM = variantIdFor(newProductId(tee.id), tee.variants[1]!.id);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await shop.stop();
});

describe('POS → Shopify stock push', () => {
  it('a sale at a register lowers the mapped Shopify location by its quantity, and only that', async () => {
    const sold = await sell('GM', [line(teeS, 2)]);
    const east = await sell('EA', [line(teeM, 1)]);
    await expect.poll(() => level(tee.variants[0]!, warehouse), VIEW_SETTLES).toBe(5);
    await expect.poll(() => level(tee.variants[1]!, outlet), VIEW_SETTLES).toBe(2);
    await expect.poll(() => pastIt('GM', sold), VIEW_SETTLES).toBe(true);
    await expect.poll(() => pastIt('EA', east), VIEW_SETTLES).toBe(true);
    // neither the sale before the mapping nor the import's opening stock was sent; deltas only, keyed
    expect(level(mug.variants[0]!, warehouse)).toBe(5);
    expect(shop.adjustments.flatMap((a) => a.changes).sort((a, b) => a.locationId.localeCompare(b.locationId))).toEqual(
      [
        { inventoryItemId: tee.variants[0]!.inventoryItemId, locationId: warehouse, delta: -2 },
        { inventoryItemId: tee.variants[1]!.inventoryItemId, locationId: outlet, delta: -1 }
      ].sort((a, b) => a.locationId.localeCompare(b.locationId))
    );
    expect(shop.adjustments.every((a) => a.name === 'available' && /^pos-push-[0-9a-f]+$/.test(a.idempotencyKey ?? ''))).toBe(true);
    expect(shop.operations).not.toContain('InventorySet');
    const st = await pushStatus('GM');
    expect(st).toMatchObject({ lastPushAt: expect.any(String), lastPush: { documents: 1, changes: 1, units: 2 }, lastError: null, inFlight: null });
    expect(typeof st.backlog).toBe('number');
  });

  it('an adjustment and a return move Shopify by their deltas (a damaged return stays off the shelf)', async () => {
    const adj = await s.call('POST', '/api/v1/inventory/adjustments', { token: owner, body: { location: 'GM', reason: 'damage', lines: [{ variantId: MUG, qty: -1 }] } });
    expect(adj.status).toBeLessThan(300);
    await expect.poll(() => level(mug.variants[0]!, warehouse), VIEW_SETTLES).toBe(4);
    const ret = await sell('GM', [line(teeS, -1, { restock: true }), line(teeS, -1, { restock: false })]);
    await expect.poll(() => pastIt('GM', ret), VIEW_SETTLES).toBe(true);
    expect(level(tee.variants[0]!, warehouse)).toBe(6);
  });

  it('a lost answer after Shopify applied the batch (as a crash before the cursor write): sent again under its key, applied once', async () => {
    const before = shop.adjustments.length;
    const replays = shop.replays;
    shop.loseAnswers = 2; // the client's own retry loses its answer too: the push fails and stays pending
    const sold = await sell('GM', [line(MUG, 1)]);
    await expect.poll(() => pastIt('GM', sold), VIEW_SETTLES).toBe(true);
    expect(shop.loseAnswers).toBe(0);
    expect(shop.replays).toBeGreaterThan(replays);
    expect(shop.adjustments.length).toBe(before + 1);
    expect(level(mug.variants[0]!, warehouse)).toBe(3);
    expect(await pushStatus('GM')).toMatchObject({ lastError: null, lastPush: { documents: 1, units: 1 } });
  });

  it('an online order (its movement written from a webhook) is not pushed back to Shopify', async () => {
    const before = shop.adjustments.length;
    const order = { id: 7234567890123, name: '#2001', created_at: '2026-12-07T08:00:00-05:00', updated_at: '2026-12-07T08:00:01-05:00', location_id: Number(warehouse), line_items: [{ id: 566157049, variant_id: Number(tee.variants[0]!.id), product_id: Number(tee.id), quantity: 2, sku: 'TEE-S' }], refunds: [] };
    const sent = await shop.sendWebhook('orders/create', order);
    expect(sent).toEqual([200]);
    const movement = orderMovementId(String(order.id), String(order.line_items[0]!.id));
    await expect.poll(async () => !!(await s.couch.use(locationDb(t, 'GM')).get(movement).catch(() => null)), VIEW_SETTLES).toBe(true);
    // the movement itself is never listed as pushed: a later in-store sale, once pushed, shows the
    // pusher has read on past it, and only the sale moved Shopify
    const marker = await sell('GM', [line(teeS, 1)]);
    await expect.poll(() => pastIt('GM', marker), VIEW_SETTLES).toBe(true);
    expect(shop.adjustments.slice(before).map((a) => a.changes)).toEqual([[{ inventoryItemId: tee.variants[0]!.inventoryItemId, locationId: warehouse, delta: -1 }]]);
    expect(level(tee.variants[0]!, warehouse)).toBe(5);
  });

  it('an item Shopify does not stock at the location is dropped from the batch; the rest is sent', async () => {
    const before = shop.adjustments.length;
    // the mug is linked but stocked only at the warehouse: East's Shopify location refuses it
    const sold = await sell('EA', [line(MUG, 1), line(teeM, 1)]);
    await expect.poll(() => pastIt('EA', sold), VIEW_SETTLES).toBe(true);
    expect(shop.adjustments.slice(before).map((a) => a.changes)).toEqual([[{ inventoryItemId: tee.variants[1]!.inventoryItemId, locationId: outlet, delta: -1 }]]);
    expect(level(tee.variants[1]!, outlet)).toBe(1);
    expect(level(mug.variants[0]!, outlet)).toBeUndefined();
    expect(await pushStatus('EA')).toMatchObject({ notStocked: 1, lastError: null, inFlight: null });
  });

  it('variants not linked to Shopify are skipped: a sale mixing both sends the linked line only', async () => {
    const before = shop.adjustments.length;
    const unlinkedBefore = (await pushStatus('GM')).unlinkedLines;
    const sold = await sell('GM', [line(LOCAL, 3), line(MUG, 1)]);
    await expect.poll(() => pastIt('GM', sold), VIEW_SETTLES).toBe(true);
    expect(shop.adjustments.slice(before).map((a) => a.changes)).toEqual([[{ inventoryItemId: mug.variants[0]!.inventoryItemId, locationId: warehouse, delta: -1 }]]);
    expect(level(mug.variants[0]!, warehouse)).toBe(2);
    expect((await pushStatus('GM')).unlinkedLines).toBe(unlinkedBefore + 1);
  });

  it('a server stopped after Shopify applied a batch but before the cursor moved: the next one sends it again under its key, applied once', async () => {
    const before = shop.adjustments.length;
    const replays = shop.replays;
    const mugBefore = level(mug.variants[0]!, warehouse)!;
    shop.loseAnswers = 1_000; // Shopify applies the batch, the server never hears back: it stays pending
    await sell('GM', [line(MUG, 2)]);
    await expect.poll(() => level(mug.variants[0]!, warehouse), VIEW_SETTLES).toBe(mugBefore - 2);
    await expect.poll(async () => (await pushStatus('GM')).lastError, VIEW_SETTLES).not.toBeNull();
    const dir = s.dataDir;
    await s.stop({ keepData: true });
    shop.loseAnswers = 0;
    s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0', SHOPIFY_API_ORIGIN: shop.origin, SHOPIFY_PUSH_RETRY_S: '0.2' }, dir);
    owner = await login(s, 'o@push.test', PW);
    // the stopped copy's lease on the tenant would run out within 30 s; end it now (as time would), and
    // let a change of the store's database wake the worker (a sale of a variant Shopify does not know)
    const platform = s.couch.use(PLATFORM_DB);
    const lease = (await platform.get(`lease:shopify-push:${t}`)) as Record<string, unknown>;
    await platform.insert({ ...lease, until: new Date(Date.now() - 1000).toISOString() });
    await sell('GM', [line(LOCAL, 1)]);
    await expect.poll(async () => pushStatus('GM'), VIEW_SETTLES).toMatchObject({ inFlight: null, lastError: null, lastPush: { documents: 1, units: 2 } });
    expect(shop.replays).toBeGreaterThan(replays);
    expect(shop.adjustments.length).toBe(before + 1);
    expect(level(mug.variants[0]!, warehouse)).toBe(mugBefore - 2);
  });
});
