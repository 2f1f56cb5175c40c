import { Router } from 'express';
import { LOCATION_CODE_PATTERN } from '#domain/db-names.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { badRequest, parseBody, route } from '../http/errors.ts';
import { applyLocationRates, applyRatesBody, connectTaxBody, connectTaxService, getTaxConnection, previewLocationRates, previewRatesBody } from '../integrations/tax/service.ts';

function codeParam(raw: unknown): string {
  const code = String(raw).toUpperCase();
  if (!LOCATION_CODE_PATTERN.test(code)) throw badRequest('code: must be a location code like GM');
  return code;
}

/**
 * The tax service (issue 18, TaxJar): connection, a location's rates previewed as a diff, and applied
 * on confirmation. Mounted at /integrations/tax; every use case checks its caller (settings:manage).
 */
export function taxRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);
  r.get('/connection', auth, route(async (req, res) => void res.json(await getTaxConnection(ctx, req.principal!))));
  r.put('/connection', auth, route(async (req, res) => void res.json(await connectTaxService(ctx, req.principal!, parseBody(connectTaxBody, req.body)))));
  r.post('/locations/:code/preview', auth, route(async (req, res) => void res.json(await previewLocationRates(ctx, req.principal!, codeParam(req.params.code), parseBody(previewRatesBody, req.body)))));
  r.post('/locations/:code/apply', auth, route(async (req, res) => void res.json(await applyLocationRates(ctx, req.principal!, codeParam(req.params.code), parseBody(applyRatesBody, req.body)))));
  return r;
}
