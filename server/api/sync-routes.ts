import { Router } from 'express';
import { catalogDb } from '#domain/db-names.ts';
import { dbAccess } from '../gateway/access.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { forbidden, route } from '../http/errors.ts';
import { conflictsOverview, resolveConflictsNow } from '../sync/conflicts-admin.ts';

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
      res.json(await conflictsOverview(ctx.couch, req.principal!));
    })
  );

  r.post(
    '/conflicts/resolve',
    auth,
    route(async (req, res) => {
      res.json(await resolveConflictsNow(ctx.couch, req.principal!));
    })
  );

  return r;
}
