import { describe, expect, it } from 'vitest';
import type { CartLine } from '../../domain/cart.ts';
import { LOCKED_CART, type Approval } from '../cart.svelte.ts';
import { returnableLines } from '../returns.ts';
import { addBlindReturn, addReturnsToCart, chooseReturns, type ReturnCart } from './returns.ts';
import { cashSale, manager } from './register.fixture.ts';

function cart(over: { locked?: boolean; layawayId?: string } = {}) {
  const c = {
    locked: over.locked ?? false,
    layawayId: over.layawayId ?? null,
    approvals: [] as Approval[],
    lines: [] as CartLine[],
    addLine(l: CartLine) {
      c.lines.push(l);
    },
    approve(a: Approval) {
      c.approvals.push(a);
    }
  } satisfies ReturnCart & { lines: CartLine[] };
  return c;
}

function twoTees() {
  const sale = cashSale({ shift: null }, {
    lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 2, unitPrice: 1_000, discount: 0, tax: 0, total: 2_000 }],
    total: 2_000,
    subtotal: 2_000,
    tenders: [{ kind: 'cash', amount: 2_000 }]
  });
  return { sale, returned: new Map([['l1', 1]]) };
}

const tee = { productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', options: { Size: 'M' }, taxCategory: 'clothing', price: 1_200 };
const approval: Approval = { action: 'refund_without_receipt', staffId: manager.id, staffName: manager.name, at: '2026-12-07T10:00:00.000Z' };

describe('returns flow', () => {
  it('puts what can still come back into the cart, refunded at what the sale charged', () => {
    const { sale, returned } = twoTees();
    const lines = returnableLines(sale, returned, false);
    const c = cart();
    addReturnsToCart(c, sale, lines, returned, { qty: { l1: 1 }, reason: { l1: 'damaged' }, restock: {} });
    expect(c.lines).toMatchObject([{ qty: -1, returnOf: { saleId: sale._id, lineId: 'l1' }, returnReason: 'damaged', restock: false }]);
  });

  it('refuses more than is left, fractions, a missing reason, nothing picked, and a locked or pickup cart', () => {
    const { sale, returned } = twoTees();
    const lines = returnableLines(sale, returned, false);
    const pick = (qty: number | null, reason: 'changed_mind' | '' = 'changed_mind') => ({ qty: { l1: qty }, reason: { l1: reason }, restock: {} });
    expect(() => chooseReturns(lines, pick(2))).toThrow('Only 1 of Tee can still be returned.');
    expect(() => chooseReturns(lines, pick(0.5))).toThrow('Enter a whole number of Tee to return.');
    expect(() => chooseReturns(lines, pick(1, ''))).toThrow('Choose why Tee is coming back.');
    expect(() => chooseReturns(lines, pick(null))).toThrow('Choose how many of which items are coming back.');
    expect(() => addReturnsToCart(cart({ locked: true }), sale, lines, returned, pick(1))).toThrow(LOCKED_CART);
    expect(() => addReturnsToCart(cart({ layawayId: 'layaway:R1:x' }), sale, lines, returned, pick(1))).toThrow(/layaway pickup/);
  });

  it('a blind return is one unit at today’s price, the manager’s approval recorded once', () => {
    const c = cart();
    addBlindReturn(c, tee, 'T-1', 'changed_mind', true, approval);
    addBlindReturn(c, tee, 'T-1', 'changed_mind', true, approval);
    expect(c.lines.map((l) => [l.qty, l.unitPrice, l.name])).toEqual([
      [-1, 1_200, 'Tee · M'],
      [-1, 1_200, 'Tee · M']
    ]);
    expect(c.approvals).toEqual([approval]);
    expect(() => addBlindReturn(c, undefined, 'NOPE', 'changed_mind', true, null)).toThrow('Unknown barcode or SKU “NOPE”: nothing was added.');
    expect(() => addBlindReturn(c, tee, ' ', 'changed_mind', true, null)).toThrow(/Scan or type/);
    expect(() => addBlindReturn(c, tee, 'T-1', '', true, null)).toThrow('Choose why the item is coming back.');
    expect(c.lines).toHaveLength(2);
  });
});
