import { Router, type Request } from 'express';
import { z } from 'zod';
import { COUNT_STATUSES, type CountSession } from '#domain/schemas/index.ts';
import { locationCode } from '#domain/schemas/common.ts';
import type { Ctx } from '../context.ts';
import { callerOf, requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import { approve, countFor, listCounts, recordCounts, reject, reviewOf, startCount, submit } from '../inventory/counts.ts';

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

  const id = (req: Request) => String(req.params.id);

  r.get(
    '/',
    auth,
    route(async (req, res) => {
      const q = parseBody(listQuery, req.query);
      const sessions = await listCounts(ctx.couch, callerOf(req), q.location, q.status);
      res.json({ location: q.location, sessions: sessions.map(summary) });
    })
  );

  r.post(
    '/',
    auth,
    route(async (req, res) => {
      const out = await startCount(ctx.couch, callerOf(req), req.body);
      res.status(out.created ? 201 : 200).json({ session: out.session, created: out.created });
    })
  );

  r.get(
    '/:id',
    auth,
    route(async (req, res) => {
      const s = await countFor(ctx.couch, callerOf(req), 'inventory:adjust', 'Viewing counts', id(req));
      res.json({ session: s, review: await reviewOf(ctx.couch, req.principal!.tenantId, s) });
    })
  );

  r.put(
    '/:id/counts',
    auth,
    route(async (req, res) => {
      res.json({ session: await recordCounts(ctx.couch, callerOf(req), id(req), req.body) });
    })
  );

  r.post(
    '/:id/submit',
    auth,
    route(async (req, res) => {
      res.json(await submit(ctx.couch, callerOf(req), id(req)));
    })
  );

  r.post(
    '/:id/approve',
    auth,
    route(async (req, res) => {
      const out = await approve(ctx.couch, callerOf(req), id(req));
      res.json({ ...out, review: await reviewOf(ctx.couch, req.principal!.tenantId, out.session) });
    })
  );

  r.post(
    '/:id/reject',
    auth,
    route(async (req, res) => {
      res.json(await reject(ctx.couch, callerOf(req), id(req), req.body));
    })
  );

  return r;
}
