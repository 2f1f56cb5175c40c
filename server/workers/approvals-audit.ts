import { createHash } from 'node:crypto';
import { PLATFORM_DB, auditDb, locationDb } from '#domain/db-names.ts';
import type { AuditEvent } from '../audit.ts';
import { statusOf, type Couch } from '../couch/client.ts';
import type { StaffDirectory, StaffLookup } from '../gateway/staff-directory.ts';
import type { Logger } from '../log.ts';
import type { TenantDoc } from '../platform/types.ts';
import { TenantWorker, type WorkerWiring } from './tenant-worker.ts';

/**
 * Puts every manager approval a register recorded (often offline, inside the sale, void, cash movement
 * or shift close it authorised) into the tenant's audit trail exactly once. It follows each location
 * database's changes feed from a checkpoint kept next to its output (`_local/…` in the audit database,
 * so a rebuilt audit database re-derives its events), and each event's id is derived from the document
 * and the approval's position in it: re-reading a change after a crash, a restart or on a second
 * server copy writes the same id and CouchDB refuses the duplicate with a conflict.
 */
export type AuditDoc = AuditEvent & { _id: string; type: 'audit_event'; createdAt: string; recordedAt: string };

interface ApprovalLike {
  action?: unknown;
  staffId?: unknown;
  staffName?: unknown;
  at?: unknown;
}

const PAGE = 500;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function approvalAuditId(dbName: string, docId: string, index: number): string {
  return `audit:approval:${createHash('sha256').update(`${dbName}\n${docId}\n${index}`).digest('hex').slice(0, 32)}`;
}

/** Who asked for the approval: the person the document records as acting. */
function requesterOf(doc: Record<string, unknown>): string | undefined {
  switch (doc.type) {
    case 'cash_movement':
      return str(doc.staffId);
    case 'shift_close':
      return str(doc.closedBy);
    default:
      return str(doc.cashierId) ?? str(doc.staffId) ?? str(doc.createdBy);
  }
}

/** Audit identities are `user:{id}`; a register may record a staff entry id, so map it when known. */
function asUser(id: string | undefined, staff: StaffLookup | undefined): string {
  if (!id) return 'unknown';
  return staff?.get(id)?.userId ?? id;
}

/** The audit events for one location document: one per approval, none for anything else. Pure. */
export function approvalAuditEvents(dbName: string, doc: Record<string, unknown>, staff: StaffLookup | undefined, now = new Date().toISOString()): AuditDoc[] {
  if (doc._deleted === true || typeof doc._id !== 'string' || !Array.isArray(doc.approvals)) return [];
  const docId = doc._id;
  const requester = requesterOf(doc);
  return (doc.approvals as ApprovalLike[]).flatMap((a, i): AuditDoc[] => {
    const action = str(a?.action);
    const approver = str(a?.staffId);
    if (!action || !approver) return [];
    const at = str(a.at) ?? now;
    const registerId = str(doc.registerId);
    return [
      {
        _id: approvalAuditId(dbName, docId, i),
        type: 'audit_event',
        action: `approval.${action}`,
        actor: asUser(requester, staff),
        approvedBy: asUser(approver, staff),
        ...(registerId ? { deviceId: registerId } : {}),
        target: docId,
        details: {
          db: dbName,
          docType: doc.type ?? null,
          locationCode: doc.locationCode ?? null,
          registerId: registerId ?? null,
          shiftId: doc.shiftId ?? null,
          approverName: a.staffName ?? null,
          ...(doc.type === 'void' ? { saleId: doc.saleId ?? null, reason: doc.reason ?? null } : {}),
          ...(doc.type === 'cash_movement' ? { kind: doc.kind ?? null, amount: doc.amount ?? null, reason: doc.reason ?? null } : {}),
          ...(typeof doc.total === 'number' ? { total: doc.total } : {})
        },
        // when the manager approved (possibly offline, hours before it reached the server)
        createdAt: at,
        recordedAt: now
      }
    ];
  });
}

interface Checkpoint {
  _id: string;
  _rev?: string;
  since: string | number;
}

