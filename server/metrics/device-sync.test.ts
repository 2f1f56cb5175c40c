import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { designDocsFor } from '../../couch-design-docs/index.ts';
import type { Couch } from '../couch/client.ts';
import { createLogger } from '../log.ts';
import { DeviceSyncAges, SYNC_AGES, syncAgeOf, syncAgeRanges, type KeyRange } from './device-sync.ts';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(NOW - ms).toISOString();

/** CouchDB's order for these keys: null first, then the ISO strings (same format, so by time). */
function inRange(key: string | null, r: KeyRange): boolean {
  if ('key' in r) return key === r.key;
  if (key === null) return false;
  return key >= r.startkey && (r.inclusive_end ? key <= r.endkey : key < r.endkey);
}

describe('device sync age buckets', () => {
  it.each([
    [null, 'never'],
    [ago(0), 'lt_1h'],
    [ago(-5 * 60_000), 'lt_1h'], // a clock ahead
    [ago(HOUR), 'lt_1h'],
    [ago(HOUR + 1), 'lt_1d'],
    [ago(24 * HOUR), 'lt_1d'],
    [ago(24 * HOUR + 1), 'lt_7d'],
    [ago(7 * 24 * HOUR), 'lt_7d'],
    [ago(7 * 24 * HOUR + 1), 'ge_7d'],
    [ago(400 * 24 * HOUR), 'ge_7d']
  ] as const)('%s → %s', (at, bucket) => {
    expect(syncAgeOf(at, NOW)).toBe(bucket);
  });

  it('the view ranges put every time in exactly the bucket syncAgeOf names', () => {
    const ranges = syncAgeRanges(NOW);
    const edges = [HOUR, 24 * HOUR, 7 * 24 * HOUR].flatMap((e) => [e - 1, e, e + 1]);
    const age = fc.oneof(fc.constantFrom(...edges), fc.integer({ min: -3 * HOUR, max: 30 * 24 * HOUR }));
    fc.assert(
      fc.property(fc.option(age, { nil: null }), (ms) => {
        const key = ms === null ? null : ago(ms);
        const hits = SYNC_AGES.filter((age) => inRange(key, ranges[age]));
        expect(hits).toEqual([syncAgeOf(key, NOW)]);
      })
    );
  });
});

describe('device_sync/by_last_sync view', () => {
  const ddoc = designDocsFor('platform').find((d) => d._id === '_design/device_sync');
  const map = (doc: object): unknown[] => {
    const out: unknown[] = [];
    (new Function('emit', `return (${ddoc!.views!.by_last_sync!.map});`)((k: unknown) => out.push(k)) as (d: object) => void)(doc);
    return out;
  };
  it('emits active devices by last sync, counted', () => {
    expect(ddoc?.views?.by_last_sync?.reduce).toBe('_count');
    const device = { _id: 'device:1', type: 'device', tenantId: 't', locationCode: 'GM' };
    expect(map({ ...device, lastSyncAt: '2026-12-01T10:00:00.000Z' })).toEqual(['2026-12-01T10:00:00.000Z']);
    expect(map(device)).toEqual([null]);
    expect(map({ ...device, lastSyncAt: '2026-12-01T10:00:00.000Z', revokedAt: '2026-12-01T11:00:00.000Z' })).toEqual([]);
    expect(map({ _id: 'user:1', type: 'user', lastSyncAt: 'x' })).toEqual([]);
  });
});

/** A platform database whose view answers `_count` over key ranges from a list of keys. */
function fakeCouch(keys: (string | null)[], fail = { now: false }) {
  let queries = 0;
  const couch = {
    use: () => ({
      view: async (_ddoc: string, _view: string, params: KeyRange & { reduce: boolean }) => {
        queries++;
        if (fail.now) throw Object.assign(new Error('unreachable'), { code: 'ECONNREFUSED' });
        const n = keys.filter((k) => inRange(k, params)).length;
        return { rows: n ? [{ key: null, value: n }] : [] };
      }
    })
  } as unknown as Couch;
  return { couch, queries: () => queries };
}

describe('DeviceSyncAges', () => {
  const log = createLogger('silent');

  it('counts each bucket with the view, and reuses the counts for its ttl', async () => {
    const keys = [null, null, ago(10 * 60_000), ago(3 * HOUR), ago(3 * 24 * HOUR), ago(30 * 24 * HOUR), ago(31 * 24 * HOUR)];
    const f = fakeCouch(keys);
    const ages = new DeviceSyncAges(f.couch, log, 60_000);
    expect(await ages.counts(NOW)).toEqual({ lt_1h: 1, lt_1d: 1, lt_7d: 1, ge_7d: 2, never: 2 });
    expect(f.queries()).toBe(5);
    keys.push(null);
    expect((await ages.counts(NOW + 59_000))?.never).toBe(2);
    expect(f.queries()).toBe(5);
    expect((await ages.counts(NOW + 60_000))?.never).toBe(3);
    expect(f.queries()).toBe(10);
  });

  it('concurrent scrapes share one read; a failed read keeps the last counts', async () => {
    const fail = { now: false };
    const f = fakeCouch([null], fail);
    const ages = new DeviceSyncAges(f.couch, log, 1_000);
    const [a, b] = await Promise.all([ages.counts(NOW), ages.counts(NOW)]);
    expect(a).toEqual(b);
    expect(f.queries()).toBe(5);
    fail.now = true;
    expect((await ages.counts(NOW + 5_000))?.never).toBe(1);
    expect(await new DeviceSyncAges(f.couch, log).counts(NOW)).toBeNull();
  });
});
