import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyClient, ShopifyApiError } from '../../server/integrations/shopify/client.ts';
import { FakeShopify } from '../support/fake-shopify.ts';

/**
 * The Shopify adapter (official @shopify/admin-api-client) against the local Admin GraphQL server:
 * every query is validated there against the documented schema subset, paging follows cursors, a
 * refused token is an auth error, and THROTTLED answers are retried after the wait the bucket needs.
 */
const shop = new FakeShopify('client-test.myshopify.com');
let warehouse = '';

beforeAll(async () => {
  await shop.start();
  warehouse = shop.addLocation('Warehouse').id;
  shop.addLocation('Closed shop').isActive = false;
  for (let i = 0; i < 9; i++) {
    shop.addProduct(
      {
        title: `Tee ${i}`,
        descriptionHtml: '<p>Soft &amp; warm</p>',
        options: [{ name: 'Size', values: ['S', 'M'] }],
        collections: [{ id: '77', title: 'Summer' }],
        imageUrl: `https://cdn.shopify.com/tee${i}.jpg?v=1`,
        variants: [
          { sku: `TEE-${i}-S`, price: '19.99', cost: '7.50', options: [{ name: 'Size', value: 'S' }] },
          { sku: `TEE-${i}-M`, price: '19.99', options: [{ name: 'Size', value: 'M' }] }
        ]
      },
      { [warehouse]: 5 + i }
    );
  }
  // a product with more variants than one page holds (50)
  shop.addProduct({ title: 'Many', variants: Array.from({ length: 60 }, (_, i) => ({ sku: `MANY-${i}`, options: [{ name: 'N', value: String(i) }] })), options: [{ name: 'N', values: Array.from({ length: 60 }, (_, i) => String(i)) }] });
});
afterAll(() => shop.stop());

const client = (token = shop.accessToken, sleep?: (ms: number) => Promise<void>) => createShopifyClient({ shop: shop.shop, accessToken: token, apiOrigin: shop.origin, ...(sleep ? { sleep } : {}) });

describe('Shopify client against the local Admin API', () => {
  it('reads the shop, its scopes and active locations', async () => {
    const c = client();
    expect(await c.shopInfo()).toEqual({ name: shop.shopName, domain: shop.shop, currencyCode: 'USD', scopes: shop.scopes });
    expect(await c.locations()).toEqual([{ id: warehouse, name: 'Warehouse', isActive: true }]);
  });

  it('pages products and their variants, normalised for the domain', async () => {
    const pages: number[] = [];
    const products = await client().products((n) => void pages.push(n));
    expect(products).toHaveLength(10);
    expect(pages.length).toBe(3); // 4 per page
    const tee = products[0]!;
    expect(tee).toMatchObject({ title: 'Tee 0', description: 'Soft & warm', status: 'ACTIVE', collections: [{ id: '77', title: 'Summer' }], image: { key: 'https://cdn.shopify.com/tee0.jpg' } });
    expect(tee.variants[0]).toMatchObject({ sku: 'TEE-0-S', price: '19.99', cost: '7.50', options: { Size: 'S' } });
    expect(tee.variants[1]!.cost).toBeNull();
    expect(products[9]!.variants.map((v) => v.sku)).toEqual(Array.from({ length: 60 }, (_, i) => `MANY-${i}`));
  });

  it('reads available stock per inventory item at a location', async () => {
    const levels = await client().levelsAt(warehouse);
    expect(levels.size).toBe(18);
    expect(levels.get(shop.products[3]!.variants[0]!.inventoryItemId)).toBe(8);
  });

  it('creates, lists and deletes webhook subscriptions; adjusts stock once per idempotency key', async () => {
    const c = client();
    const id = await c.createWebhook('ORDERS_CREATE', 'http://127.0.0.1:9/hook');
    expect(await c.webhooks()).toEqual([{ id, topic: 'ORDERS_CREATE', uri: 'http://127.0.0.1:9/hook' }]);
    await c.deleteWebhook(id);
    expect(await c.webhooks()).toEqual([]);
    const item = shop.products[0]!.variants[0]!.inventoryItemId;
    await c.adjustAvailable([{ inventoryItemId: item, locationId: warehouse, delta: -2 }], { reason: 'correction', referenceDocumentUri: 'pos://test/1', idempotencyKey: 'k-1' });
    expect(shop.availableAt(item, warehouse)).toBe(3);
    // a retry under the key is answered as the first call was, and applies nothing (Shopify's idempotency)
    await c.adjustAvailable([{ inventoryItemId: item, locationId: warehouse, delta: -2 }], { reason: 'correction', referenceDocumentUri: 'pos://test/1', idempotencyKey: 'k-1' });
    expect(shop.availableAt(item, warehouse)).toBe(3);
    // the key with other parameters is refused
    await expect(c.adjustAvailable([{ inventoryItemId: item, locationId: warehouse, delta: -3 }], { reason: 'correction', referenceDocumentUri: 'pos://test/1', idempotencyKey: 'k-1' })).rejects.toThrow(/idempotency key/);
    expect(shop.availableAt(item, warehouse)).toBe(3);
  });

  it('a refused token is an auth error', async () => {
    const err = await client('shpat_wrong-token-123').shopInfo().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyApiError);
    expect((err as ShopifyApiError).kind).toBe('auth');
  });

  it('retries THROTTLED answers after the wait the throttle status asks for, and gives up in the end', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    shop.throttleNext = 2;
    const before = shop.throttled;
    expect((await client(shop.accessToken, sleep).shopInfo()).domain).toBe(shop.shop);
    expect(shop.throttled - before).toBe(2);
    expect(waits).toEqual([250, 500]);

    // an empty bucket: the wait is the missing points over the restore rate
    waits.length = 0;
    shop.bucket = { maximumAvailable: 20_000, restoreRate: 1 };
    shop.drainBucket();
    const real = async (ms: number) => {
      waits.push(ms);
      shop.bucket = { maximumAvailable: 20_000, restoreRate: 100_000 };
      await new Promise((r) => setTimeout(r, 20));
    };
    expect((await client(shop.accessToken, real).locations()).length).toBe(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2000); // 2+ points missing at 1 point a second
    shop.bucket = { maximumAvailable: 20_000, restoreRate: 1000 };

    shop.throttleNext = 100;
    const err = await createShopifyClient({ shop: shop.shop, accessToken: shop.accessToken, apiOrigin: shop.origin, sleep, maxThrottleRetries: 3 })
      .shopInfo()
      .catch((e: unknown) => e);
    shop.throttleNext = 0;
    expect((err as ShopifyApiError).kind).toBe('throttled');
  });
});
