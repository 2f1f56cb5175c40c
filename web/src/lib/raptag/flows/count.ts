import { countSessionSchema, type CountScope, type CountSession } from '../../domain/schemas/index.ts';
import { movedSince, scopedExpected, varianceTop, type VariantPrice, type VarianceTop } from '../../domain/rfid-count.ts';
import { recordCountSession, type DocDb, type LocalSession, type RaptagStore } from '../raptag-db.ts';
import type { VariantCatalog } from '../tag-resolver.ts';

/**
 * Count sessions on the phone, as use cases the UI calls (Node-testable: storage, ledger and catalog
 * come in as ports).
 *
 *  start   — a full count of the location (`all`) or a cycle count of categories; expected stock is
 *            the stock ledger's on-hand per variant at that moment, kept with the session;
 *  live    — counted (persisted tags) vs expected *now*: the start snapshot plus whatever the ledger
 *            moved during the count (a sale at the till while the clerk counts is accounted for, the
 *            same rule the server's review applies, domain/counts.ts);
 *  submit  — the existing `count_session` document, created once as `submitted` with source `rfid`
 *            and this phone's device id, written to the location replica (it syncs when it can; the
 *            admin portal or a manager's PIN on the phone approves it into adjustment movements).
 * A session lives in Dexie until submitted, so it survives reloads and restarts (pause/resume).
 */

export interface Staff {
  id: string;
  name: string;
}

export interface CountDeps {
  store: Pick<RaptagStore, 'saveSession' | 'getSession' | 'discardSession'>;
  /** the location replica */
  location: DocDb;
  /** on hand per variant at this location now, from the local ledger (waits until it has read the replica) */
  onHand(): Promise<ReadonlyMap<string, number>>;
  catalog(): VariantCatalog | null;
  device: { id: string; locationCode: string };
  now(): string;
  ulid(): string;
}

export class CountFlowError extends Error {
  override name = 'CountFlowError';
}

/** Which variants a scope covers (null: all of them). */
export function scopeFilter(scope: CountScope, catalog: VariantCatalog | null): ((variantId: string) => boolean) | null {
  if (scope.kind === 'all') return null;
  if (scope.kind === 'variants') {
    const ids = new Set(scope.variantIds);
    return (v) => ids.has(v);
  }
  const cats = new Set(scope.categoryIds);
  return (v) => {
    const e = catalog?.variant(v);
    return !!e && cats.has(e.categoryId);
  };
}

export async function startCount(deps: CountDeps, input: { scope: CountScope; zone: string; staff: Staff; note?: string; shared?: boolean }): Promise<LocalSession> {
  const expected = scopedExpected(await deps.onHand(), scopeFilter(input.scope, deps.catalog()));
  const session: LocalSession = {
    id: `count:${deps.device.locationCode}:${deps.ulid()}`,
    kind: 'count',
    status: 'active',
    locationCode: deps.device.locationCode,
    scope: input.scope,
    zone: input.zone,
    startedAt: deps.now(),
    startedBy: input.staff,
    expectedAtStart: [...expected],
    ...(input.note ? { note: input.note } : {}),
    ...(input.shared ? { shared: true, merged: [] } : {})
  };
  await deps.store.saveSession(session);
  return session;
}

export interface LiveCount {
  /** totals, and the 50 largest missing and unexpected lines (what the count screen lists) */
  summary: VarianceTop;
  /** units the ledger moved per variant since counting started (sales, receipts…) */
  moved: Map<string, number>;
  expectedAtStart: number;
}

/** The start snapshot as a map and its units, built once per snapshot array (it does not change during a count). */
const startMaps = new WeakMap<object, { map: Map<string, number>; units: number }>();

/** Lines the live view lists on each side (missing, unexpected). */
export const LIVE_LINES = 50;

/**
 * Counted vs expected now. Pure apart from its inputs, and run on every UI tick of a count that may
 * span 10,000 variants: one pass over them (`varianceTop`), no copy of the ledger for a full count.
 */
export function liveCount(session: LocalSession, onHandNow: ReadonlyMap<string, number>, counted: ReadonlyMap<string, number>, catalog: VariantCatalog | null): LiveCount {
  const filter = scopeFilter(session.scope ?? { kind: 'all' }, catalog);
  const snapshot = session.expectedAtStart ?? [];
  let start = startMaps.get(snapshot);
  if (!start) {
    const map = new Map(snapshot);
    let units = 0;
    for (const q of map.values()) units += q;
    startMaps.set(snapshot, (start = { map, units }));
  }
  // a full count expects the whole ledger: its zero entries are skipped by the functions below
  const now = filter ? scopedExpected(onHandNow, filter) : onHandNow;
  const summary = varianceTop(
    now,
    counted,
    (v): VariantPrice | undefined => {
      const e = catalog?.variant(v);
      return e ? { unitCost: e.cost ?? 0, unitPrice: e.price } : undefined;
    },
    LIVE_LINES
  );
  return { summary, moved: movedSince(start.map, now), expectedAtStart: start.units };
}

/** The `count_session` a submission writes (what the gateway will check, checked here first). */
export function countSessionDoc(session: LocalSession, counted: ReadonlyMap<string, number>, staff: Staff, deviceId: string, now: string): CountSession {
  if (session.kind !== 'count' || !session.scope) throw new CountFlowError(`${session.id} is not a count`);
  const by = `device:${deviceId}`;
  return countSessionSchema.parse({
    _id: session.id,
    type: 'count_session',
    locationCode: session.locationCode,
    source: 'rfid',
    scope: session.scope,
    status: 'submitted',
    counts: [...counted].filter(([, q]) => q > 0).sort(([a], [b]) => a.localeCompare(b)).map(([variantId, qty]) => ({ variantId, qty })),
    countedBy: staff.id,
    deviceId: by,
    ...(session.note ? { note: session.note } : {}),
    startedAt: session.startedAt,
    submittedAt: now,
    createdAt: now,
    createdBy: by,
    updatedAt: now,
    updatedBy: by
  });
}

/**
 * Submits: writes the count_session to the location replica, then marks the local session submitted.
 * A retry after a crash between the two finds the document written (409 → it stands) and finishes.
 */
export async function submitCount(deps: CountDeps, sessionId: string, counted: ReadonlyMap<string, number>, staff: Staff): Promise<CountSession> {
  const session = await deps.store.getSession(sessionId);
  if (!session) throw new CountFlowError(`No count ${sessionId} on this phone`);
  if (session.status === 'submitted') throw new CountFlowError('This count was submitted already');
  const now = deps.now();
  const doc = await recordCountSession(deps.location, countSessionDoc(session, counted, staff, deps.device.id, now));
  await deps.store.saveSession({ ...session, status: 'submitted', submittedAt: doc.submittedAt ?? now });
  return doc;
}

/** Expected stock now for a scope (a phone joining a shared count snapshots its own ledger). */
export async function expectedFor(deps: CountDeps, scope: CountScope): Promise<[string, number][]> {
  return [...scopedExpected(await deps.onHand(), scopeFilter(scope, deps.catalog()))];
}

/** Drops a count that will not be submitted (its buffered tags too). */
export async function discardCount(deps: CountDeps, sessionId: string): Promise<void> {
  await deps.store.discardSession(sessionId);
}
