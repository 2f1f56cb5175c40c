/**
 * Chromium commits IndexedDB transactions with "relaxed" durability by default: the write is
 * reported done before it reaches the disk, so a power cut right after "sale complete" could lose
 * it. PouchDB opens its own transactions and exposes no option, so for the register's location
 * replica (sales, voids, shifts) read-write transactions are asked for `durability: 'strict'`.
 * The catalog replica keeps the fast default: it can always be fetched again.
 */
export function useStrictDurability(matches: (idbName: string) => boolean): void {
  const proto = globalThis.IDBDatabase?.prototype as (IDBDatabase & { __posStrict?: boolean }) | undefined;
  if (!proto || proto.__posStrict) return;
  const original = proto.transaction;
  proto.transaction = function (this: IDBDatabase, stores: string | string[], mode?: IDBTransactionMode, options?: IDBTransactionOptions) {
    if (mode === 'readwrite' && !options?.durability && matches(this.name)) return original.call(this, stores, mode, { ...options, durability: 'strict' });
    return original.call(this, stores, mode, options);
  } as typeof proto.transaction;
  proto.__posStrict = true;
}
