import { describe, expect, it } from 'vitest';
import { designDocsFor, mangoIndexesFor } from '../../couch-design-docs/index.ts';
import type { Db } from './client.ts';
import { deployAllDesignDocs, deployDesignDocs, designKindOf } from './design-docs.ts';

const httpError = (statusCode: number) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });

/** In-memory stand-in for the three nano calls the deploy makes, with CouchDB's rev/409 rules. */
class FakeDb {
  docs = new Map<string, Record<string, unknown> & { _rev: string }>();
  indexes = new Map<string, unknown>();
  puts = 0;
  /** runs once, just before the next insert is applied: simulates another server writing first */
  beforeNextInsert: (() => void) | null = null;

  async get(id: string) {
    const d = this.docs.get(id);
    if (!d) throw httpError(404);
    return structuredClone(d);
  }
  async insert(doc: Record<string, unknown> & { _id: string; _rev?: string }) {
    const hook = this.beforeNextInsert;
    this.beforeNextInsert = null;
    hook?.();
    const cur = this.docs.get(doc._id);
    if ((cur?._rev ?? undefined) !== doc._rev) throw httpError(409);
    const n = cur ? Number(cur._rev.split('-')[0]) + 1 : 1;
    this.docs.set(doc._id, { ...structuredClone(doc), _rev: `${n}-x` });
    this.puts++;
    return { ok: true, id: doc._id, rev: `${n}-x` };
  }
  async createIndex(def: { name: string }) {
    const result = this.indexes.has(def.name) ? 'exists' : 'created';
    this.indexes.set(def.name, def);
    return { result };
  }
  asDb(): Db {
    return this as unknown as Db;
  }
}

describe('deployDesignDocs', () => {
  it('creates everything once, then is a no-op that writes nothing', async () => {
    const db = new FakeDb();
    const first = await deployDesignDocs(db.asDb(), 'location');
    const ids = designDocsFor('location').map((d) => d._id);
    expect(first).toEqual({ deployed: ids, unchanged: [] });
    expect([...db.indexes.keys()]).toEqual(mangoIndexesFor('location').map((i) => i.name));
    const puts = db.puts;

    const second = await deployDesignDocs(db.asDb(), 'location');
    expect(second).toEqual({ deployed: [], unchanged: ids });
    expect(db.puts).toBe(puts);
    expect((await db.get('_design/stock')).version).toBe(designDocsFor('location').find((d) => d._id === '_design/stock')!.version);
  });

  it('replaces an outdated design doc on top of its current revision', async () => {
    const db = new FakeDb();
    db.docs.set('_design/stock', { _id: '_design/stock', _rev: '3-old', version: 'old', views: {} });
    const res = await deployDesignDocs(db.asDb(), 'location');
    expect(res.deployed).toContain('_design/stock');
    const now = await db.get('_design/stock');
    expect(now._rev).toBe('4-x');
    expect(now).toHaveProperty('views.on_hand.reduce', '_sum');
  });

  it('survives another server deploying the same version between its read and write', async () => {
    const db = new FakeDb();
    const stock = designDocsFor('location').find((d) => d._id === '_design/stock')!;
    db.beforeNextInsert = () => db.docs.set(stock._id, { ...stock, _rev: '1-other' });
    const res = await deployDesignDocs(db.asDb(), 'location');
    // the racing write was ours too: re-read, same version, nothing more to do
    expect(res.unchanged).toContain('_design/stock');
    expect((await db.get('_design/stock'))._rev).toBe('1-other');
  });

  it('retries a 409 once, then gives up loudly', async () => {
    const db = new FakeDb();
    let conflicts = 0;
    const stubborn = db.asDb();
    (stubborn as unknown as FakeDb).insert = async () => {
      conflicts++;
      throw httpError(409);
    };
    await expect(deployDesignDocs(stubborn, 'audit')).rejects.toMatchObject({ statusCode: 409 });
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

describe('deployAllDesignDocs', () => {
  it('maps database names to kinds and skips databases it does not own', async () => {
    expect(designKindOf('platform')).toBe('platform');
    expect(designKindOf('t-nexus-catalog')).toBe('catalog');
    expect(designKindOf('t-nexus-loc-gm')).toBe('location');
    expect(designKindOf('t-nexus-customers')).toBe('customers');
    expect(designKindOf('t-nexus-audit')).toBe('audit');
    expect(designKindOf('_users')).toBeNull();
    expect(designKindOf('t-nexus-other')).toBeNull();

    const dbs = new Map<string, FakeDb>();
    const server = {
      listDbs: async () => ['platform', 't-nexus-catalog', 't-nexus-loc-gm', 'scratch'],
      use: (name: string) => {
        if (!dbs.has(name)) dbs.set(name, new FakeDb());
        return dbs.get(name)!.asDb();
      }
    };
    const res = await deployAllDesignDocs(server as never, 2);
    expect(Object.keys(res).sort()).toEqual(['platform', 't-nexus-catalog', 't-nexus-loc-gm']);
    expect(res['t-nexus-loc-gm']!.deployed).toContain('_design/stock');
    expect(res['platform']!.deployed).toContain('_design/users');
    const again = await deployAllDesignDocs(server as never, 2);
    expect(Object.values(again).every((r) => r.deployed.length === 0)).toBe(true);
  });
});
