import type { Couch, Db } from '../../server/couch/client.ts';

export const httpError = (statusCode: number, error = 'error') => Object.assign(new Error(`HTTP ${statusCode} ${error}`), { statusCode, error });

type Doc = Record<string, unknown> & { _id: string; _rev: string };

/**
 * In-memory stand-in for the nano calls design-document deploys and upgrades make (get, insert,
 * destroy, a `_design/` range of _all_docs, createIndex, view), with CouchDB's rev/409 rules.
 */
export class FakeDb {
  docs = new Map<string, Doc>();
  indexes = new Map<string, unknown>();
  puts = 0;
  /** every view query, as `ddoc/view` */
  viewQueries: string[] = [];
  /** runs once, just before the next insert is applied: simulates another server writing first */
  beforeNextInsert: (() => void) | null = null;
  /** answers a view query instead of the default (an empty result); may throw */
  onView: ((ddoc: string, view: string) => Promise<void> | void) | null = null;

  /** losing revisions of a document (a cluster accepted two writes over one revision) */
  losers = new Map<string, Doc[]>();

  async get(id: string, params: { conflicts?: boolean; rev?: string } = {}) {
    const d = this.docs.get(id);
    if (params.rev && d?._rev !== params.rev) {
      const loser = this.losers.get(id)?.find((l) => l._rev === params.rev);
      if (!loser) throw httpError(404, 'not_found');
      return structuredClone(loser);
    }
    if (!d) throw httpError(404, 'not_found');
    const out: Record<string, unknown> = structuredClone(d);
    if (params.conflicts && this.losers.get(id)?.length) out._conflicts = this.losers.get(id)!.map((l) => l._rev);
    return out as Doc;
  }
  async insert(doc: Record<string, unknown> & { _id: string; _rev?: string }) {
    const hook = this.beforeNextInsert;
    this.beforeNextInsert = null;
    hook?.();
    const cur = this.docs.get(doc._id);
    if ((cur?._rev ?? undefined) !== doc._rev) throw httpError(409, 'conflict');
    const n = cur ? Number(cur._rev.split('-')[0]) + 1 : 1;
    this.docs.set(doc._id, { ...structuredClone(doc), _rev: `${n}-x` });
    this.puts++;
    return { ok: true, id: doc._id, rev: `${n}-x` };
  }
  async destroy(id: string, rev: string) {
    const cur = this.docs.get(id);
    const losers = this.losers.get(id) ?? [];
    if (losers.some((l) => l._rev === rev)) {
      this.losers.set(id, losers.filter((l) => l._rev !== rev));
      return { ok: true };
    }
    if (!cur) throw httpError(404, 'not_found');
    if (cur._rev !== rev) throw httpError(409, 'conflict');
    // a deleted winner: the next losing revision wins
    const [next, ...rest] = losers;
    if (next) {
      this.docs.set(id, next);
      this.losers.set(id, rest);
    } else this.docs.delete(id);
    return { ok: true };
  }
  async list(params: { startkey: string; endkey: string; include_docs?: boolean; conflicts?: boolean }) {
    const ids = [...this.docs.keys()].filter((id) => id >= params.startkey && id <= params.endkey).sort();
    const rows = [];
    for (const id of ids) rows.push({ id, key: id, value: { rev: this.docs.get(id)!._rev }, ...(params.include_docs ? { doc: await this.get(id, { conflicts: params.conflicts }) } : {}) });
    return { rows };
  }
  async view(ddoc: string, view: string) {
    if (!this.docs.has(`_design/${ddoc}`)) throw httpError(404, 'not_found');
    this.viewQueries.push(`${ddoc}/${view}`);
    await this.onView?.(ddoc, view);
    return { rows: [] };
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

/** A Couch over fake databases by logical name (created on first use). */
export function fakeCouch(names: string[], dbs = new Map<string, FakeDb>()): Couch & { dbs: Map<string, FakeDb> } {
  return {
    dbs,
    listDbs: async () => names,
    use: (name: string) => {
      if (!dbs.has(name)) dbs.set(name, new FakeDb());
      return dbs.get(name)!.asDb();
    }
  } as unknown as Couch & { dbs: Map<string, FakeDb> };
}
