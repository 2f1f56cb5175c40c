import { describe, expect, it } from 'vitest';
import {
  applyProductInput,
  barcodeProblem,
  barcodeSpellings,
  CatalogError,
  clashMessages,
  internalBarcode,
  internalClashes,
  newCategoryId,
  productInput,
  productListQuery,
  searchProducts,
  withStatus,
  type ProductDoc
} from './catalog-edit.ts';
import { isValidGtin } from './gtin.ts';

const actor = { by: 'user:u1', now: '2026-01-01T10:00:00.000Z' };
const input = (over: Record<string, unknown> = {}) =>
  productInput.parse({
    name: 'Tee',
    categoryId: 'category:tops',
    taxCategory: 'clothing',
    options: [{ name: 'Size', values: ['S', 'M'] }],
    variants: [
      { sku: 'TEE-S', options: { Size: 'S' }, price: 1000, barcode: '' },
      { sku: 'TEE-M', options: { Size: 'M' }, price: 1000, barcode: '4006381333931' }
    ],
    ...over
  });

describe('barcodes', () => {
  it('names the problem: digits, length, check digit', () => {
    expect(barcodeProblem('')).toBe('');
    expect(barcodeProblem('4006381333931')).toBe('');
    expect(barcodeProblem('036000291452')).toBe(''); // UPC-A
    expect(barcodeProblem('10036000291459')).toBe(''); // GTIN-14
    expect(barcodeProblem('40063813339x1')).toMatch(/digits only/);
    expect(barcodeProblem('12345')).toMatch(/this has 5/);
    expect(barcodeProblem('4006381333932')).toBe('Check digit should be 1, not 2');
  });

  it('internal barcodes are valid EAN-13 in the restricted-circulation range', () => {
    let i = 0;
    const digits = [0.1, 0.95, 0.5, 0.33];
    const code = internalBarcode(() => digits[i++ % digits.length]!);
    expect(code).toMatch(/^2\d{12}$/);
    expect(isValidGtin(code)).toBe(true);
    expect(code.slice(0, 12)).toBe('219531953195');
    for (let k = 0; k < 50; k++) expect(isValidGtin(internalBarcode(Math.random))).toBe(true);
  });

  it('spellings cover UPC-A and its EAN-13/GTIN-14 forms', () => {
    expect(barcodeSpellings('036000291452').sort()).toEqual(['00036000291452', '0036000291452', '036000291452'].sort());
    expect(barcodeSpellings('4006381333931').sort()).toEqual(['04006381333931', '4006381333931']);
  });
});

describe('applyProductInput', () => {
  it('makes a new product with variant ids under its id and stamps every field', () => {
    const doc = applyProductInput('product:abc', input(), null, actor);
    expect(doc.variants.map((v) => v.id)).toEqual(['abc-v01', 'abc-v02']);
    expect(doc.variants[0]).not.toHaveProperty('barcode');
    expect(doc).toMatchObject({ type: 'product', status: 'active', updatedBy: 'user:u1' });
    expect(doc.fieldTimes).toMatchObject({ name: actor.now, variants: actor.now, status: actor.now });
  });

  it('on update stamps only the changed fields and keeps the revision', () => {
    const prev = { ...applyProductInput('product:abc', input(), null, actor), _rev: '1-a' };
    const later = { by: 'user:u2', now: '2026-01-02T10:00:00.000Z' };
    const next = applyProductInput('product:abc', input({ name: 'Tee 2', variants: prev.variants }), prev, later);
    expect(next._rev).toBe('1-a');
    expect(next.fieldTimes!.name).toBe(later.now);
    expect(next.fieldTimes!.variants).toBe(actor.now);
  });

  it('refuses what the schema refuses, with the path', () => {
    expect(() => applyProductInput('product:abc', input({ variants: [{ id: 'other-v1', sku: 'X', options: {}, price: 1 }] }), null, actor)).toThrow(CatalogError);
    expect(() => applyProductInput('product:abc', input({ variants: [{ sku: 'X', options: {}, price: 1, barcode: '4006381333932' }] }), null, actor)).toThrow(
      /variants.0.barcode/
    );
  });

  it('archive changes only the status', () => {
    const prev = applyProductInput('product:abc', input(), null, actor);
    const a = withStatus(prev, 'archived', { by: 'user:u2', now: '2026-02-01T00:00:00.000Z' });
    expect(a.status).toBe('archived');
    expect(a.variants).toEqual(prev.variants);
    expect(a.fieldTimes!.status).toBe('2026-02-01T00:00:00.000Z');
  });
});

