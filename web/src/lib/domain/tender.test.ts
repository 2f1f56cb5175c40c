import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cashRound } from './money.ts';
import { paymentState, quickCashAmounts, validateTender, voidRefundTenders, type Tender, type TenderKind } from './tender.ts';

const cash = (amount: number): Tender => ({ kind: 'cash', amount });
const card = (amount: number): Tender => ({ kind: 'card_external', amount, reference: 'slip-1' });

describe('paymentState: sales', () => {
  it('starts with everything remaining', () => {
    expect(paymentState(1234, [], 1)).toEqual({ due: 1234, paid: 0, remaining: 1234, change: 0, rounding: 0, complete: false });
  });
  it('settles exactly by card, and gives change on cash only', () => {
    expect(paymentState(1234, [card(1234)], 5)).toEqual({ due: 1234, paid: 1234, remaining: 0, change: 0, rounding: 0, complete: true });
    expect(paymentState(1234, [cash(2000)], 1)).toEqual({ due: 1234, paid: 2000, remaining: 0, change: 766, rounding: 0, complete: true });
    expect(paymentState(1000, [card(400), cash(1000)], 1)).toMatchObject({ change: 400, complete: true });
    expect(paymentState(1000, [card(400), cash(500)], 1)).toMatchObject({ remaining: 100, change: 0, complete: false });
  });
  it('cash-rounds the remainder the last cash tender settles', () => {
    expect(paymentState(1002, [cash(1000)], 5)).toEqual({ due: 1000, paid: 1000, remaining: 0, change: 0, rounding: -2, complete: true });
    expect(paymentState(1003, [cash(2000)], 5)).toEqual({ due: 1005, paid: 2000, remaining: 0, change: 995, rounding: 2, complete: true });
    expect(paymentState(1003, [card(500), cash(505)], 5)).toMatchObject({ due: 1005, change: 0, rounding: 2, complete: true });
    expect(paymentState(1002, [cash(500), cash(600)], 5)).toMatchObject({ due: 1000, change: 100, rounding: -2, complete: true });
  });
  it('does not round without cash, or when cash does not settle the rounded remainder', () => {
    expect(paymentState(1002, [card(1002)], 5)).toMatchObject({ rounding: 0, complete: true });
    expect(paymentState(1002, [cash(500)], 5)).toMatchObject({ due: 1002, remaining: 502, rounding: 0, complete: false });
    // exact cash where the rounded figure is higher: settles the exact amount, no rounding
    expect(paymentState(1003, [cash(1003)], 5)).toMatchObject({ due: 1003, rounding: 0, change: 0, complete: true });
    expect(paymentState(1003, [cash(1001)], 5)).toMatchObject({ remaining: 2, complete: false });
    // a remainder that rounds to nothing: exact cash settles it exactly, a coin comes straight back
    expect(paymentState(1, [cash(1)], 5)).toMatchObject({ due: 1, change: 0, rounding: 0, complete: true });
    expect(paymentState(1, [cash(5)], 5)).toMatchObject({ due: 0, change: 5, rounding: -1, complete: true });
    // a card after cash: the cash was not the settling tender
    expect(paymentState(1002, [cash(1000), card(2)], 5)).toMatchObject({ rounding: 0, complete: true });
  });
  it('is complete with nothing to pay (an even exchange)', () => {
    expect(paymentState(0, [], 5)).toEqual({ due: 0, paid: 0, remaining: 0, change: 0, rounding: 0, complete: true });
  });
  it('is not complete when a card overpays (validateTender prevents it)', () => {
    expect(paymentState(1000, [card(1200)], 1)).toMatchObject({ change: 0, remaining: 0, complete: false });
  });
});

