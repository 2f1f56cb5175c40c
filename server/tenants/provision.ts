import { textRule } from '#domain/schemas/text.ts';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  LOCATION_CODE_PATTERN,
  PLATFORM_DB,
  auditDb,
  catalogDb,
  customersDb,
  locationDb
} from '#domain/db-names.ts';
import { ROLES, type Role } from '#domain/permissions.ts';
import { PIN_PATTERN, hashPin } from '#domain/pin.ts';
import { PLAN_IDS, checkPlanLimit, PLANS } from '#domain/plans.ts';
import { locationSchema, staffSchema, settingsSchema } from '#domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { ensureDb, lockDb, statusOf, updateDoc, type Couch } from '../couch/client.ts';
import { deployDesignDocs } from '../couch/design-docs.ts';
import { generatePassword } from '../auth/passwords.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { createUser, findUserByEmail } from '../platform/users.ts';
import { assertPlanAllows } from './plan-limits.ts';
import { isLocale } from '#domain/store-format.ts';
import type { TenantDoc, UserDoc } from '../platform/types.ts';

/** An IANA time zone the runtime knows (the business day of reports depends on it). */
export const timeZoneName = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone like America/New_York');
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code like USD');
/** A BCP 47 locale the runtime knows: how the location writes dates and money. */
export const localeTag = z.string().trim().min(2).max(35).refine(isLocale, 'must be a locale like en-US or fr-CA');

export const locationInput = z.object({
  code: z.string().trim().toUpperCase().regex(LOCATION_CODE_PATTERN, 'must be 2–10 letters/digits starting with a letter, e.g. GM'),
  name: z.string().trim().min(1).max(120).superRefine(textRule()).optional(),
  address: z.string().max(400).superRefine(textRule(true)).default(''),
  timeZone: timeZoneName.default('America/New_York'),
  currency: currencyCode.default('USD'),
  /** BCP 47; absent: the currency's default (domain/store-format.ts) */
  locale: localeTag.optional(),
  taxRateId: z.string().optional()
});
export type LocationInput = z.input<typeof locationInput>;

export const tenantInput = z.object({
  name: z.string().trim().min(2, 'must be at least 2 characters').max(120).superRefine(textRule()),
  adminEmail: z.email('must be an email address'),
  adminName: z.string().trim().min(1).max(120).superRefine(textRule()).optional(),
  adminPassword: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
  adminPin: z.string().regex(PIN_PATTERN, 'must be 4 to 6 digits').optional(),
  plan: z.enum(PLAN_IDS).default('pro'),
  locations: z.array(locationInput).min(1, 'a tenant needs at least one location').prefault([{ code: 'MAIN' }])
}).superRefine((t, ctx) => {
  // Checked before anything is created, so a plan too small for the stores asked for leaves nothing behind.
  const verdict = checkPlanLimit(PLANS[t.plan], 'stores', t.locations.length - 1);
  if (!verdict.ok) ctx.addIssue({ code: 'custom', path: ['locations'], message: verdict.message });
});
export type TenantInput = z.input<typeof tenantInput>;

export interface ProvisionCtx {
  couch: Couch;
}

const SYSTEM = 'system';

function slugify(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 20);
  if (!/^[a-z]/.test(s)) s = `t${s}`;
  return s.padEnd(3, 'x');
}

/**
 * A new database gets its design docs directly: there is no index to rebuild yet. One that already
 * existed (the platform database on every start, a retried provisioning) gets only what needs no
 * rebuild (missing documents, unchanged views); documents whose views changed are left to the staged
 * upgrade after start (server/couch/ddoc-upgrade.ts), so the old views keep serving meanwhile.
 */
async function prepareDb(couch: Couch, name: string, kind: 'catalog' | 'customers' | 'audit' | 'location' | 'platform') {
  const created = await ensureDb(couch, name);
  await lockDb(couch, name);
  await deployDesignDocs(couch.use(name), kind, { changed: created ? 'replace' : 'leave' });
}

/** The platform database is created (and its missing design docs deployed) on every start; idempotent. */
export async function preparePlatform(couch: Couch): Promise<void> {
  await prepareDb(couch, PLATFORM_DB, 'platform');
}

