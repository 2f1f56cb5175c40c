import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PLATFORM_DB } from '#domain/db-names.ts';
import type { Couch } from '../couch/client.ts';
import { DumpTally, emailClaimIds, isTenantPlatformDoc, PLATFORM_FILE, dbFileName, type DatabaseEntry, type LeafTally, type PlatformEntry } from './format.ts';
import { dbInfo, storeRequest, StoreError } from './http.ts';

/**
 * Reading a database for a backup, online: its `_changes` feed (`style=all_docs`: every leaf
 * revision, conflicts and deletions included) in pages, each page's leaves fetched with `_bulk_get`
 * (`revs=true`: the revision history, so a restore keeps every `_rev`), and a document with
 * attachments fetched again on its own with them inline, so a page of images never sits in memory at
 * once. `@cloudant/couchbackup` does the same but cannot be used here: against the embedded store
 * its opening `_bulk_get` probe with no documents never gets an answer, and it signs in with a
 * session cookie the embedded store (Basic auth only) refuses (docs/OPERATIONS.md).
 */
const CHANGES_PAGE = 500;
const BULK_GET = 100;

type Doc = Record<string, unknown> & { _id: string; _rev: string; _deleted?: boolean; _attachments?: Record<string, { stub?: boolean }> };
type BulkGetAnswer = { results: { id: string; docs: ({ ok: Doc } | { error: { id: string; rev: string; error: string; reason: string } })[] }[] };

const hasStubs = (doc: Doc) => !!doc._attachments && Object.values(doc._attachments).some((a) => a.stub);

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The revisions asked for (`{id}` alone: the winning one); a revision gone since the feed listed it is skipped. */
async function bulkGet(couch: Couch, db: string, wanted: { id: string; rev?: string }[]): Promise<Doc[]> {
  const out: Doc[] = [];
  // Never an empty `_bulk_get`: the embedded store does not answer one.
  for (const chunk of chunks(wanted, BULK_GET)) {
    const res = await storeRequest<BulkGetAnswer>(couch, db, { path: '_bulk_get', qs: { revs: true }, body: { docs: chunk } });
    for (const r of res.results) {
      for (const d of r.docs) {
        if ('ok' in d) {
          out.push(hasStubs(d.ok) ? await storeRequest<Doc>(couch, db, { doc: d.ok._id, qs: { rev: d.ok._rev, revs: true, attachments: true } }) : d.ok);
        } else if (d.error.error !== 'not_found') {
          throw new StoreError(`POST ${db}/_bulk_get: ${d.error.id} ${d.error.rev}: ${d.error.error} (${d.error.reason})`, 500);
        }
      }
    }
  }
  return out;
}

/** Writes lines to `file` gzipped; returns its size and sha256. Refuses to overwrite a file. */
async function writeGzip(file: string, lines: AsyncIterable<string>): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Uint8Array, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    }
  });
  await pipeline(Readable.from(lines), createGzip(), tap, createWriteStream(file, { flags: 'wx' }));
  return { bytes, sha256: hash.digest('hex') };
}

export async function dumpDatabase(couch: Couch, db: string, file: string): Promise<DatabaseEntry> {
  const info = await dbInfo(couch, db);
  if (!info) throw new Error(`database ${db} does not exist`);
  const tally = new DumpTally();
  async function* lines(): AsyncGenerator<string> {
    let since: string | number = 0;
    for (;;) {
      const page: { results: { id: string; changes: { rev: string }[] }[]; last_seq: string | number } = await storeRequest<{ results: { id: string; changes: { rev: string }[] }[]; last_seq: string | number }>(couch, db, {
        path: '_changes',
        qs: { style: 'all_docs', since: String(since), limit: CHANGES_PAGE }
      });
      const wanted = page.results.filter((r) => !r.id.startsWith('_design/')).flatMap((r) => r.changes.map((c) => ({ id: r.id, rev: c.rev })));
      const leaves = new Map<string, LeafTally>();
      for (const doc of wanted.length ? await bulkGet(couch, db, wanted) : []) {
        const t = leaves.get(doc._id) ?? { live: 0, deleted: 0 };
        if (doc._deleted) t.deleted++;
        else t.live++;
        leaves.set(doc._id, t);
        tally.line(doc);
        yield JSON.stringify(doc) + '\n';
      }
      for (const [id, t] of leaves) tally.leaves(id, t);
      if (page.results.length < CHANGES_PAGE || String(page.last_seq) === String(since)) return;
      since = page.last_seq;
    }
  }
  const written = await writeGzip(file, lines());
  return { name: db, file: dbFileName(db), ...written, lines: tally.lines, ...tally.totals(), attachments: tally.attachments, updateSeq: info.update_seq };
}

const VIEW_PAGE = 1_000;

/**
 * The tenant's documents of `platform`, found with the `tenant_docs/by_tenant` view (their winning
 * revisions, with history), plus the email claims of its users.
 */
export async function dumpPlatformDocs(couch: Couch, tenantId: string, dir: string): Promise<PlatformEntry> {
  const ids: string[] = [];
  let startDocId: string | undefined;
  for (;;) {
    const page = await storeRequest<{ rows: { id: string }[] }>(couch, PLATFORM_DB, {
      path: '_design/tenant_docs/_view/by_tenant',
      qs: { startkey: JSON.stringify(tenantId), endkey: JSON.stringify(tenantId), limit: VIEW_PAGE, reduce: false, ...(startDocId ? { startkey_docid: startDocId, skip: 1 } : {}) }
    });
    ids.push(...page.rows.map((r) => r.id));
    if (page.rows.length < VIEW_PAGE) break;
    startDocId = page.rows[page.rows.length - 1]!.id;
  }
  const docs = (await bulkGet(couch, PLATFORM_DB, ids.map((id) => ({ id })))).filter((d) => !d._deleted && isTenantPlatformDoc(d, tenantId));
  const userIds = new Set(docs.filter((d) => d.type === 'user').map((d) => d._id));
  const claims = (await bulkGet(couch, PLATFORM_DB, emailClaimIds(docs).map((id) => ({ id })))).filter((d) => !d._deleted && d.type === 'email_claim' && userIds.has(String(d.userId)));
  const all = [...docs, ...claims];
  const types: Record<string, number> = {};
  for (const d of all) types[String(d.type)] = (types[String(d.type)] ?? 0) + 1;
  const written = await writeGzip(`${dir}/${PLATFORM_FILE}`, Readable.from(all.map((d) => JSON.stringify(d) + '\n')));
  return { file: PLATFORM_FILE, ...written, lines: all.length, docs: all.length, types };
}
