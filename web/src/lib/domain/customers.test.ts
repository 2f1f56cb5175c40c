import { describe, expect, it } from 'vitest';
import {
  adjustmentInput,
  applyProfileEdit,
  balanceOf,
  balancesOf,
  formatCardNumber,
  giftCardNumberFrom,
  history,
  isValidGiftCardNumber,
  loyaltyRulesInput,
  luhnCheckDigit,
  makeAdjustment,
  makeGiftCardIssue,
  matchesQuery,
  planMerge,
  pointsValue,
  profileInput,
  rewardRateBp,
  type CustomerDoc,
  type LedgerEntry
} from './customers.ts';

const actor = { by: 'user:u1', now: '2026-11-25T10:00:00.000Z' };
const customer = (id: string, extra: Partial<CustomerDoc> = {}): CustomerDoc => ({
  _id: id,
  type: 'customer',
  firstName: 'Ana',
  lastName: 'Diaz',
  tags: [],
  updatedAt: '2026-11-01T00:00:00.000Z',
  updatedBy: 'system',
  ...extra
});
let seq = 0;
const entry = (account: LedgerEntry['account'], holder: string, amount: number, id = `ledger:x:${++seq}`): LedgerEntry => ({
  _id: id,
  type: 'ledger_entry',
  account,
  holder,
  amount,
  reason: 'test',
  createdAt: `2026-11-0${(seq % 9) + 1}T00:00:00.000Z`,
  createdBy: 'system'
});

describe('gift card numbers', () => {
  it('Luhn check digit matches the published example (7992739871 → 3)', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
  });

  it('generated numbers are 16 digits, start with 8 and pass their own check', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = new Uint8Array(14).map(() => Math.floor(Math.random() * 256));
      const n = giftCardNumberFrom(bytes);
      expect(n).toMatch(/^8\d{15}$/);
      expect(isValidGiftCardNumber(n)).toBe(true);
    }
  });

  it('catches any single mistyped digit and a swap of neighbours', () => {
    const n = giftCardNumberFrom(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));
    for (let i = 0; i < n.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === n[i]) continue;
        expect(isValidGiftCardNumber(n.slice(0, i) + d + n.slice(i + 1))).toBe(false);
      }
    }
    const swapped = n[1]! + n[0]! + n.slice(2);
    if (swapped !== n && !(n[0] === '0' && n[1] === '9') && !(n[0] === '9' && n[1] === '0')) expect(isValidGiftCardNumber(swapped)).toBe(false);
  });

  it('accepts the printed form with spaces and refuses short or lettered input', () => {
    const n = giftCardNumberFrom(new Uint8Array(14).fill(7));
    expect(isValidGiftCardNumber(formatCardNumber(n))).toBe(true);
    expect(formatCardNumber(n)).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(isValidGiftCardNumber(n.slice(0, 15))).toBe(false);
    expect(isValidGiftCardNumber(`A${n.slice(1)}`)).toBe(false);
  });

  it('the issue entry carries the value and the customer, refused for an invalid number', () => {
    const n = giftCardNumberFrom(new Uint8Array(14).fill(3));
    const e = makeGiftCardIssue(n, { amount: 5000, customerId: 'customer:c1' }, actor);
    expect(e).toMatchObject({ _id: `ledger:gc:${n}`, account: 'gift_card', holder: n, amount: 5000, ref: 'customer:c1', reason: 'issued' });
    expect(() => makeGiftCardIssue('8000000000000000', { amount: 1 }, actor)).toThrow(/not a valid gift card number/);
  });
});

