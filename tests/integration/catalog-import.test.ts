import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb } from '#domain/db-names.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { login, startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
let t = '';
let owner = '';
let cashier = '';
const PW = 'correct-horse-battery';

const HEAD = 'handle,name,category,tax_category,status,option1_name,option1_value,option2_name,option2_value,sku,barcode,price,cost,active';
const CLEAN = [
  HEAD,
  'tee,Classic Tee,T-shirts,clothing,active,Size,S,Colour,Black,TEE-S-BLK,4006381333931,19.99,7.50,true',
  'tee,Classic Tee,T-shirts,clothing,active,Size,M,Colour,Black,TEE-M-BLK,,19.99,7.50,true',
  'tee,Classic Tee,T-shirts,clothing,active,Size,L,Colour,White,TEE-L-WHT,036000291452,21.00,,true',
  'mug,"Mug, large",Home,standard,active,,,,,MUG-1,,8.50,,true'
].join('\r\n');

function importCsv(csv: string, opts: { token?: string; dryRun?: boolean; type?: string } = {}) {
  return fetch(`${s.url}/api/v1/catalog/import${opts.dryRun ? '?dryRun=1' : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token ?? owner}`, 'content-type': opts.type ?? 'text/csv' },
    body: csv
  });
}

async function productIds(): Promise<string[]> {
  const res = await s.couch.use(catalogDb(t)).list({ startkey: 'product:', endkey: 'product:\ufff0' });
  return res.rows.map((r) => r.id);
}

beforeAll(async () => {
  s = await startTestServer();
  t = (await createTenant({ couch: s.couch }, { name: 'Import Co', adminEmail: 'o@import.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'c@import.test', name: 'C', role: 'cashier', locations: ['GM'], password: PW });
  owner = await login(s, 'o@import.test', PW);
  cashier = await login(s, 'c@import.test', PW);
});

afterAll(async () => {
  await s?.stop();
});

describe('POST /api/v1/catalog/import', () => {
  it('a file with errors answers 422 naming the rows and columns, and writes nothing', async () => {
    const bad = [
      HEAD,
      'tee,Classic Tee,T-shirts,clothing,active,Size,S,,,TEE-S,4006381333932,19.99,,true',
      'tee,Classic Tee,T-shirts,clothing,active,Size,M,,,TEE-M,,19.9.9,,true',
      'cap,Cap,Hats,accessories,active,,,,,TEE-S,,5,,true'
    ].join('\r\n');
    for (const dryRun of [true, false]) {
      const res = await importCsv(bad, { dryRun });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: string; message: string; errorCount: number; errors: { row: number; column: string; message: string }[] };
      expect(body.error).toBe('invalid_csv');
      expect(body.message).toMatch(/^3 problems in the file \(first: row 2, column barcode: .*nothing was written$/);
      expect(body.errors.map((e) => [e.row, e.column])).toEqual([
        [2, 'barcode'],
        [3, 'price'],
        [4, 'sku']
      ]);
    }
    expect(await productIds()).toEqual([]);
  });

  it('needs catalog:edit and a CSV body', async () => {
    expect((await importCsv(CLEAN, { token: cashier })).status).toBe(403);
    expect((await fetch(`${s.url}/api/v1/catalog/export`, { headers: { authorization: `Bearer ${cashier}` } })).status).toBe(403);
    expect((await importCsv(CLEAN, { token: 'nope' })).status).toBe(401);
    const json = await importCsv(JSON.stringify({ csv: CLEAN }), { type: 'application/json' });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('a dry run previews; a clean file creates the products; the same file again changes nothing', async () => {
    const preview = await importCsv(CLEAN, { dryRun: true });
    expect(preview.status).toBe(200);
    expect(await preview.json()).toMatchObject({
      dryRun: true,
      counts: { products: { create: 2, update: 0, unchanged: 0 }, variants: { create: 4, update: 0, unchanged: 0 }, categories: { create: 2 }, rows: 4 },
      changes: [
        { handle: 'tee', action: 'create' },
        { handle: 'mug', action: 'create' }
      ],
      written: { products: 0, categories: 0 }
    });
    expect(await productIds()).toEqual([]);

    const res = await importCsv(CLEAN);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dryRun: false, counts: { products: { create: 2 } }, written: { products: 2, categories: 2 } });
    expect(await productIds()).toEqual(['product:mug', 'product:tee']);
    const tee = (await s.couch.use(catalogDb(t)).get('product:tee')) as unknown as { _rev: string; categoryId: string; variants: { id: string; sku: string; price: number }[]; updatedBy: string };
    expect(tee.categoryId).toBe('category:t-shirts');
    expect(tee.variants.map((v) => v.id)).toEqual(['tee-1', 'tee-2', 'tee-3']);
    expect(tee.updatedBy).toMatch(/^user:/);
    expect(await s.couch.use(catalogDb(t)).get('category:t-shirts')).toMatchObject({ type: 'category', name: 'T-shirts' });

    const again = await importCsv(CLEAN);
    expect(await again.json()).toMatchObject({ counts: { products: { create: 0, update: 0, unchanged: 2 }, categories: { create: 0 } }, changes: [], written: { products: 0, categories: 0 } });
    expect(((await s.couch.use(catalogDb(t)).get('product:tee')) as { _rev: string })._rev).toBe(tee._rev);
  });

  it('a changed price is one update of that product, with its revision, stamps and the variant ids kept', async () => {
    const before = (await s.couch.use(catalogDb(t)).get('product:tee')) as unknown as { _rev: string };
    const res = await importCsv(CLEAN.replace('TEE-M-BLK,,19.99', 'TEE-M-BLK,,24.99'));
    expect(await res.json()).toMatchObject({
      counts: { products: { create: 0, update: 1, unchanged: 1 }, variants: { create: 0, update: 1, unchanged: 3 } },
      changes: [{ handle: 'tee', action: 'update', fields: ['variants'] }],
      written: { products: 1 }
    });
    const after = (await s.couch.use(catalogDb(t)).get('product:tee')) as unknown as { _rev: string; variants: { id: string; price: number }[]; fieldTimes: Record<string, string>; updatedAt: string };
    expect(after._rev.startsWith('2-')).toBe(true);
    expect(after._rev).not.toBe(before._rev);
    expect(after.variants[1]).toMatchObject({ id: 'tee-2', price: 2499 });
    expect(after.fieldTimes.variants).toBe(after.updatedAt);
  });

  it('export → re-import is a round trip with no changes', async () => {
    const res = await fetch(`${s.url}/api/v1/catalog/export`, { headers: { authorization: `Bearer ${owner}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await res.text();
    expect(csv.split('\r\n')[0]).toMatch(/^handle,name,category,tax_category,status,option1_name/);
    expect(csv).toContain('tee,Classic Tee,T-shirts,clothing,active,Size,M,Colour,Black,,,TEE-M-BLK,,24.99,7.50,true');
    expect(csv).toContain('mug,"Mug, large",Home,standard,active');
    const again = await importCsv(csv);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ counts: { products: { create: 0, update: 0, unchanged: 2 }, variants: { unchanged: 4 } }, written: { products: 0, categories: 0 } });
  });
});
