import { describe, expect, it } from 'vitest';
import { DB_KINDS, designDocsFor, type DesignKind } from './index.ts';

/** Evaluates a map function's source the way CouchDB does: a function with a free `emit`. */
function mapper(kind: DesignKind, ddoc: string, view: string) {
  const doc = designDocsFor(kind).find((d) => d._id === `_design/${ddoc}`);
  const src = doc?.views?.[view]?.map;
  if (!src) throw new Error(`no view ${ddoc}/${view}`);
  return (input: object): [unknown, unknown][] => {
    const out: [unknown, unknown][] = [];
    const fn = new Function('emit', `return (${src});`)((k: unknown, v: unknown) => out.push([k, v])) as (d: object) => void;
    fn(input);
    return out;
  };
}

function validator(kind: DesignKind) {
  const src = designDocsFor(kind).find((d) => d._id === '_design/events')?.validate_doc_update;
  if (!src) throw new Error('no validate_doc_update');
  return new Function(`return (${src});`)() as (n: object, o: object | null, u: object, s: object) => void;
}

const sale = { _id: 'sale:GM-1:x', type: 'sale', locationCode: 'GM', registerId: 'register:GM-1', total: 2178, createdAt: '2026-11-24T23:30:00.000Z', lines: [{ variantId: 'v1', qty: 2 }, { variantId: 'v2', qty: 1 }] };
const opening = { _id: 'movement:1', type: 'stock_movement', locationCode: 'GM', reason: 'opening', createdAt: '2026-11-01T00:00:00Z', lines: [{ variantId: 'v1', qty: 10 }, { variantId: 'v2', qty: 3 }] };
const damage = { _id: 'movement:2', type: 'stock_movement', locationCode: 'GM', reason: 'damage', createdAt: '2026-11-02T00:00:00Z', lines: [{ variantId: 'v1', qty: -1 }] };

describe('location/stock/on_hand (the stock ledger)', () => {
  const onHand = mapper('location', 'stock', 'on_hand');

  it.each([
    ['a sale takes its quantities out', sale, [[['GM', 'v1'], -2], [['GM', 'v2'], -1]]],
    ['an opening movement puts stock in', opening, [[['GM', 'v1'], 10], [['GM', 'v2'], 3]]],
    ['an adjustment keeps its sign', damage, [[['GM', 'v1'], -1]]],
    ['other documents emit nothing', { _id: 'product:1', type: 'product', variants: [] }, []]
  ])('%s', (_name, doc, expected) => {
    expect(onHand(doc)).toEqual(expected);
  });

  it('sums to the right level across opening, sale and adjustment', () => {
    const sum = new Map<string, number>();
    for (const d of [opening, sale, damage]) for (const [k, v] of onHand(d)) sum.set(JSON.stringify(k), (sum.get(JSON.stringify(k)) ?? 0) + (v as number));
    expect(Object.fromEntries(sum)).toEqual({ '["GM","v1"]': 7, '["GM","v2"]': 2 });
  });

  it('two offline registers selling the last unit make −1, not a conflict', () => {
    const one = { ...opening, lines: [{ variantId: 'v9', qty: 1 }] };
    const a = { ...sale, _id: 'sale:GM-1:a', lines: [{ variantId: 'v9', qty: 1 }] };
    const b = { ...sale, _id: 'sale:GM-2:b', lines: [{ variantId: 'v9', qty: 1 }] };
    const total = [one, a, b].flatMap(onHand).reduce((s, [, v]) => s + (v as number), 0);
    expect(total).toBe(-1);
  });
});

describe('other views', () => {
  it('sales/by_day keys by UTC day and register', () => {
    expect(mapper('location', 'sales', 'by_day')(sale)).toEqual([[['2026-11-24', 'register:GM-1'], 2178]]);
  });
  it('catalog/by_barcode finds each variant', () => {
    const p = { _id: 'product:p', type: 'product', variants: [{ id: 'v01', sku: 'A', barcode: '4006381333931' }, { id: 'v02', sku: 'B' }] };
    expect(mapper('catalog', 'catalog', 'by_barcode')(p)).toEqual([['4006381333931', { productId: 'product:p', variantId: 'v01' }]]);
    expect(mapper('catalog', 'catalog', 'by_sku')(p)).toHaveLength(2);
  });
  it('ledger/balance sums entries per account and holder', () => {
    expect(mapper('customers', 'ledger', 'balance')({ type: 'ledger_entry', account: 'loyalty', holder: 'customer:1', amount: 25 })).toEqual([[['loyalty', 'customer:1'], 25]]);
  });
});

describe('events/validate_doc_update', () => {
  const validate = validator('location');
  it('allows creating an event and editing a mutable document', () => {
    expect(() => validate(sale, null, {}, {})).not.toThrow();
    expect(() => validate({ _id: 'customer:1', type: 'customer', firstName: 'B' }, { _id: 'customer:1', type: 'customer', firstName: 'A' }, {}, {})).not.toThrow();
  });
  it('forbids editing or deleting an existing event', () => {
    expect(() => validate({ ...sale, total: 1 }, sale, {}, {})).toThrow();
    expect(() => validate({ _id: sale._id, _deleted: true }, sale, {}, {})).toThrow();
    try {
      validate({ ...sale, total: 1 }, sale, {}, {});
    } catch (e) {
      expect(e).toEqual({ forbidden: 'sale documents are immutable; record a new document instead' });
    }
  });
  it('is deployed to location and customers databases only', () => {
    expect(designDocsFor('customers').some((d) => d._id === '_design/events')).toBe(true);
    expect(designDocsFor('catalog').some((d) => d._id === '_design/events')).toBe(false);
  });
});

describe('design doc sources', () => {
  it('every kind loads, versions are stable sha256 stamps, and functions are ES5 (no arrows, let/const)', () => {
    for (const kind of DB_KINDS) {
      const docs = designDocsFor(kind);
      expect(docs.length).toBeGreaterThan(0);
      expect(designDocsFor(kind)).toEqual(docs);
      for (const d of docs) {
        expect(d.version).toMatch(/^[0-9a-f]{64}$/);
        const fns = [...Object.values(d.views ?? {}).map((v) => v.map), d.validate_doc_update ?? ''];
        for (const f of fns) expect(f).not.toMatch(/=>|\blet\b|\bconst\b|`/);
      }
    }
  });
});
