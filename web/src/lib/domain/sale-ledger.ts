import type { z } from 'zod';
import type { ledgerEntrySchema, SaleDoc } from './schemas/index.ts';

export type LedgerEntryDoc = z.infer<typeof ledgerEntrySchema>;

/**
 * The customer ledger entries a sale implies: store credit and gift-card money it spent or refunded,
 * and loyalty points it earned. The sale (in the location database) is the one durable write; the
 * server's ledger worker turns it into these entries in the customers database. Ids are derived from
 * the sale, so running the worker twice (or on two servers) writes each entry once.
 */
export function ledgerEntriesForSale(sale: SaleDoc, pointsPerUnit: number): LedgerEntryDoc[] {
  const out: LedgerEntryDoc[] = [];
  sale.tenders.forEach((t, i) => {
    if ((t.kind !== 'store_credit' && t.kind !== 'gift_card') || !t.reference) return;
    out.push({
      _id: tenderLedgerId(sale._id, i),
      type: 'ledger_entry',
      account: t.kind,
      holder: t.reference,
      // money taken from the balance is a payment in (positive tender); a refund to it is negative
      amount: -t.amount,
      reason: t.amount > 0 ? 'sale' : 'refund',
      ref: sale._id,
      createdAt: sale.createdAt,
      createdBy: sale.cashierId
    });
  });
  const points = loyaltyPoints(sale, pointsPerUnit);
  if (sale.customerId && points !== 0) {
    out.push({
      _id: `ledger:${sale._id}:points`,
      type: 'ledger_entry',
      account: 'loyalty',
      holder: sale.customerId,
      amount: points,
      reason: points > 0 ? 'earned' : 'returned',
      ref: sale._id,
      createdAt: sale.createdAt,
      createdBy: sale.cashierId
    });
  }
  return out;
}

export const tenderLedgerId = (saleId: string, index: number) => `ledger:${saleId}:t${index}`;

/** Points per whole currency unit of the sale total (returns take points back); truncated toward zero. */
export function loyaltyPoints(sale: Pick<SaleDoc, 'total'>, pointsPerUnit: number): number {
  return Math.trunc(sale.total / 100) * pointsPerUnit;
}
