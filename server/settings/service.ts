import { textRule } from '#domain/schemas/text.ts';
import { z } from 'zod';
import { PLATFORM_DB, catalogDb } from '#domain/db-names.ts';
import { planOf } from '#domain/plans.ts';
import { locationSchema, settingsSchema, taxRateSchema, taxTableSchema, type DocOf } from '#domain/schemas/index.ts';
import { EDITABLE_SETTINGS, taxRateIdFor, taxRateInput, type SettingsUpdate } from '#domain/tenant-settings.ts';
import { recordAudit } from '../audit.ts';
import { hasPermission, mayUseLocation, principalId, type Principal } from '../auth/principal.ts';
import { getOr404, statusOf, updateDoc } from '../couch/client.ts';
import type { Ctx } from '../context.ts';
import { conflict, forbidden, notFound, parseBody } from '../errors.ts';
import type { DeviceDoc } from '../platform/types.ts';
import { countActiveRegisters } from '../tenants/plan-limits.ts';
import { addLocation, currencyCode, getTenant, locationInput, localeTag, timeZoneName } from '../tenants/provision.ts';
import { defaultLocale } from '#domain/store-format.ts';

type LocationDoc = DocOf<'location'>;
type TaxRateDoc = DocOf<'tax_rate'>;
type SettingsDoc = DocOf<'settings'>;

/** Everything but the code (the code names the location's database and cannot change). */
export const locationPatch = z
  .object({
    name: z.string().trim().min(1, 'is required').max(120).superRefine(textRule()),
    address: z.string().max(400).superRefine(textRule(true)),
    // no creation defaults here: a field left out of a patch stays as it is
    timeZone: timeZoneName,
    currency: currencyCode,
    /** null: back to the currency's default */
    locale: localeTag.nullable(),
    taxRateId: z.string().max(200).nullable(),
    /** the location's jurisdiction tax table (tax_table:…); null: back to its single rate */
    taxTableId: z.string().regex(/^tax_table:[a-z0-9_-]{1,60}$/i, 'must be a tax table id').nullable(),
    pricesIncludeTax: z.boolean()
  })
  .partial()
  .strict();
export type LocationPatch = z.infer<typeof locationPatch>;

/**
 * Settings are changed by a signed-in admin with settings:manage, checked here whoever calls (the
 * routes also refuse anyone else up front); per-location access is checked by each use case.
 */
function userOnly(p: Principal, what: string): asserts p is Principal & { kind: 'user' } {
  if (p.kind !== 'user') throw forbidden(`${what} needs a signed-in admin`);
  if (!hasPermission(p, 'settings:manage')) throw forbidden(`${what} needs the settings:manage permission`);
}

function publicLocation(d: LocationDoc) {
  return {
    code: d.code,
    name: d.name,
    address: d.address,
    timeZone: d.timeZone,
    currency: d.currency,
    locale: d.locale ?? null,
    /** what dates and money are written in: the location's locale, else its currency's default */
    effectiveLocale: d.locale ?? defaultLocale(d.currency),
    taxRateId: d.taxRateId ?? null,
    taxTableId: d.taxTableId ?? null,
    pricesIncludeTax: d.pricesIncludeTax
  };
}

/** Locations the caller may manage, with the fields the Settings page edits. */
export async function listLocationsDetailed(ctx: Ctx, p: Principal) {
  const rows = await ctx.couch.use(catalogDb(p.tenantId)).list({ startkey: 'location:', endkey: 'location:\ufff0', include_docs: true });
  return rows.rows.map((r) => locationSchema.parse(r.doc)).filter((l) => mayUseLocation(p, l.code)).map(publicLocation);
}

/** A new store: its databases, design documents and catalog entry (tenants/provision.ts), within the plan. */
export async function addTenantLocation(ctx: Ctx, p: Principal, raw: unknown): Promise<{ code: string }> {
  userOnly(p, 'Adding a location');
  const input = parseBody(locationInput, raw);
  await addLocation(ctx, p.tenantId, input, principalId(p));
  return { code: input.code };
}

