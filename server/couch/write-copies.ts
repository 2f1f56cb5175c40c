import type nano from 'nano';
import type { ServerScope } from 'nano';
import type { Db } from './client.ts';

/** Scopes made here, to the deployment's current `w`. */
const copiesOf = new WeakMap<Db, () => number | undefined>();

/**
 * A database scope whose writes (`insert`, `bulk`, `destroy`) carry `w` when the deployment sets
 * one; reads are untouched. nano has no per-request hook, so the three write verbs are wrapped.
 */
export function withWriteCopies(server: ServerScope, db: Db, copies: () => number | undefined): Db {
  const withW = (qs: unknown): Record<string, unknown> | undefined => {
    const w = copies();
    const base = typeof qs === 'string' ? { docName: qs } : (qs as Record<string, unknown> | undefined);
    return w ? { ...base, w } : base;
  };
  const scope = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'insert') return (doc: unknown, qs?: unknown) => target.insert(doc as object, withW(qs) as nano.DocumentInsertParams);
      if (prop === 'bulk') return (docs: nano.BulkModifyDocsWrapper, qs?: unknown) => target.bulk(docs, withW(qs));
      if (prop === 'destroy')
        return (docName: string, rev: string) => {
          const w = copies();
          if (!w) return target.destroy(docName, rev);
          return server.request({ db: target.config.db, doc: docName, method: 'DELETE', qs: { rev, w } });
        };
      return Reflect.get(target, prop, receiver) as unknown;
    }
  });
  copiesOf.set(scope, copies);
  return scope;
}

/** The `w` a scope made by `withWriteCopies` writes with (undefined: the store's default), for writers that bypass nano (cas.ts). */
export function writeCopiesOf(db: Db): number | undefined {
  return copiesOf.get(db)?.();
}
