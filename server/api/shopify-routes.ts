import { Router, type Request, type RequestHandler } from 'express';
import type { Ctx } from '../context.ts';
import { callerOf, requireAuth } from '../http/authenticate.ts';
import { route } from '../http/errors.ts';
import { importStatus, previewShopifyImport, startShopifyImport } from '../integrations/shopify/import.ts';
import { receiveWebhook } from '../integrations/shopify/webhooks.ts';
import { listDeadWebhooks, retryDeadWebhook } from '../integrations/shopify/dead-letters.ts';
import { compareShopifyStock, pushPosStock, reconcileStatus } from '../integrations/shopify/reconcile.ts';
import { connectShopify, disconnectShopify, saveShopifyMapping, shopifyLocations, shopifyStatus } from '../integrations/shopify/connection.ts';

/** Where Shopify reaches this server: PUBLIC_URL, else the origin the admin used. */
const publicUrl = (ctx: Ctx, req: Request) => ctx.config.PUBLIC_URL ?? `${req.protocol}://${req.get('host')}`;

/**
 * Shopify (issue 16), admin side: `/api/v1/integrations/shopify/…`. Every use case checks
 * settings:manage itself; the webhook receiver is mounted apart (raw body, no session).
 */
export function shopifyRoutes(ctx: Ctx): Router {
  const r = Router();
  r.use(requireAuth(ctx));
  r.get(
    '/',
    route(async (req, res) => {
      res.json(await shopifyStatus(ctx.shopify, callerOf(req)));
    })
  );
  r.post(
    '/connect',
    route(async (req, res) => {
      res.status(201).json(await connectShopify(ctx.shopify, callerOf(req), req.body, { publicUrl: publicUrl(ctx, req) }));
    })
  );
  r.get(
    '/locations',
    route(async (req, res) => {
      res.json(await shopifyLocations(ctx.shopify, callerOf(req)));
    })
  );
  r.put(
    '/mapping',
    route(async (req, res) => {
      res.json(await saveShopifyMapping(ctx.shopify, callerOf(req), req.body));
    })
  );
  r.get(
    '/import',
    route(async (req, res) => {
      res.json(await importStatus(ctx.shopify, callerOf(req)));
    })
  );
  r.post(
    '/import/preview',
    route(async (req, res) => {
      res.json(await previewShopifyImport(ctx.shopify, callerOf(req)));
    })
  );
  r.post(
    '/import',
    route(async (req, res) => {
      const { job } = await startShopifyImport(ctx.shopify, callerOf(req));
      res.status(202).json({ job });
    })
  );
  r.get(
    '/webhooks/dead',
    route(async (req, res) => {
      res.json(await listDeadWebhooks(ctx.shopify, callerOf(req)));
    })
  );
  r.post(
    '/webhooks/dead/:webhookId/retry',
    route(async (req, res) => {
      res.json(await retryDeadWebhook(ctx.shopify, callerOf(req), String(req.params.webhookId)));
    })
  );
  r.get(
    '/reconcile',
    route(async (req, res) => {
      res.json(await reconcileStatus(ctx.shopify, callerOf(req)));
    })
  );
  r.post(
    '/reconcile/compare',
    route(async (req, res) => {
      res.json(await compareShopifyStock(ctx.shopify, callerOf(req)));
    })
  );
  r.post(
    '/reconcile/push',
    route(async (req, res) => {
      res.status(202).json(await pushPosStock(ctx.shopify, callerOf(req), req.body));
    })
  );
  r.delete(
    '/',
    route(async (req, res) => {
      res.json(await disconnectShopify(ctx.shopify, callerOf(req)));
    })
  );
  return r;
}

/** `POST /api/v1/integrations/shopify/webhooks` (raw body): verified, recorded once, answered at once. */
export function shopifyWebhookRoute(ctx: Ctx): RequestHandler {
  return route(async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const out = await receiveWebhook(ctx.shopify, req.headers, body);
    res.status(200).json(out);
  });
}
