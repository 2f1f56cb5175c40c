import { describe, expect, it } from 'vitest';
import {
  flattenVariants,
  incomingInTransit,
  matchesSearch,
  paginate,
  signedAdjustment,
  stockAlerts,
  stockState,
  thresholdInput,
  valuation,
  valuationCsv,
  type Limits
} from './stock-levels.ts';

const tee = {
  _id: 'product:p1',
  name: 'Oxford Shirt',
  categoryId: 'category:shirts',
  options: [{ name: 'Size' }, { name: 'Colour' }],
  variants: [
    { id: 'p1-v02', sku: 'OX-L-BLU', options: { Colour: 'Blue', Size: 'L' }, cost: 1200 },
    { id: 'p1-v01', sku: 'OX-M-BLU', barcode: '4006381333931', options: { Colour: 'Blue', Size: 'M' }, cost: 1200 }
  ]
};
const cap = { _id: 'product:p2', name: 'Cap', categoryId: 'category:hats', status: 'archived', variants: [{ id: 'p2-v01', sku: 'CAP', options: {} }] };

describe('flattenVariants / matchesSearch', () => {
  const vs = flattenVariants([tee, cap]);
  it('lists variants by product name then SKU, options in the product order', () => {
    expect(vs.map((v) => v.variantId)).toEqual(['p2-v01', 'p1-v02', 'p1-v01']);
    expect(vs[1]).toMatchObject({ label: 'L / Blue', productName: 'Oxford Shirt', cost: 1200, barcode: null, archived: false });
    expect(vs[0]).toMatchObject({ label: '', cost: null, archived: true });
  });
  it('finds by every word of name/options, by SKU and by barcode', () => {
    const ids = (q: string) => vs.filter((v) => matchesSearch(v, q)).map((v) => v.variantId);
    expect(ids('oxford m')).toEqual(['p1-v01']);
    expect(ids('ox-l')).toEqual(['p1-v02']);
    expect(ids('4006381333931')).toEqual(['p1-v01']);
    expect(ids('  ')).toHaveLength(3);
    expect(ids('nothing')).toEqual([]);
  });
});

describe('incomingInTransit', () => {
  it('sums shipped lines coming to the location only', () => {
    const t = (status: 'draft' | 'shipped' | 'received', to: string, qty: number) => ({ status, toLocationCode: to, lines: [{ variantId: 'a', qty }] });
    const m = incomingInTransit([t('shipped', 'HM', 3), t('shipped', 'HM', 2), t('draft', 'HM', 9), t('received', 'HM', 9), t('shipped', 'GM', 9)], 'HM');
    expect([...m]).toEqual([['a', 5]]);
  });
});

describe('stockState', () => {
  it('ranks negative, out, low, reorder, ok', () => {
    expect(stockState(-1, undefined)).toBe('negative');
    expect(stockState(0, undefined)).toBe('ok');
    expect(stockState(0, { lowStock: 2 })).toBe('out');
    expect(stockState(2, { lowStock: 2, reorderPoint: 5 })).toBe('low');
    expect(stockState(3, { lowStock: 2, reorderPoint: 5 })).toBe('reorder');
    expect(stockState(6, { lowStock: 2, reorderPoint: 5 })).toBe('ok');
  });
});

describe('stockAlerts', () => {
  it('lists negative variants whatever their limits and low ones at or under their threshold', () => {
    const onHand = new Map([
      ['a', -2],
      ['b', 3],
      ['c', 4],
      ['d', 10],
      ['e', -1]
    ]);
    const limits = new Map<string, Limits>([
      ['b', { lowStock: 3 }],
      ['c', { lowStock: 3 }],
      ['e', { lowStock: 5 }],
      ['f', { lowStock: 1 }], // no movement at all: 0 on hand is low
      ['d', { reorderPoint: 20 }] // a reorder point alone is not an alert
    ]);
    const out = stockAlerts(onHand, limits);
    expect(out.negative).toEqual([
      { variantId: 'a', onHand: -2, lowStock: null, kind: 'negative' },
      { variantId: 'e', onHand: -1, lowStock: 5, kind: 'negative' }
    ]);
    expect(out.low).toEqual([
      { variantId: 'f', onHand: 0, lowStock: 1, kind: 'low' },
      { variantId: 'b', onHand: 3, lowStock: 3, kind: 'low' }
    ]);
  });
  it('has nothing to say about an empty location', () => {
    expect(stockAlerts(new Map(), new Map())).toEqual({ negative: [], low: [] });
  });
});

