import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { newUlid } from '../../domain/ids.ts';
import { BatchProcessor } from '../batch-processor.ts';
import { RaptagStore, type DocDb, type LocalSession } from '../raptag-db.ts';
import { joinedSession, openSharedCounts, othersReads, publishReads, submittedElsewhere, ulidTime } from './shared-count.ts';

/** One location replica both phones see (as if replication were instant), with the calls the flow makes. */
function sharedDb(): DocDb & { docs: Map<string, Record<string, unknown>> } {
  const docs = new Map<string, Record<string, unknown>>();
  return {
    docs,
    async put(doc: object) {
      const id = (doc as { _id: string })._id;
      if (docs.has(id)) throw Object.assign(new Error('conflict'), { status: 409 });
      docs.set(id, structuredClone(doc) as Record<string, unknown>);
      return { rev: '1-x' };
    },
    async get(id: string) {
      if (!docs.has(id)) throw Object.assign(new Error('missing'), { status: 404 });
      return docs.get(id);
    },
    async allDocs(o: { startkey: string; endkey: string }) {
      return { rows: [...docs.keys()].filter((k) => k >= o.startkey && k <= o.endkey).sort().map((id) => ({ id, doc: docs.get(id) })) };
    }
  };
}

const epcOf = (n: number) => `3034${n.toString(16).toUpperCase().padStart(20, '0')}`;
const resolve = (epc: string) => ({ cls: 'item' as const, variantId: `v${parseInt(epc.slice(-2), 16) % 3}` });

function phone(id: string, location: DocDb) {
  const store = new RaptagStore(id, { indexedDB: new IDBFactory(), IDBKeyRange });
  const processor = new BatchProcessor(store, resolve, { flushMs: 5 });
  return { store, processor, deps: { store, location, device: { id, locationCode: 'GM' }, now: () => new Date().toISOString(), ulid: () => newUlid() } };
}

describe('a count shared by two phones', () => {
  it('each publishes its reads once, merges the other’s, a tag both read counts once; the submit closes it for both', async () => {
    const db = sharedDb();
    const a = phone('PHONEA', db);
    const b = phone('PHONEB', db);
    const session: LocalSession = { id: `count:GM:${newUlid()}`, kind: 'count', status: 'active', locationCode: 'GM', scope: { kind: 'all' }, zone: 'floor', startedAt: new Date().toISOString(), startedBy: { id: 'user:a', name: 'A' }, shared: true, merged: [] };
    await a.store.saveSession(session);
    await a.processor.open(session.id, 'floor');
    a.processor.push(Array.from({ length: 60 }, (_, i) => ({ epc: epcOf(i), rssi: -50, at: Date.now() })));
    await a.processor.settle();
    expect(await publishReads(a.deps, session)).toBe(60);
    expect(await publishReads(a.deps, session)).toBe(0); // published once

    // phone B sees the open count and joins it
    const open = await openSharedCounts(b.deps, Date.now());
    expect(open).toMatchObject([{ countId: session.id, phones: 1, tags: 60 }]);
    const joined = joinedSession(open[0]!, 'backroom', { id: 'user:b', name: 'B' }, []);
    expect(joined).toMatchObject({ id: session.id, shared: true, scope: { kind: 'all' } });
    await b.store.saveSession(joined);
    await b.processor.open(joined.id, 'backroom');
    b.processor.push(Array.from({ length: 40 }, (_, i) => ({ epc: epcOf(40 + i), at: Date.now() }))); // 20 overlap with A
    await b.processor.settle();
    const fromA = await othersReads(b.deps, joined);
    b.processor.merge(fromA.rows);
    await b.processor.settle();
    await publishReads(b.deps, joined);
    const fromB = await othersReads(a.deps, session);
    expect(fromB.rows).toHaveLength(40);
    a.processor.merge(fromB.rows);
    await a.processor.settle();
    // both hold the union: 80 distinct tags
    expect(a.processor.persistedRows()).toHaveLength(80);
    expect(b.processor.persistedRows()).toHaveLength(80);
    expect([...a.processor.counted().values()].reduce((x, y) => x + y, 0)).toBe(80);
    // already merged batches are not merged again
    expect((await othersReads(a.deps, { ...session, merged: fromB.ids })).rows).toEqual([]);

    // A submits: B learns it, and the count is no longer open
    await db.put({ _id: session.id, type: 'count_session' });
    expect(await submittedElsewhere(db, joined)).toBe(true);
    expect(await openSharedCounts(b.deps, Date.now())).toEqual([]);
  });

  it('ULID time prefixes sort with time', () => {
    expect(ulidTime(0)).toBe('0000000000');
    expect(ulidTime(1469918176385)).toBe('01ARYZ6S41'); // the ULID spec's example, 01ARYZ6S41TSV4RRFFQ69G5FAV
    expect(ulidTime(1_000) < ulidTime(2_000)).toBe(true);
  });
});
