import { describe, expect, it } from 'vitest';
import { DB_KINDS, designDocsFor, mangoIndexesFor, type DesignDoc } from '../../couch-design-docs/index.ts';
import { FakeDb, httpError } from '../../tests/support/fake-db.ts';
import { deployDesignDocs, designKindOf, indexKey, planDesignDoc, sameIndex, settleDesignDocConflicts, viewFunctionProblem, type LiveDesignDoc } from './design-docs.ts';

const stockOf = (): DesignDoc => designDocsFor('location').find((d) => d._id === '_design/stock')!;
const live = (doc: Partial<LiveDesignDoc> & { _id: string }): LiveDesignDoc => ({ _rev: '1-x', language: 'javascript', ...doc });

describe('planDesignDoc (which design docs need what)', () => {
  const target = stockOf();

  it('missing: create; same version: current', () => {
    expect(planDesignDoc(null, target)).toBe('create');
    expect(planDesignDoc(live({ ...target }), target)).toBe('current');
  });

  it('changed views: stage (an older release, or a document from before generations)', () => {
    const olderViews = { ...target.views, on_hand: { map: 'function (doc) { emit(doc._id, 1); }', reduce: '_sum' } };
    expect(planDesignDoc(live({ _id: target._id, views: olderViews, version: 'older', generation: target.generation - 1 }), target)).toBe('stage');
    expect(planDesignDoc(live({ _id: target._id, views: olderViews, version: 'older' }), target)).toBe('stage');
    // a view added (by_shift came this way) or removed changes the index too
    const { on_hand: _drop, ...fewer } = target.views!;
    expect(planDesignDoc(live({ _id: target._id, views: fewer, version: 'older' }), target)).toBe('stage');
  });

  it('changed, but not its views (a validate_doc_update, the version stamp): replace, the index is kept', () => {
    expect(planDesignDoc(live({ _id: target._id, views: target.views, version: 'older', validate_doc_update: 'function () {}' }), target)).toBe('replace');
    const vduOnly = designDocsFor('location').find((d) => d._id === '_design/events')!;
    expect(vduOnly.views ?? {}).toEqual({});
    expect(planDesignDoc(live({ _id: vduOnly._id, version: 'older' }), vduOnly)).toBe('replace');
  });

  it('never over a higher generation, unless downgrades are allowed; the same generation is not newer', () => {
    const newer = live({ _id: target._id, views: {}, version: 'from-the-future', generation: target.generation + 1 });
    expect(planDesignDoc(newer, target)).toBe('newer');
    expect(planDesignDoc(newer, target, { allowDowngrade: true })).toBe('stage');
    expect(planDesignDoc({ ...newer, generation: target.generation }, target)).toBe('stage');
  });

  it('compares indexes by content, whatever the key order or the fields outside the views', () => {
    const reordered = Object.fromEntries(Object.entries(target.views!).reverse().map(([k, v]) => [k, v.reduce ? { reduce: v.reduce, map: v.map } : { map: v.map }]));
    expect(sameIndex(live({ _id: 'x', views: reordered, version: 'whatever', generation: 99 }), target)).toBe(true);
    expect(sameIndex({ views: target.views }, { views: target.views, language: 'javascript' })).toBe(true);
    expect(sameIndex({ views: target.views }, { views: target.views, options: { local_seq: true } })).toBe(false);
    expect(indexKey({ views: { a: { map: 'm' } } })).not.toBe(indexKey({ views: { a: { map: 'm', reduce: '_sum' } } }));
  });
});

describe('viewFunctionProblem (checked before an upgrade stages anything)', () => {
  it('passes every shipped view', () => {
    for (const kind of DB_KINDS) for (const d of designDocsFor(kind)) expect(viewFunctionProblem(d)).toBeNull();
  });

  it('names a map that does not compile, one that is not a function, an unknown builtin reduce', () => {
    const doc = (map: string, reduce?: string) => ({ _id: '_design/x', views: { v: reduce ? { map, reduce } : { map } } });
    expect(viewFunctionProblem(doc('function (doc) { emit(doc._id, '))).toMatch(/^_design\/x view v: its map does not compile/);
    expect(viewFunctionProblem(doc('42'))).toBe('_design/x view v: its map is not a function');
    expect(viewFunctionProblem(doc('function (doc) { emit(doc._id); } // trailing comment'))).toMatch(/its map does not compile/);
    expect(viewFunctionProblem(doc('function (doc) {\n  // a comment inside\n  emit(doc._id);\n}'))).toBeNull();
    expect(viewFunctionProblem(doc('function (doc) { emit(doc._id, 1); }', '_summ'))).toBe('_design/x view v: _summ is not a builtin reduce');
    expect(viewFunctionProblem(doc('function (doc) { emit(doc._id, 1); }', 'function (keys, values) { return sum(values); }'))).toBeNull();
  });
});

