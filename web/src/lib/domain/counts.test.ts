import { describe, expect, it } from 'vitest';
import {
  CountError,
  countMovement,
  countMovementId,
  countTotals,
  enterCounts,
  expectedAtSnapshot,
  ledgerDeltaSince,
  makeManualCount,
  markApproved,
  markRejected,
  planApprove,
  reviewLines,
  submitCount
} from './counts.ts';
import { countSessionSchema } from './schemas/index.ts';
import { SYNC_RULES } from '../../../../sync-rules/rules.ts';

const t0 = '2026-05-01T10:00:00.000Z';
const t1 = '2026-05-01T10:30:00.000Z';
const t2 = '2026-05-01T11:00:00.000Z';
const actor = (now = t0) => ({ by: 'user:m', now });
const ULID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

function submitted(counts: { variantId: string; qty: number }[], scope: Parameters<typeof makeManualCount>[0]['scope'] = { kind: 'variants', variantIds: ['a', 'b'] }) {
  const open = makeManualCount({ id: ULID, location: 'GM', scope }, actor());
  return submitCount(enterCounts(open, counts, actor()), actor(t1))!;
}

describe('count sessions', () => {
  it('a manual count is open, takes counts (later entries replace), then submits once at the snapshot time', () => {
    const s = makeManualCount({ id: ULID, location: 'GM', scope: { kind: 'all' } }, actor());
    expect(s).toMatchObject({ _id: `count:GM:${ULID}`, status: 'open', source: 'manual', counts: [] });
    const e = enterCounts(enterCounts(s, [{ variantId: 'a', qty: 3 }], actor()), [{ variantId: 'a', qty: 4 }, { variantId: 'b', qty: 0 }], actor());
    expect(e.counts).toEqual([{ variantId: 'a', qty: 4 }, { variantId: 'b', qty: 0 }]);
    const sub = submitCount(e, actor(t1))!;
    expect(sub).toMatchObject({ status: 'submitted', submittedAt: t1 });
    expect(submitCount(sub, actor(t2))).toBeNull();
    expect(() => enterCounts(sub, [{ variantId: 'a', qty: 1 }], actor())).toThrow(CountError);
  });

  it('expected stock is as of submission: later sales, voids and movements are taken back out', () => {
    const docs = [
      { type: 'sale', locationCode: 'GM', createdAt: t2, lines: [{ variantId: 'a', qty: 3 }] },
      { type: 'void', locationCode: 'GM', createdAt: t2, lines: [{ variantId: 'a', qty: 1 }] },
      { type: 'stock_movement', locationCode: 'GM', createdAt: t2, lines: [{ variantId: 'b', qty: 5 }] },
      { type: 'sale', locationCode: 'GM', createdAt: t1, lines: [{ variantId: 'a', qty: 9 }] }, // at the snapshot: before it
      { type: 'sale', locationCode: 'HM', createdAt: t2, lines: [{ variantId: 'a', qty: 9 }] }, // other location
      { type: 'parked_sale', locationCode: 'GM', createdAt: t2, lines: [{ variantId: 'a', qty: 9 }] },
      // a damaged return kept off the shelf moved no stock, as stock/on_hand says
      { type: 'sale', locationCode: 'GM', createdAt: t2, lines: [{ variantId: 'a', qty: -4, restock: false }] }
    ];
    const delta = ledgerDeltaSince(docs, 'GM', t1);
    expect(Object.fromEntries(delta)).toEqual({ a: -2, b: 5 });
    // on hand now: a 6 (8 at submission − 3 sold + 1 voided), b 7 (2 + 5 received)
    expect(Object.fromEntries(expectedAtSnapshot(new Map([['a', 6], ['b', 7]]), delta))).toEqual({ a: 8, b: 2 });
  });

  it('variance = counted − expected per line, with value at cost and totals; uncounted scope variants count as 0', () => {
    const s = submitted([{ variantId: 'a', qty: 7 }, { variantId: 'c', qty: 2 }]);
    const lines = reviewLines(s, ['a', 'b'], new Map([['a', 10], ['b', 4], ['c', 1]]), new Map([['a', 500], ['b', 250]]));
    expect(lines).toEqual([
      { variantId: 'a', expected: 10, counted: 7, variance: -3, unitCost: 500 },
      { variantId: 'b', expected: 4, counted: 0, variance: -4, unitCost: 250 },
      { variantId: 'c', expected: 1, counted: 2, variance: 1, unitCost: 0 }
    ]);
    expect(countTotals(lines)).toEqual({ lines: 3, expected: 15, counted: 9, variance: -6, missingUnits: 7, foundUnits: 1, varianceValue: -2500, missingValue: 2500, foundValue: 0, uncosted: 1 });
  });

  it('an "all" count covers every variant with expected stock and leaves out lines with nothing on either side', () => {
    const s = submitted([{ variantId: 'a', qty: 5 }], { kind: 'all' });
    const lines = reviewLines(s, [], new Map([['a', 5], ['b', 2], ['z', 0]]), new Map());
    expect(lines.map((l) => [l.variantId, l.variance])).toEqual([['a', 0], ['b', -2]]);
  });

  it('approval writes one count movement named after the session with only non-zero variances, and is done once approved', () => {
    const s = submitted([{ variantId: 'a', qty: 7 }, { variantId: 'b', qty: 4 }]);
    const lines = reviewLines(s, ['a', 'b'], new Map([['a', 10], ['b', 4]]), new Map());
    expect(planApprove(s)).toEqual({ kind: 'write' });
    const m = countMovement(s, lines, actor(t2))!;
    expect(m).toMatchObject({ _id: countMovementId(s), reason: 'count', locationCode: 'GM', ref: s._id, lines: [{ variantId: 'a', qty: -3 }] });
    expect(m._id).toBe(`movement:count:${ULID}`);
    const approved = markApproved(s, lines, m, actor(t2));
    expect(approved).toMatchObject({ status: 'approved', movementId: m._id, reviewedAt: t2 });
    expect(planApprove(approved)).toEqual({ kind: 'done' });
    expect(() => markRejected(approved, 'no', [], actor())).toThrow(/only a submitted count/);
  });

  it('a count that matches approves without a movement; open and rejected counts cannot be approved', () => {
    const s = submitted([{ variantId: 'a', qty: 10 }]);
    const lines = reviewLines(s, ['a'], new Map([['a', 10]]), new Map());
    expect(countMovement(s, lines, actor())).toBeNull();
    expect(markApproved(s, lines, null, actor()).movementId).toBeUndefined();
    expect(() => planApprove(makeManualCount({ location: 'GM', scope: { kind: 'all' } }, actor()))).toThrow(/still open/);
    const rejected = markRejected(s, 'recount aisle 3', lines, actor())!;
    expect(rejected).toMatchObject({ status: 'rejected', rejectReason: 'recount aisle 3' });
    expect(markRejected(rejected, 'again', lines, actor())).toBeNull();
    expect(() => planApprove(rejected)).toThrow(/rejected/);
  });

  it('the schema holds an RFID count to its phone and a reviewed count to its review fields', () => {
    const base = { ...submitted([{ variantId: 'a', qty: 1 }]), source: 'rfid' as const };
    expect(countSessionSchema.safeParse(base).success).toBe(false);
    expect(countSessionSchema.safeParse({ ...base, deviceId: 'device:ph1' }).success).toBe(true);
    expect(countSessionSchema.safeParse({ ...base, deviceId: 'device:ph1', status: 'approved' }).success).toBe(false);
    expect(countSessionSchema.safeParse({ ...base, deviceId: 'device:ph1', counts: [{ variantId: 'a', qty: 1 }, { variantId: 'a', qty: 2 }] }).success).toBe(false);
  });

  it('sync rules: phones and inventory:count users create counts; suppliers and orders are server-only', () => {
    expect(SYNC_RULES.documents.count_session).toMatchObject({ db: 'location', write: 'inventory:count', deviceWriters: ['rfid_phone'], conflict: { rule: 'server-only' } });
    expect(SYNC_RULES.documents.purchase_order).toMatchObject({ db: 'location', write: null });
    expect(SYNC_RULES.documents.supplier).toMatchObject({ db: 'catalog', write: null });
  });
});