describe('balances', () => {
  it('sum per account and holder, each entry id once', () => {
    const a = entry('loyalty', 'customer:a', 120);
    const list = [a, a, entry('loyalty', 'customer:a', -20), entry('store_credit', 'customer:a', 500), entry('loyalty', 'customer:b', 7)];
    expect(balanceOf(list, 'loyalty', 'customer:a')).toBe(100);
    expect(balanceOf(list, 'store_credit', 'customer:a')).toBe(500);
    expect(balanceOf(list, 'gift_card', 'customer:a')).toBe(0);
    expect(balancesOf(list).get('loyalty|customer:b')).toBe(7);
  });

  it('history runs the balance oldest first', () => {
    const list = [
      { ...entry('store_credit', 'customer:a', 300), createdAt: '2026-11-03T00:00:00.000Z' },
      { ...entry('store_credit', 'customer:a', 1000), createdAt: '2026-11-01T00:00:00.000Z' },
      { ...entry('store_credit', 'customer:a', -200), createdAt: '2026-11-02T00:00:00.000Z' }
    ];
    expect(history(list, 'store_credit', 'customer:a').map((e) => [e.amount, e.balance])).toEqual([
      [1000, 1000],
      [-200, 800],
      [300, 1100]
    ]);
  });
});

describe('adjustments', () => {
  const input = (o: Record<string, unknown>) => adjustmentInput.parse({ account: 'loyalty', holder: 'customer:a', amount: 50, reason: 'goodwill', ...o });

  it('write a server-only ledger:adm: entry with the reason', () => {
    const e = makeAdjustment(input({}), 0, '01JAAAAAAAAAAAAAAAAAAAAAAA', actor);
    expect(e).toMatchObject({ _id: 'ledger:adm:01JAAAAAAAAAAAAAAAAAAAAAAA', account: 'loyalty', holder: 'customer:a', amount: 50, reason: 'adjustment: goodwill', createdBy: 'user:u1' });
  });

  it('cannot take a balance below zero', () => {
    expect(() => makeAdjustment(input({ amount: -60 }), 50, '01JAAAAAAAAAAAAAAAAAAAAAAA', actor)).toThrow(/below zero/);
    expect(makeAdjustment(input({ amount: -50 }), 50, '01JAAAAAAAAAAAAAAAAAAAAAAA', actor).amount).toBe(-50);
  });

  it('validate the holder per account, a reason and a non-zero whole amount', () => {
    expect(adjustmentInput.safeParse({ account: 'gift_card', holder: '1234', amount: 5, reason: 'fix' }).success).toBe(false);
    expect(adjustmentInput.safeParse({ account: 'store_credit', holder: '8123', amount: 5, reason: 'fix' }).success).toBe(false);
    expect(adjustmentInput.safeParse({ account: 'loyalty', holder: 'customer:a', amount: 0, reason: 'fix' }).success).toBe(false);
    expect(adjustmentInput.safeParse({ account: 'loyalty', holder: 'customer:a', amount: 1.5, reason: 'fix' }).success).toBe(false);
    expect(adjustmentInput.safeParse({ account: 'loyalty', holder: 'customer:a', amount: 5, reason: '' }).success).toBe(false);
  });
});

