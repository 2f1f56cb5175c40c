import { PLATFORM_DB } from '#domain/db-names.ts';
import { statusOf, type Couch } from '../couch/client.ts';
import type { DeviceDoc } from './types.ts';

/**
 * Device credentials are long-lived JWTs; revocation is checked against the platform database on
 * every gateway request. A short cache keeps a register's replication from hitting CouchDB per
 * request while a revoke still takes effect within seconds on every server copy.
 */
const CACHE_MS = 5_000;

export class DeviceRegistry {
  private cache = new Map<string, { doc: DeviceDoc | null; at: number }>();

  constructor(private readonly couch: Couch) {}

  async get(deviceId: string, fresh = false): Promise<DeviceDoc | null> {
    const hit = this.cache.get(deviceId);
    if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.doc;
    let doc: DeviceDoc | null = null;
    try {
      doc = (await this.couch.use(PLATFORM_DB).get(`device:${deviceId}`)) as DeviceDoc;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    this.cache.set(deviceId, { doc, at: Date.now() });
    if (this.cache.size > 10_000) this.cache.clear();
    return doc;
  }

  async isActive(deviceId: string, tenantId: string): Promise<boolean> {
    const d = await this.get(deviceId);
    return d !== null && d.tenantId === tenantId && !d.revokedAt;
  }

  forget(deviceId: string): void {
    this.cache.delete(deviceId);
  }
}
