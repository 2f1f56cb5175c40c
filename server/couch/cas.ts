import type { Db } from './client.ts';
import { writeCopiesOf } from './write-copies.ts';

/**
 * Compare-and-swap writes that stay exclusive on a CouchDB cluster.
 *
 * A single CouchDB (and the embedded store) refuses the second of two writes made against the same
 * revision with 409. A cluster writes each of a document's n=3 copies on its own: each copy takes
 * whichever write reaches it first, the write taken by two copies (w=2) is answered 201, and a write
 * taken by fewer is answered **202 Accepted** — both callers saw success, and the document now has two
 * leaves (a conflict). Two managers approving one count at once would both be told "approved by you",
 * and anything derived from "I changed it" (an audit entry, a one-time code) would happen twice.
 *
 * So a 202 is not taken as success. The coordinator answers 202 only once every copy has decided, so
 * the writer then reads every copy's leaves (`open_revs=all&r=n`) and sees every write of the race:
 * - no other live leaf grew from the same revision: the 202 was the only write there was (a copy was
 *   down or slow), and it stands;
 * - as many writes of the race as there are copies: each copy took a different one, so none was
 *   answered 201, and every racer sees the same set — the greatest revision stands, the others yield;
 * - fewer: one rival was taken by several copies and may have been answered 201 — ours yields.
 * To yield is to delete one's own leaf (the rival stays what every reader sees); the caller hears
 * "lost" and re-reads. Only when copies are unreachable can every racer yield; the document is then
 * left deleted, `readAfterRace` hands back its state before the race and the next write recreates it
 * as a fresh race, and `settledLeaves` lets a creator wait for the race to end before it reads.
 * `settlePlan` is the rule, pure and table-tested; tests/integration/write-races.test.ts races writers
 * through different nodes of a local cluster.
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

/** The revision at position `pos` in a leaf's history, if the history reaches back that far. */
function revAt(leaf: Leaf, pos: number): string | null {
  const r = leaf._revisions;
  if (!r) return null;
  const depth = r.start - pos;
  return depth >= 0 && depth < r.ids.length ? `${pos}-${r.ids[depth]}` : null;
}

/** CouchDB's order of revisions at one position (its winner is the greatest): by hash. */
const revHash = (rev: string) => rev.slice(rev.indexOf('-') + 1);

/**
 * What a write answered 202 does, given every copy's leaves: `ours` is the revision it created on top of
 * `base` (null: a new document), `copies` the database's n. Any other live leaf grown from `base` is a
 * rival. When the race's writes (the revisions at our position on every history from `base`, tombstones
 * of yielded racers included) number `copies`, each copy took one and none was confirmed 201: all racers
 * see that same set and agree that its greatest revision stands. Otherwise a rival may have been
 * confirmed to its caller (or already built upon): ours yields.
 */
export function settlePlan(ours: string, base: string | null, leaves: readonly Leaf[], copies: number): SettlePlan {
  const fromBase = leaves.filter((l) => descendsFrom(l, base));
  const rival = fromBase.some((l) => !l._deleted && l._rev !== ours);
  if (!rival) return { kind: 'stands' };
  const pos = posOf(ours);
  const race = new Set(fromBase.map((l) => revAt(l, pos)).filter((r): r is string => r !== null));
  race.add(ours);
  const greatest = [...race].reduce((a, b) => (revHash(b) > revHash(a) ? b : a));
  return copies > 1 && race.size >= copies && greatest === ours ? { kind: 'stands' } : { kind: 'yield' };
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

/**
 * Process-wide counts of cluster races, for /metrics and tests: writes answered 202, of those the ones
 * that stood because every racer agreed on them (each copy took a different write), and those that yielded.
 */
export const casRaces = { accepted: 0, agreed: 0, yielded: 0 };

/** The database's number of copies (n), read once per database; 1 where the store does not say. */
const copiesOf = new Map<string, Promise<number>>();
function copies(db: Db): Promise<number> {
  const key = endpoint(db, '').url;
  let n = copiesOf.get(key);
  if (!n) {
    n = call(db, 'GET', '').then((res) => (res.body as { cluster?: { n?: number } } | null)?.cluster?.n ?? 1);
    n.catch(() => copiesOf.delete(key));
    copiesOf.set(key, n);
  }
  return n;
}

/** Every leaf of a document on every reachable copy (`r=n`: a quorum read could miss a copy's write). */
async function leavesOf(db: Db, id: string): Promise<Leaf[]> {
  const res = await call(db, 'GET', `/${encodeURIComponent(id)}?open_revs=all&revs=true&r=${await copies(db)}`);
  if (res.status !== 200 || !Array.isArray(res.body)) throw couchError(res.status, res.body);
  return (res.body as { ok?: Leaf }[]).flatMap((r) => (r.ok ? [r.ok] : []));
}

/** After a 202: true when the write stands; false when it yielded to a rival. */
async function settle<T extends { _id: string; _rev?: string }>(db: Db, doc: T, ours: string): Promise<boolean> {
  const leaves = await leavesOf(db, doc._id);
  const plan = settlePlan(ours, doc._rev ?? null, leaves, await copies(db));
  if (plan.kind === 'stands') {
    if (leaves.some((l) => !l._deleted && l._rev !== ours)) casRaces.agreed++;
    return true;
  }
  casRaces.yielded++;
  const del = await call(db, 'POST', '/_bulk_docs', { docs: [{ _id: doc._id, _rev: ours, _deleted: true }] });
  if (del.status >= 300) throw couchError(del.status, del.body);
  return false;
}

/**
 * The live leaves of a document once a race over it has ended: racers that lost delete their leaves a
 * moment after their answer, so a reader that lost reads again (briefly backing off) until at most one
 * live leaf is left — the winner, or none when every racer yielded. Null when the race has not ended
 * within the attempts.
 */
export async function settledLeaves(db: Db, id: string, attempts = 8): Promise<Leaf[] | null> {
  if (!overHttp(db)) {
    try {
      return [(await db.get(id)) as unknown as Leaf];
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return [];
      throw err;
    }
  }
  for (let i = 0; i < attempts; i++) {
    const live = (await leavesOf(db, id).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode === 404) return [];
      throw err;
    })).filter((l) => !l._deleted);
    if (live.length <= 1) return live;
    await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** i));
  }
  return null;
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
  if (res.status === 201) return onEveryCopy(db, doc, rev);
  casRaces.accepted++;
  return (await settle(db, doc, rev)) ? onEveryCopy(db, doc, rev) : { ok: false };
}

/**
 * Where the deployment writes to every copy (`w` = n: couch/client.ts detectWriteCopies, so a view
 * read after a request's write sees it), the revision a compare-and-swap wrote is put on every copy
 * before the caller goes on. The write itself stays at CouchDB's quorum, because the race rule above
 * reads a 201 as "two copies"; the copy that may lack it then gets the very same revision as a
 * replicated write (`new_edits=false`: nothing changes where it already is), answered once every copy
 * has it. If that fails the write still stands and internal replication catches the copy up.
 */
async function onEveryCopy<T extends { _id: string; _rev?: string }>(db: Db, doc: T, rev: string): Promise<{ ok: true; rev: string }> {
  const w = writeCopiesOf(db);
  if (w) {
    const ids = [revHash(rev), ...(doc._rev ? [revHash(doc._rev)] : [])];
    await call(db, 'POST', `/_bulk_docs?w=${w}`, { new_edits: false, docs: [{ ...doc, _rev: rev, _revisions: { start: posOf(rev), ids } }] }).catch(() => undefined);
  }
  return { ok: true, rev };
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
