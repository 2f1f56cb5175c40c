import { locationDb } from '../../web/src/lib/domain/db-names.ts';
import type { Couch } from '../couch/client.ts';
import { getTenant } from '../tenants/provision.ts';

/**
 * Brings the reports view of a tenant's location databases up to date, so the dashboard's first
 * load does not pay for building it (a view is indexed on first query: seconds for a location with
 * a big stock ledger on the embedded store). Afterwards each call only indexes what changed.
 */
export async function warmReportViews(couch: Couch, tenantId: string): Promise<void> {
  const tenant = await getTenant(couch, tenantId);
  for (const code of tenant?.locations ?? []) await couch.use(locationDb(tenantId, code)).view('reports', 'by_time', { limit: 1 });
}
