import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SYNC_RULES } from '../sync-rules/rules.ts';
import { DB_KINDS, designDocsFor, mangoIndexesFor, readGenerationLock, stampGeneration, type DesignKind } from './index.ts';

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

/** Sums a view's emitted values per key, as `_sum` with group=true would. */
function sumByKey(rows: [unknown, unknown][]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of rows) out[JSON.stringify(k)] = (out[JSON.stringify(k)] ?? 0) + (v as number);
  return out;
}

describe('stock ledger with returns, voids and layaways', () => {
  const onHand = mapper('location', 'stock', 'on_hand');
  const reserved = mapper('location', 'stock', 'reserved');
  const history = mapper('location', 'movements', 'by_variant');
  const exchange = { ...sale, _id: 'sale:GM-1:ex', kind: 'exchange', lines: [{ variantId: 'v1', qty: -1, returnOf: { saleId: sale._id, lineId: 'l1' } }, { variantId: 'v2', qty: 1 }] };
  const voided = { _id: 'void:GM-1:v', type: 'void', locationCode: 'GM', saleId: sale._id, createdAt: '2026-11-25T09:00:00Z', lines: [{ variantId: 'v1', qty: 2 }, { variantId: 'v2', qty: 1 }] };
  const layaway = { _id: 'layaway:GM-1:L', type: 'layaway', locationCode: 'GM', lines: [{ variantId: 'v1', qty: 2 }, { variantId: 'v2', qty: 1 }] };
  const pickedUp = { _id: 'layaway_close:GM-1:L', type: 'layaway_close', outcome: 'picked_up', locationCode: 'GM', lines: [{ variantId: 'v1', qty: 2 }, { variantId: 'v2', qty: 1 }] };
  const pickupSale = { ...sale, _id: 'sale:GM-1:pickup', layawayId: layaway._id, lines: layaway.lines };

  it.each([
    ['a returned line (negative qty) comes back, the exchanged-out line leaves', exchange, [[['GM', 'v1'], 1], [['GM', 'v2'], -1]]],
    ['a void puts its sale\'s lines back', voided, [[['GM', 'v1'], 2], [['GM', 'v2'], 1]]],
    ['a layaway does not move on_hand', layaway, []],
    ['closing a layaway does not move on_hand', pickedUp, []]
  ])('on_hand: %s', (_name, doc, expected) => {
    expect(onHand(doc)).toEqual(expected);
  });

  it('sale, return and void net out to the opening level', () => {
    expect(sumByKey([opening, sale, voided].flatMap(onHand))).toEqual({ '["GM","v1"]': 10, '["GM","v2"]': 3 });
    expect(sumByKey([opening, sale, exchange].flatMap(onHand))).toEqual({ '["GM","v1"]': 9, '["GM","v2"]': 1 });
  });

  it.each([
    ['open: the lines are reserved', [layaway], { '["GM","v1"]': 2, '["GM","v2"]': 1 }],
    ['closed (picked up or cancelled): released', [layaway, pickedUp], { '["GM","v1"]': 0, '["GM","v2"]': 0 }],
    ['sales, voids and movements reserve nothing', [sale, voided, opening], {}]
  ])('reserved: %s', (_name, docs, expected) => {
    expect(sumByKey(docs.flatMap(reserved))).toEqual(expected);
  });

  it('a layaway picked up moves stock once: by its pickup sale, not by the layaway', () => {
    const docs = [opening, layaway, pickedUp, pickupSale];
    expect(sumByKey(docs.flatMap(onHand))).toEqual({ '["GM","v1"]': 8, '["GM","v2"]': 2 });
    expect(sumByKey(docs.flatMap(reserved))).toEqual({ '["GM","v1"]': 0, '["GM","v2"]': 0 });
  });

  it('movement history includes voids, so it sums to on_hand', () => {
    expect(history(voided)[0]).toEqual([['GM', 'v1', '2026-11-25T09:00:00Z'], { qty: 2, reason: 'void', ref: sale._id, doc: voided._id }]);
    const docs = [opening, sale, damage, exchange, voided];
    const perVariant = (rows: [unknown, unknown][]) => sumByKey(rows.map(([k, v]) => [(k as string[]).slice(0, 2), typeof v === 'number' ? v : (v as { qty: number }).qty]));
    expect(perVariant(docs.flatMap(history))).toEqual(sumByKey(docs.flatMap(onHand)));
  });
});

