import { describe, expect, it } from 'vitest';
import { priceCart, type CartLine, type TaxConfig } from '../domain/cart.ts';
import { saleSchema, voidSchema } from '../domain/schemas/index.ts';
import type { SaleDoc } from './register-db.ts';
import { voidSlipLines, buildVoid, fullyReturned, mergeReturned, pendingReturns, pricesIncludeTaxOf, resolveSaleRef, returnableLines, returnLines, voidBlocker } from './returns.ts';
import { asPouch, localDb } from './local-db.fixture.ts';

const TAX: TaxConfig = { ratePpm: 88_750, exemptCategories: ['food'], pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up' };
const SALE_ID = 'sale:GM-1:01JCDEFGHJKMNPQRSTVWXYZ012';

const cartLine = (lineId: string, qty: number, unitPrice: number, extra: Partial<CartLine> = {}): CartLine => ({
  lineId,
  productId: `product:${lineId}`,
  variantId: `${lineId}-v01`,
  sku: `SKU-${lineId}`,
  name: `Item ${lineId}`,
  taxCategory: 'general',
  qty,
  unitPrice,
  listPrice: unitPrice,
  ...extra
});

function makeSale(lines: CartLine[], tax: TaxConfig = TAX, extra: Partial<SaleDoc> = {}): SaleDoc {
  const t = priceCart(lines, { kind: 'percent', value: 1000 }, tax);
  return saleSchema.parse({
    _id: SALE_ID,
    type: 'sale',
    locationCode: 'GM',
    registerId: 'device:GM-1',
    shiftId: 'shift:GM-1:01JCDEFGHJKMNPQRSTVWXYZ000',
    cashierId: 'user:cashier',
    currency: 'USD',
    lines: t.lines,
    orderDiscount: { kind: 'percent', value: 1000 },
    subtotal: t.subtotal,
    discountTotal: t.discountTotal,
    taxTotal: t.taxTotal,
    pricesIncludeTax: tax.pricesIncludeTax,
    total: t.total,
    tenders: [
      { kind: 'card_external', amount: 1000 },
      { kind: 'cash', amount: t.total - 1000 + 500 }
    ],
    change: 500,
    createdAt: '2026-11-25T10:00:00.000Z',
    ...extra
  });
}

let n = 0;
const ids = () => `r${n++}`;

describe('returnLines', () => {
  const sale = makeSale([cartLine('a', 3, 1999, { discount: { kind: 'amount', value: 100 } }), cartLine('b', 1, 450, { taxCategory: 'food' })]);
  const a = sale.lines[0]!;

  it('returns picked units as negative fixed lines pointing at the original', () => {
    const [line, ...rest] = returnLines(sale, [{ lineId: 'a', qty: 1 }, { lineId: 'b', qty: 0 }], new Map(), ids);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ qty: -1, unitPrice: 1999, variantId: 'a-v01', returnOf: { saleId: SALE_ID, lineId: 'a' } });
    expect(line!.fixed!.net).toBeLessThan(0);
    expect(line!.fixed!.tax).toBeLessThan(0);
  });

  it('carries the reason, whether the item goes back on the shelf, and the original receipt number onto the sale', () => {
    const numbered = { ...sale, receiptNo: 'GM1-20261125-0007' };
    const [damaged, fine] = returnLines(numbered, [{ lineId: 'a', qty: 1, reason: 'damaged', restock: false }, { lineId: 'b', qty: 1, reason: 'changed_mind' }], new Map(), ids);
    expect(damaged).toMatchObject({ returnReason: 'damaged', restock: false, returnOf: { saleId: SALE_ID, lineId: 'a', receiptNo: 'GM1-20261125-0007' } });
    expect(fine).toMatchObject({ returnReason: 'changed_mind', restock: true });
    // priced into a return sale, the fields reach the document (the stock views read restock)
    const t = priceCart([damaged!, fine!], null, TAX);
    expect(t.lines.map((l) => [l.returnReason, l.restock, l.returnOf?.receiptNo])).toEqual([
      ['damaged', false, 'GM1-20261125-0007'],
      ['changed_mind', true, 'GM1-20261125-0007']
    ]);
    const doc = saleSchema.safeParse({ ...sale, _id: 'sale:GM-1:01JCDEFGHJKMNPQRSTVWXYZ099', kind: 'return', lines: t.lines, orderDiscount: undefined, subtotal: t.subtotal, discountTotal: t.discountTotal, taxTotal: t.taxTotal, total: t.total, tenders: [{ kind: 'cash', amount: t.total }], change: 0 });
    expect(doc.success, JSON.stringify(doc.error?.issues)).toBe(true);
    // a reason or restock on a sold line is refused
    expect(saleSchema.safeParse({ ...sale, lines: [{ ...sale.lines[0]!, restock: false }, sale.lines[1]] }).success).toBe(false);
  });

  it('finds a sale by its receipt number, from any register of the store', async () => {
    const raw = localDb();
    raw.store.set(SALE_ID, { rev: 1, body: { type: 'sale', receiptNo: 'GM1-20261125-0007' } });
    const db = asPouch(raw);
    expect(await resolveSaleRef(db, 'GM-1', 'gm1-20261125-0007')).toBe(SALE_ID); // this register's recent sales
    expect(await resolveSaleRef(db, 'GM-1', 'GM2-20261125-0001', (no) => (no === 'GM2-20261125-0001' ? 'sale:GM-2:01JCDEFGHJKMNPQRSTVWXYZ000' : undefined))).toBe('sale:GM-2:01JCDEFGHJKMNPQRSTVWXYZ000');
    expect(await resolveSaleRef(db, 'GM-1', 'GM1-20261125-0008')).toBeNull();
    expect(await resolveSaleRef(db, 'GM-1', 'STVWXYZ012')).toBe(SALE_ID); // older receipts: the end of the id
  });

  it('after a partial earlier return, the rest refunds exactly what is left of the line', () => {
    const first = returnLines(sale, [{ lineId: 'a', qty: 1 }], new Map(), ids);
    const returned = new Map([['a', 1]]);
    const rest = returnLines(sale, [{ lineId: 'a', qty: 2 }], returned, ids);
    const net = (ls: CartLine[]) => ls.reduce((x, l) => x + l.fixed!.net, 0);
    const tax = (ls: CartLine[]) => ls.reduce((x, l) => x + l.fixed!.tax, 0);
    expect(net(first) + net(rest)).toBe(-(a.total - a.tax));
    expect(tax(first) + tax(rest)).toBe(-a.tax);
    // priced into a cart, the refund mirrors the sale line (no order discount on returned lines)
    const priced = priceCart([...first, ...rest], { kind: 'percent', value: 1000 }, TAX);
    expect(priced.total).toBe(-a.total);
    // and nothing more can come back
    expect(() => returnLines(sale, [{ lineId: 'a', qty: 1 }], new Map([['a', 3]]), ids)).toThrow(RangeError);
  });

  it('two picks of the same line continue the apportioning; units already in the cart count as returned', () => {
    const once = returnLines(sale, [{ lineId: 'a', qty: 3 }], new Map(), ids);
    const twice = returnLines(sale, [{ lineId: 'a', qty: 1 }, { lineId: 'a', qty: 2 }], new Map(), ids);
    expect(twice.reduce((x, l) => x + l.fixed!.net, 0)).toBe(once[0]!.fixed!.net);
    const pending = pendingReturns(twice.slice(0, 1), SALE_ID);
    expect(pending).toEqual(new Map([['a', 1]]));
    expect(pendingReturns(twice, 'sale:other')).toEqual(new Map());
    const merged = mergeReturned(new Map([['a', 1]]), pending);
    expect(merged.get('a')).toBe(2);
    expect(returnableLines(sale, merged, false).map((l) => l.returnable)).toEqual([1, 1]);
    expect(() => returnLines(sale, [{ lineId: 'a', qty: 2 }], merged, ids)).toThrow(/only 1 of 3/);
  });

  it('refuses unknown lines, negative picks and lines that were themselves returns', () => {
    expect(() => returnLines(sale, [{ lineId: 'zz', qty: 1 }], new Map(), ids)).toThrow(RangeError);
    expect(() => returnLines(sale, [{ lineId: 'a', qty: -1 }], new Map(), ids)).toThrow(RangeError);
    const exchange = makeSale([cartLine('c', 1, 1000), { ...cartLine('d', -1, 500), returnOf: { saleId: 'sale:GM-1:01JCDEFGHJKMNPQRSTVWXYZ999', lineId: 'x' }, fixed: { net: -500, tax: -44 } }], TAX, {
      _id: SALE_ID,
      kind: 'exchange'
    });
    expect(() => returnLines(exchange, [{ lineId: 'd', qty: 1 }], new Map(), ids)).toThrow(/itself a return/);
    expect(returnableLines(exchange, new Map(), false).map((l) => l.returnable)).toEqual([1, 0]);
  });

  it('tax-inclusive sales refund the line total; the flag is inferred on sales that lack it', () => {
    const incl = { ...TAX, pricesIncludeTax: true };
    const s = makeSale([cartLine('a', 2, 1999)], incl);
    expect(pricesIncludeTaxOf(s)).toBe(true);
    const { pricesIncludeTax: _drop, ...old } = s;
    expect(pricesIncludeTaxOf(old)).toBe(true);
    expect(pricesIncludeTaxOf({ ...sale, pricesIncludeTax: undefined })).toBe(false);
    const lines = returnLines(s, [{ lineId: 'a', qty: 2 }], new Map(), ids);
    expect(priceCart(lines, null, incl).total).toBe(-s.lines[0]!.total);
  });

  it('a voided sale has nothing returnable; fully returned is detected', () => {
    expect(returnableLines(sale, new Map(), true).every((l) => l.returnable === 0)).toBe(true);
    const all = new Map([['a', 3], ['b', 1]]);
    expect(fullyReturned({ lines: returnableLines(sale, all, false) })).toBe(true);
    expect(fullyReturned({ lines: returnableLines(sale, new Map([['a', 3]]), false) })).toBe(false);
  });
});

