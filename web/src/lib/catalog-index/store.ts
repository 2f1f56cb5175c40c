import { Dexie, type Table } from 'dexie';
import { CatalogLookup, entriesFromDoc, type IndexEntry } from './entries.ts';
import { entriesFromCompact, type CompactProduct } from './compact.ts';

/**
 * Persisted compact catalog (device-local, never replicated; Dexie per DESIGN.md §5). Bootstrap
 * pages land as a few large chunk records (loading 100k variants is then a handful of IndexedDB
 * reads, not 100k); later product changes land in a small overlay keyed by product, applied over the
 * chunks on load. `meta.complete` says the chunks cover the whole bootstrap.
 */
interface Chunk {
  id: number;
  products: { productId: string; rev?: string; entries: IndexEntry[] }[];
}
interface Overlay {
  productId: string;
  rev?: string;
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

type DocLike = Parameters<typeof entriesFromDoc>[0] & { _id: string };

export class CatalogIndexStore {
  private readonly db: CatalogIndexDb;

  constructor(catalogDbName: string, indexedDB?: IDBFactory, keyRange?: typeof IDBKeyRange) {
    // Tests pass an in-memory IndexedDB; browsers use their own.
    this.db = new CatalogIndexDb(`pos-catalog-index:${catalogDbName}`, indexedDB && keyRange ? { indexedDB, IDBKeyRange: keyRange } : undefined);
  }

  /** Adds one bootstrap page as a chunk (idempotent per chunk id). */
  async addChunk(id: number, docs: DocLike[]): Promise<number> {
    const products = docs.filter((d) => d._id.startsWith('product:')).map((d) => ({ productId: d._id, ...(d._rev ? { rev: d._rev } : {}), entries: entriesFromDoc(d) }));
    await this.db.chunks.put({ id, products });
    return products.length;
  }

  /** Replaces everything with a server snapshot, in large chunks, and marks the index complete. */
  async replaceWithSnapshot(rows: CompactProduct[], chunkSize = 5_000): Promise<void> {
    await this.db.transaction('rw', this.db.chunks, this.db.overlay, this.db.meta, async () => {
      await this.db.chunks.clear();
      await this.db.overlay.clear();
      const chunks: Chunk[] = [];
      for (let i = 0; i < rows.length; i += chunkSize) {
        chunks.push({ id: i / chunkSize, products: rows.slice(i, i + chunkSize).map((r) => ({ productId: r[0], rev: r[1], entries: entriesFromCompact(r) })) });
      }
      await this.db.chunks.bulkPut(chunks);
      await this.db.meta.put({ key: 'complete', value: true });
      await this.db.meta.put({ key: 'source', value: 'snapshot' });
    });
  }

  /** Product changes after the bootstrap (live replication). */
  async applyChanges(docs: DocLike[]): Promise<void> {
    const rows = docs.filter((d) => d._id.startsWith('product:')).map((d) => ({ productId: d._id, ...(d._rev && !d._deleted ? { rev: d._rev } : {}), entries: entriesFromDoc(d) }));
    if (rows.length) await this.db.overlay.bulkPut(rows);
  }

  async markComplete(complete: boolean): Promise<void> {
    await this.db.meta.put({ key: 'complete', value: complete });
  }

  /** 'snapshot' when the chunks came from the server snapshot (bootstrap pages must not overwrite them) */
  async source(): Promise<string | null> {
    return ((await this.db.meta.get('source'))?.value as string | undefined) ?? null;
  }

  async isComplete(): Promise<boolean> {
    return (await this.db.meta.get('complete'))?.value === true;
  }

  /** Everything, ready to scan: chunks in order, then the overlay on top. */
  async load(): Promise<CatalogLookup> {
    const lookup = new CatalogLookup();
    await this.db.chunks.each((chunk) => {
      for (const p of chunk.products) lookup.setProduct(p.productId, p.entries, p.rev);
    });
    await this.db.overlay.each((o) => lookup.setProduct(o.productId, o.entries, o.rev));
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
