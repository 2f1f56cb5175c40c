import { describe, expect, it } from 'vitest';
import { isValidGtin } from '#domain/gtin.ts';
import { categorySchema, customerSchema, productSchema, stockMovementSchema } from '#domain/schemas/index.ts';
import { designDocsFor } from '../../couch-design-docs/index.ts';
import { generateDemoCatalog } from './catalog-generator.ts';

const opts = { seed: 2026, locationCodes: ['GM', 'HM', 'LM'], now: '2026-11-24T10:00:00.000Z', actor: 'system' };
const demo = generateDemoCatalog(opts);

describe('demo catalog generator', () => {
  it('makes enough of everything, all valid against the document schemas', () => {
    expect(demo.categories.length).toBeGreaterThanOrEqual(10);
    expect(demo.products.length).toBeGreaterThanOrEqual(500);
    expect(demo.customers).toHaveLength(50);
    for (const c of demo.categories) categorySchema.parse(c);
    for (const p of demo.products) productSchema.parse(p);
    for (const c of demo.customers) customerSchema.parse(c);
    for (const loc of opts.locationCodes) {
      expect(demo.openingMovements[loc]!.length).toBeGreaterThan(400);
      for (const m of demo.openingMovements[loc]!) stockMovementSchema.parse(m);
    }
  });

  it('keeps SKUs, barcodes, ids and emails unique, and every barcode a valid GTIN', () => {
    const variants = demo.products.flatMap((p) => p.variants);
    expect(new Set(variants.map((v) => v.sku)).size).toBe(variants.length);
    expect(new Set(variants.map((v) => v.id)).size).toBe(variants.length);
    expect(variants.every((v) => v.id.length <= 16)).toBe(true);
    expect(new Set(variants.map((v) => v.barcode)).size).toBe(variants.length);
    expect(variants.every((v) => v.barcode && isValidGtin(v.barcode) && v.barcode.startsWith('2'))).toBe(true);
    expect(new Set(demo.products.map((p) => p._id)).size).toBe(demo.products.length);
    expect(new Set(demo.customers.map((c) => c.email)).size).toBe(50);
    for (const p of demo.products) {
      expect(new Set(p.variants.map((v) => v.id)).size).toBe(p.variants.length);
      expect(p.options.map((o) => o.name)).toEqual(['Size', 'Colour']);
      expect(p.variants.every((v) => Number.isInteger(v.price) && v.cost! >= Math.floor(v.price * 0.35) && v.cost! <= Math.ceil(v.price * 0.55))).toBe(true);
      expect(p.variants.length).toBe(p.options[0]!.values.length * p.options[1]!.values.length);
      expect(p.variants.every((v) => v.cost! < v.price)).toBe(true);
    }
  });

  it('opening stock refers only to variants of its product and has no zero lines', () => {
    const byId = new Map(demo.products.map((p) => [p._id.slice('product:'.length), new Set(p.variants.map((v) => v.id))]));
    for (const loc of opts.locationCodes) {
      const movements = demo.openingMovements[loc]!;
      expect(new Set(movements.map((m) => m._id)).size).toBe(movements.length);
      for (const m of movements) {
        expect(m.locationCode).toBe(loc);
        expect(m.reason).toBe('opening');
        const ids = byId.get(m._id.replace(`movement:opening-${loc.toLowerCase()}-`, ''))!;
        expect(ids).toBeDefined();
        for (const l of m.lines) {
          expect(ids.has(l.variantId)).toBe(true);
          expect(l.qty).toBeGreaterThan(0);
          expect(l.qty).toBeLessThanOrEqual(30);
        }
      }
    }
  });

  it('opening stock read through stock/on_hand gives each variant exactly its own quantity', () => {
    // the real map function, as CouchDB runs it: colliding variant ids would add products together
    const ddoc = designDocsFor('location').find((d) => d._id === '_design/stock')!;
    const sums = new Map<string, number>();
    const onHand = new Function('emit', `return (${ddoc.views!.on_hand!.map});`)((k: unknown, v: number) => sums.set(JSON.stringify(k), (sums.get(JSON.stringify(k)) ?? 0) + v)) as (d: object) => void;
    for (const m of demo.openingMovements['GM']!) onHand(m);
    const lines = demo.openingMovements['GM']!.flatMap((m) => m.lines);
    expect(sums.size).toBe(lines.length);
    for (const l of lines) expect(sums.get(JSON.stringify(['GM', l.variantId]))).toBe(l.qty);
  });

  it('accepts any integer seed', () => {
    for (const seed of [0, -1, 2 ** 32 + 5]) {
      const d = generateDemoCatalog({ ...opts, seed, locationCodes: [] });
      expect(d.products.every((p) => p.variants.every((v) => isValidGtin(v.barcode!)))).toBe(true);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateDemoCatalog(opts)).toEqual(demo);
    expect(generateDemoCatalog({ ...opts, seed: 7 }).products[0]).not.toEqual(demo.products[0]);
    expect(generateDemoCatalog({ ...opts, seed: 7 })).not.toEqual(demo);
  });
});
