import type { z } from 'zod';
import { customerSchema, describeIssues } from '../domain/schemas/index.ts';
import { tenderLedgerId } from '../domain/sale-ledger.ts';
import { InvalidDocumentError, StorageError } from './register-db.ts';

export type CustomerDoc = z.infer<typeof customerSchema>;
export type BalanceAccount = 'loyalty' | 'store_credit' | 'gift_card';

/**
 * The register's customer data: profiles (two-way replicated, so a quick-created customer is usable
 * offline and reaches the other registers later) and balances, which are ledger sums (DESIGN.md §2).
 */
export async function searchCustomers(db: PouchDB.Database, query: string, limit = 8): Promise<CustomerDoc[]> {
  const q = query.trim().toLowerCase();
  if (q.length < 2) return [];
  const res = await db.allDocs({ include_docs: true, startkey: 'customer:', endkey: 'customer:\ufff0' });
  const digits = q.replace(/\D/g, '');
  const hits: CustomerDoc[] = [];
  for (const row of res.rows) {
    const c = row.doc as unknown as CustomerDoc;
    const name = `${c.firstName} ${c.lastName}`.toLowerCase();
    if (name.includes(q) || c.email?.toLowerCase().includes(q) || (digits.length >= 3 && c.phone?.replace(/\D/g, '').includes(digits))) hits.push(c);
    if (hits.length >= limit) break;
  }
  return hits;
}

export async function getCustomer(db: PouchDB.Database, id: string): Promise<CustomerDoc | null> {
  try {
    return (await db.get(id)) as unknown as CustomerDoc;
  } catch {
    return null;
  }
}

export async function createCustomer(db: PouchDB.Database, doc: CustomerDoc): Promise<CustomerDoc> {
  const parsed = customerSchema.safeParse(doc);
  if (!parsed.success) throw new InvalidDocumentError(describeIssues(parsed.error));
  try {
    await db.put(parsed.data as PouchDB.Core.PutDocument<object>);
  } catch (err) {
    throw new StorageError('This register could not save the customer to its storage; nothing was saved.', err);
  }
  return parsed.data;
}

/**
 * Balance of one account: the ledger sum in the customers replica, minus this location's sales whose
 * ledger entry has not come back from the server yet (sales/balance_use), so an offline register
 * cannot spend the same credit twice.
 */
export async function balanceOf(customers: PouchDB.Database, location: PouchDB.Database, account: BalanceAccount, holder: string): Promise<number> {
  let ledger = 0;
  try {
    const res = await customers.query<number>('ledger/balance', { key: [account, holder], reduce: true, group: true });
    ledger = (res.rows[0]?.value as number | undefined) ?? 0;
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw err;
  }
  if (account === 'loyalty') return ledger;
  let pending = 0;
  try {
    const uses = await location.query<{ saleId: string; index: number; amount: number }>('sales/balance_use', { key: [account, holder], reduce: false });
    if (uses.rows.length) {
      const ids = uses.rows.map((r) => tenderLedgerId(r.value.saleId, r.value.index));
      const known = await customers.allDocs({ keys: ids });
      uses.rows.forEach((r, i) => {
        const row = known.rows[i] as { error?: string; value?: { deleted?: boolean } } | undefined;
        if (!row || row.error || row.value?.deleted) pending += r.value.amount;
      });
    }
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw err;
  }
  return ledger - pending;
}
