import type { StoredDevice } from '$lib/ui/device-store';
import { SyncService, type SyncHooks } from './orchestrator.ts';
import { CatalogIndex } from '$lib/catalog-index/catalog-index';
import { CatalogIndexStore } from '$lib/catalog-index/store';
import { api } from '$lib/api/client';
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
  /**
   * A register's catalog is all here (snapshot loaded, or the replica bootstrapped into the index):
   * only then does a code the index lacks mean "unknown" rather than "not loaded yet".
   */
  catalogLoaded = $state(false);
  /**
   * Staff, settings, location, tax rates and categories from the snapshot: a fresh register signs
   * in and prices with these until its replica holds them (seconds later, with the first page).
   */
  referenceDocs: Record<string, unknown>[] = [];
  private service: SyncService | null = null;
  private off: (() => void) | null = null;
  private onlineHandler = () => this.service?.nudge();
  private offlineHandler = () => this.service?.markOffline();
  private countTimer: ReturnType<typeof setInterval> | undefined;

  async start(device: StoredDevice): Promise<void> {
    const [{ default: PouchDB }, { default: IndexeddbAdapter }] = await Promise.all([import('pouchdb-browser'), import('pouchdb-adapter-indexeddb')]);
    // The `indexeddb` adapter writes ~20 % faster than pouchdb-browser's default `idb` (DESIGN.md, measured here).
    PouchDB.plugin(IndexeddbAdapter);
    let hooks: SyncHooks | undefined;
    const catalogName = device.databases.catalog;
    // Registers scan barcodes and RFID phones resolve tags (GTIN → variant) against the same compact catalog.
    if ((device.device.kind === 'register' || device.device.kind === 'rfid_phone') && catalogName) {
      // Cold start: the persisted compact catalog is scan-ready before any replication runs.
      const index = new CatalogIndex(new CatalogIndexStore(catalogName));
      await index.open();
      if (index.lookup.size === 0) {
        // Fresh register: one request for the compact catalog, so it can sell before the replica is in.
        await index
          .loadSnapshot(async () => {
            const body = await api.catalogSnapshot(device.deviceToken);
            this.referenceDocs = body.reference;
            return body;
          })
          .catch(() => undefined); // offline or refused: the index fills from the bootstrap instead
      }
      this.index = index;
      this.scannable = index.lookup.size;
      this.catalogLoaded = index.complete;
      hooks = {
        onBootstrapPage: async (db, page, docs, deletedIds) => {
          if (db !== catalogName) return;
          await index.onBootstrapPage(page, docs, deletedIds);
          this.scannable = index.lookup.size;
        },
        onReplicaReady: async (db, local) => {
          if (db !== catalogName) return;
          await index.ensureComplete(local);
          this.scannable = index.lookup.size;
          this.catalogLoaded = index.complete;
        },
        onPulled: (db, docs) => {
          if (db !== catalogName) return;
          index.onPulled(docs);
          this.scannable = index.lookup.size;
        }
      };
    }
    this.service = new SyncService({
      PouchDB,
      baseUrl: location.origin,
      targets: targetsFor(device.device.kind, device.databases),
      auth: { token: () => device.deviceToken },
      localAdapter: 'indexeddb',
      ...(hooks ? { hooks } : {})
    });
    const count = async () => {
      const svc = this.service;
      if (!svc) return;
      const counts: Record<string, number> = {};
      for (const db of this.state?.databases ?? []) counts[db.name] = (await svc.local(db.name).info()).doc_count;
      this.docCounts = counts;
      if (this.index) this.scannable = this.index.lookup.size;
    };
    let phases = '';
    this.off = this.service.subscribe((s) => {
      this.state = s;
      // Recount documents when a database changes phase (e.g. becomes up to date), not only on the timer.
      const now = s.databases.map((d) => d.phase).join();
      if (now !== phases) {
        phases = now;
        void count();
      }
    });
    this.service.start();
    addEventListener('online', this.onlineHandler);
    addEventListener('offline', this.offlineHandler);
    this.countTimer = setInterval(() => void count(), 1_000);
    void count();
  }

  /** The local replica of one of this device's databases (null before start). */
  local(name: string): PouchDB.Database | null {
    return this.service?.local(name) ?? null;
  }

  /** Local changes of one database not yet on the server. */
  pendingOf(name: string): number {
    return this.state?.databases.find((d) => d.name === name)?.pending ?? 0;
  }

  /** Try to sync now (e.g. right after a sale was saved) instead of waiting for the next poll. */
  nudge(): void {
    this.service?.nudge();
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