export async function updateLocation(ctx: Ctx, p: Principal, code: string, patch: LocationPatch) {
  userOnly(p, 'Editing a location');
  if (!mayUseLocation(p, code)) throw forbidden(`No access to location ${code}`);
  const catalog = ctx.couch.use(catalogDb(p.tenantId));
  if (patch.taxRateId) await getTaxRate(ctx, p.tenantId, patch.taxRateId);
  if (patch.taxTableId) await getTaxTable(ctx, p.tenantId, patch.taxTableId);
  const now = new Date().toISOString();
  let saved: LocationDoc | null;
  let changed: string[] = [];
  try {
    saved = await updateDoc<LocationDoc>(catalog, `location:${code}`, (d) => {
      changed = changedKeys(d, patch);
      if (changed.length === 0) return null;
      const { taxRateId, taxTableId, locale, ...rest } = patch;
      const next: Record<string, unknown> = { ...d, ...rest, updatedAt: now, updatedBy: principalId(p) };
      if (taxRateId === null) delete next.taxRateId;
      else if (taxRateId !== undefined) next.taxRateId = taxRateId;
      if (taxTableId === null) delete next.taxTableId;
      else if (taxTableId !== undefined) next.taxTableId = taxTableId;
      if (locale === null) delete next.locale;
      else if (locale !== undefined) next.locale = locale;
      // field-lww conflict rule: the fields written now win over an older concurrent edit
      next.fieldTimes = { ...d.fieldTimes, ...Object.fromEntries(changed.map((k) => [k, now])) };
      return locationSchema.parse(next);
    });
  } catch (err) {
    if (statusOf(err) === 404) throw notFound(`Location ${code} does not exist`);
    throw err;
  }
  if (!saved) return publicLocation(locationSchema.parse(await catalog.get(`location:${code}`)));
  await recordAudit(ctx.couch, p.tenantId, { action: 'location.updated', actor: principalId(p), target: `location:${code}`, details: { fields: changed } });
  return publicLocation(saved);
}

// ---- devices ------------------------------------------------------------------------------------

export async function renameDevice(ctx: Ctx, p: Principal, deviceId: string, name: string): Promise<void> {
  userOnly(p, 'Renaming a device');
  const device = await ctx.devices.get(deviceId, true);
  if (!device || device.tenantId !== p.tenantId) throw notFound('No such device');
  if (!mayUseLocation(p, device.locationCode)) throw forbidden(`No access to location ${device.locationCode}`);
  if (device.revokedAt) throw conflict('This device is revoked; enrol a new one instead');
  await updateDoc<DeviceDoc>(ctx.couch.use(PLATFORM_DB), device._id, (d) => (d.name === name ? null : { ...d, name }));
  ctx.devices.forget(deviceId);
  await recordAudit(ctx.couch, p.tenantId, { action: 'device.renamed', actor: principalId(p), target: device._id, deviceId, details: { from: device.name, to: name } });
}

// ---- tenant settings (receipt, payments, register rules) ----------------------------------------

type EditableSettings = Pick<SettingsDoc, (typeof EDITABLE_SETTINGS)[number]>;

function editable(d: SettingsDoc): EditableSettings & { updatedAt: string } {
  return { ...(Object.fromEntries(EDITABLE_SETTINGS.map((k) => [k, d[k]])) as EditableSettings), updatedAt: d.updatedAt };
}

export async function getSettings(ctx: Ctx, tenantId: string) {
  // Parsing fills defaults for rules added after this tenant's document was written.
  return editable(settingsSchema.parse(await ctx.couch.use(catalogDb(tenantId)).get('settings:tenant')));
}

/** The keys of `patch` whose value differs from `doc`'s: what the audit event names. */
function changedKeys(doc: Record<string, unknown>, patch: Record<string, unknown>): string[] {
  return Object.keys(patch).filter((k) => JSON.stringify(doc[k] ?? null) !== JSON.stringify(patch[k] ?? null));
}

export async function updateSettings(ctx: Ctx, p: Principal, patch: SettingsUpdate) {
  userOnly(p, 'Changing settings');
  const now = new Date().toISOString();
  let changed: string[] = [];
  const saved = await updateDoc<SettingsDoc>(ctx.couch.use(catalogDb(p.tenantId)), 'settings:tenant', (d) => {
    const current = settingsSchema.parse(d);
    changed = changedKeys(current, patch);
    if (changed.length === 0) return null;
    const times = Object.fromEntries(changed.map((k) => [k, now]));
    return settingsSchema.parse({ ...current, ...patch, updatedAt: now, updatedBy: principalId(p), fieldTimes: { ...d.fieldTimes, ...times } });
  });
  // nothing changed: nothing written, nothing audited
  if (!saved) return getSettings(ctx, p.tenantId);
  await recordAudit(ctx.couch, p.tenantId, { action: 'settings.updated', actor: principalId(p), target: 'settings:tenant', details: { fields: changed } });
  return editable(saved);
}

// ---- tax rates ----------------------------------------------------------------------------------

function publicTaxRate(d: TaxRateDoc, locations: LocationDoc[]) {
  return {
    id: d._id,
    name: d.name,
    ratePpm: d.ratePpm,
    exemptCategories: d.exemptCategories,
    locations: locations.filter((l) => l.taxRateId === d._id).map((l) => l.code),
    updatedAt: d.updatedAt
  };
}

async function catalogList<T>(ctx: Ctx, tenantId: string, prefix: string, parse: (d: unknown) => T): Promise<T[]> {
  const rows = await ctx.couch.use(catalogDb(tenantId)).list({ startkey: `${prefix}:`, endkey: `${prefix}:\ufff0`, include_docs: true });
  return rows.rows.flatMap((r) => (r.doc && !(r.doc as { _deleted?: boolean })._deleted ? [parse(r.doc)] : []));
}

