import { CatalogLookup } from './entries.ts';
import type { CatalogIndexStore } from './store.ts';
import { entriesFromCompact, type CompactProduct } from './compact.ts';

/** Rebuild pages when the index must be made from the local replica (e.g. the index was cleared). */
const REBUILD_PAGE = 2_000;

/**
 * The register's compact catalog, kept in step with the catalog replica through the sync hooks:
 * bootstrap pages become chunks, live pulls become overlay rows, and a device whose index is missing
 * or incomplete rebuilds it from its local replica. `lookup` is usable as soon as `open()` resolves.
 */
export class CatalogIndex {
  lookup = new CatalogLookup();
  /**
   * The index covers the whole catalog (a server snapshot, a finished bootstrap, or a rebuild from a
   * complete replica). Until then a code it does not know may simply not be loaded yet.
   */
  complete = false;
  private opened = false;
  private fromSnapshot = false;

  constructor(private readonly store: CatalogIndexStore) {}

  async open(): Promise<CatalogLookup> {
    this.lookup = await this.store.load();
    this.fromSnapshot = (await this.store.source()) === 'snapshot';
    this.complete = await this.store.isComplete();
    this.opened = true;
    return this.lookup;
  }

  /**
   * Loads the server's compact snapshot (one request) so the register can scan before its replica
   * exists. Later bootstrap pages and pulls then only touch products whose revision differs.
   */
  async loadSnapshot(fetchSnapshot: () => Promise<{ products: CompactProduct[] }>): Promise<void> {
    const { products } = await fetchSnapshot();
    await this.store.replaceWithSnapshot(products);
    const lookup = new CatalogLookup();
    for (const row of products) lookup.setProduct(row[0], entriesFromCompact(row), row[1]);
    this.lookup = lookup;
    this.opened = true;
    this.fromSnapshot = true;
    this.complete = true;
  }

  async onBootstrapPage(page: number, docs: Record<string, unknown>[], deletedIds: string[] = []): Promise<void> {
    const products = docs as { _id: string; _rev?: string }[];
    if (this.fromSnapshot) {
      // The snapshot already holds these products; keep only what changed since it was taken.
      const changed = [
        ...products.filter((d) => d._id.startsWith('product:') && this.lookup.revOf(d._id) !== d._rev),
        ...deletedIds.filter((id) => this.lookup.revOf(id) !== undefined).map((id) => ({ _id: id, _deleted: true }))
      ];
      if (changed.length) this.onPulled(changed as Record<string, unknown>[]);
      return;
    }
    await this.store.addChunk(page, products);
    this.lookup.applyDocs(products);
  }

  onPulled(docs: Record<string, unknown>[]): void {
    this.lookup.applyDocs(docs as { _id: string }[]);
    void this.store.applyChanges(docs as { _id: string }[]);
  }

  /** Called when the replica is complete: make sure the index covers it. */
  async ensureComplete(local: PouchDB.Database): Promise<void> {
    if (!this.opened) await this.open();
    if (await this.store.isComplete()) return void (this.complete = true);
    // The bootstrap wrote chunks from page 0 on; if it did not run (or the index was lost), rebuild.
    if (this.lookup.size === 0) {
      let page = 0;
      let startkey = 'product:';
      for (;;) {
        const res = await local.allDocs({ include_docs: true, startkey, endkey: 'product:\ufff0', limit: REBUILD_PAGE + 1 });
        const rows = res.rows.slice(0, REBUILD_PAGE);
        const docs = rows.map((r) => r.doc as unknown as Record<string, unknown>);
        await this.onBootstrapPage(page++, docs);
        if (res.rows.length <= REBUILD_PAGE) break;
        startkey = res.rows[REBUILD_PAGE]!.id;
      }
    }
    await this.store.markComplete(true);
    this.complete = true;
  }
}
