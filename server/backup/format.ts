import { z } from 'zod';
import { TENANT_ID_PATTERN, auditDb, catalogDb, customersDb, locationDb, parseDbName } from '#domain/db-names.ts';

/**
 * A tenant backup is a directory (docs/OPERATIONS.md "Backups and restore"):
 *   manifest.json                 what is in it (checked with the schema below before a restore)
 *   {database}.ndjson.gz          one per tenant database: every leaf revision of every document,
 *                                 one JSON object a line, with its revision history (`_revisions`)
 *                                 and attachments inline (base64), as `_bulk_get?revs=true` gives it
 *   platform.ndjson.gz            the tenant's documents of the shared `platform` database
 * Design documents and `_local` documents (replication checkpoints) are not in it: the restoring
 * release deploys its own design documents, and checkpoints are rebuilt by the replicators.
 */
export const BACKUP_FORMAT = 'pos-tenant-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const PLATFORM_FILE = 'platform.ndjson.gz';

export const dbFileName = (db: string) => `${db}.ndjson.gz`;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex');
/** A file in the backup directory: a plain name, never a path (a manifest cannot point elsewhere). */
const fileName = z.string().regex(/^[a-z0-9][a-z0-9_-]*\.ndjson\.gz$/, 'must be a file name like t-acme-catalog.ndjson.gz');
const count = z.number().int().min(0);

export const fileEntrySchema = z.object({
  file: fileName,
  /** bytes of the file (compressed) and its sha256: checked before anything is restored */
  bytes: count,
  sha256: sha256Hex,
  /** lines in the file: document revisions (a document with a conflict has one line per leaf) */
  lines: count
});

export const databaseEntrySchema = fileEntrySchema.extend({
  /** logical name (`t-acme-loc-gm`); a deployment with COUCH_DB_PREFIX stores it under its prefix */
  name: z.string().min(1).max(120),
  /** documents with a live revision, documents that exist only as deleted, extra live leaves */
  docs: count,
  deleted: count,
  conflicts: count,
  attachments: count,
  /** the database's update sequence when its backup started (opaque; for the operator) */
  updateSeq: z.union([z.string(), z.number()]).optional()
});
export type DatabaseEntry = z.infer<typeof databaseEntrySchema>;

export const platformEntrySchema = fileEntrySchema.extend({
  docs: count,
  /** by document type: tenant, user, email_claim, device, … */
  types: z.record(z.string(), count)
});
export type PlatformEntry = z.infer<typeof platformEntrySchema>;

export const manifestSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT, { message: `must be "${BACKUP_FORMAT}"` }),
    formatVersion: z.literal(BACKUP_FORMAT_VERSION, { message: `must be ${BACKUP_FORMAT_VERSION} (this release reads version ${BACKUP_FORMAT_VERSION} only)` }),
    tool: z.object({ name: z.string(), version: z.string() }),
    tenantId: z.string().regex(TENANT_ID_PATTERN, 'must be a tenant id'),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    databases: z.array(databaseEntrySchema).min(1, 'a tenant backup has at least its catalog database'),
    platform: platformEntrySchema
  })
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    m.databases.forEach((d, i) => {
      if (!isTenantDbName(d.name, m.tenantId)) ctx.addIssue({ code: 'custom', path: ['databases', i, 'name'], message: `${d.name} is not a database of tenant ${m.tenantId}` });
      if (d.file !== dbFileName(d.name)) ctx.addIssue({ code: 'custom', path: ['databases', i, 'file'], message: `must be ${dbFileName(d.name)}` });
      if (names.has(d.name)) ctx.addIssue({ code: 'custom', path: ['databases', i, 'name'], message: `${d.name} is listed twice` });
      names.add(d.name);
    });
    if (m.platform.file !== PLATFORM_FILE) ctx.addIssue({ code: 'custom', path: ['platform', 'file'], message: `must be ${PLATFORM_FILE}` });
  });
export type Manifest = z.infer<typeof manifestSchema>;

/** `t-{tenant}-…`: the tenant's own databases (catalog, customers, audit, loc-*, media, and any later kind). */
export function isTenantDbName(name: string, tenantId: string): boolean {
  const rest = name.startsWith(`t-${tenantId}-`) ? name.slice(`t-${tenantId}-`.length) : null;
  return rest !== null && /^[a-z][a-z0-9-]{0,40}$/.test(rest);
}

/**
 * The databases a tenant backup covers: those every tenant has (catalog, customers, audit, one per
 * location of the tenant document), which must exist, plus every other `t-{tenant}-…` database of
 * the deployment (the media database, once an image was uploaded).
 */
