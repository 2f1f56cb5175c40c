import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../../../server/demo/catalog-generator.ts';
import { CatalogLookup, entriesFromDoc } from './entries.ts';
import { CatalogIndexStore } from './store.ts';
import { CatalogIndex } from './catalog-index.ts';
import { compactProduct, compactProductSchema, type CompactProduct } from './compact.ts';

const demo = generateDemoCatalog({ seed: 1, locationCodes: ['GM'], now: '2026-11-24T10:00:00.000Z', actor: 'system' });
const products = demo.products;

describe('compact catalog', () => {
  it('finds every variant by any GTIN spelling and by SKU, case-insensitively', () => {
    const lookup = new CatalogLookup();
    lookup.applyDocs(products);
    const variants = products.flatMap((p) => p.variants);
    expect(lookup.size).toBe(variants.length);
    const v = products[3]!.variants[1]!;
    expect(lookup.find(v.barcode!)).toMatchObject({ productId: products[3]!._id, variantId: v.id, price: v.price });
    expect(lookup.find(`0${v.barcode!}`)).toMatchObject({ variantId: v.id }); // GTIN-14 spelling
    expect(lookup.find(v.sku.toLowerCase())).toMatchObject({ variantId: v.id });
    expect(lookup.find('4006381333931')).toBeUndefined();
  });

  it('the wire check takes every row the server builds (with and without cost) and refuses a malformed one', () => {
    const rows = products.map((p) => compactProduct({ ...p, _rev: '1-a' } as never)).filter((r): r is CompactProduct => r !== null);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(compactProductSchema.parse(row)).toEqual(row);
    const withCost: CompactProduct = ['product:c', '1-a', 'Tee', 'standard', 'category:x', [['v1', 'T-1', null, 1200, { size: 'M' }, 450]]];
    expect(compactProductSchema.parse(withCost)).toEqual(withCost);
    expect(compactProductSchema.safeParse(['product:c', '1-a', 'Tee', 'standard', 'category:x', [['v1', 'T-1', null, '12.00', {}]]]).success).toBe(false);
    expect(compactProductSchema.safeParse({ id: 'product:c' }).success).toBe(false);
    expect(compactProductSchema.safeParse(['product:c', '1-a', 'Tee', 'standard', 'category:x', [['v1', 'T-1', null, 1200, { size: 3 }]]]).success).toBe(false);
    expect(compactProductSchema.safeParse(['product:c', '1-a', 'Tee', 'standard', 'category:x', [['v1', 'T-1', null, 1200, {}, 'cheap']]]).success).toBe(false);
    expect(compactProductSchema.safeParse(['product:c', '1-a', 'Tee', 'standard', [['v1', 'T-1', null, 1200, {}]]]).success).toBe(false);
  });

  it('an update replaces a product; archiving or deleting removes it', () => {
    const lookup = new CatalogLookup();
    lookup.applyDocs(products.slice(0, 2));
    const p = products[0]!;
    const sku = p.variants[0]!.sku;
    lookup.applyDocs([{ ...p, name: 'Renamed', variants: p.variants.map((v) => ({ ...v, price: 1 })) }]);
    expect(lookup.find(sku)).toMatchObject({ name: 'Renamed', price: 1 });
    lookup.applyDocs([{ ...p, status: 'archived' }]);
    expect(lookup.find(sku)).toBeUndefined();
    lookup.applyDocs([{ _id: products[1]!._id, _deleted: true }]);
    expect(lookup.size).toBe(0);
    expect(entriesFromDoc({ _id: 'category:x', type: 'category' })).toEqual([]);
  });

  it('persists chunks and an overlay in IndexedDB and loads them back in order', async () => {
    const store = new CatalogIndexStore('t-test-catalog', new IDBFactory(), IDBKeyRange);
    await store.addChunk(0, products.slice(0, 300));
    await store.addChunk(1, [...products.slice(300), ...demo.categories]);
    await store.markComplete(true);
    const changed = { ...products[5]!, variants: products[5]!.variants.map((v) => ({ ...v, price: 999 })) };
    await store.applyChanges([changed, { _id: products[6]!._id, _deleted: true }]);

    const lookup = await store.load();
    expect(await store.isComplete()).toBe(true);
    expect(lookup.size).toBe(products.flatMap((p) => p.variants).length - products[6]!.variants.length);
    expect(lookup.find(products[5]!.variants[0]!.sku)).toMatchObject({ price: 999 });
    expect(lookup.find(products[6]!.variants[0]!.sku)).toBeUndefined();
    store.close();
  });

  it('knows whether it holds the whole catalog: after a snapshot or a finished bootstrap, never after a page of one', async () => {
    const idb = new IDBFactory();
    const open = async (name: string) => {
      const index = new CatalogIndex(new CatalogIndexStore(name, idb, IDBKeyRange));
      await index.open();
      return index;
    };
    const fresh = await open('t-ready-catalog');
    expect(fresh.complete).toBe(false);
    await fresh.onBootstrapPage(0, products.slice(0, 100) as unknown as Record<string, unknown>[]);
    expect(fresh.lookup.size).toBeGreaterThan(0);
    expect(fresh.complete).toBe(false);
    // reopened mid-bootstrap (a reload): what it holds is scannable, but it is not the whole catalog
    const reloaded = await open('t-ready-catalog');
    expect(reloaded.lookup.size).toBe(fresh.lookup.size);
    expect(reloaded.complete).toBe(false);
    await reloaded.onBootstrapPage(1, products.slice(100) as unknown as Record<string, unknown>[]);
    // the replica is complete and the index already holds its pages: nothing to rebuild from it
    await reloaded.ensureComplete({} as PouchDB.Database);
    expect(reloaded.complete).toBe(true);
    expect((await open('t-ready-catalog')).complete).toBe(true);

    const snap = await open('t-snapshot-catalog');
    expect(snap.complete).toBe(false);
    await snap.loadSnapshot(async () => ({ products: products.map((p) => compactProduct({ ...p, _rev: p._rev ?? "1-a" })).filter((r): r is CompactProduct => r !== null) }));
    expect(snap.complete).toBe(true);
    expect(snap.lookup.size).toBe(products.flatMap((p) => p.variants).length);
  });
});