describe('paginate', () => {
  it('pages 1-based and clamps', () => {
    const xs = Array.from({ length: 25 }, (_, i) => i);
    expect(paginate(xs, 1, 10)).toMatchObject({ rows: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], pages: 3, total: 25, page: 1 });
    expect(paginate(xs, 9, 10)).toMatchObject({ rows: [20, 21, 22, 23, 24], page: 3 });
    expect(paginate([], 1, 10)).toMatchObject({ rows: [], pages: 1, total: 0, page: 1 });
  });
});

describe('thresholdInput', () => {
  it('takes variantIds or productId, not both or neither', () => {
    expect(thresholdInput.safeParse({ location: 'GM', variantIds: ['a'], lowStock: 2, reorderPoint: null }).success).toBe(true);
    expect(thresholdInput.safeParse({ location: 'GM', productId: 'product:p1', lowStock: null, reorderPoint: 4 }).success).toBe(true);
    expect(thresholdInput.safeParse({ location: 'GM', lowStock: 2, reorderPoint: null }).success).toBe(false);
    expect(thresholdInput.safeParse({ location: 'GM', variantIds: ['a'], productId: 'product:p1', lowStock: 2, reorderPoint: null }).success).toBe(false);
    expect(thresholdInput.safeParse({ location: 'GM', variantIds: ['a'], lowStock: -1, reorderPoint: null }).success).toBe(false);
  });
});

describe('valuation', () => {
  const variants = new Map([
    ['a', { categoryId: 'category:shirts', cost: 1200 }],
    ['b', { categoryId: 'category:shirts', cost: 500 }],
    ['c', { categoryId: 'category:hats', cost: null }]
  ]);
  const names = new Map([
    ['category:shirts', 'Shirts'],
    ['category:hats', 'Hats']
  ]);
  const levels = new Map([
    ['GM', new Map([['a', 2], ['b', -3], ['c', 4]])],
    ['HM', new Map([['a', 1], ['b', 10], ['zz', 1]])]
  ]);
  const v = valuation(variants, levels, names);
  it('values positive stock at cost per location and category; negative stock counts nothing; missing cost is reported', () => {
    expect(v.lines).toEqual([
      { location: 'GM', categoryId: 'category:hats', categoryName: 'Hats', units: 4, value: 0, missingCost: 1 },
      { location: 'GM', categoryId: 'category:shirts', categoryName: 'Shirts', units: 2, value: 2400, missingCost: 0 },
      { location: 'HM', categoryId: '', categoryName: 'Not in the catalog', units: 1, value: 0, missingCost: 1 },
      { location: 'HM', categoryId: 'category:shirts', categoryName: 'Shirts', units: 11, value: 6200, missingCost: 0 }
    ]);
    expect(v.byLocation).toEqual([
      { location: 'GM', units: 6, value: 2400, missingCost: 1 },
      { location: 'HM', units: 12, value: 6200, missingCost: 1 }
    ]);
    expect(v.byCategory[0]).toEqual({ categoryId: 'category:shirts', categoryName: 'Shirts', units: 13, value: 8600, missingCost: 0 });
    expect(v.total).toEqual({ units: 18, value: 8600, missingCost: 2 });
  });
  it('exports CSV with a total row', () => {
    const csv = valuationCsv(v, 'USD').split('\r\n');
    expect(csv[0]).toBe('location,category,units,value_usd,variants_without_cost');
    expect(csv[2]).toBe('GM,Shirts,2,24.00,0');
    expect(csv.at(-2)).toBe('TOTAL,,18,86.00,2');
  });
});

describe('signedAdjustment', () => {
  it('applies the reason sign and refuses zero or junk', () => {
    expect(signedAdjustment('damage', '3')).toBe(-3);
    expect(signedAdjustment('theft', '-2')).toBe(-2);
    expect(signedAdjustment('found', '-4')).toBe(4);
    expect(signedAdjustment('correction', '-4')).toBe(-4);
    expect(signedAdjustment('correction', '+5')).toBe(5);
    expect(signedAdjustment('correction', '0')).toBeNull();
    expect(signedAdjustment('found', '1.5')).toBeNull();
    expect(signedAdjustment('found', '')).toBeNull();
  });
});
