import type { ParsedDbName } from '../../web/src/lib/domain/db-names.ts';
import { DOC_SCHEMAS, describeIssues, docTypeOfId, type DocType } from '../../web/src/lib/domain/schemas/index.ts';
import type { SyncRules } from '../../sync-rules/schema.ts';
import { hasPermission, type Principal } from '../auth/principal.ts';

export interface Rejection {
  status: 400 | 403;
  error: 'forbidden' | 'invalid_document';
  reason: string;
}

const reject = (status: 400 | 403, reason: string): Rejection => ({ status, error: status === 400 ? 'invalid_document' : 'forbidden', reason });

/** Revision generation: "3-abc" → 3. */
function generation(rev: unknown): number {
  return typeof rev === 'string' ? Number.parseInt(rev, 10) || 0 : 0;
}

/**
 * Checks one document written through the gateway: its type exists and lives in this database, the
 * writer may write it, event documents are only ever created (never edited or deleted), and the body
 * matches the zod schema. `newEdits=false` is how replication writes: the revision is the device's,
 * so an event document must arrive as generation 1.
 */
export function checkDocWrite(p: Principal, db: ParsedDbName, raw: unknown, newEdits: boolean, rules: SyncRules): Rejection | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject(400, 'a document must be a JSON object');
  const doc = raw as Record<string, unknown>;
  const id = doc._id;
  if (typeof id !== 'string' || id === '') return reject(400, '_id: is required (ids are made on the device)');
  if (id.startsWith('_')) return reject(403, `_id: ${id.split('/')[0]} documents cannot be written here`);
  if (doc._attachments !== undefined) return reject(403, '_attachments: attachments are not accepted through the gateway');

  const type = (docTypeOfId(id) ?? null) as DocType | null;
  if (!type) return reject(400, `_id: unknown document kind "${id.split(':')[0]}"`);
  const rule = rules.documents[type]!;
  if (rule.db !== db.kind) return reject(403, `type: ${type} documents belong in the ${rule.db} database, not ${db.kind}`);

  // Permission first: a writer without it learns nothing about the schema.
  if (rule.write === null) return reject(403, `type: ${type} documents are written only by the server`);
  const allowed = p.kind === 'device' ? rule.deviceWriters.includes(p.deviceKind) : hasPermission(p, rule.write);
  if (!allowed) {
    const who = p.kind === 'device' ? `a ${p.deviceKind} device` : `role ${p.role}`;
    return reject(403, `type: ${who} may not write ${type} documents (needs ${rule.write})`);
  }

  const deleted = doc._deleted === true;
  if (rule.lifecycle === 'event') {
    if (deleted) return reject(403, `_deleted: ${type} documents are immutable and cannot be deleted`);
    if (newEdits ? doc._rev !== undefined : generation(doc._rev) !== 1) {
      return reject(403, `_rev: ${type} documents are immutable; record a new document instead of editing this one`);
    }
  }
  if (deleted) return null; // deletion stub of a mutable type, permission already checked

  if (doc.type !== type) return reject(400, `type: must be "${type}" for an _id starting "${id.split(':')[0]}:"`);
  const parsed = DOC_SCHEMAS[type].safeParse(doc);
  if (!parsed.success) return reject(400, describeIssues(parsed.error));
  if (db.kind === 'location' && (doc as { locationCode?: unknown }).locationCode !== db.locationCode) {
    return reject(403, `locationCode: must be ${db.locationCode} in this location's database`);
  }
  return null;
}
