import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WEBHOOK_TOPICS, webhookDocId, type WebhookTopic } from '#domain/shopify/index.ts';
import { statusOf } from '../../couch/client.ts';
import { AppError } from '../../errors.ts';
import type { ShopifyIntegration } from './service.ts';

/**
 * The webhook receiver (`POST /api/v1/integrations/shopify/webhooks`): checks the signature over the raw
 * body, records the delivery once as a queue document and answers at once; the queue (webhook-queue.ts)
 * applies it. Shopify retries a delivery that is not answered 2xx within five seconds, and may deliver
 * one twice: the queue document's id is the X-Shopify-Webhook-Id, so a replay is stored (and applied) once.
 *
 *   401 — no signature, or one that the store's API secret does not produce (compared in constant time)
 *   404 — a shop no tenant has connected
 *   400 — a body that is not JSON, or a webhook id that is not one
 *   200 — recorded, a duplicate, or a topic this release does not handle (Shopify must not retry those)
 */
export const webhookDocSchema = z.looseObject({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal('shopify_webhook'),
  tenantId: z.string(),
  shop: z.string(),
  topic: z.enum(WEBHOOK_TOPICS),
  webhookId: z.string(),
  payload: z.unknown(),
  status: z.enum(['pending', 'processing', 'done', 'ignored', 'dead']),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  leaseUntil: z.string().nullable(),
  receivedAt: z.string(),
  triggeredAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  failedAt: z.string().nullable(),
  /** what processing did (movements written, lines skipped and why, or why it was ignored) */
  result: z.unknown().nullable(),
  error: z.string().nullable()
});
export type WebhookDoc = z.infer<typeof webhookDocSchema>;

const WEBHOOK_ID = /^[A-Za-z0-9-]{8,100}$/;
const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name];
  return typeof v === 'string' ? v : undefined;
};

/** HMAC-SHA256 of the raw body with the app's API secret, base64 — compared without early exit. */
export function signatureMatches(rawBody: Buffer, secret: string, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(new Uint8Array(rawBody.buffer, rawBody.byteOffset, rawBody.length)).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(new Uint8Array(given), new Uint8Array(expected));
}

export async function receiveWebhook(sh: ShopifyIntegration, headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<{ status: 'queued' | 'duplicate' | 'ignored'; id?: string }> {
  const signature = header(headers, 'x-shopify-hmac-sha256');
  const shop = header(headers, 'x-shopify-shop-domain')?.toLowerCase();
  if (!signature || !shop) throw new AppError(401, 'unauthorized', 'A Shopify webhook must carry X-Shopify-Hmac-Sha256 and X-Shopify-Shop-Domain');
  const claim = await sh.store.shopClaim(shop);
  const connection = claim ? await sh.store.connection(claim.tenantId) : null;
  const secret = connection && connection.shop === shop ? sh.webhookSecret(connection) : null;
  if (!claim || !connection || !secret) throw new AppError(404, 'not_found', 'This shop is not connected');
  if (!signatureMatches(rawBody, secret, signature)) throw new AppError(401, 'unauthorized', 'The webhook signature does not match');

  const topic = header(headers, 'x-shopify-topic') ?? '';
  if (!(WEBHOOK_TOPICS as readonly string[]).includes(topic)) return { status: 'ignored' };
  const webhookId = header(headers, 'x-shopify-webhook-id') ?? '';
  if (!WEBHOOK_ID.test(webhookId)) throw new AppError(400, 'invalid_request', 'X-Shopify-Webhook-Id is missing or not an id');
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AppError(400, 'invalid_json', 'The webhook body is not JSON');
  }
  const now = new Date().toISOString();
  const triggered = header(headers, 'x-shopify-triggered-at');
  const doc: WebhookDoc = {
    _id: webhookDocId(claim.tenantId, webhookId),
    type: 'shopify_webhook',
    tenantId: claim.tenantId,
    shop,
    topic: topic as WebhookTopic,
    webhookId,
    payload,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: null,
    receivedAt: now,
    triggeredAt: triggered && !Number.isNaN(Date.parse(triggered)) ? triggered : null,
    finishedAt: null,
    failedAt: null,
    result: null,
    error: null
  };
  try {
    // a plain create: CouchDB refuses a second document with this id (a replay); on a cluster a
    // concurrent double create leaves a conflict the queue's claim (a CAS write) still serialises
    await (await sh.store.db()).insert(doc);
  } catch (err) {
    if (statusOf(err) === 409) return { status: 'duplicate', id: doc._id };
    throw err;
  }
  sh.queue.kick(doc._id);
  return { status: 'queued', id: doc._id };
}
