import { locationDb } from '#domain/db-names.ts';
import {
  CountError,
  countMovement,
  countTotals,
  enterCounts,
  expectedAtSnapshot,
  ledgerDeltaSince,
  makeManualCount,
  markApproved,
  markRejected,
  planApprove,
  reviewLines,
  submitCount,
  type CountTotals,
  type ReviewLine,
  enterCountsInput,
  rejectCountInput,
  startCountInput
} from '#domain/counts.ts';
import { sameMovement, type Actor, type StockMovement } from '#domain/inventory.ts';
import { countSessionSchema, type CountSession, type CountStatus } from '#domain/schemas/index.ts';
import type { z } from 'zod';
import { recordAudit } from '../audit.ts';
import { actorOf, authorize, type Caller } from '../auth/principal.ts';
import type { Permission } from '#domain/permissions.ts';
import { getOr404, type Couch } from '../couch/client.ts';
import { badRequest, conflict, notFound, parseBody } from '../errors.ts';
import { assertLocations, stockLevels, unknownVariants } from './service.ts';
import { advanceDoc, insertOnce, variantInfo, variantsInCategories } from './store.ts';

/**
 * Count sessions for the API: start / enter / submit a manual count, and review any count (manual or
 * from an RFID phone): expected vs counted, approve into a `count` movement exactly once, or reject.
 * The decisions are domain/counts.ts (its header explains expected-as-of-submission and idempotency).
 */

const asAppError = (err: unknown): never => {
  if (err instanceof CountError) throw err.code === 'invalid' ? badRequest(err.message) : conflict(err.message);
  throw err;
};
const parseSession = (raw: unknown) => countSessionSchema.parse(raw);

export function parseCountId(id: string): { location: string } | null {
  const m = /^count:([A-Z][A-Z0-9]{1,9}):[0-9A-HJKMNP-TV-Z]{26}$/.exec(id);
  return m ? { location: m[1]! } : null;
}

export async function getCount(couch: Couch, tenantId: string, id: string): Promise<CountSession> {
  const parsed = parseCountId(id);
  if (!parsed) throw notFound(`No count ${id} (ids look like count:GM:{ulid})`);
  return getOr404(couch.use(locationDb(tenantId, parsed.location)), id, `No count ${id}`, parseSession);
}

/** Sessions of a location, newest first (ids sort by time: one `_all_docs` range, no view to build): needs inventory:adjust there. */
export async function listCounts(couch: Couch, caller: Caller, location: string, status?: CountStatus, limit = 500): Promise<CountSession[]> {
  const { tenantId } = authorize(caller.principal, 'inventory:adjust', 'Viewing counts', [location]);
  await assertLocations(couch, tenantId, [location]);
  const res = await couch.use(locationDb(tenantId, location)).list({ startkey: `count:${location}:\ufff0`, endkey: `count:${location}:`, descending: true, include_docs: true, limit: 2000 });
  return res.rows
    .map((r) => r.doc as unknown as CountSession)
    .filter((d) => d?.type === 'count_session' && (!status || d.status === status))
    .slice(0, limit);
}

async function startCountNow(couch: Couch, tenantId: string, input: z.output<typeof startCountInput>, actor: Actor, requestId?: string): Promise<{ session: CountSession; created: boolean }> {
  await assertLocations(couch, tenantId, [input.location]);
  if (input.scope.kind === 'variants') {
    const unknown = await unknownVariants(couch, tenantId, input.scope.variantIds);
    if (unknown.length) throw badRequest(`scope.variantIds: no product in the catalog has variant ${unknown.slice(0, 10).join(', ')}`);
  }
  const session = makeManualCount(input, actor);
  const out = await insertOnce(couch.use(locationDb(tenantId, input.location)), session, (s) => s.locationCode === session.locationCode && s.source === 'manual', 'Count');
  if (out.created) await recordAudit(couch, tenantId, { action: 'count.started', actor: actor.by, target: session._id, details: { scope: input.scope }, ...(requestId ? { requestId } : {}) });
  return { session: out.doc, created: out.created };
}

async function recordCountsNow(couch: Couch, tenantId: string, id: string, input: z.output<typeof enterCountsInput>, actor: Actor): Promise<CountSession> {
  const s = await getCount(couch, tenantId, id);
  const unknown = await unknownVariants(couch, tenantId, input.counts.map((l) => l.variantId));
  if (unknown.length) throw badRequest(`counts: no product in the catalog has variant ${unknown.slice(0, 10).join(', ')}`);
  const out = await advanceDoc(couch.use(locationDb(tenantId, s.locationCode)), id, parseSession, (cur) => {
    try {
      return enterCounts(cur, input.counts, actor);
    } catch (err) {
      return asAppError(err);
    }
  });
  return out.doc;
}

