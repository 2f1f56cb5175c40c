import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server speaking the part of Stripe's REST API the POS uses, in Stripe's documented wire
 * format (form-encoded bodies with bracketed keys, JSON answers, `{error:{type,code,decline_code,
 * message,param}}` errors, Idempotency-Key replay), so the official `stripe` client talks to it through
 * its own host/port/protocol options. `stripe-stateful-mock` (npm 0.0.16: accounts, charges, customers,
 * disputes, plans, prices, products, refunds, subscriptions, tax rates) has no PaymentIntents and no
 * Terminal endpoints, hence this one.
 *
 * State is per secret key (one Stripe account each). The simulated reader behaves as Stripe's does for
 * the server-driven integration: `process_payment_intent` leaves the action `in_progress` until the
 * test helper `present_payment_method` presents a card; the documented test cards decide the outcome
 * (4242… approves, 4000000000000002 generic_decline, 4000000000009995 insufficient_funds).
 * Events Stripe would send are kept (`eventsFor`) for tests to deliver, signed, to the webhook.
 */

type Obj = Record<string, unknown>;
type Params = Record<string, unknown>;

interface Account {
  paymentIntents: Map<string, Obj>;
  charges: Map<string, Obj>;
  refunds: Map<string, Obj>;
  readers: Map<string, Obj>;
  locations: Map<string, Obj>;
  idempotency: Map<string, { fingerprint: string; status: number; body: string }>;
  events: Obj[];
}

/** Registration codes of Stripe's simulated readers (docs: "Register a simulated reader"). */
const SIMULATED_CODES: Record<string, string> = { 'simulated-wpe': 'simulated_wisepos_e', 'simulated-s700': 'simulated_stripe_s700' };
const DECLINES: Record<string, { decline_code: string; message: string }> = {
  '4000000000000002': { decline_code: 'generic_decline', message: 'Your card was declined.' },
  '4000000000009995': { decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' }
};
const CANCELABLE = new Set(['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing']);

class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; code?: string; decline_code?: string; message: string; param?: string }
  ) {
    super(body.message);
  }
}
const invalid = (message: string, param?: string, code?: string) =>
  new StripeHttpError(400, { type: 'invalid_request_error', message, ...(param ? { param } : {}), ...(code ? { code } : {}) });