describe('deployDesignDocs', () => {
  it('creates everything once, then is a no-op that writes nothing', async () => {
    const db = new FakeDb();
    const first = await deployDesignDocs(db.asDb(), 'location');
    const ids = designDocsFor('location').map((d) => d._id);
    expect(first).toEqual({ deployed: ids, unchanged: [], deferred: [], newer: [] });
    expect([...db.indexes.keys()]).toEqual(mangoIndexesFor('location').map((i) => i.name));
    const puts = db.puts;

    const second = await deployDesignDocs(db.asDb(), 'location');
    expect(second).toEqual({ deployed: [], unchanged: ids, deferred: [], newer: [] });
    expect(db.puts).toBe(puts);
    expect((await db.get('_design/stock')).version).toBe(stockOf().version);
    expect((await db.get('_design/stock')).generation).toBe(stockOf().generation);
  });

  it('replaces an outdated design doc on top of its current revision (a new database)', async () => {
    const db = new FakeDb();
    db.docs.set('_design/stock', { _id: '_design/stock', _rev: '3-old', version: 'old', views: {} });
    const res = await deployDesignDocs(db.asDb(), 'location');
    expect(res.deployed).toContain('_design/stock');
    const now = await db.get('_design/stock');
    expect(now._rev).toBe('4-x');
    expect(now).toHaveProperty('views.on_hand.reduce', '_sum');
  });

  it("changed: 'leave' defers changed views to the staged upgrade, but still writes what needs no build", async () => {
    const db = new FakeDb();
    const sales = designDocsFor('location').find((d) => d._id === '_design/sales')!;
    db.docs.set('_design/stock', { _id: '_design/stock', _rev: '3-old', version: 'old', views: {} });
    db.docs.set('_design/sales', { ...structuredClone(sales), _rev: '2-old', version: 'old-stamp' });
    const res = await deployDesignDocs(db.asDb(), 'location', { changed: 'leave' });
    expect(res.deferred).toEqual(['_design/stock']);
    expect(res.deployed).toContain('_design/sales'); // same views: no rebuild, written now
    expect(res.deployed).toContain('_design/movements'); // missing: created
    expect((await db.get('_design/stock'))._rev).toBe('3-old');
  });

  it('leaves a document of a higher generation alone', async () => {
    const db = new FakeDb();
    db.docs.set('_design/stock', { _id: '_design/stock', _rev: '5-new', version: 'newer', generation: stockOf().generation + 1, views: {} });
    const res = await deployDesignDocs(db.asDb(), 'location');
    expect(res.newer).toEqual(['_design/stock']);
    expect((await db.get('_design/stock'))._rev).toBe('5-new');
  });

  it('survives another server deploying the same version between its read and write', async () => {
    const db = new FakeDb();
    const stock = stockOf();
    db.beforeNextInsert = () => db.docs.set(stock._id, { ...stock, _rev: '1-other' });
    const res = await deployDesignDocs(db.asDb(), 'location');
    // the racing write was ours too: re-read, same version, nothing more to do
    expect(res.unchanged).toContain('_design/stock');
    expect((await db.get('_design/stock'))._rev).toBe('1-other');
  });

  it('retries a 409 once, then gives up loudly', async () => {
    const db = new FakeDb();
    let conflicts = 0;
    db.insert = async () => {
      conflicts++;
      throw httpError(409);
    };
    await expect(deployDesignDocs(db.asDb(), 'audit')).rejects.toMatchObject({ statusCode: 409 });
    expect(conflicts).toBe(2);
  });

  it('passes through errors other than 404 on read', async () => {
    const db = new FakeDb();
    db.get = async () => {
      throw httpError(401);
    };
    await expect(deployDesignDocs(db.asDb(), 'catalog')).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe('settleDesignDocConflicts', () => {
  it('keeps the highest generation, then our version; deletes the other revisions; no conflict: nothing', async () => {
    const target = stockOf();
    const db = new FakeDb();
    db.docs.set(target._id, { ...structuredClone(target), _rev: '3-b' });
    expect(await settleDesignDocConflicts(db.asDb(), target._id, target)).toBe(0);
    db.losers.set(target._id, [
      { _id: target._id, _rev: '3-a', version: 'next-release', generation: target.generation + 1 },
      { _id: target._id, _rev: '3-c', version: 'older', generation: target.generation - 1 }
    ]);
    expect(await settleDesignDocConflicts(db.asDb(), target._id, target)).toBe(2);
    expect(await db.get(target._id, { conflicts: true })).toEqual({ _id: target._id, _rev: '3-a', version: 'next-release', generation: target.generation + 1 });
    // a deliberate rollback keeps ours
    db.losers.set(target._id, [{ ...structuredClone(target), _rev: '3-b' }]);
    expect(await settleDesignDocConflicts(db.asDb(), target._id, target, { allowDowngrade: true })).toBe(1);
    expect((await db.get(target._id)).version).toBe(target.version);
  });
});

describe('designKindOf', () => {
  it('maps database names to kinds and skips databases it does not own', () => {
    expect(designKindOf('platform')).toBe('platform');
    expect(designKindOf('t-nexus-catalog')).toBe('catalog');
    expect(designKindOf('t-nexus-loc-gm')).toBe('location');
    expect(designKindOf('t-nexus-customers')).toBe('customers');
    expect(designKindOf('t-nexus-audit')).toBe('audit');
    expect(designKindOf('_users')).toBeNull();
    expect(designKindOf('t-nexus-other')).toBeNull();
  });
});
