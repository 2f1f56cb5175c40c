/**
 * Count sessions (schemas/counts.ts): the variance math and the review state machine, pure.
 *
 * Expected stock. A count stands for one moment, its `submittedAt`: expected = on hand as of that
 * moment = on hand now − every ledger change stamped after it (`ledgerDeltaSince`, the same sum as
 * the `stock/on_hand` view). So sales rung up after the count was submitted — while it waits for
 * review — are not variance, and approving writes `counted − expected` as a correction on top of
 * today's stock: a shelf counted at 8 with 10 expected, then 3 sold, ends at 8 − 3 = 5. Sales during
 * the counting itself (between `startedAt` and `submittedAt`) count as before the snapshot: the
 * counter is assumed not to have counted a unit that left the shelf, so counting while selling is
 * safe as long as the count is submitted promptly. The math is also robust to a retried approval:
 * the correction movement is itself after `submittedAt`, so it appears in both terms and cancels out.
 *
 * Exactly once. Approval writes `movement:count:{ulid}` (derived from the session id) first, then
 * marks the session approved with the reviewed lines. A retry or a concurrent approval finds the
 * stored movement (same lines → go on, other lines → 409), and a session already approved answers
 * as it is. The gateway refuses `movement:count:` ids from clients so nobody can pre-empt one.
 */
import { textRule } from './schemas/text.ts';
import { z } from 'zod';
import { newUlid } from './ids.ts';
import { countedLineSchema, countScopeSchema, countSessionSchema, stockMovementSchema, type CountScope, type CountSession } from './schemas/index.ts';
import { locationCode } from './schemas/common.ts';
import type { Actor, StockMovement } from './inventory.ts';

export class CountError extends Error {
  constructor(
    readonly code: 'invalid' | 'conflict',
    message: string
  ) {
    super(message);
  }
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function uniqueVariants(lines: { variantId: string }[], ctx: z.RefinementCtx, path: string) {
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (seen.has(l.variantId)) ctx.addIssue({ code: 'custom', path: [path, i, 'variantId'], message: `${l.variantId} is listed twice` });
    seen.add(l.variantId);
  });
}

export const startCountInput = z
  .object({
    id: z.string().regex(ULID, 'must be a ULID').optional(),
    location: locationCode,
    scope: countScopeSchema,
    note: z.string().trim().max(400).superRefine(textRule(true)).optional()
  })
  .strict();

/** Counts to record on an open session; each line sets that variant's count (a later entry replaces an earlier one). */
export const enterCountsInput = z
  .object({ counts: z.array(countedLineSchema).min(1).max(5000) })
  .strict()
  .superRefine((c, ctx) => uniqueVariants(c.counts, ctx, 'counts'));

export const rejectCountInput = z.object({ reason: z.string().trim().min(1, 'say why the count is rejected').max(400).superRefine(textRule()) }).strict();

export function countId(location: string, ulid: string): string {
  return `count:${location}:${ulid}`;
}
const ulidOf = (id: string) => id.split(':')[2] ?? id;

export const COUNT_MOVEMENT_PREFIX = 'movement:count:';
/** The correction movement of a session: one per session, ever. */
export function countMovementId(s: Pick<CountSession, '_id'>): string {
  return `${COUNT_MOVEMENT_PREFIX}${ulidOf(s._id)}`;
}

