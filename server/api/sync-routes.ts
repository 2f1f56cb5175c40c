import { Router } from 'express';
import { auditDb, catalogDb } from '#domain/db-names.ts';
import { dbAccess } from '../gateway/access.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import { hasPermission } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { forbidden, route } from '../http/errors.ts';
import { listOpenConflicts, resolveTenantConflicts, tenantDatabases } from '../workers/conflicts.ts';

/** Sync health for the admin: open conflicts, what the worker resolved or raised, and a manual run. */
export function syncRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  /** The compact catalog for registers (and anyone who may read the catalog) — see sync/catalog-snapshot.ts. */
  r.get(
    '/catalog-snapshot',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      if (!dbAccess(p, catalogDb(p.tenantId), SYNC_RULES)) throw forbidden('No access to the catalog');
      res.json(await ctx.snapshots.get(p.tenantId));
    })
  );

  r.get(
    '/conflicts',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      if (!hasPermission(p, 'settings:manage')) throw forbidden('Viewing conflicts needs the settings:manage permission');
      const open = [];
      for (const db of await tenantDatabases(ctx.couch, p.tenantId)) {
        for (const row of await listOpenConflicts(ctx.couch.use(db))) open.push({ db, id: row.id, type: row.key, conflicts: row.value });
      }
      const audit = ctx.couch.use(auditDb(p.tenantId));
      const page = async (prefix: string) =>
        (await audit.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true, limit: 200 })).rows.map((row) => row.doc);
      res.json({ open, alerts: await page('audit:conflict-alert:'), resolved: await page('audit:conflict-resolved:') });
    })
  );

  r.post(
    '/conflicts/resolve',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      if (!hasPermission(p, 'settings:manage')) throw forbidden('Resolving conflicts needs the settings:manage permission');
      res.json({ outcomes: await resolveTenantConflicts(ctx.couch, p.tenantId, SYNC_RULES) });
    })
  );

  return r;
}
