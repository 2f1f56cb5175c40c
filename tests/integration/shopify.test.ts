import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATIONS_DB, catalogDb, locationDb } from '#domain/db-names.ts';
import { connectionId, newProductId, variantIdFor } from '#domain/shopify/index.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { FakeShopify, type FakeProduct } from '../support/fake-shopify.ts';
import { makeProduct } from '../support/fixtures.ts';
import { VIEW_SETTLES, login, startTestServer, type TestServer } from './support/server.ts';

/**
 * Shopify, server side (issue 16): connecting a store (token and scopes checked against the shop,
 * token sealed, webhooks subscribed), mapping locations, disconnecting — against the local Admin API
 * server, reached through the official client's own configuration (SHOPIFY_API_ORIGIN).
 */
const shop = new FakeShopify('acme-online.myshopify.com');
let s: TestServer;
let t = '';
let owner = '';
let manager = '';
let warehouse = '';
let outlet = '';
let tee: FakeProduct;
let mug: FakeProduct;
const PW = 'correct-horse-battery';

beforeAll(async () => {
  await shop.start();
  warehouse = shop.addLocation('Warehouse').id;
  outlet = shop.addLocation('Outlet').id;
  tee = shop.addProduct(
    {
      title: 'Summer tee',
      descriptionHtml: '<p>Organic cotton</p>',
      options: [{ name: 'Size', values: ['S', 'M'] }],
      collections: [{ id: '501', title: 'Summer' }],
      variants: [
        { sku: 'TEE-S', price: '19.99', cost: '6.00', options: [{ name: 'Size', value: 'S' }] },
        { sku: 'TEE-M', price: '19.99', compareAtPrice: '25.00', options: [{ name: 'Size', value: 'M' }] }
      ]
    },
    { [warehouse]: 7, [outlet]: 3 }
  );
  mug = shop.addProduct({ title: 'Mug', variants: [{ sku: 'MUG-1', price: '12.00' }] }, { [warehouse]: 5 });
  shop.addProduct({ title: 'Poster', variants: [{ sku: 'DUP', price: '5.00' }] }, { [warehouse]: 1 });
  s = await startTestServer({ CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0', SHOPIFY_API_ORIGIN: shop.origin });
  t = (await createTenant({ couch: s.couch }, { name: 'Shopify Co', plan: 'pro', adminEmail: 'o@shopify.test', adminPassword: PW, locations: [{ code: 'GM', name: 'Grand' }, { code: 'EA', name: 'East' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@shopify.test', name: 'Maria Manager', role: 'manager', locations: ['GM'], password: PW });
  // the POS already sells the mug (matched by SKU) and has two products sharing the poster's SKU (a conflict)
  const catalog = s.couch.use(catalogDb(t));
  await catalog.insert({ ...makeProduct('product:mug'), name: 'Mug', variants: [{ id: 'mug-v01', sku: 'MUG-1', options: {}, price: 1100, active: true }], options: [] });
  await catalog.insert({ ...makeProduct('product:dup1'), variants: [{ id: 'dup1-v01', sku: 'DUP', options: { Size: 'M' }, price: 500, active: true }] });
  await catalog.insert({ ...makeProduct('product:dup2'), variants: [{ id: 'dup2-v01', sku: 'DUP', options: { Size: 'M' }, price: 500, active: true }] });
  owner = await login(s, 'o@shopify.test', PW);
  manager = await login(s, 'm@shopify.test', PW);
});

afterAll(async () => {
  await s?.stop();
  await shop.stop();
});

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
const connectBody = (over: Record<string, string> = {}) => ({ shop: 'acme-online', accessToken: shop.accessToken, apiSecret: shop.apiSecret, ...over });

describe('connect', () => {
  it('refuses a manager, a bad domain, a refused token and missing scopes — with 4xx saying why', async () => {
    expect((await s.call('POST', '/api/v1/integrations/shopify/connect', { token: manager, body: connectBody() })).status).toBe(403);
    const bad = await s.call('POST', '/api/v1/integrations/shopify/connect', { token: owner, body: connectBody({ shop: 'not a shop!' }) });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toMatch(/myshopify\.com/);

    const refused = await s.call('POST', '/api/v1/integrations/shopify/connect', { token: owner, body: connectBody({ accessToken: 'shpat_not-the-token-0000' }) });
    expect(refused.status).toBe(400);
    expect(await json(refused)).toMatchObject({ error: 'shopify_auth', message: expect.stringMatching(/refused the access token/) });

    shop.scopes = ['read_products', 'read_locations'];
    const scopes = await s.call('POST', '/api/v1/integrations/shopify/connect', { token: owner, body: connectBody() });
    expect(scopes.status).toBe(400);
    const body = await json<{ error: string; missingScopes: { scope: string }[] }>(scopes);
    expect(body.error).toBe('missing_scopes');
    expect(body.missingScopes.map((m) => m.scope)).toEqual(['write_products', 'read_inventory', 'write_inventory', 'read_orders']);
    shop.scopes = ['write_products', 'write_inventory', 'read_locations', 'read_orders'];
    // nothing was stored and nothing subscribed by the refused attempts
    expect(shop.subscriptions).toEqual([]);
    await expect(json(await s.call('GET', '/api/v1/integrations/shopify', { token: owner }))).resolves.toEqual({ connection: { connected: false }, webhooks: null });
  });

  it('connects: scopes shown, token sealed at rest, webhooks subscribed at this server; mapping checked and saved', async () => {
    const res = await s.call('POST', '/api/v1/integrations/shopify/connect', { token: owner, body: connectBody() });
    expect(res.status).toBe(201);
    const body = await json<{ connection: Record<string, unknown>; shopifyLocations: { id: string }[] }>(res);
    expect(body.connection).toMatchObject({ connected: true, shop: shop.shop, shopName: shop.shopName, mapped: false, webhooks: ['inventory_levels/update', 'orders/create', 'orders/cancelled', 'refunds/create', 'products/update'] });
    expect((body.connection.scopes as { granted: boolean }[]).every((x) => x.granted)).toBe(true);
    expect(body.shopifyLocations.map((l) => l.id)).toEqual([warehouse, outlet]);
    expect(shop.subscriptions.map((x) => [x.topic, x.uri])).toEqual(['INVENTORY_LEVELS_UPDATE', 'ORDERS_CREATE', 'ORDERS_CANCELLED', 'REFUNDS_CREATE', 'PRODUCTS_UPDATE'].map((topic) => [topic, `${s.url}/api/v1/integrations/shopify/webhooks`]));
    const stored = JSON.stringify(await s.couch.use(INTEGRATIONS_DB).get(connectionId(t)));
    expect(stored).not.toContain(shop.accessToken);
    expect(stored).not.toContain(shop.apiSecret);

    const wrongStore = await s.call('PUT', '/api/v1/integrations/shopify/mapping', { token: owner, body: { locations: [{ code: 'ZZ', shopifyLocationId: warehouse }], orderLocation: null, ownership: { mode: 'shopify' } } });
    expect(wrongStore.status).toBe(400);
    const wrongLoc = await s.call('PUT', '/api/v1/integrations/shopify/mapping', { token: owner, body: { locations: [{ code: 'GM', shopifyLocationId: '123' }], orderLocation: null, ownership: { mode: 'shopify' } } });
    expect(wrongLoc.status).toBe(400);
    expect((await json(wrongLoc)).message).toMatch(/not an active location/);
    const twice = await s.call('PUT', '/api/v1/integrations/shopify/mapping', { token: owner, body: { locations: [{ code: 'GM', shopifyLocationId: warehouse }, { code: 'EA', shopifyLocationId: warehouse }], orderLocation: null, ownership: { mode: 'shopify' } } });
    expect(twice.status).toBe(400);
    const ok = await s.call('PUT', '/api/v1/integrations/shopify/mapping', { token: owner, body: { locations: [{ code: 'GM', shopifyLocationId: warehouse }, { code: 'EA', shopifyLocationId: outlet }], orderLocation: 'GM', ownership: { mode: 'fields', fields: { price: 'pos' } } } });
    expect(ok.status).toBe(200);
    expect((await json<{ connection: Record<string, unknown> }>(ok)).connection).toMatchObject({ mapped: true, orderLocation: 'GM', ownership: { mode: 'fields', fields: { price: 'pos' } } });
    const locs = await json<{ shopify: { id: string }[]; stores: { code: string }[] }>(await s.call('GET', '/api/v1/integrations/shopify/locations', { token: owner }));
    expect(locs.stores.map((x) => x.code).sort()).toEqual(['EA', 'GM']);
  });

  it('another tenant cannot connect a shop already connected', async () => {
    const other = (await createTenant({ couch: s.couch }, { name: 'Other Co', plan: 'starter', adminEmail: 'o@other.test', adminPassword: PW, locations: [{ code: 'OT', name: 'Other' }] })).tenantId;
    expect(other).not.toBe(t);
    const res = await s.call('POST', '/api/v1/integrations/shopify/connect', { token: await login(s, 'o@other.test', PW), body: connectBody() });
    expect(res.status).toBe(409);
    expect(shop.subscriptions).toHaveLength(5);
  });
});

interface Job {
  status: string;
  phase: string;
  productsRead: number;
  counts: { products: { create: number; update: number; unchanged: number; skipped: number }; stockLevels: number };
  written: Record<string, number>;
  conflicts: { message: string }[];
  error: string | null;
}

async function runImport(): Promise<Job> {
  const res = await s.call('POST', '/api/v1/integrations/shopify/import', { token: owner });
  expect(res.status).toBe(202);
  expect((await json<{ job: Job }>(res)).job.status).toBe('running');
  let job: Job | null = null;
  await expect
    .poll(async () => {
      job = (await json<{ job: Job }>(await s.call('GET', '/api/v1/integrations/shopify/import', { token: owner }))).job;
      return job.status;
    }, { timeout: 30_000, interval: 100 })
    .not.toBe('running');
  return job!;
}

async function onHand(code: string, variantId: string): Promise<number> {
  const r = await s.couch.use(locationDb(t, code)).view('stock', 'on_hand', { key: [code, variantId], group: true });
  return (r.rows[0]?.value as number | undefined) ?? 0;
}

describe('import', () => {
  it('previews counts, matches and conflicts without writing; a manager is refused', async () => {
    expect((await s.call('POST', '/api/v1/integrations/shopify/import/preview', { token: manager })).status).toBe(403);
    const res = await s.call('POST', '/api/v1/integrations/shopify/import/preview', { token: owner });
    expect(res.status).toBe(200);
    const body = await json<{ counts: Job['counts'] & { categories: { create: number } }; conflicts: { title: string; message: string }[] }>(res);
    expect(body.counts.products.create).toBe(1);
    expect(body.counts.products.update + body.counts.products.unchanged).toBe(1); // the mug, matched by SKU
    expect(body.counts.products.skipped).toBe(1);
    expect(body.counts.stockLevels).toBe(4); // the tee's two new variants at two stores
    expect(body.counts.categories.create).toBeGreaterThanOrEqual(1);
    expect(body.conflicts).toEqual([{ shopifyProductId: expect.any(String), title: 'Poster', message: expect.stringMatching(/SKU DUP belongs to 2 POS variants/) }]);
    await expect(s.couch.use(catalogDb(t)).get(newProductId(tee.id))).rejects.toMatchObject({ statusCode: 404 });
  });

  it('applies: products, links and opening stock per mapped store; a second run changes nothing', async () => {
    const first = await runImport();
    expect(first).toMatchObject({ status: 'done', phase: 'done', productsRead: 3, error: null });
    expect(first.written).toMatchObject({ openings: 4 });
    expect(first.written.products).toBeGreaterThanOrEqual(1);
    const teeDoc = (await s.couch.use(catalogDb(t)).get(newProductId(tee.id))) as { name: string; categoryId: string; variants: { sku: string; price: number; compareAtPrice?: number; cost?: number }[] };
    expect(teeDoc).toMatchObject({ name: 'Summer tee', categoryId: 'category:shopify-501' });
    expect(teeDoc.variants).toMatchObject([
      { sku: 'TEE-S', price: 1999, cost: 600 },
      { sku: 'TEE-M', price: 1999, compareAtPrice: 2500 }
    ]);
    const teeS = variantIdFor(newProductId(tee.id), tee.variants[0]!.id);
    await expect.poll(() => onHand('GM', teeS), VIEW_SETTLES).toBe(7);
    await expect.poll(() => onHand('EA', teeS), VIEW_SETTLES).toBe(3);
    // the matched mug keeps its POS price (price is POS-owned) and gets no opening stock: its stock is the POS's
    expect(((await s.couch.use(catalogDb(t)).get('product:mug')) as { variants: { price: number }[] }).variants[0]!.price).toBe(1100);
    expect(await onHand('GM', 'mug-v01')).toBe(0);
    expect(mug.variants).toHaveLength(1);

    const revs = JSON.stringify((await s.couch.use(catalogDb(t)).list({ startkey: 'product:', endkey: 'product:\ufff0' })).rows.map((r) => r.value));
    const second = await runImport();
    expect(second.status).toBe('done');
    expect(second.written).toEqual({ products: 0, categories: 0, links: 0, openings: 0 });
    expect(second.counts.products).toMatchObject({ create: 0, update: 0, unchanged: 2, skipped: 1 });
    expect(JSON.stringify((await s.couch.use(catalogDb(t)).list({ startkey: 'product:', endkey: 'product:\ufff0' })).rows.map((r) => r.value))).toBe(revs);
    expect(await onHand('GM', teeS)).toBe(7);
  });
});

const hookUrl = () => `${s.url}/api/v1/integrations/shopify/webhooks`;
async function deliver(topic: string, payload: unknown, opts: { webhookId?: string; secret?: string; shop?: string; dropSignature?: boolean } = {}) {
  const body = JSON.stringify(payload);
  const headers = shop.webhookHeaders(topic, body, opts);
  if (opts.dropSignature) delete headers['x-shopify-hmac-sha256'];
  const res = await fetch(hookUrl(), { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as { status?: string; id?: string; error?: string } };
}
async function webhookDoc(id: string) {
  return (await s.couch.use(INTEGRATIONS_DB).get(id)) as { status: string; attempts: number; result: Record<string, unknown> | null };
}

describe('webhooks', () => {
  const order = () => ({
    id: 5234567890123,
    name: '#1001',
    created_at: '2026-12-07T08:00:00-05:00',
    updated_at: '2026-12-07T08:00:01-05:00',
    location_id: Number(warehouse),
    line_items: [{ id: 466157049, variant_id: Number(tee.variants[0]!.id), product_id: Number(tee.id), quantity: 2, sku: 'TEE-S' }],
    refunds: []
  });

  it('refuses a missing or forged signature (401) and an unknown shop (404); records nothing', async () => {
    expect((await deliver('orders/create', order(), { dropSignature: true })).status).toBe(401);
    expect((await deliver('orders/create', order(), { secret: 'shpss_not-the-secret' })).status).toBe(401);
    // a body changed after signing
    const body = JSON.stringify(order());
    const headers = shop.webhookHeaders('orders/create', body);
    expect((await fetch(hookUrl(), { method: 'POST', headers, body: body.replace('"quantity":2', '"quantity":20') })).status).toBe(401);
    expect((await deliver('orders/create', order(), { shop: 'nobody.myshopify.com' })).status).toBe(404);
    const queued = await s.couch.use(INTEGRATIONS_DB).list({ startkey: 'shopify_wh:', endkey: 'shopify_wh:\ufff0' });
    expect(queued.rows).toEqual([]);
  });

  it('an online order moves stock once: a replayed delivery is a duplicate, a redelivery under a new id writes nothing', async () => {
    const teeS = variantIdFor(newProductId(tee.id), tee.variants[0]!.id);
    const started = Date.now();
    const first = await deliver('orders/create', order(), { webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(first).toEqual({ status: 200, body: { status: 'queued', id: expect.stringContaining('b54557e4') } });
    const replay = await deliver('orders/create', order(), { webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
    expect(replay.body.status).toBe('duplicate');
    await expect.poll(async () => (await webhookDoc(first.body.id!)).status, VIEW_SETTLES).toBe('done');
    expect((await webhookDoc(first.body.id!)).result).toMatchObject({ written: 1, skipped: [] });
    await expect.poll(() => onHand('GM', teeS), VIEW_SETTLES).toBe(5);

    const again = await deliver('orders/create', order(), { webhookId: 'c0ffee00-bdd9-4b37-8a5f-bf7d70bcd043' });
    await expect.poll(async () => (await webhookDoc(again.body.id!)).status, VIEW_SETTLES).toBe('done');
    expect((await webhookDoc(again.body.id!)).result).toMatchObject({ written: 0 });
    expect(await onHand('GM', teeS)).toBe(5);
    expect((await webhookDoc(first.body.id!)).attempts).toBe(1);
    await expect
      .poll(async () => json<{ connection: { lastWebhookAt: string | null }; webhooks: Record<string, number> }>(await s.call('GET', '/api/v1/integrations/shopify', { token: owner })), VIEW_SETTLES)
      .toMatchObject({ connection: { lastWebhookAt: expect.any(String) }, webhooks: { done: 2, dead: 0, pending: 0 } });

  });

  it('a refund and the cancellation listing it restock once together', async () => {
    const teeS = variantIdFor(newProductId(tee.id), tee.variants[0]!.id);
    const refund = { id: 929361464, order_id: 5234567890123, created_at: '2026-12-07T09:10:00-05:00', refund_line_items: [{ id: 104689539, line_item_id: 466157049, quantity: 1, restock_type: 'cancel', location_id: Number(warehouse), line_item: { variant_id: Number(tee.variants[0]!.id), product_id: Number(tee.id) } }] };
    const r = await deliver('refunds/create', refund);
    await expect.poll(async () => (await webhookDoc(r.body.id!)).status, VIEW_SETTLES).toBe('done');
    expect((await webhookDoc(r.body.id!)).result).toMatchObject({ written: 1 });
    await expect.poll(() => onHand('GM', teeS), VIEW_SETTLES).toBe(6);
    const cancelled = await deliver('orders/cancelled', { ...order(), cancelled_at: '2026-12-07T09:10:00-05:00', refunds: [refund] });
    await expect.poll(async () => (await webhookDoc(cancelled.body.id!)).status, VIEW_SETTLES).toBe('done');
    expect((await webhookDoc(cancelled.body.id!)).result).toMatchObject({ written: 0 });
    expect(await onHand('GM', teeS)).toBe(6);
  });

  it('inventory levels: an older update arriving late does not overwrite the newer one', async () => {
    const item = tee.variants[1]!.inventoryItemId;
    const newer = await deliver('inventory_levels/update', { inventory_item_id: Number(item), location_id: Number(outlet), available: 9, updated_at: '2026-12-07T09:00:00-05:00' });
    const older = await deliver('inventory_levels/update', { inventory_item_id: Number(item), location_id: Number(outlet), available: 4, updated_at: '2026-12-07T08:59:00-05:00' });
    await expect.poll(async () => (await webhookDoc(older.body.id!)).status, VIEW_SETTLES).toBe('ignored');
    await expect.poll(async () => (await webhookDoc(newer.body.id!)).status, VIEW_SETTLES).toBe('done');
    expect(await s.couch.use(INTEGRATIONS_DB).get(`shopify_level:${t}:${item}:${outlet}`)).toMatchObject({ available: 9, updatedAt: '2026-12-07T09:00:00-05:00' });
  });

  it('products/update follows the ownership rule, and an older update arriving late changes nothing', async () => {
    const newer = { ...tee, title: 'Summer tee (organic)', updatedAt: new Date(Date.now() + 3_600_000).toISOString(), variants: tee.variants.map((v) => ({ ...v, price: '21.00' })) };
    const older = { ...tee, title: 'Stale title', updatedAt: new Date(Date.now() + 1_800_000).toISOString() };
    const a = await deliver('products/update', shop.productPayload(newer));
    await expect.poll(async () => (await webhookDoc(a.body.id!)).status, VIEW_SETTLES).toBe('done');
    const b = await deliver('products/update', shop.productPayload(older));
    await expect.poll(async () => (await webhookDoc(b.body.id!)).status, VIEW_SETTLES).toBe('ignored');
    const doc = (await s.couch.use(catalogDb(t)).get(newProductId(tee.id))) as { name: string; variants: { price: number }[] };
    expect(doc.name).toBe('Summer tee (organic)'); // Shopify owns the title
    expect(doc.variants.map((v) => v.price)).toEqual([1999, 1999]); // the POS owns the price
  });
});

// ---- more sections insert here ----

describe('disconnect', () => {
  it('removes the webhook subscriptions and the sealed token; the shop is free again', async () => {
    const res = await s.call('DELETE', '/api/v1/integrations/shopify', { token: owner });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ connection: { connected: false }, webhooksRemoved: 5 });
    expect(shop.subscriptions).toEqual([]);
    const doc = (await s.couch.use(INTEGRATIONS_DB).get(connectionId(t))) as Record<string, unknown>;
    expect(doc).toMatchObject({ status: 'disconnected', webhooks: [] });
    expect(doc.token).toBeUndefined();
    expect(doc.apiSecret).toBeUndefined();
    expect((await s.call('DELETE', '/api/v1/integrations/shopify', { token: owner })).status).toBe(404);
    expect((await s.call('GET', '/api/v1/integrations/shopify/locations', { token: owner })).status).toBe(404);
  });
});
