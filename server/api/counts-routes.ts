import { Router, type Request } from 'express';
import { z } from 'zod';
import { enterCountsInput, rejectCountInput, startCountInput } from '#domain/counts.ts';
import { COUNT_STATUSES, type CountSession } from '#domain/schemas/index.ts';
import { locationCode } from '#domain/schemas/common.ts';
import type { Permission } from '#domain/permissions.ts';
import { authorize, actorOf } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import { assertLocations } from '../inventory/service.ts';
import { approve, getCount, listCounts, recordCounts, reject, reviewOf, startCount, submit } from '../inventory/counts.ts';

const listQuery = z.object({
  location: z.string().trim().toUpperCase().pipe(locationCode),
  status: z.enum(COUNT_STATUSES).optional()
});

const summary = (s: CountSession) => ({
  _id: s._id,
  locationCode: s.locationCode,
  source: s.source,
  scope: s.scope,
  status: s.status,
  countedBy: s.countedBy,
  lines: s.counts.length,
  units: s.counts.reduce((n, l) => n + l.qty, 0),
  startedAt: s.startedAt,
  submittedAt: s.submittedAt ?? null,
  reviewedAt: s.reviewedAt ?? null,
  reviewedBy: s.reviewedBy ?? null
});

/**
 * Count sessions (mounted at /api/v1/inventory/counts). Reviewing — listing, the variance detail,
 * approving, rejecting — needs `inventory:adjust`; running a manual count (start, enter, submit) needs
 * `inventory:count`. Both also need access to the session's location.
 */
export function countsRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  /** loads the session after the permission check, then checks its location */
  const sessionFor = async (req: Request, permission: Permission, action: string) => {
    const p = authorize(req.principal!, permission, action);
    const s = await getCount(ctx.couch, p.tenantId, String(req.params.id));
    authorize(req.principal!, permission, action, s.locationCode);
    return { p, s };
  };

  r.get(
    '/',
    auth,
    route(async (req, res) => {
      const q = parseBody(listQuery, req.query);
      const p = authorize(req.principal!, 'inventory:adjust', 'Viewing counts', q.location);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      const sessions = await listCounts(ctx.couch, p.tenantId, q.location, q.status);
      res.json({ location: q.location, sessions: sessions.map(summary) });
    })
  );

  r.post(
    '/',
    auth,
    route(async (req, res) => {
      const input = parseBody(startCountInput, req.body);
      const p = authorize(req.principal!, 'inventory:count', 'Starting a count', input.location);
      const out = await startCount(ctx.couch, p.tenantId, input, actorOf(p), String(req.id));
      res.status(out.created ? 201 : 200).json({ session: out.session, created: out.created });
    })
  );

  r.get(
    '/:id',
    auth,
    route(async (req, res) => {
      const { p, s } = await sessionFor(req, 'inventory:adjust', 'Viewing counts');
      res.json({ session: s, review: await reviewOf(ctx.couch, p.tenantId, s) });
    })
  );

  r.put(
    '/:id/counts',
    auth,
    route(async (req, res) => {
      const input = parseBody(enterCountsInput, req.body);
      const { p, s } = await sessionFor(req, 'inventory:count', 'Entering counts');
      res.json({ session: await recordCounts(ctx.couch, p.tenantId, s._id, input, actorOf(p)) });
    })
  );

  r.post(
    '/:id/submit',
    auth,
    route(async (req, res) => {
      const { p, s } = await sessionFor(req, 'inventory:count', 'Submitting a count');
      res.json(await submit(ctx.couch, p.tenantId, s._id, actorOf(p), String(req.id)));
    })
  );

  r.post(
    '/:id/approve',
    auth,
    route(async (req, res) => {
      const { p, s } = await sessionFor(req, 'inventory:adjust', 'Approving a count');
      const out = await approve(ctx.couch, p.tenantId, s._id, actorOf(p), String(req.id));
      res.json({ ...out, review: await reviewOf(ctx.couch, p.tenantId, out.session) });
    })
  );

  r.post(
    '/:id/reject',
    auth,
    route(async (req, res) => {
      const input = parseBody(rejectCountInput, req.body);
      const { p, s } = await sessionFor(req, 'inventory:adjust', 'Rejecting a count');
      res.json(await reject(ctx.couch, p.tenantId, s._id, input.reason, actorOf(p), String(req.id)));
    })
  );

  return r;
}
