import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { designDocsFor } from '../../../../../couch-design-docs/index.ts';
import { productSchema } from '../schemas/catalog.ts';
import {
  buildProduct,
  cancelledOrderMovements,
  driftLines,
  htmlToText,
  isStale,
  ledgerDeltas,
  missingScopes,
  moneyToMinor,
  nextAttempt,
  normaliseShopDomain,
  numericId,
  orderMovements,
  orderPayload,
  ownerOf,
  planShopifyImport,
  posOwnedSnapshot,
  productFromPayload,
  productPayload,
  pushChanges,
  pushIdempotencyKey,
  notStockedIndexes,
  refundMovements,
  refundPayload,
  textToHtml,
  mappingInput,
  type ImportInput,
  type ProductDoc,
  type ShopifyProduct,
  type StockContext
} from './index.ts';

const NOW = '2026-12-05T10:00:00.000Z';

function shopProduct(id: string, over: Partial<ShopifyProduct> = {}): ShopifyProduct {
  return {
    id,
    title: `Tee ${id}`,
    description: 'Soft cotton',
    status: 'ACTIVE',
    updatedAt: '2026-12-01T00:00:00Z',
    options: [{ name: 'Size', values: ['S', 'M'] }],
    variants: [
      { id: `${id}1`, inventoryItemId: `9${id}1`, sku: `TEE-${id}-S`, barcode: null, price: '19.99', compareAtPrice: '24.00', cost: '8.50', taxable: true, options: { Size: 'S' } },
      { id: `${id}2`, inventoryItemId: `9${id}2`, sku: `TEE-${id}-M`, barcode: '4006381333931', price: '19.99', compareAtPrice: null, cost: null, taxable: true, options: { Size: 'M' } }
    ],
    collections: [{ id: '77', title: 'Tees' }],
    image: { key: 'https://cdn/x.png', url: 'https://cdn/x.png?v=1' },
    levels: { [`9${id}1`]: { '500': 4 }, [`9${id}2`]: { '500': 0 } },
    ...over
  };
}

const base = (over: Partial<ImportInput> = {}): ImportInput => ({
  shopify: [shopProduct('10')],
  products: [],
  categories: [],
  maps: [],
  ownership: { mode: 'shopify' },
  digits: 2,
  now: NOW,
  actor: 'user:u1',
  tenantId: 'acme',
  locations: [{ code: 'GM', shopifyLocationId: '500' }],
  ...over
});

/** What the server does with a plan: write the documents, so the next plan sees them. */
function applied(input: ImportInput): ImportInput {
  const plan = planShopifyImport(input);
  const products = new Map(input.products.map((p) => [p._id, p]));
  for (const p of plan.products) products.set(p._id, { ...p, _rev: '1-abc' });
  const maps = new Map(input.maps.map((m) => [m._id, m]));
  for (const m of plan.maps) maps.set(m._id, { ...m, _rev: '1-abc' });
  return { ...input, products: [...products.values()], maps: [...maps.values()], categories: [...input.categories, ...plan.categories] };
}

