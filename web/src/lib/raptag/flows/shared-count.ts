import { countScanSchema, type CountScan, type CountScope } from '../../domain/schemas/index.ts';
import { docsByPrefix, findDoc, InvalidDocumentError, type DocDb, type LocalSession, type RaptagStore, type TagRow } from '../raptag-db.ts';

/**
 * One count, several phones. A shared count's phones publish what they read as `count_scan` batches
 * into the location replica (each phone only its own tags, once); replication carries them to the
 * other phones, which merge them into their scan buffer (an EPC counts once, whoever read it). Any of
 * them submits the one `count_session`; the others see it arrive and close their copy. Offline, each
 * phone keeps counting its aisle and the batches meet when the network is back.
 */

/** Tags per batch document (a few hundred KB at most). */
export const SCAN_BATCH = 2_000;
/** How far back to look for counts other phones have open. */
export const OPEN_COUNT_WINDOW_MS = 2 * 24 * 3_600_000;

export interface ShareDeps {
  store: Pick<RaptagStore, 'unpublishedTags' | 'markPublished' | 'saveSession'>;
  location: DocDb;
  device: { id: string; locationCode: string };
  now(): string;
  ulid(): string;
}

const ulidOf = (countId: string) => countId.split(':')[2] ?? '';

/** Writes this phone's unpublished reads of the session as count_scan batches; returns how many tags went out. */
export async function publishReads(deps: ShareDeps, session: LocalSession): Promise<number> {
  const rows = (await deps.store.unpublishedTags(session.id)).filter((r) => r.by === 'local');
  let sent = 0;
  for (let i = 0; i < rows.length; i += SCAN_BATCH) {
    const batch = rows.slice(i, i + SCAN_BATCH);
    const now = deps.now();
    const parsed = countScanSchema.safeParse({
      _id: `count_scan:${ulidOf(session.id)}:${deps.device.id}:${deps.ulid()}`,
      type: 'count_scan',
      locationCode: session.locationCode,
      countId: session.id,
      scope: session.scope,
      startedAt: session.startedAt,
      deviceId: `device:${deps.device.id}`,
      tags: batch.map((r) => ({ epc: r.epc, ...(r.variantId ? { variantId: r.variantId } : {}), zone: r.zone, firstSeen: Math.round(r.firstSeen), ...(r.maxRssi !== undefined ? { rssi: r.maxRssi } : {}) })),
      createdAt: now,
      createdBy: `device:${deps.device.id}`
    });
    if (!parsed.success) throw new InvalidDocumentError(parsed.error.message);
    await deps.location.put(parsed.data);
    await deps.store.markPublished(session.id, batch.map((r) => r.epc));
    sent += batch.length;
  }
  return sent;
}

/** Other phones' batches of this count not merged yet, as rows for the batch processor. */
export async function othersReads(deps: Pick<ShareDeps, 'location' | 'device'>, session: LocalSession): Promise<{ ids: string[]; rows: Omit<TagRow, 'sessionId' | 'published'>[] }> {
  const merged = new Set(session.merged ?? []);
  const docs = (await docsByPrefix<CountScan>(deps.location, `count_scan:${ulidOf(session.id)}:`)).filter((d) => d.deviceId !== `device:${deps.device.id}` && !merged.has(d._id));
  const rows = docs.flatMap((d) =>
    d.tags.map((t) => ({
      epc: t.epc,
      cls: t.variantId ? ('item' as const) : ('raw' as const),
      ...(t.variantId ? { variantId: t.variantId } : {}),
      reads: 1,
      firstSeen: t.firstSeen,
      lastSeen: t.firstSeen,
      ...(t.rssi !== undefined ? { maxRssi: t.rssi } : {}),
      zone: t.zone,
      by: d.deviceId.slice('device:'.length)
    }))
  );
  return { ids: docs.map((d) => d._id), rows };
}

export interface OpenSharedCount {
  countId: string;
  scope: CountScope;
  startedAt: string;
  phones: number;
  tags: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The 10-character time part of a ULID for `ms` (ULIDs sort by time, so a key range selects by age). */
export function ulidTime(ms: number): string {
  let out = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) out = CROCKFORD[t % 32] + out;
  return out;
}

/** Shared counts at this store that other phones started recently and nobody has submitted yet. */
export async function openSharedCounts(deps: Pick<ShareDeps, 'location' | 'device'>, nowMs: number): Promise<OpenSharedCount[]> {
  const res = await deps.location.allDocs({ include_docs: true, startkey: `count_scan:${ulidTime(nowMs - OPEN_COUNT_WINDOW_MS)}`, endkey: 'count_scan:\ufff0' });
  const by = new Map<string, OpenSharedCount & { devices: Set<string> }>();
  for (const row of res.rows) {
    const d = row.doc as CountScan | undefined;
    if (!d || d.type !== 'count_scan' || d.locationCode !== deps.device.locationCode) continue;
    const c = by.get(d.countId) ?? { countId: d.countId, scope: d.scope, startedAt: d.startedAt, phones: 0, tags: 0, devices: new Set<string>() };
    c.devices.add(d.deviceId);
    c.tags += d.tags.length;
    by.set(d.countId, c);
  }
  const out: OpenSharedCount[] = [];
  for (const c of by.values()) {
    if (await findDoc(deps.location, c.countId)) continue; // submitted already
    out.push({ countId: c.countId, scope: c.scope, startedAt: c.startedAt, phones: c.devices.size, tags: c.tags });
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** This phone's copy of a shared count another phone started. */
export function joinedSession(open: OpenSharedCount, zone: string, staff: { id: string; name: string }, expectedAtStart: [string, number][]): LocalSession {
  return {
    id: open.countId,
    kind: 'count',
    status: 'active',
    locationCode: open.countId.split(':')[1]!,
    scope: open.scope,
    zone,
    startedAt: open.startedAt,
    startedBy: staff,
    expectedAtStart,
    shared: true,
    merged: []
  };
}

/** Whether another phone submitted the count (its count_session replicated in). */
export async function submittedElsewhere(location: DocDb, session: LocalSession): Promise<boolean> {
  return !!(await findDoc(location, session.id));
}
