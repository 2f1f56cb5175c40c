import { PLATFORM_DB, catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { findUserByEmail } from '../platform/users.ts';
import type { Role } from '#domain/permissions.ts';
import { locationSchema, registerSchema, settingsSchema, taxRateSchema } from '#domain/schemas/index.ts';
import type { CartTax } from '#domain/cart.ts';
import { createEnrolmentCode } from '../auth/flows.ts';
import type { Db } from '../couch/client.ts';
import type { Ctx } from '../context.ts';
import { createStaffUser, createTenant } from '../tenants/provision.ts';
import { buildFirstViews } from '../couch/warm-views.ts';

/** Demo only: fixed, printed and written in the README. Absent with SEED_DEMO=0. */
export const DEMO_PASSWORD = 'nexus-demo-2026';
export const DEMO_TENANT_NAME = 'Nexus Clothing';

const LOCATIONS = [
  { code: 'GM', name: 'Nexus Grand Mall', address: '100 Grand Mall Blvd, New York, NY', timeZone: 'America/New_York', taxRateId: 'tax_rate:ny', tax: { name: 'NY sales tax 8.875%', ratePpm: 88_750 } },
  { code: 'HM', name: 'Nexus Harbor Mall', address: '22 Harbor Way, Chicago, IL', timeZone: 'America/Chicago', taxRateId: 'tax_rate:il', tax: { name: 'IL sales tax 6.25%', ratePpm: 62_500 } },
  { code: 'LM', name: 'Nexus Lakeside Mall', address: '7 Lakeside Dr, Oakland, CA', timeZone: 'America/Los_Angeles', taxRateId: 'tax_rate:ca', tax: { name: 'CA sales tax 7.25%', ratePpm: 72_500 } }
] as const;

const USERS: { role: Role; email: string; name: string; pin: string; locations: string[] }[] = [
  { role: 'owner', email: 'owner@nexus.demo', name: 'Olivia Owner', pin: '1111', locations: ['*'] },
  { role: 'admin', email: 'admin@nexus.demo', name: 'Adam Admin', pin: '2222', locations: ['*'] },
  { role: 'manager', email: 'manager@nexus.demo', name: 'Maria Manager', pin: '3333', locations: ['GM'] },
  { role: 'cashier', email: 'cashier@nexus.demo', name: 'Carlos Cashier', pin: '4444', locations: ['GM'] },
  { role: 'stock_clerk', email: 'clerk@nexus.demo', name: 'Sam Stockclerk', pin: '5555', locations: ['GM'] }
];

export interface DemoSummary {
  tenantId: string;
  tenantName: string;
  users: { role: Role; email: string; pin: string }[];
  /** true on the start that created it */
  seeded: boolean;
  /** a fresh one-time register code, only when just seeded */
  enrolmentCode?: string;
}

const demoUsers = () => USERS.map(({ role, email, pin }) => ({ role, email, pin }));

/** The demo tenant of an earlier start, so every start can print its logins. */
export async function existingDemo(ctx: Ctx): Promise<DemoSummary | null> {
  const owner = await findUserByEmail(ctx.couch.use(PLATFORM_DB), USERS[0]!.email);
  if (!owner) return null;
  return { tenantId: owner.tenantId, tenantName: DEMO_TENANT_NAME, users: demoUsers(), seeded: false };
}

/** Documents per `_bulk_docs` request: the catalog's and opening stock's, and the history's (a location's
 * months of trade in one or two requests, so the store writes it while the next location is generated). */
const BATCH = 500;
const HISTORY_BATCH = 4000;

async function bulkInsert(db: Db, docs: object[], batchSize = BATCH): Promise<void> {
  for (let i = 0; i < docs.length; i += batchSize) {
    const batch = docs.slice(i, i + batchSize);
    let res;
    let retried = false;
    try {
      res = await db.bulk({ docs: batch });
    } catch (err) {
      // A connection the store closed under us (no HTTP status: "other side closed", seen on a loaded
      // machine after seconds of generating): send the batch once more. Its ids are new on this fresh
      // tenant, so a conflict then is a document the first attempt did write.
      if ((err as { statusCode?: number }).statusCode !== undefined) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      res = await db.bulk({ docs: batch });
      retried = true;
    }
    const failed = res.filter((r) => 'error' in r && r.error && !(retried && r.error === 'conflict'));
    if (failed.length) throw new Error(`demo seed: ${failed.length} documents failed, first: ${JSON.stringify(failed[0])}`);
  }
}

/** Creates the demo tenant "Nexus Clothing" with catalog, stock, customers, staff and registers. */
export async function seedDemo(ctx: Ctx): Promise<DemoSummary> {
  const started = Date.now();
  const owner = USERS[0]!;
  const created = await createTenant(ctx, {
    name: DEMO_TENANT_NAME,
    adminEmail: owner.email,
    adminName: owner.name,
    adminPassword: DEMO_PASSWORD,
    adminPin: owner.pin,
    plan: 'enterprise',
    locations: LOCATIONS.map(({ code, name, address, timeZone, taxRateId }) => ({ code, name, address, timeZone, currency: 'USD', taxRateId }))
  });
  const { tenantId } = created;
  const now = new Date().toISOString();
  const catalog = ctx.couch.use(catalogDb(tenantId));

  const userIds = new Map<string, string>([[owner.email, created.adminUserId]]);
  for (const u of USERS.slice(1)) {
    const user = await createStaffUser(ctx, tenantId, { ...u, password: DEMO_PASSWORD });
    userIds.set(u.email, user._id);
  }

  const taxRates = LOCATIONS.map((l) =>
    taxRateSchema.parse({ _id: l.taxRateId, type: 'tax_rate', ...l.tax, exemptCategories: [], updatedAt: now, updatedBy: 'system' })
  );
  const registers = LOCATIONS.flatMap((l) =>
    [1, 2].map((n) => registerSchema.parse({ _id: `register:${l.code}-${n}`, type: 'register', locationCode: l.code, name: `${l.code} Register ${n}`, updatedAt: now, updatedBy: 'system' }))
  );
  // Loaded only when seeding: normal starts never need the generator.
  const { generateDemoCatalog } = await import('./catalog-generator.ts');
  const demo = generateDemoCatalog({ seed: 2026, locationCodes: LOCATIONS.map((l) => l.code), now, actor: 'system' });
  await bulkInsert(catalog, [...taxRates, ...registers, ...demo.categories, ...demo.products]);
  await bulkInsert(ctx.couch.use(customersDb(tenantId)), demo.customers);
  for (const l of LOCATIONS) await bulkInsert(ctx.couch.use(locationDb(tenantId, l.code)), demo.openingMovements[l.code] ?? []);
  const seededMs = Date.now() - started;
  if (ctx.config.SEED_HISTORY_DAYS > 0) await seedHistory(ctx, tenantId, ctx.config.SEED_HISTORY_DAYS, userIds, demo);

  const enrol = await createEnrolmentCode(
    ctx,
    { kind: 'user', userId: created.adminUserId, tenantId, role: 'owner', locations: ['*'] },
    { kind: 'register', locationCode: 'GM', name: 'GM Register 1' }
  );
  ctx.log.info({ tenantId, products: demo.products.length, tenantMs: seededMs, ms: Date.now() - started }, 'demo tenant seeded');
  return { tenantId, tenantName: DEMO_TENANT_NAME, users: demoUsers(), seeded: true, enrolmentCode: enrol.code };
}

/**
 * Months of trade before today (server/demo/history-generator.ts), written in bulk on the start that
 * creates the demo tenant, and the views the owner's first pages read built before the server listens
 * (couch/warm-views.ts buildFirstViews): the first dashboard then answers at once instead of waiting
 * while the views index the history (README "Demo history"). Each store's registers are priced with the tax its registers use (the
 * location and settings documents just written, read as register/reference-data.ts taxConfigOf does).
 * GM is worked by Carlos (cashier) and Maria (manager); the demo has no staff at HM and LM, so Adam
 * (admin) and Olivia (owner) ring there.
 */
async function seedHistory(ctx: Ctx, tenantId: string, days: number, userIds: ReadonlyMap<string, string>, demo: import('./catalog-generator.ts').DemoCatalog): Promise<void> {
  const started = Date.now();
  const catalog = ctx.couch.use(catalogDb(tenantId));
  const settings = settingsSchema.parse(await catalog.get('settings:tenant'));
  const staff = (email: string, approvesOwnDiscounts: boolean) => {
    const u = USERS.find((x) => x.email === email)!;
    return { id: userIds.get(email)!, name: u.name, approvesOwnDiscounts };
  };
  const cashier = staff('cashier@nexus.demo', false);
  const manager = staff('manager@nexus.demo', true);
  const admin = staff('admin@nexus.demo', true);
  const owner = staff('owner@nexus.demo', true);
  const locations = [];
  for (const l of LOCATIONS) {
    const location = locationSchema.parse(await catalog.get(`location:${l.code}`));
    const tax: CartTax = { ratePpm: l.tax.ratePpm, exemptCategories: [], pricesIncludeTax: location.pricesIncludeTax, rounding: settings.taxRounding, roundingMode: settings.roundingMode };
    const [first, second] = l.code === 'GM' ? [cashier, manager] : l.code === 'HM' ? [admin, admin] : [owner, owner];
    locations.push({
      code: l.code,
      timeZone: l.timeZone,
      currency: location.currency,
      tax,
      manager: l.code === 'GM' ? manager : first!,
      registers: [
        { key: `${l.code}-1`, shortCode: `${l.code}1`, staff: first! },
        { key: `${l.code}-2`, shortCode: `${l.code}2`, staff: second! }
      ]
    });
  }
  const { historyInParts } = await import('./history-generator.ts');
  const parts = historyInParts({ seed: 2026, now: new Date().toISOString(), days, locations, products: demo.products, customers: demo.customers, openingStock: demo.openingMovements, buyer: owner.id });
  // A pipeline: each location is written, then its first views built, while the next is generated
  // (generating is this process's work, writing and indexing the store's: two cores).
  const work: Promise<number>[] = [];
  let written = 0;
  let generatedMs = 0;
  for (;;) {
    const t = Date.now();
    const next = parts.next();
    generatedMs += Date.now() - t;
    if (next.done) break;
    const part = next.value;
    const db = part.kind === 'catalog' ? catalogDb(tenantId) : locationDb(tenantId, part.code);
    written += part.docs.length;
    work.push(bulkInsert(ctx.couch.use(db), part.docs, HISTORY_BATCH).then(() => buildFirstViews(ctx.couch, db)));
    // let the write go out before the next location's generation holds this process
    await new Promise((resolve) => setImmediate(resolve));
  }
  work.push(buildFirstViews(ctx.couch, customersDb(tenantId)));
  const results = await Promise.allSettled(work);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const views = results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), 0);
  ctx.log.info({ tenantId, days, documents: written, generatedMs, views, ms: Date.now() - started }, 'demo history seeded and indexed');
}
