import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATIONS_DB, locationDb } from '#domain/db-names.ts';
import { newProductId, orderMovementId, pushCursorId, variantIdFor, webhookDocId } from '#domain/shopify/index.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { FakeShopify, type FakeProduct } from '../support/fake-shopify.ts';
import { makeSale } from '../support/fixtures.ts';
import { VIEW_SETTLES, login, startTestServer, type TestServer } from './support/server.ts';

/**
 * Reconciliation and dead letters (issue 16): "Compare stock" reads Shopify's available quantities at
 * the mapped locations (paged: more levels than one page holds) against the POS ledger; "push POS stock"
 * goes through the stock push (its cursor and idempotency key) and is applied once however it is retried;
 * a dead webhook is listed with its error and retried.
 */
const shop = new FakeShopify('drift-shop.myshopify.com');
let s: TestServer;
let t = '';
let owner = '';
let manager = '';
let warehouse = '';
let tee: FakeProduct;
let teeS = '';
let teeM = '';
const PW = 'correct-horse-battery';
/** more single-variant products than one page of inventory levels (250) holds */
const FILLER = 250;

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
interface DriftRow {
  locationCode: string;
  variantId: string;
  name: string;
  sku: string;
  pos: number;
  shopify: number;
  diff: number;
}
interface Comparison {
  comparedAt: string;
  stores: { code: string; compared: number; differing: number; pushBehind: boolean; shopifyLocationName: string }[];
  lines: DriftRow[];
}
async function compare(): Promise<Comparison> {
  const res = await s.call('POST', '/api/v1/integrations/shopify/reconcile/compare', { token: owner });
  const body = await json<Comparison>(res);
  if (res.status !== 200) throw new Error(`compare ${res.status}: ${JSON.stringify(body)}`);
  return body;
}
async function corrections(): Promise<{ id: string; code: string; status: string; result: { changes: number; units: number } | null }[]> {
  return (await json<{ corrections: { id: string; code: string; status: string; result: { changes: number; units: number } | null }[] }>(await s.call('GET', '/api/v1/integrations/shopify/reconcile', { token: owner }))).corrections;
}
const level = (v: FakeProduct['variants'][number]) => shop.availableAt(v.inventoryItemId, warehouse);
const line = (variantId: string, qty: number) => ({ lineId: `l${Math.random().toString(36).slice(2, 8)}`, productId: 'product:x', variantId, sku: 'X', name: 'X', qty, unitPrice: 1000, discount: 0, tax: 0, total: 1000 * qty });
async function sell(variantId: string, qty: number): Promise<string> {
  const l = line(variantId, qty);
  const sale = makeSale('GM', 'GM-1', { lines: [l], subtotal: l.total, taxTotal: 0, total: l.total, tenders: [{ kind: 'cash', amount: l.total }] });
  await s.couch.use(locationDb(t, 'GM')).insert(sale);
  return sale._id;
}
/**
 * The store's push has dealt with sale `docId` (it is among the documents pushed lately) and has
 * nothing in flight. (Not "the changes since the cursor no longer list it": on a cluster the copy a
 * changes read comes from may not have a sale written a moment ago.)
 */
async function pastIt(docId: string): Promise<boolean> {
  const cur = (await s.couch.use(INTEGRATIONS_DB).get(pushCursorId(t, 'GM'))) as { pending: unknown; recent: string[] };
  return !cur.pending && cur.recent.includes(docId);
}

