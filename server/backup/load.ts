import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import readline from 'node:readline';
import { createGunzip } from 'node:zlib';
import { PLATFORM_DB } from '#domain/db-names.ts';
import type { Couch } from '../couch/client.ts';
import { Batcher, parseRevisionLine } from './format.ts';
import { storeRequest, StoreError } from './http.ts';

/**
 * Writing a backup back: `_bulk_docs` with `new_edits: false`, which stores each revision under its
 * own `_rev` with its history, exactly as replication does. Writing a revision the database already
 * has changes nothing, so a restore can be repeated, and a register that replicates afterwards finds
 * (with `_revs_diff`) that the server has every revision it had before: it sends only what is new.
 */

/** Checks a file's size and sha256 against the manifest before anything is written. */
export async function verifyFile(file: string, expected: { bytes: number; sha256: string }): Promise<void> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch {
    throw new Error(`${file} is missing`);
  }
  if (size !== expected.bytes) throw new Error(`${file} has ${size} bytes, the manifest says ${expected.bytes}: the backup is incomplete or was changed`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Uint8Array);
  if (hash.digest('hex') !== expected.sha256) throw new Error(`${file} does not match its sha256 in the manifest: the backup was changed or is damaged`);
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = readline.createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield line;
}

type BulkAnswer = ({ id?: string; error?: string; reason?: string } | { ok: true })[];

async function bulkWrite(couch: Couch, db: string, json: string[]): Promise<void> {
  if (!json.length) return;
  const res = await storeRequest<BulkAnswer>(couch, db, { path: '_bulk_docs', body: `{"new_edits":false,"docs":[${json.join(',')}]}` });
  const failed = (Array.isArray(res) ? res : []).filter((r): r is { id?: string; error: string; reason?: string } => 'error' in r && !!r.error);
  if (failed.length) {
    const f = failed[0]!;
    throw new StoreError(`POST ${db}/_bulk_docs refused ${failed.length} document(s), e.g. ${f.id}: ${f.error}${f.reason ? ` (${f.reason})` : ''}`, 500);
  }
}

export interface LoadResult {
  /** revisions sent (a revision the database had already is a no-op) */
  lines: number;
  /** design documents found in the file and left out (the release deploys its own) */
  designSkipped: number;
}

/** Writes every revision of a database backup file into `db` (which must exist). */
export async function loadDatabase(couch: Couch, db: string, file: string): Promise<LoadResult> {
  const batch = new Batcher();
  const out: LoadResult = { lines: 0, designSkipped: 0 };
  let n = 0;
  for await (const line of lines(file)) {
    n++;
    const p = parseRevisionLine(line);
    if (!p.ok) throw new Error(`${file} line ${n}: ${p.reason}`);
    if (p.doc._id.startsWith('_design/')) {
      out.designSkipped++;
      continue;
    }
    out.lines++;
    const full = batch.add(line);
    if (full) await bulkWrite(couch, db, full);
  }
  await bulkWrite(couch, db, batch.flush());
  return out;
}

export interface PlatformLoadResult {
  /** documents written (the deployment did not have their revision) */
  written: number;
  /** already there at this revision or a later one: nothing to do */
  present: number;
  /** the deployment has a different document under that id (e.g. another user's email claim): kept, not touched */
  kept: string[];
}

const PLATFORM_BATCH = 100;

/**
 * The tenant's platform documents: written only where the deployment does not have them. A document
 * it has at the backup's revision or a later one is left as it is (`_revs_diff` finds nothing
 * missing); one it has with an unrelated history (the id taken by something else since, such as an
 * email claim) is kept and reported, never turned into a conflict.
 */
export async function loadPlatformDocs(couch: Couch, file: string): Promise<PlatformLoadResult> {
  const out: PlatformLoadResult = { written: 0, present: 0, kept: [] };
  let pending: { doc: { _id: string; _rev: string }; line: string }[] = [];
  const flush = async () => {
    if (!pending.length) return;
    const revs: Record<string, string[]> = {};
    for (const p of pending) (revs[p.doc._id] ??= []).push(p.doc._rev);
    const diff = await storeRequest<Record<string, { missing: string[] }>>(couch, PLATFORM_DB, { path: '_revs_diff', body: revs });
    const missing = pending.filter((p) => diff[p.doc._id]?.missing.includes(p.doc._rev));
    out.present += pending.length - missing.length;
    if (missing.length) {
      const existing = await storeRequest<{ rows: { key: string; error?: string; value?: { deleted?: boolean } }[] }>(couch, PLATFORM_DB, {
        path: '_all_docs',
        body: { keys: missing.map((p) => p.doc._id) }
      });
      const live = new Set(existing.rows.filter((r) => !r.error && r.value && !r.value.deleted).map((r) => r.key));
      const write = missing.filter((p) => !live.has(p.doc._id));
      out.kept.push(...missing.filter((p) => live.has(p.doc._id)).map((p) => p.doc._id));
      await bulkWrite(couch, PLATFORM_DB, write.map((p) => p.line));
      out.written += write.length;
    }
    pending = [];
  };
  let n = 0;
  for await (const line of lines(file)) {
    n++;
    const p = parseRevisionLine(line);
    if (!p.ok) throw new Error(`${file} line ${n}: ${p.reason}`);
    if (p.doc._id.startsWith('_design/')) continue;
    pending.push({ doc: p.doc, line });
    if (pending.length >= PLATFORM_BATCH) await flush();
  }
  await flush();
  return out;
}
