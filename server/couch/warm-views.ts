import { designDocsFor, type DesignKind } from '../../couch-design-docs/index.ts';
import { locationDb } from '#domain/db-names.ts';
import type { Couch } from './client.ts';
import { getTenant } from '../tenants/provision.ts';

/**
 * Brings every view of a tenant's location databases up to date, so the dashboard, stock lists and
 * alerts never pay for building one (a view is indexed on its first query: tens of seconds for a
 * location's stock ledger on the embedded store, which indexes each view separately). Afterwards a
 * call only indexes what changed since the last one. One view at a time: this runs in the
 * background and must not starve the requests it is saving time for. The catalog's lookup views are
 * left to their first use: in a test run where they were also warmed, indexing them every 30 s while
 * a 5,000-product bulk write went into the catalog coincided with the embedded store dropping the
 * connection (a 503 at the gateway); the location views are the ones every admin page reads.
 */
export async function warmLocationViews(couch: Couch, tenantId: string): Promise<void> {
  const tenant = await getTenant(couch, tenantId);
  const dbs: [string, DesignKind][] = (tenant?.locations ?? []).map((code): [string, DesignKind] => [locationDb(tenantId, code), 'location']);
  for (const [db, kind] of dbs) {
    for (const ddoc of designDocsFor(kind)) {
      for (const view of Object.keys(ddoc.views ?? {})) await couch.use(db).view(ddoc._id.slice('_design/'.length), view, { limit: 1 });
    }
  }
}
