import { z } from 'zod';
import { catalogDb } from '#domain/db-names.ts';
import { today, type IsoDate } from '#domain/business-day.ts';
import { isoDate } from '#domain/schemas/tax-table.ts';
import { locationSchema, taxRateSchema, taxTableSchema, type DocOf } from '#domain/schemas/index.ts';
import { tableFromSingleRate, versionOn, type TaxTable, type TaxVersion } from '#domain/tax/index.ts';
import { recordAudit } from '../../audit.ts';
import { authorize, principalId, type Principal } from '../../auth/principal.ts';
import type { Ctx } from '../../context.ts';
import { getOrNull, type Db } from '../../couch/client.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.ts';
import { advanceDoc, insertOnce } from '../../inventory/store.ts';
import { updateLocation } from '../../settings/service.ts';
import { integrationsDb, secretBoxOf } from '../store.ts';
import { taxConnectionDoc, taxConnectionId, type TaxConnectionDoc } from './docs.ts';
import { diffComponents, nextVersions, proposalId, proposedComponents } from './proposal.ts';
import { TaxProviderError, type TaxAddress, type TaxProvider } from './provider.ts';
import { TaxjarProvider } from './taxjar-provider.ts';

/**
 * Jurisdiction rates from a tax service (issue 18, TaxJar first): the admin connects the tenant's
 * TaxJar account, previews a location's rates as a proposed tax-table version with its difference
 * from the current rates (nothing written), and applies it on confirmation — at once or from a
 * local date — to the location's own table (`tax_table:taxjar-{code}`), which the location is then
 * pointed at. Every use case checks its caller: a signed-in admin with settings:manage for the location.
 */

type TaxTableDoc = DocOf<'tax_table'>;
const MAX_VERSIONS = 50;

function adminOf(p: Principal, action: string, code?: string): Principal & { kind: 'user' } {
  if (p.kind !== 'user') throw forbidden(`${action} needs a signed-in admin`);
  return authorize(p, 'settings:manage', action, code ?? []);
}

// ---- connection ---------------------------------------------------------------------------------

const sealContext = (tenantId: string) => `taxjar:${tenantId}:apiToken`;

export const connectTaxBody = z
  .object({
    provider: z.literal('taxjar').default('taxjar'),
    /** a TaxJar API token (live or sandbox) from TaxJar's Account → SmartCalcs API */
    apiToken: z.string().trim().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be a TaxJar API token (16–128 letters and digits)')
  })
  .strict();

function readConnection(db: Db, tenantId: string): Promise<TaxConnectionDoc | null> {
  return getOrNull(db, taxConnectionId(tenantId), (raw) => taxConnectionDoc.parse(raw));
}

function publicConnection(c: TaxConnectionDoc | null) {
  if (!c) return { connected: false as const };
  return { connected: true as const, provider: c.provider, tokenHint: c.tokenHint, connectedAt: c.connectedAt, updatedAt: c.updatedAt };
}

const providerFor = (ctx: Ctx, token: string): TaxProvider => new TaxjarProvider(token, ctx.config.TAXJAR_API_URL);

/** A provider's refusal as an answer the admin can act on; the provider's outage as a 503. */
function providerFailure(err: unknown): never {
  if (!(err instanceof TaxProviderError)) throw err;
  switch (err.failure) {
    case 'unauthorized':
      throw new AppError(422, 'tax_provider_unauthorized', `${err.message}; check the token and connect again`);
    case 'not_found':
      throw notFound(err.message);
    case 'invalid_address':
    case 'unsupported':
      throw new AppError(422, 'tax_address_refused', err.message);
    case 'unavailable':
      throw new AppError(503, 'tax_provider_unavailable', err.message);
  }
}

/** Connects (or replaces) the tenant's TaxJar token after TaxJar accepted it; the token is sealed at rest. */
export async function connectTaxService(ctx: Ctx, p: Principal, body: z.infer<typeof connectTaxBody>) {
  const admin = adminOf(p, 'Connecting a tax service');
  await providerFor(ctx, body.apiToken).verify().catch(providerFailure);
  const db = await integrationsDb(ctx.couch);
  const now = new Date().toISOString();
  const fields = {
    apiToken: secretBoxOf(ctx.config).seal(body.apiToken, sealContext(admin.tenantId)),
    tokenHint: `…${body.apiToken.slice(-4)}`,
    updatedAt: now,
    updatedBy: principalId(admin)
  };
  const id = taxConnectionId(admin.tenantId);
  const saved = (await readConnection(db, admin.tenantId))
    ? (await advanceDoc(db, id, (raw) => taxConnectionDoc.parse(raw), (d) => ({ ...d, ...fields }))).doc
    : (await insertOnce(db, { _id: id, type: 'tax_connection' as const, tenantId: admin.tenantId, provider: 'taxjar' as const, ...fields, connectedAt: now }, () => true, 'Tax connection')).doc;
  await recordAudit(ctx.couch, admin.tenantId, { action: 'tax.service_connected', actor: principalId(admin), target: id, details: { provider: 'taxjar', tokenHint: fields.tokenHint } });
  return publicConnection(saved);
}

