import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb } from '#domain/db-names.ts';
import { isValidGtin } from '#domain/gtin.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { makeProduct } from '../support/fixtures.ts';
import { login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';

let s: TestServer;
let t = '';
let manager = '';
let cashier = '';
let clerk = '';
const PW = 'correct-horse-battery';

interface Product {
  _id: string;
  _rev: string;
  name: string;
  status: string;
  categoryId: string;
  options: { name: string; values: string[] }[];
  variants: { id: string; sku: string; barcode?: string; price: number; options: Record<string, string> }[];
}
const json = async <T>(res: Response) => (await res.json()) as T;

const body = (over: Record<string, unknown> = {}) => ({
  name: 'Oxford Shirt',
  categoryId: 'category:shirts',
  taxCategory: 'clothing',
  options: [
    { name: 'Size', values: ['S', 'M'] },
    { name: 'Colour', values: ['White', 'Blue'] },
    { name: 'Fit', values: ['Regular', 'Slim'] }
  ],
  variants: ['S', 'M'].flatMap((size) =>
    ['White', 'Blue'].flatMap((colour) => ['Regular', 'Slim'].map((fit) => ({ sku: `OX-${size}-${colour}-${fit}`.toUpperCase(), options: { Size: size, Colour: colour, Fit: fit }, price: 4900, cost: 1800 })))
  ),
  ...over
});

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Edit Co', plan: 'pro', adminEmail: 'o@edit.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@edit.test', name: 'Manager', role: 'manager', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 'c@edit.test', name: 'Cashier', role: 'cashier', locations: ['GM'], password: PW });
  await createStaffUser({ couch: s.couch }, t, { email: 's@edit.test', name: 'Clerk', role: 'stock_clerk', locations: ['GM'], password: PW });
  manager = await login(s, 'm@edit.test', PW);
  cashier = await login(s, 'c@edit.test', PW);
  clerk = await login(s, 's@edit.test', PW);
  const db = s.couch.use(catalogDb(t));
  await db.insert({ _id: 'category:shirts', type: 'category', name: 'Shirts', updatedAt: new Date().toISOString(), updatedBy: 'user:test' });
  // someone else's product holding a SKU and a barcode
  await db.insert({ ...makeProduct('product:other'), variants: [{ id: 'other-v01', sku: 'TAKEN-1', barcode: '4006381333931', options: { Size: 'M' }, price: 1000, active: true }] });
});

afterAll(async () => {
  await s?.stop();
});

