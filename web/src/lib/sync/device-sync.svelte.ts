import type { StoredDevice } from '$lib/ui/device-store';
import { SyncService } from './orchestrator.ts';
import type { SyncState } from './state.ts';
import { targetsFor } from './targets.ts';

/**
 * Starts the device's sync service in the browser and mirrors its state into Svelte runes. PouchDB
 * is imported here, lazily, so it never loads in server-rendered code (DESIGN.md §9).
 */
export class DeviceSync {
  state = $state<SyncState | null>(null);
  docCounts = $state<Record<string, number>>({});
  private service: SyncService | null = null;
  private off: (() => void) | null = null;
  private onlineHandler = () => this.service?.nudge();
  private offlineHandler = () => this.service?.markOffline();
  private countTimer: ReturnType<typeof setInterval> | undefined;

  async start(device: StoredDevice): Promise<void> {
    const { default: PouchDB } = await import('pouchdb-browser');
    this.service = new SyncService({
      PouchDB,
      baseUrl: location.origin,
      targets: targetsFor(device.device.kind, device.databases),
      auth: { token: () => device.deviceToken }
    });
    this.off = this.service.subscribe((s) => (this.state = s));
    this.service.start();
    addEventListener('online', this.onlineHandler);
    addEventListener('offline', this.offlineHandler);
    const count = async () => {
      const counts: Record<string, number> = {};
      for (const db of this.state?.databases ?? []) counts[db.name] = (await this.service!.local(db.name).info()).doc_count;
      this.docCounts = counts;
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
