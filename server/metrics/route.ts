import type { RequestHandler } from 'express';
import type { Config } from '../config.ts';
import { metricsGate } from './access.ts';
import type { Metrics } from './registry.ts';

/**
 * `GET /metrics` in Prometheus text format, for the token or an allowed address. Anyone else gets
 * exactly what an unknown path gets (the request falls through to the next handler), so the endpoint
 * does not reveal that it exists.
 */
export function metricsRoute(metrics: Metrics, config: Pick<Config, 'METRICS_TOKEN' | 'METRICS_ALLOW'>): RequestHandler {
  const allowed = metricsGate(config);
  return (req, res, next) => {
    if (!allowed(req.ip ?? '', req.headers.authorization)) return next();
    metrics.registry
      .metrics()
      .then((text) => {
        res.setHeader('Cache-Control', 'no-store');
        res.type(metrics.registry.contentType).send(text);
      })
      .catch(next);
  };
}
