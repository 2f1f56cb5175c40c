import { describe, expect, it } from 'vitest';
import { applyRefunded, applySnapshot, type PaymentProgress, type PaymentSnapshot } from './state.ts';

const start: PaymentProgress = { status: 'requires_payment_method', statusAt: 100, amountCapturable: 0, amountReceived: 0, amountRefunded: 0, lastError: null };
const declined: PaymentSnapshot = { status: 'requires_payment_method', amountCapturable: 0, amountReceived: 0, lastError: { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' }, at: 110 };
const succeeded: PaymentSnapshot = { status: 'succeeded', amountCapturable: 0, amountReceived: 1500, lastError: null, at: 120 };
const canceled: PaymentSnapshot = { status: 'canceled', amountCapturable: 0, amountReceived: 0, lastError: null, at: 130 };
const authorised: PaymentSnapshot = { status: 'requires_capture', amountCapturable: 1500, amountReceived: 0, lastError: null, at: 115 };

const fold = (snaps: PaymentSnapshot[]) => snaps.reduce((s, x) => applySnapshot(s, x) ?? s, start);

describe('applySnapshot', () => {
  it('ends in the same state whatever order a decline, an authorisation and a success arrive in', () => {
    const orders = [
      [declined, authorised, succeeded],
      [succeeded, declined, authorised],
      [authorised, succeeded, declined],
      [succeeded, authorised, declined]
    ];
    for (const o of orders) expect(fold(o)).toEqual({ ...start, status: 'succeeded', statusAt: 120, amountReceived: 1500, lastError: null });
  });

  it('keeps a decline while the payment can still be retried, and the newer of two declines', () => {
    expect(fold([declined]).lastError?.declineCode).toBe('generic_decline');
    const later: PaymentSnapshot = { ...declined, at: 112, lastError: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'x' } };
    expect(fold([later, declined]).lastError?.declineCode).toBe('insufficient_funds');
    expect(fold([declined, later]).lastError?.declineCode).toBe('insufficient_funds');
  });

  it('never moves a payment out of an end state, and says when nothing changed', () => {
    expect(fold([canceled, succeeded]).status).toBe('canceled');
    const done = fold([succeeded]);
    expect(applySnapshot(done, succeeded)).toBeNull();
    expect(applySnapshot(done, declined)).toBeNull();
  });
});

describe('applyRefunded', () => {
  it('only grows', () => {
    const s = applyRefunded(start, 500)!;
    expect(s.amountRefunded).toBe(500);
    expect(applyRefunded(s, 300)).toBeNull();
    expect(applyRefunded(s, 500)).toBeNull();
  });
});
