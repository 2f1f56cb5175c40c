import Stripe from '#stripe-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATIONS_DB } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';

/**
 * Stripe Terminal on the server (issue 17, first slice), through stripe-node against the local Stripe
 * server (support/fake-stripe.ts, reached by STRIPE_API_BASE): connection and readers from the admin,
 * card payments from registers — approved, declined then retried, cancelled at the reader, created
 * twice with one payment id, captured by hand, refunded in part twice with one return id — and that
 * no register of another store or business can read or touch a payment.
 */
const PW = 'correct-horse-battery';
const KEY_A = 'sk_test_alphaKey00000001';
const KEY_B = 'sk_test_bravoKey00000002';
const WHSEC_A = 'whsec_alphaSigningSecret01';
const WHSEC_B = 'whsec_bravoSigningSecret02';

let s: TestServer;
let f: FakeStripe;
let stripeA: Stripe;
let stripeB: Stripe;
let a = '';
let b = '';
const tok = { ownerA: '', managerA: '', ownerB: '', regGM: '', regHM: '', regB: '' };
const dev = { regGM: '', regHM: '', regB: '' };
let readerGM = '';
let readerB = '';

beforeAll(async () => {
  f = await startFakeStripe();
  s = await startTestServer({ STRIPE_API_BASE: f.url, CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0' });
  a = (await createTenant({ couch: s.couch }, { name: 'Alpha Pay', plan: 'pro', adminEmail: 'o@alpha.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  b = (await createTenant({ couch: s.couch }, { name: 'Bravo Pay', plan: 'pro', adminEmail: 'o@bravo.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, a, { email: 'm@alpha.test', name: 'Mo Manager', role: 'manager', locations: ['GM'], password: PW });
  tok.ownerA = await login(s, 'o@alpha.test', PW);
  tok.managerA = await login(s, 'm@alpha.test', PW);
  tok.ownerB = await login(s, 'o@bravo.test', PW);
  for (const [k, owner, loc, name] of [['regGM', tok.ownerA, 'GM', 'Till GM'], ['regHM', tok.ownerA, 'HM', 'Till HM'], ['regB', tok.ownerB, 'GM', 'Till B']] as const) {
    const e = await enrol(s, owner, 'register', loc, name);
    tok[k] = e.deviceToken;
    dev[k] = `device:${e.device.id}`;
  }
  const opts = { host: f.host, port: f.port, protocol: 'http' as const, maxNetworkRetries: 0 };
  stripeA = new Stripe(KEY_A, opts);
  stripeB = new Stripe(KEY_B, opts);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await f?.close();
});

const address = { line1: '1 Main St', city: 'Springfield', postalCode: '62701', state: 'IL', country: 'US' };
async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
const registerOf = (reg: string) => reg.split(':')[1]!;
const newPayment = (amount: number, currency = 'USD') => ({ paymentId: `payment:R1:${newUlid()}`, saleId: `sale:R1:${newUlid()}`, amount, currency });
const path = (paymentId: string, tail = '') => `/api/v1/payments/${encodeURIComponent(paymentId)}${tail}`;

interface Payment {
  paymentId: string;
  intentId: string;
  status: string;
  amountReceived: number;
  amountRefunded: number;
  amountCapturable: number;
  clientSecret?: string;
  lastError: { declineCode: string | null; message: string } | null;
}

async function create(token: string, body: ReturnType<typeof newPayment>): Promise<Payment> {
  const res = await s.call('POST', '/api/v1/payments', { token, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json<{ payment: Payment }>(res)).payment;
}
async function read(token: string, paymentId: string): Promise<Payment> {
  const res = await s.call('GET', path(paymentId), { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json<{ payment: Payment }>(res)).payment;
}
/** The register sends the payment to the reader; the customer presents `card` (Stripe's test cards). */
async function pay(token: string, stripe: Stripe, reader: string, paymentId: string, card = '4242424242424242') {
  const res = await s.call('POST', path(paymentId, '/process'), { token, body: { readerId: reader } });
  expect(res.status, await res.clone().text()).toBe(200);
  expect((await json<{ action: { status: string } }>(res)).action.status).toBe('in_progress');
  await stripe.testHelpers.terminal.readers.presentPaymentMethod(reader, { card_present: { number: card } });
}

describe('set-up from the admin', () => {
  it('connects Stripe with the key sealed at rest, and only for settings:manage', async () => {
    const body = { secretKey: KEY_A, webhookSecret: WHSEC_A };
    expect((await s.call('PUT', '/api/v1/payments/stripe/connection', { token: tok.managerA, body })).status).toBe(403);
    expect((await s.call('PUT', '/api/v1/payments/stripe/connection', { token: tok.regGM, body })).status).toBe(403);
    expect((await s.call('PUT', '/api/v1/payments/stripe/connection', { token: tok.ownerA, body: { ...body, secretKey: 'pk_test_nope12345678' } })).status).toBe(400);
    const res = await s.call('PUT', '/api/v1/payments/stripe/connection', { token: tok.ownerA, body });
    expect(res.status).toBe(200);
    const view = await json(res);
    expect(view).toMatchObject({ connected: true, livemode: false, captureMethod: 'automatic', keyHint: 'sk_test_…0001' });
    expect(JSON.stringify(view)).not.toContain(KEY_A);
    const stored = JSON.stringify(await s.couch.use(INTEGRATIONS_DB).get(`stripe:${a}`));
    expect(stored).not.toContain(KEY_A);
    expect(stored).not.toContain(WHSEC_A);
    const b1 = await s.call('PUT', '/api/v1/payments/stripe/connection', { token: tok.ownerB, body: { secretKey: KEY_B, webhookSecret: WHSEC_B, captureMethod: 'manual' } });
    expect(b1.status).toBe(200);
  });

  it('links a location to a Terminal Location once and registers a reader there', async () => {
    const first = await s.call('PUT', '/api/v1/payments/stripe/locations/GM', { token: tok.ownerA, body: { displayName: 'Alpha GM', address } });
    expect(first.status).toBe(201);
    const { terminalLocation } = await json<{ terminalLocation: string }>(first);
    const again = await s.call('PUT', '/api/v1/payments/stripe/locations/GM', { token: tok.ownerA, body: { displayName: 'Alpha GM', address } });
    expect(again.status).toBe(200);
    expect((await json<{ terminalLocation: string }>(again)).terminalLocation).toBe(terminalLocation);
    expect(f.account(KEY_A).locations.size).toBe(1);

    const noLink = await s.call('POST', '/api/v1/payments/stripe/readers', { token: tok.ownerA, body: { registrationCode: 'simulated-wpe', label: 'HM till', locationCode: 'HM' } });
    expect(noLink.status).toBe(409);
    const badCode = await s.call('POST', '/api/v1/payments/stripe/readers', { token: tok.ownerA, body: { registrationCode: 'wrong-code-1', label: 'GM till', locationCode: 'GM' } });
    expect(badCode.status).toBe(400);
    const ok = await s.call('POST', '/api/v1/payments/stripe/readers', { token: tok.ownerA, body: { registrationCode: 'simulated-wpe', label: 'GM till', locationCode: 'GM' } });
    expect(ok.status).toBe(201);
    readerGM = (await json<{ reader: { readerId: string } }>(ok)).reader.readerId;
    expect(f.account(KEY_A).readers.get(readerGM)?.location).toBe(terminalLocation);

    await s.call('PUT', '/api/v1/payments/stripe/locations/GM', { token: tok.ownerB, body: { displayName: 'Bravo GM', address } });
    const rb = await s.call('POST', '/api/v1/payments/stripe/readers', { token: tok.ownerB, body: { registrationCode: 'simulated-s700', label: 'B till', locationCode: 'GM' } });
    readerB = (await json<{ reader: { readerId: string } }>(rb)).reader.readerId;

    // a list read: on a CouchDB cluster it may not have the reader yet
    const listed = async (token: string) => (await json<{ readers: { readerId: string }[] }>(await s.call('GET', '/api/v1/payments/readers', { token }))).readers.map((r) => r.readerId);
    await expect.poll(() => listed(tok.regGM), VIEW_SETTLES).toEqual([readerGM]);
    await expect.poll(() => listed(tok.ownerB), VIEW_SETTLES).toEqual([readerB]);
    expect((await json<{ readers: unknown[] }>(await s.call('GET', '/api/v1/payments/readers', { token: tok.regHM }))).readers).toEqual([]);
  });

  it('assigns a reader to one register of its location, for settings:manage only', async () => {
    const assign = (token: string, reader: string, registerId: string | null) => s.call('PUT', `/api/v1/payments/stripe/readers/${reader}/assignment`, { token, body: { registerId } });
    expect((await assign(tok.managerA, readerGM, dev.regGM)).status).toBe(403);
    expect((await assign(tok.regGM, readerGM, dev.regGM)).status).toBe(403);
    // another store's register, another business's register, another business's reader
    expect((await assign(tok.ownerA, readerGM, dev.regHM)).status).toBe(409);
    expect((await assign(tok.ownerA, readerGM, dev.regB)).status).toBe(404);
    expect((await assign(tok.ownerA, readerB, dev.regGM)).status).toBe(404);
    expect((await assign(tok.ownerA, readerGM, 'register-1')).status).toBe(400);
    const ok = await assign(tok.ownerA, readerGM, dev.regGM);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect((await json<{ reader: { registerId: string } }>(ok)).reader.registerId).toBe(dev.regGM);
    const seen = async () => (await json<{ readers: { readerId: string; registerId: string | null }[] }>(await s.call('GET', '/api/v1/payments/readers', { token: tok.regGM }))).readers;
    await expect.poll(seen, VIEW_SETTLES).toEqual([expect.objectContaining({ readerId: readerGM, registerId: dev.regGM })]);
    expect((await assign(tok.ownerA, readerGM, null)).status).toBe(200);
    await expect.poll(seen, VIEW_SETTLES).toEqual([expect.objectContaining({ readerId: readerGM, registerId: null })]);
  });

  it('gives registers a connection token scoped to their Terminal Location, and no one else', async () => {
    const res = await s.call('POST', '/api/v1/payments/connection-token', { token: tok.regGM, body: {} });
    expect(res.status).toBe(200);
    expect((await json<{ secret: string }>(res)).secret).toMatch(/^pst_test_/);
    expect((await s.call('POST', '/api/v1/payments/connection-token', { token: tok.ownerA, body: {} })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/payments/connection-token', { body: {} })).status).toBe(401);
  });
});

describe('card payments from a register', () => {
  let approved = '';

  it('approves a payment on the reader: created with the sale in its metadata, read back as succeeded', async () => {
    const body = newPayment(1500);
    const p = await create(tok.regGM, body);
    expect(p).toMatchObject({ status: 'requires_payment_method', amountReceived: 0 });
    expect(p.clientSecret).toMatch(/^pi_.+_secret_/);
    const pi = f.account(KEY_A).paymentIntents.get(p.intentId)!;
    expect(pi).toMatchObject({ amount: 1500, currency: 'usd', payment_method_types: ['card_present'], capture_method: 'automatic' });
    expect(pi.metadata).toMatchObject({ pos_tenant: a, pos_location: 'GM', pos_sale: body.saleId, pos_payment: body.paymentId });
    await pay(tok.regGM, stripeA, readerGM, body.paymentId);
    expect(await read(tok.regGM, body.paymentId)).toMatchObject({ status: 'succeeded', amountReceived: 1500, lastError: null });
    approved = body.paymentId;
  });

  it('makes one PaymentIntent however often the same payment id is sent, and refuses it for another amount', async () => {
    const body = newPayment(2500);
    const one = await create(tok.regGM, body);
    const two = await create(tok.regGM, body);
    expect(two.intentId).toBe(one.intentId);
    expect(f.requests.filter((r) => r.path === '/v1/payment_intents' && r.idempotencyKey === body.paymentId)).toHaveLength(1);
    // the first answer lost before the server recorded it: the retry reaches Stripe with the same key
    const db = s.couch.use(INTEGRATIONS_DB);
    const doc = await db.get(`card_payment:${a}:${body.paymentId}`);
    await db.destroy(doc._id, doc._rev);
    const three = await create(tok.regGM, body);
    expect(three.intentId).toBe(one.intentId);
    expect(f.requests.filter((r) => r.path === '/v1/payment_intents' && r.idempotencyKey === body.paymentId)).toHaveLength(2);
    expect([...f.account(KEY_A).paymentIntents.values()].filter((pi) => (pi.metadata as Record<string, string>).pos_payment === body.paymentId)).toHaveLength(1);
    const other = await s.call('POST', '/api/v1/payments', { token: tok.regGM, body: { ...body, amount: 2600 } });
    expect(other.status).toBe(409);
  });

  it('validates the amount and currency against the store', async () => {
    expect((await s.call('POST', '/api/v1/payments', { token: tok.regGM, body: newPayment(0) })).status).toBe(400);
    expect((await s.call('POST', '/api/v1/payments', { token: tok.regGM, body: newPayment(1.5) })).status).toBe(400);
    expect((await s.call('POST', '/api/v1/payments', { token: tok.regGM, body: newPayment(100, 'EUR') })).status).toBe(409);
    expect((await s.call('POST', '/api/v1/payments', { token: tok.regGM, body: { ...newPayment(100), paymentId: 'pi_123' } })).status).toBe(400);
    expect((await s.call('POST', '/api/v1/payments', { token: tok.ownerA, body: newPayment(100) })).status).toBe(403);
  });

  it('reports a decline with the issuer’s code, and the same payment goes through on another card', async () => {
    const body = newPayment(4000);
    await create(tok.regGM, body);
    await pay(tok.regGM, stripeA, readerGM, body.paymentId, '4000000000000002');
    const declined = await read(tok.regGM, body.paymentId);
    expect(declined.status).toBe('requires_payment_method');
    expect(declined.lastError).toMatchObject({ declineCode: 'generic_decline' });
    await pay(tok.regGM, stripeA, readerGM, body.paymentId, '4242424242424242');
    expect(await read(tok.regGM, body.paymentId)).toMatchObject({ status: 'succeeded', amountReceived: 4000, lastError: null });
  });

  it('cancels a payment waiting at the reader (the reader is stopped first) and refuses to cancel one that went through', async () => {
    const body = newPayment(900);
    await create(tok.regGM, body);
    const sent = await s.call('POST', path(body.paymentId, '/process'), { token: tok.regGM, body: { readerId: readerGM } });
    expect(sent.status).toBe(200);
    const res = await s.call('POST', path(body.paymentId, '/cancel'), { token: tok.regGM, body: {} });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json<{ payment: Payment }>(res)).payment.status).toBe('canceled');
    expect((f.account(KEY_A).readers.get(readerGM)!.action as { failure_code: string }).failure_code).toBe('canceled');
    expect((await s.call('POST', path(approved, '/cancel'), { token: tok.regGM, body: {} })).status).toBe(409);
  });

  it('refunds in part, once per return however often it is sent, and never more than was paid', async () => {
    const returnId = `sale:R1:${newUlid()}`;
    const first = await s.call('POST', path(approved, '/refunds'), { token: tok.regGM, body: { returnId, amount: 500 } });
    expect(first.status, await first.clone().text()).toBe(200);
    const r1 = await json<{ refund: { refundId: string; amount: number }; payment: Payment }>(first);
    expect(r1.refund.amount).toBe(500);
    expect(r1.payment.amountRefunded).toBe(500);
    const again = await json<{ refund: { refundId: string } }>(await s.call('POST', path(approved, '/refunds'), { token: tok.regGM, body: { returnId, amount: 500 } }));
    expect(again.refund.refundId).toBe(r1.refund.refundId);
    expect([...f.account(KEY_A).refunds.values()].filter((r) => r.payment_intent === r1.payment.intentId)).toHaveLength(1);
    expect((await s.call('POST', path(approved, '/refunds'), { token: tok.regGM, body: { returnId, amount: 600 } })).status).toBe(409);
    expect((await s.call('POST', path(approved, '/refunds'), { token: tok.regGM, body: { returnId: `sale:R1:${newUlid()}`, amount: 1001 } })).status).toBe(409);
    const rest = await json<{ refund: { amount: number }; payment: Payment }>(await s.call('POST', path(approved, '/refunds'), { token: tok.managerA, body: { returnId: `sale:R1:${newUlid()}` } }));
    expect(rest.refund.amount).toBe(1000);
    expect(rest.payment.amountRefunded).toBe(1500);
  });

  it('captures by hand when the business authorises first, and only then', async () => {
    const body = newPayment(3000);
    await create(tok.regB, body);
    await pay(tok.regB, stripeB, readerB, body.paymentId);
    expect(await read(tok.regB, body.paymentId)).toMatchObject({ status: 'requires_capture', amountCapturable: 3000 });
    const res = await s.call('POST', path(body.paymentId, '/capture'), { token: tok.regB, body: {} });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json<{ payment: Payment }>(res)).payment).toMatchObject({ status: 'succeeded', amountReceived: 3000 });
    expect((await s.call('POST', path(approved, '/capture'), { token: tok.regGM, body: {} })).status).toBe(409);
  });

  it('lets no register of another store or business, nor a user without refunds, read or act on a payment', async () => {
    const body = newPayment(700);
    await create(tok.regGM, body);
    for (const token of [tok.regHM, tok.regB, tok.ownerB]) {
      expect((await s.call('GET', path(body.paymentId), { token })).status).toBe(404);
      expect((await s.call('POST', path(body.paymentId, '/cancel'), { token, body: {} })).status).toBe(token === tok.ownerB ? 403 : 404);
      expect((await s.call('POST', path(approved, '/refunds'), { token, body: { returnId: `sale:R9:${newUlid()}`, amount: 1 } })).status).toBe(404);
    }
    // a register cannot drive another store's (or business's) reader either
    expect((await s.call('POST', path(body.paymentId, '/process'), { token: tok.regGM, body: { readerId: readerB } })).status).toBe(404);
    expect((await s.call('GET', path(body.paymentId))).status).toBe(401);
    expect(f.account(KEY_A).paymentIntents.get((await read(tok.regGM, body.paymentId)).intentId)!.status).toBe('requires_payment_method');
  });
});

describe('Stripe webhooks', () => {
  type Ev = { id: string; type: string; data: { object: { id: string; payment_intent?: string } } };
  const hook = (tenant: string | null) => `${s.url}/api/v1/integrations/stripe/webhooks${tenant ? `?tenant=${tenant}` : ''}`;
  function signed(event: unknown, secret: string, timestamp?: number) {
    const payload = JSON.stringify(event);
    return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) }) };
  }
  async function deliver(tenant: string | null, payload: string, header?: string) {
    return fetch(hook(tenant), { method: 'POST', headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) }, body: payload });
  }
  const eventsOf = (key: string, intentId: string, type: string) => (f.eventsFor(key) as unknown as Ev[]).filter((e) => e.type === type && (e.data.object.id === intentId || e.data.object.payment_intent === intentId));
  const stored = async (tenant: string, paymentId: string) => (await s.couch.use(INTEGRATIONS_DB).get(`card_payment:${tenant}:${paymentId}`)) as unknown as Payment;

  let intentId = '';
  let paymentId = '';
  beforeAll(async () => {
    // declined, then approved: Stripe sends payment_failed, then succeeded
    const body = newPayment(1200);
    paymentId = body.paymentId;
    intentId = (await create(tok.regGM, body)).intentId;
    await pay(tok.regGM, stripeA, readerGM, paymentId, '4000000000009995');
    await pay(tok.regGM, stripeA, readerGM, paymentId);
  });

  it('refuses forged, tampered, stale, unsigned and misaddressed deliveries with 400', async () => {
    const [event] = eventsOf(KEY_A, intentId, 'payment_intent.succeeded');
    const good = signed(event, WHSEC_A);
    expect((await deliver(a, good.payload)).status).toBe(400);
    expect((await deliver(a, good.payload, signed(event, 'whsec_notTheRightSecret1').header)).status).toBe(400);
    expect((await deliver(a, good.payload.replace('"succeeded"', '"canceled"'), good.header)).status).toBe(400);
    const stale = signed(event, WHSEC_A, Math.floor(Date.now() / 1000) - 600);
    expect((await deliver(a, stale.payload, stale.header)).status).toBe(400);
    expect((await deliver(b, good.payload, good.header)).status).toBe(400);
    expect((await deliver(null, good.payload, good.header)).status).toBe(400);
    const res = await deliver('nosuchtenant', good.payload, good.header);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_webhook' });
    // nothing above was recorded
    expect((await s.couch.use(INTEGRATIONS_DB).list({ startkey: `stripe_event:${a}:`, endkey: `stripe_event:${a}:\ufff0` })).rows).toHaveLength(0);
  });

  it('applies events in any order: a late payment_failed does not undo a success', async () => {
    // the register never read the payment back: only webhooks move the stored state here
    expect((await stored(a, paymentId)).status).toBe('requires_payment_method');
    const [succeeded] = eventsOf(KEY_A, intentId, 'payment_intent.succeeded');
    const [failed] = eventsOf(KEY_A, intentId, 'payment_intent.payment_failed');
    const one = signed(succeeded, WHSEC_A);
    const r1 = await deliver(a, one.payload, one.header);
    expect(r1.status).toBe(200);
    expect(await r1.json()).toMatchObject({ received: true, duplicate: false, outcome: 'applied' });
    const two = signed(failed, WHSEC_A);
    expect((await deliver(a, two.payload, two.header)).status).toBe(200);
    expect(await stored(a, paymentId)).toMatchObject({ status: 'succeeded', amountReceived: 1200, lastError: null });
  });

  it('writes each event once: a redelivery (freshly signed) answers 200 and changes nothing', async () => {
    const [succeeded] = eventsOf(KEY_A, intentId, 'payment_intent.succeeded');
    const before = (await s.couch.use(INTEGRATIONS_DB).get(`card_payment:${a}:${paymentId}`))._rev;
    const again = signed(succeeded, WHSEC_A);
    const res = await deliver(a, again.payload, again.header);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ duplicate: true, outcome: 'applied' });
    expect((await s.couch.use(INTEGRATIONS_DB).get(`card_payment:${a}:${paymentId}`))._rev).toBe(before);
    const events = async () => (await s.couch.use(INTEGRATIONS_DB).list({ startkey: `stripe_event:${a}:`, endkey: `stripe_event:${a}:\ufff0` })).rows.length;
    await expect.poll(events, VIEW_SETTLES).toBe(2);
  });

  it('records a refund made in Stripe (charge.refunded) and a cancellation (payment_intent.canceled)', async () => {
    await stripeA.refunds.create({ payment_intent: intentId, amount: 300 });
    const [refunded] = eventsOf(KEY_A, intentId, 'charge.refunded');
    const r = signed(refunded, WHSEC_A);
    expect((await deliver(a, r.payload, r.header)).status).toBe(200);
    expect((await stored(a, paymentId)).amountRefunded).toBe(300);

    const body = newPayment(650);
    const p = await create(tok.regGM, body);
    await stripeA.paymentIntents.cancel(p.intentId);
    const [canceled] = eventsOf(KEY_A, p.intentId, 'payment_intent.canceled');
    const c = signed(canceled, WHSEC_A);
    expect((await deliver(a, c.payload, c.header)).status).toBe(200);
    expect((await stored(a, body.paymentId)).status).toBe('canceled');
  });

  it('answers 200 for events it does not follow or payments that are not the POS’s, and applies nothing', async () => {
    const foreign = await stripeA.paymentIntents.create({ amount: 100, currency: 'usd', allowed_payment_method_types: ['card_present'] });
    const [created] = (f.eventsFor(KEY_A) as unknown as Ev[]).filter((e) => e.type === 'payment_intent.created' && e.data.object.id === foreign.id);
    const e1 = signed(created, WHSEC_A);
    expect(await (await deliver(a, e1.payload, e1.header)).json()).toMatchObject({ outcome: 'ignored' });
    const canceled = await stripeA.paymentIntents.cancel(foreign.id);
    const [ev] = eventsOf(KEY_A, canceled.id, 'payment_intent.canceled');
    const e2 = signed(ev, WHSEC_A);
    expect(await (await deliver(a, e2.payload, e2.header)).json()).toMatchObject({ outcome: 'unmatched' });
  });
});

