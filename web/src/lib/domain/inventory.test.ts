import { describe, expect, it } from 'vitest';
import {
  InventoryError,
  adjustmentInput,
  discrepanciesOf,
  isInTransit,
  makeAdjustment,
  makeTransfer,
  markReceived,
  markShipped,
  parseTransferId,
  planReceive,
  planShip,
  receiveInput,
  sameMovement,
  transferInMovementId,
  transferInput,
  transferOutMovementId
} from './inventory.ts';
import { DOC_SCHEMAS, docTypeOfId, transferSchema } from './schemas/index.ts';
import { SYNC_RULES } from '../../../../sync-rules/rules.ts';

const ULID = '01JD0000000000000000000000';
const by = 'user:m1';
const t0 = { by, now: '2026-11-24T10:00:00.000Z' };
const t1 = { by: 'user:m2', now: '2026-11-24T11:00:00.000Z' };
const t2 = { by: 'user:h1', now: '2026-11-25T09:00:00.000Z' };

const draft = () => makeTransfer(transferInput.parse({ id: ULID, from: 'GM', to: 'HM', lines: [{ variantId: 'p1-v01', qty: 3 }, { variantId: 'p1-v02', qty: 1 }] }), t0);

describe('adjustments', () => {
  it('make a stock_movement with a reason, signed lines and who made it', () => {
    const m = makeAdjustment(adjustmentInput.parse({ id: ULID, location: 'GM', reason: 'damage', lines: [{ variantId: 'p1-v01', qty: -2 }], note: 'dropped' }), t0);
    expect(m).toEqual({
      _id: `movement:adj:${ULID}`,
      type: 'stock_movement',
      locationCode: 'GM',
      reason: 'damage',
      lines: [{ variantId: 'p1-v01', qty: -2 }],
      note: 'dropped',
      createdAt: t0.now,
      createdBy: by
    });
    expect(DOC_SCHEMAS.stock_movement.safeParse(m).success).toBe(true);
  });

  it('make an id when the client gave none', () => {
    const m = makeAdjustment(adjustmentInput.parse({ location: 'GM', reason: 'correction', lines: [{ variantId: 'a-v1', qty: 4 }] }), t0);
    expect(m._id).toMatch(/^movement:adj:[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it.each([
    ['damage', 2, 'must be negative'],
    ['theft', 1, 'must be negative'],
    ['found', -1, 'must be positive'],
    ['correction', 0, 'must not be zero'],
    ['opening', 5, 'reason']
  ])('refuse %s with qty %d', (reason, qty, message) => {
    const r = adjustmentInput.safeParse({ location: 'GM', reason, lines: [{ variantId: 'a-v1', qty }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });

  it('allow either sign for correction and adjustment, and refuse a variant twice', () => {
    expect(adjustmentInput.safeParse({ location: 'GM', reason: 'adjustment', lines: [{ variantId: 'a-v1', qty: -1 }, { variantId: 'a-v2', qty: 1 }] }).success).toBe(true);
    const dup = adjustmentInput.safeParse({ location: 'GM', reason: 'found', lines: [{ variantId: 'a-v1', qty: 1 }, { variantId: 'a-v1', qty: 2 }] });
    expect(dup.error?.issues[0]?.message).toContain('listed twice');
  });

  it('a retry is the same movement; other lines are not', () => {
    const input = adjustmentInput.parse({ id: ULID, location: 'GM', reason: 'theft', lines: [{ variantId: 'a-v1', qty: -1 }] });
    expect(sameMovement(makeAdjustment(input, t0), makeAdjustment(input, t1))).toBe(true);
    expect(sameMovement(makeAdjustment(input, t0), makeAdjustment({ ...input, lines: [{ variantId: 'a-v1', qty: -2 }] }, t0))).toBe(false);
  });
});

describe('transfers', () => {
  it('start as a draft in the source database, under an id naming the source', () => {
    const t = draft();
    expect(t).toMatchObject({ _id: `transfer:GM:${ULID}`, type: 'transfer', locationCode: 'GM', toLocationCode: 'HM', status: 'draft' });
    expect(parseTransferId(t._id)).toEqual({ from: 'GM', ulid: ULID });
    expect(docTypeOfId(t._id)).toBe('transfer');
    expect(SYNC_RULES.documents.transfer).toMatchObject({ db: 'location', lifecycle: 'mutable', write: null });
    expect(isInTransit(t)).toBe(false);
  });

  it('refuse the same location at both ends, no lines, non-positive quantities', () => {
    expect(transferInput.safeParse({ from: 'GM', to: 'GM', lines: [{ variantId: 'a-v1', qty: 1 }] }).success).toBe(false);
    expect(transferInput.safeParse({ from: 'GM', to: 'HM', lines: [] }).success).toBe(false);
    expect(transferInput.safeParse({ from: 'GM', to: 'HM', lines: [{ variantId: 'a-v1', qty: 0 }] }).success).toBe(false);
    expect(transferSchema.safeParse({ ...draft(), status: 'shipped' }).success).toBe(false); // shipped needs its movement
  });

  it('ship: a negative transfer_out at the source under an id derived from the transfer, once', () => {
    const t = draft();
    const plan = planShip(t, t1);
    if (plan.kind !== 'write') throw new Error('expected a write');
    expect(plan.movement).toEqual({
      _id: `movement:transfer_out:${ULID}`,
      type: 'stock_movement',
      locationCode: 'GM',
      reason: 'transfer_out',
      lines: [{ variantId: 'p1-v01', qty: -3 }, { variantId: 'p1-v02', qty: -1 }],
      note: 'to HM',
      ref: t._id,
      createdAt: t1.now,
      createdBy: 'user:m2'
    });
    expect(transferOutMovementId(t)).toBe(plan.movement._id);
    // a retry makes the same id: the store refuses a second one
    const again = planShip(t, t2);
    expect(again.kind === 'write' && again.movement._id).toBe(plan.movement._id);
    expect(again.kind === 'write' && sameMovement(again.movement, plan.movement)).toBe(true);

    const shipped = markShipped(t, plan.movement, t2);
    // the transfer says when the stock left (the stored movement), even when an interrupted attempt wrote it
    expect(shipped).toMatchObject({ status: 'shipped', shippedAt: t1.now, shippedBy: 'user:m2', shipMovementId: plan.movement._id, updatedAt: t2.now });
    expect(isInTransit(shipped)).toBe(true);
    expect(planShip(shipped, t2)).toEqual({ kind: 'done' });
  });

  it('receive: transfer_in at the destination with what arrived, discrepancies recorded', () => {
    const t = draft();
    const out = planShip(t, t1);
    if (out.kind !== 'write') throw new Error('expected a write');
    const shipped = markShipped(t, out.movement, t1);
    const plan = planReceive(shipped, receiveInput.parse({ lines: [{ variantId: 'p1-v01', qty: 2 }] }), t2);
    if (plan.kind !== 'write') throw new Error('expected a write');
    expect(plan.received).toEqual([{ variantId: 'p1-v01', qty: 2 }, { variantId: 'p1-v02', qty: 0 }]);
    expect(plan.movement).toMatchObject({ _id: `movement:transfer_in:${ULID}`, locationCode: 'HM', reason: 'transfer_in', lines: [{ variantId: 'p1-v01', qty: 2 }], ref: t._id });
    expect(transferInMovementId(t)).toBe(plan.movement?._id);
    const received = markReceived(shipped, plan.received, plan.movement, t2);
    expect(received).toMatchObject({
      status: 'received',
      receivedAt: t2.now,
      receivedBy: 'user:h1',
      receiveMovementId: plan.movement?._id,
      discrepancies: [
        { variantId: 'p1-v01', sent: 3, received: 2, diff: 1 },
        { variantId: 'p1-v02', sent: 1, received: 0, diff: 1 }
      ]
    });
    expect(isInTransit(received)).toBe(false);
    // the same receipt again writes nothing; other quantities are a conflict
    expect(planReceive(received, receiveInput.parse({ lines: [{ variantId: 'p1-v01', qty: 2 }, { variantId: 'p1-v02', qty: 0 }] }), t2)).toEqual({ kind: 'done' });
    expect(() => planReceive(received, receiveInput.parse({ lines: [{ variantId: 'p1-v01', qty: 3 }] }), t2)).toThrow(InventoryError);
  });

  it('receive refuses a draft and a variant not on the transfer; nothing arriving writes no movement', () => {
    const t = draft();
    expect(() => planReceive(t, receiveInput.parse({ lines: [] }), t2)).toThrow(/has not shipped/);
    const out = planShip(t, t1);
    if (out.kind !== 'write') throw new Error('expected a write');
    const shipped = markShipped(t, out.movement, t1);
    expect(() => planReceive(shipped, receiveInput.parse({ lines: [{ variantId: 'x-v9', qty: 1 }] }), t2)).toThrow(/x-v9 is not on transfer/);
    const none = planReceive(shipped, receiveInput.parse({ lines: [] }), t2);
    expect(none.kind === 'write' && none.movement).toBe(null);
    if (none.kind !== 'write') throw new Error('expected a write');
    const lost = markReceived(shipped, none.received, null, t2);
    expect(lost.receiveMovementId).toBeUndefined();
    expect(lost.discrepancies).toHaveLength(2);
  });

  it('discrepancy is sent − received: negative when more arrived', () => {
    expect(discrepanciesOf(draft(), [{ variantId: 'p1-v01', qty: 4 }, { variantId: 'p1-v02', qty: 1 }])).toEqual([{ variantId: 'p1-v01', sent: 3, received: 4, diff: -1 }]);
  });
});
