import type { Request, RequestHandler } from 'express';
import { gatewayMarkOf } from './gateway.ts';
import type { Metrics } from './registry.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A bounded method label: anything unusual is `other`. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}

/**
 * The route label: the Express route pattern that answered (`/api/v1/catalog/products/:id`), else a
 * fixed label by area. Never the URL itself, which carries tenant ids, database names and document ids.
 */
export function routeLabel(originalUrl: string, pattern: string | undefined, opts: { feed?: boolean; web?: boolean } = {}): string {
  if (pattern) return pattern;
  const path = originalUrl.split('?')[0]!;
  if (path === '/db' || path.startsWith('/db/')) return opts.feed ? '/db (feed)' : '/db';
  if (path === '/api/v1' || path.startsWith('/api/v1/')) return '/api/v1 (no route)';
  return opts.web ? 'web' : 'unmatched';
}

/**
 * Counts and times every request. The route pattern is taken when Express assigns `req.route`: at that
 * moment `req.baseUrl` is the mount path of the router holding the route, whereas by the time the
 * answer ends an error passed to `next` may have unwound it to an outer router's.
 */
export function httpMetrics(metrics: Metrics, web: boolean): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let pattern: string | undefined;
    let route: Request['route'];
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (r: Request['route']) => {
        route = r;
        const p = (r as { path?: unknown } | undefined)?.path;
        if (typeof p === 'string') pattern = req.baseUrl + p;
      }
    });
    res.once('close', () => {
      // 499: the client went away before any answer (as nginx logs it)
      const status = res.headersSent ? res.statusCode : 499;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.http(routeLabel(req.originalUrl, pattern, { feed: gatewayMarkOf(res)?.feed === true, web }), methodLabel(req.method), status, seconds);
    });
    next();
  };
}
