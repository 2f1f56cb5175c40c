import { describe, expect, it } from 'vitest';
import { buildVariants, cleanOptions, combinationCount, combinations, removedVariants, type MatrixVariant } from './variant-matrix.ts';

const D = { skuBase: 'Tee', price: 1999, cost: 700 };

describe('combinations', () => {
  it('is the cartesian product, first option slowest; no options is one empty combination', () => {
    expect(combinations([])).toEqual([{}]);
    expect(combinations([{ name: 'Size', values: ['S', 'M'] }, { name: 'Colour', values: ['Red', 'Blue'] }])).toEqual([
      { Size: 'S', Colour: 'Red' },
      { Size: 'S', Colour: 'Blue' },
      { Size: 'M', Colour: 'Red' },
      { Size: 'M', Colour: 'Blue' }
    ]);
  });

  it('has no cap on options: size × colour × fit × sleeve', () => {
    const opts = [
      { name: 'Size', values: ['S', 'M', 'L'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
      { name: 'Fit', values: ['Regular', 'Slim'] },
      { name: 'Sleeve', values: ['Short', 'Long'] }
    ];
    expect(combinations(opts)).toHaveLength(24);
    expect(combinationCount(opts)).toBe(24);
  });

  it('cleanOptions drops blank names/values and repeats, case-insensitively', () => {
    expect(cleanOptions([{ name: ' Size ', values: ['S', ' s', '', 'M'] }, { name: 'size', values: ['X'] }, { name: 'Empty', values: [' '] }])).toEqual([
      { name: 'Size', values: ['S', 'M'] }
    ]);
  });
});

describe('buildVariants', () => {
  it('makes one variant per combination with ids under the product and SKUs from the base', () => {
    const vs = buildVariants('p1', [{ name: 'Size', values: ['S', 'M'] }], [], D);
    expect(vs).toEqual([
      { id: 'p1-v01', sku: 'TEE-S', options: { Size: 'S' }, price: 1999, cost: 700, active: true },
      { id: 'p1-v02', sku: 'TEE-M', options: { Size: 'M' }, price: 1999, cost: 700, active: true }
    ]);
  });

  it('a product without options has one default variant', () => {
    expect(buildVariants('p1', [], [], D)).toEqual([{ id: 'p1-v01', sku: 'TEE', options: {}, price: 1999, cost: 700, active: true }]);
  });

  it('adding a value keeps the existing variants as they are and adds the new combinations', () => {
    const before = buildVariants('p1', [{ name: 'Size', values: ['S', 'M'] }], [], D);
    before[0] = { ...before[0]!, sku: 'MY-S', barcode: '2000000000015', price: 2500 };
    const after = buildVariants('p1', [{ name: 'Size', values: ['S', 'M', 'L'] }], before, D);
    expect(after.map((v) => v.id)).toEqual(['p1-v01', 'p1-v02', 'p1-v03']);
    expect(after[0]).toEqual(before[0]);
    expect(after[2]).toMatchObject({ sku: 'TEE-L', options: { Size: 'L' }, price: 1999 });
  });

  it('adding an option maps each old variant onto its first combination (ids, SKU, barcode, price kept)', () => {
    const before: MatrixVariant[] = [
      { id: 'p1-v01', sku: 'A-S', barcode: '2000000000015', options: { Size: 'S' }, price: 1000, active: true },
      { id: 'p1-v02', sku: 'A-M', options: { Size: 'M' }, price: 1100, cost: 400, active: false }
    ];
    const after = buildVariants('p1', [{ name: 'Size', values: ['S', 'M'] }, { name: 'Fit', values: ['Regular', 'Slim'] }], before, D);
    expect(after).toEqual([
      { ...before[0], options: { Size: 'S', Fit: 'Regular' } },
      { id: 'p1-v03', sku: 'TEE-S-SLIM', options: { Size: 'S', Fit: 'Slim' }, price: 1999, cost: 700, active: true },
      { ...before[1], options: { Size: 'M', Fit: 'Regular' } },
      { id: 'p1-v04', sku: 'TEE-M-SLIM', options: { Size: 'M', Fit: 'Slim' }, price: 1999, cost: 700, active: true }
    ]);
  });

  it('removing an option keeps the first variant of each merged group; removing a value drops its variants', () => {
    const before = buildVariants('p1', [{ name: 'Size', values: ['S', 'M', 'L'] }, { name: 'Colour', values: ['Red', 'Blue'] }], [], D);
    const noColour = buildVariants('p1', [{ name: 'Size', values: ['S', 'M', 'L'] }], before, D);
    expect(noColour.map((v) => [v.id, v.options])).toEqual([
      ['p1-v01', { Size: 'S' }],
      ['p1-v03', { Size: 'M' }],
      ['p1-v05', { Size: 'L' }]
    ]);
    const noL = buildVariants('p1', [{ name: 'Size', values: ['S', 'M'] }, { name: 'Colour', values: ['Red', 'Blue'] }], before, D);
    expect(noL.map((v) => v.id)).toEqual(['p1-v01', 'p1-v02', 'p1-v03', 'p1-v04']);
    expect(removedVariants(before, noL).map((v) => v.id)).toEqual(['p1-v05', 'p1-v06']);
  });

  it('a changed value is a different item: a new variant, and the old id is never handed out again', () => {
    const before = buildVariants('p1', [{ name: 'Colour', values: ['Red'] }], [], D);
    const after = buildVariants('p1', [{ name: 'Colour', values: ['Crimson'] }], before, D, ['p1-v02']);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe('p1-v03');
    expect(after[0]!.options).toEqual({ Colour: 'Crimson' });
  });

  it('new SKUs do not repeat an existing one', () => {
    const before: MatrixVariant[] = [{ id: 'p1-v01', sku: 'TEE-M', options: { Size: 'S' }, price: 1, active: true }];
    const after = buildVariants('p1', [{ name: 'Size', values: ['S', 'M'] }], before, D);
    expect(after[1]!.sku).toBe('TEE-M-2');
  });

  it('a size × colour × fit matrix of 3 × 4 × 2 has 24 distinct ids and SKUs', () => {
    const vs = buildVariants(
      'p1',
      [
        { name: 'Size', values: ['S', 'M', 'L'] },
        { name: 'Colour', values: ['Red', 'Blue', 'Black', 'Off white'] },
        { name: 'Fit', values: ['Regular', 'Slim'] }
      ],
      [],
      D
    );
    expect(new Set(vs.map((v) => v.id)).size).toBe(24);
    expect(new Set(vs.map((v) => v.sku)).size).toBe(24);
    expect(vs[23]).toMatchObject({ sku: 'TEE-L-OFFWHITE-SLIM', options: { Size: 'L', Colour: 'Off white', Fit: 'Slim' } });
  });
});