export async function getTaxConnection(ctx: Ctx, p: Principal) {
  const admin = adminOf(p, 'Reading the tax service connection');
  return publicConnection(await readConnection(await integrationsDb(ctx.couch), admin.tenantId));
}

async function connectedProvider(ctx: Ctx, tenantId: string): Promise<TaxProvider> {
  const conn = await readConnection(await integrationsDb(ctx.couch), tenantId);
  if (!conn) throw conflict('No tax service is connected for this business; an admin connects TaxJar first.');
  return providerFor(ctx, secretBoxOf(ctx.config).open(conn.apiToken, sealContext(tenantId)));
}

// ---- rates for a location -----------------------------------------------------------------------

/**
 * The store's address as the rate lookup needs it. Structured in the request, not parsed from the
 * location's free-text address: a wrong guess at a ZIP or city would silently pick other rates.
 */
const addressBody = z
  .object({
    country: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'must be a two-letter country code like US'),
    zip: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/, 'must be a postal code like 10001'),
    state: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'must be a two-letter state code like NY').optional(),
    city: z.string().trim().min(1).max(100).optional(),
    street: z.string().trim().min(1).max(200).optional()
  })
  .strict()
  .superRefine((a, c) => {
    if (a.country === 'US' && !/^\d{5}(-\d{4})?$/.test(a.zip)) c.addIssue({ code: 'custom', path: ['zip'], message: 'must be a US ZIP code like 10001 or 10001-1234' });
  });

export const previewRatesBody = z
  .object({
    address: addressBody,
    /** a scheduled change: from the store's local midnight starting this date; absent: at once */
    effectiveFrom: isoDate.optional()
  })
  .strict();
export const applyRatesBody = previewRatesBody.extend({ proposalId: z.string().regex(/^[0-9a-f]{24}$/, 'must be the proposalId of a preview') }).strict();

type LocationDoc = DocOf<'location'>;
const ownTableId = (code: string) => `tax_table:taxjar-${code.toLowerCase()}`;


/** The location's current rates: its tax table, else its single rate as a one-version table. */
async function currentRates(catalog: Db, loc: LocationDoc): Promise<{ id: string; table: TaxTable } | null> {
  if (loc.taxTableId) {
    const t = await getOrNull(catalog, loc.taxTableId, (raw) => taxTableSchema.parse(raw));
    if (t) return { id: t._id, table: t };
  }
  if (loc.taxRateId) {
    const r = await getOrNull(catalog, loc.taxRateId, (raw) => taxRateSchema.parse(raw));
    if (r) return { id: r._id, table: tableFromSingleRate({ id: r._id, name: r.name, ratePpm: r.ratePpm, exemptCategories: r.exemptCategories }) };
  }
  return null;
}

interface Proposal {
  loc: LocationDoc;
  catalog: Db;
  current: { id: string; table: TaxTable } | null;
  from: IsoDate;
  scheduled: boolean;
  version: TaxVersion;
  proposalId: string;
  provider: string;
  resolved: Record<string, string>;
  combinedPpm: number;
}

async function propose(ctx: Ctx, admin: Principal, code: string, body: z.infer<typeof previewRatesBody>): Promise<Proposal> {
  const catalog = ctx.couch.use(catalogDb(admin.tenantId));
  const loc = await getOrNull(catalog, `location:${code}`, (raw) => locationSchema.parse(raw));
  if (!loc) throw notFound(`Location ${code} does not exist`);
  const now = today(loc.timeZone);
  if (body.effectiveFrom !== undefined && body.effectiveFrom <= now) throw badRequest(`effectiveFrom: a scheduled change starts after today (${now} in ${loc.timeZone}); leave it out to apply at once`);
  const provider = await connectedProvider(ctx, admin.tenantId);
  const rates = await provider.ratesFor(body.address).catch(providerFailure);
  const current = await currentRates(catalog, loc);
  const from = body.effectiveFrom ?? now;
  const carry = current ? versionOn(current.table, from) : null;
  const components = proposedComponents(rates, body.address, carry);
  const effectiveFrom = body.effectiveFrom ?? null;
  return { loc, catalog, current, from, scheduled: effectiveFrom !== null, version: effectiveFrom ? { effectiveFrom, components } : { components }, proposalId: proposalId(components, effectiveFrom), provider: rates.provider, resolved: rates.resolved, combinedPpm: rates.combinedPpm };
}

