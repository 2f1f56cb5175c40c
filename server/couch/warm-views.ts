import { designDocsFor } from '../../couch-design-docs/index.ts';
import { locationDb, parseDbName } from '#domain/db-names.ts';
import type { Couch } from './client.ts';
import { getTenant } from '../tenants/provision.ts';

/**
 * The views the admin's first pages read, built before the others: the dashboard, reports and
 * journal (`reports/by_time`), the alerts beside the dashboard (`conflicts/open` in every database,
 * `stock/on_hand` for low and negative stock) and the inventory levels (`stock/on_hand` too).
 */
export const FIRST_VIEWS = ['reports/by_time', 'conflicts/open', 'stock/on_hand'];

/** A location database's views as `ddoc/view`, the ones the first pages read first. */
function locationViews(): { name: string; reduce: boolean }[] {
  const all = designDocsFor('location').flatMap((d) => Object.entries(d.views ?? {}).map(([v, def]) => ({ name: `${d._id.slice('_design/'.length)}/${v}`, reduce: !!def.reduce })));
  const rank = (n: string) => (FIRST_VIEWS.includes(n) ? FIRST_VIEWS.indexOf(n) : FIRST_VIEWS.length);
  return all.sort((a, b) => rank(a.name) - rank(b.name));
}

/** Brings one view up to date (a query indexes what changed); `reduce: false` so nothing is reduced for it. */
async function touch(couch: Couch, db: string, view: { name: string; reduce: boolean }): Promise<void> {
  const [ddoc, name] = view.name.split('/') as [string, string];
  await couch.use(db).view(ddoc, name, view.reduce ? { reduce: false, limit: 1 } : { limit: 1 });
}

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
  const views = locationViews();
  for (const code of tenant?.locations ?? []) for (const v of views) await touch(couch, locationDb(tenantId, code), v);
}

/**
 * Builds the views the admin's first pages read (FIRST_VIEWS) of one database of a freshly seeded
 * tenant, before anyone reads them: on the demo's first start, with months of history, so the
 * owner's first dashboard does not wait while they are indexed. A location database gets all of
 * FIRST_VIEWS, one after the other; the catalog and customers databases their conflicts view (the
 * alerts read it). The other views are left to the warm-up worker once the server listens
 * (start.ts): on a loaded 2-core machine building all of them first took a minute. Returns the number
 * of views built.
 */
export async function buildFirstViews(couch: Couch, db: string): Promise<number> {
  const first = locationViews().filter((v) => FIRST_VIEWS.includes(v.name));
  const list = parseDbName(db)?.kind === 'location' ? first : first.filter((v) => v.name === 'conflicts/open');
  for (const v of list) await touch(couch, db, v);
  return list.length;
}