describe('daily card report', () => {
  const KEY_C = 'sk_test_charlieKey000003';
  it('puts the POS card tenders next to Stripe’s charges and refunds of the day, to the cent, and lists what differs', async () => {
    const c = (await createTenant({ couch: s.couch }, { name: 'Charlie Pay', plan: 'pro', adminEmail: 'o@charlie.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
    const owner = await login(s, 'o@charlie.test', PW);
    const reg = await enrol(s, owner, 'register', 'GM', 'Till C');
    expect((await s.call('PUT', '/api/v1/payments/stripe/connection', { token: owner, body: { secretKey: KEY_C, webhookSecret: 'whsec_charlieSigning03' } })).status).toBe(200);
    expect((await s.call('PUT', '/api/v1/payments/stripe/locations/GM', { token: owner, body: { displayName: 'Charlie GM', address } })).status).toBe(201);
    const reader = (await json<{ reader: { readerId: string } }>(await s.call('POST', '/api/v1/payments/stripe/readers', { token: owner, body: { registrationCode: 'simulated-wpe', label: 'C till', locationCode: 'GM' } }))).reader.readerId;
    const stripeC = new Stripe(KEY_C, { host: f.host, port: f.port, protocol: 'http', maxNetworkRetries: 0 });
    const regKey = reg.device.id;
    const sold = { paymentId: `payment:${regKey}:${newUlid()}`, saleId: `sale:${regKey}:${newUlid()}`, amount: 5_997, currency: 'USD' };
    const lost = { paymentId: `payment:${regKey}:${newUlid()}`, saleId: `sale:${regKey}:${newUlid()}`, amount: 1_234, currency: 'USD' };
    const p1 = await create(reg.deviceToken, sold);
    await pay(reg.deviceToken, stripeC, reader, sold.paymentId);
    // paid at the reader, but its sale never reached the server
    await create(reg.deviceToken, lost);
    await pay(reg.deviceToken, stripeC, reader, lost.paymentId);
    // the register follows its payment to the end (a status read records it)
    expect((await read(reg.deviceToken, sold.paymentId)).status).toBe('succeeded');
    const returnId = `sale:${regKey}:${newUlid()}`;
    const refund = await s.call('POST', path(sold.paymentId, '/refunds'), { token: reg.deviceToken, body: { returnId, amount: 1_999 } });
    expect(refund.status).toBe(200);
    const refundId = (await json<{ refund: { refundId: string } }>(refund)).refund.refundId;

    // the sale and the return as the register writes them
    const now = new Date().toISOString();
    const line = { lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 3, unitPrice: 1_999, discount: 0, tax: 0, total: 5_997 };
    const base = { type: 'sale', receiptNo: 'GM1-20261207-0001', locationCode: 'GM', registerId: `device:${regKey}`, cashierId: 'user:x', cashierName: 'X', currency: 'USD', discountTotal: 0, taxTotal: 0, pricesIncludeTax: false, rounding: 0, change: 0, approvals: [], createdAt: now };
    const db = s.couch.use(`t-${c}-loc-gm`);
    await db.insert({ ...base, _id: sold.saleId, kind: 'sale', lines: [line], subtotal: 5_997, total: 5_997, tenders: [{ kind: 'card_stripe', amount: 5_997, reference: p1.intentId, paymentId: sold.paymentId }] } as never);
    await db.insert({ ...base, _id: returnId, kind: 'return', receiptNo: 'GM1-20261207-0002', lines: [{ ...line, lineId: 'r1', qty: -1, total: -1_999, returnOf: { saleId: sold.saleId, lineId: 'l1' } }], subtotal: -1_999, total: -1_999, tenders: [{ kind: 'card_stripe', amount: -1_999, reference: refundId, paymentId: sold.paymentId }] } as never);

    const day = new Date().toISOString().slice(0, 10);
    const report = async () => json<{ rows: { day: string; locationCode: string; pos: { charges: number; refunds: number; net: number }; provider: { charges: number; refunds: number; net: number }; difference: number }[]; differences: { id: string; problem: string; pos: number | null; provider: number | null }[] }>(
      await s.call('GET', `/api/v1/reports/card-payments?from=${day}&to=${day}`, { token: owner })
    );
    // a view read: poll until the two sale documents are in it
    await expect.poll(async () => (await report()).rows[0]?.pos.charges, VIEW_SETTLES).toBe(5_997);
    const r = await report();
    expect(r.rows).toEqual([{ day, locationCode: 'GM', pos: { charges: 5_997, refunds: 1_999, net: 3_998, count: 2 }, provider: { charges: 7_231, refunds: 1_999, net: 5_232, count: 3 }, difference: -1_234 }]);
    expect(r.differences).toEqual([expect.objectContaining({ problem: 'missing_in_pos', provider: 1_234, pos: null })]);
    // reports are for report:view, and another business's owner sees none of it
    expect((await s.call('GET', `/api/v1/reports/card-payments?from=${day}&to=${day}`, { token: reg.deviceToken })).status).toBe(403);
    const other = await json<{ rows: { pos: { count: number } }[] }>(await s.call('GET', `/api/v1/reports/card-payments?from=${day}&to=${day}`, { token: tok.ownerA }));
    expect(JSON.stringify(other)).not.toContain(p1.intentId);
  });
});
