import type { Couch } from '../../../server/couch/client.ts';
import { deriveTenantLedger } from '../../../server/workers/sale-ledger.ts';
import { VIEW_SETTLES } from './server.ts';

/** One run of the sale-ledger worker over a tenant: the entries it newly wrote. */
export const ledgerWritten = async (couch: Couch, tenantId: string) => (await deriveTenantLedger(couch, tenantId)).reduce((a, r) => a + r.written, 0);

/**
 * Runs the sale-ledger worker until it has written `n` entries in all (or VIEW_SETTLES runs out). A
 * cluster's `_changes` is read from one copy of each shard, which may show a write a moment after it
 * was acknowledged; the server's worker looks again after `settleMs`, a test calling it by hand must
 * do the same. Returns how many it wrote, so the caller asserts exactly `n`.
 */
export async function ledgerWrittenUntil(couch: Couch, tenantId: string, n: number): Promise<number> {
  let total = 0;
  const deadline = Date.now() + VIEW_SETTLES.timeout;
  while (total < n && Date.now() < deadline) {
    total += await ledgerWritten(couch, tenantId);
    if (total < n) await new Promise((r) => setTimeout(r, VIEW_SETTLES.interval));
  }
  return total;
}