describe('profile edits', () => {
  it('set changed fields, stamp them, remove an emptied phone, dedupe tags', () => {
    const doc = customer('customer:a', { phone: '+1 555 100 2000', email: 'ana@example.com' });
    const { doc: next, changed } = applyProfileEdit(doc, profileInput.parse({ rev: '1-a', phone: '', tags: ['VIP', 'vip'], firstName: 'Ana' }), actor);
    expect(changed).toEqual(['phone', 'tags']);
    expect(next.phone).toBeUndefined();
    expect(next.tags).toEqual(['vip']);
    expect(next.email).toBe('ana@example.com');
    expect(next.fieldTimes).toEqual({ phone: actor.now, tags: actor.now });
  });

  it('set and clear the pricing group price rules target', () => {
    const { doc: grouped, changed } = applyProfileEdit(customer('customer:a'), profileInput.parse({ rev: '1-a', group: 'staff' }), actor);
    expect(changed).toEqual(['group']);
    expect(grouped.group).toBe('staff');
    expect(applyProfileEdit(grouped, profileInput.parse({ rev: '2-b', group: 'staff' }), actor).changed).toEqual([]);
    const { doc: cleared } = applyProfileEdit(grouped, profileInput.parse({ rev: '2-b', group: '' }), actor);
    expect(cleared.group).toBeUndefined();
  });

  it('set, change and clear a tax-exemption certificate (all taxes or named jurisdictions)', () => {
    const cert = { certificateNo: 'ST-120-0042', expiresOn: '2027-06-30' };
    const { doc: exempt, changed } = applyProfileEdit(customer('customer:a'), profileInput.parse({ rev: '1-a', taxExemption: cert }), actor);
    expect(changed).toEqual(['taxExemption']);
    expect(exempt.taxExemption).toEqual(cert);
    expect(applyProfileEdit(exempt, profileInput.parse({ rev: '2-b', taxExemption: cert }), actor).changed).toEqual([]);
    const some = applyProfileEdit(exempt, profileInput.parse({ rev: '2-b', taxExemption: { ...cert, jurisdictions: ['ny-state'] } }), actor).doc;
    expect(some.taxExemption?.jurisdictions).toEqual(['ny-state']);
    const { doc: cleared, changed: c2 } = applyProfileEdit(exempt, profileInput.parse({ rev: '2-b', taxExemption: null }), actor);
    expect(c2).toEqual(['taxExemption']);
    expect(cleared.taxExemption).toBeUndefined();
    expect(applyProfileEdit(customer('customer:a'), profileInput.parse({ rev: '1-a', taxExemption: null }), actor).changed).toEqual([]);
    expect(profileInput.safeParse({ rev: '1-a', taxExemption: { certificateNo: '', expiresOn: '2027-06-30' } }).success).toBe(false);
    expect(profileInput.safeParse({ rev: '1-a', taxExemption: { certificateNo: 'X', expiresOn: '30/06/2027' } }).success).toBe(false);
  });

  it('refuse a merged profile and a malformed phone', () => {
    expect(() => applyProfileEdit(customer('customer:a', { mergedInto: 'customer:b' }), profileInput.parse({ rev: '1-a', firstName: 'X' }), actor)).toThrow(/merged into customer:b/);
    expect(profileInput.safeParse({ rev: '1-a', phone: 'call me' }).success).toBe(false);
  });

  it('search matches name, email and phone digits', () => {
    const c = customer('customer:a', { email: 'ana@example.com', phone: '+1 (555) 123-4567' });
    expect(matchesQuery(c, 'ana d')).toBe(true);
    expect(matchesQuery(c, 'EXAMPLE')).toBe(true);
    expect(matchesQuery(c, '123 45')).toBe(true);
    expect(matchesQuery(c, '55')).toBe(false);
    expect(matchesQuery(c, '(555) 123')).toBe(true);
    // a name with digits in it is a name: its digits do not search phone numbers
    expect(matchesQuery(c, 'Dupont123')).toBe(false);
    expect(matchesQuery(c, 'unit 4567')).toBe(false);
  });
});

