import { Router, type Request } from 'express';
import { z } from 'zod';
import { createPoInput, receivePoInput, supplierInput, updatePoInput } from '#domain/purchase-orders.ts';
import { PO_STATUSES } from '#domain/schemas/index.ts';
import { locationCode } from '#domain/schemas/common.ts';
import { authorize, actorOf } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { notFound, parseBody, route } from '../http/errors.ts';
import { assertLocations } from '../inventory/service.ts';
import {
  cancelPurchaseOrder,
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrders,
  listSuppliers,
  receivePurchaseOrder,
  saveSupplier,
  sendPurchaseOrder,
  updatePurchaseOrder
} from '../inventory/purchase-orders.ts';
import { findVariant } from '../inventory/store.ts';

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

  const orderFor = async (req: Request, action: string) => {
    const p = authorize(req.principal!, 'inventory:adjust', action);
    const po = await getPurchaseOrder(ctx.couch, p.tenantId, String(req.params.id));
    authorize(req.principal!, 'inventory:adjust', action, po.locationCode);
    return { p, po };
  };

  r.get(
    '/suppliers',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'inventory:adjust', 'Viewing suppliers');
      res.json({ suppliers: await listSuppliers(ctx.couch, p.tenantId) });
    })
  );
  r.post(
    '/suppliers',
    auth,
    route(async (req, res) => {
      const input = parseBody(supplierInput, req.body);
      const p = authorize(req.principal!, 'inventory:adjust', 'Adding a supplier');
      res.status(201).json({ supplier: await saveSupplier(ctx.couch, p.tenantId, input, actorOf(p)) });
    })
  );
  r.put(
    '/suppliers/:id',
    auth,
    route(async (req, res) => {
      const input = parseBody(supplierInput, req.body);
      const p = authorize(req.principal!, 'inventory:adjust', 'Editing a supplier');
      res.json({ supplier: await saveSupplier(ctx.couch, p.tenantId, input, actorOf(p), String(req.params.id)) });
    })
  );

  /** a catalog variant by exact SKU or barcode, for adding order lines */
  r.get(
    '/variant-lookup',
    auth,
    route(async (req, res) => {
      const q = parseBody(lookupQuery, req.query);
      const p = authorize(req.principal!, 'inventory:adjust', 'Looking up a variant');
      const v = await findVariant(ctx.couch, p.tenantId, q.code);
      if (!v) throw notFound(`No variant has SKU or barcode ${q.code}`);
      res.json({ variant: v });
    })
  );

  r.get(
    '/purchase-orders',
    auth,
    route(async (req, res) => {
      const q = parseBody(listQuery, req.query);
      const p = authorize(req.principal!, 'inventory:adjust', 'Viewing purchase orders', q.location);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      res.json({ location: q.location, orders: await listPurchaseOrders(ctx.couch, p.tenantId, q.location, q.status) });
    })
  );
  r.post(
    '/purchase-orders',
    auth,
    route(async (req, res) => {
      const input = parseBody(createPoInput, req.body);
      const p = authorize(req.principal!, 'inventory:adjust', 'Creating a purchase order', input.location);
      const out = await createPurchaseOrder(ctx.couch, p.tenantId, input, actorOf(p), String(req.id));
      res.status(out.created ? 201 : 200).json(out);
    })
  );
  r.get(
    '/purchase-orders/:id',
    auth,
    route(async (req, res) => {
      const { po } = await orderFor(req, 'Viewing purchase orders');
      res.json({ order: po });
    })
  );
  r.put(
    '/purchase-orders/:id',
    auth,
    route(async (req, res) => {
      const input = parseBody(updatePoInput, req.body);
      const { p, po } = await orderFor(req, 'Editing a purchase order');
      res.json({ order: await updatePurchaseOrder(ctx.couch, p.tenantId, po._id, input, actorOf(p)) });
    })
  );
  r.post(
    '/purchase-orders/:id/send',
    auth,
    route(async (req, res) => {
      const { p, po } = await orderFor(req, 'Sending a purchase order');
      res.json(await sendPurchaseOrder(ctx.couch, p.tenantId, po._id, actorOf(p), String(req.id)));
    })
  );
  r.post(
    '/purchase-orders/:id/cancel',
    auth,
    route(async (req, res) => {
      const { p, po } = await orderFor(req, 'Cancelling a purchase order');
      res.json(await cancelPurchaseOrder(ctx.couch, p.tenantId, po._id, actorOf(p), String(req.id)));
    })
  );
  r.post(
    '/purchase-orders/:id/receive',
    auth,
    route(async (req, res) => {
      const input = parseBody(receivePoInput, req.body);
      const { p, po } = await orderFor(req, 'Receiving a purchase order');
      res.json(await receivePurchaseOrder(ctx.couch, p.tenantId, po._id, input, actorOf(p), String(req.id)));
    })
  );

  return r;
}