describe('catalog editing API', () => {
  let product: Product;

  it('a cashier and a stock clerk (no catalog:edit) are refused every endpoint', async () => {
    for (const token of [cashier, clerk]) {
      for (const [method, path, b] of [
        ['GET', '/api/v1/catalog/products', undefined],
        ['POST', '/api/v1/catalog/products', body()],
        ['PUT', '/api/v1/catalog/products/other', { ...body(), _rev: '1-a' }],
        ['POST', '/api/v1/catalog/products/other/archive', {}],
        ['POST', '/api/v1/catalog/barcodes', {}],
        ['GET', '/api/v1/catalog/categories', undefined],
        ['POST', '/api/v1/catalog/categories', { name: 'X' }]
      ] as const) {
        const res = await s.call(method, path, { token, body: b });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect((await json<{ message: string }>(res)).message).toMatch(/catalog:edit/);
      }
    }
    expect((await s.call('GET', '/api/v1/catalog/products')).status).toBe(401);
  });

  it('a manager creates a size × colour × fit product; ids are assigned under the product', async () => {
    const res = await s.call('POST', '/api/v1/catalog/products', { token: manager, body: body() });
    expect(res.status).toBe(201);
    product = (await json<{ product: Product }>(res)).product;
    expect(product._id).toMatch(/^product:[0-9a-z]{26}$/);
    expect(product.variants).toHaveLength(8);
    const suffix = product._id.slice('product:'.length);
    expect(product.variants.map((v) => v.id)).toEqual(Array.from({ length: 8 }, (_, i) => `${suffix}-v0${i + 1}`));
    const stored = (await s.couch.use(catalogDb(t)).get(product._id)) as unknown as Product & { updatedBy: string };
    expect(stored.updatedBy).toMatch(/^user:/);
    expect(stored.variants[7]).toMatchObject({ sku: 'OX-M-BLUE-SLIM', price: 4900 });
  });

  it('SKUs and barcodes are unique in the catalog, with errors naming the clash', async () => {
    const dupSku = body({ name: 'Dup', variants: [{ sku: 'TAKEN-1', options: {}, price: 100 }], options: [] });
    let res = await s.call('POST', '/api/v1/catalog/products', { token: manager, body: dupSku });
    expect(res.status).toBe(409);
    expect((await json<{ message: string }>(res)).message).toBe('SKU TAKEN-1 is already used by product other (variant other-v01)');

    // the same GTIN written as GTIN-14
    const dupCode = body({ name: 'Dup', variants: [{ sku: 'NEW-1', barcode: '04006381333931', options: {}, price: 100 }], options: [] });
    res = await s.call('POST', '/api/v1/catalog/products', { token: manager, body: dupCode });
    expect(res.status).toBe(409);
    expect((await json<{ message: string }>(res)).message).toMatch(/Barcode 04006381333931 is already used by product other \(variant other-v01\)/);

    const inside = body({ name: 'Dup', variants: [{ sku: 'A', options: { S: '1' }, price: 1 }, { sku: 'a', options: { S: '2' }, price: 1 }], options: [{ name: 'S', values: ['1', '2'] }] });
    res = await s.call('POST', '/api/v1/catalog/products', { token: manager, body: inside });
    expect(res.status).toBe(409);
    expect((await json<{ message: string }>(res)).message).toMatch(/SKU a is used by variants 1 and 2/);

    const badCheck = body({ name: 'Bad', variants: [{ sku: 'B-1', barcode: '4006381333932', options: {}, price: 1 }], options: [] });
    res = await s.call('POST', '/api/v1/catalog/products', { token: manager, body: badCheck });
    expect(res.status).toBe(400);
    expect((await json<{ message: string }>(res)).message).toMatch(/barcode.*check digit/);
  });

  it('generated barcodes are valid restricted-circulation EAN-13s nobody uses', async () => {
    const res = await s.call('POST', '/api/v1/catalog/barcodes', { token: manager, body: { count: 3 } });
    expect(res.status).toBe(200);
    const { barcodes } = await json<{ barcodes: string[] }>(res);
    expect(barcodes).toHaveLength(3);
    expect(new Set(barcodes).size).toBe(3);
    for (const b of barcodes) {
      expect(b).toMatch(/^2\d{12}$/);
      expect(isValidGtin(b)).toBe(true);
    }
  });

  it('an update with the current revision is saved; a stale one is 409 with a clear message', async () => {
    const variants = product.variants.map((v, i) => (i === 0 ? { ...v, price: 5900, barcode: '2000000000015' } : v));
    const upd = { ...body(), variants, _rev: product._rev };
    let res = await s.call('PUT', `/api/v1/catalog/products/${encodeURIComponent(product._id)}`, { token: manager, body: upd });
    expect(res.status).toBe(200);
    const saved = (await json<{ product: Product }>(res)).product;
    expect(saved.variants[0]).toMatchObject({ id: product.variants[0]!.id, price: 5900, barcode: '2000000000015' });
    expect(saved._rev).not.toBe(product._rev);

    res = await s.call('PUT', `/api/v1/catalog/products/${encodeURIComponent(product._id)}`, { token: manager, body: { ...upd, name: 'Lost edit' } });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ error: 'stale_revision', message: expect.stringMatching(/changed by someone else since you opened it/) });
    expect(((await s.couch.use(catalogDb(t)).get(product._id)) as unknown as Product).name).toBe('Oxford Shirt');
    product = saved;
  });

  it('a variant id of another product is refused', async () => {
    const variants = [...product.variants.slice(0, 7), { ...product.variants[7]!, id: 'other-v01' }];
    const res = await s.call('PUT', `/api/v1/catalog/products/${encodeURIComponent(product._id)}`, { token: manager, body: { ...body(), variants, _rev: product._rev } });
    expect(res.status).toBe(400); // the schema: variant ids start with the product's own id
  });

  it('archive and unarchive; list with search, filters and pages', async () => {
    let res = await s.call('POST', `/api/v1/catalog/products/${product._id.slice(8)}/archive`, { token: manager, body: { _rev: product._rev } });
    expect(res.status).toBe(200);
    product = (await json<{ product: Product }>(res)).product;
    expect(product.status).toBe('archived');

    const list = async (qs: string) => json<{ total: number; items: { _id: string; name: string; status: string; variantCount: number }[] }>(await s.call('GET', `/api/v1/catalog/products?${qs}`, { token: manager }));
    expect((await list('status=archived')).items.map((p) => p._id)).toEqual([product._id]);
    expect((await list('status=active')).items.map((p) => p._id)).toEqual(['product:other']);
    expect((await list('q=oxford')).items[0]).toMatchObject({ name: 'Oxford Shirt', variantCount: 8, status: 'archived' });
    expect((await list('q=OX-M-BLUE')).total).toBe(1);
    expect((await list('q=2000000000015')).total).toBe(1);
    expect((await list('category=category:shirts')).total).toBe(1);
    const p2 = await list('pageSize=1&page=2');
    expect(p2.total).toBe(2);
    expect(p2.items).toHaveLength(1);
    expect((await s.call('GET', '/api/v1/catalog/products?pageSize=5000', { token: manager })).status).toBe(400);

    res = await s.call('POST', `/api/v1/catalog/products/${product._id.slice(8)}/unarchive`, { token: manager, body: { _rev: '1-0000' } });
    expect(res.status).toBe(409);
    res = await s.call('POST', `/api/v1/catalog/products/${product._id.slice(8)}/unarchive`, { token: manager, body: {} });
    expect((await json<{ product: Product }>(res)).product.status).toBe('active');
    expect((await s.call('GET', '/api/v1/catalog/products/nope', { token: manager })).status).toBe(404);
  });

  it('categories: create, rename with revision, refuse a duplicate name and deleting one in use', async () => {
    let res = await s.call('POST', '/api/v1/catalog/categories', { token: manager, body: { name: 'Knitwear' } });
    expect(res.status).toBe(201);
    const knit = (await json<{ category: { _id: string; _rev: string } }>(res)).category;
    expect(knit._id).toBe('category:knitwear');
    expect((await s.call('POST', '/api/v1/catalog/categories', { token: manager, body: { name: 'knitwear' } })).status).toBe(409);

    res = await s.call('PUT', `/api/v1/catalog/categories/knitwear`, { token: manager, body: { name: 'Knits', _rev: knit._rev } });
    expect(res.status).toBe(200);
    const renamed = (await json<{ category: { _rev: string; name: string } }>(res)).category;
    expect(renamed.name).toBe('Knits');
    expect((await s.call('PUT', `/api/v1/catalog/categories/knitwear`, { token: manager, body: { name: 'Again', _rev: knit._rev } })).status).toBe(409);

    const cats = await json<{ categories: { _id: string; productCount: number }[] }>(await s.call('GET', '/api/v1/catalog/categories', { token: manager }));
    expect(cats.categories.find((c) => c._id === 'category:shirts')?.productCount).toBe(1);

    const shirts = (await s.couch.use(catalogDb(t)).get('category:shirts')) as unknown as { _rev: string };
    res = await s.call('DELETE', `/api/v1/catalog/categories/shirts?rev=${shirts._rev}`, { token: manager });
    expect(res.status).toBe(409);
    expect((await json<{ message: string }>(res)).message).toMatch(/1 product still use Shirts/);
    expect((await s.call('DELETE', `/api/v1/catalog/categories/knitwear?rev=${renamed._rev}`, { token: manager })).status).toBe(204);

    // a product must name an existing category
    res = await s.call('POST', '/api/v1/catalog/products', { token: manager, body: body({ categoryId: 'category:knitwear', variants: [{ sku: 'Z-1', options: {}, price: 1 }], options: [] }) });
    expect(res.status).toBe(400);
  });
});

