import type { ParsedDbName } from '#domain/db-names.ts';
import { DOC_SCHEMAS, describeIssues, docTypeOfId, type DocType } from '#domain/schemas/index.ts';
import type { DeviceKind, DocRule, SyncRules } from '../../sync-rules/schema.ts';
import { APPROVAL_PERMISSION, can, hasAllLocations } from '#domain/permissions.ts';
import { hasPermission, type Principal } from '../auth/principal.ts';
import type { StaffLookup } from './staff-directory.ts';
import { textProblem } from '#domain/schemas/text.ts';

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

interface Approval {
  action: keyof typeof APPROVAL_PERMISSION;
  staffId: string;
  staffName: string;
}

/** Approvals a (schema-valid) document carries; empty for types without them. */
export function approvalsOf(doc: unknown): Approval[] {
  const a = (doc as { approvals?: unknown } | null)?.approvals;
  return Array.isArray(a) ? (a as Approval[]) : [];
}

/**
 * A register checks the manager PIN offline, so the server re-checks who approved: each approval must
 * name an active staff member of this tenant who holds the action's permission and may work at this
 * location. `staff` undefined means the directory could not be consulted: refuse rather than trust.
 */
export function checkApprovals(type: DocType, doc: unknown, db: ParsedDbName, staff: StaffLookup | undefined): Rejection | null {
  const approvals = approvalsOf(doc);
  if (type === 'void' && !approvals.some((a) => a.action === 'void')) return reject(403, 'approvals: a void needs a "void" approval by a manager');
  if (approvals.length === 0) return null;
  if (!staff) return reject(403, 'approvals: the staff directory is unavailable to verify them; retry');
  const code = db.kind === 'location' ? db.locationCode : null;
  for (const [i, a] of approvals.entries()) {
    const need = APPROVAL_PERMISSION[a.action];
    const who = `approvals.${i} (${a.action} by ${a.staffId})`;
    const s = staff.get(a.staffId);
    if (!s) return reject(403, `${who}: not a staff member of this tenant`);
    if (!s.active) return reject(403, `${who}: ${s.name} is no longer active`);
    if (!can(s.role, need)) return reject(403, `${who}: role ${s.role} may not approve ${a.action} (needs ${need})`);
    if (code && !hasAllLocations(s.role) && !s.locations.includes('*') && !s.locations.includes(code)) {
      return reject(403, `${who}: ${s.name} has no access to location ${code}`);
    }
  }
  return null;
}

/** The enrolled device a principal acts through: a device credential, or a staff session on that device. */
export function deviceOf(p: Principal): { deviceId: string; deviceKind: DeviceKind } | null {
  return p.kind === 'user' ? null : { deviceId: p.deviceId, deviceKind: p.deviceKind };
}

/**
 * A register writes only as itself: a document carrying `registerId` must name this device
 * (`device:{deviceId}`, as the register app does), and the documents it names after itself must carry
 * its device id as the id's middle segment. Otherwise one enrolled till could pass its sales (cash,
 * voids, shift closes) off as another register's, and Z totals, cash-up and the approvals audit are
 * all per register. The same holds for a staff member signed in on the register. Deletion stubs are
 * exempt from the id check: a register resuming another's parked sale deletes it (and events cannot
 * be deleted at all, refused below).
 */
function checkRegisterOwnership(deviceId: string, type: DocType, rule: DocRule, id: string, doc: Record<string, unknown>, deleted: boolean): Rejection | null {
  const own = `device:${deviceId}`;
  if (doc.registerId !== undefined && doc.registerId !== own) {
    return reject(403, `registerId: must be ${own}, the register writing it`);
  }
  if (!deleted && rule.ownIds && id.split(':')[1] !== deviceId) {
    return reject(403, `_id: a register names its ${type} documents ${id.split(':')[0]}:${deviceId}:{ulid} (its own device id)`);
  }
  return null;
}

/**
 * Who may write a type (sync-rules `write`, `deviceWriters`, `browser`): a device by its kind; a staff
 * member signed in on a device needs both the device kind and the permission; a browser session the
 * permission, and only for types browsers may write (register documents come from registers).
 */
