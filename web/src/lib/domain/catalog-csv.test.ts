import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportCatalogCsv } from './catalog-csv-export.ts';
import { planCatalogImport, type CategoryDoc, type ExistingCatalog, type ImportPlan, type ProductDoc } from './catalog-csv-plan.ts';
import { parseCsv } from './csv-read.ts';
import { toCsv } from './csv.ts';
import { ean13 } from './gtin.ts';
import { productSchema } from './schemas/catalog.ts';

const T0 = '2026-11-01T10:00:00.000Z';
const T1 = '2026-11-02T10:00:00.000Z';
const opts = { now: T0, actor: 'user:importer' };
const empty: ExistingCatalog = { products: [], categories: [] };
const HEAD = 'handle,name,category,tax_category,status,option1_name,option1_value,option2_name,option2_value,sku,barcode,price,cost,active';

const CLEAN = [
  HEAD,
  'tee,Classic Tee,T-shirts,clothing,active,Size,S,Colour,Black,TEE-S-BLK,4006381333931,19.99,7.50,true',
  'tee,Classic Tee,T-shirts,clothing,active,Size,M,Colour,Black,TEE-M-BLK,,19.99,7.50,true',
  'tee,,,,,Size,L,Colour,White,TEE-L-WHT,036000291452,21,,false',
  '"mug","Mug, ""big"" edition",Home,standard,,,,,,MUG-1,,8.5,,'
].join('\r\n');