describe('price rules API', () => {
  it('a manager creates, lists, updates (with revision) and deletes a rule; targets must exist; a cashier is refused', async () => {
    const base = { name: 'Shirt week', discount: { kind: 'percent', value: 2000 }, target: { kind: 'category', categoryId: 'category:shirts' }, startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2099-01-01T00:00:00.000Z' };
    expect((await s.call('POST', '/api/v1/catalog/price-rules', { token: cashier, body: base })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/catalog/price-rules', { token: cashier })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/catalog/price-rules', { token: manager, body: { ...base, target: { kind: 'product', productId: 'product:nope' } } })).status).toBe(400);
    expect((await s.call('POST', '/api/v1/catalog/price-rules', { token: manager, body: { ...base, endsAt: '2025-01-01T00:00:00.000Z' } })).status).toBe(400);

    let res = await s.call('POST', '/api/v1/catalog/price-rules', { token: manager, body: base });
    expect(res.status).toBe(201);
    const rule = (await json<{ rule: { _id: string; _rev: string; active: boolean } }>(res)).rule;
    expect(rule).toMatchObject({ _id: expect.stringMatching(/^price_rule:/), active: true });
    // in the catalog database, where registers replicate it from
    expect(await s.couch.use(catalogDb(t)).get(rule._id)).toMatchObject({ type: 'price_rule', discount: { kind: 'percent', value: 2000 } });

    const vip = await s.call('POST', '/api/v1/catalog/price-rules', { token: manager, body: { name: 'VIP', discount: { kind: 'amount', value: 500 }, target: { kind: 'customer_group', group: 'VIP' }, startsAt: '2098-01-01T00:00:00.000Z' } });
    expect(vip.status).toBe(201);
    // the list is read with _all_docs: on a cluster one copy of the shard, which may be a moment behind
    const listed = async () => (await json<{ rules: { name: string; state: string }[] }>(await s.call('GET', '/api/v1/catalog/price-rules', { token: manager }))).rules.map((r) => [r.name, r.state]);
    await expect.poll(listed, VIEW_SETTLES).toEqual([
      ['Shirt week', 'live'],
      ['VIP', 'scheduled']
    ]);

    res = await s.call('PUT', `/api/v1/catalog/price-rules/${encodeURIComponent(rule._id)}`, { token: manager, body: { ...base, active: false, _rev: rule._rev } });
    expect(res.status).toBe(200);
    const off = (await json<{ rule: { _rev: string; active: boolean } }>(res)).rule;
    expect(off.active).toBe(false);
    expect((await s.call('PUT', `/api/v1/catalog/price-rules/${encodeURIComponent(rule._id)}`, { token: manager, body: { ...base, _rev: rule._rev } })).status).toBe(409);
    expect((await s.call('DELETE', `/api/v1/catalog/price-rules/${encodeURIComponent(rule._id)}?rev=${off._rev}`, { token: manager })).status).toBe(204);
  });
});