async function submitNow(couch: Couch, tenantId: string, id: string, actor: Actor, requestId?: string): Promise<{ session: CountSession; changed: boolean }> {
  const s = await getCount(couch, tenantId, id);
  const out = await advanceDoc(couch.use(locationDb(tenantId, s.locationCode)), id, parseSession, (cur) => submitCount(cur, actor));
  if (out.changed) await recordAudit(couch, tenantId, { action: 'count.submitted', actor: actor.by, target: id, details: { lines: out.doc.counts.length }, ...(requestId ? { requestId } : {}) });
  return { session: out.doc, changed: out.changed };
}

/** Ledger documents of the location stamped after `since` (Mango index type+createdAt; usually few). */
async function ledgerSince(couch: Couch, tenantId: string, location: string, since: string) {
  const db = couch.use(locationDb(tenantId, location));
  const found = await Promise.all(
    (['stock_movement', 'sale', 'void'] as const).map(async (type) => {
      const res = await db.find({ selector: { type, createdAt: { $gt: since } }, use_index: 'idx-type-createdAt', fields: ['type', 'locationCode', 'createdAt', 'lines'], limit: 100_000 });
      return res.docs as { type?: string; locationCode?: string; createdAt?: string; lines?: { variantId: string; qty: number }[] }[];
    })
  );
  return found.flat();
}

export interface CountReview {
  lines: (ReviewLine & { sku: string; name: string })[];
  totals: CountTotals;
  /** true when the lines are frozen on a reviewed session, false when computed now */
  frozen: boolean;
}

/** The live review of a submitted (or open) session: expected as of submission, counted, variance at cost. */
async function computeLines(couch: Couch, tenantId: string, s: CountSession, now: string): Promise<ReviewLine[]> {
  const snapshot = s.submittedAt ?? now;
  const scopeVariants = s.scope.kind === 'variants' ? s.scope.variantIds : s.scope.kind === 'categories' ? await variantsInCategories(couch, tenantId, s.scope.categoryIds) : [];
  const delta = ledgerDeltaSince(await ledgerSince(couch, tenantId, s.locationCode, snapshot), s.locationCode, snapshot);
  const ask = s.scope.kind === 'all' ? [] : [...new Set([...scopeVariants, ...s.counts.map((c) => c.variantId), ...delta.keys()])];
  const levels = await stockLevels(couch, tenantId, s.locationCode, ask);
  const expected = expectedAtSnapshot(new Map(levels.map((l) => [l.variantId, l.onHand])), delta);
  const draft = reviewLines(s, scopeVariants, expected, new Map());
  const info = await variantInfo(couch, tenantId, draft.map((l) => l.variantId));
  return draft.map((l) => ({ ...l, unitCost: info.get(l.variantId)?.cost ?? 0 }));
}

async function withNames(couch: Couch, tenantId: string, lines: ReviewLine[], frozen: boolean): Promise<CountReview> {
  const info = await variantInfo(couch, tenantId, lines.map((l) => l.variantId));
  return {
    lines: lines.map((l) => ({ ...l, sku: info.get(l.variantId)?.sku ?? l.variantId, name: info.get(l.variantId)?.name ?? '(not in the catalog)' })),
    totals: countTotals(lines),
    frozen
  };
}

export async function reviewOf(couch: Couch, tenantId: string, s: CountSession): Promise<CountReview> {
  if (s.reviewLines) return withNames(couch, tenantId, s.reviewLines, true);
  return withNames(couch, tenantId, await computeLines(couch, tenantId, s, new Date().toISOString()), false);
}

