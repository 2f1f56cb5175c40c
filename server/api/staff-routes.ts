import { Router, type Request } from 'express';
import { z } from 'zod';
import { locationCode } from '#domain/schemas/common.ts';
import { timesheetCsv } from '#domain/timesheet.ts';
import { mayUseLocation, type Principal } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { callerOf, requireAuth } from '../http/authenticate.ts';
import { forbidden, parseBody, route } from '../http/errors.ts';
import { assertLocations } from '../inventory/service.ts';
import { assertStaffManager, getMember, inviteStaff, listMembers, memberId, resetPassword, resetPin, setLocked, updateMember } from '../staff/accounts.ts';
import { locationShifts, locationTimesheet, rangeQuery, shiftDetail } from '../staff/time-reports.ts';

const shiftQuery = z.object({ location: z.string().trim().toUpperCase().pipe(locationCode), id: z.string().max(200) });

/**
 * Staff accounts, timesheets and register shifts for the admin portal (docs/API.md "Staff"). Every
 * endpoint needs `staff:manage` from a signed-in user (not a register or a PIN session); timesheets
 * and shifts also need access to their location. What a grantor may give is checked in the service.
 */
export function staffRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  /** the reads' check (the writes check their caller themselves: staff/accounts.ts) */
  const manager = (req: Request, action: string): Principal => {
    assertStaffManager(callerOf(req), action);
    return req.principal!;
  };
  /** this copy forgets its cached directory and the member's session state at once (others within 5 s) */
  const changed = (tenantId: string, userId?: string) => {
    ctx.staff.forget(tenantId);
    if (userId) ctx.sessions.forget(userId);
  };

  r.get(
    '/',
    auth,
    route(async (req, res) => {
      const p = manager(req, 'Listing staff');
      res.json({ staff: await listMembers(ctx.couch, p.tenantId) });
    })
  );

  r.post(
    '/',
    auth,
    route(async (req, res) => {
      const out = await inviteStaff(ctx.couch, callerOf(req), req.body);
      changed(req.principal!.tenantId);
      res.status(201).json(out);
    })
  );

  r.get(
    '/timesheet',
    auth,
    route(async (req, res) => {
      const p = manager(req, 'Viewing timesheets');
      const q = parseBody(rangeQuery, req.query);
      if (!mayUseLocation(p, q.location)) throw forbidden(`Viewing timesheets: no access to location ${q.location}`);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      const sheet = await locationTimesheet(ctx.couch, p.tenantId, q);
      if (q.format === 'csv') {
        res.setHeader('content-type', 'text/csv; charset=utf-8');
        res.setHeader('content-disposition', `attachment; filename="timesheet-${q.location}-${q.from}-${q.to}.csv"`);
        res.send(timesheetCsv(sheet.rows, q.location));
        return;
      }
      res.json(sheet);
    })
  );

  r.get(
    '/shifts',
    auth,
    route(async (req, res) => {
      const p = manager(req, 'Viewing shifts');
      const q = parseBody(rangeQuery, req.query);
      if (!mayUseLocation(p, q.location)) throw forbidden(`Viewing shifts: no access to location ${q.location}`);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      res.json(await locationShifts(ctx.couch, p.tenantId, q));
    })
  );

  r.get(
    '/shift',
    auth,
    route(async (req, res) => {
      const p = manager(req, 'Viewing a shift');
      const q = parseBody(shiftQuery, req.query);
      if (!mayUseLocation(p, q.location)) throw forbidden(`Viewing a shift: no access to location ${q.location}`);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      res.json(await shiftDetail(ctx.couch, p.tenantId, q.location, q.id));
    })
  );

  r.get(
    '/:id',
    auth,
    route(async (req, res) => {
      const p = manager(req, 'Viewing staff');
      res.json({ member: await getMember(ctx.couch, p.tenantId, parseBody(memberId, req.params.id)) });
    })
  );

  r.patch(
    '/:id',
    auth,
    route(async (req, res) => {
      const member = await updateMember(ctx.couch, callerOf(req), req.params.id, req.body);
      changed(req.principal!.tenantId, member.id);
      res.json({ member });
    })
  );

  r.post(
    '/:id/pin',
    auth,
    route(async (req, res) => {
      const out = await resetPin(ctx.couch, callerOf(req), req.params.id, req.body);
      changed(req.principal!.tenantId);
      res.json(out);
    })
  );

  r.post(
    '/:id/password',
    auth,
    route(async (req, res) => {
      const out = await resetPassword(ctx.couch, callerOf(req), req.params.id);
      changed(req.principal!.tenantId, parseBody(memberId, req.params.id));
      res.json(out);
    })
  );

  for (const [path, locked] of [['lock', true], ['unlock', false]] as const) {
    r.post(
      `/:id/${path}`,
      auth,
      route(async (req, res) => {
        const member = await setLocked(ctx.couch, callerOf(req), req.params.id, locked);
        changed(req.principal!.tenantId, parseBody(memberId, req.params.id));
        res.json({ member });
      })
    );
  }

  return r;
}
