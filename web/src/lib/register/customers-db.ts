import type { z } from 'zod';
import { nfcDeep } from '../domain/schemas/text.ts';
import { customerSchema, describeIssues } from '../domain/schemas/index.ts';
import { InvalidDocumentError, storageError } from './register-db.ts';

export type CustomerDoc = z.infer<typeof customerSchema>;

/**
 * The register's customer data: profiles (two-way replicated, so a quick-created customer is usable
 * offline and reaches the other registers later). Balances are ledger sums: local-ledger.ts.
 */
export async function searchCustomers(db: PouchDB.Database, query: string, limit = 8): Promise<CustomerDoc[]> {
  const q = query.trim().toLowerCase();
  if (q.length < 2) return [];
  const res = await db.allDocs({ include_docs: true, startkey: 'customer:', endkey: 'customer:\ufff0' });
  const digits = q.replace(/\D/g, '');
  const hits: CustomerDoc[] = [];
  for (const row of res.rows) {
    const c = row.doc as unknown as CustomerDoc;
    // a profile merged into another (admin portal) is found as the kept one, never itself
    if (c.mergedInto) continue;
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
  // typed text arrives NFC-normalised, as the gateway requires (schemas/text.ts)
  const parsed = customerSchema.safeParse(nfcDeep(doc));
  if (!parsed.success) throw new InvalidDocumentError(describeIssues(parsed.error));
  try {
    await db.put(parsed.data as PouchDB.Core.PutDocument<object>);
  } catch (err) {
    throw await storageError(err);
  }
  return parsed.data;
}
