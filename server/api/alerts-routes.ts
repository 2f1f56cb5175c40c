import { Router } from 'express';
import { hasPermission } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { collectAlerts } from '../alerts/collect.ts';
import { requireAuth } from '../http/authenticate.ts';
import { forbidden, route } from '../http/errors.ts';

/** `GET /api/v1/alerts`: operational alerts for the dashboard (docs/API.md "Alerts"). */
export function alertsRoutes(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/',
    requireAuth(ctx),
    route(async (req, res) => {
      const p = req.principal!;
      if (p.kind !== 'user' || !hasPermission(p, 'report:view')) throw forbidden('Alerts need the report:view permission');
      res.setHeader('Cache-Control', 'no-store');
      res.json({ alerts: await collectAlerts(ctx.couch, p), generatedAt: new Date().toISOString() });
    })
  );
  return r;
}
