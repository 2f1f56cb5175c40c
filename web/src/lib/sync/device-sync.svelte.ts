import type { StoredDevice } from '$lib/ui/device-store';
import { SyncService, type SyncHooks } from './orchestrator.ts';
import { CatalogIndex } from '$lib/catalog-index/catalog-index';
import { CatalogIndexStore } from '$lib/catalog-index/store';
import type { SyncState } from './state.ts';
import { targetsFor } from './targets.ts';

/**
 * Starts the device's sync service in the browser and mirrors its state into Svelte runes. PouchDB
 * is imported here, lazily, so it never loads in server-rendered code (DESIGN.md §9).
 */
export class DeviceSync {
  state = $state<SyncState | null>(null);
  docCounts = $state<Record<string, number>>({});
  /** variants a register can scan right now (its compact catalog), null on other devices */
  scannable = $state<number | null>(null);
  index: CatalogIndex | null = null;
  private service: SyncService | null = null;
  private off: (() => void) | null = null;
  private onlineHandler = () => this.service?.nudge();
  private offlineHandler = () => this.service?.markOffline();
  private countTimer: ReturnType<typeof setInterval> | undefined;

  async start(device: StoredDevice): Promise<void> {
    const { default: PouchDB } = await import('pouchdb-browser');
    let hooks: SyncHooks | undefined;
    const catalogName = device.databases.catalog;
    if (device.device.kind === 'register' && catalogName) {
      // Cold start: the persisted compact catalog is scan-ready before any replication runs.
      const index = new CatalogIndex(new CatalogIndexStore(catalogName));
      await index.open();
      this.index = index;
      this.scannable = index.lookup.size;
      hooks = {
        onBootstrapPage: async (db, page, docs) => {
          if (db === catalogName) await index.onBootstrapPage(page, docs);
        },
        onReplicaReady: async (db, local) => {
          if (db === catalogName) await index.ensureComplete(local);
        },
        onPulled: (db, docs) => {
          if (db === catalogName) index.onPulled(docs);
        }
      };
    }
    this.service = new SyncService({
      PouchDB,
      baseUrl: location.origin,
      targets: targetsFor(device.device.kind, device.databases),
      auth: { token: () => device.deviceToken },
      ...(hooks ? { hooks } : {})
    });
    this.off = this.service.subscribe((s) => (this.state = s));
    this.service.start();
    addEventListener('online', this.onlineHandler);
    addEventListener('offline', this.offlineHandler);
    const count = async () => {
      const counts: Record<string, number> = {};
      for (const db of this.state?.databases ?? []) counts[db.name] = (await this.service!.local(db.name).info()).doc_count;
      this.docCounts = counts;
      if (this.index) this.scannable = this.index.lookup.size;
    };
    this.countTimer = setInterval(() => void count(), 1_000);
    void count();
  }

  stop(): void {
    removeEventListener('online', this.onlineHandler);
    removeEventListener('offline', this.offlineHandler);
    clearInterval(this.countTimer);
    this.off?.();
    this.service?.stop();
    this.service = null;
  }
}
