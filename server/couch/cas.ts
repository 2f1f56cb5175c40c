import type { Db } from './client.ts';

/**
 * Compare-and-swap writes that stay exclusive on a CouchDB cluster.
 *
 * A single CouchDB (and the embedded store) refuses the second of two writes made against the same
 * revision with 409. A cluster writes each of a document's n=3 copies on its own: each copy takes
 * whichever write reaches it first, the write taken by two copies is answered 201, and the other is
 * answered **202 Accepted** whenever one copy took it — both callers saw success, and the document now
 * has two leaves (a conflict). Two managers approving one count at once would both be told "approved
 * by you", and anything derived from "I changed it" (an audit entry, a one-time code) would happen twice.
 *
 * So a 202 is not taken as success: the writer reads every leaf (`open_revs=all`, a quorum read, which
 * meets a copy of any write answered 201) and, if another live leaf grew from the same revision, yields:
 * it deletes its own leaf (the rival, held by most copies, stays what every reader sees) and the caller
 * hears "lost" and re-reads. A 202 without a rival (a copy was down or slow) was the only write there
 * was, and stands. When every racer got 202 (three at once, or a node down) all yield and the document
 * is left deleted; `readAfterRace` then hands back its state before the race, and the next write
 * recreates it as a fresh race. `settlePlan` is the rule,
 * pure and table-tested; tests/integration/write-races.test.ts races writers through different nodes.
 */

export interface Leaf {
  _id: string;
  _rev: string;
  _deleted?: boolean;
  _revisions?: { start: number; ids: string[] };
  [field: string]: unknown;
}

export type SettlePlan = { kind: 'stands' } | { kind: 'yield' };

const posOf = (rev: string) => Number.parseInt(rev.slice(0, rev.indexOf('-')), 10);

/** Whether `leaf`'s history passes through `base` (null: a document written from nothing). */
function descendsFrom(leaf: Leaf, base: string | null): boolean {
  if (base === null) return true;
  const r = leaf._revisions;
  if (!r) return false;
  const depth = r.start - posOf(base);
  return depth >= 0 && depth < r.ids.length && `${posOf(base)}-${r.ids[depth]}` === base;
}

/**
 * What a write answered 202 does, given the document's leaves: `ours` is the revision it created on
 * top of `base`. Any other live leaf grown from `base` is a rival that may have been confirmed to its
 * caller (or already built upon): ours yields.
 */
export function settlePlan(ours: string, base: string | null, leaves: readonly Leaf[]): SettlePlan {
  const rival = leaves.some((l) => !l._deleted && l._rev !== ours && descendsFrom(l, base));
  return rival ? { kind: 'yield' } : { kind: 'stands' };
}

interface ScopeConfig {
  config: { url: string; db: string };
  server: { config: { url: string; headers?: Record<string, string> } };
}

/** A scope that reaches a store over HTTP (nano's); the unit tests' in-memory FakeDb does not. */
function overHttp(db: Db): boolean {
  return typeof (db as unknown as Partial<ScopeConfig>).server?.config?.url === 'string';
}

function endpoint(db: Db, path: string): { url: string; headers: Record<string, string> } {
  const scope = db as unknown as ScopeConfig;
  const base = scope.server.config.url.replace(/\/+$/, '');
  return {
    url: `${base}/${encodeURIComponent(scope.config.db)}${path}`,
    headers: { ...(scope.server.config.headers ?? {}), 'Content-Type': 'application/json', Accept: 'application/json' }
  };
}

/** An error shaped like nano's, so `statusOf` and the HTTP error funnel treat both alike. */
function couchError(status: number, body: unknown): Error {
  const reason = (body as { reason?: string } | null)?.reason ?? `couch returned ${status}`;
  return Object.assign(new Error(reason), { statusCode: status, error: (body as { error?: string } | null)?.error });
}