export function writerRefusal(p: Principal, type: DocType, rule: DocRule): Rejection | null {
  const device = deviceOf(p);
  if (device && !rule.deviceWriters.includes(device.deviceKind)) {
    if (p.kind === 'device') return reject(403, `type: a ${device.deviceKind} device may not write ${type} documents (needs ${rule.write})`);
    const by = rule.deviceWriters.length ? `written by ${rule.deviceWriters.join(', ')} devices` : 'no device writes them';
    return reject(403, `type: a session on a ${device.deviceKind} device may not write ${type} documents (${by})`);
  }
  if (p.kind === 'device') return null;
  if (!hasPermission(p, rule.write!)) return reject(403, `type: role ${p.role} may not write ${type} documents (needs ${rule.write})`);
  if (p.kind === 'user' && !rule.browser) {
    return reject(403, `type: ${type} documents are written by registers; a browser session cannot write them (sign in on an enrolled register)`);
  }
  return null;
}

/**
 * Checks one document written through the gateway: its type exists and lives in this database, the
 * writer may write it, event documents are only ever created (never edited or deleted), and the body
 * matches the zod schema; a register writes only as itself, and nobody writes the ledger entries the
 * server derives from sales and voids. `newEdits=false` is how replication writes: the revision is
 * the device's, so an event document must arrive as generation 1. `staff` is the tenant's staff directory, needed
 * only for documents that carry manager approvals (the router preloads it for those).
 */
export function checkDocWrite(p: Principal, db: ParsedDbName, raw: unknown, newEdits: boolean, rules: SyncRules, staff?: StaffLookup): Rejection | null {
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
  // Ids only the server writes (sync-rules `serverIds`): exactly-once locks derived from another document.
  const reserved = rule.serverIds.find((r) => r.prefixes.some((prefix) => id.startsWith(prefix)));
  if (reserved) return reject(403, `_id: ${id.split(':').slice(0, 2).join(':')}:… ${reserved.what} are written only by ${reserved.writer}`);
  // Events are created once, by nobody edited or deleted: said first, whoever asks.
  const deleted = doc._deleted === true;
  if (rule.lifecycle === 'event') {
    if (deleted) return reject(403, `_deleted: ${type} documents are immutable and cannot be deleted`);
    if (newEdits ? doc._rev !== undefined : generation(doc._rev) !== 1) {
      return reject(403, `_rev: ${type} documents are immutable; record a new document instead of editing this one`);
    }
  }
  const refusal = writerRefusal(p, type, rule);
  if (refusal) return refusal;

  const device = deviceOf(p);
  if (device?.deviceKind === 'register') {
    const foreign = checkRegisterOwnership(device.deviceId, type, rule, id, doc, deleted);
    if (foreign) return foreign;
  }
  // A phone (or a session on it) publishes only its own reads for a shared count: the id and deviceId name it.
  if (type === 'count_scan' && device && (id.split(':')[2] !== device.deviceId || doc.deviceId !== `device:${device.deviceId}`)) {
    return reject(403, `deviceId: a phone writes its count reads as count_scan:{count}:${device.deviceId}:{ulid} with deviceId device:${device.deviceId}`);
  }
  // Created once by a client, then the server's (sync-rules `createdOnce`): no client edits or deletes it.
  if (rule.createdOnce && (deleted || (newEdits ? doc._rev !== undefined : generation(doc._rev) !== 1))) {
    return reject(403, `_rev: ${type} documents cannot be changed once written; ${rule.createdOnce.then}`);
  }
  // A count session is created already submitted (an RFID phone's count); approving or rejecting it
  // is the server's (schemas/counts.ts).
  if (type === 'count_session') {
    if (doc.status !== 'submitted' || doc.reviewedAt !== undefined || doc.movementId !== undefined || doc.reviewLines !== undefined) {
      return reject(403, 'status: a count session is written as "submitted"; only the server approves or rejects it');
    }
    if (device && (doc.source !== 'rfid' || doc.deviceId !== `device:${device.deviceId}`)) {
      return reject(403, `deviceId: a phone writes its counts as source "rfid" with deviceId device:${device.deviceId}`);
    }
  }
  if (deleted) return null; // deletion stub of a mutable type, permission already checked

  if (doc.type !== type) return reject(400, `type: must be "${type}" for an _id starting "${id.split(':')[0]}:"`);
  // the floor for every string (ids and keys too); human-text fields are checked further by their schema
  const text = textProblem(doc);
  if (text) return reject(400, text);
  const parsed = DOC_SCHEMAS[type].safeParse(doc);
  if (!parsed.success) return reject(400, describeIssues(parsed.error));
  if (db.kind === 'location' && (doc as { locationCode?: unknown }).locationCode !== db.locationCode) {
    return reject(403, `locationCode: must be ${db.locationCode} in this location's database`);
  }
  return checkApprovals(type, parsed.data, db, staff);
}
