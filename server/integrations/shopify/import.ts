import { z } from 'zod';
import { catalogDb, locationDb } from '#domain/db-names.ts';
import { INTEGRATION_ACTOR, importJobId, openingMovementId, planShopifyImport, type ImportPlan, type ProductMap } from '#domain/shopify/index.ts';
import { stockMovementSchema } from '#domain/schemas/location.ts';
import { recordAudit } from '../../audit.ts';
import { authorize, principalId, type Caller } from '../../auth/principal.ts';
import { casUpdate } from '../../couch/cas.ts';
import { listPrefix, statusOf, type Db } from '../../couch/client.ts';
import { loadCatalog } from '../../catalog/csv-import.ts';
import { AppError, conflict, forbidden, notFound } from '../../errors.ts';
import { ShopifyApiError } from './client.ts';
import { shopifyProblem } from './connection.ts';
import type { ShopifyIntegration } from './service.ts';
import type { ConnectionDoc } from './store.ts';

/**
 * The catalog import (issue 16, "Import"): read every product and, per mapped store, Shopify's available
 * stock; plan with the domain's `planShopifyImport` (match by stored link, then SKU/barcode; ownership
 * per field); preview the counts and conflicts, or apply them. Applying writes categories, the created
 * or changed products, the product links, and the opening stock of the variants the import created as
 * `movement:shopify:open:{variant}` in each store's ledger — ids derived, existing ones skipped, so a
 * second run on an unchanged store writes nothing. Progress and the outcome are the import job document
 * (`shopify_import:{tenant}`).
 *
 * Not in this slice: images (products are planned without Shopify's image, so no product points at a
 * media document that was not fetched) and bulk operations for very large catalogs (paged queries here).
 */

const jobSchema = z.looseObject({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal('shopify_import'),
  tenantId: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  phase: z.string(),
  productsRead: z.number(),
  startedAt: z.string(),
  startedBy: z.string(),
  heartbeatAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: z.unknown().nullable(),
  written: z.object({ products: z.number(), categories: z.number(), links: z.number(), openings: z.number() }).nullable(),
  conflicts: z.array(z.unknown()),
  error: z.string().nullable()
});
export type ImportJob = z.infer<typeof jobSchema>;

/** A running job whose heartbeat is older than this died with its server copy: another may start. */
const STALE_MS = 120_000;
const BATCH = 500;

function admin(caller: Caller, action: string) {
  const p = authorize(caller.principal, 'settings:manage', action);
  if (p.kind !== 'user') throw forbidden(`${action} needs a signed-in admin`);
  return p;
}

async function mappedConnection(sh: ShopifyIntegration, tenantId: string): Promise<ConnectionDoc> {
  const c = await sh.store.connection(tenantId);
  if (!c || c.status !== 'connected') throw notFound('No Shopify store is connected');
  if (!c.mapped) throw conflict('Map your stores to Shopify locations first (PUT /api/v1/integrations/shopify/mapping)');
  return c;
}

async function buildPlan(sh: ShopifyIntegration, c: ConnectionDoc, onProgress: (phase: string, read: number) => Promise<void>): Promise<ImportPlan> {
  const client = sh.clientOf(c);
  const shopify = await client.products((n) => onProgress('reading products', n));
  const locations = c.locations.flatMap((l) => (l.shopifyLocationId ? [{ code: l.code, shopifyLocationId: l.shopifyLocationId }] : []));
  await onProgress('reading stock levels', shopify.length);
  const levels = new Map<string, Map<string, number>>();
  for (const l of locations) levels.set(l.shopifyLocationId, await client.levelsAt(l.shopifyLocationId));
  for (const p of shopify) {
    p.image = null; // images are not fetched into the media database yet (see above)
    for (const v of p.variants) {
      const at: Record<string, number> = {};
      for (const [loc, byItem] of levels) {
        const qty = byItem.get(v.inventoryItemId);
        if (qty !== undefined) at[loc] = qty;
      }
      p.levels[v.inventoryItemId] = at;
    }
  }
  const [catalog, maps] = await Promise.all([loadCatalog(sh.couch, c.tenantId), listPrefix<ProductMap>(await sh.store.db(), `shopify_map:${c.tenantId}:`)]);
  return planShopifyImport({
    shopify,
    products: catalog.products,
    categories: catalog.categories,
    maps,
    ownership: c.ownership,
    digits: catalog.fractionDigits,
    now: new Date().toISOString(),
    actor: INTEGRATION_ACTOR,
    tenantId: c.tenantId,
    locations
  });
}

