import { CatalogLookup } from './entries.ts';
import type { CatalogIndexStore } from './store.ts';

/** Rebuild pages when the index must be made from the local replica (e.g. the index was cleared). */
const REBUILD_PAGE = 2_000;

/**
 * The register's compact catalog, kept in step with the catalog replica through the sync hooks:
 * bootstrap pages become chunks, live pulls become overlay rows, and a device whose index is missing
 * or incomplete rebuilds it from its local replica. `lookup` is usable as soon as `open()` resolves.
 */
export class CatalogIndex {
  lookup = new CatalogLookup();
  private opened = false;

  constructor(private readonly store: CatalogIndexStore) {}

  async open(): Promise<CatalogLookup> {
    this.lookup = await this.store.load();
    this.opened = true;
    return this.lookup;
  }

  async onBootstrapPage(page: number, docs: Record<string, unknown>[]): Promise<void> {
    await this.store.addChunk(page, docs as { _id: string }[]);
    this.lookup.applyDocs(docs as { _id: string }[]);
  }

  onPulled(docs: Record<string, unknown>[]): void {
    this.lookup.applyDocs(docs as { _id: string }[]);
    void this.store.applyChanges(docs as { _id: string }[]);
  }

  /** Called when the replica is complete: make sure the index covers it. */
  async ensureComplete(local: PouchDB.Database): Promise<void> {
    if (!this.opened) await this.open();
    if (await this.store.isComplete()) return;
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
  }
}
