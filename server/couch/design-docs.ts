import { designDocsFor, mangoIndexesFor, type DesignDoc, type DesignKind } from '../../couch-design-docs/index.ts';
import { statusOf, type Db } from './client.ts';

/**
 * Idempotent deploy: a design document is written only when its version stamp differs from the
 * deployed one (re-indexing a big database is expensive, so an unchanged deploy must be a no-op).
 * Safe when several servers start at once: a 409 means another one wrote first, so re-read and compare.
 */
export async function deployDesignDocs(db: Db, kind: DesignKind): Promise<{ deployed: string[]; unchanged: string[] }> {
  const deployed: string[] = [];
  const unchanged: string[] = [];
  for (const ddoc of designDocsFor(kind)) {
    (await putIfChanged(db, ddoc)) ? deployed.push(ddoc._id) : unchanged.push(ddoc._id);
  }
  for (const idx of mangoIndexesFor(kind)) {
    // CouchDB answers "exists" for an identical index; creating one is idempotent.
    await db.createIndex({ index: idx.index, name: idx.name, ddoc: idx.ddoc, type: 'json' });
  }
  return { deployed, unchanged };
}

async function putIfChanged(db: Db, ddoc: DesignDoc, attempt = 0): Promise<boolean> {
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
    if (statusOf(err) === 409 && attempt < 2) return putIfChanged(db, ddoc, attempt + 1);
    throw err;
  }
}
