// stripe-node through package.json's `#stripe-node` alias: @stripe/terminal-js's typings bring in
// stripe-node 8's ambient `declare module 'stripe'`, which would shadow this client's own types in the
// web type-check (svelte-check), whose program includes the server through the tests.
import Stripe from '#stripe-node';
import type { CreatePaymentInput, GatewayCharge, GatewayPayment, GatewayReader, GatewayRefund, GatewayRefundRecord, PaymentGateway, PaymentStatus, ReaderLocationInput } from './gateway.ts';
import { PaymentGatewayError } from './gateway.ts';

/**
 * Where the Stripe API is: api.stripe.com over https unless STRIPE_API_BASE names another origin (a
 * local Stripe-compatible server in tests and demos). stripe-node takes these as its own host, port
 * and protocol options, so going live is configuration only.
 */
export interface StripeEndpoint {
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

export function stripeEndpoint(apiBase: string | undefined): StripeEndpoint {
  if (!apiBase) return {};
  const u = new URL(apiBase);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return { host: u.hostname, port: u.port ? Number(u.port) : protocol === 'http' ? 80 : 443, protocol };
}

/** The card errors a cashier sees, in words (the issuer's code stays in `declineCode`). */
function declineMessage(declineCode: string | null, fallback: string): string {
  switch (declineCode) {
    case 'insufficient_funds':
      return 'Card declined: insufficient funds. Ask for another card or another tender.';
    case 'incorrect_pin':
    case 'pin_try_exceeded':
      return 'Card declined: wrong PIN.';
    case null:
      return `Card declined: ${fallback}`;
    default:
      return `Card declined (${declineCode}). Ask for another card or another tender.`;
  }
}

/**
 * Stripe's errors as the POS answers them: a decline is 402 with the issuer's code; a key reused with
 * other parameters is 409 (the register sent the same payment id for a different amount); an object
 * in the wrong state is 409; Stripe unreachable or failing is 503 (try again). Stripe's message is
 * kept where it tells the admin what to fix.
 */
export function fromStripeError(err: unknown): never {
  if (!(err instanceof Stripe.errors.StripeError)) throw err;
  const code = err.code ?? null;
  if (err instanceof Stripe.errors.StripeCardError) {
    const decline = err.decline_code ?? null;
    throw new PaymentGatewayError(402, 'card_declined', declineMessage(decline, err.message), decline);
  }
  if (err instanceof Stripe.errors.StripeIdempotencyError) {
    throw new PaymentGatewayError(409, 'idempotency_conflict', 'This payment id was already used for a different request (another amount or currency); use a new payment id for a new payment.');
  }
  if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) {
    throw new PaymentGatewayError(409, 'stripe_key_rejected', 'Stripe refused this business’s secret key; an admin must reconnect Stripe under Settings.');
  }
  if (err instanceof Stripe.errors.StripeRateLimitError) throw new PaymentGatewayError(429, 'rate_limited', 'Stripe asks us to slow down; try again in a moment.');
  if (err instanceof Stripe.errors.StripeInvalidRequestError) {
    if (err.statusCode === 404 || code === 'resource_missing') throw new PaymentGatewayError(404, 'not_found', `Stripe has no such object: ${err.message}`);
    if (code === 'payment_intent_unexpected_state' || code === 'terminal_reader_busy' || code === 'charge_already_refunded' || err.statusCode === 409) {
      throw new PaymentGatewayError(409, code ?? 'conflict', err.message);
    }
    throw new PaymentGatewayError(400, code ?? 'payment_rejected', `Stripe refused the request: ${err.message}`);
  }
  throw new PaymentGatewayError(503, 'payments_unavailable', 'Stripe could not be reached or failed; nothing was charged by this attempt. Try again.');
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return fromStripeError(err);
  }
}

const STATUSES: readonly PaymentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'succeeded', 'canceled'];

export function paymentOf(pi: Stripe.PaymentIntent): GatewayPayment {
  if (!STATUSES.includes(pi.status as PaymentStatus)) throw new PaymentGatewayError(409, 'unexpected_status', `Stripe reports status ${pi.status} for ${pi.id}`);
  const err = pi.last_payment_error;
  return {
    id: pi.id,
    status: pi.status as PaymentStatus,
    amount: pi.amount,
    currency: pi.currency,
    amountCapturable: pi.amount_capturable,
    amountReceived: pi.amount_received,
    captureMethod: pi.capture_method === 'manual' ? 'manual' : 'automatic',
    clientSecret: pi.client_secret,
    lastError: err ? { code: err.code ?? null, declineCode: err.decline_code ?? null, message: err.message ?? 'declined' } : null,
    metadata: { ...pi.metadata },
    created: pi.created
  };
}

function readerOf(r: Stripe.Terminal.Reader): GatewayReader {
  const a = r.action;
  return {
    id: r.id,
    label: r.label,
    deviceType: r.device_type,
    serialNumber: r.serial_number,
    status: r.status,
    location: typeof r.location === 'string' ? r.location : (r.location?.id ?? null),
    action: a
      ? {
          type: a.type,
          status: a.status,
          failureCode: a.failure_code,
          failureMessage: a.failure_message,
          paymentId: a.process_payment_intent ? (typeof a.process_payment_intent.payment_intent === 'string' ? a.process_payment_intent.payment_intent : a.process_payment_intent.payment_intent.id) : null
        }
      : null
  };
}

