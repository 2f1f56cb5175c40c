import { Router, type Request } from 'express';
import { z } from 'zod';
import { isInTransit } from '#domain/inventory.ts';
import { TRANSFER_STATUSES } from '#domain/schemas/index.ts';
import { locationCode } from '#domain/schemas/common.ts';
import type { Principal } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { callerOf, requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import { authorizeInventory, authorizeAny, mayViewStock } from '../inventory/authorize.ts';
import { assertLocations, createTransfer, listTransfers, receiveTransfer, recordAdjustment, shipTransfer, stockAcrossLocations, stockLevels, transferFor } from '../inventory/service.ts';

/** A query value given once, repeated (`?variant=a&variant=b`) or comma-separated (`?variant=a,b`). */
const listParam = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)));

const stockQuery = z.object({
  location: z.string().trim().toUpperCase().pipe(locationCode),
  variant: listParam.pipe(z.array(z.string().max(40)).max(500, 'at most 500 variants per request'))
});
const acrossQuery = z.object({ variant: listParam.pipe(z.array(z.string().max(40)).min(1, 'name at least one variant').max(20, 'at most 20 variants per request')) });
const transfersQuery = z.object({
  location: z.string().trim().toUpperCase().pipe(locationCode),
  status: z.enum([...TRANSFER_STATUSES, 'in_transit']).optional()
});

/**
 * Stock levels, adjustments and transfers for the admin portal and the RFID phones. Who may do what is
 * `authorizeInventory()` (inventory/authorize.ts): users and PIN sessions need `inventory:adjust` and access to
 * the location touched (the source to create or ship a transfer, the destination to receive it); an
 * RFID phone may read stock, and see, ship and receive its own store's transfers.
 */
export function inventoryRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);
  const caller = (req: Request): Principal => req.principal!;

  r.get(
    '/stock',
    auth,
    route(async (req, res) => {
      const q = parseBody(stockQuery, req.query);
      const p = caller(req);
      authorizeInventory(p, 'stock:view', { location: q.location });
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      res.json({ location: q.location, stock: await stockLevels(ctx.couch, p.tenantId, q.location, q.variant) });
    })
  );

  /** A few variants at every store the caller may see (an RFID phone's lookup: here and elsewhere). */
  r.get(
    '/stock/across',
    auth,
    route(async (req, res) => {
      const q = parseBody(acrossQuery, req.query);
      const p = caller(req);
      authorizeAny(p, 'stock:view');
      res.json({ locations: await stockAcrossLocations(ctx.couch, p.tenantId, q.variant, (code) => mayViewStock(p, code)) });
    })
  );

  r.post(
    '/adjustments',
    auth,
    route(async (req, res) => {
      const out = await recordAdjustment(ctx.couch, callerOf(req), req.body);
      res.status(out.created ? 201 : 200).json({ movement: out.movement, created: out.created });
    })
  );

  r.get(
    '/transfers',
    auth,
    route(async (req, res) => {
      const q = parseBody(transfersQuery, req.query);
      const p = caller(req);
      authorizeInventory(p, 'transfer:view', { location: q.location });
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
      const out = await createTransfer(ctx.couch, callerOf(req), req.body);
      res.status(out.created ? 201 : 200).json({ transfer: out.transfer, created: out.created });
    })
  );

  r.get(
    '/transfers/:id',
    auth,
    route(async (req, res) => {
      const t = await transferFor(ctx.couch, callerOf(req), 'transfer:view', String(req.params.id));
      res.json({ transfer: t, inTransit: isInTransit(t) });
    })
  );

  r.post(
    '/transfers/:id/ship',
    auth,
    route(async (req, res) => {
      const out = await shipTransfer(ctx.couch, callerOf(req), String(req.params.id));
      res.json({ transfer: out.transfer, changed: out.changed });
    })
  );

  r.post(
    '/transfers/:id/receive',
    auth,
    route(async (req, res) => {
      const out = await receiveTransfer(ctx.couch, callerOf(req), String(req.params.id), req.body);
      res.json({ transfer: out.transfer, changed: out.changed });
    })
  );

  return r;
}
