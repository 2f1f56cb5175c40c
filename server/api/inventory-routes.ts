import { Router, type Request } from 'express';
import { z } from 'zod';
import { adjustmentInput, isInTransit, receiveInput, transferInput, type Actor } from '../../web/src/lib/domain/inventory.ts';
import { TRANSFER_STATUSES } from '../../web/src/lib/domain/schemas/index.ts';
import { locationCode } from '../../web/src/lib/domain/schemas/common.ts';
import { hasPermission, mayUseLocation, principalId, type Principal } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { forbidden, parseBody, route } from '../http/errors.ts';
import { assertLocations, createTransfer, getTransfer, listTransfers, receiveTransfer, recordAdjustment, shipTransfer, stockLevels } from '../inventory/service.ts';

/** A query value given once, repeated (`?variant=a&variant=b`) or comma-separated (`?variant=a,b`). */
const listParam = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)));

const stockQuery = z.object({
  location: z.string().trim().toUpperCase().pipe(locationCode),
  variant: listParam.pipe(z.array(z.string().max(40)).max(500, 'at most 500 variants per request'))
});
const transfersQuery = z.object({
  location: z.string().trim().toUpperCase().pipe(locationCode),
  status: z.enum([...TRANSFER_STATUSES, 'in_transit']).optional()
});

/**
 * Stock levels, adjustments and transfers for the admin portal. Every endpoint needs the
 * `inventory:adjust` permission (managers, stock clerks, owners, admins) and access to the location
 * it touches (`mayUseLocation`, as the gateway decides which location databases a user may reach):
 * the source to create or ship a transfer, the destination to receive it.
 */
export function inventoryRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  const allowed = (req: Request, action: string, ...locations: string[]): Principal => {
    const p = req.principal!;
    if (!hasPermission(p, 'inventory:adjust')) throw forbidden(`${action} needs the inventory:adjust permission`);
    for (const code of locations) if (!mayUseLocation(p, code)) throw forbidden(`${action}: no access to location ${code}`);
    return p;
  };
  const actorOf = (p: Principal): Actor => ({ by: principalId(p), now: new Date().toISOString() });

  r.get(
    '/stock',
    auth,
    route(async (req, res) => {
      const q = parseBody(stockQuery, req.query);
      const p = allowed(req, 'Viewing stock', q.location);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      res.json({ location: q.location, stock: await stockLevels(ctx.couch, p.tenantId, q.location, q.variant) });
    })
  );

  r.post(
    '/adjustments',
    auth,
    route(async (req, res) => {
      const input = parseBody(adjustmentInput, req.body);
      const p = allowed(req, 'Adjusting stock', input.location);
      const out = await recordAdjustment(ctx.couch, p.tenantId, input, actorOf(p), String(req.id));
      res.status(out.created ? 201 : 200).json({ movement: out.movement, created: out.created });
    })
  );

  r.get(
    '/transfers',
    auth,
    route(async (req, res) => {
      const q = parseBody(transfersQuery, req.query);
      const p = allowed(req, 'Viewing transfers', q.location);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      const status = q.status === 'in_transit' ? 'shipped' : q.status;
      const transfers = await listTransfers(ctx.couch, p.tenantId, q.location, status);
      res.json({
        location: q.location,
        transfers: transfers.map((t) => ({ ...t, direction: t.locationCode === q.location ? 'out' : 'in', inTransit: isInTransit(t) })),
        inTransit: transfers.filter(isInTransit).map((t) => t._id)
      });
    })
  );

  r.post(
    '/transfers',
    auth,
    route(async (req, res) => {
      const input = parseBody(transferInput, req.body);
      const p = allowed(req, 'Creating a transfer', input.from);
      const out = await createTransfer(ctx.couch, p.tenantId, input, actorOf(p), String(req.id));
      res.status(out.created ? 201 : 200).json({ transfer: out.transfer, created: out.created });
    })
  );

  r.get(
    '/transfers/:id',
    auth,
    route(async (req, res) => {
      const p = allowed(req, 'Viewing transfers');
      const t = await getTransfer(ctx.couch, p.tenantId, String(req.params.id));
      if (!mayUseLocation(p, t.locationCode) && !mayUseLocation(p, t.toLocationCode)) throw forbidden(`Viewing transfers: no access to ${t.locationCode} or ${t.toLocationCode}`);
      res.json({ transfer: t, inTransit: isInTransit(t) });
    })
  );

  r.post(
    '/transfers/:id/ship',
    auth,
    route(async (req, res) => {
      const p = allowed(req, 'Shipping a transfer');
      const t = await getTransfer(ctx.couch, p.tenantId, String(req.params.id));
      allowed(req, 'Shipping a transfer', t.locationCode);
      const out = await shipTransfer(ctx.couch, p.tenantId, t._id, actorOf(p), String(req.id));
      res.json({ transfer: out.transfer, changed: out.changed });
    })
  );

  r.post(
    '/transfers/:id/receive',
    auth,
    route(async (req, res) => {
      const p = allowed(req, 'Receiving a transfer');
      const input = parseBody(receiveInput, req.body);
      const t = await getTransfer(ctx.couch, p.tenantId, String(req.params.id));
      allowed(req, 'Receiving a transfer', t.toLocationCode);
      const out = await receiveTransfer(ctx.couch, p.tenantId, t._id, input, actorOf(p), String(req.id));
      res.json({ transfer: out.transfer, changed: out.changed });
    })
  );

  return r;
}
