import { PLATFORM_DB } from '#domain/db-names.ts';
import { statusOf, updateDoc, type Couch } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import type { DeviceDoc } from '../platform/types.ts';

/**
 * At most one platform write per device per minute: a register's replication makes a request every
 * few seconds, and the "not synced for > 1 h" alert needs minutes, not milliseconds.
 */
export const ACTIVITY_WRITE_EVERY_MS = 60_000;

/**
 * Records on the device document when a device was last seen at the gateway (`lastSeenAt`, any
 * authenticated request) and last replicated successfully (`lastSyncAt`, a 2xx/3xx answer). Throttled
 * in memory per server copy; N copies write at most N times a minute, which is fine.
 */
export class DeviceActivity {
  private lastWrite = new Map<string, { at: number; synced: boolean }>();

  constructor(
    private readonly couch: Couch,
    private readonly log: Logger,
    private readonly everyMs = ACTIVITY_WRITE_EVERY_MS
  ) {}

  /** Fire-and-forget: a failed bookkeeping write must never fail the replication it describes. */
  note(deviceId: string, ok: boolean, now = Date.now()): void {
    const prev = this.lastWrite.get(deviceId);
    // A first success after failures is written at once, so the admin sees a recovered device.
    if (prev && now - prev.at < this.everyMs && (prev.synced || !ok)) return;
    this.lastWrite.set(deviceId, { at: now, synced: ok });
    if (this.lastWrite.size > 50_000) this.lastWrite.clear();
    const at = new Date(now).toISOString();
    updateDoc<DeviceDoc>(this.couch.use(PLATFORM_DB), `device:${deviceId}`, (d) => ({ ...d, lastSeenAt: at, ...(ok ? { lastSyncAt: at } : {}) })).catch((err: unknown) => {
      this.lastWrite.delete(deviceId);
      if (statusOf(err) !== 404) this.log.warn({ err, deviceId }, 'could not record device activity');
    });
  }
}