describe('ids and settings', () => {
  it('reads numeric ids from GIDs and webhooks alike', () => {
    expect(numericId('gid://shopify/Product/123')).toBe('123');
    expect(numericId(456)).toBe('456');
    expect(() => numericId('gid://other/1x')).toThrow();
  });
  it('normalises shop domains', () => {
    expect(normaliseShopDomain('ACME')).toBe('acme.myshopify.com');
    expect(normaliseShopDomain('https://acme.myshopify.com/admin')).toBe('acme.myshopify.com');
    expect(normaliseShopDomain('evil.com')).toBeNull();
    expect(normaliseShopDomain('a.myshopify.com.evil.com')).toBeNull();
  });
  it('counts write scopes as their read scope', () => {
    expect(missingScopes(['write_products', 'write_inventory', 'read_locations', 'read_orders'])).toEqual([]);
    expect(missingScopes(['read_products'])).toEqual(['write_products', 'read_inventory', 'write_inventory', 'read_locations', 'read_orders']);
  });
  it('resolves field ownership', () => {
    expect(ownerOf({ mode: 'pos' }, 'price')).toBe('pos');
    expect(ownerOf({ mode: 'fields', fields: { price: 'pos' } }, 'price')).toBe('pos');
    expect(ownerOf({ mode: 'fields', fields: { price: 'pos' } }, 'name')).toBe('shopify');
  });
  it('refuses one Shopify location for two stores, and an unmapped order store', () => {
    const r = mappingInput.safeParse({ locations: [{ code: 'GM', shopifyLocationId: '1' }, { code: 'HM', shopifyLocationId: '1' }], orderLocation: 'LM', ownership: { mode: 'shopify' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['locations.1.shopifyLocationId', 'orderLocation']);
  });
});

describe('values', () => {
  it.each([
    ['19.99', 1999],
    ['20.0', 2000],
    ['5.000', 500],
    ['0', 0],
    ['1.999', null],
    ['-1', null],
    ['abc', null]
  ])('money %s → %s', (v, want) => expect(moneyToMinor(v, 2)).toBe(want));
  it('keeps description text through HTML both ways', () => {
    const text = 'Soft & light\nWash <30°';
    expect(htmlToText(textToHtml(text))).toBe(text);
    expect(htmlToText('<p>One&nbsp;<b>two</b></p><p>three</p>')).toBe('One two\nthree');
  });
});

describe('planShopifyImport', () => {
  it('creates a product, its collection category, image and opening stock', () => {
    const plan = planShopifyImport(base());
    expect(plan.counts).toEqual({ products: { create: 1, update: 0, unchanged: 0, skipped: 0 }, variants: { create: 2, update: 0, unchanged: 0 }, categories: { create: 1 }, images: 1, stockLevels: 1 });
    const p = plan.products[0]!;
    expect(productSchema.parse(p)).toBeTruthy();
    expect(p).toMatchObject({ _id: 'product:sh-10', name: 'Tee 10', categoryId: 'category:shopify-77', status: 'active', taxCategory: 'standard', options: [{ name: 'Size', values: ['S', 'M'] }] });
    expect(p.variants[0]).toMatchObject({ id: 'sh-10-101', sku: 'TEE-10-S', price: 1999, compareAtPrice: 2400, cost: 850 });
    expect(p.variants[1]).toMatchObject({ barcode: '4006381333931' });
    expect(plan.openings).toEqual([{ locationCode: 'GM', variantId: 'sh-10-101', qty: 4 }]);
    expect(plan.maps[0]).toMatchObject({ productId: 'product:sh-10', shopifyProductId: '10', variants: [{ shopifyVariantId: '101', inventoryItemId: '9101', variantId: 'sh-10-101', created: true }, expect.anything()] });
  });

  it('is idempotent: a second run on the same store plans no writes', () => {
    const once = applied(base());
    const again = planShopifyImport(once);
    expect(again.products).toEqual([]);
    expect(again.maps).toEqual([]);
    expect(again.categories).toEqual([]);
    expect(again.counts.products).toEqual({ create: 0, update: 0, unchanged: 1, skipped: 0 });
    // openings are planned again and skipped by the server because their derived ids exist
    expect(again.openings).toEqual([{ locationCode: 'GM', variantId: 'sh-10-101', qty: 4 }]);
  });

  const posTee: ProductDoc = productSchema.parse({
    _id: 'product:nx-1',
    type: 'product',
    name: 'Our tee',
    categoryId: 'category:tees',
    taxCategory: 'clothing',
    options: [{ name: 'Size', values: ['S'] }],
    variants: [{ id: 'nx-1-v01', sku: 'TEE-10-S', options: { Size: 'S' }, price: 1500, active: true }],
    status: 'active',
    updatedAt: NOW,
    updatedBy: 'user:u1',
    _rev: '3-abc'
  });

  it('matches by SKU and applies the ownership rule: Shopify owns → its values win', () => {
    const plan = planShopifyImport(base({ products: [posTee] }));
    expect(plan.counts.products.update).toBe(1);
    const p = plan.products[0]!;
    expect(p._id).toBe('product:nx-1');
    expect(p._rev).toBe('3-abc');
    expect(p.name).toBe('Tee 10');
    expect(p.taxCategory).toBe('clothing'); // never Shopify's
    expect(p.variants.map((v) => [v.id, v.price])).toEqual([
      ['nx-1-v01', 1999],
      ['nx-1-sh102', 1999]
    ]);
    expect(p.options).toEqual([{ name: 'Size', values: ['S', 'M'] }]);
    // only the variant the import created gets opening stock; the matched one keeps the POS ledger
    expect(plan.maps[0]!.variants.map((v) => [v.variantId, v.created])).toEqual([
      ['nx-1-v01', false],
      ['nx-1-sh102', true]
    ]);
  });

  it('POS owns → the POS values stay, and the snapshot says Shopify differs (the push will send ours)', () => {
    const plan = planShopifyImport(base({ products: [posTee], ownership: { mode: 'pos' } }));
    const p = plan.products[0]!;
    expect(p.name).toBe('Our tee');
    expect(p.variants[0]!.price).toBe(1500);
    expect(plan.maps[0]!.syncedHash).not.toBe(posOwnedSnapshot(p, { mode: 'pos' }, new Set(['nx-1-v01', 'nx-1-sh102'])));
  });

  it('per field: price from the POS, the rest from Shopify', () => {
    const plan = planShopifyImport(base({ products: [posTee], ownership: { mode: 'fields', fields: { price: 'pos' } } }));
    const p = plan.products[0]!;
    expect(p.name).toBe('Tee 10');
    expect(p.variants[0]!.price).toBe(1500);
  });

  it('lists a product whose variants match two POS products as a conflict and skips it', () => {
    const other = productSchema.parse({ ...posTee, _id: 'product:nx-2', variants: [{ id: 'nx-2-v01', sku: 'TEE-10-M', options: {}, price: 1, active: true }] });
    const plan = planShopifyImport(base({ products: [posTee, other] }));
    expect(plan.counts.products.skipped).toBe(1);
    expect(plan.conflicts[0]!.message).toMatch(/match 2 different POS products/);
    expect(plan.products).toEqual([]);
  });

  it('warns about a barcode that is not a GTIN and imports without it', () => {
    const sp = shopProduct('11');
    sp.variants[0]!.barcode = '12345';
    const plan = planShopifyImport(base({ shopify: [sp] }));
    expect(plan.warnings[0]!.message).toMatch(/not a valid GTIN/);
    expect(plan.products[0]!.variants[0]!.barcode).toBeUndefined();
  });

  it('conflicts on a price that is not an amount', () => {
    const sp = shopProduct('12');
    sp.variants[0]!.price = '1.999';
    const plan = planShopifyImport(base({ shopify: [sp] }));
    expect(plan.conflicts[0]!.message).toMatch(/price "1.999"/);
  });
});

describe('webhook payloads', () => {
  const payload = productPayload.parse({
    id: 10,
    title: 'Tee 10 renamed',
    body_html: '<p>Soft cotton</p>',
    status: 'active',
    updated_at: '2026-12-02T00:00:00-05:00',
    options: [{ name: 'Size', values: ['S', 'M'] }],
    variants: [
      { id: 101, sku: 'TEE-10-S', price: '21.00', compare_at_price: null, inventory_item_id: 9101, option1: 'S', taxable: true },
      { id: 102, sku: 'TEE-10-M', price: '21.00', inventory_item_id: 9102, option1: 'M' }
    ],
    image: { id: 5, src: 'https://cdn/x.png?v=2' }
  });
  it('normalises a product payload (no collections, no cost: both unknown)', () => {
    const p = productFromPayload(payload);
    expect(p).toMatchObject({ id: '10', title: 'Tee 10 renamed', collections: null, image: { key: 'https://cdn/x.png' } });
    expect(p.variants[0]).toMatchObject({ id: '101', inventoryItemId: '9101', options: { Size: 'S' }, price: '21.00' });
    expect(p.variants[0]!.cost).toBeUndefined();
  });
  it('keeps the POS category and cost when the webhook cannot say', () => {
    const once = applied(base());
    const existing = once.products[0]!;
    const map = once.maps[0]!;
    const built = buildProduct(productFromPayload(payload), existing, new Map(map.variants.map((v) => [v.shopifyVariantId, v.variantId])), { ownership: { mode: 'shopify' }, digits: 2, now: NOW, actor: 'x' }, []);
    expect(built!.doc).toMatchObject({ name: 'Tee 10 renamed', categoryId: 'category:shopify-77' });
    expect(built!.doc.variants[0]).toMatchObject({ price: 2100, cost: 850 });
    expect(built!.doc.imageId).toBe(existing.imageId); // same image URL without the query
  });
  it('orders payloads by updated_at as instants', () => {
    expect(isStale('2026-12-02T00:00:00-05:00', '2026-12-02T06:00:00Z')).toBe(true);
    expect(isStale('2026-12-02T00:00:00-05:00', '2026-12-02T04:00:00Z')).toBe(false);
    expect(isStale('2026-12-02T04:00:00Z', '2026-12-02T00:00:00-05:00')).toBe(true);
    expect(isStale('2026-12-02T06:00:00Z', null)).toBe(false);
  });
  it('retries with backoff, then dead-letters', () => {
    expect(nextAttempt(1, 0)).toEqual({ dead: false, at: 5_000 });
    expect(nextAttempt(7, 0)).toEqual({ dead: false, at: 7_200_000 });
    expect(nextAttempt(8, 0).dead).toBe(true);
  });
});

describe('stock', () => {
  const onHandMap = (() => {
    const src = designDocsFor('location').find((d) => d._id === '_design/stock')!.views!.on_hand!.map;
    return (doc: object) => {
      const out: [unknown, number][] = [];
      (new Function('emit', `return (${src});`)((k: unknown, v: number) => out.push([k, v])) as (d: object) => void)(doc);
      return out;
    };
  })();
  const docs = [
    { _id: 'sale:r1:a', type: 'sale', locationCode: 'GM', lines: [{ variantId: 'v1', qty: 2 }, { variantId: 'v2', qty: -1 }] },
    { _id: 'void:r1:a', type: 'void', locationCode: 'GM', lines: [{ variantId: 'v1', qty: 2 }] },
    { _id: 'movement:adj:x', type: 'stock_movement', locationCode: 'GM', reason: 'damage', lines: [{ variantId: 'v1', qty: -1 }] },
    { _id: 'movement:transfer_out:y', type: 'stock_movement', locationCode: 'GM', reason: 'transfer_out', lines: [{ variantId: 'v2', qty: -3 }] },
    { _id: 'layaway:r1:z', type: 'layaway', locationCode: 'GM', lines: [{ variantId: 'v1', qty: 1 }] },
    // a return: one line back on the shelf, one damaged line kept off it (moves nothing)
    { _id: 'sale:r1:b', type: 'sale', locationCode: 'GM', lines: [{ variantId: 'v1', qty: -1, restock: true }, { variantId: 'v2', qty: -1, restock: false }] }
  ];
  it('moves exactly what the on_hand view sums', () => {
    for (const d of docs) expect(ledgerDeltas(d).map((x) => [[x.locationCode, x.variantId], x.qty])).toEqual(onHandMap(d));
  });
  it('never pushes back what came from Shopify', () => {
    const fromShopify = { _id: 'movement:shopify:order:1:2', type: 'stock_movement', locationCode: 'GM', reason: 'online_order', lines: [{ variantId: 'v1', qty: -1 }] };
    expect(onHandMap(fromShopify)).toHaveLength(1);
    expect(ledgerDeltas(fromShopify)).toEqual([]);
  });
  it('names a push batch by its range: the same batch the same key, another batch another', () => {
    const h = (x: string) => createHash('sha256').update(x).digest('hex');
    const ch = [{ inventoryItemId: '9', shopifyLocationId: '5', delta: -2 }];
    const k = pushIdempotencyKey(h, 't1', 'GM', '10', '20', 0, ch);
    expect(k).toBe(pushIdempotencyKey(h, 't1', 'GM', '10', '20', 0, [{ ...ch[0]! }]));
    const others = [
      pushIdempotencyKey(h, 't1', 'GM', '10', '21', 0, ch),
      pushIdempotencyKey(h, 't1', 'EA', '10', '20', 0, ch),
      pushIdempotencyKey(h, 't1', 'GM', '10', '20', 1, ch),
      pushIdempotencyKey(h, 't1', 'GM', '10', '20', 0, [])
    ];
    expect(new Set([k, ...others]).size).toBe(5);
    expect(k).toMatch(/^[A-Za-z0-9:_-]{1,200}$/);
  });
  it('finds the changes Shopify refused as not stocked, and only when that is all it refused', () => {
    const notStocked = (i: number) => ({ field: ['input', 'changes', String(i), 'locationId'], code: 'ITEM_NOT_STOCKED_AT_LOCATION' });
    expect(notStockedIndexes([notStocked(2), notStocked(0)])).toEqual([0, 2]);
    expect(notStockedIndexes([notStocked(1), { field: null, code: 'INVALID_REASON' }])).toBeNull();
    expect(notStockedIndexes([])).toBeNull();
  });
  it('sums a page into one delta per inventory item, in a stable order', () => {
    const items: Record<string, string> = { v1: '9001', v2: '9002' };
    const r = pushChanges(docs, (v) => items[v], (c) => (c === 'GM' ? '500' : undefined));
    expect(r.changes).toEqual([
      { inventoryItemId: '9002', shopifyLocationId: '500', delta: -2 }
    ]);
    expect(pushChanges([...docs].reverse(), (v) => items[v], () => '500').changes).toEqual(r.changes);
    expect(pushChanges(docs, () => undefined, () => '500').unmapped).toEqual(['v1', 'v2']);
  });

  const ctx: StockContext = {
    variantOf: (p, v) => (p === '10' && v ? ({ '101': 'sh-10-101', '102': 'sh-10-102' } as Record<string, string>)[v] : undefined),
    storeOf: (l) => (l === '501' ? 'HM' : 'GM')
  };
  const order = orderPayload.parse({
    id: 7001,
    name: '#1001',
    created_at: '2026-12-05T09:00:00Z',
    updated_at: '2026-12-05T09:00:00Z',
    line_items: [
      { id: 1, variant_id: 101, product_id: 10, quantity: 2 },
      { id: 2, variant_id: 999, product_id: 99, quantity: 1 }
    ],
    refunds: []
  });
  it('an order line leaves the order store once (derived id); unlinked lines are listed', () => {
    const plan = orderMovements(order, ctx);
    expect(plan.movements).toEqual([expect.objectContaining({ _id: 'movement:shopify:order:7001:1', locationCode: 'GM', reason: 'online_order', lines: [{ variantId: 'sh-10-101', qty: -2 }] })]);
    expect(plan.skipped).toEqual([{ line: '2', reason: expect.stringMatching(/not linked/) }]);
  });
  it('a restocking refund line comes back; a no-restock one does not', () => {
    const refund = refundPayload.parse({
      id: 8001,
      order_id: 7001,
      created_at: '2026-12-05T10:00:00Z',
      refund_line_items: [
        { id: 11, line_item_id: 1, quantity: 1, restock_type: 'return', location_id: 501, line_item: { variant_id: 101, product_id: 10 } },
        { id: 12, line_item_id: 1, quantity: 1, restock_type: 'no_restock', line_item: { variant_id: 101, product_id: 10 } }
      ]
    });
    const plan = refundMovements(refund, () => undefined, ctx);
    expect(plan.movements).toEqual([expect.objectContaining({ _id: 'movement:shopify:refund:8001:11', locationCode: 'HM', lines: [{ variantId: 'sh-10-101', qty: 1 }] })]);
  });
  it('a cancelled order names the same ids as its order and refunds (so any arrival order applies once)', () => {
    const cancelled = orderPayload.parse({
      ...order,
      cancelled_at: '2026-12-05T11:00:00Z',
      refunds: [{ id: 8002, order_id: 7001, created_at: '2026-12-05T11:00:00Z', refund_line_items: [{ id: 13, line_item_id: 1, quantity: 2, restock_type: 'cancel' }] }]
    });
    const ids = cancelledOrderMovements(cancelled, ctx).movements.map((m) => [m._id, m.lines[0]!.qty]);
    expect(ids).toEqual([
      ['movement:shopify:order:7001:1', -2],
      ['movement:shopify:refund:8002:13', 2]
    ]);
  });
  it('drift lists only differing, stocked variants', () => {
    const lines = driftLines(
      [
        { variantId: 'a', inventoryItemId: '1' },
        { variantId: 'b', inventoryItemId: '2' },
        { variantId: 'c', inventoryItemId: '3' }
      ],
      'GM',
      new Map([
        ['a', 5],
        ['b', 2]
      ]),
      new Map([
        ['1', 5],
        ['2', 4]
      ])
    );
    expect(lines).toEqual([{ locationCode: 'GM', variantId: 'b', inventoryItemId: '2', pos: 2, shopify: 4, diff: -2 }]);
  });
});