async function call(db: Db, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const { url, headers } = endpoint(db, path);
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/** Process-wide counts of cluster races seen (202 answers) and lost (yields), for /metrics and tests. */
export const casRaces = { accepted: 0, yielded: 0 };

async function leavesOf(db: Db, id: string): Promise<Leaf[]> {
  const res = await call(db, 'GET', `/${encodeURIComponent(id)}?open_revs=all&revs=true`);
  if (res.status !== 200 || !Array.isArray(res.body)) throw couchError(res.status, res.body);
  return (res.body as { ok?: Leaf }[]).flatMap((r) => (r.ok ? [r.ok] : []));
}

/** After a 202: true when the write stands; false when it yielded to a rival. */
async function settle<T extends { _id: string; _rev?: string }>(db: Db, doc: T, ours: string): Promise<boolean> {
  const plan = settlePlan(ours, doc._rev ?? null, await leavesOf(db, doc._id));
  if (plan.kind === 'stands') return true;
  casRaces.yielded++;
  const del = await call(db, 'POST', '/_bulk_docs', { docs: [{ _id: doc._id, _rev: ours, _deleted: true }] });
  if (del.status >= 300) throw couchError(del.status, del.body);
  return false;
}

/**
 * Writes `doc` if its `_rev` (none: a new document) is still current. `{ ok: false }` means another
 * write got there first — re-read (`readAfterRace`) and decide again; other failures throw like nano.
 */
export async function casPut<T extends { _id: string; _rev?: string }>(db: Db, doc: T): Promise<{ ok: true; rev: string } | { ok: false }> {
  if (!overHttp(db)) {
    // an in-memory store has one copy: its 409 is the whole answer
    try {
      return { ok: true, rev: (await db.insert(doc)).rev };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 409) return { ok: false };
      throw err;
    }
  }
  const res = await call(db, 'PUT', `/${encodeURIComponent(doc._id)}`, doc);
  if (res.status === 409) return { ok: false };
  if (res.status !== 201 && res.status !== 202) throw couchError(res.status, res.body);
  const rev = (res.body as { rev: string }).rev;
  if (res.status === 201) return { ok: true, rev };
  casRaces.accepted++;
  return (await settle(db, doc, rev)) ? { ok: true, rev } : { ok: false };
}

/**
 * Reads a document again after a lost write. When every racer yielded (each write taken by one copy
 * only, as with three at once or a node down) the document is left deleted: then its state as of
 * `base`, the revision the lost write was made on, comes back without a revision, so the next write
 * recreates it — itself a fresh race that `casPut` settles.
 */
export async function readAfterRace(db: Db, id: string, base: string | undefined): Promise<Record<string, unknown>> {
  if (!overHttp(db)) return (await db.get(id)) as Record<string, unknown>;
  const res = await call(db, 'GET', `/${encodeURIComponent(id)}`);
  if (res.status === 200) return res.body as Record<string, unknown>;
  if (res.status !== 404 || base === undefined || (res.body as { reason?: string } | null)?.reason !== 'deleted') throw couchError(res.status, res.body);
  const old = await call(db, 'GET', `/${encodeURIComponent(id)}?rev=${encodeURIComponent(base)}`);
  if (old.status !== 200) throw couchError(404, res.body);
  const { _rev: _gone, ...body } = old.body as Record<string, unknown>;
  return body;
}

/**
 * Read-modify-write by compare-and-swap: reads `id`, asks `next` for the next state (null: nothing to
 * change), writes it, and on a lost write reads again (`readAfterRace`) and asks again. Null when every
 * attempt lost; `updateDoc` and `advanceDoc` say that in their own words.
 */
export async function casUpdate<T extends { _id: string; _rev?: string }>(
  db: Db,
  id: string,
  parse: (raw: unknown) => T,
  next: (current: T) => T | null,
  attempts = 5
): Promise<{ doc: T; changed: boolean } | null> {
  let lostOn: string | undefined;
  for (let i = 0; i < attempts; i++) {
    const current = parse(lostOn === undefined ? await db.get(id) : await readAfterRace(db, id, lostOn));
    const updated = next(current);
    if (!updated) return { doc: current, changed: false };
    const res = await casPut(db, updated);
    if (res.ok) return { doc: { ...updated, _rev: res.rev }, changed: true };
    lostOn = current._rev ?? lostOn;
  }
  return null;
}
