import cookieParser from 'cookie-parser';
import express, { type Express, type RequestHandler } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import { PLATFORM_DB } from '#domain/db-names.ts';
import { SYNC_RULES } from '../sync-rules/rules.ts';
import { authRoutes } from './api/auth-routes.ts';
import { tenantRoutes } from './api/tenant-routes.ts';
import { syncRoutes } from './api/sync-routes.ts';
import { catalogRoutes } from './api/catalog-routes.ts';
import { countsRoutes } from './api/counts-routes.ts';
import { purchaseOrderRoutes } from './api/purchase-order-routes.ts';
import { catalogEditRoutes } from './api/catalog-edit-routes.ts';
import { inventoryRoutes } from './api/inventory-routes.ts';
import { customersRoutes } from './api/customers-routes.ts';
import { stockRoutes } from './api/stock-routes.ts';
import { signupRoutes } from './api/signup-routes.ts';
import { setupRoutes } from './api/setup-routes.ts';
import { reportRoutes } from './api/report-routes.ts';
import { settingsRoutes } from './api/settings-routes.ts';
import { alertsRoutes } from './api/alerts-routes.ts';
import { staffRoutes } from './api/staff-routes.ts';
import { shopifyRoutes, shopifyWebhookRoute } from './api/shopify-routes.ts';
import type { Ctx } from './context.ts';
import { gateway } from './gateway/router.ts';
import type { Upstream } from './gateway/proxy.ts';
import { API_JSON_LIMIT, checkBodyText, errorHandler, forbidden, normaliseJsonText, notFound, refuseDeepJson } from './http/errors.ts';
import { apiKeyToken } from './http/authenticate.ts';
import { parseApiKey } from '#domain/api-keys.ts';
import { dbWriteSignal } from './notify/triggers.ts';
import { messagesRoutes } from './api/messages-routes.ts';
import { paymentsRoutes } from './api/payments-routes.ts';
import { taxRoutes } from './api/tax-routes.ts';
import { stripeWebhookRoute } from './integrations/payments/webhooks.ts';
import { httpMetrics } from './metrics/http.ts';
import { metricsRoute } from './metrics/route.ts';

export interface AppOptions {
  /** the built SvelteKit handler (adapter-node), absent in API-only runs */
  webHandler?: RequestHandler;
  upstream: () => Upstream;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

function ipAllowlist(list: string): RequestHandler {
  const allowed = new Set(list.split(',').map((s) => s.trim()).filter(Boolean));
  return (req, _res, next) => {
    if (allowed.size === 0) return next();
    const ip = (req.ip ?? '').replace(/^::ffff:/, '');
    if (allowed.has(ip)) return next();
    next(forbidden('Admin access is not allowed from this network'));
  };
}

export function createApp(ctx: Ctx, opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.TRUST_PROXY);

  // Correlation id: accept a sane incoming X-Request-Id, else make one; echoed and logged everywhere.
  app.use(
    pinoHttp({
      logger: ctx.log,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // CouchDB's own id for the request when it did not take ours (proxy.ts): both ends of one request
      customProps: (_req, res) => (res.locals?.couchRequestId ? { couchRequestId: res.locals.couchRequestId } : {}),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' }
    })
  );
  app.use(httpMetrics(ctx.metrics, opts.webHandler !== undefined));
  app.use(
    helmet({
      // SvelteKit sets its own CSP (svelte.config.js) with hashes for its inline bootstrap script.
      contentSecurityPolicy: false,
      crossOriginEmbedderPolicy: false
    })
  );

  app.get('/healthz', (_req, res) => {
    // `time` lets devices warn when their clock is off (sale timestamps and business days depend on it).
    res.json({ status: 'ok', time: new Date().toISOString() });
  });
  // Prometheus scrapes: the token or an allowed address, else answered like any unknown path.
  app.get('/metrics', metricsRoute(ctx.metrics, ctx.config));
  app.get('/readyz', (_req, res, next) => {
    ctx.couch
      .use(PLATFORM_DB)
      .info()
      // Staged design-doc upgrades run in the background while the old views serve: still ready.
      // Counts only: database names would tell anyone asking which tenants exist.
      .then(() => res.json({ status: 'ready', designDocs: ctx.designDocs.status() }))
      .catch(() => res.status(503).json({ status: 'not_ready', message: 'database not reachable' }))
      .catch(next);
  });

