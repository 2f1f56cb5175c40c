import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZodError } from 'zod';
import { PLATFORM_DB, auditDb, customersDb } from '#domain/db-names.ts';
import { describeIssues } from '#domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { ensureDb, lockDb, statusOf, type Couch } from '../couch/client.ts';
import { deployDesignDocs, designKindOf } from '../couch/design-docs.ts';
import { outboxIntakeCheckpointId } from '../notify/outbox-docs.ts';
import { getTenant, preparePlatform } from '../tenants/provision.ts';
import { approvalsAuditCheckpointId } from '../workers/approvals-audit.ts';
import { saleLedgerCheckpointId } from '../workers/sale-ledger.ts';
import { dumpDatabase, dumpPlatformDocs } from './dump.ts';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, MANIFEST_FILE, dbFileName, manifestSchema, restoreOrder, tenantDatabases, type Manifest } from './format.ts';
import { dbInfo, liveDocCount } from './http.ts';
import { loadDatabase, loadPlatformDocs, verifyFile, type PlatformLoadResult } from './load.ts';

/** A failure the command reports in one line (exit code 1). */
export class BackupError extends Error {}

function toolVersion(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

export interface BackupProgress {
  (line: { db: string; docs: number; bytes: number; ms: number }): void;
}

/**
 * Backs up a tenant while the server runs: each of its databases in turn (see dump.ts), then its
 * platform documents, then the manifest — written last, so a backup that stopped half-way has none
 * and is refused by restore.
 */
export async function backupTenant(couch: Couch, tenantId: string, outDir: string, progress?: BackupProgress): Promise<Manifest> {
  const tenant = await getTenant(couch, tenantId);
  if (!tenant) throw new BackupError(`there is no tenant ${tenantId} in this deployment`);
  const { names, missing } = tenantDatabases(tenantId, tenant.locations, await couch.listDbs());
  if (missing.length) throw new BackupError(`tenant ${tenantId} is missing database(s) ${missing.join(', ')}; nothing was written`);

  await fs.mkdir(outDir, { recursive: true });
  const present = await fs.readdir(outDir);
  if (present.length) throw new BackupError(`${outDir} is not empty; give a new or empty directory`);

  const startedAt = new Date().toISOString();
  const databases: Manifest['databases'] = [];
  for (const db of names) {
    const t0 = Date.now();
    const entry = await dumpDatabase(couch, db, path.join(outDir, dbFileName(db)));
    databases.push(entry);
    progress?.({ db, docs: entry.docs, bytes: entry.bytes, ms: Date.now() - t0 });
  }
  const t0 = Date.now();
  // the tenant_docs view this release reads (a no-op when the running server deployed it already)
  await preparePlatform(couch);
  const platform = await dumpPlatformDocs(couch, tenantId, outDir);
  progress?.({ db: PLATFORM_DB, docs: platform.docs, bytes: platform.bytes, ms: Date.now() - t0 });
  const manifest = manifestSchema.parse({
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    tool: toolVersion(),
    tenantId,
    startedAt,
    finishedAt: new Date().toISOString(),
    databases,
    platform
  } satisfies Manifest);
  const tmp = path.join(outDir, `.${MANIFEST_FILE}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await fs.rename(tmp, path.join(outDir, MANIFEST_FILE));
  return manifest;
}

/** Reads and checks a backup's manifest (one-line errors). */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new BackupError(`${path.join(dir, MANIFEST_FILE)} not found: not a backup directory, or the backup did not finish`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BackupError(`${MANIFEST_FILE} is not valid JSON`);
  }
  try {
    return manifestSchema.parse(raw);
  } catch (err) {
    if (err instanceof ZodError) throw new BackupError(`${MANIFEST_FILE} is not a valid tenant backup manifest: ${describeIssues(err)}`);
    throw err;
  }
}

export interface RestoreOptions {
  /** write into databases that already have documents (merge by revision; see docs/OPERATIONS.md) */
  intoExisting?: boolean;
}

export interface RestoredDb {
  name: string;
  /** documents it had before (null: it did not exist and was created) */
  before: number | null;
  lines: number;
  ms: number;
}

export interface RestoreReport {
  manifest: Manifest;
  databases: RestoredDb[];
  platform: PlatformLoadResult;
}

async function forget(couch: Couch, db: string, id: string): Promise<void> {
  const d = couch.use(db);
  try {
    const doc = await d.get(id);
    await d.destroy(id, doc._rev);
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

/**
 * The server's own checkpoints on a restored database's changes feed are kept in other databases
 * (the notify intake's in platform, the ledger worker's in customers, the approvals worker's in
 * audit). A restored database numbers its changes anew, so a sequence from before would skip new
 * changes: forget them, and each worker reads the database from the start (its writes are named
 * after what they derive from, so re-reading writes nothing twice).
 */
async function forgetServerCheckpoints(couch: Couch, tenantId: string, db: string): Promise<void> {
  await forget(couch, PLATFORM_DB, outboxIntakeCheckpointId(db));
  if (await dbInfo(couch, customersDb(tenantId))) await forget(couch, customersDb(tenantId), saleLedgerCheckpointId(db));
  if (await dbInfo(couch, auditDb(tenantId))) await forget(couch, auditDb(tenantId), approvalsAuditCheckpointId(db));
}

/**
 * Restores a tenant backup: checks the manifest and every file's sha256 first, refuses databases that
 * have documents (unless `intoExisting`), then per database (catalog, customers, audit, media,
 * locations) creates it if missing (admin-only, as provisioning does), writes every revision, deploys
 * this release's design documents, and clears the server's stale checkpoints; the tenant's platform
 * documents last, so on a new deployment the tenant appears once its databases are there.
 */
export async function restoreTenant(couch: Couch, tenantId: string, dir: string, opts: RestoreOptions = {}, progress?: (d: RestoredDb) => void): Promise<RestoreReport> {
  const manifest = await readManifest(dir);
  if (manifest.tenantId !== tenantId) throw new BackupError(`this backup is of tenant ${manifest.tenantId}, not ${tenantId}`);
  for (const f of [...manifest.databases, manifest.platform]) {
    try {
      await verifyFile(path.join(dir, f.file), f);
    } catch (err) {
      throw new BackupError((err as Error).message);
    }
  }

  const before = new Map<string, number | null>();
  for (const d of manifest.databases) before.set(d.name, await liveDocCount(couch, d.name));
  const occupied = manifest.databases.filter((d) => (before.get(d.name) ?? 0) > 0);
  if (occupied.length && !opts.intoExisting) {
    const list = occupied.map((d) => `${d.name} (${before.get(d.name)} documents)`).join(', ');
    throw new BackupError(`refusing to restore over database(s) that have documents: ${list}. Delete them first, or give --into-existing to merge the backup into them (revisions are kept: nothing newer is overwritten, diverged documents become conflicts)`);
  }

  await preparePlatform(couch);
  const databases: RestoredDb[] = [];
  for (const name of restoreOrder(manifest.databases.map((d) => d.name))) {
    const t0 = Date.now();
    await ensureDb(couch, name);
    await lockDb(couch, name);
    const loaded = await loadDatabase(couch, name, path.join(dir, dbFileName(name)));
    const kind = designKindOf(name);
    if (kind) await deployDesignDocs(couch.use(name), kind);
    await forgetServerCheckpoints(couch, tenantId, name);
    const r = { name, before: before.get(name) ?? null, lines: loaded.lines, ms: Date.now() - t0 };
    databases.push(r);
    progress?.(r);
  }
  const platform = await loadPlatformDocs(couch, path.join(dir, manifest.platform.file));
  await recordAudit(couch, tenantId, {
    action: 'tenant.restored',
    actor: 'system',
    target: `tenant:${tenantId}`,
    details: { backupStartedAt: manifest.startedAt, databases: databases.length, intoExisting: !!opts.intoExisting, platformWritten: platform.written, platformKept: platform.kept.length }
  });
  return { manifest, databases, platform };
}
