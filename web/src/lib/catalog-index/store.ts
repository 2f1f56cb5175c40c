import { Dexie, type Table } from 'dexie';
import { CatalogLookup, entriesFromDoc, type IndexEntry } from './entries.ts';

/**
 * Persisted compact catalog (device-local, never replicated; Dexie per DESIGN.md §5). Bootstrap
 * pages land as a few large chunk records (loading 100k variants is then a handful of IndexedDB
 * reads, not 100k); later product changes land in a small overlay keyed by product, applied over the
 * chunks on load. `meta.complete` says the chunks cover the whole bootstrap.
 */
interface Chunk {
  id: number;
  products: { productId: string; entries: IndexEntry[] }[];
}
interface Overlay {
  productId: string;
  entries: IndexEntry[];
}
interface Meta {
  key: string;
  value: unknown;
}

class CatalogIndexDb extends Dexie {
  chunks!: Table<Chunk, number>;
  overlay!: Table<Overlay, string>;
  meta!: Table<Meta, string>;
  constructor(name: string, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }) {
    super(name, deps);
    this.version(1).stores({ chunks: 'id', overlay: 'productId', meta: 'key' });
  }
}

type DocLike = Parameters<typeof entriesFromDoc>[0];

export class CatalogIndexStore {
  private readonly db: CatalogIndexDb;

  constructor(catalogDbName: string, indexedDB?: IDBFactory, keyRange?: typeof IDBKeyRange) {
    // Tests pass an in-memory IndexedDB; browsers use their own.
    this.db = new CatalogIndexDb(`pos-catalog-index:${catalogDbName}`, indexedDB && keyRange ? { indexedDB, IDBKeyRange: keyRange } : undefined);
  }

  /** Adds one bootstrap page as a chunk (idempotent per chunk id). */
  async addChunk(id: number, docs: DocLike[]): Promise<number> {
    const products = docs.filter((d) => d._id.startsWith('product:')).map((d) => ({ productId: d._id, entries: entriesFromDoc(d) }));
    await this.db.chunks.put({ id, products });
    return products.length;
  }

  /** Product changes after the bootstrap (live replication). */
  async applyChanges(docs: DocLike[]): Promise<void> {
    const rows = docs.filter((d) => d._id.startsWith('product:')).map((d) => ({ productId: d._id, entries: entriesFromDoc(d) }));
    if (rows.length) await this.db.overlay.bulkPut(rows);
  }

  async markComplete(complete: boolean): Promise<void> {
    await this.db.meta.put({ key: 'complete', value: complete });
  }

  async isComplete(): Promise<boolean> {
    return (await this.db.meta.get('complete'))?.value === true;
  }

  /** Everything, ready to scan: chunks in order, then the overlay on top. */
  async load(): Promise<CatalogLookup> {
    const lookup = new CatalogLookup();
    await this.db.chunks.each((chunk) => {
      for (const p of chunk.products) lookup.setProduct(p.productId, p.entries);
    });
    await this.db.overlay.each((o) => lookup.setProduct(o.productId, o.entries));
    return lookup;
  }

  async clear(): Promise<void> {
    await this.db.transaction('rw', this.db.chunks, this.db.overlay, this.db.meta, async () => {
      await this.db.chunks.clear();
      await this.db.overlay.clear();
      await this.db.meta.clear();
    });
  }

  close(): void {
    this.db.close();
  }
}
