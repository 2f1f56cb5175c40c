import { textRule } from '#domain/schemas/text.ts';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { LOCATION_CODE_PATTERN } from '#domain/db-names.ts';
import { settingsUpdateInput, taxRateInput } from '#domain/tenant-settings.ts';
import { hasPermission } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { badRequest, forbidden, parseBody, route } from '../http/errors.ts';
import { auditQuery, listAuditEvents } from '../settings/audit-log.ts';
import {
  createTaxRate,
  deleteTaxRate,
  getSettings,
  listLocationsDetailed,
  listTaxRates,
  locationPatch,
  planUsage,
  renameDevice,
  updateLocation,
  updateSettings,
  updateTaxRate
} from '../settings/service.ts';
import { cancelScheduledTaxVersion, locationTaxTable, saveLocationTaxVersion, saveTaxVersionBody, scheduledDateParam } from '../settings/tax-tables.ts';

const renameBody = z.object({ name: z.string().trim().min(1, 'is required').max(80).superRefine(textRule()) }).strict();
const taxRateQuery = z.object({ location: z.string().trim().toUpperCase().regex(LOCATION_CODE_PATTERN, 'must be a location code like GM').optional() }).strict();
const TAX_RATE_ID = /^tax_rate:[a-z0-9-]{1,60}$/;
const DEVICE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function codeParam(raw: unknown): string {
  const code = String(raw).toUpperCase();
  if (!LOCATION_CODE_PATTERN.test(code)) throw badRequest('code: must be a location code like GM');
  return code;
}
function idParam(raw: unknown, pattern: RegExp, what: string): string {
  const id = String(raw);
  if (!pattern.test(id)) throw badRequest(`${what}: is not a valid id`);
  return id;
}

/**
 * Settings (issue 5): locations, devices, tax rates, receipt/payment/register rules, plan and usage,
 * and the audit log. Every route needs settings:manage (owners and admins); per-location checks are
 * in the service. Device enrolment, listing and revoking live in tenant-routes.ts; API keys in
 * signup-routes.ts.
 */
export function settingsRoutes(ctx: Ctx): Router {
  const r = Router();
  const manage: RequestHandler = (req, _res, next) => {
    if (!hasPermission(req.principal!, 'settings:manage')) return next(forbidden('Settings need the settings:manage permission'));
    next();
  };
  const guard = [requireAuth(ctx), manage];

  r.get(
    '/settings/locations',
    guard,
    route(async (req, res) => {
      res.json({ locations: await listLocationsDetailed(ctx, req.principal!) });
    })
  );

  r.patch(
    '/locations/:code',
    guard,
    route(async (req, res) => {
      const patch = parseBody(locationPatch, req.body);
      res.json({ location: await updateLocation(ctx, req.principal!, codeParam(req.params.code), patch) });
    })
  );

  r.patch(
    '/devices/:id',
    guard,
    route(async (req, res) => {
      const { name } = parseBody(renameBody, req.body);
      await renameDevice(ctx, req.principal!, idParam(req.params.id, DEVICE_ID, 'id'), name);
      res.status(204).end();
    })
  );

  r.get(
    '/settings',
    guard,
    route(async (req, res) => {
      res.json({ settings: await getSettings(ctx, req.principal!.tenantId) });
    })
  );

  r.patch(
    '/settings',
    guard,
    route(async (req, res) => {
      const patch = parseBody(settingsUpdateInput, req.body);
      if (Object.keys(patch).length === 0) throw badRequest('nothing to change');
      res.json({ settings: await updateSettings(ctx, req.principal!, patch) });
    })
  );

  r.get(
    '/settings/tax-rates',
    guard,
    route(async (req, res) => {
      const q = parseBody(taxRateQuery, req.query);
      res.json({ taxRates: await listTaxRates(ctx, req.principal!, q.location) });
    })
  );

  r.post(
    '/settings/tax-rates',
    guard,
    route(async (req, res) => {
      res.status(201).json({ taxRate: await createTaxRate(ctx, req.principal!, parseBody(taxRateInput, req.body)) });
    })
  );

  r.put(
    '/settings/tax-rates/:id',
    guard,
    route(async (req, res) => {
      const id = idParam(req.params.id, TAX_RATE_ID, 'id');
      res.json({ taxRate: await updateTaxRate(ctx, req.principal!, id, parseBody(taxRateInput, req.body)) });
    })
  );

  r.delete(
    '/settings/tax-rates/:id',
    guard,
    route(async (req, res) => {
      await deleteTaxRate(ctx, req.principal!, idParam(req.params.id, TAX_RATE_ID, 'id'));
      res.status(204).end();
    })
  );

  // a location's jurisdiction tax table, edited by hand (the use cases check settings:manage for the location)
  r.get(
    '/settings/locations/:code/tax-table',
    guard,
    route(async (req, res) => {
      res.json(await locationTaxTable(ctx, req.principal!, codeParam(req.params.code)));
    })
  );

  r.put(
    '/settings/locations/:code/tax-table',
    guard,
    route(async (req, res) => {
      res.json(await saveLocationTaxVersion(ctx, req.principal!, codeParam(req.params.code), parseBody(saveTaxVersionBody, req.body)));
    })
  );

  r.delete(
    '/settings/locations/:code/tax-table/versions/:date',
    guard,
    route(async (req, res) => {
      res.json(await cancelScheduledTaxVersion(ctx, req.principal!, codeParam(req.params.code), parseBody(scheduledDateParam, req.params.date)));
    })
  );

  r.get(
    '/settings/plan',
    guard,
    route(async (req, res) => {
      res.json(await planUsage(ctx, req.principal!));
    })
  );

  r.get(
    '/audit',
    guard,
    route(async (req, res) => {
      const q = parseBody(auditQuery, req.query);
      res.setHeader('Cache-Control', 'no-store');
      res.json(await listAuditEvents(ctx.couch, req.principal!.tenantId, q));
    })
  );

  return r;
}
