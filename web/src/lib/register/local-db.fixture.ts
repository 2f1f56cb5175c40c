/**
 * PouchDB does not run on fake-indexeddb in node (transactions abort); this stand-in keeps documents
 * the way PouchDB does for the calls the register's data layer makes: `get` (404 when missing),
 * `put` with a revision check (409 on a stale or missing `_rev`, `_local/` docs included), and
 * `allDocs` by key range. Two instances over one `store` behave like two tabs of one register.
 * The real IndexedDB path is covered by the e2e suite.
 */
export type Store = Map<string, { rev: number; body: Record<string, unknown> }>;

export function localDb(store: Store = new Map()) {
  let puts = 0;
  let failNext: unknown = null;
  const db = {
    name: 'location-test',
    store,
    get puts() {
      return puts;
    },
    failNextPut(err: unknown) {
      failNext = err;
    },
    async get(id: string) {
      const hit = store.get(id);
      if (!hit) throw Object.assign(new Error('missing'), { status: 404 });
      return { ...structuredClone(hit.body), _id: id, _rev: `${hit.rev}-a` };
    },
    async put(doc: { _id: string; _rev?: string } & Record<string, unknown>) {
      // yield like IndexedDB does, so concurrent callers interleave
      await new Promise((r) => setTimeout(r, 1));
      if (failNext) {
        const err = failNext;
        failNext = null;
        throw err;
      }
      const hit = store.get(doc._id);
      const expected = hit ? `${hit.rev}-a` : undefined;
      if (doc._rev !== expected) throw Object.assign(new Error('Document update conflict'), { status: 409 });
      const { _id, _rev, ...body } = doc;
      void _rev;
      const rev = (hit?.rev ?? 0) + 1;
      store.set(_id, { rev, body: structuredClone(body) });
      puts++;
      return { ok: true, id: _id, rev: `${rev}-a` };
    },
    async allDocs(o: { startkey: string; endkey: string; descending?: boolean; limit?: number; include_docs?: boolean }) {
      const [lo, hi] = o.descending ? [o.endkey, o.startkey] : [o.startkey, o.endkey];
      let ids = [...store.keys()].filter((id) => !id.startsWith('_local/') && id >= lo && id <= hi).sort();
      if (o.descending) ids.reverse();
      if (o.limit) ids = ids.slice(0, o.limit);
      return { rows: ids.map((id) => ({ id, key: id, doc: { ...structuredClone(store.get(id)!.body), _id: id, _rev: `${store.get(id)!.rev}-a` } })) };
    }
  };
  return db;
}

export const asPouch = (d: ReturnType<typeof localDb>) => d as unknown as PouchDB.Database;
