import { describe, expect, it } from 'vitest';
import { priceCart, type CartLine, type TaxConfig } from '../domain/cart.ts';
import { layawayCloseSchema, layawayPaymentSchema, layawaySchema, saleSchema } from '../domain/schemas/index.ts';
import { layawaySlipLines, movesCash, buildLayaway, buildLayawayClose, buildLayawayPayment, cancellationFee, depositProblem, layawayBlocker, layawayCloseId, minimumDeposit, paymentProblem, pickupCartLines, pickupPayment } from './layaway.ts';

const TAX: TaxConfig = { ratePpm: 88_750, exemptCategories: [], pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up' };
const bits = { registerKey: 'GM-1', registerId: 'device:GM-1', locationCode: 'GM', shiftId: 'shift:GM-1:01JCDEFGHJKMNPQRSTVWXYZ000', cashierId: 'user:cashier' };
const line = (lineId: string, qty: number, unitPrice: number): CartLine => ({ lineId, productId: `product:${lineId}`, variantId: `${lineId}-v01`, sku: `S-${lineId}`, name: `Item ${lineId}`, taxCategory: 'general', qty, unitPrice, listPrice: unitPrice });
let n = 0;
const ids = () => `p${n++}`;

describe('layaway rules', () => {
  it('minimum deposit rounds up, fee rounds half up and never exceeds what was paid', () => {
    expect(minimumDeposit(10_001, 2000)).toBe(2001);
    expect(minimumDeposit(10_000, 0)).toBe(1);
    expect(minimumDeposit(0, 2000)).toBe(0);
    expect(cancellationFee(2005, 1000)).toBe(201);
    expect(cancellationFee(2000, 10_000)).toBe(2000);
    expect(cancellationFee(0, 1000)).toBe(0);
  });

  it('says what is wrong with a cart, a deposit or a payment', () => {
    expect(layawayBlocker({ lines: [{ qty: 1 }], customerId: 'customer:c1', layawayId: null, total: 100 })).toBeNull();
    expect(layawayBlocker({ lines: [{ qty: 1 }], customerId: null, layawayId: null, total: 100 })).toMatch(/customer/);
    expect(layawayBlocker({ lines: [{ qty: 1 }, { qty: -1 }], customerId: 'customer:c1', layawayId: null, total: 100 })).toMatch(/returns/);
    expect(layawayBlocker({ lines: [], customerId: 'customer:c1', layawayId: null, total: 0 })).toMatch(/empty/);
    expect(depositProblem(1999, 10_000, 2000)).toMatch(/minimum/);
    expect(depositProblem(10_001, 10_000, 2000)).toMatch(/more than/);
    expect(depositProblem(2000, 10_000, 2000)).toBeNull();
    expect(paymentProblem(501, 500)).toMatch(/balance/);
    expect(paymentProblem(500, 500)).toBeNull();
    expect(paymentProblem(1, 0)).toMatch(/Nothing/);
  });
});

describe('layaway documents', () => {
  const t = priceCart([line('a', 2, 1999), line('b', 1, 4500)], { kind: 'amount', value: 300 }, TAX);
  const layaway = buildLayaway(bits, { customerId: 'customer:c1', currency: 'USD', lines: t.lines, total: t.total, deposit: { tenders: [{ kind: 'cash', amount: 4000 }], change: 0, rounding: 0 }, cancellationFeeBp: 1000, pricesIncludeTax: false, approvals: [] });

  it('opens, takes payments and closes with valid documents', () => {
    expect(layawaySchema.safeParse(layaway).success).toBe(true);
    const pay = buildLayawayPayment(bits, layaway._id, { tenders: [{ kind: 'cash', amount: 2000 }], change: 0, rounding: 0 });
    expect(layawayPaymentSchema.safeParse(pay).success).toBe(true);
    const cancelled = buildLayawayClose(bits, layaway, { kind: 'cancelled', refund: [{ kind: 'cash', amount: -5400 }], feeKept: 600 });
    expect(layawayCloseSchema.safeParse(cancelled).success).toBe(true);
    expect(cancelled._id).toBe(layawayCloseId(layaway._id));
    expect(cancelled._id.slice('layaway_close:'.length)).toBe(layaway._id.slice('layaway:'.length));
    expect(cancelled.lines).toEqual([
      { variantId: 'a-v01', qty: 2 },
      { variantId: 'b-v01', qty: 1 }
    ]);
  });

  it('slips show what moved and what is left; cash opens the drawer', () => {
    const m = (n: number) => (n / 100).toFixed(2);
    const pay = layawaySlipLines({ layawayId: layaway._id, customer: 'Ann Lee', total: 10_000, paidBefore: 4000, tenders: [{ kind: 'cash', amount: 2500 }], change: 500, when: 'now' }, m);
    expect(pay).toContain('Paid so far: 60.00');
    expect(pay).toContain('Balance: 40.00');
    const cancel = layawaySlipLines({ layawayId: layaway._id, customer: 'Ann Lee', total: 10_000, paidBefore: 6000, tenders: [{ kind: 'card_external', amount: -5400 }], change: 0, feeKept: 600, when: 'now' }, m);
    expect(cancel).toContain('Card refunded: 54.00');
    expect(cancel).toContain('Cancellation fee kept: 6.00');
    expect(movesCash([{ kind: 'card_external', amount: 100 }])).toBe(false);
    expect(movesCash([{ kind: 'cash', amount: -100 }])).toBe(true);
  });

  it('the pickup sale reproduces the layaway total and settles with the layaway tender plus the balance', () => {
    const lines = pickupCartLines(layaway, false, ids);
    const priced = priceCart(lines, null, TAX);
    expect(priced.total).toBe(layaway.total);
    expect(priced.lines.map((l) => [l.total, l.tax])).toEqual(layaway.lines.map((l) => [l.total, l.tax]));
    expect(() => pickupCartLines(layaway, true, ids)).toThrow(/tax setting/);
    const status = { layaway, paid: 6000, balance: layaway.total - 6000 };
    expect(() => pickupPayment(status, null)).toThrow();
    const pay = pickupPayment(status, { tenders: [{ kind: 'cash', amount: status.balance + 45 }], change: 45, rounding: 0 });
    const sale = saleSchema.safeParse({
      _id: 'sale:GM-1:01JCDEFGHJKMNPQRSTVWXYZ333',
      type: 'sale',
      locationCode: 'GM',
      registerId: 'device:GM-1',
      cashierId: 'user:cashier',
      currency: 'USD',
      lines: priced.lines,
      subtotal: priced.subtotal,
      discountTotal: priced.discountTotal,
      taxTotal: priced.taxTotal,
      total: priced.total,
      tenders: pay.tenders,
      change: pay.change,
      rounding: pay.rounding,
      layawayId: layaway._id,
      createdAt: '2026-11-25T10:00:00.000Z'
    });
    expect(sale.success).toBe(true);
    expect(pay.tenders[0]).toEqual({ kind: 'layaway', amount: 6000, reference: layaway._id });
    const close = buildLayawayClose(bits, layaway, { kind: 'picked_up', saleId: 'sale:GM-1:01JCDEFGHJKMNPQRSTVWXYZ333' });
    expect(layawayCloseSchema.safeParse(close).success).toBe(true);
    expect(close).toMatchObject({ outcome: 'picked_up', tenders: [], feeKept: 0 });
  });
});
