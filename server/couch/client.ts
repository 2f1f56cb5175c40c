import nano, { type DocumentScope, type ServerScope } from 'nano';
import { notFound } from '../errors.ts';
import { casUpdate } from './cas.ts';
import { withWriteCopies } from './write-copies.ts';
import type { CouchCredentials } from './embedded.ts';

export type Db = DocumentScope<any>;

export interface Couch {
  /** Raw nano scope: takes the store's (physical) names; prefer `use`, `listDbs` and `physical`. */
  server: ServerScope;
  creds: CouchCredentials;
  /** Basic auth header value for the service account (used by the gateway proxy). */
  authHeader: string;
  /** `COUCH_DB_PREFIX`: prepended to every database name in the store ('' in production). */
  prefix: string;
  /** A database by its logical name (`platform`, `t-acme-loc-gm`). */
  use(name: string): Db;
  /** The store's name for a logical database name. */
  physical(name: string): string;
  /** Logical names of this deployment's databases (those under `prefix`). */
  listDbs(): Promise<string[]>;
  /** Shards (`q`) for new tenant databases on a CouchDB cluster; undefined: the cluster's default. */
  tenantQ?: number;
  /**
   * Copies a write waits for (CouchDB's `w`) on a cluster, set by `detectWriteCopies`: every copy,
   * so a view read right after a write sees it whichever copy answers. Undefined: the store's default
   * (the embedded store and a single node have one copy).
   */
  writeCopies?: number;
}

export interface CouchOptions {
  prefix?: string;
  tenantQ?: number;
}

/**
 * The only way server code reaches CouchDB: standard HTTP API via nano, so embedded and CouchDB 3
 * behave alike. A prefix lets several deployments (test servers on one cluster) share a store
 * without seeing each other's databases; code and clients only ever see logical names.
 */
export function connectCouch(creds: CouchCredentials, opts: CouchOptions = {}): Couch {
  const prefix = opts.prefix ?? '';
  const authHeader = 'Basic ' + Buffer.from(`${creds.user}:${creds.password}`).toString('base64');
  const server = nano({ url: creds.url, headers: { Authorization: authHeader } } as nano.Configuration);
  const physical = (name: string) => prefix + name;
  const couch: Couch = {
    server,
    creds,
    authHeader,
    prefix,
    ...(opts.tenantQ ? { tenantQ: opts.tenantQ } : {}),
    use(name) {
      return withWriteCopies(server, server.use(physical(name)), () => couch.writeCopies);
    },
    physical,
    async listDbs() {
      const all = await server.db.list();
      return all.filter((n) => n.startsWith(prefix) && !n.startsWith('_')).map((n) => n.slice(prefix.length));
    }
  };
  return couch;
}

/**
 * How many copies a write should wait for: every copy of a shard on a CouchDB cluster (`n`, never
 * more than the nodes there are), so a view or list read right after the write sees it — a clustered
 * view query reads one copy of each shard, and with the default quorum (2 of 3) that copy may not
 * have the write yet. A write with a node down still succeeds (CouchDB answers 202 once the copies
 * that are up have it). Nothing on the embedded store or a single node; `COUCH_WRITE_COPIES=quorum`
 * keeps CouchDB's default.
 */
export async function detectWriteCopies(couch: Couch, mode: 'all' | 'quorum' = 'all'): Promise<number | undefined> {
  if (mode === 'quorum') return undefined;
  let nodes: number;
  try {
    const membership = (await couch.server.request({ path: '_membership' })) as { cluster_nodes?: unknown };
    nodes = Array.isArray(membership.cluster_nodes) ? membership.cluster_nodes.length : 1;
  } catch (err) {
    // the embedded store has no cluster endpoints: one copy, nothing to wait for
    if (statusOf(err) === 404 || statusOf(err) === 400) return undefined;
    throw err;
  }
  let n = 3; // CouchDB's default when the setting is absent
  try {
    n = Number(await couch.server.request({ path: '_node/_local/_config/cluster/n' }));
  } catch (err) {
    // absent (404), or an account that may not read the node's settings: CouchDB's default
    const status = statusOf(err);
    if (status === undefined || status < 400 || status >= 500) throw err;
  }
  const copies = Math.min(Number.isInteger(n) && n > 0 ? n : 3, nodes);
  couch.writeCopies = copies > 1 ? copies : undefined;
  return couch.writeCopies;
}

export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? (err as { statusCode?: number }).statusCode : undefined;
}

/**
 * The store could not be reached or could not answer (restarting, a node down, a socket cut): the
 * caller should retry shortly. nano reports a failed connection as a plain Error with this message
 * and no code (nano 11), and a store-side failure as its answer's 5xx status; raw sockets give codes.
 */
export function storeUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; statusCode?: unknown; request?: unknown };
  if (typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(e.code)) return true;
  if (typeof e.message === 'string' && e.message.startsWith('error happened in your connection')) return true;
  return e.request !== undefined && typeof e.statusCode === 'number' && e.statusCode >= 500;
}

/**
 * A document by id, or null when there is none (404); any other failure is thrown. `parse` checks
 * its shape (a zod schema's parse); without it the body is taken as `T`.
 */
export async function getOrNull<T = Record<string, unknown>>(db: Db, id: string, parse?: (raw: unknown) => T): Promise<T | null> {
  let raw: unknown;
  try {
    raw = await db.get(id);
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
  return parse ? parse(raw) : (raw as T);
}

/**
 * A document by id, or a 404 for the API with `missing` as its message (a caller's "no such
 * thing"); any other failure is thrown. `parse` as for `getOrNull`.
 */
export async function getOr404<T = Record<string, unknown>>(db: Db, id: string, missing: string, parse?: (raw: unknown) => T): Promise<T> {
  const doc = await getOrNull(db, id, parse);
  if (doc === null) throw notFound(missing);
  return doc;
}

/**
 * Creates a database if missing (412 = another server created it first, which is fine). Tenant
 * databases (`t-…`) are small: on a cluster they get `tenantQ` shards instead of the default 2, which
 * keeps 80,000 databases from becoming 480,000 shard files (OPERATIONS.md, "Sizing").
 */
export async function ensureDb(couch: Couch, name: string): Promise<boolean> {
  try {
    const q = couch.tenantQ && name.startsWith('t-') ? { q: couch.tenantQ } : undefined;
    await couch.server.db.create(couch.physical(name), q);
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
    db: couch.physical(name),
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

/** Read-modify-write, retried when a concurrent write won (409, or a lost cluster race: cas.ts), for the few mutable server-side documents. */
export async function updateDoc<T extends { _id: string; _rev?: string }>(
  db: Db,
  id: string,
  change: (doc: T) => T | null,
  attempts = 5
): Promise<T | null> {
  const out = await casUpdate<T>(db, id, (raw) => raw as T, change, attempts);
  if (out) return out.changed ? out.doc : null;
  throw Object.assign(new Error(`${id} is being changed by other requests; retry`), { statusCode: 409 });
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
