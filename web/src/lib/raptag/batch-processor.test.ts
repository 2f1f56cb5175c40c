import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { BatchProcessor, type FlushTick } from './batch-processor.ts';
import { RaptagStore } from './raptag-db.ts';
import { countedByVariant } from '../domain/rfid-count.ts';

const epcOf = (n: number) => `3034${n.toString(16).toUpperCase().padStart(20, '0')}`;
const resolve = (epc: string) => (epc.endsWith('F') ? { cls: 'foreign' as const } : { cls: 'item' as const, variantId: `v${parseInt(epc.slice(-4), 16) % 10}` });

function store() {
  return new RaptagStore(`t${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
}

describe('batch processor and scan buffer', () => {
  it('dedupes by EPC, keeps read counts, first/last seen and the strongest RSSI, and persists before telling the UI', async () => {
    const s = store();
    const p = new BatchProcessor(s, resolve, { flushMs: 20 });
    const ticks: FlushTick[] = [];
    p.onFlush((t) => ticks.push(t));
    await p.open('count:GM:1', 'floor');
    p.push([{ epc: epcOf(1), rssi: -60, at: 10 }, { epc: epcOf(2), at: 11 }, { epc: epcOf(1), rssi: -50, at: 12 }]);
    p.push([{ epc: epcOf(1), rssi: -70, at: 13 }]);
    await p.settle();
    const rows = await s.tagsOf('count:GM:1');
    expect(rows.find((r) => r.epc === epcOf(1))).toMatchObject({ reads: 3, firstSeen: 10, lastSeen: 13, maxRssi: -50, variantId: 'v1', zone: 'floor', by: 'local', published: 0 });
    expect(rows).toHaveLength(2);
    // every tick reports only what was already written
    for (const t of ticks) expect(t.tags).toBeLessThanOrEqual(rows.length);
    expect(ticks.at(-1)).toMatchObject({ tags: 2, reads: 4 });
    expect(p.counted()).toEqual(new Map([['v1', 1], ['v2', 1]]));
  });

  it('20,000 reads of 2,000 tags: 2,000 rows, few UI ticks, work cut into slices that yield to the main thread', async () => {
    const s = store();
    // a clock that moves 1 ms each time it is read, so slicing is checked without depending on machine speed
    let clock = 0;
    const perSlice: number[] = [];
    let mark = 0;
    const p: BatchProcessor = new BatchProcessor(s, resolve, {
      flushMs: 50,
      sliceMs: 8,
      now: () => clock++,
      yieldToMain: async () => {
        perSlice.push(p.readsSeen - mark);
        await new Promise((r) => setTimeout(r, 0));
        mark = p.readsSeen;
      }
    });
    let ticks = 0;
    p.onFlush(() => ticks++);
    await p.open('count:GM:2', 'floor');
    const started = performance.now();
    for (let burst = 0; burst < 100; burst++) p.push(Array.from({ length: 200 }, (_, i) => ({ epc: epcOf((burst * 200 + i) % 2000), rssi: -55, at: burst })));
    await p.settle();
    const elapsed = performance.now() - started;
    expect((await s.tagsOf('count:GM:2')).length).toBe(2000);
    expect(p.persistedRows().reduce((n, r) => n + r.reads, 0)).toBe(20_000);
    // one UI tick per flush period at most (plus the final flush)
    expect(ticks).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
    // the clock is read every 64 reads: a slice ends after 9 reads of it, at most 9 × 64 reads
    expect(perSlice.length).toBeGreaterThan(20);
    expect(Math.max(...perSlice)).toBeLessThanOrEqual(9 * 64);
  });

  it('a reload resumes the session from the buffer: nothing shown is lost, new reads of old tags do not count twice', async () => {
    const s = store();
    const first = new BatchProcessor(s, resolve, { flushMs: 10 });
    await first.open('count:GM:3', 'backroom');
    first.push(Array.from({ length: 300 }, (_, i) => ({ epc: epcOf(i), at: i })));
    await first.settle();
    const shown = first.persistedRows().length;
    // the page goes away; a new processor opens the same session
    const second = new BatchProcessor(s, resolve, { flushMs: 10 });
    const tick = await second.open('count:GM:3', 'floor');
    expect(tick.tags).toBe(shown);
    second.push([{ epc: epcOf(5), at: 1000 }, { epc: epcOf(400), at: 1001 }]);
    await second.settle();
    expect(second.persistedRows()).toHaveLength(301);
    expect(second.row(epcOf(5))).toMatchObject({ zone: 'backroom', reads: 2 });
    expect(second.row(epcOf(400))).toMatchObject({ zone: 'floor' });
    // the running unit counts (kept per flush) agree with a walk over every persisted row, overall and per zone
    for (const zone of [undefined, 'backroom', 'floor', 'nowhere']) expect(second.counted(zone)).toEqual(countedByVariant(second.persistedRows(), zone));
    expect(second.counted('floor')).toEqual(new Map([['v0', 1]]));
  });

  it('merges another phone’s reads: a tag both read counts once', async () => {
    const s = store();
    const p = new BatchProcessor(s, resolve, { flushMs: 10 });
    await p.open('count:GM:4', 'floor');
    p.push([{ epc: epcOf(1), rssi: -60, at: 5 }]);
    await p.settle();
    p.merge([
      { epc: epcOf(1), cls: 'item', variantId: 'v1', reads: 4, firstSeen: 1, lastSeen: 9, maxRssi: -40, zone: 'floor', by: 'PHONE2' },
      { epc: epcOf(2), cls: 'item', variantId: 'v2', reads: 1, firstSeen: 2, lastSeen: 2, zone: 'floor', by: 'PHONE2' }
    ]);
    await p.settle();
    expect(p.persistedRows()).toHaveLength(2);
    expect(p.row(epcOf(1))).toMatchObject({ by: 'local', firstSeen: 1, maxRssi: -40 });
    expect(p.row(epcOf(2))).toMatchObject({ by: 'PHONE2', published: 1 });
  });

  it('a tag published to a shared count stays published when it is read again', async () => {
    const s = store();
    const p = new BatchProcessor(s, resolve, { flushMs: 10 });
    await p.open('count:GM:5', 'floor');
    p.push([{ epc: epcOf(1), at: 1 }, { epc: epcOf(2), at: 2 }]);
    await p.settle();
    expect((await s.unpublishedTags('count:GM:5')).map((r) => r.epc).sort()).toEqual([epcOf(1), epcOf(2)]);
    // as the shared-count flow does after writing its count_scan batch: memory first, then the buffer
    p.markPublished([epcOf(1), epcOf(2)]);
    await s.markPublished('count:GM:5', [epcOf(1), epcOf(2)]);
    p.push([{ epc: epcOf(1), at: 3 }, { epc: epcOf(3), at: 4 }]);
    await p.settle();
    // the re-read row was rewritten, and only the new tag waits to be published
    expect((await s.tagsOf('count:GM:5')).find((r) => r.epc === epcOf(1))).toMatchObject({ lastSeen: 3, published: 1 });
    expect((await s.unpublishedTags('count:GM:5')).map((r) => r.epc)).toEqual([epcOf(3)]);
  });

  it('a large flush is written in pieces; a piece that fails stays unshown and is retried', async () => {
    const calls: number[] = [];
    let failAt = 2;
    const p = new BatchProcessor(
      {
        putTags: async (r) => {
          calls.push(r.length);
          if (calls.length === failAt) throw new Error('AbortError');
        },
        tagsOf: async () => []
      },
      resolve,
      { flushMs: 5, writeRows: 100 }
    );
    const ticks: FlushTick[] = [];
    p.onFlush((t) => ticks.push(t));
    await p.open('count:GM:6', 'floor');
    p.push(Array.from({ length: 250 }, (_, i) => ({ epc: epcOf(i), at: i })));
    await p.settle();
    // the first piece is durable and shown; the second failed, so it and the rest wait
    expect(calls).toEqual([100, 100]);
    expect(p.lastError).toMatch(/Abort/);
    expect(p.persistedRows()).toHaveLength(100);
    expect(ticks.at(-1)?.tags).toBe(100);
    failAt = 0;
    await p.settle();
    expect(calls).toEqual([100, 100, 100, 50]);
    expect(p.persistedRows()).toHaveLength(250);
    expect(ticks.at(-1)?.tags).toBe(250);
  });

  it('new tags are written at every flush; re-read ones a few at a time, all of them on settle', async () => {
    const s = store();
    const p = new BatchProcessor(s, resolve, { flushMs: 5, rewriteRows: 50 });
    await p.open('count:GM:7', 'floor');
    p.push(Array.from({ length: 250 }, (_, i) => ({ epc: epcOf(i), at: 1 })));
    await p.settle();
    p.push(Array.from({ length: 250 }, (_, i) => ({ epc: epcOf(i), at: 2 })));
    p.push([{ epc: epcOf(999), at: 2 }]);
    // the new tag is durable and shown at the next flush, before the re-reads (50 per flush) are all out:
    // waited for as a state, however long a loaded machine takes to run that flush
    await vi.waitFor(() => expect(p.row(epcOf(999))).toBeTruthy(), { timeout: 10_000, interval: 5 });
    await p.settle();
    const rows = await s.tagsOf('count:GM:7');
    expect(rows).toHaveLength(251);
    expect(rows.every((r) => r.reads === (r.epc === epcOf(999) ? 1 : 2) && r.lastSeen === 2)).toBe(true);
  });

  it('a failed write keeps the reads and shows nothing until they are durable', async () => {
    let fail = true;
    const rows: unknown[] = [];
    const p = new BatchProcessor({ putTags: async (r) => (fail ? Promise.reject(new Error('QuotaExceededError')) : rows.push(...r)), tagsOf: async () => [] }, resolve, { flushMs: 5 });
    await p.open('count:GM:5', 'floor');
    p.push([{ epc: epcOf(1), at: 1 }]);
    await p.settle();
    expect(p.lastError).toMatch(/Quota/);
    expect(p.persistedRows()).toHaveLength(0);
    expect(p.counted().size).toBe(0);
    fail = false;
    await p.settle();
    expect(p.persistedRows()).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(p.counted()).toEqual(new Map([['v1', 1]]));
  });
});
