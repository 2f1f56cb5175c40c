import nano, { type DocumentScope, type ServerScope } from 'nano';
import type { CouchCredentials } from './embedded.ts';

export type Db = DocumentScope<any>;

export interface Couch {
  server: ServerScope;
  creds: CouchCredentials;
  /** Basic auth header value for the service account (used by the gateway proxy). */
  authHeader: string;
  use(name: string): Db;
}

/** The only way server code reaches CouchDB: standard HTTP API via nano, so embedded and CouchDB 3 behave alike. */
export function connectCouch(creds: CouchCredentials): Couch {
  const authHeader = 'Basic ' + Buffer.from(`${creds.user}:${creds.password}`).toString('base64');
  const server = nano({ url: creds.url, headers: { Authorization: authHeader } } as nano.Configuration);
  return {
    server,
    creds,
    authHeader,
    use: (name) => server.use(name)
  };
}

export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? (err as { statusCode?: number }).statusCode : undefined;
}

/** Creates a database if missing (412 = another server created it first, which is fine). */
export async function ensureDb(couch: Couch, name: string): Promise<boolean> {
  try {
    await couch.server.db.create(name);
    return true;
  } catch (err) {
    if (statusOf(err) === 412) return false;
    throw err;
  }
}

/**
 * Locks a database to server admins (our service account). CouchDB 3 already defaults new databases
 * to admin-only; setting it explicitly keeps older clusters and the embedded store the same.
 */
export async function lockDb(couch: Couch, name: string): Promise<void> {
  await couch.server.request({
    db: name,
    path: '_security',
    method: 'PUT',
    body: { admins: { names: [], roles: [] }, members: { names: [], roles: ['_admin'] } }
  });
}

export async function waitForCouch(couch: Couch, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      await couch.server.info();
      return;
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`CouchDB at ${couch.creds.url} not reachable: ${String(lastErr)}`);
}

/** Read-modify-write with one retry on 409, for the few mutable server-side documents. */
export async function updateDoc<T extends { _id: string; _rev?: string }>(
  db: Db,
  id: string,
  change: (doc: T) => T | null,
  attempts = 5
): Promise<T | null> {
  for (let i = 0; i < attempts; i++) {
    const doc = (await db.get(id)) as T;
    const next = change(doc);
    if (!next) return null;
    try {
      const res = await db.insert(next);
      return { ...next, _rev: res.rev };
    } catch (err) {
      if (statusOf(err) !== 409 || i === attempts - 1) throw err;
    }
  }
  return null;
}

const LIST_PAGE = 5_000;

/** Every document whose id starts with `prefix`, read in pages of 5,000 (keyed paging, no growing skip). */
export async function listPrefix<T>(db: Db, prefix: string): Promise<T[]> {
  const out: T[] = [];
  let startkey = prefix;
  let skip = 0;
  for (;;) {
    const res = await db.list({ startkey, endkey: `${prefix}\ufff0`, include_docs: true, limit: LIST_PAGE, skip });
    for (const row of res.rows) if (row.doc) out.push(row.doc as T);
    if (res.rows.length < LIST_PAGE) return out;
    startkey = res.rows[res.rows.length - 1]!.id;
    skip = 1;
  }
}