describe('clashes', () => {
  it('inside a product: SKUs (any case), barcodes (any spelling) and option combinations', () => {
    const p = {
      variants: [
        { id: 'a', sku: 'X', barcode: '036000291452', options: { S: '1' }, price: 1, active: true },
        { id: 'b', sku: 'x', barcode: '0036000291452', options: { S: '1' }, price: 1, active: true }
      ]
    };
    expect(internalClashes(p)).toEqual([
      'SKU x is used by variants 1 and 2',
      'Barcode 0036000291452 is used by variants 1 and 2',
      'Variants 1 and 2 have the same options (1)'
    ]);
  });

  it('across the catalog names the other product and variant; its own keys are fine', () => {
    const doc = applyProductInput('product:abc', input(), null, actor);
    const skuOwners = new Map([
      ['TEE-S', [{ productId: 'product:other', variantId: 'other-v01' }]],
      ['TEE-M', [{ productId: 'product:abc', variantId: 'abc-v02' }]]
    ]);
    const barcodeOwners = new Map([['04006381333931', [{ productId: 'product:zzz', variantId: 'zzz-v03' }]]]);
    expect(clashMessages('product:abc', doc, skuOwners, barcodeOwners)).toEqual([
      'SKU TEE-S is already used by product other (variant other-v01)',
      'Barcode 4006381333931 is already used by product zzz (variant zzz-v03)'
    ]);
    expect(clashMessages('product:abc', doc, new Map(), new Map(), new Map([['abc-v01', 'product:abc']]))).toEqual([]);
  });
});

describe('searchProducts', () => {
  const mk = (id: string, name: string, cat: string, status: 'active' | 'archived', sku: string, barcode?: string): ProductDoc =>
    ({
      _id: `product:${id}`,
      type: 'product',
      name,
      categoryId: cat,
      taxCategory: 'std',
      options: [],
      variants: [{ id: `${id}-v01`, sku, options: {}, price: 500, active: true, ...(barcode ? { barcode } : {}) }],
      status,
      updatedAt: actor.now,
      updatedBy: 'u'
    }) as ProductDoc;
  const all = [
    mk('a', 'Linen Shirt', 'category:tops', 'active', 'LS-1', '036000291452'),
    mk('b', 'Wool Shirt', 'category:tops', 'archived', 'WS-1'),
    mk('c', 'Denim Jeans', 'category:bottoms', 'active', 'DJ-1')
  ];
  const q = (over: Record<string, unknown>) => productListQuery.parse(over);

  it('by name words, SKU prefix or any barcode spelling; filters; sorted; paged', () => {
    expect(searchProducts(all, q({ q: 'shirt' })).items.map((p) => p.name)).toEqual(['Linen Shirt', 'Wool Shirt']);
    expect(searchProducts(all, q({ q: 'shirt linen' })).total).toBe(1);
    expect(searchProducts(all, q({ q: 'dj-' })).items[0]!.name).toBe('Denim Jeans');
    expect(searchProducts(all, q({ q: '0036000291452' })).items[0]!.name).toBe('Linen Shirt');
    expect(searchProducts(all, q({ status: 'archived' })).items.map((p) => p.name)).toEqual(['Wool Shirt']);
    expect(searchProducts(all, q({ category: 'category:bottoms' })).total).toBe(1);
    const p2 = searchProducts(all, q({ page: '2', pageSize: '2' }));
    expect(p2).toMatchObject({ total: 3, items: [{ name: 'Wool Shirt', variantCount: 1, minPrice: 500 }] });
  });
});

it('category ids are slugs, unique', () => {
  expect(newCategoryId('Tops & Tees', new Set())).toBe('category:tops-tees');
  expect(newCategoryId('Tops & Tees', new Set(['category:tops-tees']))).toBe('category:tops-tees-2');
});