/** Approve: write the correction movement (once), then mark the session approved with the lines it was computed from. */
async function approveNow(couch: Couch, tenantId: string, id: string, actor: Actor, requestId?: string): Promise<{ session: CountSession; changed: boolean }> {
  const s = await getCount(couch, tenantId, id);
  try {
    if (planApprove(s).kind === 'done') return { session: s, changed: false };
  } catch (err) {
    asAppError(err);
  }
  const lines = await computeLines(couch, tenantId, s, actor.now);
  const db = couch.use(locationDb(tenantId, s.locationCode));
  const want = countMovement(s, lines, actor);
  let movement: StockMovement | null = null;
  if (want) movement = (await insertOnce(db, want, (stored) => sameMovement(stored, want), 'Count movement')).doc;
  const out = await advanceDoc(db, id, parseSession, (cur) => {
    try {
      return planApprove(cur).kind === 'done' ? null : markApproved(cur, lines, movement, actor);
    } catch (err) {
      return asAppError(err);
    }
  });
  if (out.changed) {
    const t = countTotals(lines);
    await recordAudit(couch, tenantId, { action: 'count.approved', actor: actor.by, target: id, details: { movement: movement?._id ?? null, variance: t.variance, varianceValue: t.varianceValue }, ...(requestId ? { requestId } : {}) });
  }
  return { session: out.doc, changed: out.changed };
}

async function rejectNow(couch: Couch, tenantId: string, id: string, reason: string, actor: Actor, requestId?: string): Promise<{ session: CountSession; changed: boolean }> {
  const s = await getCount(couch, tenantId, id);
  if (s.status !== 'submitted') {
    try {
      markRejected(s, reason, [], actor); // answers done (already rejected) or refuses
    } catch (err) {
      asAppError(err);
    }
    return { session: s, changed: false };
  }
  const lines = await computeLines(couch, tenantId, s, actor.now);
  const out = await advanceDoc(couch.use(locationDb(tenantId, s.locationCode)), id, parseSession, (cur) => {
    try {
      return markRejected(cur, reason, lines, actor);
    } catch (err) {
      return asAppError(err);
    }
  });
  if (out.changed) await recordAudit(couch, tenantId, { action: 'count.rejected', actor: actor.by, target: id, details: { reason }, ...(requestId ? { requestId } : {}) });
  return { session: out.doc, changed: out.changed };
}

// -------------------------------------------------------------------------------------------------
// Use cases: each checks its caller whoever calls it. Reviewing (the variance, approve, reject) needs
// inventory:adjust; running a manual count (start, enter, submit) inventory:count; both at the
// session's location.

/** The session `id` for a caller with `permission`: refused before the read, then for its location. */
export async function countFor(couch: Couch, caller: Caller, permission: Permission, action: string, id: string): Promise<CountSession> {
  const p = authorize(caller.principal, permission, action);
  const s = await getCount(couch, p.tenantId, id);
  authorize(p, permission, action, s.locationCode);
  return s;
}

export async function startCount(couch: Couch, caller: Caller, raw: unknown): Promise<{ session: CountSession; created: boolean }> {
  authorize(caller.principal, 'inventory:count', 'Starting a count');
  const input = parseBody(startCountInput, raw);
  const p = authorize(caller.principal, 'inventory:count', 'Starting a count', input.location);
  return startCountNow(couch, p.tenantId, input, actorOf(p), caller.requestId);
}

export async function recordCounts(couch: Couch, caller: Caller, id: string, raw: unknown): Promise<CountSession> {
  authorize(caller.principal, 'inventory:count', 'Entering counts');
  const input = parseBody(enterCountsInput, raw);
  const s = await countFor(couch, caller, 'inventory:count', 'Entering counts', id);
  return recordCountsNow(couch, caller.principal.tenantId, s._id, input, actorOf(caller.principal));
}

export async function submit(couch: Couch, caller: Caller, id: string): Promise<{ session: CountSession; changed: boolean }> {
  const s = await countFor(couch, caller, 'inventory:count', 'Submitting a count', id);
  return submitNow(couch, caller.principal.tenantId, s._id, actorOf(caller.principal), caller.requestId);
}

export async function approve(couch: Couch, caller: Caller, id: string): Promise<{ session: CountSession; changed: boolean }> {
  const s = await countFor(couch, caller, 'inventory:adjust', 'Approving a count', id);
  return approveNow(couch, caller.principal.tenantId, s._id, actorOf(caller.principal), caller.requestId);
}

export async function reject(couch: Couch, caller: Caller, id: string, raw: unknown): Promise<{ session: CountSession; changed: boolean }> {
  authorize(caller.principal, 'inventory:adjust', 'Rejecting a count');
  const input = parseBody(rejectCountInput, raw);
  const s = await countFor(couch, caller, 'inventory:adjust', 'Rejecting a count', id);
  return rejectNow(couch, caller.principal.tenantId, s._id, input.reason, actorOf(caller.principal), caller.requestId);
}
