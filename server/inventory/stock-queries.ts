import type { Permission } from '#domain/permissions.ts';
import { authorize, mayUseLocation, type Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import { getTenant } from '../tenants/provision.ts';
import { assertLocations } from './service.ts';
import { catalogVariants, findVariant, listStock, recentAdjustments, stockAlertsAt, tenantCurrency, tenantLocations, valuationAt, type StockListQuery } from './stock-admin.ts';

/**
 * The admin stock pages' reads as use cases (docs/API.md "Inventory: stock list, thresholds, alerts,
 * valuation"): each needs `inventory:adjust` and access to the location it reads — valuation (cost
 * figures) also `report:view`, which stock clerks lack — checked here before the store is read,
 * whoever calls. The reading itself is stock-admin.ts.
 */

/** The asked location (404 if the tenant has none), or all of the tenant's the caller may use. */
async function locationsFor(couch: Couch, p: Principal, action: string, asked: string | undefined, extra?: Permission): Promise<string[]> {
  authorize(p, ['inventory:adjust', ...(extra ? [extra] : [])], action, asked ? [asked] : []);
  if (asked) {
    await assertLocations(couch, p.tenantId, [asked]);
    return [asked];
  }
  const tenant = await getTenant(couch, p.tenantId);
  return (tenant?.locations ?? []).filter((c) => mayUseLocation(p, c));
}

/** Every location of the tenant, `mine` when the caller may act there: transfers go to any of them. */
export async function inventoryLocations(couch: Couch, p: Principal) {
  authorize(p, 'inventory:adjust', 'Viewing inventory');
  return (await tenantLocations(couch, p.tenantId)).map((l) => ({ ...l, mine: mayUseLocation(p, l.code) }));
}

/** One page of the stock list at a location. */
export async function stockLevelsAt(couch: Couch, p: Principal, query: StockListQuery & { location: string }) {
  const [location] = await locationsFor(couch, p, 'Viewing stock', query.location);
  return { location: location!, ...(await listStock(couch, p.tenantId, query)) };
}

/** A variant by barcode, SKU or id, with its stock at the location. */
export async function lookupVariantAt(couch: Couch, p: Principal, location: string, code: string) {
  await locationsFor(couch, p, 'Looking up a variant', location);
  return findVariant(couch, p.tenantId, code, location);
}

/** Names of the given variants (transfer lines carry only ids). */
export async function variantNames(couch: Couch, p: Principal, ids: readonly string[]) {
  authorize(p, 'inventory:adjust', 'Looking up variants');
  const wanted = new Set(ids);
  return (await catalogVariants(couch, p.tenantId)).filter((v) => wanted.has(v.variantId));
}

/** The latest adjustments at a location. */
export async function adjustmentsAt(couch: Couch, p: Principal, location: string, limit: number) {
  await locationsFor(couch, p, 'Viewing adjustments', location);
  return recentAdjustments(couch, p.tenantId, location, limit);
}

/** Negative and low stock at one location, or at each the caller may use. */
export async function stockAlertsFor(couch: Couch, p: Principal, location?: string) {
  const locations = await locationsFor(couch, p, 'Viewing stock alerts', location);
  const variants = await catalogVariants(couch, p.tenantId);
  return Promise.all(locations.map((l) => stockAlertsAt(couch, p.tenantId, l, variants)));
}

/** Stock × cost at one location or at each the caller may use. `action` names the request in a refusal. */
export async function valuationFor(couch: Couch, p: Principal, location: string | undefined, action = 'Viewing inventory valuation') {
  const locations = await locationsFor(couch, p, action, location, 'report:view');
  const [valuation, currency] = await Promise.all([valuationAt(couch, p.tenantId, locations), tenantCurrency(couch, p.tenantId)]);
  return { currency, locations, valuation };
}
