import { Router } from 'express';
import { z } from 'zod';
import { locationCode } from '#domain/schemas/common.ts';
import { valuationCsv } from '#domain/stock-levels.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import { setThresholds } from '../inventory/stock-admin.ts';
import { adjustmentsAt, inventoryLocations, lookupVariantAt, stockAlertsFor, stockLevelsAt, valuationFor, variantNames } from '../inventory/stock-queries.ts';

const loc = z.string().trim().toUpperCase().pipe(locationCode);
const int = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);

const levelsQuery = z.object({
  location: loc,
  q: z.string().trim().max(100).default(''),
  filter: z.enum(['all', 'attention', 'in_stock']).default('all'),
  page: int(1, 100_000, 1),
  pageSize: int(1, 200, 50)
});
const lookupQuery = z.object({ location: loc, code: z.string().trim().min(1).max(64) });
const variantsQuery = z.object({
  ids: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(40)).min(1).max(500))
});
const adjustmentsQuery = z.object({ location: loc, limit: int(1, 200, 50) });
/** one location, or every location the caller may use when absent */
const someLocations = z.object({ location: loc.optional() });

/**
 * The admin stock pages' API (docs/API.md "Inventory: stock list, thresholds, alerts, valuation"):
 * the paginated stock list, variant lookup, recent adjustments, thresholds, alerts and valuation.
 * Every endpoint needs `inventory:adjust` and access to the location it reads or writes, valuation
 * (cost figures) also `report:view`: checked by the use cases (inventory/stock-queries.ts, stock-admin.ts).
 */
export function stockRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  /** Every location of the tenant, `mine` when the caller may act there: transfers go to any of them. */
  r.get(
    '/locations',
    auth,
    route(async (req, res) => {
      res.json({ locations: await inventoryLocations(ctx.couch, req.principal!) });
    })
  );

  r.get(
    '/levels',
    auth,
    route(async (req, res) => {
      res.json(await stockLevelsAt(ctx.couch, req.principal!, parseBody(levelsQuery, req.query)));
    })
  );

  r.get(
    '/lookup',
    auth,
    route(async (req, res) => {
      const q = parseBody(lookupQuery, req.query);
      res.json({ variant: await lookupVariantAt(ctx.couch, req.principal!, q.location, q.code) });
    })
  );

  /** Names of the given variants (transfer lines carry only ids). */
  r.get(
    '/variants',
    auth,
    route(async (req, res) => {
      res.json({ variants: await variantNames(ctx.couch, req.principal!, parseBody(variantsQuery, req.query).ids) });
    })
  );

  r.get(
    '/adjustments',
    auth,
    route(async (req, res) => {
      const q = parseBody(adjustmentsQuery, req.query);
      res.json({ location: q.location, adjustments: await adjustmentsAt(ctx.couch, req.principal!, q.location, q.limit) });
    })
  );

  r.put(
    '/thresholds',
    auth,
    route(async (req, res) => {
      res.json(await setThresholds(ctx.couch, { principal: req.principal!, requestId: String(req.id) }, req.body));
    })
  );

  r.get(
    '/alerts',
    auth,
    route(async (req, res) => {
      res.json({ locations: await stockAlertsFor(ctx.couch, req.principal!, parseBody(someLocations, req.query).location) });
    })
  );

  r.get(
    '/valuation',
    auth,
    route(async (req, res) => {
      const { currency, locations, valuation } = await valuationFor(ctx.couch, req.principal!, parseBody(someLocations, req.query).location);
      res.json({ currency, locations, ...valuation });
    })
  );

  r.get(
    '/valuation.csv',
    auth,
    route(async (req, res) => {
      const q = parseBody(someLocations, req.query);
      const { currency, valuation } = await valuationFor(ctx.couch, req.principal!, q.location, 'Exporting inventory valuation');
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="inventory-valuation-${q.location ?? 'all'}-${new Date().toISOString().slice(0, 10)}.csv"`);
      res.send(valuationCsv(valuation, currency));
    })
  );

  return r;
}