function answer(pr: Proposal) {
  const currentVersion = pr.current ? versionOn(pr.current.table, pr.from) : null;
  return {
    locationCode: pr.loc.code,
    provider: pr.provider,
    resolved: pr.resolved,
    /** the provider's own total; the components add up to it unless it rounds differently */
    providerCombinedPpm: pr.combinedPpm,
    current: pr.current ? { source: pr.current.id, effectiveFrom: currentVersion?.effectiveFrom ?? null } : null,
    proposal: { proposalId: pr.proposalId, table: ownTableId(pr.loc.code), ...pr.version },
    diff: diffComponents(currentVersion?.components ?? [], pr.version.components)
  };
}

/** What applying would change for the location on the date (today when not scheduled); writes nothing. */
export async function previewLocationRates(ctx: Ctx, p: Principal, code: string, body: z.infer<typeof previewRatesBody>) {
  const admin = adminOf(p, 'Looking up tax rates', code);
  return answer(await propose(ctx, admin, code, body));
}

/**
 * Applies a reviewed proposal: looks the rates up again and refuses if they differ from what was
 * reviewed (409), writes the location's own table (created, or a version added or replaced at the
 * date) and points the location at it. Applying the same proposal again writes nothing.
 */
export async function applyLocationRates(ctx: Ctx, p: Principal, code: string, body: z.infer<typeof applyRatesBody>) {
  const admin = adminOf(p, 'Applying tax rates', code);
  const pr = await propose(ctx, admin, code, body);
  if (pr.proposalId !== body.proposalId) throw conflict('The rates are not the ones reviewed (the tax service or the current table changed since the preview); preview again');
  const id = ownTableId(code);
  const usesOwn = pr.loc.taxTableId === id && pr.current?.id === id;
  const plan = nextVersions({ own: usesOwn ? pr.current!.table : null, base: pr.current?.table ?? null, proposed: pr.version.components, from: pr.from, scheduled: pr.scheduled, maxVersions: MAX_VERSIONS });
  if ('refused' in plan) throw conflict(plan.refused);

  let tableWritten = false;
  if ('versions' in plan) {
    const now = new Date().toISOString();
    const name = `${pr.loc.name} (${pr.provider === 'taxjar' ? 'TaxJar' : pr.provider})`.slice(0, 80);
    const fields = { name, versions: plan.versions, updatedAt: now, updatedBy: principalId(admin) };
    const parse = (raw: unknown) => taxTableSchema.parse(raw);
    const existing = await getOrNull(pr.catalog, id, parse);
    if (existing) {
      // a concurrent apply may have written it first: `next` answers null when the outcome is stored
      const out = await advanceDoc<TaxTableDoc>(pr.catalog, id, parse, (d) => (JSON.stringify(d.versions) === JSON.stringify(fields.versions) ? null : taxTableSchema.parse({ ...d, ...fields })));
      tableWritten = out.changed;
    } else {
      const doc = taxTableSchema.parse({ _id: id, type: 'tax_table', ...fields });
      tableWritten = (await insertOnce(pr.catalog, doc, (s) => JSON.stringify(s.versions) === JSON.stringify(doc.versions), 'Tax table')).created;
    }
  }
  const pointed = pr.loc.taxTableId !== id;
  if (pointed) await updateLocation(ctx, admin, code, { taxTableId: id });
  const changed = tableWritten || pointed;
  if (changed) {
    const d = diffComponents(pr.current ? versionOn(pr.current.table, pr.from).components : [], pr.version.components);
    await recordAudit(ctx.couch, admin.tenantId, {
      action: 'tax.rates_applied',
      actor: principalId(admin),
      target: id,
      details: { provider: pr.provider, location: code, effectiveFrom: pr.version.effectiveFrom ?? null, proposalId: pr.proposalId, added: d.added.length, removed: d.removed.length, changed: d.changed.length, combinedPpm: d.combined.toPpm }
    });
  }
  return { locationCode: code, table: id, effectiveFrom: pr.version.effectiveFrom ?? null, changed, proposalId: pr.proposalId };
}