function plan(csv: string, existing: ExistingCatalog = empty, o: Partial<typeof opts> = {}): ImportPlan {
  const r = planCatalogImport(csv, existing, { ...opts, ...o });
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`);
  return r.plan;
}

function errorsOf(csv: string, existing: ExistingCatalog = empty) {
  const r = planCatalogImport(csv, existing, opts);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

/** What the catalog holds after writing a plan (revisions made up, as CouchDB would). */
function apply(existing: ExistingCatalog, p: ImportPlan): ExistingCatalog {
  const byId = new Map(existing.products.map((d) => [d._id, d]));
  for (const c of p.products) {
    if (c.action === 'unchanged') continue;
    const gen = c.doc._rev ? Number(c.doc._rev.split('-')[0]) + 1 : 1;
    byId.set(c.doc._id, { ...c.doc, _rev: `${gen}-abc${gen}` });
  }
  return { products: [...byId.values()], categories: [...existing.categories, ...p.categories] };
}

describe('parseCsv (RFC 4180)', () => {
  it('handles quotes, doubled quotes, commas and line breaks inside quotes, CRLF, LF and a BOM', () => {
    const { records, errors } = parseCsv('\ufeffa,b,c\r\n"x,1","say ""hi""","line1\r\nline2"\nlast,,\r\n');
    expect(errors).toEqual([]);
    expect(records.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['x,1', 'say "hi"', 'line1\r\nline2'],
      ['last', '', '']
    ]);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3]);
  });

  it('keeps a last record without a line break, including an empty quoted field', () => {
    expect(parseCsv('a,b\n1,""').records.map((r) => r.fields)).toEqual([['a', 'b'], ['1', '']]);
    expect(parseCsv('a,b\n1,').records.map((r) => r.fields)).toEqual([['a', 'b'], ['1', '']]);
    expect(parseCsv('').records).toEqual([]);
  });

  it('names the row of an unterminated quote, a stray quote and text after a closing quote', () => {
    expect(parseCsv('a\n"open').errors).toEqual([{ row: 2, column: null, message: expect.stringContaining('never closed') }]);
    expect(parseCsv('a\nb\nx"y').errors[0]).toMatchObject({ row: 3, message: expect.stringContaining('unquoted') });
    expect(parseCsv('a,b\n"x"y,1').errors[0]).toMatchObject({ row: 2, message: expect.stringContaining('after a closing quote') });
  });

  it('round-trips any table through toCsv (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\r', '\n', ' ', 'é', '€', '\t') });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const { records, errors } = parseCsv(toCsv(rows));
        expect(errors).toEqual([]);
        expect(records.map((r) => r.fields)).toEqual(rows);
      }),
      { numRuns: 300 }
    );
  });
});

describe('planCatalogImport', () => {
  it('turns a clean file into valid products, variants {handle}-{n}, options and new categories', () => {
    const p = plan(CLEAN);
    expect(p.counts).toEqual({ products: { create: 2, update: 0, unchanged: 0 }, variants: { create: 4, update: 0, unchanged: 0 }, categories: { create: 2 }, rows: 4 });
    const tee = p.products.find((c) => c.handle === 'tee')!.doc;
    expect(productSchema.safeParse(tee).success).toBe(true);
    expect(tee).toMatchObject({
      _id: 'product:tee',
      name: 'Classic Tee',
      categoryId: 'category:t-shirts',
      taxCategory: 'clothing',
      status: 'active',
      options: [
        { name: 'Size', values: ['S', 'M', 'L'] },
        { name: 'Colour', values: ['Black', 'White'] }
      ],
      updatedAt: T0,
      updatedBy: 'user:importer'
    });
    expect(tee.variants).toEqual([
      { id: 'tee-1', sku: 'TEE-S-BLK', barcode: '4006381333931', options: { Size: 'S', Colour: 'Black' }, price: 1999, cost: 750, active: true },
      { id: 'tee-2', sku: 'TEE-M-BLK', options: { Size: 'M', Colour: 'Black' }, price: 1999, cost: 750, active: true },
      { id: 'tee-3', sku: 'TEE-L-WHT', barcode: '036000291452', options: { Size: 'L', Colour: 'White' }, price: 2100, active: false }
    ]);
    const mug = p.products.find((c) => c.handle === 'mug')!.doc;
    expect(mug).toMatchObject({ name: 'Mug, "big" edition', options: [], status: 'active', variants: [{ id: 'mug-1', sku: 'MUG-1', options: {}, price: 850, active: true }] });
    expect(p.categories.map((c) => [c._id, c.name])).toEqual([
      ['category:t-shirts', 'T-shirts'],
      ['category:home', 'Home']
    ]);
  });

  it('is idempotent: the same file again changes nothing; a changed price is one update with its revision and stamps', () => {
    const first = apply(empty, plan(CLEAN));
    const again = plan(CLEAN, first, { now: T1 });
    expect(again.counts.products).toEqual({ create: 0, update: 0, unchanged: 2 });
    expect(again.counts.variants).toEqual({ create: 0, update: 0, unchanged: 4 });
    expect(again.categories).toEqual([]);

    const changed = plan(CLEAN.replace('TEE-M-BLK,,19.99', 'TEE-M-BLK,,24.99'), first, { now: T1, actor: 'user:other' });
    expect(changed.counts.products).toEqual({ create: 0, update: 1, unchanged: 1 });
    expect(changed.counts.variants).toEqual({ create: 0, update: 1, unchanged: 3 });
    const u = changed.products.find((c) => c.action === 'update')!;
    expect(u.fields).toEqual(['variants']);
    expect(u.doc._rev).toBe('1-abc1');
    expect(u.doc).toMatchObject({ updatedAt: T1, updatedBy: 'user:other' });
    expect(u.doc.fieldTimes).toMatchObject({ variants: T1, name: T0, options: T0 });
    expect(u.doc.variants[1]).toMatchObject({ id: 'tee-2', price: 2499 });
  });

  it('keeps variant ids by SKU whatever the row order, appends new SKUs, and never drops variants the file leaves out', () => {
    const first = apply(empty, plan(CLEAN));
    const csv = [HEAD, 'tee,Classic Tee,T-shirts,clothing,active,Size,XL,Colour,Black,TEE-XL-BLK,,19.99,,', 'tee,Classic Tee,T-shirts,clothing,active,Size,M,Colour,Black,TEE-M-BLK,,19.99,7.50,true'].join('\n');
    const p = plan(csv, first, { now: T1 });
    const tee = p.products[0]!.doc;
    expect(tee.variants.map((v) => [v.id, v.sku])).toEqual([
      ['tee-1', 'TEE-S-BLK'],
      ['tee-2', 'TEE-M-BLK'],
      ['tee-3', 'TEE-L-WHT'],
      ['tee-4', 'TEE-XL-BLK']
    ]);
    expect(tee.options[0]).toEqual({ name: 'Size', values: ['S', 'M', 'L', 'XL'] });
    expect(p.counts.variants).toEqual({ create: 1, update: 0, unchanged: 1 });
  });

  it('leaves fields of columns the file does not have as they are', () => {
    const first = apply(empty, plan(CLEAN));
    const p = plan(['handle,name,category,tax_category,sku,price', 'tee,Classic Tee,T-shirts,clothing,TEE-S-BLK,18.00'].join('\n'), first, { now: T1 });
    expect(p.counts.products).toEqual({ create: 0, update: 1, unchanged: 0 });
    expect(p.products[0]!.doc.variants[0]).toEqual({ id: 'tee-1', sku: 'TEE-S-BLK', barcode: '4006381333931', options: { Size: 'S', Colour: 'Black' }, price: 1800, cost: 750, active: true });
  });

  it('supports any number of option columns', () => {
    const cols = Array.from({ length: 5 }, (_, i) => `option${i + 1}_name,option${i + 1}_value`).join(',');
    const vals = (x: string) => ['Size', 'M', 'Colour', x, 'Fit', 'Slim', 'Length', '32', 'Finish', 'Raw'].join(',');
    const p = plan([`handle,name,category,tax_category,${cols},sku,price`, `jean,Jean,Denim,clothing,${vals('Blue')},J-1,50`, `jean,Jean,Denim,clothing,${vals('Black')},J-2,50`].join('\n'));
    expect(p.products[0]!.doc.options.map((o) => o.name)).toEqual(['Size', 'Colour', 'Fit', 'Length', 'Finish']);
    expect(p.products[0]!.doc.variants[1]!.options).toEqual({ Size: 'M', Colour: 'Black', Fit: 'Slim', Length: '32', Finish: 'Raw' });
  });

  it('reuses categories by name (any case) or id and creates only the missing ones', () => {
    const cats: CategoryDoc[] = [{ _id: 'category:tees', type: 'category', name: 'T-shirts', updatedAt: T0, updatedBy: 'user:x' }];
    const p = plan([HEAD, 't1,Tee,t-SHIRTS,clothing,,,,,,S1,,1,,', 't2,Tee,tees,clothing,,,,,,S2,,1,,', 't3,Tee,Bags,clothing,,,,,,S3,,1,,'].join('\n'), { products: [], categories: cats });
    expect(p.products.map((c) => c.doc.categoryId)).toEqual(['category:tees', 'category:tees', 'category:bags']);
    expect(p.categories.map((c) => c._id)).toEqual(['category:bags']);
  });
});

describe('row-level errors', () => {
  it('names the row (a quoted newline does not shift rows) and column of each problem, and writes nothing', () => {
    const csv = [
      HEAD,
      '"a","Multi\nline name",Cat,std,,,,,,A-1,4006381333932,1.00,,', // row 2: bad check digit
      'b,B,Cat,std,,,,,,B-1,,12.345,,', // row 3: three decimals
      'c,C,Cat,std,,,,,,A-1,,abc,,maybe', // row 4: duplicate sku, bad price, bad active
      'd,D,Cat,std,gone,,,,,D-1,,-1,,' // row 5: bad status, negative price
    ].join('\r\n');
    const errors = errorsOf(csv);
    expect(errors).toEqual([
      { row: 2, column: 'barcode', message: expect.stringContaining('check digit') },
      // a product name is one line (it prints on receipts and becomes the sale line's name)
      { row: 2, column: 'name', message: 'must be one line of text without control characters' },
      { row: 3, column: 'price', message: expect.stringContaining('at most 2 decimals') },
      { row: 4, column: 'active', message: 'must be true or false' },
      { row: 4, column: 'price', message: expect.stringContaining('"abc" is not a price') },
      { row: 4, column: 'sku', message: '"A-1" is already used on row 2 (SKUs are unique)' },
      { row: 5, column: 'price', message: 'must not be negative' },
      { row: 5, column: 'status', message: 'must be active or archived' }
    ]);
  });

  it('finds duplicate SKUs across products and barcodes used twice', () => {
    const errors = errorsOf([HEAD, 'a,A,C,s,,,,,,SKU-1,4006381333931,1,,', 'b,B,C,s,,,,,,sku-1,,1,,', 'c,C,C,s,,,,,,SKU-3,4006381333931,1,,'].join('\n'));
    expect(errors).toEqual([
      { row: 3, column: 'sku', message: '"sku-1" is already used on row 2 (SKUs are unique)' },
      { row: 4, column: 'barcode', message: expect.stringContaining('already used on row 2') }
    ]);
  });

  it('reports missing, unknown and duplicate columns on row 1', () => {
    expect(errorsOf('handle,name,sku,colour\nx,X,S,red')).toEqual([
      { row: 1, column: 'category', message: 'required column is missing' },
      { row: 1, column: 'colour', message: expect.stringContaining('unknown column') },
      { row: 1, column: 'price', message: 'required column is missing' },
      { row: 1, column: 'tax_category', message: 'required column is missing' }
    ]);
    expect(errorsOf('handle,name,category,tax_category,sku,price,price,option2_name\n')).toEqual([
      { row: 1, column: 'option2_value', message: expect.stringContaining('go together') },
      { row: 1, column: 'price', message: 'column appears twice' }
    ]);
    expect(errorsOf('')[0]).toMatchObject({ row: 1, message: expect.stringContaining('empty') });
    expect(errorsOf('handle,name,category,tax_category,sku,price\r\n')[0]).toMatchObject({ row: 2, message: expect.stringContaining('no rows') });
  });

  it('checks products across their rows: field counts, conflicting product fields, options, new-product fields', () => {
    const errors = errorsOf(
      [
        HEAD,
        'a,A,C,s,,Size,M,,,A-1,,1,,',
        'a,Other,C,s,,Size,M,,,A-2,,1,,', // name differs; same options as row 2
        'a,A,C,s,,Sz,L,,,A-3,,1,,', // option name differs
        'b,B,C,s,,,,,X,B-1,,1,,', // value without a name
        'c,,C,s,,,,,,C-1,,1,,', // new product without a name
        'd,D,C,s,,,,,,D-1,,1', // too few fields
        'bad handle!,X,C,s,,,,,,E-1,,1,,'
      ].join('\n')
    );
    expect(errors).toEqual([
      { row: 3, column: null, message: expect.stringContaining('same options (Size M) as row 2') },
      { row: 3, column: 'name', message: expect.stringContaining('differs from "A" on row 2') },
      { row: 4, column: 'option1_name', message: expect.stringContaining('differs from "Size"') },
      { row: 5, column: 'option2_value', message: expect.stringContaining('no option2_name') },
      { row: 6, column: 'name', message: expect.stringContaining('required for a new product') },
      { row: 7, column: null, message: 'has 12 fields; the header has 14' },
      { row: 8, column: 'handle', message: expect.stringContaining('letters, digits') }
    ]);
  });

  it('refuses to move an existing SKU to another product', () => {
    const first = apply(empty, plan(CLEAN));
    expect(errorsOf([HEAD, 'other,Other,C,s,,,,,,TEE-S-BLK,,1,,'].join('\n'), first)).toEqual([
      { row: 2, column: 'sku', message: expect.stringContaining('belongs to product tee') }
    ]);
    // a barcode another (unlisted) variant carries
    expect(errorsOf([HEAD, 'other,Other,C,s,,,,,,NEW-1,4006381333931,1,,'].join('\n'), first)).toEqual([
      { row: 2, column: 'barcode', message: expect.stringContaining('SKU TEE-S-BLK') }
    ]);
  });
});

describe('exportCatalogCsv', () => {
  it('writes the import format, and importing it into the same catalog changes nothing', () => {
    const catalog = apply(empty, plan(CLEAN));
    const csv = exportCatalogCsv(catalog.products, catalog.categories);
    expect(csv.split('\r\n')[0]).toBe('handle,name,category,tax_category,status,option1_name,option1_value,option2_name,option2_value,option3_name,option3_value,sku,barcode,price,cost,active');
    expect(csv).toContain('mug,"Mug, ""big"" edition",Home,standard,active,,,,,,,MUG-1,,8.50,,true');
    const p = plan(csv, catalog, { now: T1 });
    expect(p.counts.products).toEqual({ create: 0, update: 0, unchanged: 2 });
    // and into an empty catalog it recreates the same products
    const fresh = apply(empty, plan(csv));
    const strip = (ds: ProductDoc[]) => ds.map((d) => ({ ...d, _rev: undefined })).sort((a, b) => a._id.localeCompare(b._id));
    expect(strip(fresh.products)).toEqual(strip(catalog.products));
  });

  it('round-trips hand-made products with legacy variant ids, missing `active` and no fieldTimes', () => {
    const legacy = {
      _id: 'product:nx-000001',
      _rev: '3-aa',
      type: 'product',
      name: 'Tee',
      description: 'kept as is',
      categoryId: 'category:missing',
      taxCategory: 'clothing',
      options: [{ name: 'Size', values: ['L', 'S'] }],
      variants: [
        { id: 'nx-000001-v01', sku: 'NX-1-L', options: { Size: 'L' }, price: 100 },
        { id: 'nx-000001-v02', sku: 'NX-1-S', options: { Size: 'S' }, price: 100, active: false }
      ],
      status: 'archived',
      updatedAt: T0,
      updatedBy: 'user:x'
    } as ProductDoc;
    const catalog = { products: [legacy], categories: [] };
    const csv = exportCatalogCsv(catalog.products, catalog.categories);
    expect(plan(csv, catalog, { now: T1 }).counts.products.unchanged).toBe(1);
    const p = plan(csv.replace('NX-1-S,,1.00', 'NX-1-S,,2.00'), catalog, { now: T1 });
    const doc = p.products[0]!.doc;
    expect(doc).toMatchObject({ _rev: '3-aa', description: 'kept as is', status: 'archived', categoryId: 'category:missing' });
    expect(doc.variants.map((v) => v.id)).toEqual(['nx-000001-v01', 'nx-000001-v02']);
    // the first revision without fieldTimes stood for every field at its updatedAt
    expect(doc.fieldTimes).toMatchObject({ variants: T1, name: T0, description: T0, status: T0 });
    // the category the product named but the catalog lacked now exists
    expect(p.categories.map((c) => [c._id, c.name])).toEqual([['category:missing', 'missing']]);
  });

  it('export → import is the identity on generated catalogs (property)', () => {
    const opt = fc.constantFrom('S', 'M', 'L', 'Red, dark', 'Blue "navy"', 'x y');
    // names are one line of human text (schemas/text.ts): quotes, commas and accents are the CSV's hard cases
    const name = fc.string({ unit: fc.constantFrom('a', 'B', ' ', ',', '"', ';', 'é', '1'), minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s.length > 0);
    const productArb = fc.record({
      name,
      category: fc.constantFrom('Tops', 'Bottoms, misc', 'Ünïcode'),
      status: fc.constantFrom('active' as const, 'archived' as const),
      variants: fc.uniqueArray(fc.tuple(opt, opt), { minLength: 1, maxLength: 4, selector: (t) => t.join('|') }),
      price: fc.integer({ min: 0, max: 1_000_000 }),
      cost: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      barcode: fc.boolean(),
      active: fc.boolean()
    });
    fc.assert(
      fc.property(fc.array(productArb, { minLength: 1, maxLength: 5 }), (specs) => {
        let seq = 0;
        const rows = [HEAD];
        specs.forEach((s, i) => {
          for (const [size, colour] of s.variants) {
            seq++;
            const bc = s.barcode ? ean13(String(200000000000 + seq)) : '';
            const cells = [`p${i}`, s.name, s.category, 'std', s.status, 'Size', size, 'Colour', colour, `SKU-${seq}`, bc, (s.price / 100).toFixed(2), s.cost === undefined ? '' : String(s.cost), String(s.active)];
            rows.push(toCsv([cells]).trimEnd());
          }
        });
        const catalog = apply(empty, plan(rows.join('\r\n')));
        const csv = exportCatalogCsv(catalog.products, catalog.categories);
        const p = plan(csv, catalog, { now: T1 });
        expect(p.counts.products).toEqual({ create: 0, update: 0, unchanged: specs.length });
        expect(exportCatalogCsv(apply(empty, plan(csv)).products, catalog.categories)).toBe(csv);
      }),
      { numRuns: 100 }
    );
  });
});