/** A reader answer, unless Stripe says the reader was deleted (then it is gone for the POS too). */
function liveReader(r: Stripe.Terminal.Reader | Stripe.Terminal.DeletedReader): GatewayReader {
  if ('deleted' in r && r.deleted) throw new PaymentGatewayError(404, 'not_found', `Reader ${r.id} was deleted in Stripe`);
  return readerOf(r as Stripe.Terminal.Reader);
}

/** One tenant's Stripe account through the official client. */
export class StripeGateway implements PaymentGateway {
  readonly provider = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(secretKey: string, endpoint: StripeEndpoint = {}) {
    // No automatic retries: a retry of ours reuses the register's idempotency key, and the register
    // decides when to try again (it holds the pending payment). 20 s keeps a request inside the
    // register's own wait for an answer.
    this.stripe = new Stripe(secretKey, { ...endpoint, maxNetworkRetries: 0, timeout: 20_000, appInfo: { name: 'pos-platform' } });
  }

  async connectionToken(location?: string): Promise<string> {
    const t = await call(() => this.stripe.terminal.connectionTokens.create(location ? { location } : {}));
    return t.secret;
  }

  async createPayment(input: CreatePaymentInput): Promise<GatewayPayment> {
    const pi = await call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency,
          // API 2026-11-18.endive (the version this client pins) names it allowed_payment_method_types;
          // earlier versions called it payment_method_types.
          allowed_payment_method_types: ['card_present'],
          capture_method: input.captureMethod,
          metadata: input.metadata,
          ...(input.description ? { description: input.description } : {})
        },
        { idempotencyKey: input.idempotencyKey }
      )
    );
    return paymentOf(pi);
  }

  async getPayment(id: string): Promise<GatewayPayment> {
    return paymentOf(await call(() => this.stripe.paymentIntents.retrieve(id)));
  }

  async capturePayment(id: string, amount: number | undefined, idempotencyKey: string): Promise<GatewayPayment> {
    return paymentOf(await call(() => this.stripe.paymentIntents.capture(id, amount === undefined ? {} : { amount_to_capture: amount }, { idempotencyKey })));
  }

  async cancelPayment(id: string, idempotencyKey: string): Promise<GatewayPayment> {
    return paymentOf(await call(() => this.stripe.paymentIntents.cancel(id, {}, { idempotencyKey })));
  }

  async refund(input: { paymentId: string; amount?: number | undefined; idempotencyKey: string; metadata: Record<string, string> }): Promise<GatewayRefund> {
    const r = await call(() =>
      this.stripe.refunds.create({ payment_intent: input.paymentId, ...(input.amount === undefined ? {} : { amount: input.amount }), metadata: input.metadata }, { idempotencyKey: input.idempotencyKey })
    );
    return { id: r.id, paymentId: input.paymentId, amount: r.amount, currency: r.currency, status: r.status ?? 'pending' };
  }

  async createReaderLocation(input: ReaderLocationInput): Promise<string> {
    const a = input.address;
    const loc = await call(() =>
      this.stripe.terminal.locations.create(
        {
          display_name: input.displayName,
          address: { line1: a.line1, city: a.city, postal_code: a.postalCode, country: a.country, ...(a.line2 ? { line2: a.line2 } : {}), ...(a.state ? { state: a.state } : {}) },
          metadata: input.metadata
        },
        { idempotencyKey: input.idempotencyKey }
      )
    );
    return loc.id;
  }

  async registerReader(input: { registrationCode: string; label: string; location: string; metadata: Record<string, string> }): Promise<GatewayReader> {
    return readerOf(await call(() => this.stripe.terminal.readers.create({ registration_code: input.registrationCode, label: input.label, location: input.location, metadata: input.metadata })));
  }

  async getReader(id: string): Promise<GatewayReader> {
    return liveReader(await call(() => this.stripe.terminal.readers.retrieve(id)));
  }

  async processOnReader(readerId: string, paymentId: string): Promise<GatewayReader> {
    return readerOf(await call(() => this.stripe.terminal.readers.processPaymentIntent(readerId, { payment_intent: paymentId })));
  }

  async cancelReaderAction(readerId: string): Promise<GatewayReader> {
    return liveReader(await call(() => this.stripe.terminal.readers.cancelAction(readerId)));
  }

  async listCharges(from: number, to: number): Promise<GatewayCharge[]> {
    // the library's auto-pagination (starting_after); a day of one store is far below the cap
    const all = await call(() => this.stripe.charges.list({ created: { gte: from, lt: to }, limit: 100 }).autoPagingToArray({ limit: LIST_CAP }));
    return all
      .filter((c) => c.status === 'succeeded')
      .map((c) => ({ id: c.id, paymentId: typeof c.payment_intent === 'string' ? c.payment_intent : (c.payment_intent?.id ?? null), amountCaptured: c.captured ? c.amount_captured : 0, currency: c.currency, created: c.created, metadata: { ...c.metadata } }));
  }

  async listRefunds(from: number, to: number): Promise<GatewayRefundRecord[]> {
    const all = await call(() => this.stripe.refunds.list({ created: { gte: from, lt: to }, limit: 100 }).autoPagingToArray({ limit: LIST_CAP }));
    return all
      .filter((r) => r.status !== 'failed' && r.status !== 'canceled')
      .map((r) => ({ id: r.id, paymentId: typeof r.payment_intent === 'string' ? r.payment_intent : (r.payment_intent?.id ?? ''), amount: r.amount, currency: r.currency, status: r.status ?? 'pending', created: r.created }));
  }
}

/** Most charges or refunds one report reads (stripe-node's autoPagingToArray needs a limit). */
const LIST_CAP = 10_000;
