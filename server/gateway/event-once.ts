import { docTypeOfId } from '#domain/schemas/index.ts';
import type { SyncRules } from '../../sync-rules/schema.ts';

/**
 * Events are created once, never replaced. The per-document checks (validate-docs.ts) only see the
 * incoming body, and with `new_edits:false` (how replication writes) a client chooses the revision:
 * a copy of an existing sale under a made-up `1-ffff…` would become a second leaf, and CouchDB picks
 * the highest revision id as the winner — so the forged body would be what reports read. The gateway
 * therefore reads the stored winners of a batch's event ids (one `_all_docs` request per batch) and
 * judges each incoming revision against them. Pure, so each case is a table test.
 */

/** Document types that are created once (sync rules): events, and `createdOnce` types such as count sessions. */
export function isCreateOnce(id: string, rules: SyncRules): boolean {
  const type = docTypeOfId(id);
  const rule = type ? rules.documents[type] : undefined;
  return rule !== undefined && (rule.lifecycle === 'event' || rule.createdOnce !== undefined);
}

/** What `_all_docs?keys=…&include_docs=true&conflicts=true` says about one id. */
export interface StoredRow {
  /** winning revision, absent when the document does not exist */
  rev?: string;
  deleted?: boolean;
  /** the winning body */
  doc?: Record<string, unknown> | null;
}

export type EventVerdict =
  /** not stored yet: write it */
  | { kind: 'new' }
  /** this exact revision is already stored (a replication retry): CouchDB will no-op it */
  | { kind: 'known_revision' }
  /** same content under another revision id: acknowledge without writing a second leaf */
  | { kind: 'same_content' }
  | { kind: 'refused'; reason: string };

/** CouchDB's bookkeeping fields, not part of what an event says. */
const META = new Set(['_rev', '_revisions', '_conflicts', '_deleted_conflicts', '_local_seq', '_revs_info']);

/** Stable JSON of a document without revision bookkeeping: equal bodies compare equal whatever their key order. */
export function canonicalBody(doc: Record<string, unknown>): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, norm((v as Record<string, unknown>)[k])])
      );
    }
    return v;
  };
  const body = Object.fromEntries(Object.entries(doc).filter(([k]) => !META.has(k)));
  return JSON.stringify(norm(body));
}

/**
 * Judges one incoming create-once document (already schema-valid, generation 1) against what is
 * stored under its id. `leafRevs` are the stored non-deleted leaves (winner + `_conflicts`).
 */
export function judgeEvent(incoming: Record<string, unknown>, stored: StoredRow | undefined): EventVerdict {
  const id = String(incoming._id);
  if (!stored || stored.rev === undefined) return { kind: 'new' };
  const leaves = [stored.rev, ...((stored.doc?._conflicts as string[] | undefined) ?? [])];
  if (typeof incoming._rev === 'string' && leaves.includes(incoming._rev)) return { kind: 'known_revision' };
  if (stored.deleted || !stored.doc) return { kind: 'refused', reason: `_id: ${id} was written before and removed; an event is created once and never replaced` };
  if (canonicalBody(incoming) === canonicalBody(stored.doc)) return { kind: 'same_content' };
  return { kind: 'refused', reason: `_id: ${id} already exists with different content; an event is created once and never replaced (record a new document instead)` };
}