describe('merge plan', () => {
  const keep = customer('customer:k');
  const dup = customer('customer:d');

  it('moves the duplicate’s loyalty and store credit to the kept profile with in/out pairs', () => {
    const dupE = [entry('loyalty', 'customer:d', 120), entry('store_credit', 'customer:d', 2500), entry('store_credit', 'customer:d', -500)];
    const keepE = [entry('loyalty', 'customer:k', 30)];
    const plan = planMerge(keep, dup, dupE, keepE, actor);
    expect(plan.before).toEqual({ keep: { loyalty: 30, store_credit: 0 }, duplicate: { loyalty: 120, store_credit: 2000 } });
    expect(plan.after).toEqual({ loyalty: 150, store_credit: 2000 });
    expect(plan.entries.map((e) => [e._id, e.holder, e.amount])).toEqual([
      ['ledger:merge:d:loyalty:1:in', 'customer:k', 120],
      ['ledger:merge:d:loyalty:1:out', 'customer:d', -120],
      ['ledger:merge:d:store_credit:2:in', 'customer:k', 2000],
      ['ledger:merge:d:store_credit:2:out', 'customer:d', -2000]
    ]);
    // after writing them, the sums are what the plan said, and planning again writes nothing
    const all = [...dupE, ...keepE, ...plan.entries];
    expect(balanceOf(all, 'loyalty', 'customer:k')).toBe(150);
    expect(balanceOf(all, 'store_credit', 'customer:d')).toBe(0);
    const again = planMerge(keep, { ...dup, mergedInto: 'customer:k' }, all.filter((e) => e.holder === 'customer:d'), all.filter((e) => e.holder === 'customer:k'), actor);
    expect(again.entries).toEqual([]);
    expect(again.alreadyMerged).toBe(true);
  });

  it('two runs over the same state name the same entries (written once by the store)', () => {
    const dupE = [entry('loyalty', 'customer:d', 40)];
    expect(planMerge(keep, dup, dupE, [], actor).entries.map((e) => e._id)).toEqual(planMerge(keep, dup, dupE, [], { ...actor, now: '2026-11-26T00:00:00.000Z' }).entries.map((e) => e._id));
  });

  it('repairs an `in` whose `out` was lost, without moving the money twice', () => {
    const dupE = [entry('loyalty', 'customer:d', 40)];
    const first = planMerge(keep, dup, dupE, [], actor);
    const inOnly = first.entries.filter((e) => e._id.endsWith(':in'));
    const repair = planMerge(keep, dup, dupE, inOnly, actor);
    expect(repair.entries.map((e) => [e._id, e.amount])).toEqual([['ledger:merge:d:loyalty:1:out', -40]]);
    const all = [...dupE, ...inOnly, ...repair.entries];
    expect(balanceOf(all, 'loyalty', 'customer:k')).toBe(40);
    expect(balanceOf(all, 'loyalty', 'customer:d')).toBe(0);
  });

  it('sweeps what reaches the duplicate after the merge under new ids', () => {
    const dupE = [entry('loyalty', 'customer:d', 40)];
    const first = planMerge(keep, dup, dupE, [], actor);
    const late = entry('loyalty', 'customer:d', 15);
    const dupAfter = [...dupE, ...first.entries.filter((e) => e.holder === 'customer:d'), late];
    const keepAfter = first.entries.filter((e) => e.holder === 'customer:k');
    const sweep = planMerge(keep, { ...dup, mergedInto: 'customer:k' }, dupAfter, keepAfter, actor);
    expect(sweep.entries.map((e) => [e._id, e.amount])).toEqual([
      ['ledger:merge:d:loyalty:3:in', 15],
      ['ledger:merge:d:loyalty:3:out', -15]
    ]);
  });

  it('refuses merging into itself, into a merged profile, or a duplicate merged elsewhere', () => {
    expect(() => planMerge(keep, keep, [], [], actor)).toThrow(/differ/);
    expect(() => planMerge(customer('customer:k', { mergedInto: 'customer:z' }), dup, [], [], actor)).toThrow(/itself merged/);
    expect(() => planMerge(keep, customer('customer:d', { mergedInto: 'customer:z' }), [], [], actor)).toThrow(/already merged into customer:z/);
  });

  it('leaves gift cards alone (held by card number) and writes nothing for zero balances', () => {
    const plan = planMerge(keep, dup, [entry('gift_card', '8000000000000006', 100), entry('loyalty', 'customer:d', 10), entry('loyalty', 'customer:d', -10)], [], actor);
    expect(plan.entries).toEqual([]);
  });
});

describe('loyalty rules', () => {
  it('value of points rounds down; rate in basis points', () => {
    expect(pointsValue(250, 100)).toBe(250);
    expect(pointsValue(99, 200)).toBe(49);
    expect(pointsValue(-5, 100)).toBe(0);
    expect(rewardRateBp({ pointsPerUnit: 1, pointsPerRedeemUnit: 100 })).toBe(100);
  });

  it('refuse a redemption worth more than the spend that earned it', () => {
    expect(loyaltyRulesInput.safeParse({ pointsPerUnit: 10, pointsPerRedeemUnit: 5 }).success).toBe(false);
    expect(loyaltyRulesInput.safeParse({ pointsPerUnit: 1, pointsPerRedeemUnit: 0 }).success).toBe(false);
    expect(loyaltyRulesInput.safeParse({ pointsPerUnit: 1.5, pointsPerRedeemUnit: 100 }).success).toBe(false);
    expect(loyaltyRulesInput.parse({ pointsPerUnit: 2, pointsPerRedeemUnit: 100 })).toEqual({ pointsPerUnit: 2, pointsPerRedeemUnit: 100 });
  });
});
