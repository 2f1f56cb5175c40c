import { createHash } from 'node:crypto';
import { PLATFORM_DB, auditDb, catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { mergeRevisions, pickOriginalEvent, type RevisionBody } from '#domain/conflicts.ts';
import { DOC_SCHEMAS, describeIssues, docTypeOfId, type DocType } from '#domain/schemas/index.ts';
import type { SyncRules } from '../../sync-rules/schema.ts';
import { statusOf, type Couch, type Db } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import type { TenantDoc } from '../platform/types.ts';
import { TenantWorker, type WorkerWiring } from './tenant-worker.ts';

/**
 * Resolves replication conflicts by the rule `sync-rules/` gives each document type, on every server
 * copy, idempotently: the merge is deterministic, the write is one `_bulk_docs` (merged winner +
 * tombstones for the losing leaves) that fails with 409 if another copy got there first, and audit
 * entries have ids derived from the conflict itself, so a retry never records twice.
 * Event documents are immutable: a conflict on one means a second body reached the database; the
 * original is restored as the winner, the other leaves deleted, and an alert raised.
 */
export interface ConflictOutcome {
  db: string;
  id: string;
  type: string | null;
  action: 'resolved' | 'alert' | 'skipped';
  revs: string[];
  reason?: string;
}

interface OpenRow {
  id: string;
  key: string | null;
  value: string[];
}

function auditId(kind: string, db: string, id: string, revs: string[]): string {
  return `audit:${kind}:${createHash('sha256').update(`${db}\n${id}\n${[...revs].sort().join(',')}`).digest('hex').slice(0, 32)}`;
}

async function putAuditOnce(couch: Couch, tenantId: string, doc: Record<string, unknown> & { _id: string }): Promise<void> {
  try {
    await couch.use(auditDb(tenantId)).insert({ type: 'audit_event', createdAt: new Date().toISOString(), actor: 'system', ...doc });
  } catch (err) {
    if (statusOf(err) !== 409) throw err; // already recorded by this or another server copy
  }
}

export async function listOpenConflicts(db: Db): Promise<OpenRow[]> {
  const res = await db.view('conflicts', 'open', {});
  return res.rows as unknown as OpenRow[];
}

async function resolveOne(couch: Couch, tenantId: string, dbName: string, row: OpenRow, rules: SyncRules): Promise<ConflictOutcome> {
  const db = couch.use(dbName);
  const type = (row.key ?? docTypeOfId(row.id)) as DocType | null;
  const rule = type ? rules.documents[type] : undefined;
  const winner = (await db.get(row.id, { conflicts: true })) as RevisionBody & { _conflicts?: string[] };
  const losers = winner._conflicts ?? [];
  const revs = [winner._rev, ...losers];
  if (losers.length === 0) return { db: dbName, id: row.id, type, action: 'skipped', revs, reason: 'already resolved' };

  if (!rule) {
    await putAuditOnce(couch, tenantId, {
      _id: auditId('conflict-alert', dbName, row.id, revs),
      action: 'conflict.alert',
      target: row.id,
      details: { db: dbName, type, revs, why: 'no conflict rule for this type' }
    });
    return { db: dbName, id: row.id, type, action: 'alert', revs };
  }
  if (rule.conflict.rule === 'immutable') return restoreOriginalEvent(couch, tenantId, dbName, row.id, type, winner, losers);

  const bodies = [winner, ...(await Promise.all(losers.map((rev) => db.get(row.id, { rev }) as Promise<RevisionBody>)))];
  const setMerge = rule.conflict.rule === 'field-lww' ? rule.conflict.setMergeFields : [];
  let merged = mergeRevisions(bodies, setMerge);
  const check = DOC_SCHEMAS[type!].safeParse(merged);
  let note: string | undefined;
  if (!check.success) {
    // A merge of two valid documents should be valid; if not, keep CouchDB's winner untouched.
    note = `merged document invalid (${describeIssues(check.error)}); kept the deterministic winner`;
    merged = { ...winner };
    delete merged._conflicts;
  }
  const res = await db.bulk({
    docs: [{ ...merged, _rev: winner._rev }, ...losers.map((rev) => ({ _id: row.id, _rev: rev, _deleted: true }))]
  });
  if (res.some((r) => 'error' in r && r.error)) {
    return { db: dbName, id: row.id, type, action: 'skipped', revs, reason: 'changed while resolving; next run retries' };
  }
  await putAuditOnce(couch, tenantId, {
    _id: auditId('conflict-resolved', dbName, row.id, revs),
    action: 'conflict.resolved',
    target: row.id,
    details: { db: dbName, type, revs, rule: rule.conflict.rule, ...(note ? { note } : {}) }
  });
  return { db: dbName, id: row.id, type, action: 'resolved', revs, ...(note ? { reason: note } : {}) };
}

/** Bodies kept in the audit entry so a removed leaf can still be examined (bounded: an alert, not a backup). */
const MAX_KEPT_BODY_CHARS = 20_000;

/**
 * An event document with several leaves: the original (`pickOriginalEvent`: the one that says it
 * happened first, then the lowest revision id, never CouchDB's highest-id winner) is kept and every
 * other leaf is deleted in one `_bulk_docs`, so views, reports and devices read the original; the
 * removed bodies go into one `conflict.alert` audit entry. Deterministic, so every server copy removes
 * the same leaves (a 409 means another copy did it first). Deleting an event leaf is the server's
 * alone: the gateway refuses it to every client, and the `events` VDU allows it only to admins.
 */
async function restoreOriginalEvent(couch: Couch, tenantId: string, dbName: string, id: string, type: DocType | null, winner: RevisionBody, losers: string[]): Promise<ConflictOutcome> {
  const db = couch.use(dbName);
  const revs = [winner._rev, ...losers];
  const bodies = [stripConflicts(winner), ...(await Promise.all(losers.map((rev) => db.get(id, { rev }) as Promise<RevisionBody>)))];
  const original = pickOriginalEvent(bodies);
  const removed = bodies.filter((b) => b._rev !== original._rev);
  const res = await db.bulk({ docs: removed.map((b) => ({ _id: id, _rev: b._rev, _deleted: true })) });
  const failed = res.some((r) => 'error' in r && r.error);
  await putAuditOnce(couch, tenantId, {
    _id: auditId('conflict-alert', dbName, id, revs),
    action: 'conflict.alert',
    target: id,
    details: {
      db: dbName,
      type,
      revs,
      kept: original._rev,
      removed: removed.map((b) => ({ rev: b._rev, body: JSON.stringify(b).slice(0, MAX_KEPT_BODY_CHARS) })),
      why: 'event documents are created once: a second body under one id was removed and the original (earliest, then lowest revision) kept'
    }
  });
  return { db: dbName, id, type, action: 'alert', revs, reason: failed ? 'changed while resolving; next run retries' : `kept ${original._rev}` };
}

function stripConflicts(doc: RevisionBody & { _conflicts?: string[] }): RevisionBody {
  const { _conflicts: _c, ...rest } = doc;
  return rest;
}

export async function tenantDatabases(couch: Couch, tenantId: string): Promise<string[]> {
  const tenant = (await couch.use(PLATFORM_DB).get(`tenant:${tenantId}`)) as TenantDoc;
  return [catalogDb(tenantId), customersDb(tenantId), ...tenant.locations.map((l) => locationDb(tenantId, l))];
}

export async function resolveTenantConflicts(couch: Couch, tenantId: string, rules: SyncRules): Promise<ConflictOutcome[]> {
  const out: ConflictOutcome[] = [];
  for (const dbName of await tenantDatabases(couch, tenantId)) {
    for (const row of await listOpenConflicts(couch.use(dbName))) out.push(await resolveOne(couch, tenantId, dbName, row, rules));
  }
  return out;
}

export async function allTenantIds(couch: Couch): Promise<string[]> {
  const res = await couch.use(PLATFORM_DB).list({ startkey: 'tenant:', endkey: 'tenant:\ufff0' });
  return res.rows.map((r) => r.id.slice('tenant:'.length));
}

/** Runs on every server copy (idempotent: each resolution is); one copy works a tenant at a time. */
export function startConflictWorker(couch: Couch, rules: SyncRules, log: Logger, wiring: WorkerWiring): TenantWorker {
  return new TenantWorker(couch, log, {
    name: 'conflict worker',
    kinds: ['catalog', 'customers', 'location'],
    leases: wiring.leases,
    ...(wiring.settleMs ? { settleMs: wiring.settleMs } : {}),
    perTenant: async (t) => {
      const outcomes = await resolveTenantConflicts(couch, t, rules);
      for (const o of outcomes.filter((x) => x.action !== 'skipped')) log.warn({ tenantId: t, ...o }, `conflict ${o.action}`);
    }
  }).attach(wiring.updates);
}