async function getTaxTable(ctx: Ctx, tenantId: string, id: string): Promise<void> {
  await getOr404(ctx.couch.use(catalogDb(tenantId)), id, `Tax table ${id} does not exist`, (raw) => taxTableSchema.parse(raw));
}

async function getTaxRate(ctx: Ctx, tenantId: string, id: string): Promise<TaxRateDoc> {
  return getOr404(ctx.couch.use(catalogDb(tenantId)), id, `Tax rate ${id} does not exist`, (raw) => taxRateSchema.parse(raw));
}

/** Every tax rate with the locations using it; `location` keeps the rates that location uses. */
export async function listTaxRates(ctx: Ctx, p: Principal, location?: string) {
  const [rates, locations] = await Promise.all([
    catalogList(ctx, p.tenantId, 'tax_rate', (d) => taxRateSchema.parse(d)),
    catalogList(ctx, p.tenantId, 'location', (d) => locationSchema.parse(d))
  ]);
  if (location && !locations.some((l) => l.code === location)) throw notFound(`No location ${location} in this tenant`);
  const visible = locations.filter((l) => mayUseLocation(p, l.code));
  const out = rates.map((r) => publicTaxRate(r, visible));
  return location ? out.filter((r) => r.locations.includes(location)) : out;
}

export async function createTaxRate(ctx: Ctx, p: Principal, raw: z.input<typeof taxRateInput>) {
  userOnly(p, 'Adding a tax rate');
  const input = taxRateInput.parse(raw);
  const now = new Date().toISOString();
  const doc = taxRateSchema.parse({ _id: taxRateIdFor(input.name), type: 'tax_rate', ...input, updatedAt: now, updatedBy: principalId(p) });
  try {
    await ctx.couch.use(catalogDb(p.tenantId)).insert(doc);
  } catch (err) {
    if (statusOf(err) === 409) throw conflict(`A tax rate named like "${input.name}" already exists (${doc._id}); edit it or choose another name`);
    throw err;
  }
  await recordAudit(ctx.couch, p.tenantId, { action: 'tax_rate.created', actor: principalId(p), target: doc._id, details: { ratePpm: doc.ratePpm } });
  return publicTaxRate(doc, []);
}

export async function updateTaxRate(ctx: Ctx, p: Principal, id: string, raw: z.input<typeof taxRateInput>) {
  userOnly(p, 'Changing a tax rate');
  const input = taxRateInput.parse(raw);
  const before = await getTaxRate(ctx, p.tenantId, id);
  const now = new Date().toISOString();
  const saved = await updateDoc<TaxRateDoc>(ctx.couch.use(catalogDb(p.tenantId)), id, (d) =>
    taxRateSchema.parse({ ...d, ...input, updatedAt: now, updatedBy: principalId(p), fieldTimes: { ...d.fieldTimes, name: now, ratePpm: now, exemptCategories: now } })
  );
  await recordAudit(ctx.couch, p.tenantId, {
    action: 'tax_rate.updated',
    actor: principalId(p),
    target: id,
    details: { from: before.ratePpm, to: input.ratePpm, exemptCategories: input.exemptCategories }
  });
  return publicTaxRate(saved!, []);
}

/** A rate still assigned to a location is kept: deleting it would silently zero that store's tax. */
export async function deleteTaxRate(ctx: Ctx, p: Principal, id: string): Promise<void> {
  userOnly(p, 'Deleting a tax rate');
  const rate = await getTaxRate(ctx, p.tenantId, id);
  const users = (await catalogList(ctx, p.tenantId, 'location', (d) => locationSchema.parse(d))).filter((l) => l.taxRateId === id).map((l) => l.code);
  if (users.length) throw conflict(`${rate.name} is used by ${users.join(', ')}; give ${users.length === 1 ? 'that location' : 'those locations'} another rate first`);
  await ctx.couch.use(catalogDb(p.tenantId)).destroy(id, rate._rev!);
  await recordAudit(ctx.couch, p.tenantId, { action: 'tax_rate.deleted', actor: principalId(p), target: id });
}

// ---- plan and usage -----------------------------------------------------------------------------

export async function planUsage(ctx: Ctx, p: Principal) {
  const tenant = await getTenant(ctx.couch, p.tenantId);
  if (!tenant) throw notFound('No such tenant');
  const plan = planOf(tenant.plan);
  const keys = await ctx.couch.use(PLATFORM_DB).view('apikeys', 'by_tenant', { startkey: [p.tenantId], endkey: [p.tenantId, {}], include_docs: true });
  const activeKeys = keys.rows.filter((r) => !(r.doc as { revokedAt?: string } | undefined)?.revokedAt).length;
  return {
    plan: { id: plan.id, name: plan.name, priceMonthly: plan.priceMonthly, currency: plan.currency, limits: plan.limits, features: plan.features },
    usage: { stores: tenant.locations.length, registers: await countActiveRegisters(ctx.couch, p.tenantId), apiKeys: activeKeys }
  };
}
