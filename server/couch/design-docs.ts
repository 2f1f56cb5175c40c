import { statusOf, type Couch, type Db } from './client.ts';
import { designDocsFor, mangoIndexesFor, type DesignDoc, type DesignKind } from '../../couch-design-docs/index.ts';
import { INTEGRATIONS_DB, PLATFORM_DB, parseDbName } from '../../web/src/lib/domain/db-names.ts';

export interface DeployResult {
  deployed: string[];
  unchanged: string[];
}

/**
 * Idempotent deploy: a design document is written only when its version stamp differs from the
 * deployed one (a changed design doc makes CouchDB rebuild its views, which is expensive on a big
 * database, so an unchanged deploy must be a no-op: one GET per design doc and no write).
 * Safe when several servers start at once: a 409 means another one wrote first, so re-read and
 * compare once more.
 */
export async function deployDesignDocs(db: Db, kind: DesignKind): Promise<DeployResult> {
  const deployed: string[] = [];
  const unchanged: string[] = [];
  for (const ddoc of designDocsFor(kind)) {
    (await putIfChanged(db, ddoc)) ? deployed.push(ddoc._id) : unchanged.push(ddoc._id);
  }
  for (const idx of mangoIndexesFor(kind)) {
    // No GET _index first: POST _index answers {result:"exists"} for an identical index without
    // writing (measured on PouchDB 9 + pouchdb-find, which express-pouchdb runs: same _rev, ~2 ms;
    // CouchDB 3 documents the same), so checking first would only add a round trip.
    await db.createIndex({ index: idx.index, name: idx.name, ddoc: idx.ddoc, type: 'json' });
  }
  return { deployed, unchanged };
}

async function putIfChanged(db: Db, ddoc: DesignDoc, retried = false): Promise<boolean> {
  let current: (DesignDoc & { _rev: string }) | null = null;
  try {
    current = (await db.get(ddoc._id)) as DesignDoc & { _rev: string };
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  if (current?.version === ddoc.version) return false;
  try {
    await db.insert(current ? { ...ddoc, _rev: current._rev } : ddoc);
    return true;
  } catch (err) {
    // Another server deployed between our GET and PUT: re-read; usually it wrote this very version.
    if (statusOf(err) === 409 && !retried) return putIfChanged(db, ddoc, true);
    throw err;
  }
}

/** The kind of design documents a database gets, from its name; null for databases we do not own. */
export function designKindOf(dbName: string): DesignKind | null {
  if (dbName === PLATFORM_DB) return 'platform';
  if (dbName === INTEGRATIONS_DB) return 'integrations';
  return parseDbName(dbName)?.kind ?? null;
}

/**
 * Brings every platform and tenant database up to the current design docs, e.g. on start, so a
 * changed view reaches databases provisioned by an older release. Unchanged databases cost one GET
 * per design doc; a few run at a time so thousands of databases do not flood the store.
 */
export async function deployAllDesignDocs(couch: Couch, concurrency = 4): Promise<Record<string, DeployResult>> {
  const targets = (await couch.listDbs()).flatMap((name) => {
    const kind = designKindOf(name);
    return kind ? [{ name, kind }] : [];
  });
  const out: Record<string, DeployResult> = {};
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const t = targets[next++]!;
      out[t.name] = await deployDesignDocs(couch.use(t.name), t.kind);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, targets.length)) }, worker));
  return out;
}
