import { describe, expect, it } from 'vitest';
import type { Couch } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import { DeviceActivity } from './device-activity.ts';

/** An in-memory stand-in for the platform database: just what updateDoc uses (get, insert). */
function fakeCouch() {
  const docs = new Map<string, Record<string, unknown>>([['device:D1', { _id: 'device:D1', _rev: '1-a', name: 'Till' }]]);
  let writes = 0;
  const db = {
    get: async (id: string) => {
      const d = docs.get(id);
      if (!d) throw Object.assign(new Error('missing'), { statusCode: 404 });
      return { ...d };
    },
    insert: async (doc: Record<string, unknown>) => {
      writes++;
      docs.set(doc._id as string, doc);
      return { rev: `${writes + 1}-b` };
    }
  };
  return { couch: { use: () => db } as unknown as Couch, docs, writes: () => writes };
}
const log = { warn: () => undefined } as unknown as Logger;
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('DeviceActivity', () => {
  it('writes the first sync at once, then at most once a minute', async () => {
    const f = fakeCouch();
    const a = new DeviceActivity(f.couch, log, 60_000);
    const t0 = Date.parse('2026-03-10T12:00:00.000Z');
    a.note('D1', true, t0);
    await flush();
    expect(f.docs.get('device:D1')).toMatchObject({ name: 'Till', lastSeenAt: '2026-03-10T12:00:00.000Z', lastSyncAt: '2026-03-10T12:00:00.000Z' });
    a.note('D1', true, t0 + 30_000);
    a.note('D1', false, t0 + 40_000);
    await flush();
    expect(f.writes()).toBe(1);
    a.note('D1', true, t0 + 61_000);
    await flush();
    expect(f.writes()).toBe(2);
    expect(f.docs.get('device:D1')?.lastSyncAt).toBe('2026-03-10T12:01:01.000Z');
  });

  it('records a failed request as seen, not synced, and a recovery at once', async () => {
    const f = fakeCouch();
    const a = new DeviceActivity(f.couch, log, 60_000);
    const t0 = Date.parse('2026-03-10T12:00:00.000Z');
    a.note('D1', false, t0);
    await flush();
    expect(f.docs.get('device:D1')).toMatchObject({ lastSeenAt: '2026-03-10T12:00:00.000Z' });
    expect(f.docs.get('device:D1')?.lastSyncAt).toBeUndefined();
    a.note('D1', true, t0 + 5_000);
    await flush();
    expect(f.docs.get('device:D1')?.lastSyncAt).toBe('2026-03-10T12:00:05.000Z');
  });

  it('ignores devices that no longer exist', async () => {
    const f = fakeCouch();
    new DeviceActivity(f.couch, log).note('GONE', true);
    await flush();
    expect(f.writes()).toBe(0);
  });
});
