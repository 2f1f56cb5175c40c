import { Router, type Request } from 'express';
import { hasPermission, principalId } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { forbidden, route } from '../http/errors.ts';
import { confirmPayments, setupStatus } from '../setup/status.ts';

/** The setup wizard's checklist (domain/setup.ts): owners and admins (settings:manage) only. */
export function setupRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);
  const admin = (req: Request) => {
    const p = req.principal!;
    if (p.kind !== 'user' || !hasPermission(p, 'settings:manage')) throw forbidden('Setting up the business needs the settings:manage permission');
    return p;
  };

  r.get(
    '/status',
    auth,
    route(async (req, res) => {
      const p = admin(req);
      res.json(await setupStatus(ctx.couch, p.tenantId));
    })
  );

  r.post(
    '/payments/confirm',
    auth,
    route(async (req, res) => {
      const p = admin(req);
      await confirmPayments(ctx.couch, p.tenantId, principalId(p));
      res.json(await setupStatus(ctx.couch, p.tenantId));
    })
  );
  return r;
}
