import { auditDb } from '#domain/db-names.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import { authorize, type Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import { listOpenConflicts, resolveTenantConflicts, tenantDatabases } from '../workers/conflicts.ts';

/**
 * Sync health for the admin (Settings → Sync): the open conflicts of the caller's tenant, what the
 * conflict worker resolved or raised, and a run of that worker on request. Each needs settings:manage,
 * checked here whoever calls.
 */

/** Open conflicts per database, and the last 200 alerts and resolutions from the audit log. */
export async function conflictsOverview(couch: Couch, p: Principal) {
  const { tenantId } = authorize(p, 'settings:manage', 'Viewing conflicts');
  const open = [];
  for (const db of await tenantDatabases(couch, tenantId)) {
    for (const row of await listOpenConflicts(couch.use(db))) open.push({ db, id: row.id, type: row.key, conflicts: row.value });
  }
  const audit = couch.use(auditDb(tenantId));
  const page = async (prefix: string) => (await audit.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true, limit: 200 })).rows.map((row) => row.doc);
  return { open, alerts: await page('audit:conflict-alert:'), resolved: await page('audit:conflict-resolved:') };
}

/** Runs the conflict worker over the caller's tenant now. */
export async function resolveConflictsNow(couch: Couch, p: Principal) {
  const { tenantId } = authorize(p, 'settings:manage', 'Resolving conflicts');
  return { outcomes: await resolveTenantConflicts(couch, tenantId, SYNC_RULES) };
}