const missing = (what: string, id: string, param: string) => new StripeHttpError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}: '${id}'`, param });
const unexpectedState = (message: string) => new StripeHttpError(400, { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message });

/** `a[b][0]=c` → {a:{b:['c']}} (Stripe's form encoding, as stripe-node writes it). */
export function parseForm(body: string): Params {
  const out: Params = {};
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const [rawKey, rawValue = ''] = pair.split('=') as [string, string?];
    const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> = out;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}
/** `{0:'a',1:'b'}` (an encoded array) → ['a','b']. */
const list = (v: unknown): string[] => (v && typeof v === 'object' ? Object.values(v as Obj).map(String) : typeof v === 'string' ? [v] : []);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const metadataOf = (v: unknown): Record<string, string> => (v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, String(x)])) : {});
const now = () => Math.floor(Date.now() / 1000);
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

function positiveInt(v: unknown, param: string, required: boolean): number | undefined {
  if (v === undefined) {
    if (required) throw invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
    return undefined;
  }
  const n = Number(v);
  if (!/^\d+$/.test(String(v)) || !Number.isSafeInteger(n) || n < 1) throw invalid(`Invalid integer: ${String(v)}`, param, 'parameter_invalid_integer');
  return n;
}

export interface FakeStripe {
  url: string;
  host: string;
  port: number;
  /** the Stripe objects of the account behind `secretKey` (for assertions) */
  account(secretKey: string): Account;
  /** events Stripe would have sent for that account, oldest first */
  eventsFor(secretKey: string): Obj[];
  /** requests by method and path, for assertions on what reached "Stripe" */
  requests: { method: string; path: string; idempotencyKey: string | undefined }[];
  close(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const accounts = new Map<string, Account>();
  const requests: FakeStripe['requests'] = [];
  const accountOf = (key: string): Account => {
    let a = accounts.get(key);
    if (!a) {
      a = { paymentIntents: new Map(), charges: new Map(), refunds: new Map(), readers: new Map(), locations: new Map(), idempotency: new Map(), events: [] };
      accounts.set(key, a);
    }
    return a;
  };

  const emit = (a: Account, type: string, object: Obj) => {
    a.events.push({ id: id('evt'), object: 'event', api_version: '2026-01-28.clover', created: now(), data: { object: structuredClone(object) }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type });
  };

  function chargeFor(a: Account, pi: Obj, capture: boolean): Obj {
    const charge: Obj = {
      id: id('ch'),
      object: 'charge',
      amount: pi.amount,
      amount_captured: capture ? pi.amount : 0,
      amount_refunded: 0,
      captured: capture,
      refunded: false,
      currency: pi.currency,
      metadata: pi.metadata,
      paid: true,
      payment_intent: pi.id,
      payment_method_details: { type: 'card_present', card_present: { brand: 'visa', last4: '4242' } },
      status: 'succeeded',
      created: now(),
      livemode: false
    };
    a.charges.set(charge.id as string, charge);
    return charge;
  }

  function paymentIntent(a: Account, piId: string, param = 'intent'): Obj {
    const pi = a.paymentIntents.get(piId);
    if (!pi) throw missing('payment_intent', piId, param);
    return pi;
  }
  function reader(a: Account, readerId: string): Obj {
    const r = a.readers.get(readerId);
    if (!r) throw missing('terminal.reader', readerId, 'reader');
    return r;
  }

  /** The simulated card is presented: the reader's payment goes through or is declined. */
  function present(a: Account, r: Obj, number: string) {
    const action = r.action as Obj | null;
    if (!action || action.status !== 'in_progress' || action.type !== 'process_payment_intent') throw invalid('The reader has no in-progress action to present a payment method to.', undefined, 'terminal_reader_busy');
    const pi = paymentIntent(a, (action.process_payment_intent as Obj).payment_intent as string);
    const decline = DECLINES[number];
    if (decline) {
      const error = { type: 'card_error', code: 'card_declined', decline_code: decline.decline_code, message: decline.message };
      Object.assign(pi, { status: 'requires_payment_method', last_payment_error: error });
      r.action = { ...action, status: 'failed', failure_code: 'card_declined', failure_message: decline.message };
      emit(a, 'payment_intent.payment_failed', pi);
      emit(a, 'terminal.reader.action_failed', r);
      return;
    }
    const manual = pi.capture_method === 'manual';
    const charge = chargeFor(a, pi, !manual);
    Object.assign(pi, {
      status: manual ? 'requires_capture' : 'succeeded',
      latest_charge: charge.id,
      last_payment_error: null,
      amount_capturable: manual ? pi.amount : 0,
      amount_received: manual ? 0 : pi.amount,
      payment_method: id('pm')
    });
    r.action = { ...action, status: 'succeeded' };
    emit(a, manual ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded', pi);
    emit(a, 'terminal.reader.action_succeeded', r);
  }

  /**
   * A list endpoint as Stripe pages it: newest first, `created[gte|gt|lte|lt]`, `limit` (1–100, default
   * 10), `starting_after` (the last id of the previous page), `has_more`.
   */
  function listOf(objects: Map<string, Obj>, url: string, p: Params): Obj {
    const created = (p.created ?? {}) as Record<string, string>;
    const bound = (k: string) => (created[k] === undefined ? undefined : Number(created[k]));
    const [gte, gt, lte, lt] = [bound('gte'), bound('gt'), bound('lte'), bound('lt')];
    let all = [...objects.values()]
      .filter((o) => {
        const c = o.created as number;
        return (gte === undefined || c >= gte) && (gt === undefined || c > gt) && (lte === undefined || c <= lte) && (lt === undefined || c < lt);
      })
      .reverse();
    const after = str(p.starting_after);
    if (after) {
      const i = all.findIndex((o) => o.id === after);
      if (i < 0) throw missing('object', after, 'starting_after');
      all = all.slice(i + 1);
    }
    const limit = positiveInt(p.limit, 'limit', false) ?? 10;
    if (limit > 100) throw invalid('limit must be less than or equal to 100', 'limit');
    return { object: 'list', url, has_more: all.length > limit, data: all.slice(0, limit) };
  }

  function handle(a: Account, method: string, path: string, p: Params): Obj {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/terminal/connection_tokens') {
      return { object: 'terminal.connection_token', secret: `pst_test_${randomBytes(18).toString('base64url')}`, ...(str(p.location) ? { location: p.location } : {}) };
    }
    if (method === 'POST' && path === '/v1/terminal/locations') {
      const address = (p.address ?? {}) as Obj;
      if (!str(p.display_name)) throw invalid('Missing required param: display_name.', 'display_name', 'parameter_missing');
      if (!str(address.country)) throw invalid('Missing required param: address[country].', 'address[country]', 'parameter_missing');
      const loc = { id: id('tml'), object: 'terminal.location', display_name: p.display_name, address, metadata: metadataOf(p.metadata), livemode: false };
      a.locations.set(loc.id, loc);
      return loc;
    }
    if (method === 'POST' && path === '/v1/terminal/readers') {
      const code = str(p.registration_code);
      if (!code) throw invalid('Missing required param: registration_code.', 'registration_code', 'parameter_missing');
      const location = str(p.location);
      if (location && !a.locations.has(location)) throw missing('terminal.location', location, 'location');
      const deviceType = SIMULATED_CODES[code];
      if (!deviceType) throw invalid('The registration code you provided is invalid or has expired.', 'registration_code');
      const r = { id: id('tmr'), object: 'terminal.reader', action: null, device_type: deviceType, label: str(p.label) ?? deviceType, location: location ?? null, serial_number: randomBytes(6).toString('hex').toUpperCase(), status: 'online', metadata: metadataOf(p.metadata), livemode: false };
      a.readers.set(r.id, r);
      return r;
    }
    if ((m = /^\/v1\/terminal\/readers\/([^/]+)$/.exec(path)) && method === 'GET') return reader(a, m[1]!);
    if ((m = /^\/v1\/terminal\/readers\/([^/]+)\/process_payment_intent$/.exec(path)) && method === 'POST') {
      const r = reader(a, m[1]!);
      const piId = str(p.payment_intent);
      if (!piId) throw invalid('Missing required param: payment_intent.', 'payment_intent', 'parameter_missing');
      const pi = paymentIntent(a, piId, 'payment_intent');
      if (!list(pi.payment_method_types).includes('card_present')) throw invalid('This PaymentIntent does not accept card_present payments.', 'payment_intent');
      if (pi.status !== 'requires_payment_method') throw unexpectedState(`This PaymentIntent's status is ${String(pi.status)}; it cannot be processed on a reader.`);
      const action = r.action as Obj | null;
      if (action?.status === 'in_progress') throw new StripeHttpError(409, { type: 'invalid_request_error', code: 'terminal_reader_busy', message: 'Reader is currently busy processing another request.' });
      r.action = { type: 'process_payment_intent', status: 'in_progress', failure_code: null, failure_message: null, process_payment_intent: { payment_intent: piId } };
      return r;
    }
    if ((m = /^\/v1\/terminal\/readers\/([^/]+)\/cancel_action$/.exec(path)) && method === 'POST') {
      const r = reader(a, m[1]!);
      const action = r.action as Obj | null;
      if (!action || action.status !== 'in_progress') throw invalid('The reader has no in-progress action to cancel.', undefined, 'terminal_reader_action_not_cancelable');
      r.action = { ...action, status: 'failed', failure_code: 'canceled', failure_message: 'The action was canceled.' };
      return r;
    }
    if ((m = /^\/v1\/test_helpers\/terminal\/readers\/([^/]+)\/present_payment_method$/.exec(path)) && method === 'POST') {
      const r = reader(a, m[1]!);
      present(a, r, str((p.card_present as Obj | undefined)?.number) ?? '4242424242424242');
      return r;
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      const amount = positiveInt(p.amount, 'amount', true)!;
      const currency = str(p.currency);
      if (!currency || !/^[a-z]{3}$/.test(currency)) throw invalid('Invalid currency.', 'currency');
      const captureMethod = str(p.capture_method) ?? 'automatic';
      if (!['automatic', 'automatic_async', 'manual'].includes(captureMethod)) throw invalid(`Invalid capture_method: ${captureMethod}`, 'capture_method');
      // allowed_payment_method_types since API 2026-11-18.endive; payment_method_types before it
      const requested = list(p.allowed_payment_method_types).length ? list(p.allowed_payment_method_types) : list(p.payment_method_types);
      const allowed = requested.length ? requested : ['card'];
      const pi = {
        id: id('pi'),
        object: 'payment_intent',
        amount,
        amount_capturable: 0,
        amount_received: 0,
        canceled_at: null,
        cancellation_reason: null,
        capture_method: captureMethod,
        client_secret: '',
        created: now(),
        currency,
        description: str(p.description) ?? null,
        last_payment_error: null,
        latest_charge: null,
        livemode: false,
        metadata: metadataOf(p.metadata),
        payment_method: null,
        allowed_payment_method_types: allowed,
        payment_method_types: allowed,
        status: 'requires_payment_method'
      };
      pi.client_secret = `${pi.id}_secret_${randomBytes(12).toString('base64url')}`;
      a.paymentIntents.set(pi.id, pi);
      emit(a, 'payment_intent.created', pi);
      return pi;
    }
    if ((m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path)) && method === 'GET') return paymentIntent(a, m[1]!);
    if ((m = /^\/v1\/payment_intents\/([^/]+)\/capture$/.exec(path)) && method === 'POST') {
      const pi = paymentIntent(a, m[1]!);
      if (pi.status !== 'requires_capture') throw unexpectedState(`This PaymentIntent could not be captured because it has a status of ${String(pi.status)}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`);
      const amount = positiveInt(p.amount_to_capture, 'amount_to_capture', false) ?? (pi.amount as number);
      if (amount > (pi.amount as number)) throw invalid('The amount to capture must be less than or equal to the amount capturable.', 'amount_to_capture');
      const charge = a.charges.get(pi.latest_charge as string)!;
      Object.assign(charge, { captured: true, amount_captured: amount });
      Object.assign(pi, { status: 'succeeded', amount_capturable: 0, amount_received: amount });
      emit(a, 'payment_intent.succeeded', pi);
      return pi;
    }
    if ((m = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path)) && method === 'POST') {
      const pi = paymentIntent(a, m[1]!);
      if (!CANCELABLE.has(pi.status as string)) throw unexpectedState(`You cannot cancel this PaymentIntent because it has a status of ${String(pi.status)}. Only a PaymentIntent with one of the following statuses may be canceled: ${[...CANCELABLE].join(', ')}.`);
      Object.assign(pi, { status: 'canceled', canceled_at: now(), cancellation_reason: str(p.cancellation_reason) ?? null, amount_capturable: 0 });
      emit(a, 'payment_intent.canceled', pi);
      return pi;
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const piId = str(p.payment_intent);
      const chargeId = str(p.charge) ?? (piId ? (paymentIntent(a, piId, 'payment_intent').latest_charge as string | null) : null);
      if (!piId && !str(p.charge)) throw invalid('One of the following params should be provided for this request: payment_intent or charge.', undefined, 'parameter_missing');
      const charge = chargeId ? a.charges.get(chargeId) : undefined;
      if (!charge || !charge.captured) throw invalid(`This PaymentIntent (${piId ?? ''}) does not have a successful charge to refund.`, 'payment_intent');
      const refundable = (charge.amount_captured as number) - (charge.amount_refunded as number);
      if (refundable === 0) throw invalid(`Charge ${String(charge.id)} has already been refunded.`, undefined, 'charge_already_refunded');
      const amount = positiveInt(p.amount, 'amount', false) ?? refundable;
      if (amount > refundable) throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable})`, 'amount', 'amount_too_large');
      const refund = { id: id('re'), object: 'refund', amount, charge: charge.id, currency: charge.currency, created: now(), metadata: metadataOf(p.metadata), payment_intent: charge.payment_intent, reason: str(p.reason) ?? null, status: 'succeeded' };
      a.refunds.set(refund.id, refund);
      Object.assign(charge, { amount_refunded: (charge.amount_refunded as number) + amount, refunded: (charge.amount_refunded as number) + amount === charge.amount_captured });
      emit(a, 'charge.refunded', charge);
      emit(a, 'refund.created', refund);
      return refund;
    }
    if (method === 'GET' && (path === '/v1/charges' || path === '/v1/refunds')) return listOf(path === '/v1/charges' ? a.charges : a.refunds, path, p);
    if ((m = /^\/v1\/refunds\/([^/]+)$/.exec(path)) && method === 'GET') {
      const r = a.refunds.get(m[1]!);
      if (!r) throw missing('refund', m[1]!, 'refund');
      return r;
    }
    throw new StripeHttpError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` });
  }

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stripe.local');
      const method = req.method ?? 'GET';
      const idem = req.headers['idempotency-key'];
      const idempotencyKey = typeof idem === 'string' ? idem : undefined;
      requests.push({ method, path: url.pathname, idempotencyKey });
      const send = (status: number, body: string, replayed = false) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...(replayed ? { 'idempotent-replayed': 'true' } : {}), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) });
        res.end(body);
      };
      const auth = /^Bearer (sk_test_[A-Za-z0-9_]+)$/.exec(req.headers.authorization ?? '');
      if (!auth) {
        send(401, JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } }));
        return;
      }
      const a = accountOf(auth[1]!);
      // Stripe: a key replays the first answer for the same request; reused with other parameters
      // (or another endpoint) it is refused. Keys belong to the account.
      const fingerprint = `${method} ${url.pathname} ${raw}`;
      if (method === 'POST' && idempotencyKey) {
        const seen = a.idempotency.get(idempotencyKey);
        if (seen) {
          if (seen.fingerprint === fingerprint) return send(seen.status, seen.body, true);
          return send(400, JSON.stringify({ error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.` } }));
        }
      }
      let status = 200;
      let body: string;
      try {
        body = JSON.stringify(handle(a, method, url.pathname, method === 'GET' ? parseForm(url.search.slice(1)) : parseForm(raw)));
      } catch (err) {
        if (!(err instanceof StripeHttpError)) throw err;
        status = err.status;
        body = JSON.stringify({ error: err.body });
      }
      // Stripe saves a key's result once the endpoint ran (a success, or a card error: 402); a request
      // refused in validation (400/404) saves nothing, so the same key may be used again.
      if (method === 'POST' && idempotencyKey && (status < 400 || status === 402)) a.idempotency.set(idempotencyKey, { fingerprint, status, body });
      send(status, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    account: accountOf,
    eventsFor: (key) => accountOf(key).events,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
