import vm from 'node:vm';
import { getOrNull, statusOf, type Db } from './client.ts';
import { designDocsFor, mangoIndexesFor, type DesignDoc, type DesignKind } from '../../couch-design-docs/index.ts';
import { INTEGRATIONS_DB, PLATFORM_DB, parseDbName } from '#domain/db-names.ts';
import { canonicalJson } from '#domain/canonical-json.ts';

/** A design document as the store has it: written by this release, an earlier or a later one. */
export interface LiveDesignDoc {
  _id: string;
  _rev: string;
  language?: string;
  options?: unknown;
  views?: Record<string, { map: string; reduce?: string }>;
  validate_doc_update?: string;
  version?: string;
  /** absent on documents deployed before generations existed: generation 0 */
  generation?: number;
}

/**
 * What bringing one design document to `target` takes:
 * - `current`: same version; nothing to do.
 * - `create`: missing; written directly (no older view serves meanwhile, so there is nothing to keep).
 * - `replace`: changed, but not its index (say, only its validate_doc_update): written directly, the
 *   built index is kept (same signature).
 * - `stage`: its views changed, so writing it would make the next query rebuild them: built under
 *   `_design/{name}-next` first and swapped in when built (ddoc-upgrade.ts).
 * - `newer`: written by a release of a higher generation (a rolling deploy, or a rollback): left as
 *   it is unless downgrades are allowed (DESIGN_DOC_DOWNGRADE).
 */
export type DesignDocAction = 'current' | 'create' | 'replace' | 'stage' | 'newer';

export interface PlanOptions {
  /** write over documents of a higher generation too (an operator rolling back on purpose) */
  allowDowngrade?: boolean;
}

export function planDesignDoc(live: LiveDesignDoc | null, target: DesignDoc, opts: PlanOptions = {}): DesignDocAction {
  if (!live) return 'create';
  if (live.version === target.version) return 'current';
  if (!opts.allowDowngrade && (live.generation ?? 0) > target.generation) return 'newer';
  if (Object.keys(target.views ?? {}).length === 0 || sameIndex(live, target)) return 'replace';
  return 'stage';
}

/**
 * What a design document's view index is keyed by. CouchDB names index files by a signature of the
 * views (map, reduce, options), the language and the design options, not by `_id`, revision or any
 * other field; PouchDB (the embedded store) keys each view's index by its map and reduce. Two
 * documents with equal keys here share their built index on both.
 */
export function indexKey(doc: Pick<LiveDesignDoc, 'language' | 'options' | 'views'>): string {
  return canonicalJson({ language: doc.language ?? 'javascript', options: doc.options ?? null, views: doc.views ?? {} });
}

export function sameIndex(a: Pick<LiveDesignDoc, 'language' | 'options' | 'views'>, b: Pick<LiveDesignDoc, 'language' | 'options' | 'views'>): boolean {
  return indexKey(a) === indexKey(b);
}

/** CouchDB's builtin reduce functions (anything else starting with `_` it refuses). */
const BUILTIN_REDUCE = new Set(['_sum', '_count', '_stats', '_approx_count_distinct']);

/**
 * Why a design document's view functions would not run, or null: each map and reduce must evaluate
 * to a function (the function is not called). CouchDB refuses such a document on PUT; PouchDB (the
 * embedded store) accepts it and then fails every document's map silently, leaving an empty index,
 * so this is checked before an upgrade stages anything. Also refused: a function ending in a line
 * comment, which PouchDB's wrapping turns into a syntax error (measured) though CouchDB runs it.
 */
export function viewFunctionProblem(doc: Pick<DesignDoc, '_id' | 'views'>): string | null {
  for (const [name, view] of Object.entries(doc.views ?? {})) {
    for (const [part, src] of [['map', view.map], ['reduce', view.reduce]] as const) {
      if (src === undefined) continue;
      if (part === 'reduce' && src.startsWith('_')) {
        if (!BUILTIN_REDUCE.has(src)) return `${doc._id} view ${name}: ${src} is not a builtin reduce`;
        continue;
      }
      try {
        // wrapped as PouchDB wraps it (`(src)(doc)`): a trailing line comment would swallow the call
        const fn: unknown = vm.runInNewContext(`(${src})`, {}, { timeout: 1_000 });
        if (typeof fn !== 'function') return `${doc._id} view ${name}: its ${part} is not a function`;
      } catch (err) {
        return `${doc._id} view ${name}: its ${part} does not compile (${err instanceof Error ? err.message : String(err)})`;
      }
    }
  }
  return null;
}

export function getDesignDoc(db: Db, id: string): Promise<LiveDesignDoc | null> {
  return getOrNull<LiveDesignDoc>(db, id);
}