/** Claims a tenant id: the `tenant:{id}` create is the uniqueness check; a taken slug gets a suffix. */
async function claimTenantId(couch: Couch, name: string, plan: string): Promise<TenantDoc> {
  const base = slugify(name);
  for (let attempt = 0; attempt < 5; attempt++) {
    const tenantId = attempt === 0 ? base : `${base.slice(0, 24)}${randomBytes(3).toString('hex')}`;
    const doc: TenantDoc = {
      _id: `tenant:${tenantId}`,
      type: 'tenant',
      tenantId,
      name,
      plan,
      locations: [],
      status: 'active',
      createdAt: new Date().toISOString()
    };
    try {
      const res = await couch.use(PLATFORM_DB).insert(doc);
      return { ...doc, _rev: res.rev };
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
  }
  throw new AppError(503, 'busy', 'Could not allocate a tenant id; try again');
}

export interface CreatedTenant {
  tenantId: string;
  adminUserId: string;
  adminEmail: string;
  /** only when generated: shown once, never stored in clear */
  generatedPassword?: string;
}

export async function createTenant(ctx: ProvisionCtx, raw: TenantInput): Promise<CreatedTenant> {
  const input = tenantInput.parse(raw);
  const { couch } = ctx;
  // Checked before anything is created so a taken email leaves no half-made tenant behind.
  if (await findUserByEmail(couch.use(PLATFORM_DB), input.adminEmail)) throw conflict(`A user with email ${input.adminEmail} already exists`);
  const tenant = await claimTenantId(couch, input.name, input.plan);
  const { tenantId } = tenant;
  const now = new Date().toISOString();

  await prepareDb(couch, catalogDb(tenantId), 'catalog');
  await prepareDb(couch, customersDb(tenantId), 'customers');
  await prepareDb(couch, auditDb(tenantId), 'audit');

  const settings = settingsSchema.parse({
    _id: 'settings:tenant',
    type: 'settings',
    tenantName: input.name,
    pinSalt: randomBytes(18).toString('base64url'),
    updatedAt: now,
    updatedBy: SYSTEM
  });
  await couch.use(catalogDb(tenantId)).insert(settings);

  for (const loc of input.locations) await addLocation(ctx, tenantId, loc, SYSTEM);

  const password = input.adminPassword ?? generatePassword();
  const admin = await createStaffUser(ctx, tenantId, {
    email: input.adminEmail,
    name: input.adminName ?? 'Owner',
    role: 'owner',
    locations: ['*'],
    password,
    // a generated password is temporary: the owner chooses their own at first sign-in
    ...(input.adminPassword ? {} : { mustChangePassword: true }),
    ...(input.adminPin ? { pin: input.adminPin } : {})
  });
  await recordAudit(couch, tenantId, { action: 'tenant.created', actor: SYSTEM, target: tenant._id, details: { plan: input.plan } });
  return {
    tenantId,
    adminUserId: admin._id,
    adminEmail: admin.email,
    ...(input.adminPassword ? {} : { generatedPassword: password })
  };
}

export async function getTenant(couch: Couch, tenantId: string): Promise<TenantDoc | null> {
  try {
    return (await couch.use(PLATFORM_DB).get(`tenant:${tenantId}`)) as TenantDoc;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/** A location is a catalog document plus its own database (sales, stock movements, shifts…). */
export async function addLocation(ctx: ProvisionCtx, tenantId: string, raw: LocationInput, actor: string): Promise<void> {
  const loc = locationInput.parse(raw);
  const { couch } = ctx;
  const tenant = await getTenant(couch, tenantId);
  if (!tenant) throw notFound(`Tenant ${tenantId} does not exist`);
  assertPlanAllows(tenant, 'stores', tenant.locations.filter((c) => c !== loc.code).length);
  const catalog = couch.use(catalogDb(tenantId));
  const doc = locationSchema.parse({
    _id: `location:${loc.code}`,
    type: 'location',
    code: loc.code,
    name: loc.name ?? loc.code,
    address: loc.address,
    timeZone: loc.timeZone,
    currency: loc.currency,
    ...(loc.locale ? { locale: loc.locale } : {}),
    ...(loc.taxRateId ? { taxRateId: loc.taxRateId } : {}),
    updatedAt: new Date().toISOString(),
    updatedBy: actor
  });
  try {
    await catalog.insert(doc);
  } catch (err) {
    if (statusOf(err) === 409) throw conflict(`Location ${loc.code} already exists`);
    throw err;
  }
  await prepareDb(couch, locationDb(tenantId, loc.code), 'location');
  await updateDoc<TenantDoc>(couch.use(PLATFORM_DB), tenant._id, (t) =>
    t.locations.includes(loc.code) ? null : { ...t, locations: [...t.locations, loc.code] }
  );
  await recordAudit(couch, tenantId, { action: 'location.created', actor, target: doc._id });
}

export const staffInput = z.object({
  email: z.email('must be an email address'),
  name: z.string().trim().min(1).max(120).superRefine(textRule()),
  role: z.enum(ROLES),
  locations: z.array(z.string()).min(1, 'give at least one location, or "*"'),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  pin: z.string().regex(PIN_PATTERN, 'must be 4 to 6 digits').optional(),
  mustChangePassword: z.boolean().optional()
});
export type StaffInput = z.input<typeof staffInput>;

/** A staff user: login account in `platform`, directory entry (with PIN hash) in the tenant catalog. */
export async function createStaffUser(ctx: ProvisionCtx, tenantId: string, raw: StaffInput): Promise<UserDoc> {
  const input = staffInput.parse(raw);
  const user = await createUser(ctx.couch.use(PLATFORM_DB), { tenantId, ...input });
  const pinHash = input.pin ? await uniquePinHash(ctx.couch, tenantId, input.pin, user._id) : undefined;
  await writeStaffEntry(ctx.couch, tenantId, user, pinHash);
  return user;
}

export async function writeStaffEntry(couch: Couch, tenantId: string, user: UserDoc, pinHash: string | undefined): Promise<void> {
  const catalog = couch.use(catalogDb(tenantId));
  const id = `staff:${user._id.slice('user:'.length)}`;
  const base = {
    _id: id,
    type: 'staff' as const,
    userId: user._id,
    name: user.name,
    role: user.role as Role,
    locations: user.locations,
    active: user.active,
    updatedAt: new Date().toISOString(),
    updatedBy: SYSTEM
  };
  try {
    await updateDoc<Record<string, unknown> & { _id: string }>(catalog, id, (old) =>
      staffSchema.parse({ ...base, _rev: old._rev, pinHash: pinHash ?? old.pinHash })
    );
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    await catalog.insert(staffSchema.parse({ ...base, ...(pinHash ? { pinHash } : {}) }));
  }
}

export async function tenantPinSalt(couch: Couch, tenantId: string): Promise<string> {
  const settings = (await couch.use(catalogDb(tenantId)).get('settings:tenant')) as { pinSalt: string };
  return settings.pinSalt;
}

export interface StaffEntry {
  _id: string;
  userId: string;
  name: string;
  role: Role;
  locations: string[];
  pinHash?: string;
  active: boolean;
}

export async function listStaff(couch: Couch, tenantId: string): Promise<StaffEntry[]> {
  const res = await couch.use(catalogDb(tenantId)).list({ startkey: 'staff:', endkey: 'staff:\ufff0', include_docs: true });
  return res.rows.map((r) => r.doc as unknown as StaffEntry);
}

/** PINs are unique within a tenant (see domain/pin.ts for why). */
export async function uniquePinHash(couch: Couch, tenantId: string, pin: string, userId: string): Promise<string> {
  const hash = await hashPin(pin, await tenantPinSalt(couch, tenantId));
  const clash = (await listStaff(couch, tenantId)).find((s) => s.pinHash === hash && s.userId !== userId);
  if (clash) throw conflict('That PIN is already used by another staff member; choose another');
  return hash;
}

export async function setStaffPin(couch: Couch, tenantId: string, user: UserDoc, pin: string): Promise<void> {
  await writeStaffEntry(couch, tenantId, user, await uniquePinHash(couch, tenantId, pin, user._id));
}
