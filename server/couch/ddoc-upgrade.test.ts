import { describe, expect, it } from 'vitest';
import { designDocsFor, type DesignDoc, type DesignKind } from '../../couch-design-docs/index.ts';
import { createLogger } from '../log.ts';
import { FakeDb, fakeCouch, httpError } from '../../tests/support/fake-db.ts';
import { DesignDocUpgrades, stagingId } from './ddoc-upgrade.ts';

const log = createLogger('silent');
const LOC = 't-acme-loc-gm';
const stock = (): DesignDoc => designDocsFor('location').find((d) => d._id === '_design/stock')!;
const OLD_VIEWS = { on_hand: { map: 'function (doc) { if (doc.type === "stock_movement") emit(doc._id, 1); }', reduce: '_sum' } };

/** A location database as an older release left it: every design doc current except an older stock. */
function olderLocation(): FakeDb {
  const db = new FakeDb();
  for (const d of designDocsFor('location')) db.docs.set(d._id, { ...structuredClone(d), _rev: '1-a' });
  db.docs.set('_design/stock', { _id: '_design/stock', _rev: '4-old', language: 'javascript', views: OLD_VIEWS, version: 'older-release', generation: stock().generation - 1 });
  return db;
}

function upgrader(dbs: Record<string, FakeDb>, opts: ConstructorParameters<typeof DesignDocUpgrades>[2] = {}) {
  const couch = fakeCouch(Object.keys(dbs), new Map(Object.entries(dbs)));
  return new DesignDocUpgrades(couch, log, opts);
}

