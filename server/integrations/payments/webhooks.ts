import type { Request, RequestHandler } from 'express';
import Stripe from '#stripe-node';
import { TENANT_ID_PATTERN } from '#domain/db-names.ts';
import type { Ctx } from '../../context.ts';
import { statusOf, type Db } from '../../couch/client.ts';
import { AppError } from '../../errors.ts';
import { insertOnce } from '../../inventory/store.ts';
import { integrationsDb } from '../store.ts';
import { cardIntentDoc, stripeEventDoc, type StripeEventDoc } from './docs.ts';
import { cardIntentId, cardPaymentId, META, stripeEventId } from './ids.ts';
import { paymentOf } from './stripe-gateway.ts';
import { recordProgress, webhookSecretOf } from './service.ts';

/**
 * `POST /api/v1/integrations/stripe/webhooks?tenant={id}`: the endpoint each tenant adds in its Stripe
 * dashboard. The tenant names whose signing secret checks the `Stripe-Signature` header; stripe-node's
 * `constructEvent` checks it over the raw body with a timestamp tolerance (STRIPE_WEBHOOK_TOLERANCE_S),
 * so a forged body, another tenant's secret or a replay of an old delivery is a 400 before anything
 * is read from it. Each event id is written once (`stripe_event:{tenant}:{evt}`); a redelivery answers
 * 200 and changes nothing. Payment events move the payment by state.ts's rules, so any order is safe.
 */

const FOLLOWED = new Set(['payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.canceled', 'payment_intent.amount_capturable_updated', 'charge.refunded']);

const refused = (message: string) => new AppError(400, 'invalid_webhook', message);

export async function receiveStripeWebhook(ctx: Ctx, tenantId: unknown, raw: Buffer, signature: string | undefined): Promise<{ duplicate: boolean; outcome: StripeEventDoc['outcome'] }> {
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) throw refused('The webhook URL must name the business: ?tenant={id}');
  if (!signature) throw refused('Missing Stripe-Signature header');
  const secret = await webhookSecretOf(ctx, tenantId);
  // The same answer as a bad signature: an unknown tenant is not told apart from a forged request.
  if (!secret) throw refused('The signature does not verify');
  let event: Stripe.Event;
  try {
    // the exact bytes received (a Uint8Array view: the pouchdb typings widen the global Buffer)
    event = Stripe.webhooks.constructEvent(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), signature, secret, ctx.config.STRIPE_WEBHOOK_TOLERANCE_S);
  } catch {
    throw refused('The signature does not verify (forged, for another endpoint, or older than the tolerance)');
  }
  const db = await integrationsDb(ctx.couch);
  const eventDocId = stripeEventId(tenantId, event.id);
  if (await exists(db, eventDocId)) return { duplicate: true, outcome: stripeEventDoc.parse(await db.get(eventDocId)).outcome };

  let outcome: StripeEventDoc['outcome'] = 'ignored';
  let paymentId: string | undefined;
  if (FOLLOWED.has(event.type)) {
    const obj = event.data.object as unknown as Record<string, unknown>;
    paymentId = await paymentIdOf(db, tenantId, obj, event.type);
    if (paymentId && (await exists(db, cardPaymentId(tenantId, paymentId)))) {
      // Applied before the event is written: a crash in between leaves the event unwritten, Stripe
      // redelivers it, and applying it again changes nothing.
      if (event.type === 'charge.refunded') await recordProgress(db, cardPaymentId(tenantId, paymentId), null, Number(obj.amount_refunded) || 0);
      else await recordProgress(db, cardPaymentId(tenantId, paymentId), { ...snapshot(event.data.object as Stripe.PaymentIntent), at: event.created });
      outcome = 'applied';
    } else outcome = 'unmatched';
  }
  const doc: StripeEventDoc = { _id: eventDocId, type: 'stripe_event', tenantId, eventId: event.id, eventType: event.type, created: event.created, receivedAt: new Date().toISOString(), outcome, ...(paymentId ? { paymentId } : {}) };
  const out = await insertOnce(db, doc, () => true, 'Webhook event');
  return { duplicate: !out.created, outcome: out.doc.outcome };
}

function snapshot(pi: Stripe.PaymentIntent) {
  const g = paymentOf(pi);
  return { status: g.status, amountCapturable: g.amountCapturable, amountReceived: g.amountReceived, lastError: g.lastError };
}

/**
 * Our payment id for the event's object: the PaymentIntent's metadata (set by us, and only from this
 * tenant — metadata naming another tenant is not ours to apply), else the intent → payment link.
 */
async function paymentIdOf(db: Db, tenantId: string, obj: Record<string, unknown>, type: string): Promise<string | undefined> {
  const metadata = (obj.metadata ?? {}) as Record<string, string>;
  if (metadata[META.tenant] && metadata[META.tenant] !== tenantId) return undefined;
  if (metadata[META.payment]) return metadata[META.payment];
  const intent = type === 'charge.refunded' ? obj.payment_intent : obj.id;
  const intentId = typeof intent === 'string' ? intent : (intent as { id?: string } | null)?.id;
  if (!intentId) return undefined;
  try {
    return cardIntentDoc.parse(await db.get(cardIntentId(tenantId, intentId))).paymentId;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

async function exists(db: Db, id: string): Promise<boolean> {
  try {
    await db.head(id);
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

/** The route: raw body (the signature covers its exact bytes), mounted before the JSON parser. */
export function stripeWebhookRoute(ctx: Ctx): RequestHandler {
  return (req: Request, res, next) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const sig = req.headers['stripe-signature'];
    receiveStripeWebhook(ctx, req.query.tenant, raw, typeof sig === 'string' ? sig : undefined)
      .then((r) => res.json({ received: true, ...r }))
      .catch(next);
  };
}
