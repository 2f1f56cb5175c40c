import { describe, expect, it } from 'vitest';
import { ledgerEntriesForSale, loyaltyPoints } from './sale-ledger.ts';
import { ledgerEntrySchema, saleSchema } from './schemas/index.ts';

const base = {
  _id: 'sale:GM-1:01JCDEFGHJKMNPQRSTVWXYZ012',
  type: 'sale',
  locationCode: 'GM',
  registerId: 'device:GM-1',
  cashierId: 'user:cashier',
  currency: 'USD',
  lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 1, unitPrice: 5000, discount: 0, tax: 0, total: 5000 }],
  subtotal: 5000,
  discountTotal: 0,
  taxTotal: 0,
  total: 5000,
  createdAt: '2026-11-25T10:00:00.000Z'
};

describe('ledgerEntriesForSale', () => {
  it('spends store credit and a gift card, earns points, all valid ledger documents with stable ids', () => {
    const sale = saleSchema.parse({
      ...base,
      customerId: 'customer:c1',
      tenders: [
        { kind: 'store_credit', amount: 1000, reference: 'customer:c1' },
        { kind: 'gift_card', amount: 1500, reference: '6006491234567890' },
        { kind: 'cash', amount: 2500 }
      ]
    });
    const entries = ledgerEntriesForSale(sale, 1);
    expect(entries.map((e) => [e.account, e.holder, e.amount])).toEqual([
      ['store_credit', 'customer:c1', -1000],
      ['gift_card', '6006491234567890', -1500],
      ['loyalty', 'customer:c1', 50]
    ]);
    for (const e of entries) expect(ledgerEntrySchema.safeParse(e).success).toBe(true);
    expect(ledgerEntriesForSale(sale, 1).map((e) => e._id)).toEqual(entries.map((e) => e._id));
  });

  it('a refund to store credit adds to the balance and takes points back', () => {
    const sale = saleSchema.parse({
      ...base,
      kind: 'return',
      customerId: 'customer:c1',
      lines: [{ ...base.lines[0], qty: -1, total: -5000, returnOf: { saleId: 'sale:GM-1:01JCDEFGHJKMNPQRSTVWXYZ000', lineId: 'l1' } }],
      subtotal: -5000,
      total: -5000,
      tenders: [{ kind: 'store_credit', amount: -5000, reference: 'customer:c1' }]
    });
    expect(ledgerEntriesForSale(sale, 2).map((e) => [e.account, e.amount])).toEqual([
      ['store_credit', 5000],
      ['loyalty', -100]
    ]);
  });

  it('no customer, no points; cash only, no entries', () => {
    expect(ledgerEntriesForSale(saleSchema.parse({ ...base, tenders: [{ kind: 'cash', amount: 5000 }] }), 1)).toEqual([]);
    expect(loyaltyPoints({ total: 199 }, 1)).toBe(1);
    expect(loyaltyPoints({ total: -199 }, 1)).toBe(-1);
  });
});