const summary = (plan: ImportPlan) => ({ counts: plan.counts, conflicts: plan.conflicts.slice(0, 200), warnings: plan.warnings.slice(0, 200) });

/** What an import would do now: counts, matches and conflicts. Writes nothing. */
export async function previewShopifyImport(sh: ShopifyIntegration, caller: Caller) {
  const p = admin(caller, 'Previewing the Shopify import');
  const c = await mappedConnection(sh, p.tenantId);
  try {
    return summary(await buildPlan(sh, c, async () => {}));
  } catch (err) {
    shopifyProblem(err);
  }
}

/** `_bulk_docs` in batches; ids that lost a revision race are returned. */
async function writeAll(db: Db, docs: object[]): Promise<{ written: number; conflicts: string[] }> {
  let written = 0;
  const conflicts: string[] = [];
  for (let i = 0; i < docs.length; i += BATCH) {
    for (const r of await db.bulk({ docs: docs.slice(i, i + BATCH) })) {
      if (r.error === 'conflict') conflicts.push(r.id!);
      else if (r.error) throw new Error(`writing ${r.id} failed: ${r.error}`);
      else written++;
    }
  }
  return { written, conflicts };
}

/** Opening movements not written yet (by a previous run or a concurrent one). */
async function writeOpenings(sh: ShopifyIntegration, tenantId: string, openings: ImportPlan['openings'], now: string): Promise<number> {
  let written = 0;
  const byStore = new Map<string, ImportPlan['openings']>();
  for (const o of openings) byStore.set(o.locationCode, [...(byStore.get(o.locationCode) ?? []), o]);
  for (const [code, lines] of byStore) {
    const db = sh.couch.use(locationDb(tenantId, code));
    for (let i = 0; i < lines.length; i += BATCH) {
      const slice = lines.slice(i, i + BATCH);
      const ids = slice.map((o) => openingMovementId(o.variantId));
      const have = new Set((await db.fetch({ keys: ids })).rows.flatMap((r) => ('doc' in r && r.doc ? [r.key] : [])));
      const docs = slice
        .filter((o) => !have.has(openingMovementId(o.variantId)))
        .map((o) =>
          stockMovementSchema.parse({
            _id: openingMovementId(o.variantId),
            type: 'stock_movement',
            locationCode: code,
            reason: 'opening',
            lines: [{ variantId: o.variantId, qty: o.qty }],
            note: 'Opening stock from Shopify',
            createdAt: now,
            createdBy: INTEGRATION_ACTOR
          })
        );
      // a conflict is an opening another run wrote meanwhile: already there, which is the point
      written += (await writeAll(db, docs)).written;
    }
  }
  return written;
}

async function updateJob(sh: ShopifyIntegration, id: string, change: (j: ImportJob) => ImportJob | null): Promise<void> {
  await casUpdate(await sh.store.db(), id, (raw) => jobSchema.parse(raw), change);
}

export async function importStatus(sh: ShopifyIntegration, caller: Caller) {
  const p = admin(caller, 'Reading the Shopify import');
  const job = await sh.store.get(importJobId(p.tenantId), (d) => jobSchema.parse(d));
  if (!job) return { job: null };
  const { _id, _rev, type, ...rest } = job;
  return { job: rest };
}

