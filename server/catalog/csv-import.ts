import { catalogDb } from '#domain/db-names.ts';
import { exportCatalogCsv } from '#domain/catalog-csv-export.ts';
import { planCatalogImport, type CategoryDoc, type ImportPlan, type ProductDoc } from '#domain/catalog-csv-plan.ts';
import type { CsvRowError } from '#domain/csv-read.ts';
import { currencyDigits } from '#domain/money.ts';
import { recordAudit } from '../audit.ts';
import { authorize, principalId, type Caller } from '../auth/principal.ts';
import { listPrefix, type Couch, type Db } from '../couch/client.ts';
import { AppError, conflict } from '../errors.ts';

/** Documents per `_bulk_docs` request; two requests in flight. */
const BATCH = 500;
const IN_FLIGHT = 2;
/** Re-plans after revision conflicts (someone edited a product while the import ran). */
const ATTEMPTS = 4;

export async function loadCatalog(couch: Couch, tenantId: string) {
  const db = couch.use(catalogDb(tenantId));
  const [products, categories, locations] = await Promise.all([
    listPrefix<ProductDoc>(db, 'product:'),
    listPrefix<CategoryDoc>(db, 'category:'),
    listPrefix<{ currency?: string }>(db, 'location:')
  ]);
  // prices are minor units of the tenant's currency (its first location's; USD-like 2 digits otherwise)
  const currency = locations.find((l) => l.currency)?.currency;
  let fractionDigits = 2;
  if (currency) {
    try {
      fractionDigits = currencyDigits(currency);
    } catch {
      fractionDigits = 2;
    }
  }
  return { products, categories, fractionDigits };
}

export interface ImportSummary {
  dryRun: boolean;
  counts: ImportPlan['counts'];
  /** products that are (or would be) created or updated, first 1,000 */
  changes: { handle: string; action: 'create' | 'update'; fields: string[]; variants: { create: number; update: number; unchanged: number } }[];
  written: { products: number; categories: number };
}

function invalid(errors: CsvRowError[], errorCount: number): AppError {
  const first = errors[0]!;
  const where = `row ${first.row}${first.column ? `, column ${first.column}` : ''}`;
  return new AppError(422, 'invalid_csv', `${errorCount} problem${errorCount === 1 ? '' : 's'} in the file (first: ${where}: ${first.message}); nothing was written`, {
    errors,
    errorCount
  });
}

/** Writes docs with `_bulk_docs`; returns the ids that lost a revision race (409). */
async function writeAll(db: Db, docs: object[]): Promise<{ written: number; conflicts: string[] }> {
  const batches: object[][] = [];
  for (let i = 0; i < docs.length; i += BATCH) batches.push(docs.slice(i, i + BATCH));
  let written = 0;
  const conflicts: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const res = await db.bulk({ docs: batch });
      for (const r of res) {
        if (r.error === 'conflict') conflicts.push(r.id!);
        else if (r.error) throw new Error(`writing ${r.id} failed: ${r.error} ${r.reason ?? ''}`);
        else written++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, batches.length) }, worker));
  return { written, conflicts };
}

/**
 * Imports a catalog CSV (docs/CSV.md) for a tenant: validates every row against the current
 * catalog, then — unless `dryRun` — writes new categories and the created or changed products in
 * batches. Unchanged products are not written, so importing the same file twice writes nothing.
 * A product edited while the import runs makes its write fail with a revision conflict; the plan is
 * then made again from the current catalog and only what still differs is written.
 */
export async function importCatalogCsv(couch: Couch, caller: Caller, csv: string, opts: { dryRun: boolean }): Promise<ImportSummary> {
  const { tenantId } = authorize(caller.principal, 'catalog:edit', 'Importing products');
  const actor = principalId(caller.principal);
  const { requestId } = caller;
  const db = couch.use(catalogDb(tenantId));
  const written = { products: 0, categories: 0 };
  let firstPlan: ImportPlan | null = null;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const existing = await loadCatalog(couch, tenantId);
    const result = planCatalogImport(csv, existing, { now: new Date().toISOString(), actor, fractionDigits: existing.fractionDigits });
    if (!result.ok) throw invalid(result.errors, result.errorCount);
    const plan = result.plan;
    firstPlan ??= plan;
    if (opts.dryRun) break;

    if (plan.categories.length) {
      const c = await writeAll(db, plan.categories);
      written.categories += c.written; // a conflict here: someone created it meanwhile, which is fine
    }
    const docs = plan.products.filter((p) => p.action !== 'unchanged').map((p) => p.doc);
    const p = await writeAll(db, docs);
    written.products += p.written;
    if (p.conflicts.length === 0) break;
    if (attempt === ATTEMPTS) throw conflict(`${p.conflicts.length} products kept changing while the file was imported (e.g. ${p.conflicts[0]}); import the file again`);
  }
  const plan = firstPlan!;
  const summary: ImportSummary = {
    dryRun: opts.dryRun,
    counts: plan.counts,
    changes: plan.products
      .filter((c) => c.action !== 'unchanged')
      .slice(0, 1000)
      .map((c) => ({ handle: c.handle, action: c.action as 'create' | 'update', fields: c.fields, variants: c.variants })),
    written
  };
  if (!opts.dryRun && (written.products || written.categories)) {
    await recordAudit(couch, tenantId, {
      action: 'catalog.import',
      actor,
      details: { counts: plan.counts, written },
      ...(requestId ? { requestId } : {})
    });
  }
  return summary;
}

export async function exportCatalog(couch: Couch, caller: Caller): Promise<string> {
  const { tenantId } = authorize(caller.principal, 'catalog:edit', 'Exporting products');
  const { products, categories, fractionDigits } = await loadCatalog(couch, tenantId);
  return exportCatalogCsv(products, categories, fractionDigits);
}