describe('paymentState: refunds', () => {
  it('refunds by card or cash, never with change', () => {
    expect(paymentState(-1234, [card(-1234)], 1)).toEqual({ due: -1234, paid: -1234, remaining: 0, change: 0, rounding: 0, complete: true });
    expect(paymentState(-1234, [cash(-1000)], 1)).toMatchObject({ remaining: -234, complete: false });
    expect(paymentState(-1234, [cash(-2000)], 1)).toMatchObject({ change: 0, complete: false });
  });
  it('cash-rounds a cash refund the same way as a sale', () => {
    expect(paymentState(-1003, [cash(-1005)], 5)).toEqual({ due: -1005, paid: -1005, remaining: 0, change: 0, rounding: -2, complete: true });
    expect(paymentState(-1002, [cash(-1000)], 5)).toMatchObject({ due: -1000, rounding: 2, complete: true });
    expect(paymentState(-1002, [cash(-1002)], 5)).toMatchObject({ rounding: 0, complete: true });
    expect(paymentState(-1003, [card(-3), cash(-1000)], 5)).toMatchObject({ rounding: 0, complete: true });
    expect(paymentState(-1, [cash(-1)], 5)).toMatchObject({ rounding: 0, complete: true });
  });
});

describe('validateTender', () => {
  it('refuses a non-cash payment over what is due', () => {
    expect(validateTender(1234, [], card(1235), 1)).toBe('A card payment cannot be more than the 12.34 still due');
    expect(validateTender(1234, [card(1000)], { kind: 'store_credit', amount: 300 }, 1)).toBe('A store credit payment cannot be more than the 2.34 still due');
    expect(validateTender(1234, [card(1000)], { kind: 'card_stripe', amount: 234 }, 1)).toBeNull();
    expect(validateTender(1234, [], cash(5000), 1)).toBeNull();
  });
  it('refuses zero, wrong signs, and anything once settled', () => {
    expect(validateTender(1000, [], cash(0), 1)).toBe('Enter an amount');
    expect(validateTender(1000, [], cash(10.5), 1)).toBe('Enter an amount');
    expect(validateTender(1000, [], cash(-5), 1)).toBe('A payment must be a positive amount');
    expect(validateTender(-1000, [], cash(5), 1)).toBe('A refund must be a negative amount');
    expect(validateTender(1000, [card(1000)], cash(5), 1)).toBe('Nothing remains to pay');
    expect(validateTender(1002, [cash(1000)], card(2), 5)).toBe('Nothing remains to pay');
    expect(validateTender(-1000, [card(-1000)], cash(-5), 1)).toBe('Nothing remains to refund');
    expect(validateTender(0, [], cash(100), 5)).toBe('Nothing remains to pay');
  });
  it('needs a reference for gift cards and layaways', () => {
    expect(validateTender(1000, [], { kind: 'gift_card', amount: 500 }, 1)).toBe('A gift card payment needs the card number');
    expect(validateTender(1000, [], { kind: 'gift_card', amount: 500, reference: 'GC-1' }, 1)).toBeNull();
    expect(validateTender(1000, [], { kind: 'layaway', amount: 500, reference: ' ' }, 1)).toBe('A layaway payment needs the layaway it comes from');
  });
  it('limits refunds to what remains, cash to its rounded figure', () => {
    expect(validateTender(-1234, [], card(-1235), 1)).toBe('A card refund cannot be more than the 12.34 still to refund');
    expect(validateTender(-1003, [], cash(-1005), 5)).toBeNull();
    expect(validateTender(-1003, [], cash(-1006), 5)).toBe('A cash refund cannot be more than the 10.05 still to refund');
    expect(validateTender(-1002, [], cash(-1002), 5)).toBeNull();
    expect(validateTender(-1002, [], cash(-1003), 5)).toBe('A cash refund cannot be more than the 10.02 still to refund');
  });
});

describe('quickCashAmounts', () => {
  it('offers the exact amount, then round amounts and notes', () => {
    expect(quickCashAmounts(1437, 'USD')).toEqual([1437, 1500, 2000, 5000]);
    expect(quickCashAmounts(150, 'USD')).toEqual([150, 200, 500, 1000]);
    expect(quickCashAmounts(2000, 'USD')).toEqual([2000, 5000]);
    expect(quickCashAmounts(12_000, 'USD')).toEqual([12_000, 15_000, 20_000]);
    expect(quickCashAmounts(1437, 'GBP')).toEqual([1437, 1500, 2000, 5000]);
    expect(quickCashAmounts(6000, 'GBP')).toEqual([6000, 10_000]);
    expect(quickCashAmounts(1437, 'XYZ')).toEqual([1437, 1500, 2000, 5000]);
    expect(quickCashAmounts(0, 'USD')).toEqual([]);
    expect(quickCashAmounts(-500, 'USD')).toEqual([]);
  });
  it('is distinct, ascending, at most 5, starting with the exact amount, each covering it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom('USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'), (remaining, currency) => {
        const q = quickCashAmounts(remaining, currency);
        expect(q[0]).toBe(remaining);
        expect(q.length).toBeLessThanOrEqual(5);
        for (let i = 1; i < q.length; i++) expect(q[i]!).toBeGreaterThan(q[i - 1]!);
      })
    );
  });
});