/**
 * Starts the import in the background (202): one per tenant at a time, its progress in the job
 * document. `done` resolves when it has finished (tests and the CLI wait on it; the API does not).
 */
export async function startShopifyImport(sh: ShopifyIntegration, caller: Caller): Promise<{ job: Omit<ImportJob, '_id' | '_rev' | 'type'>; done: Promise<void> }> {
  const p = admin(caller, 'Importing from Shopify');
  const c = await mappedConnection(sh, p.tenantId);
  const db = await sh.store.db();
  const id = importJobId(p.tenantId);
  const now = new Date().toISOString();
  const fresh: ImportJob = { _id: id, type: 'shopify_import', tenantId: p.tenantId, status: 'running', phase: 'starting', productsRead: 0, startedAt: now, startedBy: principalId(p), heartbeatAt: now, finishedAt: null, counts: null, written: null, conflicts: [], error: null };
  let started: ImportJob | null = null;
  try {
    const out = await casUpdate(db, id, (raw) => jobSchema.parse(raw), (j) => {
      if (j.status === 'running' && Date.now() - Date.parse(j.heartbeatAt) < STALE_MS) return null;
      return { ...fresh, _rev: j._rev! };
    });
    if (out?.changed) started = out.doc;
    else if (out) throw new AppError(409, 'import_running', 'An import is already running; wait for it to finish');
    else throw conflict('The import job is being changed by another request; try again');
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    const res = await db.insert(fresh).catch((e: unknown) => {
      if (statusOf(e) === 409) throw new AppError(409, 'import_running', 'An import is already running; wait for it to finish');
      throw e;
    });
    started = { ...fresh, _rev: res.rev };
  }
  const done = runImport(sh, c, id, principalId(p)).catch((err: unknown) => sh.log.error({ err, tenant: p.tenantId }, 'shopify import: could not record its failure'));
  const { _id, _rev, type, ...job } = started;
  return { job, done };
}

async function runImport(sh: ShopifyIntegration, c: ConnectionDoc, jobId: string, actor: string): Promise<void> {
  const progress = async (phase: string, read: number) => {
    await updateJob(sh, jobId, (j) => ({ ...j, phase, productsRead: read, heartbeatAt: new Date().toISOString() }));
  };
  try {
    const plan = await buildPlan(sh, c, progress);
    await progress('writing', plan.counts.products.create + plan.counts.products.update + plan.counts.products.unchanged + plan.counts.products.skipped);
    const now = new Date().toISOString();
    const catalog = sh.couch.use(catalogDb(c.tenantId));
    const categories = await writeAll(catalog, plan.categories);
    const products = await writeAll(catalog, plan.products);
    if (products.conflicts.length) throw conflict(`${products.conflicts.length} products were edited while the import ran (e.g. ${products.conflicts[0]}); run the import again`);
    const links = await writeAll(await sh.store.db(), plan.maps);
    if (links.conflicts.length) throw conflict('Product links were changed by another import; run the import again');
    const openings = await writeOpenings(sh, c.tenantId, plan.openings, now);
    const written = { products: products.written, categories: categories.written, links: links.written, openings };
    await updateJob(sh, jobId, (j) => ({ ...j, status: 'done', phase: 'done', heartbeatAt: now, finishedAt: new Date().toISOString(), counts: plan.counts, written, conflicts: plan.conflicts.slice(0, 200) }));
    await recordAudit(sh.couch, c.tenantId, { action: 'shopify.imported', actor, target: c.shop, details: { counts: plan.counts, written, conflicts: plan.conflicts.length } });
  } catch (err) {
    const message = err instanceof AppError ? err.message : err instanceof ShopifyApiError ? err.message : 'the import stopped on an unexpected error (logged)';
    if (!(err instanceof AppError)) sh.log.error({ err, tenant: c.tenantId }, 'shopify import failed');
    await updateJob(sh, jobId, (j) => ({ ...j, status: 'failed', finishedAt: new Date().toISOString(), error: message }));
  }
}
