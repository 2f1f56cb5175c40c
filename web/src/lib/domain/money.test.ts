import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, cashRound, countedTotal, DENOMINATIONS, divRound, formatMoney, mulDivRound, parseMoney, toDecimalString } from './money.ts';

describe('formatMoney', () => {
  it('formats minor units with the currency', () => {
    expect(formatMoney(-1234, 'USD')).toBe('-$12.34');
    expect(formatMoney(0, 'USD')).toBe('$0.00');
    expect(formatMoney(123456789, 'USD')).toBe('$1,234,567.89');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(1234, 'JPY')).toBe('¥1,234');
    expect(formatMoney(1234, 'EUR', 'de-DE')).toBe('12,34\u00a0€');
  });
  it('is exact for the largest safe amounts (no float division)', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('$90,071,992,547,409.91');
  });
});

describe('toDecimalString', () => {
  it.each([
    [1234, '12.34'],
    [-5, '-0.05'],
    [0, '0.00'],
    [100, '1.00']
  ])('%d → %s', (n, s) => expect(toDecimalString(n)).toBe(s));
});

describe('parseMoney', () => {
  it.each([
    ['12.5', 1250],
    ['12.50', 1250],
    ['$1,234.00', 123400],
    ['0.05', 5],
    ['12', 1200],
    ['12.', 1200],
    ['.5', 50],
    [' 7.25 ', 725],
    ['-3.10', -310],
    ['-0', 0],
    ['€ 10', 1000]
  ])('%j → %d', (input, cents) => expect(parseMoney(input)).toBe(cents));
  it.each(['', '.', 'abc', '12.345', '1,23', '1,2345.00', '12.3.4', '$', '1e3', '--1', '12,5', '90071992547409.92'])('rejects %j', (input) => {
    expect(parseMoney(input)).toBeNull();
  });
  it('honours the fraction digits', () => {
    expect(parseMoney('1234', 0)).toBe(1234);
    expect(parseMoney('12.3', 0)).toBeNull();
  });
  it('round-trips toDecimalString', () => {
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => parseMoney(toDecimalString(n)) === n));
  });
});

describe('divRound', () => {
  it.each([
    [5, 2, 'half_up', 3],
    [-5, 2, 'half_up', -3],
    [5, 2, 'half_even', 2],
    [7, 2, 'half_even', 4],
    [-5, 2, 'half_even', -2],
    [-7, 2, 'half_even', -4],
    [10, 4, 'half_up', 3],
    [10, 4, 'half_even', 2],
    [1, 3, 'half_up', 0],
    [2, 3, 'half_up', 1],
    [-2, 3, 'half_up', -1],
    [5, -2, 'half_up', -3],
    [-5, -2, 'half_up', 3],
    [0, 7, 'half_even', 0]
  ] as const)('%d / %d (%s) = %d', (n, d, mode, out) => expect(divRound(n, d, mode)).toBe(out));
  it('refuses division by zero and fractions', () => {
    expect(() => divRound(1, 0, 'half_up')).toThrow(RangeError);
    expect(() => divRound(1.5, 2, 'half_up')).toThrow(RangeError);
  });
  it('is within half of the exact quotient and symmetric for half_up', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), fc.constantFrom('half_up', 'half_even') as fc.Arbitrary<'half_up' | 'half_even'>, (n, d, mode) => {
        const q = divRound(n, d, mode);
        // |q·d − n| ≤ d/2, in integers
        expect(2 * Math.abs(q * d - n)).toBeLessThanOrEqual(d);
        if (mode === 'half_up') expect(divRound(-n, d, mode)).toBe(-q || 0);
      })
    );
  });
  it('mulDivRound is exact beyond 2^53 intermediates', () => {
    // 9e9 cents × 88 750 ppm = 7.9875e14 fits, but 9e13 × 1e6 does not
    expect(mulDivRound(90_000_000_000_000, 88_750, 1_000_000, 'half_up')).toBe(7_987_500_000_000);
    expect(mulDivRound(90_000_000_000_001, 500_000, 1_000_000, 'half_even')).toBe(45_000_000_000_000);
    expect(mulDivRound(90_000_000_000_001, 500_000, 1_000_000, 'half_up')).toBe(45_000_000_000_001);
  });
});

describe('cashRound', () => {
  it.each([
    [1002, 5, 1000],
    [1003, 5, 1005],
    [-1003, 5, -1005],
    [-1002, 5, -1000],
    [1005, 10, 1010],
    [-1005, 10, -1010],
    [1234, 0, 1234],
    [1234, 1, 1234],
    [1249, 50, 1250],
    [2, 5, 0]
  ])('cashRound(%d, %d) = %d', (a, inc, out) => expect(cashRound(a, inc)).toBe(out));
  it('lands on a multiple within half an increment', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 2, max: 100 }), (a, inc) => {
        const r = cashRound(a, inc);
        expect(r % inc === 0).toBe(true);
        expect(2 * Math.abs(r - a)).toBeLessThanOrEqual(inc);
        expect(cashRound(-a, inc)).toBe(-r || 0);
      })
    );
  });
});

describe('allocate', () => {
  it('splits by largest remainder, ties to the lower index', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(5, [1, 1])).toEqual([3, 2]);
    expect(allocate(10, [3, 7])).toEqual([3, 7]);
    expect(allocate(1, [1, 2])).toEqual([0, 1]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate(0, [1, 2])).toEqual([0, 0]);
    expect(allocate(7, [0, 5, 0])).toEqual([0, 7, 0]);
  });
  it('splits equally over all-zero weights, and refuses a total with nowhere to go', () => {
    expect(allocate(10, [0, 0, 0])).toEqual([4, 3, 3]);
    expect(allocate(0, [])).toEqual([]);
    expect(() => allocate(1, [])).toThrow(RangeError);
    expect(() => allocate(1, [-1, 2])).toThrow(RangeError);
    expect(() => allocate(1, [0.5])).toThrow(RangeError);
  });
  it('sums exactly, each part within one of its exact share, zero weights get nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 20 }), (total, weights) => {
        const parts = allocate(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        const W = weights.reduce((a, b) => a + b, 0);
        parts.forEach((p, i) => {
          if (W === 0) return;
          const exact = (total * weights[i]!) / W;
          expect(Math.abs(p - exact)).toBeLessThan(1 + 1e-6);
          if (weights[i] === 0) expect(p).toBe(0);
        });
      })
    );
  });
});

describe('denominations', () => {
  it('lists each currency largest first', () => {
    for (const [cur, list] of Object.entries(DENOMINATIONS)) {
      expect([...list].sort((a, b) => b - a), cur).toEqual(list);
      expect(new Set(list).size).toBe(list.length);
    }
    expect(DENOMINATIONS.USD).toEqual([10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1]);
  });
  it('counts a drawer', () => {
    expect(countedTotal({ '2000': 3, '25': 8 })).toBe(6200);
    expect(countedTotal({})).toBe(0);
    expect(countedTotal({ '10000': 1, '1': 0 })).toBe(10000);
    expect(() => countedTotal({ '0': 1 })).toThrow(RangeError);
    expect(() => countedTotal({ abc: 1 })).toThrow(RangeError);
    expect(() => countedTotal({ '100': -1 })).toThrow(RangeError);
    expect(() => countedTotal({ '100': 1.5 })).toThrow(RangeError);
  });
});