beforeAll(async () => {
  await shop.start();
  warehouse = shop.addLocation('Warehouse').id;
  tee = shop.addProduct(
    {
      title: 'Drift tee',
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variants: [
        { sku: 'DT-S', price: '19.99', options: [{ name: 'Size', value: 'S' }] },
        { sku: 'DT-M', price: '19.99', options: [{ name: 'Size', value: 'M' }] }
      ]
    },
    { [warehouse]: 8 }
  );
  for (let i = 0; i < FILLER; i++) shop.addProduct({ title: `Sticker ${i}`, variants: [{ sku: `STK-${i}`, price: '1.00' }] }, { [warehouse]: 3 });
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0', SHOPIFY_API_ORIGIN: shop.origin, SHOPIFY_PUSH_RETRY_S: '0.2', API_RATE_LIMIT: '5000' });
  t = (await createTenant({ couch: s.couch }, { name: 'Drift Co', plan: 'pro', adminEmail: 'o@drift.test', adminPassword: PW, locations: [{ code: 'GM', name: 'Grand' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@drift.test', name: 'Mo Manager', role: 'manager', locations: ['GM'], password: PW });
  owner = await login(s, 'o@drift.test', PW);
  manager = await login(s, 'm@drift.test', PW);
  expect((await s.call('POST', '/api/v1/integrations/shopify/connect', { token: owner, body: { shop: 'drift-shop', accessToken: shop.accessToken, apiSecret: shop.apiSecret } })).status).toBe(201);
  expect((await s.call('PUT', '/api/v1/integrations/shopify/mapping', { token: owner, body: { locations: [{ code: 'GM', shopifyLocationId: warehouse }], orderLocation: 'GM', ownership: { mode: 'shopify' } } })).status).toBe(200);
  expect((await s.call('POST', '/api/v1/integrations/shopify/import', { token: owner })).status).toBe(202);
  for (let i = 0; ; i++) {
    const body = await json<{ job: { status: string; error: string | null } }>(await s.call('GET', '/api/v1/integrations/shopify/import', { token: owner }));
    const job = body.job;
    if (!job) throw new Error(JSON.stringify(body));
    if (job.status !== 'running') {
      expect(job).toMatchObject({ status: 'done', error: null });
      break;
    }
    if (i > 450) throw new Error('the import did not finish');
    await new Promise((r) => setTimeout(r, 200)); // polling the job's state (expect.poll needs a test)
  }
  teeS = variantIdFor(newProductId(tee.id), tee.variants[0]!.id);
  teeM = variantIdFor(newProductId(tee.id), tee.variants[1]!.id);
}, 150_000);

afterAll(async () => {
  await s?.stop();
  await shop.stop();
});

describe('Shopify reconciliation', () => {
  it('refuses a manager: comparing, pushing, the dead letters and their retry', async () => {
    expect((await s.call('POST', '/api/v1/integrations/shopify/reconcile/compare', { token: manager })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/integrations/shopify/reconcile', { token: manager })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/integrations/shopify/reconcile/push', { token: manager, body: { requestId: 'req-00000001', lines: [{ code: 'GM', variantId: teeS }] } })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/integrations/shopify/webhooks/dead', { token: manager })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/integrations/shopify/webhooks/dead/abcdefgh-1234/retry', { token: manager })).status).toBe(403);
  });

  it('right after the import both sides agree, read over more than one page of levels', async () => {
    const levelsBefore = shop.operations.filter((o) => o === 'Levels').length;
    // the opening stock may still be settling in the ledger view on a cluster
    await expect.poll(async () => (await compare()).lines, VIEW_SETTLES).toEqual([]);
    const c = await compare();
    expect(c.stores).toEqual([expect.objectContaining({ code: 'GM', shopifyLocationName: 'Warehouse', compared: FILLER + 2, differing: 0 })]);
    // each comparison pages through the location's 252 levels: two requests of ≤ 250
    expect(shop.operations.filter((o) => o === 'Levels').length - levelsBefore).toBeGreaterThanOrEqual(4);
  });

  it('lists a variant whose Shopify stock was changed on Shopify’s side, and a sale once pushed leaves no difference', async () => {
    shop.available.set(`${tee.variants[0]!.inventoryItemId}@${warehouse}`, 3); // someone edited it in Shopify's admin
    const sold = await sell(teeM, 1);
    await expect.poll(() => pastIt(sold), VIEW_SETTLES).toBe(true);
    expect(level(tee.variants[1]!)).toBe(7);
    await expect.poll(async () => (await compare()).lines.map((l) => [l.variantId, l.pos, l.shopify, l.diff]), VIEW_SETTLES).toEqual([[teeS, 8, 3, 5]]);
    const c = await compare();
    expect(c.lines[0]).toMatchObject({ locationCode: 'GM', name: 'Drift tee', sku: 'DT-S' });
    expect(c.stores[0]).toMatchObject({ differing: 1, pushBehind: false });
    // the last comparison is kept for the page
    const kept = await json<{ comparison: Comparison }>(await s.call('GET', '/api/v1/integrations/shopify/reconcile', { token: owner }));
    expect(kept.comparison.comparedAt).toBe(c.comparedAt);
  });

  it('checks what it is asked to push', async () => {
    const bad = async (body: unknown) => (await s.call('POST', '/api/v1/integrations/shopify/reconcile/push', { token: owner, body })).status;
    expect(await bad({ requestId: 'req-00000002', lines: [] })).toBe(400);
    expect(await bad({ requestId: 'x', lines: [{ code: 'GM', variantId: teeS }] })).toBe(400);
    expect(await bad({ requestId: 'req-00000002', lines: [{ code: 'EA', variantId: teeS }] })).toBe(400);
    expect(await bad({ requestId: 'req-00000002', lines: [{ code: 'GM', variantId: 'not-linked' }] })).toBe(400);
  });

  it('"push POS stock" sets Shopify to the POS by one delta, once, through the push (a lost answer and a repeated request included)', async () => {
    const before = shop.adjustments.length;
    shop.loseAnswers = 2; // Shopify applies the correction but the answer is lost, and lost again on the client's retry
    const body = { requestId: 'req-fix-0001', lines: [{ code: 'GM', variantId: teeS }] };
    const res = await s.call('POST', '/api/v1/integrations/shopify/reconcile/push', { token: owner, body });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ requestId: 'req-fix-0001', stores: ['GM'] });
    // the same request again (a double click): one request on the cursor
    expect((await s.call('POST', '/api/v1/integrations/shopify/reconcile/push', { token: owner, body })).status).toBe(202);
    await expect.poll(async () => (await corrections()).find((k) => k.id === 'req-fix-0001')?.status, VIEW_SETTLES).toBe('done');
    expect(shop.loseAnswers).toBe(0);
    expect(level(tee.variants[0]!)).toBe(8);
    const sent = shop.adjustments.slice(before);
    expect(sent.map((a) => a.changes)).toEqual([[{ inventoryItemId: tee.variants[0]!.inventoryItemId, locationId: warehouse, delta: 5 }]]);
    expect(sent[0]!.idempotencyKey).toMatch(/^pos-push-[0-9a-f]+$/);
    expect(shop.replays).toBeGreaterThan(0);
    expect((await corrections()).find((k) => k.id === 'req-fix-0001')).toMatchObject({ code: 'GM', result: { changes: 1, units: 5 } });
    expect((await compare()).lines).toEqual([]);
    // a later sale is pushed as usual: the correction did not move the cursor past anything
    const sold = await sell(teeS, 2);
    await expect.poll(() => level(tee.variants[0]!), VIEW_SETTLES).toBe(6);
    await expect.poll(() => pastIt(sold), VIEW_SETTLES).toBe(true);
    expect((await compare()).lines).toEqual([]);
  });

  it('a correction with nothing to correct sends nothing', async () => {
    const before = shop.adjustments.length;
    expect((await s.call('POST', '/api/v1/integrations/shopify/reconcile/push', { token: owner, body: { requestId: 'req-fix-0002', lines: [{ code: 'GM', variantId: teeM }] } })).status).toBe(202);
    await expect.poll(async () => (await corrections()).find((k) => k.id === 'req-fix-0002'), VIEW_SETTLES).toMatchObject({ status: 'done', result: { changes: 0, units: 0 } });
    expect(shop.adjustments.length).toBe(before);
  });
});

describe('Shopify dead letters', () => {
  it('lists a webhook the queue gave up on, with its error, and a retry applies it once', async () => {
    // what the queue leaves after its retry schedule ran out (writing it directly saves two hours of backoff)
    const webhookId = 'b1a2c3d4-0000-4000-8000-00000000dead';
    const order = { id: 7000000000001, name: '#3001', created_at: '2026-12-07T09:00:00Z', updated_at: '2026-12-07T09:00:00Z', location_id: Number(warehouse), line_items: [{ id: 880001, variant_id: Number(tee.variants[1]!.id), product_id: Number(tee.id), quantity: 1, sku: 'DT-M' }], refunds: [] };
    const failedAt = new Date().toISOString();
    await s.couch.use(INTEGRATIONS_DB).insert({
      _id: webhookDocId(t, webhookId),
      type: 'shopify_webhook',
      tenantId: t,
      shop: 'drift-shop.myshopify.com',
      topic: 'orders/create',
      webhookId,
      payload: order,
      status: 'dead',
      attempts: 8,
      nextAttemptAt: failedAt,
      leaseUntil: null,
      receivedAt: failedAt,
      triggeredAt: null,
      finishedAt: null,
      failedAt,
      result: null,
      error: 'connect ECONNREFUSED 127.0.0.1:5984'
    });
    await expect
      .poll(async () => (await json<{ dead: { webhookId: string; topic: string; error: string; attempts: number }[] }>(await s.call('GET', '/api/v1/integrations/shopify/webhooks/dead', { token: owner }))).dead, VIEW_SETTLES)
      .toEqual([expect.objectContaining({ webhookId, topic: 'orders/create', attempts: 8, error: 'connect ECONNREFUSED 127.0.0.1:5984' })]);
    const retried = await s.call('POST', `/api/v1/integrations/shopify/webhooks/dead/${webhookId}/retry`, { token: owner });
    expect(retried.status).toBe(200);
    expect((await json<{ webhook: { status: string } }>(retried)).webhook.status).toBe('pending');
    // retrying again is refused: it is no longer dead
    expect((await s.call('POST', `/api/v1/integrations/shopify/webhooks/dead/${webhookId}/retry`, { token: owner })).status).toBe(409);
    expect((await s.call('POST', '/api/v1/integrations/shopify/webhooks/dead/not-a-webhook-id/retry', { token: owner })).status).toBe(404);
    const movement = orderMovementId(String(order.id), '880001');
    await expect.poll(async () => ((await s.couch.use(INTEGRATIONS_DB).get(webhookDocId(t, webhookId))) as { status: string }).status, VIEW_SETTLES).toBe('done');
    expect(await s.couch.use(locationDb(t, 'GM')).get(movement)).toMatchObject({ reason: 'online_order', lines: [{ variantId: teeM, qty: -1 }] });
    await expect
      .poll(async () => (await json<{ dead: unknown[] }>(await s.call('GET', '/api/v1/integrations/shopify/webhooks/dead', { token: owner }))).dead, VIEW_SETTLES)
      .toEqual([]);
  });
});