describe('buildVoid', () => {
  const sale = makeSale([cartLine('a', 2, 1999), cartLine('b', 1, 450, { taxCategory: 'food' })]);
  const bits = { registerKey: 'GM-2', registerId: 'device:GM-2', locationCode: 'GM', shiftId: 'shift:GM-2:01JCDEFGHJKMNPQRSTVWXYZ111', cashierId: 'user:cashier' };
  const approval = { action: 'void' as const, staffId: 'user:manager', staffName: 'Mia Manager', at: '2026-11-25T10:05:00.000Z' };

  it('makes a valid void document: lines, negated tenders net of change, −total, the approval', () => {
    const v = buildVoid(sale, bits, '  customer changed mind ', approval, new Date('2026-11-25T10:06:00.000Z'));
    expect(voidSchema.safeParse(v).error?.issues ?? []).toEqual([]);
    // named after the sale, so a sale can be voided once (whichever register voids it)
    expect(v._id).toBe(`void:${SALE_ID.slice('sale:'.length)}`);
    expect(v).toMatchObject({ type: 'void', saleId: SALE_ID, reason: 'customer changed mind', total: -sale.total, shiftId: bits.shiftId, cashierId: 'user:cashier', locationCode: 'GM' });
    expect(v.lines).toEqual([
      { variantId: 'a-v01', qty: 2 },
      { variantId: 'b-v01', qty: 1 }
    ]);
    expect(v.tenders).toEqual([
      { kind: 'cash', amount: -(sale.total - 1000) },
      { kind: 'card_external', amount: -1000 }
    ]);
    expect(v.tenders.reduce((x, t) => x + t.amount, 0)).toBe(v.total);
    expect(v.approvals).toEqual([approval]);
  });

  it('prints a slip with the reason, the approver and what went back', () => {
    const v = buildVoid(sale, bits, 'wrong size', approval);
    const text = voidSlipLines(v, (m) => (m / 100).toFixed(2)).join('\n');
    expect(text).toContain('wrong size');
    expect(text).toContain('Approved by Mia Manager');
    expect(text).toContain(`Card: 10.00`);
    expect(text).toContain(`Total refunded: ${(sale.total / 100).toFixed(2)}`);
  });

  it('needs a void approval and a reason', () => {
    expect(() => buildVoid(sale, bits, 'x', { ...approval, action: 'no_sale' })).toThrow(RangeError);
    expect(voidSchema.safeParse(buildVoid(sale, bits, '   ', approval)).success).toBe(false);
  });

  it('says why a sale cannot be voided', () => {
    expect(voidBlocker({ sale, void: null, returned: new Map() })).toBeNull();
    const v = buildVoid(sale, bits, 'x', approval);
    expect(voidBlocker({ sale, void: v, returned: new Map() })).toMatch(/already been voided/);
    expect(voidBlocker({ sale, void: null, returned: new Map([['a', 1]]) })).toMatch(/already been returned/);
    const pickup = { ...sale, layawayId: 'layaway:GM-1:01JCDEFGHJKMNPQRSTVWXYZ222' };
    expect(voidBlocker({ sale: pickup, void: null, returned: new Map() })).toMatch(/layaway/);
    const credit = { ...sale, tenders: [{ kind: 'store_credit' as const, amount: sale.total, reference: 'customer:c1' }], change: 0 };
    expect(voidBlocker({ sale: credit, void: null, returned: new Map() })).toMatch(/store credit/);
    const card = { ...sale, tenders: [{ kind: 'card_stripe' as const, amount: sale.total, reference: 'pi_1', paymentId: 'payment:R1:01JCDEFGHJKMNPQRSTVWXYZ222' }], change: 0 };
    expect(voidBlocker({ sale: card, void: null, returned: new Map() })).toMatch(/card reader.*return its items/);
  });
});
