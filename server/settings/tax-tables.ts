import { z } from 'zod';
import { catalogDb } from '#domain/db-names.ts';
import { today, type IsoDate } from '#domain/business-day.ts';
import { isoDate, taxVersionSchema } from '#domain/schemas/tax-table.ts';
import { locationSchema, taxRateSchema, taxTableSchema, type DocOf } from '#domain/schemas/index.ts';
import { checkVersion, tableFromSingleRate, versionOn, type TaxTable, type TaxVersion } from '#domain/tax/index.ts';
import { recordAudit } from '../audit.ts';
import { authorize, principalId, type Principal } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { statusOf, type Db } from '../couch/client.ts';
import { badRequest, conflict, forbidden, notFound } from '../errors.ts';
import { advanceDoc, insertOnce } from '../inventory/store.ts';
import { diffComponents, nextVersions } from '../integrations/tax/proposal.ts';
import { updateLocation } from './service.ts';

/**
 * A location's jurisdiction tax table, read and edited by hand (issue 18: tenants without a tax
 * service). The edit is one version's components — validated by the same zod schema the sync
 * gateway checks `tax_table` documents with (schemas/tax-table.ts) — written at once (a version
 * dated the store's today) or from a later local date, exactly as a TaxJar refresh is applied
 * (integrations/tax/proposal.ts nextVersions). A location without a table gets its own,
 * `tax_table:{code}`, seeded with its single rate until the date. Every use case checks its caller:
 * a signed-in admin with settings:manage for the location.
 */

type LocationDoc = DocOf<'location'>;
type TaxTableDoc = DocOf<'tax_table'>;
const MAX_VERSIONS = 50;

function adminOf(p: Principal, action: string, code: string): Principal & { kind: 'user' } {
  if (p.kind !== 'user') throw forbidden(`${action} needs a signed-in admin`);
  return authorize(p, 'settings:manage', action, code);
}