/** The worker's checkpoint for a database (in the audit database; a restore clears it). */
export function approvalsAuditCheckpointId(dbName: string): string {
  return `_local/approvals-audit-${dbName}`;
}
function checkpointId(dbName: string): string {
  return approvalsAuditCheckpointId(dbName);
}

export interface ApprovalsAuditResult {
  db: string;
  /** changes read since the checkpoint */
  changes: number;
  /** audit events newly written (already-recorded ones are not counted) */
  recorded: number;
}

/** Reads one location database's changes since its checkpoint and records its approvals. */
export async function auditLocationApprovals(couch: Couch, tenantId: string, dbName: string, staff?: StaffDirectory): Promise<ApprovalsAuditResult> {
  const audit = couch.use(auditDb(tenantId));
  const src = couch.use(dbName);
  let cp: Checkpoint | null = null;
  try {
    cp = (await audit.get(checkpointId(dbName))) as Checkpoint;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  let since: string | number = cp?.since ?? 0;
  const out: ApprovalsAuditResult = { db: dbName, changes: 0, recorded: 0 };
  for (;;) {
    const page = (await src.changes({ since: String(since), include_docs: true, limit: PAGE })) as unknown as {
      results: { id: string; doc?: Record<string, unknown>; deleted?: boolean }[];
      last_seq: string | number;
    };
    out.changes += page.results.length;
    const docs = page.results.filter((r) => r.doc && !r.deleted && Array.isArray(r.doc.approvals) && r.doc.approvals.length > 0).map((r) => r.doc!);
    if (docs.length) {
      const lookup = staff ? await staff.forTenant(tenantId) : undefined;
      const events = docs.flatMap((d) => approvalAuditEvents(dbName, d, lookup));
      if (events.length) {
        const res = (await audit.bulk({ docs: events })) as { id: string; error?: string; reason?: string }[];
        const failed = res.filter((r) => r.error && r.error !== 'conflict'); // conflict = recorded before
        if (failed.length) throw new Error(`audit write failed for ${failed[0]!.id}: ${failed[0]!.error} ${failed[0]!.reason ?? ''}`);
        out.recorded += res.filter((r) => !r.error).length;
      }
    }
    if (String(page.last_seq) !== String(since)) {
      since = page.last_seq;
      cp = await saveCheckpoint(audit, dbName, cp, since);
    }
    if (page.results.length < PAGE) return out;
  }
}

async function saveCheckpoint(
  audit: ReturnType<Couch['use']>,
  dbName: string,
  cp: Checkpoint | null,
  since: string | number
): Promise<Checkpoint> {
  const doc = { _id: checkpointId(dbName), ...(cp?._rev ? { _rev: cp._rev } : {}), since };
  try {
    const r = await audit.insert(doc);
    return { ...doc, _rev: r.rev };
  } catch (err) {
    // Another server copy moved it: take its revision; at worst a few changes are read again (no-op).
    if (statusOf(err) !== 409) throw err;
    return (await audit.get(doc._id)) as Checkpoint;
  }
}

export async function auditTenantApprovals(couch: Couch, tenantId: string, staff?: StaffDirectory): Promise<ApprovalsAuditResult[]> {
  const tenant = (await couch.use(PLATFORM_DB).get(`tenant:${tenantId}`)) as TenantDoc;
  const out: ApprovalsAuditResult[] = [];
  for (const code of tenant.locations) out.push(await auditLocationApprovals(couch, tenantId, locationDb(tenantId, code), staff));
  return out;
}

/** Runs on every server copy (idempotent, see above); one copy works a tenant at a time. */
export function startApprovalsAuditWorker(couch: Couch, staff: StaffDirectory, log: Logger, wiring: WorkerWiring): TenantWorker {
  return new TenantWorker(couch, log, {
    name: 'approvals audit',
    kinds: ['location'],
    leases: wiring.leases,
    ...(wiring.settleMs ? { settleMs: wiring.settleMs } : {}),
    perTenant: async (t) => {
      for (const r of await auditTenantApprovals(couch, t, staff)) if (r.recorded) log.info({ tenantId: t, ...r }, 'approvals recorded in the audit trail');
    }
  }).attach(wiring.updates);
}