describe('DesignDocUpgrades', () => {
  it('stages changed views under -next, builds them there while the old doc serves, swaps, removes -next', async () => {
    const db = olderLocation();
    let seenWhileBuilding: unknown = null;
    db.onView = (ddoc) => {
      // the build runs against the staged copy; the live document is still the old one
      expect(ddoc).toBe('stock-next');
      seenWhileBuilding = { live: db.docs.get('_design/stock')!.version, staged: db.docs.get('_design/stock-next')!.version };
    };
    const up = upgrader({ [LOC]: db });
    expect(up.status()).toMatchObject({ state: 'upgrading', done: 0 });
    const status = await up.run();

    expect(seenWhileBuilding).toEqual({ live: 'older-release', staged: stock().version });
    expect(db.viewQueries.sort()).toEqual(Object.keys(stock().views!).map((v) => `stock-next/${v}`).sort());
    expect(status).toEqual({ state: 'current', databases: 1, checked: 1, pending: 0, building: 0, done: 1, failed: 0 });
    const now = await db.get('_design/stock');
    expect(now).toMatchObject({ version: stock().version, generation: stock().generation, views: stock().views, _rev: '5-x' });
    expect(db.docs.has('_design/stock-next')).toBe(false);
    expect(up.results()).toEqual([expect.objectContaining({ db: LOC, ddoc: '_design/stock', outcome: 'swapped', buildMs: expect.any(Number) })]);
  });

  it('the staged copy has the views only: the new validate_doc_update is not in force before the swap', async () => {
    const db = new FakeDb();
    const target: DesignDoc = { _id: '_design/guard', language: 'javascript', views: { all: { map: 'function (doc) { emit(doc._id); }' } }, validate_doc_update: 'function () { throw { forbidden: "no" }; }', version: 'v2', generation: 2 };
    db.docs.set('_design/guard', { _id: '_design/guard', _rev: '1-a', language: 'javascript', views: {}, version: 'v1', generation: 1 });
    let staged: Record<string, unknown> | undefined;
    db.onView = () => {
      staged = db.docs.get('_design/guard-next');
    };
    await upgrader({ [LOC]: db }, { designDocsFor: () => [target] }).run();
    expect(staged).toMatchObject({ views: target.views, version: 'v2', generation: 2, stagingFor: '_design/guard' });
    expect(staged).not.toHaveProperty('validate_doc_update');
    expect(await db.get('_design/guard')).toMatchObject({ validate_doc_update: target.validate_doc_update, version: 'v2' });
  });

  it('writes directly what needs no build: a missing document, one whose views are unchanged', async () => {
    const db = new FakeDb();
    const sales = designDocsFor('location').find((d) => d._id === '_design/sales')!;
    db.docs.set('_design/sales', { ...structuredClone(sales), _rev: '2-a', version: 'older-stamp' });
    const status = await upgrader({ [LOC]: db }).run();
    expect(status).toMatchObject({ state: 'current', done: 0, failed: 0 });
    expect(db.viewQueries).toEqual([]);
    for (const d of designDocsFor('location')) expect((await db.get(d._id)).version).toBe(d.version);
    expect([...db.docs.keys()].filter((id) => id.endsWith('-next'))).toEqual([]);
  });

  it('only counts in its status, and shows an upgrade in progress (held before its swap)', async () => {
    const a = olderLocation();
    const b = olderLocation();
    const c = new FakeDb();
    for (const d of designDocsFor('catalog')) c.docs.set(d._id, { ...structuredClone(d), _rev: '1-a' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    const up = upgrader({ 't-acme-loc-aa': a, 't-acme-loc-bb': b, 't-acme-catalog': c, scratch: new FakeDb() }, { concurrency: 1, beforeSwap: async (job) => {
      seen.push(job.db);
      await held;
    } });
    const done = up.run();
    await expect.poll(() => up.status()).toEqual({ state: 'upgrading', databases: 3, checked: 3, pending: 1, building: 1, done: 0, failed: 0 });
    expect(Object.keys(up.status())).not.toContain('dbs');
    expect(a.docs.get('_design/stock')!.version).toBe('older-release');
    release();
    expect(await done).toEqual({ state: 'current', databases: 3, checked: 3, pending: 0, building: 0, done: 2, failed: 0 });
    expect(seen.sort()).toEqual(['t-acme-loc-aa', 't-acme-loc-bb']);
  });

  it('a build that fails leaves the old document serving, removes its staged copy, and is counted', async () => {
    const db = olderLocation();
    db.onView = () => {
      throw Object.assign(httpError(500, 'compilation_error'), { reason: 'Expression does not eval to a function' });
    };
    const status = await upgrader({ [LOC]: db }).run();
    expect(status).toMatchObject({ state: 'failed', done: 0, failed: 1 });
    expect((await db.get('_design/stock')).version).toBe('older-release');
    expect(db.docs.has('_design/stock-next')).toBe(false);
    expect(db.viewQueries).toHaveLength(1); // not retried: only a timeout or a broken connection is
  });

  it('a view function that does not compile fails before anything is staged (the embedded store would build it empty)', async () => {
    const db = olderLocation();
    const broken: DesignDoc = { ...stock(), views: { on_hand: { map: 'function (doc) { emit(doc._id, ', reduce: '_sum' } }, version: 'broken' };
    const up = upgrader({ [LOC]: db }, { designDocsFor: () => [broken] });
    expect(await up.run()).toMatchObject({ state: 'failed', failed: 1 });
    expect(up.results()).toEqual([expect.objectContaining({ outcome: 'failed', error: expect.stringContaining('on_hand: its map does not compile') })]);
    expect(db.puts).toBe(0);
    expect(db.viewQueries).toEqual([]);
  });

  it('a staging PUT the store refuses (CouchDB compiles views on PUT) fails the same way', async () => {
    const db = olderLocation();
    const insert = db.insert.bind(db);
    db.insert = async (doc) => {
      if (doc._id === '_design/stock-next') throw httpError(400, 'compilation_error');
      return insert(doc);
    };
    const up = upgrader({ [LOC]: db });
    expect(await up.run()).toMatchObject({ state: 'failed', failed: 1 });
    expect(up.results()).toEqual([expect.objectContaining({ outcome: 'failed', error: expect.stringContaining('400') })]);
    expect((await db.get('_design/stock')).version).toBe('older-release');
  });

  it('retries a view query that timed out (the index is still building), then swaps', async () => {
    const db = olderLocation();
    let calls = 0;
    db.onView = () => {
      if (++calls === 1) throw Object.assign(httpError(500, 'timeout'), { reason: 'The request could not be processed in a reasonable amount of time.' });
    };
    expect(await upgrader({ [LOC]: db }).run()).toMatchObject({ state: 'current', done: 1 });
    expect(calls).toBe(Object.keys(stock().views!).length + 1);
  }, 10_000);

  it('two server copies at once: one swap, both done, nothing left staged', async () => {
    const db = olderLocation();
    const dbs = new Map([[LOC, db]]);
    const one = new DesignDocUpgrades(fakeCouch([LOC], dbs), log);
    const two = new DesignDocUpgrades(fakeCouch([LOC], dbs), log);
    const [a, b] = await Promise.all([one.run(), two.run()]);
    expect([a, b].map((s) => [s.state, s.done, s.failed])).toEqual([['current', 1, 0], ['current', 1, 0]]);
    const outcomes = [...one.results(), ...two.results()].map((r) => r.outcome).sort();
    expect(outcomes.filter((o) => o === 'swapped')).toHaveLength(1);
    expect((await db.get('_design/stock')).version).toBe(stock().version);
    expect(db.docs.has('_design/stock-next')).toBe(false);
  });

  it('another copy swapped while this one built: its build query fails on the deleted -next, and it counts done', async () => {
    const db = olderLocation();
    db.onView = () => {
      db.docs.set('_design/stock', { ...structuredClone(stock()), _rev: '9-other' });
      db.docs.delete('_design/stock-next');
      throw httpError(404, 'not_found');
    };
    const up = upgrader({ [LOC]: db });
    expect(await up.run()).toMatchObject({ state: 'current', done: 1, failed: 0 });
    expect((await db.get('_design/stock'))._rev).toBe('9-other');
  });

  it('never writes over a newer release: neither its live document nor its staged copy', async () => {
    const newerLive = olderLocation();
    newerLive.docs.set('_design/stock', { _id: '_design/stock', _rev: '7-new', language: 'javascript', views: OLD_VIEWS, version: 'next-release', generation: stock().generation + 1 });
    const newerStaging = olderLocation();
    newerStaging.docs.set('_design/stock-next', { _id: '_design/stock-next', _rev: '1-new', language: 'javascript', views: OLD_VIEWS, version: 'next-release', generation: stock().generation + 1 });
    const up = upgrader({ 't-alpha-loc-gm': newerLive, 't-bravo-loc-gm': newerStaging });
    expect(await up.run()).toMatchObject({ state: 'current', failed: 0 });
    expect(newerLive.docs.get('_design/stock')!._rev).toBe('7-new');
    expect(newerStaging.docs.get('_design/stock-next')!._rev).toBe('1-new');
    expect(newerStaging.docs.get('_design/stock')!.version).toBe('older-release');
    expect(newerLive.viewQueries.concat(newerStaging.viewQueries)).toEqual([]);

    // a deliberate rollback (DESIGN_DOC_DOWNGRADE=1) does write over it
    const rollback = upgrader({ 't-alpha-loc-gm': newerLive }, { allowDowngrade: true });
    expect(await rollback.run()).toMatchObject({ done: 1 });
    expect(newerLive.docs.get('_design/stock')!.version).toBe(stock().version);
  });

  it('reuses a copy staged with its version (another copy, or a run stopped mid-build); replaces an older one', async () => {
    const same = olderLocation();
    same.docs.set('_design/stock-next', { _id: '_design/stock-next', _rev: '1-s', language: 'javascript', views: stock().views, version: stock().version, generation: stock().generation });
    const older = olderLocation();
    older.docs.set('_design/stock-next', { _id: '_design/stock-next', _rev: '1-s', language: 'javascript', views: OLD_VIEWS, version: 'abandoned', generation: stock().generation - 1 });
    let stagedRevAtBuild = '';
    same.onView = () => {
      stagedRevAtBuild = same.docs.get('_design/stock-next')!._rev;
    };
    await upgrader({ 't-alpha-loc-gm': same, 't-bravo-loc-gm': older }).run();
    expect(stagedRevAtBuild).toBe('1-s');
    for (const db of [same, older]) {
      expect((await db.get('_design/stock')).version).toBe(stock().version);
      expect(db.docs.has('_design/stock-next')).toBe(false);
    }
  });

  it('removes a -next copy left by an upgrade that swapped but stopped before deleting it', async () => {
    const db = new FakeDb();
    for (const d of designDocsFor('location')) db.docs.set(d._id, { ...structuredClone(d), _rev: '1-a' });
    db.docs.set(stagingId('_design/stock'), { ...structuredClone(stock()), _id: '_design/stock-next', _rev: '1-a' });
    expect(await upgrader({ [LOC]: db }).run()).toMatchObject({ state: 'current', done: 0 });
    expect(db.docs.has('_design/stock-next')).toBe(false);
  });

  it('settles conflicting revisions two copies left on a cluster: keeps the newest release, removes every staged one', async () => {
    const db = new FakeDb();
    for (const d of designDocsFor('location')) db.docs.set(d._id, { ...structuredClone(d), _rev: '1-a' });
    // the older release's revision won by revision order; ours lost
    db.docs.set('_design/stock', { _id: '_design/stock', _rev: '5-zzz', language: 'javascript', views: OLD_VIEWS, version: 'older-release', generation: stock().generation - 1 });
    db.losers.set('_design/stock', [{ ...structuredClone(stock()), _rev: '5-aaa' }]);
    db.docs.set('_design/stock-next', { ...structuredClone(stock()), _id: '_design/stock-next', _rev: '1-b' });
    db.losers.set('_design/stock-next', [{ ...structuredClone(stock()), _id: '_design/stock-next', _rev: '1-a' }]);
    const up = upgrader({ [LOC]: db });
    expect(await up.run()).toMatchObject({ state: 'current', done: 0, failed: 0 });
    expect(await db.get('_design/stock', { conflicts: true })).toMatchObject({ _rev: '5-aaa', version: stock().version });
    expect(await db.get('_design/stock', { conflicts: true })).not.toHaveProperty('_conflicts');
    expect(db.docs.has('_design/stock-next')).toBe(false);
    expect(db.viewQueries).toEqual([]); // ours won: nothing to build
  });

  it('a database it cannot read is counted failed; the others go on', async () => {
    const broken = new FakeDb();
    broken.list = async () => {
      throw httpError(500, 'internal');
    };
    const ok = olderLocation();
    const status = await upgrader({ 't-alpha-loc-gm': broken, 't-bravo-loc-gm': ok }).run();
    expect(status).toMatchObject({ state: 'failed', checked: 2, done: 1, failed: 1 });
    expect((await ok.get('_design/stock')).version).toBe(stock().version);
  });

  it('stop() ends the run without swapping', async () => {
    const db = olderLocation();
    let up!: DesignDocUpgrades;
    db.onView = () => up.stop();
    up = upgrader({ [LOC]: db });
    await up.run();
    expect((await db.get('_design/stock')).version).toBe('older-release');
    expect(up.status().state).toBe('upgrading');
  });

  it('kinds come from database names; databases of no kind are not touched', async () => {
    const calls: DesignKind[] = [];
    const up = upgrader({ platform: new FakeDb(), 't-acme-audit': new FakeDb(), _users: new FakeDb(), 'someone-else': new FakeDb() }, {
      designDocsFor: (kind) => {
        calls.push(kind);
        return [];
      }
    });
    expect(await up.run()).toMatchObject({ databases: 2, checked: 2 });
    expect(calls.sort()).toEqual(['audit', 'platform']);
  });
});