async function getOrNull<T>(db: Db, id: string, parse: (raw: unknown) => T): Promise<T | null> {
  try {
    return parse(await db.get(id));
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

async function locationOf(catalog: Db, code: string): Promise<LocationDoc> {
  const loc = await getOrNull(catalog, `location:${code}`, (raw) => locationSchema.parse(raw));
  if (!loc) throw notFound(`Location ${code} does not exist`);
  return loc;
}

const handTableId = (code: string) => `tax_table:${code.toLowerCase()}`;

async function tableOf(catalog: Db, loc: LocationDoc): Promise<TaxTableDoc | null> {
  return loc.taxTableId ? getOrNull(catalog, loc.taxTableId, (raw) => taxTableSchema.parse(raw)) : null;
}

async function singleRateOf(catalog: Db, loc: LocationDoc) {
  if (!loc.taxRateId) return null;
  const r = await getOrNull(catalog, loc.taxRateId, (raw) => taxRateSchema.parse(raw));
  return r ? { id: r._id, name: r.name, ratePpm: r.ratePpm, exemptCategories: r.exemptCategories } : null;
}

/** The other locations charging from the same table: an edit changes their tax too. */
async function sharers(catalog: Db, tableId: string, code: string): Promise<string[]> {
  const rows = await catalog.list({ startkey: 'location:', endkey: 'location:\ufff0', include_docs: true });
  return rows.rows.flatMap((r) => {
    const d = r.doc as { code?: string; taxTableId?: string } | undefined;
    return d?.taxTableId === tableId && d.code && d.code !== code ? [d.code] : [];
  });
}

/**
 * What the admin page shows for a location: its table with every version and which is in force
 * today (the store's local date), else its single rate; and who else uses the table.
 */
export async function locationTaxTable(ctx: Ctx, p: Principal, code: string) {
  adminOf(p, 'Reading a tax table', code);
  const catalog = ctx.couch.use(catalogDb(p.tenantId));
  const loc = await locationOf(catalog, code);
  const now = today(loc.timeZone);
  const table = await tableOf(catalog, loc);
  const inForce = table ? versionOn(table, now) : null;
  return {
    location: { code: loc.code, name: loc.name, address: loc.address, timeZone: loc.timeZone, currency: loc.currency, pricesIncludeTax: loc.pricesIncludeTax ?? false },
    today: now,
    table: table
      ? {
          id: table._id,
          name: table.name,
          updatedAt: table.updatedAt,
          versions: table.versions.map((v) => ({ ...v, inForce: v === inForce, scheduled: v.effectiveFrom !== undefined && v.effectiveFrom > now })),
          sharedWith: await sharers(catalog, table._id, loc.code)
        }
      : null,
    singleRate: await singleRateOf(catalog, loc)
  };
}

/** The hand editor's body: one version, as the gateway validates it (ids unique, rates 0–100 %, rules). */
export const saveTaxVersionBody = taxVersionSchema;

/** Writes `versions` to table `id` (created or advanced) and points the location at it. */
async function writeTable(ctx: Ctx, admin: Principal, catalog: Db, loc: LocationDoc, id: string, name: string, versions: TaxVersion[]): Promise<boolean> {
  const now = new Date().toISOString();
  const fields = { name, versions, updatedAt: now, updatedBy: principalId(admin) };
  const parse = (raw: unknown) => taxTableSchema.parse(raw);
  const existing = await getOrNull(catalog, id, parse);
  let written: boolean;
  if (existing) {
    const out = await advanceDoc<TaxTableDoc>(catalog, id, parse, (d) => (JSON.stringify(d.versions) === JSON.stringify(versions) ? null : taxTableSchema.parse({ ...d, versions, updatedAt: now, updatedBy: principalId(admin) })));
    written = out.changed;
  } else {
    const doc = taxTableSchema.parse({ _id: id, type: 'tax_table', ...fields });
    written = (await insertOnce(catalog, doc, (s) => JSON.stringify(s.versions) === JSON.stringify(doc.versions), 'Tax table')).created;
  }
  if (loc.taxTableId !== id) {
    await updateLocation(ctx, admin, loc.code, { taxTableId: id });
    return true;
  }
  return written;
}

/**
 * Saves hand-edited components for the location: at once (a version dated today, replacing one
 * already dated today) or from `effectiveFrom` (after today). Saving what is already in force
 * writes nothing (`changed: false`).
 */
export async function saveLocationTaxVersion(ctx: Ctx, p: Principal, code: string, raw: z.input<typeof saveTaxVersionBody>) {
  const admin = adminOf(p, 'Editing a tax table', code);
  const body = saveTaxVersionBody.parse(raw);
  try {
    checkVersion(body);
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : 'invalid tax components');
  }
  const catalog = ctx.couch.use(catalogDb(admin.tenantId));
  const loc = await locationOf(catalog, code);
  const now = today(loc.timeZone);
  if (body.effectiveFrom !== undefined && body.effectiveFrom <= now) throw badRequest(`effectiveFrom: a scheduled change starts after today (${now} in ${loc.timeZone}); leave it out to apply at once`);
  const table = await tableOf(catalog, loc);
  const single = await singleRateOf(catalog, loc);
  const base: TaxTable | null = table ?? (single ? tableFromSingleRate(single) : null);
  const from: IsoDate = body.effectiveFrom ?? now;
  const plan = nextVersions({ own: table, base, proposed: body.components, from, scheduled: body.effectiveFrom !== undefined, maxVersions: MAX_VERSIONS });
  if ('refused' in plan) throw conflict(plan.refused);
  const id = table?._id ?? handTableId(code);
  const changed = 'versions' in plan ? await writeTable(ctx, admin, catalog, loc, id, table?.name ?? `${loc.name} taxes`.slice(0, 80), plan.versions) : false;
  if (changed) {
    const d = diffComponents(base ? versionOn(base, from).components : [], body.components);
    await recordAudit(ctx.couch, admin.tenantId, {
      action: 'tax_table.edited',
      actor: principalId(admin),
      target: id,
      details: { location: code, effectiveFrom: body.effectiveFrom ?? null, added: d.added.length, removed: d.removed.length, changed: d.changed.length, combinedPpm: d.combined.toPpm }
    });
  }
  return { locationCode: code, table: id, effectiveFrom: body.effectiveFrom ?? null, changed };
}

export const scheduledDateParam = isoDate;

/** Drops a change scheduled after today from the location's table; the rates in force stay. */
export async function cancelScheduledTaxVersion(ctx: Ctx, p: Principal, code: string, date: IsoDate) {
  const admin = adminOf(p, 'Cancelling a scheduled tax change', code);
  const catalog = ctx.couch.use(catalogDb(admin.tenantId));
  const loc = await locationOf(catalog, code);
  const now = today(loc.timeZone);
  if (date <= now) throw conflict(`The version from ${date} is already in force (today is ${now} in ${loc.timeZone}); save new rates instead`);
  const table = await tableOf(catalog, loc);
  if (!table || !table.versions.some((v) => v.effectiveFrom === date)) throw notFound(`No tax change is scheduled from ${date} at ${code}`);
  const parse = (raw: unknown) => taxTableSchema.parse(raw);
  await advanceDoc<TaxTableDoc>(catalog, table._id, parse, (d) => {
    const versions = d.versions.filter((v) => v.effectiveFrom !== date);
    return versions.length === d.versions.length ? null : taxTableSchema.parse({ ...d, versions, updatedAt: new Date().toISOString(), updatedBy: principalId(admin) });
  });
  await recordAudit(ctx.couch, admin.tenantId, { action: 'tax_table.schedule_cancelled', actor: principalId(admin), target: table._id, details: { location: code, effectiveFrom: date } });
  return { locationCode: code, table: table._id, cancelled: date };
}
