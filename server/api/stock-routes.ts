import { Router, type Request } from 'express';
import { z } from 'zod';
import { locationCode } from '#domain/schemas/common.ts';
import { valuationCsv } from '#domain/stock-levels.ts';
import { authorize, mayUseLocation, type Principal } from '../auth/principal.ts';
import type { Permission } from '#domain/permissions.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import { assertLocations } from '../inventory/service.ts';
import { findVariant, listStock, recentAdjustments, setThresholds, stockAlertsAt, tenantCurrency, tenantLocations, valuationAt, catalogVariants } from '../inventory/stock-admin.ts';
import { getTenant } from '../tenants/provision.ts';

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
 * As in inventory-routes.ts, every endpoint needs `inventory:adjust` and access to the location it
 * reads or writes; valuation (cost figures) also needs `report:view`, which stock clerks lack.
 */
export function stockRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  /** The asked location, or all of the tenant's the caller may use. */
  const locationsFor = async (req: Request, action: string, asked: string | undefined, extra?: Permission): Promise<{ p: Principal; locations: string[] }> => {
    const p = authorize(req.principal!, ['inventory:adjust', ...(extra ? [extra] : [])], action, asked ? [asked] : []);
    if (asked) {
      await assertLocations(ctx.couch, p.tenantId, [asked]);
      return { p, locations: [asked] };
    }
    const tenant = await getTenant(ctx.couch, p.tenantId);
    return { p, locations: (tenant?.locations ?? []).filter((c) => mayUseLocation(p, c)) };
  };

  /** Every location of the tenant, `mine` when the caller may act there: transfers go to any of them. */
  r.get(
    '/locations',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'inventory:adjust', 'Viewing inventory');
      res.json({ locations: await tenantLocations(ctx.couch, p.tenantId).then((ls) => ls.map((l) => ({ ...l, mine: mayUseLocation(p, l.code) }))) });
    })
  );

  r.get(
    '/levels',
    auth,
    route(async (req, res) => {
      const q = parseBody(levelsQuery, req.query);
      const p = authorize(req.principal!, 'inventory:adjust', 'Viewing stock', [q.location]);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      res.json({ location: q.location, ...(await listStock(ctx.couch, p.tenantId, q)) });
    })
  );

  r.get(
    '/lookup',
    auth,
    route(async (req, res) => {
      const q = parseBody(lookupQuery, req.query);
      const p = authorize(req.principal!, 'inventory:adjust', 'Looking up a variant', [q.location]);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      res.json({ variant: await findVariant(ctx.couch, p.tenantId, q.code, q.location) });
    })
  );

  /** Names of the given variants (transfer lines carry only ids). */
  r.get(
    '/variants',
    auth,
    route(async (req, res) => {
      const q = parseBody(variantsQuery, req.query);
      const p = authorize(req.principal!, 'inventory:adjust', 'Looking up variants');
      const wanted = new Set(q.ids);
      res.json({ variants: (await catalogVariants(ctx.couch, p.tenantId)).filter((v) => wanted.has(v.variantId)) });
    })
  );

  r.get(
    '/adjustments',
    auth,
    route(async (req, res) => {
      const q = parseBody(adjustmentsQuery, req.query);
      const p = authorize(req.principal!, 'inventory:adjust', 'Viewing adjustments', [q.location]);
      await assertLocations(ctx.couch, p.tenantId, [q.location]);
      res.json({ location: q.location, adjustments: await recentAdjustments(ctx.couch, p.tenantId, q.location, q.limit) });
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
      const q = parseBody(someLocations, req.query);
      const { p, locations } = await locationsFor(req, 'Viewing stock alerts', q.location);
      const variants = await catalogVariants(ctx.couch, p.tenantId);
      const alerts = await Promise.all(locations.map((l) => stockAlertsAt(ctx.couch, p.tenantId, l, variants)));
      res.json({ locations: alerts });
    })
  );

  r.get(
    '/valuation',
    auth,
    route(async (req, res) => {
      const q = parseBody(someLocations, req.query);
      const { p, locations } = await locationsFor(req, 'Viewing inventory valuation', q.location, 'report:view');
      const [valuation, currency] = await Promise.all([valuationAt(ctx.couch, p.tenantId, locations), tenantCurrency(ctx.couch, p.tenantId)]);
      res.json({ currency, locations, ...valuation });
    })
  );

  r.get(
    '/valuation.csv',
    auth,
    route(async (req, res) => {
      const q = parseBody(someLocations, req.query);
      const { p, locations } = await locationsFor(req, 'Exporting inventory valuation', q.location, 'report:view');
      const [valuation, currency] = await Promise.all([valuationAt(ctx.couch, p.tenantId, locations), tenantCurrency(ctx.couch, p.tenantId)]);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="inventory-valuation-${q.location ?? 'all'}-${new Date().toISOString().slice(0, 10)}.csv"`);
      res.send(valuationCsv(valuation, currency));
    })
  );

  return r;
}
