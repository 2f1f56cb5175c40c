import Stripe from '#stripe-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseForm, startFakeStripe, type FakeStripe } from '../support/fake-stripe.ts';

/**
 * The local Stripe server the payments tests use, driven by the official client through its own
 * host/port/protocol options: the documented idempotency rules, error shapes and the simulated
 * reader's outcomes, so a test of the POS that passes against it is testing Stripe's contract.
 */
let f: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  f = await startFakeStripe();
  stripe = new Stripe('sk_test_fakeone', { host: f.host, port: f.port, protocol: 'http', maxNetworkRetries: 0 });
});
afterAll(async () => {
  await f?.close();
});

const intent = (amount = 1500) => ({ amount, currency: 'usd', allowed_payment_method_types: ['card_present' as const], metadata: { sale: 'sale:R1:01' } });

describe('fake Stripe', () => {
  it('decodes bracketed form keys as stripe-node writes them', () => {
    expect(parseForm('a%5Bb%5D%5B0%5D=x&a%5Bb%5D%5B1%5D=y&c=1+2')).toEqual({ a: { b: { 0: 'x', 1: 'y' } }, c: '1 2' });
  });

  it('replays an idempotent create and refuses the key with other parameters', async () => {
    const one = await stripe.paymentIntents.create(intent(), { idempotencyKey: 'fake-k1' });
    const two = await stripe.paymentIntents.create(intent(), { idempotencyKey: 'fake-k1' });
    expect(two.id).toBe(one.id);
    expect(two.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(f.account('sk_test_fakeone').paymentIntents.size).toBe(1);
    const other = await stripe.paymentIntents.create(intent(1600), { idempotencyKey: 'fake-k1' }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((other as Stripe.errors.StripeError).statusCode).toBe(400);
  });

  it('saves no result for a request refused in validation', async () => {
    const bad = await stripe.paymentIntents.create({ ...intent(), amount: 0 }, { idempotencyKey: 'fake-k2' }).catch((e: unknown) => e);
    expect((bad as Stripe.errors.StripeError).code).toBe('parameter_invalid_integer');
    const good = await stripe.paymentIntents.create(intent(), { idempotencyKey: 'fake-k2' });
    expect(good.status).toBe('requires_payment_method');
  });

  it('runs the simulated reader: a declined card, then an approved one, then refunds up to the charge', async () => {
    const loc = await stripe.terminal.locations.create({ display_name: 'Grand', address: { country: 'US', line1: '1 Main St', city: 'Springfield', postal_code: '12345', state: 'IL' } });
    const reader = await stripe.terminal.readers.create({ registration_code: 'simulated-wpe', label: 'Till 1', location: loc.id });
    const badCode = await stripe.terminal.readers.create({ registration_code: 'nope-nope', location: loc.id }).catch((e: unknown) => e);
    expect((badCode as Stripe.errors.StripeError).type).toBe('StripeInvalidRequestError');
    const pi = await stripe.paymentIntents.create(intent(2000));
    await stripe.terminal.readers.processPaymentIntent(reader.id, { payment_intent: pi.id });
    const declined = await stripe.testHelpers.terminal.readers.presentPaymentMethod(reader.id, { card_present: { number: '4000000000009995' } });
    expect(declined.action?.status).toBe('failed');
    expect((await stripe.paymentIntents.retrieve(pi.id)).last_payment_error?.decline_code).toBe('insufficient_funds');
    await stripe.terminal.readers.processPaymentIntent(reader.id, { payment_intent: pi.id });
    await stripe.testHelpers.terminal.readers.presentPaymentMethod(reader.id);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
    await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    const tooMuch = await stripe.refunds.create({ payment_intent: pi.id, amount: 1600 }).catch((e: unknown) => e);
    expect((tooMuch as Stripe.errors.StripeError).code).toBe('amount_too_large');
    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(1500);
    const types = f.eventsFor('sk_test_fakeone').map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['payment_intent.payment_failed', 'payment_intent.succeeded', 'charge.refunded']));
  });

  it('keeps accounts apart and refuses a request without a key', async () => {
    const other = new Stripe('sk_test_faketwo', { host: f.host, port: f.port, protocol: 'http', maxNetworkRetries: 0 });
    const pi = await stripe.paymentIntents.create(intent());
    const err = await other.paymentIntents.retrieve(pi.id).catch((e: unknown) => e);
    expect((err as Stripe.errors.StripeError).code).toBe('resource_missing');
    const res = await fetch(`${f.url}/v1/payment_intents/${pi.id}`);
    expect(res.status).toBe(401);
  });
});