export function tenantDatabases(tenantId: string, locations: readonly string[], existing: readonly string[]): { names: string[]; missing: string[] } {
  const required = [catalogDb(tenantId), customersDb(tenantId), auditDb(tenantId), ...locations.map((code) => locationDb(tenantId, code))];
  const have = new Set(existing);
  const extra = existing.filter((n) => isTenantDbName(n, tenantId) && !required.includes(n)).sort();
  return { names: restoreOrder([...required.filter((n) => have.has(n)), ...extra]), missing: required.filter((n) => !have.has(n)) };
}

/**
 * The order databases are restored in: catalog, customers and audit first, other kinds (media), the
 * locations last. The server's workers read a location's sales and write into customers/audit with
 * ids named after them, so restoring their outputs before their inputs means a worker running during
 * the restore finds its entries already there instead of writing them a second time.
 */
export function restoreOrder(names: readonly string[]): string[] {
  const rank = (n: string) => {
    const kind = parseDbName(n)?.kind;
    return kind === 'catalog' ? 0 : kind === 'customers' ? 1 : kind === 'audit' ? 2 : kind === 'location' ? 4 : 3;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Documents of `platform` that belong to a tenant and are in its backup: everything carrying its
 * `tenantId` (the tenant document, users, devices, enrolment and register codes, API keys, outbox and
 * delivery records, suppressions) except sessions: refresh tokens are not kept (after a restore onto a
 * new deployment everyone signs in again). Email claims carry no tenant id: see emailClaimIds.
 */
export const PLATFORM_TYPES_LEFT_OUT = ['refresh_token'] as const;

export function isTenantPlatformDoc(doc: { _id?: unknown; type?: unknown; tenantId?: unknown }, tenantId: string): boolean {
  if (typeof doc._id !== 'string' || doc._id.startsWith('_')) return false;
  if (doc.tenantId !== tenantId) return false;
  return !(PLATFORM_TYPES_LEFT_OUT as readonly unknown[]).includes(doc.type);
}

/** The `email:{address}` claim of each user of the backup (the uniqueness check of sign-in emails). */
export function emailClaimIds(docs: readonly Record<string, unknown>[]): string[] {
  return docs.flatMap((d) => (d.type === 'user' && typeof d.email === 'string' ? [`email:${d.email.trim().toLowerCase()}`] : []));
}

/** Leaf counts of one document as the latest `_changes` row for it listed them. */
export interface LeafTally {
  live: number;
  deleted: number;
}

/**
 * Counts for the manifest, from the `_changes` rows of a backup. A document changed while the backup
 * runs appears in the feed again: its latest row replaces the earlier one, so it is counted once.
 */
export class DumpTally {
  private readonly byId = new Map<string, LeafTally>();
  lines = 0;
  attachments = 0;

  leaves(id: string, tally: LeafTally): void {
    this.byId.set(id, tally);
  }

  line(doc: { _attachments?: unknown }): void {
    this.lines++;
    if (doc._attachments && typeof doc._attachments === 'object') this.attachments += Object.keys(doc._attachments).length;
  }

  totals(): { docs: number; deleted: number; conflicts: number } {
    let docs = 0;
    let deleted = 0;
    let conflicts = 0;
    for (const t of this.byId.values()) {
      if (t.live > 0) {
        docs++;
        conflicts += t.live - 1;
      } else if (t.deleted > 0) deleted++;
    }
    return { docs, deleted, conflicts };
  }
}

/**
 * Groups serialised documents into `_bulk_docs` requests of at most `maxDocs` documents and about
 * `maxBytes` of JSON (a single larger document, an image, goes alone).
 */
export class Batcher {
  private items: string[] = [];
  private bytes = 0;

  constructor(private readonly maxDocs = 200, private readonly maxBytes = 4 * 1024 * 1024) {}

  /** Adds one; returns a full batch to send first when this one would not fit. */
  add(json: string): string[] | null {
    let full: string[] | null = null;
    if (this.items.length && (this.items.length >= this.maxDocs || this.bytes + json.length > this.maxBytes)) full = this.flush();
    this.items.push(json);
    this.bytes += json.length;
    return full;
  }

  flush(): string[] {
    const out = this.items;
    this.items = [];
    this.bytes = 0;
    return out;
  }
}

/** One line of a backup file as a document revision, or why it is not one. */
export function parseRevisionLine(line: string): { ok: true; doc: Record<string, unknown> & { _id: string; _rev: string } } | { ok: false; reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, reason: 'not a JSON object' };
  const d = doc as Record<string, unknown>;
  if (typeof d._id !== 'string' || !d._id) return { ok: false, reason: 'no _id' };
  if (d._id.startsWith('_local/')) return { ok: false, reason: `${d._id}: _local documents are never restored` };
  if (typeof d._rev !== 'string' || !/^[1-9]\d*-[^\s]+$/.test(d._rev)) return { ok: false, reason: `${d._id}: no valid _rev` };
  return { ok: true, doc: d as Record<string, unknown> & { _id: string; _rev: string } };
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