describe('product images', () => {
  // a 1×1 PNG
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const upload = (token: string, body: Buffer, type: string) =>
    fetch(`${s.url}/api/v1/catalog/images`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: new Uint8Array(body) });

  it('uploads to the media database (never replicated), checks type and size, and a product references it', async () => {
    expect((await upload(cashier, PNG, 'image/png')).status).toBe(403);
    expect((await upload(manager, PNG, 'image/gif')).status).toBe(415);
    expect((await upload(manager, PNG, 'image/jpeg')).status).toBe(400); // the bytes are a PNG
    expect((await upload(manager, Buffer.alloc(2 * 1024 * 1024 + 1, 1), 'image/png')).status).toBe(413);

    const res = await upload(manager, PNG, 'image/png');
    expect(res.status).toBe(201);
    const { imageId } = (await res.json()) as { imageId: string };
    expect(imageId).toMatch(/^image:[0-9a-z]{26}$/);
    // not in the catalog database devices replicate
    await expect(s.couch.use(catalogDb(t)).get(imageId)).rejects.toMatchObject({ statusCode: 404 });

    const img = await s.call('GET', `/api/v1/catalog/images/${encodeURIComponent(imageId)}`, { token: manager });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await img.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await s.call('GET', `/api/v1/catalog/images/${encodeURIComponent(imageId)}`, { token: cashier })).status).toBe(403);
    // the gateway does not serve the media database to anyone
    expect((await s.call('GET', `/db/t-${t}-media/${encodeURIComponent(imageId)}`, { token: manager })).status).toBeGreaterThanOrEqual(400);

    const created = await s.call('POST', '/api/v1/catalog/products', { token: manager, body: body({ name: 'Pictured', imageId, options: [], variants: [{ sku: 'PIC-1', options: {}, price: 100 }] }) });
    expect(created.status).toBe(201);
    const doc = (await json<{ product: { imageId?: string } }>(created)).product;
    expect(doc.imageId).toBe(imageId);
    const missing = await s.call('POST', '/api/v1/catalog/products', { token: manager, body: body({ name: 'Nope', imageId: 'image:0000', options: [], variants: [{ sku: 'PIC-2', options: {}, price: 100 }] }) });
    expect(missing.status).toBe(400);
  });
});