describe('voidRefundTenders', () => {
  it('negates the tenders, cash net of change', () => {
    expect(voidRefundTenders({ tenders: [cash(2000), card(500)], change: 300 })).toEqual([cash(-1700), card(-500)]);
    expect(voidRefundTenders({ tenders: [card(1500)] })).toEqual([card(-1500)]);
    expect(voidRefundTenders({ tenders: [cash(-1000)], change: 0 })).toEqual([cash(1000)]);
  });
});

// ---- properties: a cashier pressing buttons at random ----------------------------------------

const KINDS: TenderKind[] = ['cash', 'cash', 'card_external', 'card_stripe', 'store_credit', 'gift_card'];
const stepArb = fc.record({ kind: fc.constantFrom(...KINDS), pick: fc.nat(100), amount: fc.integer({ min: 1, max: 50_000 }) });

function tenderFor(total: number, tenders: Tender[], step: { kind: TenderKind; pick: number; amount: number }, inc: number): Tender {
  const sign = total < 0 ? -1 : 1;
  const remaining = total - tenders.reduce((a, t) => a + t.amount, 0);
  // mostly sensible amounts (the rest, the rounded rest, a quick-cash button), sometimes anything
  const options = [remaining, cashRound(remaining, inc), ...quickCashAmounts(Math.abs(remaining), 'USD').map((v) => v * sign), step.amount * sign, Math.trunc(remaining / 2)];
  const amount = options[step.pick % options.length]!;
  return step.kind === 'gift_card' ? { kind: step.kind, amount, reference: 'GC-9' } : { kind: step.kind, amount };
}

describe('payment properties', () => {
  it('accepted tenders never break the sale invariants', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -200_000, max: 200_000 }),
        fc.constantFrom(0, 1, 5, 10, 50),
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        (total, inc, steps) => {
          const tenders: Tender[] = [];
          for (const step of steps) {
            const next = tenderFor(total, tenders, step, inc);
            if (validateTender(total, tenders, next, inc) === null) tenders.push(next);
            const s = paymentState(total, tenders, inc);
            expect(s.change).toBeGreaterThanOrEqual(0);
            if (s.change > 0) expect(tenders.some((t) => t.kind === 'cash')).toBe(true);
            if (total < 0) expect(s.change).toBe(0);
            expect(2 * Math.abs(s.rounding)).toBeLessThanOrEqual(inc);
            if (s.rounding !== 0) expect(tenders.at(-1)?.kind).toBe('cash');
            // an accepted tender never overpays except in cash
            expect(s.paid - s.change === s.due || (total >= 0 ? s.paid < s.due : s.paid > s.due)).toBe(true);
            if (s.complete) {
              const sum = tenders.reduce((a, t) => a + t.amount, 0);
              expect(sum - s.change).toBe(total + s.rounding);
              expect(s.remaining).toBe(0);
              break;
            }
            expect(Math.sign(s.remaining) === Math.sign(total) || s.remaining === 0).toBe(true);
          }
        }
      ),
      { numRuns: 1000 }
    );
  });
  it('settling the rest in cash always completes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }).filter((t) => t !== 0), fc.constantFrom(1, 5, 10), fc.integer({ min: 0, max: 100 }), (total, inc, cardPct) => {
        const cardPart = Math.trunc((total * cardPct) / 100);
        const tenders: Tender[] = cardPart !== 0 ? [card(cardPart)] : [];
        const rest = total - cardPart;
        if (rest === 0) return;
        // the rounded rest, unless it rounds to nothing: then the exact rest
        const cashAmount = cashRound(rest, inc) || rest;
        expect(validateTender(total, tenders, cash(cashAmount), inc)).toBeNull();
        const s = paymentState(total, [...tenders, cash(cashAmount)], inc);
        expect(s.complete).toBe(true);
        expect(s.change).toBe(0);
      }),
      { numRuns: 500 }
    );
  });
});
