import { PLATFORM_DB } from '#domain/db-names.ts';
import type { Couch } from '../couch/client.ts';
import type { Logger } from '../log.ts';

/** How long ago devices last synced, as a few buckets: one series per bucket, never one per device. */
export const SYNC_AGES = ['lt_1h', 'lt_1d', 'lt_7d', 'ge_7d', 'never'] as const;
export type SyncAge = (typeof SYNC_AGES)[number];

const HOUR_MS = 3_600_000;
const EDGES_MS = { h1: HOUR_MS, d1: 24 * HOUR_MS, d7: 7 * 24 * HOUR_MS };
/** Default time a count is reused: scrapes come every 15–60 s, device activity is written once a minute. */
export const DEVICE_SYNC_CACHE_MS = 60_000;

export type KeyRange = { key: null } | { startkey: string; endkey: string; inclusive_end: boolean };

/**
 * The `device_sync/by_last_sync` key range of each bucket at `now`. Keys are ISO timestamps (they sort
 * by time) or null for never. Buckets do not overlap: `lt_1d` is 1 h < age ≤ 1 d, `ge_7d` is age > 7 d.
 * A sync stamped in the future (a clock ahead) counts as `lt_1h`.
 */
export function syncAgeRanges(now: number): Record<SyncAge, KeyRange> {
  const iso = (ms: number) => new Date(now - ms).toISOString();
  const [h1, d1, d7] = [iso(EDGES_MS.h1), iso(EDGES_MS.d1), iso(EDGES_MS.d7)];
  return {
    lt_1h: { startkey: h1, endkey: '\ufff0', inclusive_end: true },
    lt_1d: { startkey: d1, endkey: h1, inclusive_end: false },
    lt_7d: { startkey: d7, endkey: d1, inclusive_end: false },
    ge_7d: { startkey: '', endkey: d7, inclusive_end: false },
    never: { key: null }
  };
}

/** The bucket of one last-sync time: the same edges as `syncAgeRanges`, for tests and callers with a document in hand. */
export function syncAgeOf(lastSyncAt: string | null, now: number): SyncAge {
  if (lastSyncAt === null) return 'never';
  const age = now - Date.parse(lastSyncAt);
  if (age <= EDGES_MS.h1) return 'lt_1h';
  if (age <= EDGES_MS.d1) return 'lt_1d';
  if (age <= EDGES_MS.d7) return 'lt_7d';
  return 'ge_7d';
}

/**
 * Counts of active (not revoked) devices per bucket, from the `_count` reduce of a platform view (five
 * small range queries, whatever the number of devices), reused for `ttlMs`. Concurrent scrapes share
 * one read; a failed read keeps the last counts (or none), logged, and never fails the scrape.
 */
export class DeviceSyncAges {
  private cached: { at: number; counts: Record<SyncAge, number> } | null = null;
  private pending: Promise<Record<SyncAge, number>> | null = null;

  constructor(
    private readonly couch: Couch,
    private readonly log: Logger,
    private readonly ttlMs = DEVICE_SYNC_CACHE_MS
  ) {}

  async counts(now = Date.now()): Promise<Record<SyncAge, number> | null> {
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.counts;
    this.pending ??= this.read(now).finally(() => {
      this.pending = null;
    });
    try {
      const counts = await this.pending;
      this.cached = { at: now, counts };
      return counts;
    } catch (err) {
      this.log.warn({ err }, 'could not count devices by last sync for /metrics; keeping the last counts');
      return this.cached?.counts ?? null;
    }
  }

  private async read(now: number): Promise<Record<SyncAge, number>> {
    const db = this.couch.use(PLATFORM_DB);
    const ranges = syncAgeRanges(now);
    const values = await Promise.all(
      SYNC_AGES.map(async (age) => {
        const res = await db.view('device_sync', 'by_last_sync', { ...ranges[age], reduce: true });
        const v = (res.rows[0] as { value?: unknown } | undefined)?.value;
        return typeof v === 'number' ? v : 0;
      })
    );
    return Object.fromEntries(SYNC_AGES.map((age, i) => [age, values[i]!])) as Record<SyncAge, number>;
  }
}
