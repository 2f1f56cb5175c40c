import { getOrNull, statusOf, type Couch } from '../couch/client.ts';
import { PLATFORM_DB } from '#domain/db-names.ts';
import { normaliseAddress } from './addresses.ts';
import type { Category, Channel, SuppressionDoc } from './types.ts';

/**
 * The tenant's suppression list (platform database, server-only): addresses that bounced or asked to
 * stop. One document per tenant, channel and address, so a check is one read by id and adding one
 * twice is a no-op (409). A bounce stops every message; an unsubscribe link stops notifications only
 * (receipts and password resets still reach someone who opted out of digests); a carrier STOP stops
 * every text, as the carrier would refuse them anyway.
 */
export const suppressionId = (tenantId: string, channel: Channel, address: string) => `suppression:${tenantId}:${channel}:${normaliseAddress(channel, address)}`;

export function findSuppression(couch: Couch, tenantId: string, channel: Channel, address: string): Promise<SuppressionDoc | null> {
  return getOrNull<SuppressionDoc>(couch.use(PLATFORM_DB), suppressionId(tenantId, channel, address));
}

export function suppresses(s: Pick<SuppressionDoc, 'scope'> | null, category: Category): boolean {
  return !!s && (s.scope === 'all' || category === 'notification');
}

export async function addSuppression(couch: Couch, s: Omit<SuppressionDoc, '_id' | 'type' | 'createdAt'> & { createdAt?: string }): Promise<SuppressionDoc> {
  const db = couch.use(PLATFORM_DB);
  const doc: SuppressionDoc = { _id: suppressionId(s.tenantId, s.channel, s.address), type: 'suppression', ...s, address: normaliseAddress(s.channel, s.address), createdAt: s.createdAt ?? new Date().toISOString() };
  try {
    await db.insert(doc);
    return doc;
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
    const existing = (await db.get(doc._id)) as SuppressionDoc;
    // widen an unsubscribe (notifications) to everything when the address now bounces
    if (existing.scope !== 'all' && doc.scope === 'all') {
      const wider = { ...existing, scope: 'all' as const, reason: doc.reason, ...(doc.detail ? { detail: doc.detail } : {}) };
      try {
        await db.insert(wider);
        return wider;
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
      }
    }
    return existing;
  }
}

export async function removeSuppression(couch: Couch, tenantId: string, channel: Channel, address: string): Promise<boolean> {
  const db = couch.use(PLATFORM_DB);
  const id = suppressionId(tenantId, channel, address);
  try {
    const doc = (await db.get(id)) as SuppressionDoc;
    await db.destroy(id, doc._rev!);
    return true;
  } catch (err) {
    if (statusOf(err) === 404 || statusOf(err) === 409) return false;
    throw err;
  }
}
