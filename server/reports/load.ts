import { catalogDb, locationDb, PLATFORM_DB } from '#domain/db-names.ts';
import { utcRange, type IsoDate } from '#domain/business-day.ts';
import { reversalFact, saleFact, voidIdOf, type CatalogLookup, type LayawayMoneyDoc, type SaleFact } from '#domain/sales-analytics.ts';
import { storeFormat, type StoreFormat } from '#domain/store-format.ts';
import type { SaleDoc, ShiftCloseDoc, VoidDoc } from '#domain/schemas/index.ts';
import { mayUseLocation, type Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import { forbidden, notFound } from '../errors.ts';
import { getTenant } from '../tenants/provision.ts';

/**
 * Reading register documents for reports. Everything goes through the standard CouchDB HTTP API:
 * the `reports/by_time` view (keyed [type, time]) for a date range, `_all_docs` with keys for the
 * voids of given sales, the sales of given voids and for products. A range is converted per location, from its business days
 * in its own time zone, so "3 March" means each shop's local 3 March.
 */

export interface LocationInfo {
  code: string;
  name: string;
  timeZone: string;
  currency: string;
  /** BCP 47; absent: the currency's default (domain/store-format.ts) */
  locale?: string;
  taxRateId?: string;
  pricesIncludeTax: boolean;
}

export interface Scope {
  tenantId: string;
  locations: LocationInfo[];
  catalog: CatalogLookup;
  timeZoneOf: (code: string) => string;
  /** how the location writes dates and money (its locale, time zone, currency) */
  formatOf: (code: string) => StoreFormat;
  registerName: (registerId: string) => string;
  /** a staff member's name from the staff directory (`user:{id}` → "Maria Manager"), else the id */
  staffName: (userId: string) => string;
  /** product → category id and name, learnt for the products the loaded sales name (the catalog is large) */
  productCategory: Map<string, string>;
  productNames: Map<string, string>;
}

interface TaxRateDoc {
  _id: string;
  name: string;
  ratePpm: number;
  exemptCategories?: string[];
}

const PAGE = 1000;

/**
 * The locations a request covers: `location` if given (403 without access, 404 if unknown), else
 * every location of the tenant the principal may use. Owners and admins see all; others theirs.
 */
export async function loadScope(couch: Couch, p: Principal, location?: string): Promise<Scope> {
  const tenant = await getTenant(couch, p.tenantId);
  if (!tenant) throw notFound('No such tenant');
  if (location) {
    if (!tenant.locations.includes(location)) throw notFound(`No location ${location} in this tenant`);
    if (!mayUseLocation(p, location)) throw forbidden(`Reports: no access to location ${location}`);
  }
  const catalog = couch.use(catalogDb(p.tenantId));
  const [locRows, rateRows, catRows, staffRows, devices] = await Promise.all([
    catalog.list({ startkey: 'location:', endkey: 'location:\ufff0', include_docs: true }),
    catalog.list({ startkey: 'tax_rate:', endkey: 'tax_rate:\ufff0', include_docs: true }),
    catalog.list({ startkey: 'category:', endkey: 'category:\ufff0', include_docs: true }),
    catalog.list({ startkey: 'staff:', endkey: 'staff:\ufff0', include_docs: true }),
    couch.use(PLATFORM_DB).view('devices', 'by_tenant', { startkey: [p.tenantId], endkey: [p.tenantId, {}] })
  ]);
  const locations = locRows.rows
    .map((r) => r.doc as unknown as LocationInfo & { pricesIncludeTax?: boolean })
    .filter((l) => l && tenant.locations.includes(l.code) && (location ? l.code === location : mayUseLocation(p, l.code)))
    .map(({ code, name, timeZone, currency, locale, taxRateId, pricesIncludeTax }) => ({
      code,
      name,
      timeZone,
      currency,
      ...(locale ? { locale } : {}),
      ...(taxRateId ? { taxRateId } : {}),
      pricesIncludeTax: !!pricesIncludeTax
    }))
    .sort((a, b) => a.code.localeCompare(b.code));
  const rates = new Map(rateRows.rows.map((r) => r.doc as unknown as TaxRateDoc).filter(Boolean).map((r) => [r._id, r]));
  const categories = new Map(catRows.rows.map((r) => r.doc as unknown as { _id: string; name: string }).filter(Boolean).map((c) => [c._id, c.name]));
  const deviceNames = new Map(devices.rows.map((r) => [`device:${r.id.replace(/^device:/, '')}`, (r.value as { name?: string }).name ?? r.id]));
  const staff = new Map(staffRows.rows.map((r) => r.doc as unknown as { userId: string; name: string }).filter(Boolean).map((m) => [m.userId, m.name]));
  const byCode = new Map(locations.map((l) => [l.code, l]));
  const productCategory = new Map<string, string>();
  const productNames = new Map<string, string>();
  return {
    tenantId: p.tenantId,
    locations,
    timeZoneOf: (code) => byCode.get(code)?.timeZone ?? 'UTC',
    formatOf: (code) => {
      const l = byCode.get(code);
      return storeFormat({ locale: l?.locale, timeZone: l?.timeZone ?? 'UTC', currency: l?.currency ?? 'USD' });
    },
    registerName: (id) => deviceNames.get(id) ?? id.replace(/^device:/, ''),
    staffName: (id) => staff.get(id) ?? id,
    catalog: {
      categoryOf: (productId) => {
        const id = productCategory.get(productId);
        return id ? { id, name: categories.get(id) ?? id } : undefined;
      },
      productName: (productId) => productNames.get(productId),
      taxRateOf: (code, taxCategory) => {
        const rate = rates.get(byCode.get(code)?.taxRateId ?? '');
        if (!rate || (taxCategory && rate.exemptCategories?.includes(taxCategory))) return undefined;
        return { id: rate._id, name: rate.name, ratePpm: rate.ratePpm };
      }
    },
    productCategory,
    productNames
  };
}

/** Documents of one type made in [start, end) (UTC ISO), paged through the by_time view. */
async function byTime<T>(couch: Couch, tenantId: string, code: string, type: string, start: string, end: string): Promise<T[]> {
  const db = couch.use(locationDb(tenantId, code));
  const out: T[] = [];
  let startkey: unknown = [type, start];
  let startkeyDocid: string | undefined;
  for (;;) {
    const res = await db.view('reports', 'by_time', {
      startkey,
      endkey: [type, end],
      inclusive_end: false,
      include_docs: true,
      limit: PAGE + 1,
      ...(startkeyDocid ? { startkey_docid: startkeyDocid } : {})
    });
    const rows = res.rows;
    for (const r of rows.slice(0, PAGE)) if (r.doc) out.push(r.doc as unknown as T);
    if (rows.length <= PAGE) return out;
    const next = rows[PAGE]!;
    startkey = next.key;
    startkeyDocid = next.id;
  }
}

/** Fetches documents by id (missing ones skipped), in batches. */
async function byIds<T>(couch: Couch, dbName: string, ids: string[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += PAGE) {
    const res = await couch.use(dbName).fetch({ keys: ids.slice(i, i + PAGE) });
    for (const r of res.rows) {
      const doc = (r as { doc?: T | null }).doc;
      if (doc) out.push(doc);
    }
  }
  return out;
}

/** Category and name of the products the sales name (a line carries its variant's name, not its product's). */
async function learnProducts(couch: Couch, scope: Scope, productIds: Iterable<string>): Promise<void> {
  const missing = [...new Set(productIds)].filter((id) => !scope.productNames.has(id));
  if (!missing.length) return;
  for (const p of await byIds<{ _id: string; type?: string; name?: string; categoryId?: string }>(couch, catalogDb(scope.tenantId), missing)) {
    if (p.type !== 'product') continue;
    if (p.categoryId) scope.productCategory.set(p._id, p.categoryId);
    if (p.name) scope.productNames.set(p._id, p.name);
  }
}

export interface Loaded {
  /** the range's sales and the reversals of the voids made in it (domain/sales-analytics.ts) */
  facts: SaleFact[];
  voids: VoidDoc[];
  closes: ShiftCloseDoc[];
  /** layaway deposits, payments and closes made in the range */
  layaways: LayawayMoneyDoc[];
  /** the sale documents behind the facts, by id (the journal's detail) */
  sales: Map<string, SaleDoc>;
}

/**
 * Sales, voids, layaway money and shift closes of the scope's locations in the inclusive business-day
 * range. A sale is flagged voided when its void exists, whenever the void was made (it is looked up by
 * id); a void made in the range becomes a reversal of its sale on its own day, whenever the sale was
 * made (the sale is looked up by id when it is older than the range).
 */
export async function loadRange(couch: Couch, scope: Scope, from: IsoDate, to: IsoDate, what: { closes?: boolean; layaways?: boolean } = {}): Promise<Loaded> {
  const none = Promise.resolve([]);
  const perLocation = await Promise.all(
    scope.locations.map(async (loc) => {
      const { start, end } = utcRange(from, to, loc.timeZone);
      const range = <T>(type: string) => byTime<T>(couch, scope.tenantId, loc.code, type, start, end);
      const [sales, voids, closes, layaways, payments, layawayCloses] = await Promise.all([
        range<SaleDoc>('sale'),
        range<VoidDoc>('void'),
        what.closes ? range<ShiftCloseDoc>('shift_close') : none,
        what.layaways ? range<LayawayMoneyDoc>('layaway') : none,
        what.layaways ? range<LayawayMoneyDoc>('layaway_payment') : none,
        what.layaways ? range<LayawayMoneyDoc>('layaway_close') : none
      ]);
      const db = locationDb(scope.tenantId, loc.code);
      const have = new Set(sales.map((s) => s._id));
      const [voidsOfSales, olderSales] = await Promise.all([
        byIds<VoidDoc>(couch, db, sales.map((s) => voidIdOf(s._id))),
        byIds<SaleDoc>(couch, db, [...new Set(voids.map((v) => v.saleId).filter((id) => !have.has(id)))])
      ]);
      return { loc, sales, voids, closes, voidsOfSales, olderSales, layaways: [...layaways, ...payments, ...layawayCloses] };
    })
  );
  await learnProducts(couch, scope, perLocation.flatMap((l) => [...l.sales, ...l.olderSales].flatMap((s) => s.lines.map((x) => x.productId))));
  const facts: SaleFact[] = [];
  const sales = new Map<string, SaleDoc>();
  for (const { loc, sales: docs, voids, voidsOfSales, olderSales } of perLocation) {
    const voidBySale = new Map(voidsOfSales.filter((v) => v.type === 'void').map((v) => [v.saleId, v]));
    const saleById = new Map([...olderSales.filter((s) => s.type === 'sale'), ...docs].map((s) => [s._id, s]));
    for (const s of docs) {
      sales.set(s._id, s);
      facts.push(saleFact(s, loc.timeZone, scope.catalog, voidBySale.get(s._id)));
    }
    // One void per sale: its id is the sale's, so two offline voids are one document in conflict (an alert).
    for (const v of voids) facts.push(reversalFact(v, saleById.get(v.saleId), loc.timeZone, scope.catalog));
  }
  return {
    facts,
    voids: perLocation.flatMap((l) => l.voids),
    closes: perLocation.flatMap((l) => l.closes),
    layaways: perLocation.flatMap((l) => l.layaways),
    sales
  };
}

/** One sale with its void (if any), for the journal's detail; 404 if it is not in that location. */
export async function loadSale(couch: Couch, scope: Scope, code: string, saleId: string): Promise<{ sale: SaleDoc; void?: VoidDoc; fact: SaleFact }> {
  const loc = scope.locations.find((l) => l.code === code);
  if (!loc || !saleId.startsWith('sale:')) throw notFound(`No sale ${saleId}`);
  const [sale, voidDoc] = await byIds<SaleDoc | VoidDoc>(couch, locationDb(scope.tenantId, code), [saleId, voidIdOf(saleId)]).then((docs) => [
    docs.find((d) => d._id === saleId && d.type === 'sale') as SaleDoc | undefined,
    docs.find((d) => d.type === 'void') as VoidDoc | undefined
  ] as const);
  if (!sale) throw notFound(`No sale ${saleId} at ${code}`);
  await learnProducts(couch, scope, sale.lines.map((l) => l.productId));
  return { sale, ...(voidDoc ? { void: voidDoc } : {}), fact: saleFact(sale, loc.timeZone, scope.catalog, voidDoc) };
}