/**
 * Settles conflicting revisions of a design document. On a CouchDB cluster two server copies writing
 * over the same revision at once can both be accepted (by different copies of the shard), which
 * leaves a conflict whose winner is picked by revision, not by release. Keeps the revision of the
 * highest generation (among equals: `target`'s version; with downgrades allowed: `target`'s first)
 * and deletes the others. Returns how many it deleted. The conflicts worker never sees these: views
 * skip design documents.
 */
export async function settleDesignDocConflicts(db: Db, id: string, target: DesignDoc, opts: PlanOptions = {}): Promise<number> {
  let winner: LiveDesignDoc & { _conflicts?: string[] };
  try {
    winner = (await db.get(id, { conflicts: true })) as LiveDesignDoc & { _conflicts?: string[] };
  } catch (err) {
    if (statusOf(err) === 404) return 0;
    throw err;
  }
  if (!winner._conflicts?.length) return 0;
  const revs: LiveDesignDoc[] = [winner, ...(await Promise.all(winner._conflicts.map((rev) => db.get(id, { rev }) as Promise<LiveDesignDoc>)))];
  const rank = (d: LiveDesignDoc) => (opts.allowDowngrade && d.version === target.version ? Number.MAX_SAFE_INTEGER : (d.generation ?? 0) * 2 + (d.version === target.version ? 1 : 0));
  const keep = revs.reduce((best, d) => (rank(d) > rank(best) ? d : best));
  let removed = 0;
  for (const d of revs) {
    if (d._rev === keep._rev) continue;
    try {
      await db.destroy(id, d._rev);
      removed++;
    } catch (err) {
      // another copy settled it first
      if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
    }
  }
  return removed;
}

export interface DeployOptions extends PlanOptions {
  /**
   * What to do with a document whose views changed: `replace` it now (a new database: nothing to
   * rebuild yet), or `leave` it for the staged upgrade (an existing database: the old views keep
   * serving until the new ones are built, ddoc-upgrade.ts).
   */
  changed?: 'replace' | 'leave';
  /** the design documents to deploy (default: the sources for the kind) */
  designDocs?: DesignDoc[];
}

export interface DeployResult {
  deployed: string[];
  unchanged: string[];
  /** views changed; left for the staged upgrade (`changed: 'leave'`) */
  deferred: string[];
  /** written by a release of a higher generation; left alone */
  newer: string[];
}

export type WriteOutcome = 'deployed' | 'unchanged' | 'deferred' | 'newer';

/**
 * Idempotent deploy: a design document is written only when its version stamp differs from the
 * deployed one (a changed design doc makes CouchDB rebuild its views, which is expensive on a big
 * database, so an unchanged deploy must be a no-op: one GET per design doc and no write), and never
 * over a higher generation's. Safe when several servers start at once: a 409 means another one wrote
 * first, so re-read and compare once more.
 */
export async function deployDesignDocs(db: Db, kind: DesignKind, opts: DeployOptions = {}): Promise<DeployResult> {
  const out: DeployResult = { deployed: [], unchanged: [], deferred: [], newer: [] };
  for (const ddoc of opts.designDocs ?? designDocsFor(kind)) out[await writeDesignDoc(db, ddoc, opts)].push(ddoc._id);
  await deployMangoIndexes(db, kind);
  return out;
}

export async function deployMangoIndexes(db: Db, kind: DesignKind): Promise<void> {
  for (const idx of mangoIndexesFor(kind)) {
    // No GET _index first: POST _index answers {result:"exists"} for an identical index without
    // writing (measured on PouchDB 9 + pouchdb-find, which express-pouchdb runs: same _rev, ~2 ms;
    // CouchDB 3 documents the same), so checking first would only add a round trip.
    await db.createIndex({ index: idx.index, name: idx.name, ddoc: idx.ddoc, type: 'json' });
  }
}

/** Writes one design document if it needs it (see deployDesignDocs). */
export async function writeDesignDoc(db: Db, ddoc: DesignDoc, opts: DeployOptions = {}, retried = false): Promise<WriteOutcome> {
  const current = await getDesignDoc(db, ddoc._id);
  const action = planDesignDoc(current, ddoc, opts);
  if (action === 'current') return 'unchanged';
  if (action === 'newer') return 'newer';
  if (action === 'stage' && opts.changed === 'leave') return 'deferred';
  try {
    await db.insert(current ? { ...ddoc, _rev: current._rev } : ddoc);
    return 'deployed';
  } catch (err) {
    // Another server deployed between our GET and PUT: re-read; usually it wrote this very version.
    if (statusOf(err) === 409 && !retried) return writeDesignDoc(db, ddoc, opts, true);
    throw err;
  }
}

/** The kind of design documents a database gets, from its name; null for databases we do not own. */
export function designKindOf(dbName: string): DesignKind | null {
  if (dbName === PLATFORM_DB) return 'platform';
  if (dbName === INTEGRATIONS_DB) return 'integrations';
  return parseDbName(dbName)?.kind ?? null;
}
