import { describe, expect, it } from 'vitest';
import { designDocsFor, type DesignKind } from '../../../../couch-design-docs/index.ts';
import { CustomerLedger, LocationLedger, spendableBalance } from './local-ledger.ts';
import { tenderLedgerId } from '../domain/sale-ledger.ts';

/** The server's view, evaluated as CouchDB does, then reduced with `_sum` per key. */
function viewSums(kind: DesignKind, ddoc: string, view: string, docs: object[]): Map<string, number> {
  const src = designDocsFor(kind).find((d) => d._id === `_design/${ddoc}`)!.views![view]!.map;
  const out = new Map<string, number>();
  const fn = new Function('emit', `return (${src});`)((k: unknown, v: unknown) => {
    const key = JSON.stringify(k);
    out.set(key, (out.get(key) ?? 0) + (typeof v === 'number' ? v : ((v as { amount?: number; qty?: number }).amount ?? (v as { qty: number }).qty)));
  }) as (d: object) => void;
  for (const d of docs) fn(d);
  return out;
}

const sale = (id: string, lines: object[], tenders: object[] = []) => ({ _id: id, type: 'sale', locationCode: 'GM', lines, tenders });
const docs = [
  { _id: 'movement:opening', type: 'stock_movement', locationCode: 'GM', lines: [{ variantId: 'a', qty: 10 }, { variantId: 'b', qty: 4 }, { variantId: 'c', qty: 1 }] },
  sale('sale:R1:01', [{ lineId: 'l1', variantId: 'a', qty: 3 }, { lineId: 'l2', variantId: 'b', qty: 1 }], [{ kind: 'store_credit', amount: 500, reference: 'customer:x' }, { kind: 'cash', amount: 100 }]),
  sale('sale:R1:02', [{ lineId: 'l1', variantId: 'a', qty: -1, returnOf: { saleId: 'sale:R1:01', lineId: 'l1' } }, { lineId: 'l2', variantId: 'c', qty: 2 }]),
  sale('sale:R2:03', [{ lineId: 'l1', variantId: 'b', qty: 1 }], [{ kind: 'gift_card', amount: 300, reference: '6006' }]),
  { _id: 'void:R2:03', type: 'void', locationCode: 'GM', saleId: 'sale:R2:03', lines: [{ variantId: 'b', qty: 1 }] },
  { _id: 'layaway:R1:04', type: 'layaway', locationCode: 'GM', lines: [{ variantId: 'a', qty: 2 }, { variantId: 'b', qty: 1 }] },
  { _id: 'layaway_close:R1:04', type: 'layaway_close', locationCode: 'GM', lines: [{ variantId: 'b', qty: 1 }] },
  { _id: 'parked:R1:05', type: 'parked_sale', locationCode: 'GM', lines: [{ variantId: 'a', qty: 9 }] },
  // a damaged return kept off the shelf: counted as returned, but not back in stock
  sale('sale:R1:06', [{ lineId: 'l1', variantId: 'c', qty: -1, restock: false, returnOf: { saleId: 'sale:R1:02', lineId: 'l2' } }, { lineId: 'l2', variantId: 'a', qty: -1, restock: true, returnOf: { saleId: 'sale:R1:01', lineId: 'l1' } }]),
  { _id: 'payment_void:R1:07', type: 'payment_void', locationCode: 'GM', saleId: 'sale:R1:08', items: [{ name: 'x', qty: 3 }], taken: [{ kind: 'cash', amount: 100 }], returned: [{ kind: 'cash', amount: -100 }] }
];

describe('LocationLedger agrees with the server views', () => {
  const ledger = new LocationLedger();
  for (const d of docs) ledger.apply(d);
  // seen twice (replication echo, follow + read overlap) counts once
  for (const d of docs) ledger.apply(d);

  it('stock/on_hand and stock/reserved', () => {
    const onHand = viewSums('location', 'stock', 'on_hand', docs);
    const reserved = viewSums('location', 'stock', 'reserved', docs);
    for (const v of ['a', 'b', 'c']) {
      expect(ledger.onHand.get(v) ?? 0, v).toBe(onHand.get(JSON.stringify(['GM', v])) ?? 0);
      expect(ledger.stock(v).available, v).toBe((onHand.get(JSON.stringify(['GM', v])) ?? 0) - (reserved.get(JSON.stringify(['GM', v])) ?? 0));
    }
    expect(ledger.stock('a')).toEqual({ onHand: 9, available: 7 });
    expect(ledger.stock('c').onHand).toBe(-1); // 1 − 2 sold; the damaged return did not come back
    // the movement history sums to on hand, per variant
    const history = viewSums('location', 'movements', 'by_variant', docs.map((d) => d));
    for (const v of ['a', 'b', 'c']) {
      const sum = [...history].filter(([k]) => JSON.parse(k)[1] === v).reduce((n, [, q]) => n + q, 0);
      expect(sum, v).toBe(onHand.get(JSON.stringify(['GM', v])) ?? 0);
    }
  });

  it('sales/returns', () => {
    const returns = viewSums('location', 'sales', 'returns', docs);
    expect(Object.fromEntries(ledger.returnedOf('sale:R1:01'))).toEqual({ l1: returns.get(JSON.stringify(['sale:R1:01', 'l1'])) });
    expect(Object.fromEntries(ledger.returnedOf('sale:R1:02'))).toEqual({ l2: 1 });
    expect(ledger.voidBySale.get('sale:R2:03')).toBe('void:R2:03');
  });

  it('sales/balance_use and spendable balances', () => {
    const uses = viewSums('location', 'sales', 'balance_use', docs);
    expect(uses.get(JSON.stringify(['store_credit', 'customer:x']))).toBe(500);
    const customers = new CustomerLedger();
    const credit = { _id: 'ledger:issue-1', type: 'ledger_entry', account: 'store_credit', holder: 'customer:x', amount: 2000 };
    customers.apply(credit);
    customers.apply(credit);
    // the sale's 5.00 is not in the server ledger yet: it is held back
    expect(spendableBalance(customers, ledger, 'store_credit', 'customer:x')).toBe(1500);
    // once the server's entry for it replicates back, it is counted there and no longer held back
    customers.apply({ _id: tenderLedgerId('sale:R1:01', 0), type: 'ledger_entry', account: 'store_credit', holder: 'customer:x', amount: -500 });
    expect(spendableBalance(customers, ledger, 'store_credit', 'customer:x')).toBe(1500);
    expect(viewSums('customers', 'ledger', 'balance', [credit]).get(JSON.stringify(['store_credit', 'customer:x']))).toBe(2000);
  });
});
