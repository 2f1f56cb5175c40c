/**
 * Deterministic conflict resolution for mutable documents (sync-rules: `field-lww`). Pure, shared by
 * the server worker and tests; every server copy and every retry computes the same winner, so the
 * worker is idempotent.
 *
 * Per field, the revision that wrote the field last wins. A document may say when each field was
 * last written in `fieldTimes` (kept cumulatively by the editing device: it stamps the fields it
 * changes and keeps the other stamps); a field missing from a revision's `fieldTimes` was never
 * written by it, so it counts as oldest. A revision without `fieldTimes` (an older client) stands
 * for every field with its `updatedAt`. Ties are broken by `updatedBy` (device or user id), then by revision id,
 * so the result never depends on arrival order. `setMergeFields` (e.g. customer tags) take the union.
 */
export interface RevisionBody {
  _id: string;
  _rev: string;
  updatedAt?: string;
  updatedBy?: string;
  fieldTimes?: Record<string, string>;
  [field: string]: unknown;
}

const BOOKKEEPING = new Set(['_id', '_rev', '_conflicts', '_revisions', '_deleted', 'updatedAt', 'updatedBy', 'fieldTimes']);

function fieldTime(rev: RevisionBody, field: string): string {
  if (rev.fieldTimes) return rev.fieldTimes[field] ?? '';
  return rev.updatedAt ?? '';
}

/** a later than b? (time, then writer, then revision) */
function later(a: RevisionBody, b: RevisionBody, field: string): boolean {
  const ta = fieldTime(a, field);
  const tb = fieldTime(b, field);
  if (ta !== tb) return ta > tb;
  const wa = a.updatedBy ?? '';
  const wb = b.updatedBy ?? '';
  if (wa !== wb) return wa > wb;
  return a._rev > b._rev;
}

export function mergeRevisions(revs: RevisionBody[], setMergeFields: readonly string[] = []): Record<string, unknown> {
  if (revs.length === 0) throw new Error('nothing to merge');
  const fields = new Set<string>();
  for (const r of revs) for (const k of Object.keys(r)) if (!BOOKKEEPING.has(k)) fields.add(k);

  const merged: Record<string, unknown> = { _id: revs[0]!._id };
  const fieldTimes: Record<string, string> = {};
  for (const field of [...fields].sort()) {
    if (setMergeFields.includes(field)) {
      const union = new Set<unknown>();
      for (const r of revs) if (Array.isArray(r[field])) for (const v of r[field] as unknown[]) union.add(v);
      merged[field] = [...union].sort();
      fieldTimes[field] = revs.map((r) => fieldTime(r, field)).sort().at(-1) ?? '';
      continue;
    }
    // The winner for a field is the latest revision that has it; a field only some revisions
    // have is kept from the latest of those (a concurrent edit never deletes another's field).
    let best: RevisionBody | null = null;
    for (const r of revs) if (field in r && (!best || later(r, best, field))) best = r;
    merged[field] = best![field];
    fieldTimes[field] = fieldTime(best!, field);
  }
  // The merged document is written now: it is as new as its newest input.
  const newest = revs.reduce((a, b) => ((b.updatedAt ?? '') > (a.updatedAt ?? '') || ((b.updatedAt ?? '') === (a.updatedAt ?? '') && (b.updatedBy ?? '') > (a.updatedBy ?? '')) ? b : a));
  merged.updatedAt = revs.map((r) => r.updatedAt ?? '').sort().at(-1);
  merged.updatedBy = newest.updatedBy;
  // keep only real stamps: an empty time means "never written by a stamping device"
  if (revs.some((r) => r.fieldTimes)) merged.fieldTimes = Object.fromEntries(Object.entries(fieldTimes).filter(([, t]) => t !== ''));
  return merged;
}

/** When an event says it happened (sales, voids, movements: createdAt; shifts: openedAt/closedAt; punches: at). */
function eventTime(rev: RevisionBody): number {
  for (const field of ['createdAt', 'openedAt', 'closedAt', 'at']) {
    const v = rev[field];
    const t = typeof v === 'string' ? Date.parse(v) : NaN;
    if (Number.isFinite(t)) return t;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Event documents are created once; two leaves under one event id mean a replacement reached the
 * database anyway (two requests racing past the gateway's check, or a CouchDB peer replicating
 * around it). CouchDB would let the highest revision id win, which the writer of a `new_edits:false`
 * revision chooses (`1-ffff…` beats any real one). Instead the original is the revision that says it
 * happened first, ties broken by the *lowest* revision id; every server copy picks the same one, and
 * the conflict worker removes the other leaves so views and reports read the original.
 */
export function pickOriginalEvent<T extends RevisionBody>(revs: readonly T[]): T {
  if (revs.length === 0) throw new Error('no revisions');
  return revs.reduce((best, r) => {
    const tb = eventTime(best);
    const tr = eventTime(r);
    if (tr !== tb) return tr < tb ? r : best;
    return r._rev < best._rev ? r : best;
  });
}