describe('sales/by_shift', () => {
  const byShift = mapper('location', 'sales', 'by_shift');
  it.each([
    ['a sale of a shift, keyed by shift and time', { ...sale, shiftId: 'shift:GM-1:S' }, [[['shift:GM-1:S', sale.createdAt], 2178]]],
    ['a return keeps its negative total', { ...sale, kind: 'return', shiftId: 'shift:GM-1:S', total: -500 }, [[['shift:GM-1:S', sale.createdAt], -500]]],
    ['a sale recorded outside a shift emits nothing', sale, []],
    ['a void nets its sale out', { type: 'void', shiftId: 'shift:GM-1:S', createdAt: sale.createdAt, total: -2178 }, [[['shift:GM-1:S', sale.createdAt], -2178]]],
    ['other documents emit nothing', { type: 'cash_movement', shiftId: 'shift:GM-1:S', createdAt: sale.createdAt, amount: 500 }, []]
  ])('%s', (_name, doc, expected) => {
    expect(byShift(doc)).toEqual(expected);
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
  it('movements/by_variant lists history per location and variant in time order, sales negative', () => {
    const history = mapper('location', 'movements', 'by_variant');
    expect(history(opening)).toEqual([
      [['GM', 'v1', '2026-11-01T00:00:00Z'], { qty: 10, reason: 'opening', ref: null, doc: 'movement:1' }],
      [['GM', 'v2', '2026-11-01T00:00:00Z'], { qty: 3, reason: 'opening', ref: null, doc: 'movement:1' }]
    ]);
    expect(history(sale)[0]).toEqual([['GM', 'v1', '2026-11-24T23:30:00.000Z'], { qty: -2, reason: 'sale', ref: null, doc: sale._id }]);
    expect(history({ type: 'customer', firstName: 'A' })).toEqual([]);
  });
  it('customers/by_email and by_name are case-insensitive', () => {
    const c = { _id: 'customer:1', type: 'customer', firstName: 'Ava', lastName: 'Chen', email: 'Ava.Chen@Example.com' };
    expect(mapper('customers', 'customers', 'by_email')(c)).toEqual([['ava.chen@example.com', null]]);
    expect(mapper('customers', 'customers', 'by_name')(c)).toEqual([[['chen', 'ava'], null]]);
    expect(mapper('customers', 'customers', 'by_email')({ ...c, email: undefined })).toEqual([]);
  });
  it('catalog/by_category and staff/by_user', () => {
    expect(mapper('catalog', 'catalog', 'by_category')({ _id: 'product:p', type: 'product', categoryId: 'category:jeans', status: 'active', name: 'Slim', variants: [] })).toEqual([[['category:jeans', 'active', 'Slim'], null]]);
    expect(mapper('catalog', 'staff', 'by_user')({ _id: 'staff:1', type: 'staff', userId: 'user:1', name: 'Sam', role: 'cashier', active: true })).toEqual([['user:1', { name: 'Sam', role: 'cashier', active: true }]]);
  });
  it('platform users, devices and refresh tokens', () => {
    const user = { _id: 'user:01', type: 'user', email: 'Owner@Nexus.test', tenantId: 'nexus', role: 'owner', name: 'O', active: true };
    expect(mapper('platform', 'users', 'by_email')(user)).toEqual([['owner@nexus.test', { tenantId: 'nexus', role: 'owner', active: true }]]);
    expect(mapper('platform', 'users', 'by_tenant')(user)).toEqual([[['nexus', 'Owner@Nexus.test'], { name: 'O', role: 'owner' }]]);
    expect(mapper('platform', 'devices', 'by_tenant')({ _id: 'device:1', type: 'device', tenantId: 'nexus', locationCode: 'GM', kind: 'register', name: 'R1' })).toEqual([[['nexus', 'GM'], { kind: 'register', name: 'R1', revoked: false }]]);
    const refresh = { _id: 'refresh:h', type: 'refresh_token', userId: 'user:01', expiresAt: '2026-12-01T00:00:00Z' };
    expect(mapper('platform', 'refresh', 'by_user')(refresh)).toEqual([['user:01', '2026-12-01T00:00:00Z']]);
    expect(mapper('platform', 'refresh', 'by_user')({ ...refresh, revokedAt: '2026-11-02T00:00:00Z' })).toEqual([]);
    expect(mapper('platform', 'users', 'by_email')({ _id: 'email:x', type: 'email_claim', userId: 'user:01' })).toEqual([]);
  });
  it('platform deliveries: what the outbox worker must look at, and when', () => {
    const d = { _id: 'delivery:platform:outbox:x', type: 'delivery', tenantId: 'nexus', channel: 'email', status: 'queued', queuedAt: '2026-12-01T10:00:00Z', createdAt: '2026-12-01T09:59:00Z', nextAttemptAt: '2026-12-01T10:00:00Z' };
    const due = mapper('platform', 'deliveries', 'due');
    expect(due(d)).toEqual([[['email', '2026-12-01T10:00:00Z'], null]]);
    expect(due({ ...d, status: 'retrying', nextAttemptAt: '2026-12-01T10:05:00Z' })).toEqual([[['email', '2026-12-01T10:05:00Z'], null]]);
    expect(due({ ...d, status: 'sending', claim: { expiresAt: '2026-12-01T10:02:00Z' } })).toEqual([[['email', '2026-12-01T10:02:00Z'], null]]);
    for (const status of ['sent', 'failed', 'suppressed', 'unconfirmed']) expect(due({ ...d, status })).toEqual([]);
    expect(mapper('platform', 'deliveries', 'by_tenant')(d)).toEqual([[['nexus', '2026-12-01T09:59:00Z'], null]]);
    expect(mapper('platform', 'deliveries', 'by_tenant_status')(d)).toEqual([[['nexus', 'queued', '2026-12-01T09:59:00Z'], null]]);
    expect(due({ _id: 'user:1', type: 'user' })).toEqual([]);
  });
  it('audit/by_time and by_actor', () => {
    const ev = { _id: 'audit:1', type: 'audit_event', createdAt: '2026-11-24T10:00:00Z', actor: 'user:1', action: 'sale.void' };
    expect(mapper('audit', 'audit', 'by_time')(ev)).toEqual([['2026-11-24T10:00:00Z', { action: 'sale.void', actor: 'user:1' }]]);
    expect(mapper('audit', 'audit', 'by_actor')(ev)).toEqual([[['user:1', '2026-11-24T10:00:00Z'], 'sale.void']]);
  });
  it('malformed documents of a known type emit nothing instead of throwing', () => {
    expect(mapper('location', 'stock', 'on_hand')({ type: 'sale' })).toEqual([]);
    expect(mapper('catalog', 'catalog', 'by_barcode')({ type: 'product' })).toEqual([]);
    expect(mapper('customers', 'customers', 'by_name')({ type: 'customer' })).toEqual([[['', ''], null]]);
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
  it("lets only the server's admin account delete an event leaf (the conflict worker restoring the original), never edit one", () => {
    const admin = { name: 'pos_service', roles: ['_admin'] };
    const member = { name: 'someone', roles: ['staff'] };
    expect(() => validate({ _id: sale._id, _rev: '1-ffff', _deleted: true }, sale, admin, {})).not.toThrow();
    expect(() => validate({ ...sale, total: 1 }, sale, admin, {})).toThrow();
    expect(() => validate({ _id: sale._id, _deleted: true }, sale, member, {})).toThrow();
  });
  it('covers every event type and lets a deleted document id be reused', () => {
    const movement = { ...opening, lines: [{ variantId: 'v1', qty: 11 }] };
    const entry = { _id: 'ledger:1', type: 'ledger_entry', account: 'store_credit', holder: 'customer:1', amount: 500 };
    expect(() => validate(movement, opening, {}, {})).toThrow();
    expect(() => validator('customers')({ ...entry, amount: 5000 }, entry, {}, {})).toThrow();
    expect(() => validate(sale, { _id: sale._id, _deleted: true }, {}, {})).not.toThrow();
  });
  it('treats exactly the sync rules\' event types as immutable', () => {
    const events = Object.entries(SYNC_RULES.documents).filter(([, r]) => r.lifecycle === 'event').map(([t]) => t);
    for (const type of events) expect(() => validate({ _id: `${type}:1`, type }, { _id: `${type}:1`, type }, {}, {}), type).toThrow();
    const mutable = Object.entries(SYNC_RULES.documents).filter(([, r]) => r.lifecycle === 'mutable').map(([t]) => t);
    for (const type of mutable) expect(() => validate({ _id: `${type}:1`, type }, { _id: `${type}:1`, type }, {}, {}), type).not.toThrow();
  });
  it('is deployed to location and customers databases only', () => {
    expect(designDocsFor('customers').some((d) => d._id === '_design/events')).toBe(true);
    expect(designDocsFor('catalog').some((d) => d._id === '_design/events')).toBe(false);
  });
});

describe('design doc sources', () => {
  it('has the views and indexes other code relies on', () => {
    const names = (kind: DesignKind) => designDocsFor(kind).flatMap((d) => Object.keys(d.views ?? {}).map((v) => `${d._id.slice('_design/'.length)}/${v}`));
    expect(names('location')).toEqual(expect.arrayContaining(['stock/on_hand', 'stock/reserved', 'sales/by_day', 'sales/by_shift', 'movements/by_variant', 'conflicts/open']));
    expect(names('catalog')).toEqual(expect.arrayContaining(['catalog/by_barcode', 'catalog/by_sku', 'catalog/by_category', 'staff/by_user', 'conflicts/open']));
    expect(names('customers')).toEqual(expect.arrayContaining(['ledger/balance', 'customers/by_email', 'customers/by_name']));
    expect(names('platform')).toEqual(expect.arrayContaining(['users/by_email', 'users/by_tenant', 'devices/by_tenant', 'refresh/by_user']));
    expect(names('audit')).toEqual(expect.arrayContaining(['audit/by_time', 'audit/by_actor']));
    const reduceOf = (kind: DesignKind, ddoc: string, view: string) => designDocsFor(kind).find((d) => d._id === `_design/${ddoc}`)?.views?.[view]?.reduce;
    expect(reduceOf('location', 'stock', 'on_hand')).toBe('_sum');
    expect(reduceOf('customers', 'ledger', 'balance')).toBe('_sum');
    expect(reduceOf('location', 'sales', 'by_day')).toBe('_stats');
    expect(reduceOf('location', 'sales', 'by_shift')).toBe('_stats');
    expect(reduceOf('location', 'stock', 'reserved')).toBe('_sum');
    expect(reduceOf('catalog', 'tax_categories', 'in_use')).toBe('_count');
    for (const kind of ['catalog', 'location', 'customers'] as const) {
      for (const idx of mangoIndexesFor(kind)) expect(idx).toMatchObject({ name: expect.any(String), ddoc: expect.any(String), index: { fields: expect.any(Array) } });
    }
  });

  it('stamps each document with the sha256 of exactly what gets deployed', () => {
    for (const kind of DB_KINDS) {
      for (const { version, generation: _generation, ...body } of designDocsFor(kind)) {
        expect(createHash('sha256').update(JSON.stringify(body)).digest('hex')).toBe(version);
      }
    }
    const all = DB_KINDS.flatMap((k) => designDocsFor(k));
    // the shared events doc is the same document (same stamp) wherever it is deployed
    expect(new Set(all.filter((d) => d._id === '_design/events').map((d) => d.version)).size).toBe(1);
  });

  it('generation.json records exactly the current versions (run `npm run ddocs:stamp` after changing a design doc)', () => {
    const lock = readGenerationLock();
    expect(lock.generation).toBeGreaterThan(0);
    expect(stampGeneration(lock), 'design documents changed: run `npm run ddocs:stamp` and commit couch-design-docs/generation.json').toBe(lock);
    for (const kind of DB_KINDS) for (const d of designDocsFor(kind)) expect(d.generation).toBe(lock.generation);
  });

  it('a changed document is one generation ahead of the lock until it is stamped', () => {
    const lock = readGenerationLock();
    const stale = { generation: lock.generation, versions: { ...lock.versions, 'location/_design/stock': 'an-older-version' } };
    const next = stampGeneration(stale);
    expect(next.generation).toBe(lock.generation + 1);
    expect(next.versions['location/_design/stock']).toBe(lock.versions['location/_design/stock']);
  });

  it('no design document is named like a staging copy (`-next`, server/couch/ddoc-upgrade.ts)', () => {
    for (const kind of DB_KINDS) for (const d of designDocsFor(kind)) expect(d._id).not.toMatch(/-next$/);
  });

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

describe('location/transfers/by_location', () => {
  const byLocation = mapper('location', 'transfers', 'by_location');
  it('emits a row for each end, so either location finds the transfer', () => {
    const tr = { _id: 'transfer:GM:x', type: 'transfer', locationCode: 'GM', toLocationCode: 'HM', status: 'shipped', createdAt: '2026-11-24T10:00:00Z' };
    expect(byLocation(tr)).toEqual([
      [['GM', 'shipped', '2026-11-24T10:00:00Z'], { from: 'GM', to: 'HM' }],
      [['HM', 'shipped', '2026-11-24T10:00:00Z'], { from: 'GM', to: 'HM' }]
    ]);
    expect(byLocation(opening)).toEqual([]);
  });
});
