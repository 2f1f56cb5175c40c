import { describe, expect, it } from 'vitest';
import { PurchaseOrderError, applyReceipt, costUpdates, makePurchaseOrder, markCancelled, markSent, planReceipt, poTotal, receiptMovementId, updateDraft, type PurchaseOrder } from './purchase-orders.ts';

const ULID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
const actor = (now = '2026-05-01T10:00:00.000Z') => ({ by: 'user:m', now });
const facts = new Map([
  ['a', { sku: 'A-1', name: 'Tee · M' }],
  ['b', { sku: 'B-1', name: 'Cap' }]
]);

function draft(): PurchaseOrder {
  return makePurchaseOrder({ id: ULID, location: 'GM', supplierId: 'supplier:s1', lines: [{ variantId: 'a', ordered: 10, unitCost: 450 }, { variantId: 'b', ordered: 4, unitCost: 1200 }] }, facts, actor());
}

function receive(po: PurchaseOrder, n: number, lines: { variantId: string; qty: number }[]) {
  const plan = planReceipt(po, { n, lines }, actor());
  if (plan.kind === 'done') return po;
  return applyReceipt(po, n, plan.movement, actor());
}

describe('purchase orders', () => {
  it('a draft copies SKU and name from the catalog, totals at cost, and is editable only as a draft', () => {
    const po = draft();
    expect(po).toMatchObject({ _id: `po:GM:${ULID}`, status: 'draft', number: `PO-${ULID.slice(-8)}`, lines: [{ variantId: 'a', sku: 'A-1', received: 0 }, { variantId: 'b', name: 'Cap' }] });
    expect(poTotal(po)).toBe(10 * 450 + 4 * 1200);
    expect(() => makePurchaseOrder({ location: 'GM', supplierId: 'supplier:s1', lines: [{ variantId: 'zz', ordered: 1, unitCost: 0 }] }, facts, actor())).toThrow(/no product/);
    const edited = updateDraft(po, { lines: [{ variantId: 'a', ordered: 12, unitCost: 400 }] }, facts, actor());
    expect(edited.lines).toEqual([{ variantId: 'a', sku: 'A-1', name: 'Tee · M', ordered: 12, unitCost: 400, received: 0 }]);
    expect(() => updateDraft(markSent(po, actor())!, { lines: [] }, facts, actor())).toThrow(/only a draft/);
  });

  it('send: draft → sent once; an empty or cancelled order does not send', () => {
    const sent = markSent(draft(), actor())!;
    expect(sent.status).toBe('sent');
    expect(markSent(sent, actor())).toBeNull();
    expect(() => markSent(updateDraft(draft(), { lines: [] }, facts, actor()), actor())).toThrow(/no lines/);
    expect(() => markSent(markCancelled(draft(), actor())!, actor())).toThrow(/cancelled/);
  });

  it('receiving: partial → partially_received, the rest → received; movements named after order and receipt number', () => {
    const sent = markSent(draft(), actor())!;
    const plan = planReceipt(sent, { n: 1, lines: [{ variantId: 'a', qty: 6 }, { variantId: 'b', qty: 0 }] }, actor());
    expect(plan).toMatchObject({ kind: 'write', movement: { _id: receiptMovementId(sent, 1), reason: 'receive', locationCode: 'GM', ref: sent._id, lines: [{ variantId: 'a', qty: 6 }] } });
    expect(receiptMovementId(sent, 1)).toBe(`movement:po:${ULID}:1`);
    const partial = receive(sent, 1, [{ variantId: 'a', qty: 6 }]);
    expect(partial.status).toBe('partially_received');
    expect(partial.lines.map((l) => l.received)).toEqual([6, 0]);
    const full = receive(partial, 2, [{ variantId: 'a', qty: 4 }, { variantId: 'b', qty: 4 }]);
    expect(full.status).toBe('received');
    expect(full.receipts.map((r) => r.n)).toEqual([1, 2]);
    expect(() => planReceipt(full, { n: 3, lines: [{ variantId: 'a', qty: 1 }] }, actor())).toThrow(/fully received/);
  });

  it('a replayed receipt is done; other lines under the same number or a skipped number are conflicts', () => {
    const partial = receive(markSent(draft(), actor())!, 1, [{ variantId: 'a', qty: 6 }]);
    expect(planReceipt(partial, { n: 1, lines: [{ variantId: 'a', qty: 6 }, { variantId: 'b', qty: 0 }] }, actor())).toEqual({ kind: 'done' });
    const other = () => planReceipt(partial, { n: 1, lines: [{ variantId: 'a', qty: 5 }] }, actor());
    expect(other).toThrow(PurchaseOrderError);
    expect(other).toThrow(/already booked/);
    expect(() => planReceipt(partial, { n: 3, lines: [{ variantId: 'a', qty: 1 }] }, actor())).toThrow(/next receipt .* is number 2/);
  });

  it('over-receipt, unknown lines, empty receipts and drafts are refused', () => {
    const sent = markSent(draft(), actor())!;
    const partial = receive(sent, 1, [{ variantId: 'a', qty: 6 }]);
    expect(() => planReceipt(partial, { n: 2, lines: [{ variantId: 'a', qty: 5 }] }, actor())).toThrow(/only 4 of 10 are outstanding/);
    expect(() => planReceipt(sent, { n: 1, lines: [{ variantId: 'zz', qty: 1 }] }, actor())).toThrow(/not on/);
    expect(() => planReceipt(sent, { n: 1, lines: [{ variantId: 'a', qty: 0 }] }, actor())).toThrow(/nothing received/);
    expect(() => planReceipt(draft(), { n: 1, lines: [{ variantId: 'a', qty: 1 }] }, actor())).toThrow(/not been sent/);
  });

  it('cancel closes a partially received order but not a received one; last cost covers the received lines', () => {
    const partial = receive(markSent(draft(), actor())!, 1, [{ variantId: 'a', qty: 6 }]);
    const cancelled = markCancelled(partial, actor())!;
    expect(cancelled).toMatchObject({ status: 'cancelled', lines: [{ received: 6 }, { received: 0 }] });
    expect(markCancelled(cancelled, actor())).toBeNull();
    expect(() => planReceipt(cancelled, { n: 2, lines: [{ variantId: 'a', qty: 1 }] }, actor())).toThrow(/cancelled/);
    const full = receive(partial, 2, [{ variantId: 'a', qty: 4 }, { variantId: 'b', qty: 4 }]);
    expect(() => markCancelled(full, actor())).toThrow(/fully received/);
    const plan = planReceipt(markSent(draft(), actor())!, { n: 1, lines: [{ variantId: 'b', qty: 1 }] }, actor());
    if (plan.kind !== 'write') throw new Error('expected a write');
    expect(Object.fromEntries(costUpdates(draft(), plan.movement))).toEqual({ b: 1200 });
  });
});
