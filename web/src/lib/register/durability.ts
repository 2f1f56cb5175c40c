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

/**
 * Why did a local write fail? PouchDB reports IndexedDB failures as a generic "unknown error", so
 * this asks IndexedDB directly with a tiny write of its own: a QuotaExceededError means the device's
 * storage is full; any other failure means storage is unavailable (private mode, disk error).
 */
export async function diagnoseStorageFailure(): Promise<'full' | 'unavailable' | 'ok'> {
  if (typeof indexedDB === 'undefined') return 'unavailable';
  return new Promise((resolve) => {
    const fail = (err: unknown) => resolve((err as DOMException | null)?.name === 'QuotaExceededError' ? 'full' : 'unavailable');
    try {
      const open = indexedDB.open('pos-storage-probe', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('probe');
      open.onerror = () => fail(open.error);
      open.onsuccess = () => {
        const db = open.result;
        try {
          const tx = db.transaction('probe', 'readwrite');
          tx.objectStore('probe').put(new Date().toISOString(), 'last');
          tx.oncomplete = () => (db.close(), resolve('ok'));
          tx.onabort = tx.onerror = () => (db.close(), fail(tx.error));
        } catch (err) {
          db.close();
          fail(err);
        }
      };
    } catch (err) {
      fail(err);
    }
  });
}
