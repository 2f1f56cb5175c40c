import { Router, type Request } from 'express';
import { z } from 'zod';
import { PO_STATUSES } from '#domain/schemas/index.ts';
import { locationCode } from '#domain/schemas/common.ts';
import type { Ctx } from '../context.ts';
import { callerOf, requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import {
  cancelPurchaseOrder,
  createPurchaseOrder,
  listPurchaseOrders,
  listSuppliers,
  orderFor,
  receivePurchaseOrder,
  saveSupplier,
  sendPurchaseOrder,
  updatePurchaseOrder,
  variantForOrder
} from '../inventory/purchase-orders.ts';

const listQuery = z.object({
  location: z.string().trim().toUpperCase().pipe(locationCode),
  status: z.enum(PO_STATUSES).optional()
});
const lookupQuery = z.object({ code: z.string().trim().min(1).max(64) });

/**
 * Suppliers and purchase orders (mounted at /api/v1/inventory). Everything needs `inventory:adjust`;
 * orders also need access to the location they deliver to.
 */
export function purchaseOrderRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  const id = (req: Request) => String(req.params.id);

  r.get(
    '/suppliers',
    auth,
    route(async (req, res) => {
      res.json({ suppliers: await listSuppliers(ctx.couch, callerOf(req)) });
    })
  );
  r.post(
    '/suppliers',
    auth,
    route(async (req, res) => {
      res.status(201).json({ supplier: await saveSupplier(ctx.couch, callerOf(req), req.body) });
    })
  );
  r.put(
    '/suppliers/:id',
    auth,
    route(async (req, res) => {
      res.json({ supplier: await saveSupplier(ctx.couch, callerOf(req), req.body, id(req)) });
    })
  );

  /** a catalog variant by exact SKU or barcode, for adding order lines */
  r.get(
    '/variant-lookup',
    auth,
    route(async (req, res) => {
      const q = parseBody(lookupQuery, req.query);
      res.json({ variant: await variantForOrder(ctx.couch, callerOf(req), q.code) });
    })
  );

  r.get(
    '/purchase-orders',
    auth,
    route(async (req, res) => {
      const q = parseBody(listQuery, req.query);
      res.json({ location: q.location, orders: await listPurchaseOrders(ctx.couch, callerOf(req), q.location, q.status) });
    })
  );
  r.post(
    '/purchase-orders',
    auth,
    route(async (req, res) => {
      const out = await createPurchaseOrder(ctx.couch, callerOf(req), req.body);
      res.status(out.created ? 201 : 200).json(out);
    })
  );
  r.get(
    '/purchase-orders/:id',
    auth,
    route(async (req, res) => {
      res.json({ order: await orderFor(ctx.couch, callerOf(req), 'Viewing purchase orders', id(req)) });
    })
  );
  r.put(
    '/purchase-orders/:id',
    auth,
    route(async (req, res) => {
      res.json({ order: await updatePurchaseOrder(ctx.couch, callerOf(req), id(req), req.body) });
    })
  );
  r.post(
    '/purchase-orders/:id/send',
    auth,
    route(async (req, res) => {
      res.json(await sendPurchaseOrder(ctx.couch, callerOf(req), id(req)));
    })
  );
  r.post(
    '/purchase-orders/:id/cancel',
    auth,
    route(async (req, res) => {
      res.json(await cancelPurchaseOrder(ctx.couch, callerOf(req), id(req)));
    })
  );
  r.post(
    '/purchase-orders/:id/receive',
    auth,
    route(async (req, res) => {
      res.json(await receivePurchaseOrder(ctx.couch, callerOf(req), id(req), req.body));
    })
  );

  return r;
}
