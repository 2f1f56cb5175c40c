import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { designDocsFor } from '../../couch-design-docs/index.ts';
import { generateDemoCatalog } from '../demo/catalog-generator.ts';
import { generateHistory } from '../demo/history-generator.ts';

const require = createRequire(import.meta.url);
const { viewsPlugin } = require('./embedded-views.cjs') as { viewsPlugin: { query: Query } };
type Row = { id?: string; key: unknown; value: unknown };
type Query = (this: Db, fun: string, opts?: Record<string, unknown>) => Promise<{ rows: Row[] }>;
interface Db {
  query: Query;
  bulkDocs(docs: object[]): Promise<unknown>;
  put(doc: object): Promise<unknown>;
  get(id: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}
const PouchDB = require('pouchdb-node') as { defaults(o: object): new (name: string) => Db };

/**
 * The embedded store's views (embedded-views.cjs) against pouchdb-node's own map/reduce on the same
 * documents: every location view of couch-design-docs, mapped and reduced, gives the same rows; and
 * a map function still runs in its own context on its own copy of the document.
 */
let dir = '';
let Pouch: new (name: string) => Db;
/** the documents, read through our views */
let ours: Db;
/** a copy of them, read through pouchdb-node's own map/reduce (separate indexes) */
let ref: Db;

const NOW = '2026-12-07T20:00:00.000Z';
const cashier = { id: 'user:carlos', name: 'Carlos Cashier', approvesOwnDiscounts: false };
const manager = { id: 'user:maria', name: 'Maria Manager', approvesOwnDiscounts: true };
const tax = { ratePpm: 88_750, exemptCategories: [], pricesIncludeTax: false, rounding: 'line' as const, roundingMode: 'half_up' as const };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-views-'));
  Pouch = PouchDB.defaults({ prefix: dir + path.sep });
  ours = new Pouch('ours');
  ours.query = viewsPlugin.query;
  ref = new Pouch('ref');
  const catalog = generateDemoCatalog({ seed: 2026, locationCodes: ['GM'], now: '2026-08-01T00:00:00.000Z', actor: 'system' });
  const history = generateHistory({
    seed: 3,
    now: NOW,
    days: 1,
    locations: [{ code: 'GM', timeZone: 'America/New_York', currency: 'USD', tax, manager, registers: [{ key: 'GM-1', shortCode: 'GM1', staff: cashier }] }],
    products: catalog.products,
    customers: catalog.customers,
    openingStock: catalog.openingMovements,
    buyer: 'user:olivia'
  });
  // a little opening stock (the views' rows come mostly from the sales), the history, and the design docs
  const docs = [...(catalog.openingMovements.GM ?? []).slice(0, 40), ...history.locations.GM!, ...designDocsFor('location').map(({ _id, language, views }) => ({ _id, language, ...(views ? { views } : {}) }))];
  await ours.bulkDocs(docs);
  await ref.bulkDocs(docs);
}, 60_000);

afterAll(async () => {
  await ours?.close();
  await ref?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('embedded store views', () => {
  it('give the rows pouchdb-node gives, for every location view, mapped and reduced', async () => {
    const views = designDocsFor('location').flatMap((d) => Object.entries(d.views ?? {}).map(([v, def]) => ({ name: `${d._id.slice('_design/'.length)}/${v}`, reduce: !!def.reduce })));
    expect(views.length).toBeGreaterThan(8);
    let mapped = 0;
    for (const v of views) {
      const mine = await ours.query(v.name, { reduce: false });
      const theirs = await ref.query(v.name, { reduce: false });
      expect(mine.rows, v.name).toEqual(theirs.rows);
      mapped += mine.rows.length;
      if (v.reduce) {
        expect((await ours.query(v.name, { group: true })).rows, `${v.name} grouped`).toEqual((await ref.query(v.name, { group: true })).rows);
        expect((await ours.query(v.name, {})).rows, `${v.name} reduced`).toEqual((await ref.query(v.name, {})).rows);
      }
    }
    expect(mapped).toBeGreaterThan(50);
  }, 120_000);

  it('runs a map function in its own context, on its own copy of the document', async () => {
    const probe = new Pouch('probe');
    probe.query = viewsPlugin.query;
    await probe.bulkDocs([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2, boom: true },
      {
        _id: '_design/probe',
        views: {
          globals: { map: 'function (doc) { doc.n = 99; emit(doc._id, [typeof require, typeof process, typeof globalThis.fetch, isArray([1]), sum([1, 2])]); }' },
          throws: { map: 'function (doc) { emit(doc._id, 1); if (doc.boom) throw new Error("bad doc"); emit(doc._id + "!", 2); }' },
          totals: { map: 'function (doc) { emit(doc._id, [doc.n, 1]); }', reduce: '_sum' },
          stats: { map: 'function (doc) { emit(null, doc.n); }', reduce: '_stats' },
          bad: { map: 'function (doc) { emit(null, "x"); }', reduce: '_sum' }
        }
      }
    ]);
    const globals = await probe.query('probe/globals');
    expect(globals.rows.map((r) => r.value)).toEqual([
      ['undefined', 'undefined', 'undefined', true, 3],
      ['undefined', 'undefined', 'undefined', true, 3]
    ]);
    // the map function's change stayed in its copy
    expect((await probe.get('a')).n).toBe(1);
    // a map function that throws emits nothing for that document (as pouchdb-node and CouchDB)
    expect((await probe.query('probe/throws')).rows.map((r) => r.key)).toEqual(['a', 'a!']);
    expect((await probe.query('probe/totals', {})).rows[0]!.value).toEqual([3, 2]);
    expect((await probe.query('probe/stats', {})).rows[0]!.value).toEqual({ sum: 3, min: 1, max: 2, count: 2, sumsqr: 5 });
    await expect(probe.query('probe/bad', {})).rejects.toMatchObject({ message: expect.stringContaining('builtin _sum function requires map values to be numbers') });
    await probe.close();
  });
});
