/**
 * Money helpers (DESIGN.md §10): amounts are integer minor units (cents) and every rounding is
 * exact integer arithmetic, never floats. BigInt is used inside the helpers wherever a product
 * could pass 2^53 (amount × parts-per-million).
 */

export type RoundingMode = 'half_up' | 'half_even';

function assertInt(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be a safe integer, got ${n}`);
}

/** Exact rounding of numerator / denominator over BigInt; half_up means half away from zero. */
export function divRoundBig(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const a = numerator < 0n ? -numerator : numerator;
  const b = denominator < 0n ? -denominator : denominator;
  let q = a / b;
  const twice = (a % b) * 2n;
  if (twice > b || (twice === b && (mode === 'half_up' || q % 2n === 1n))) q += 1n;
  return negative ? -q : q;
}

/** Floor division and its non-negative remainder (BigInt `/` truncates toward zero). */
export function floorDivMod(numerator: bigint, denominator: bigint): [bigint, bigint] {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  let q = numerator / denominator;
  let r = numerator % denominator;
  if (r < 0n) {
    q -= 1n;
    r += denominator;
  }
  return [q, r];
}

function toSafeNumber(n: bigint): number {
  const out = Number(n);
  if (!Number.isSafeInteger(out)) throw new RangeError(`result ${n} is out of the safe integer range`);
  return out;
}

/** round(numerator / denominator) exactly; correct for negative numbers. */
export function divRound(numerator: number, denominator: number, mode: RoundingMode): number {
  assertInt(numerator, 'numerator');
  assertInt(denominator, 'denominator');
  return toSafeNumber(divRoundBig(BigInt(numerator), BigInt(denominator), mode)) || 0;
}

/** round(a × b / denominator) without an intermediate float (a × b may exceed 2^53). */
export function mulDivRound(a: number, b: number, denominator: number, mode: RoundingMode): number {
  assertInt(a, 'a');
  assertInt(b, 'b');
  assertInt(denominator, 'denominator');
  return toSafeNumber(divRoundBig(BigInt(a) * BigInt(b), BigInt(denominator), mode));
}

/**
 * Nearest multiple of `increment` (e.g. 5 where the smallest coin is 0.05), halves away from zero,
 * so a refund rounds exactly like the sale it mirrors. 0 or 1 means no cash rounding.
 */
export function cashRound(amount: number, increment: number): number {
  assertInt(amount, 'amount');
  assertInt(increment, 'increment');
  if (increment < 0) throw new RangeError('increment must not be negative');
  if (increment <= 1) return amount;
  return divRound(amount, increment, 'half_up') * increment || 0;
}

/**
 * Splits `total` in proportion to non-negative integer `weights` so the parts sum exactly to
 * `total` (largest-remainder method). Each part is the floor of its exact share; the leftover units
 * go one each to the largest remainders, ties to the lower index. A negative total is split as its
 * magnitude and negated, so allocate(-x, w) = -allocate(x, w).
 * All-zero weights split the total as if the weights were equal (the leftover to the first
 * entries): nothing is lost and the result is still deterministic. No weights: [] for a zero total,
 * otherwise a RangeError (there is nowhere to put it).
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  assertInt(total, 'total');
  for (const w of weights) {
    assertInt(w, 'weight');
    if (w < 0) throw new RangeError('weights must not be negative');
  }
  if (weights.length === 0) {
    if (total !== 0) throw new RangeError('cannot allocate a non-zero total over no weights');
    return [];
  }
  const sumW = weights.reduce((a, w) => a + BigInt(w), 0n);
  const ws = sumW === 0n ? weights.map(() => 1n) : weights.map((w) => BigInt(w));
  const W = sumW === 0n ? BigInt(weights.length) : sumW;
  const T = BigInt(Math.abs(total));
  const parts: bigint[] = [];
  const remainders: bigint[] = [];
  let given = 0n;
  for (const w of ws) {
    const p = (T * w) / W;
    parts.push(p);
    remainders.push((T * w) % W);
    given += p;
  }
  let leftover = Number(T - given); // < weights.length
  if (leftover > 0) {
    const order = remainders.map((_, i) => i).sort((i, j) => {
      const ri = remainders[i]!;
      const rj = remainders[j]!;
      return ri === rj ? i - j : ri > rj ? -1 : 1;
    });
    for (const i of order) {
      if (leftover === 0) break;
      parts[i] = parts[i]! + 1n;
      leftover--;
    }
  }
  return parts.map((p) => (total < 0 && p !== 0n ? -Number(p) : Number(p)));
}

/** Minor-unit digits of a currency (USD 2, JPY 0), as Intl knows it. */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Plain decimal text of an amount, e.g. 1234 → "12.34", -5 → "-0.05" (no float on the way). */
export function toDecimalString(amount: number, digits = 2): string {
  assertInt(amount, 'amount');
  const abs = BigInt(Math.abs(amount)).toString().padStart(digits + 1, '0');
  const int = abs.slice(0, abs.length - digits);
  const frac = abs.slice(abs.length - digits);
  return `${amount < 0 ? '-' : ''}${int}${digits > 0 ? `.${frac}` : ''}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** Locale-formatted money, e.g. formatMoney(-1234, 'USD') → "-$12.34". */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const key = `${locale}|${currency}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, f);
  }
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  // A decimal string keeps Intl from ever seeing amount / 100 as a float.
  return f.format(toDecimalString(amount, digits) as Intl.StringNumericLiteral);
}

/**
 * Parses what a cashier types: "12.5", "12.50", "$1,234.00", "0.05", ".5", "-3" → minor units.
 * Accepts an optional leading minus, one currency symbol ($ € £), thousands commas in groups of
 * three and at most `fractionDigits` decimals; anything else is null.
 */
export function parseMoney(input: string, fractionDigits = 2): number | null {
  const m = /^(-)?\s*[$€£]?\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(input.trim());
  if (!m) return null;
  const [, minus, intPart, fracPart] = m;
  if (intPart === undefined && (fracPart === undefined || fracPart === '')) return null;
  if (fracPart !== undefined && fracPart.length > fractionDigits) return null;
  const digits = (intPart ?? '0').replace(/,/g, '') + (fracPart ?? '').padEnd(fractionDigits, '0');
  const value = Number(BigInt(digits));
  if (!Number.isSafeInteger(value)) return null;
  return minus && value !== 0 ? -value : value;
}

/** Notes and coins per currency, largest first, in minor units: the close-shift count form. */
export const DENOMINATIONS: Record<string, number[]> = {
  USD: [10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1],
  EUR: [20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  GBP: [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  // Canada and Australia withdrew their smallest coins: cash totals round to 0.05.
  CAD: [10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5],
  AUD: [10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5]
};

/** Σ value × count of a denomination count ({ "2000": 3, "25": 8 } → 6200). */
export function countedTotal(counts: Record<string, number>): number {
  let total = 0;
  for (const [key, count] of Object.entries(counts)) {
    if (!/^[1-9][0-9]*$/.test(key)) throw new RangeError(`"${key}" is not a denomination in minor units`);
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count of ${key} must be a whole number ≥ 0`);
    total += Number(key) * count;
  }
  if (!Number.isSafeInteger(total)) throw new RangeError('counted total is out of range');
  return total;
}
