import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { CatalogLookup } from '../../catalog-index/entries.ts';
import { countSessionSchema } from '../../domain/schemas/index.ts';
import { RaptagStore, type DocDb } from '../raptag-db.ts';
import { CountFlowError, liveCount, startCount, submitCount, type CountDeps } from './count.ts';

const product = (n: number, categoryId: string) => ({
  _id: `product:p${n}`,
  _rev: '1-a',
  type: 'product',
  status: 'active',
  name: `Product ${n}`,
  taxCategory: 'standard',
  categoryId,
  variants: [
    { id: `p${n}-a`, sku: `P${n}A`, price: 1000, cost: 400, options: { size: 'S' } },
    { id: `p${n}-b`, sku: `P${n}B`, price: 1000, options: { size: 'M' } }
  ]
});

/** The two PouchDB calls the flow makes, over a Map (PouchDB does not run on fake-indexeddb). */
function memoryDb(): DocDb & { docs: Map<string, unknown> } {
  const docs = new Map<string, unknown>();
  return {
    docs,
    async put(doc: object) {
      const id = (doc as { _id: string })._id;
      if (docs.has(id)) throw Object.assign(new Error('conflict'), { status: 409 });
      docs.set(id, structuredClone(doc));
      return { rev: '1-x' };
    },
    async get(id: string) {
      if (!docs.has(id)) throw Object.assign(new Error('missing'), { status: 404 });
      return docs.get(id);
    },
    async allDocs() {
      return { rows: [] };
    }
  };
}

function rig(onHand: Map<string, number>) {
  const catalog = new CatalogLookup();
  catalog.applyDocs([product(1, 'category:shirts'), product(2, 'category:shoes')]);
  let t = 0;
  const location = memoryDb();
  const store = new RaptagStore(`d${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  const deps: CountDeps = {
    store,
    location,
    onHand: async () => onHand,
    catalog: () => catalog,
    device: { id: '01HPHONE0000000000000000AA', locationCode: 'GM' },
    now: () => new Date(Date.UTC(2026, 10, 24, 10, 0, t++)).toISOString(),
    ulid: () => '01JCNT00000000000000000001'
  };
  return { deps, location, store, catalog };
}

const staff = { id: 'user:clerk', name: 'Sam' };

describe('count flow', () => {
  it('starts with expected stock of its scope, shows live variance with movements during the count, submits the count_session once', async () => {
    const onHand = new Map([['p1-a', 3], ['p1-b', 2], ['p2-a', 5]]);
    const { deps, location, store, catalog } = rig(onHand);
    const s = await startCount(deps, { scope: { kind: 'categories', categoryIds: ['category:shirts'] }, zone: 'floor', staff });
    expect(s.expectedAtStart).toEqual([['p1-a', 3], ['p1-b', 2]]);

    onHand.set('p1-a', 2); // a sale at the till while counting
    const live = liveCount(s, onHand, new Map([['p1-a', 2], ['p2-a', 1]]), catalog);
    expect(live.moved).toEqual(new Map([['p1-a', -1]]));
    expect(live.summary).toMatchObject({ expectedUnits: 4, countedUnits: 3, missingUnits: 2, unexpectedUnits: 1, missingCost: 0, missingRetail: 2000 });
    expect(live.expectedAtStart).toBe(5);

    const doc = await submitCount(deps, s.id, new Map([['p1-a', 2], ['p2-a', 1], ['p1-b', 0]]), staff);
    expect(countSessionSchema.parse(location.docs.get(s.id))).toEqual(doc);
    expect(doc).toMatchObject({ _id: 'count:GM:01JCNT00000000000000000001', source: 'rfid', status: 'submitted', deviceId: 'device:01HPHONE0000000000000000AA', countedBy: 'user:clerk', counts: [{ variantId: 'p1-a', qty: 2 }, { variantId: 'p2-a', qty: 1 }] });
    expect((await store.getSession(s.id))?.status).toBe('submitted');
    await expect(submitCount(deps, s.id, new Map(), staff)).rejects.toThrow(CountFlowError);
  });

  it('a submit retried after a crash between the write and the local status finishes without a second document', async () => {
    const { deps, location, store } = rig(new Map([['p1-a', 1]]));
    const s = await startCount(deps, { scope: { kind: 'all' }, zone: 'floor', staff });
    await submitCount(deps, s.id, new Map([['p1-a', 1]]), staff);
    await store.saveSession({ ...s, status: 'active' }); // as if the crash came before the status change
    await submitCount(deps, s.id, new Map([['p1-a', 1]]), staff);
    expect(location.docs.size).toBe(1);
  });
});