  // API keys are for outside systems: limited per key like /api/v1 is per client. Devices and users
  // replicating are not limited (a register's sync makes many small requests and must never starve).
  app.use(
    '/db',
    rateLimit({
      windowMs: 60_000,
      limit: ctx.config.API_RATE_LIMIT,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      skip: (req) => apiKeyToken(req) === null,
      keyGenerator: (req) => `api-key:${parseApiKey(apiKeyToken(req) ?? '')?.keyId ?? 'malformed'}`,
      handler: (_req, res) => {
        res.status(429).json({ error: 'rate_limited', reason: `too many requests with this API key: the limit is ${ctx.config.API_RATE_LIMIT} per minute` });
      }
    })
  );
  // A successful write to a location database may carry outbox documents (receipts by email or text).
  app.use('/db', dbWriteSignal((db) => ctx.notify.changed(db)));
  // Gateway before any body parser: reads stream straight through.
  app.use('/db', gateway(ctx, SYNC_RULES, opts.upstream));

  // Shopify's webhooks: signed over the raw body, so they are read raw and never reach the JSON parser
  // or the session checks of /api/v1 (server/integrations/shopify/webhooks.ts).
  app.post('/api/v1/integrations/shopify/webhooks', express.raw({ type: () => true, limit: '2mb' }), shopifyWebhookRoute(ctx), errorHandler);

  const api = express.Router();
  // Stripe signs the exact bytes it sent: this route takes the raw body, before the JSON parser.
  api.post('/integrations/stripe/webhooks', express.raw({ type: () => true, limit: '512kb' }), stripeWebhookRoute(ctx));
  api.use(
    rateLimit({
      windowMs: 60_000,
      limit: ctx.config.API_RATE_LIMIT,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => {
        res.status(429).json({ error: 'rate_limited', message: `Too many requests: the limit is ${ctx.config.API_RATE_LIMIT} per minute` });
      }
    })
  );
  api.use(express.json({ limit: API_JSON_LIMIT, verify: refuseDeepJson, reviver: normaliseJsonText }));
  api.use(checkBodyText);
  api.use(cookieParser());
  const adminOnly = ipAllowlist(ctx.config.ADMIN_IP_ALLOWLIST);
  api.use(['/auth/login', '/auth/refresh', '/locations', '/devices/enrolment-codes', '/catalog', '/inventory', '/api-keys', '/setup', '/customers', '/reports', '/sales', '/settings', '/audit', '/alerts', '/staff', '/messages', '/integrations/shopify', '/integrations/tax', '/payments/stripe'], adminOnly);
  api.use('/auth', authRoutes(ctx));
  api.use('/sync', syncRoutes(ctx));
  api.use('/setup', setupRoutes(ctx));
  api.use('/catalog', catalogRoutes(ctx));
  api.use('/catalog', catalogEditRoutes(ctx));
  api.use('/inventory/counts', countsRoutes(ctx));
  api.use('/inventory', purchaseOrderRoutes(ctx));
  api.use('/inventory', inventoryRoutes(ctx));
  api.use('/inventory', stockRoutes(ctx));
  api.use('/customers', customersRoutes(ctx));
  api.use('/staff', staffRoutes(ctx));
  api.use('/alerts', alertsRoutes(ctx));
  api.use('/integrations/shopify', shopifyRoutes(ctx));
  api.use('/integrations/tax', taxRoutes(ctx));
  api.use('/', messagesRoutes(ctx));
  api.use('/', paymentsRoutes(ctx));
  api.use('/', reportRoutes(ctx));
  // settings before tenant routes: both answer under /locations and /devices
  api.use('/', settingsRoutes(ctx));
  api.use('/', tenantRoutes(ctx));
  api.use('/', signupRoutes(ctx));
  api.use((req, _res, next) => next(notFound(`No API endpoint ${req.method} ${req.baseUrl}${req.path}`)));
  api.use(errorHandler);
  app.use('/api/v1', api);

  if (opts.webHandler) {
    // Fixed URLs that change with every build (the service worker, manifests, prerendered shells):
    // revalidate each time (ETag) so a deploy reaches devices; hashed /_app/immutable files stay cached.
    app.use(/^\/(service-worker\.js|[a-z]*\.webmanifest|pos|admin|raptag)?$/, (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-cache');
      next();
    });
    app.use('/admin', adminOnly);
    app.use(opts.webHandler);
  }
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `Nothing at ${req.path}` });
  });
  app.use(errorHandler);
  return app;
}
