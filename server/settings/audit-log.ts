import { z } from 'zod';
import { PLATFORM_DB, auditDb } from '#domain/db-names.ts';
import type { Couch } from '../couch/client.ts';
import { badRequest } from '../errors.ts';
import type { DeviceDoc } from '../platform/types.ts';
import { listStaff } from '../tenants/provision.ts';

/** How many events a page shows by default / at most, and how many a request reads while filtering. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const BATCH = 250;
const MAX_SCANNED = 5_000;

const isoDay = z.iso.date('must be a date like 2026-03-10').or(z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp' }));
export const auditQuery = z
  .object({
    /** an exact action, or a prefix ending in "." (e.g. `device.`) */
    action: z.string().trim().max(80).optional(),
    /** `user:{id}` (an approval by that user counts too) */
    user: z.string().trim().max(200).optional(),
    /** the device id (what `/devices` lists), as actor or as the device an action came from */
    device: z.string().trim().max(80).optional(),
    from: isoDay.optional(),
    to: isoDay.optional(),
    cursor: z.string().max(400).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT)
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuery>;

interface AuditRow {
  _id: string;
  action: string;
  actor: string;
  approvedBy?: string;
  deviceId?: string;
  target?: string;
  details?: Record<string, unknown>;
  createdAt: string;
}

/** Older code wrote `principalId(p)` of a user as `user:user:{ulid}`; both forms are the same person. */
export function normaliseActor(actor: string): string {
  let a = actor;
  while (a.startsWith('user:user:')) a = a.slice('user:'.length);
  return a;
}

function deviceOf(e: AuditRow): string | null {
  if (e.deviceId) return e.deviceId;
  if (e.actor.startsWith('device:')) return e.actor.slice('device:'.length);
  if (e.target?.startsWith('device:')) return e.target.slice('device:'.length);
  return null;
}

function matches(e: AuditRow, q: AuditQuery): boolean {
  if (q.action && !(q.action.endsWith('.') ? e.action.startsWith(q.action) : e.action === q.action)) return false;
  if (q.user) {
    const u = normaliseActor(q.user);
    if (normaliseActor(e.actor) !== u && normaliseActor(e.approvedBy ?? '') !== u) return false;
  }
  if (q.device && deviceOf(e) !== q.device) return false;
  return true;
}

/** The end of a `to` day is inclusive: `to=2026-03-10` keeps everything of that (UTC) day. */
function upperKey(to: string | undefined): string {
  if (!to) return '\ufff0';
  return to.length === 10 ? `${to}T23:59:59.999Z\ufff0` : to;
}

const cursorSchema = z.object({ k: z.string(), id: z.string() });
const encodeCursor = (k: string, id: string) => Buffer.from(JSON.stringify({ k, id })).toString('base64url');
function decodeCursor(c: string): { k: string; id: string } {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(c, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('cursor: is not one this API gave out');
  }
}

/**
 * The tenant's audit events, newest first, from the `audit/by_time` view (keyed by createdAt), with
 * the filters applied while reading. A page is cut at `limit` events or after reading MAX_SCANNED
 * (rare filters over long histories); either way `nextCursor` continues where it stopped.
 */
export async function listAuditEvents(couch: Couch, tenantId: string, q: AuditQuery) {
  const db = couch.use(auditDb(tenantId));
  const lower = q.from ?? '';
  let start = q.cursor ? decodeCursor(q.cursor) : null;
  const events: AuditRow[] = [];
  let scanned = 0;
  let nextCursor: string | null = null;
  for (;;) {
    const res = await db.view('audit', 'by_time', {
      descending: true,
      startkey: start?.k ?? upperKey(q.to),
      ...(start ? { startkey_docid: start.id, skip: 1 } : {}),
      endkey: lower,
      include_docs: true,
      limit: BATCH
    });
    let used = 0;
    for (const row of res.rows) {
      used++;
      scanned++;
      start = { k: row.key as string, id: row.id };
      const e = row.doc as unknown as AuditRow;
      if (matches(e, q)) events.push(e);
      if (events.length === q.limit) break;
    }
    const more = res.rows.length === BATCH || used < res.rows.length;
    if (!more) break;
    if (events.length === q.limit || scanned >= MAX_SCANNED) {
      nextCursor = start ? encodeCursor(start.k, start.id) : null;
      break;
    }
  }
  return { events: await withNames(couch, tenantId, events), nextCursor, scanned };
}

/** Names for the people and devices the events mention, so the viewer reads "Ana on Till 1". */
async function withNames(couch: Couch, tenantId: string, events: AuditRow[]) {
  if (events.length === 0) return [];
  const [staff, devices] = await Promise.all([
    listStaff(couch, tenantId),
    couch.use(PLATFORM_DB).list({ startkey: 'device:', endkey: 'device:\ufff0', include_docs: true })
  ]);
  const people = new Map(staff.map((s) => [s.userId, s.name]));
  const deviceNames = new Map(
    devices.rows.map((r) => r.doc as unknown as DeviceDoc).filter((d) => d?.tenantId === tenantId).map((d) => [d._id.slice('device:'.length), d.name])
  );
  const nameOf = (id: string | undefined) => {
    if (!id) return null;
    const n = normaliseActor(id);
    if (n.startsWith('device:')) return deviceNames.get(n.slice('device:'.length)) ?? null;
    return people.get(n) ?? (n === 'system' ? 'System' : null);
  };
  return events.map((e) => {
    const deviceId = deviceOf(e);
    return {
      id: e._id,
      action: e.action,
      actor: normaliseActor(e.actor),
      actorName: nameOf(e.actor),
      approvedBy: e.approvedBy ? normaliseActor(e.approvedBy) : null,
      approvedByName: nameOf(e.approvedBy),
      deviceId,
      deviceName: deviceId ? (deviceNames.get(deviceId) ?? null) : null,
      target: e.target ?? null,
      details: e.details ?? {},
      createdAt: e.createdAt
    };
  });
}