export function makeManualCount(input: z.output<typeof startCountInput>, actor: Actor): CountSession {
  return countSessionSchema.parse({
    _id: countId(input.location, input.id ?? newUlid()),
    type: 'count_session',
    locationCode: input.location,
    source: 'manual',
    scope: input.scope,
    status: 'open',
    counts: [],
    countedBy: actor.by,
    ...(input.note ? { note: input.note } : {}),
    startedAt: actor.now,
    createdAt: actor.now,
    createdBy: actor.by,
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

/** The session with `lines` entered: each replaces that variant's count. Only an open session takes counts. */
export function enterCounts(s: CountSession, lines: { variantId: string; qty: number }[], actor: Actor): CountSession {
  if (s.status !== 'open') throw new CountError('conflict', `Count ${s._id} is ${s.status}; counts can only be entered while it is open`);
  const m = new Map(s.counts.map((l) => [l.variantId, l.qty]));
  for (const l of lines) m.set(l.variantId, l.qty);
  return countSessionSchema.parse({ ...s, counts: [...m].map(([variantId, qty]) => ({ variantId, qty })), updatedAt: actor.now, updatedBy: actor.by });
}

/** Open → submitted (the snapshot moment); a submitted or reviewed session answers null (nothing to do). */
export function submitCount(s: CountSession, actor: Actor): CountSession | null {
  if (s.status !== 'open') return null;
  return countSessionSchema.parse({ ...s, status: 'submitted', submittedAt: actor.now, updatedAt: actor.now, updatedBy: actor.by });
}

// ---------------------------------------------------------------------------------------------
// Expected stock and variance

interface LedgerDoc {
  type?: string;
  locationCode?: string;
  createdAt?: string;
  lines?: { variantId: string; qty: number }[];
}

/**
 * Net change of on hand per variant at `location` from the ledger documents stamped strictly after
 * `since`, with the signs of the `stock/on_hand` view: movements as they are, sale lines out, void
 * lines back in. Other documents are ignored.
 */
export function ledgerDeltaSince(docs: readonly LedgerDoc[], location: string, since: string): Map<string, number> {
  const delta = new Map<string, number>();
  for (const d of docs) {
    if (d.locationCode !== location || !d.createdAt || d.createdAt <= since || !d.lines) continue;
    const sign = d.type === 'stock_movement' || d.type === 'void' ? 1 : d.type === 'sale' ? -1 : 0;
    if (!sign) continue;
    for (const l of d.lines) delta.set(l.variantId, (delta.get(l.variantId) ?? 0) + sign * l.qty);
  }
  return delta;
}

/** On hand as of the snapshot: now − what changed since. */
export function expectedAtSnapshot(onHandNow: ReadonlyMap<string, number>, deltaSince: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of new Set([...onHandNow.keys(), ...deltaSince.keys()])) out.set(v, (onHandNow.get(v) ?? 0) - (deltaSince.get(v) ?? 0));
  return out;
}

export interface ReviewLine {
  variantId: string;
  expected: number;
  counted: number;
  /** counted − expected: negative = missing (shrink), positive = found */
  variance: number;
  unitCost: number;
}

/**
 * The variants a count covers: those of its scope (for `all`, every variant with expected stock),
 * plus any variant actually counted. An in-scope variant nobody counted was counted as 0 — that is
 * what a full count means. Lines with nothing expected and nothing counted are left out.
 */
export function reviewLines(s: Pick<CountSession, 'scope' | 'counts'>, scopeVariants: readonly string[], expected: ReadonlyMap<string, number>, costs: ReadonlyMap<string, number>): ReviewLine[] {
  const counted = new Map(s.counts.map((l) => [l.variantId, l.qty]));
  const ids = new Set<string>(s.scope.kind === 'all' ? [...expected].filter(([, q]) => q !== 0).map(([v]) => v) : scopeVariants);
  for (const v of counted.keys()) ids.add(v);
  return [...ids]
    .sort()
    .map((variantId) => {
      const e = expected.get(variantId) ?? 0;
      const c = counted.get(variantId) ?? 0;
      return { variantId, expected: e, counted: c, variance: c - e, unitCost: costs.get(variantId) ?? 0 };
    })
    .filter((l) => l.expected !== 0 || l.counted !== 0);
}

export interface CountTotals {
  lines: number;
  expected: number;
  counted: number;
  /** net units (found − missing) */
  variance: number;
  missingUnits: number;
  foundUnits: number;
  /** net value at cost, minor units */
  varianceValue: number;
  missingValue: number;
  foundValue: number;
  /** lines with a variance whose variant has no cost (their value counts as 0) */
  uncosted: number;
}

export function countTotals(lines: readonly ReviewLine[]): CountTotals {
  const t: CountTotals = { lines: lines.length, expected: 0, counted: 0, variance: 0, missingUnits: 0, foundUnits: 0, varianceValue: 0, missingValue: 0, foundValue: 0, uncosted: 0 };
  for (const l of lines) {
    t.expected += l.expected;
    t.counted += l.counted;
    t.variance += l.variance;
    const value = l.variance * l.unitCost;
    t.varianceValue += value;
    if (l.variance < 0) {
      t.missingUnits -= l.variance;
      t.missingValue -= value;
    } else if (l.variance > 0) {
      t.foundUnits += l.variance;
      t.foundValue += value;
    }
    if (l.variance !== 0 && l.unitCost === 0) t.uncosted++;
  }
  return t;
}

/** The correction an approval writes: every non-zero variance, reason `count`; null when the count matched. */
export function countMovement(s: CountSession, lines: readonly ReviewLine[], actor: Actor): StockMovement | null {
  const moved = lines.filter((l) => l.variance !== 0).map((l) => ({ variantId: l.variantId, qty: l.variance }));
  if (!moved.length) return null;
  return stockMovementSchema.parse({
    _id: countMovementId(s),
    type: 'stock_movement',
    locationCode: s.locationCode,
    reason: 'count',
    lines: moved,
    note: `count ${ulidOf(s._id)} (${s.source})`,
    ref: s._id,
    createdAt: actor.now,
    createdBy: actor.by
  });
}

/** What approving does: `done` for an approved session, refuses open or rejected ones, else `write`. */
export function planApprove(s: CountSession): { kind: 'write' } | { kind: 'done' } {
  if (s.status === 'approved') return { kind: 'done' };
  if (s.status === 'open') throw new CountError('conflict', `Count ${s._id} is still open; submit it before approving`);
  if (s.status === 'rejected') throw new CountError('conflict', `Count ${s._id} was rejected; start a new count`);
  return { kind: 'write' };
}

/** The approved session; `movement` is the stored correction (maybe from an interrupted attempt), null when nothing moved. */
export function markApproved(s: CountSession, lines: ReviewLine[], movement: StockMovement | null, actor: Actor): CountSession {
  return countSessionSchema.parse({
    ...s,
    status: 'approved',
    reviewedAt: movement?.createdAt ?? actor.now,
    reviewedBy: movement?.createdBy ?? actor.by,
    ...(movement ? { movementId: movement._id } : {}),
    reviewLines: lines,
    updatedAt: actor.now,
    updatedBy: actor.by
  });
}

/** Rejecting: only a submitted session; a rejected one answers null (done); approved/open refuse. */
export function markRejected(s: CountSession, reason: string, lines: ReviewLine[], actor: Actor): CountSession | null {
  if (s.status === 'rejected') return null;
  if (s.status !== 'submitted') throw new CountError('conflict', `Count ${s._id} is ${s.status}; only a submitted count can be rejected`);
  return countSessionSchema.parse({ ...s, status: 'rejected', rejectReason: reason, reviewedAt: actor.now, reviewedBy: actor.by, reviewLines: lines, updatedAt: actor.now, updatedBy: actor.by });
}

export type { CountScope, CountSession };
