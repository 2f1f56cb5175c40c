/**
 * The tax engine: the tax of each line of a sale, split by jurisdiction component, from a location's
 * tax table. Pure and exact (integer minor units, BigInt fractions, rounding through money.ts).
 *
 * Per line and component the exact tax is base × rate / 1,000,000 with exclusive prices, and
 * net × rate / (1,000,000 + Σ rates of the components taxing that line) with inclusive ones (the
 * tax is inside the price, so each component takes its share of the price's tax). Rounding is per
 * component:
 * - 'line': every line's share of every component is rounded on its own; the line's tax is their sum.
 * - 'invoice': each component's exact total over the sale is rounded once; its lines get the floor
 *   of their exact share and the units left over go to the largest remainders (ties to the earlier
 *   line). So each component's lines sum to its rounded total, each line's components sum to the
 *   line's tax, and the lines sum to the sale's tax.
 * With one component (a single-rate location: legacy.ts) both are exactly priceCart's rounding
 * before components existed.
 */
import { divRoundBig, floorDivMod } from '../money.ts';
import { exemptionValidOn, saleDate, versionOn } from './effective.ts';
import { basisOf } from './rules.ts';
import { COMPONENT_KINDS, type ComponentTax, type LineTax, type TaxComponent, type TaxContext, type TaxLine, type TaxResult, type TaxVersion } from './types.ts';

const PPM = 1_000_000n;

interface Share {
  component: TaxComponent;
  ratePpm: number;
  /** exact tax = num / den */
  num: bigint;
  den: bigint;
  amount: bigint;
}

function checkInt(n: number, what: string, min = Number.MIN_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${what} must be a whole number${min === 0 ? ' ≥ 0' : ''}, got ${n}`);
}

function checkRate(ppm: number, what: string): void {
  checkInt(ppm, what, 0);
  if (ppm > 1_000_000) throw new RangeError(`${what} cannot be more than 100 %`);
}

/** The version's components, checked: rates within 0–100 %, unique ids, thresholds ≥ 0. */
export function checkVersion(version: TaxVersion): void {
  const ids = new Set<string>();
  for (const c of version.components) {
    if (!c.id) throw new RangeError('a tax component needs an id');
    if (ids.has(c.id)) throw new RangeError(`tax component ${c.id} appears twice in one version`);
    ids.add(c.id);
    if (!COMPONENT_KINDS.includes(c.kind)) throw new RangeError(`tax component ${c.id}: unknown kind ${String(c.kind)}`);
    checkRate(c.ratePpm, `${c.id} rate`);
    for (const [category, rule] of Object.entries(c.rules)) {
      if (rule.kind === 'reduced') checkRate(rule.ratePpm, `${c.id} ${category} reduced rate`);
      if (rule.kind === 'exempt_under' || rule.kind === 'taxed_over') checkInt(rule.threshold, `${c.id} ${category} threshold`, 0);
    }
  }
}

/** a/b > c/d for positive denominators */
const greater = (a: bigint, b: bigint, c: bigint, d: bigint) => a * d > c * b;

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/**
 * Rounds a set of exact shares so they sum to their exact total rounded once: floors, then one more
 * unit to each of the largest remainders (ties to the lower index).
 */
function roundTogether(shares: readonly Share[], mode: TaxContext['roundingMode']): void {
  if (shares.length === 0) return;
  let den = 1n;
  for (const s of shares) den = (den / gcd(den, s.den)) * s.den;
  let num = 0n;
  const floors: bigint[] = [];
  const rems: bigint[] = [];
  for (const s of shares) {
    num += s.num * (den / s.den);
    const [q, r] = floorDivMod(s.num, s.den);
    floors.push(q);
    rems.push(r);
  }
  const total = divRoundBig(num, den, mode);
  let leftover = total - floors.reduce((a, b) => a + b, 0n); // 0 ≤ leftover ≤ shares with a remainder
  const order = shares.map((_, k) => k).sort((a, b) => {
    const ra = rems[a]!;
    const rb = rems[b]!;
    const da = shares[a]!.den;
    const db = shares[b]!.den;
    if (greater(ra, da, rb, db)) return -1;
    if (greater(rb, db, ra, da)) return 1;
    return a - b;
  });
  for (const k of order) {
    if (leftover <= 0n) break;
    floors[k] = floors[k]! + 1n;
    leftover--;
  }
  shares.forEach((s, k) => {
    s.amount = floors[k]!;
  });
}

/** -0 would survive into documents */
const num = (b: bigint) => Number(b) || 0;

/**
 * Taxes the lines of one sale. Fixed (returned) lines keep their recorded tax and components; a
 * valid customer exemption zeroes every other line (or its listed jurisdictions' components). Invalid input (fractional amounts, a rate over
 * 100 %, a fixed line whose components do not sum to its tax) throws a RangeError.
 */
export function computeTax(lines: readonly TaxLine[], ctx: TaxContext): TaxResult {
  // The local date costs an Intl lookup: only work it out when a dated version or an exemption needs it
  // (a single-rate location re-prices its cart on every change).
  if (Number.isNaN(Date.parse(ctx.at))) throw new RangeError(`sale time must be an ISO instant, got ${ctx.at}`);
  const date = ctx.table.versions.length > 1 || ctx.exemption ? saleDate(ctx.at, ctx.timeZone) : null;
  const version = date === null ? versionOn(ctx.table, '0000-01-01') : versionOn(ctx.table, date);
  checkVersion(version);
  const customerExempt = date !== null && exemptionValidOn(ctx.exemption, date);
  // a certificate for some jurisdictions: only their components are left out
  const exemptOnly = customerExempt && ctx.exemption?.jurisdictions?.length ? new Set(ctx.exemption.jurisdictions) : null;

  const plans: (Share[] | null)[] = lines.map((l) => {
    checkInt(l.qty, 'qty');
    checkInt(l.net, 'net');
    if (l.fixed) return null;
    if (customerExempt && !exemptOnly) return [];
    const bases = version.components.flatMap((component) => {
      if (exemptOnly?.has(component.id)) return [];
      const b = basisOf(component, l.taxCategory, l.qty, l.net);
      return b ? [{ component, ...b }] : [];
    });
    const den = ctx.pricesIncludeTax ? PPM + bases.reduce((a, b) => a + BigInt(b.ratePpm), 0n) : PPM;
    return bases.map((b) => ({ component: b.component, ratePpm: b.ratePpm, num: BigInt(b.base) * BigInt(b.ratePpm), den, amount: 0n }));
  });

  if (ctx.rounding === 'line') {
    for (const shares of plans) for (const s of shares ?? []) s.amount = divRoundBig(s.num, s.den, ctx.roundingMode);
  } else {
    for (const component of version.components) {
      roundTogether(
        plans.flatMap((shares) => (shares ?? []).filter((s) => s.component.id === component.id)),
        ctx.roundingMode
      );
    }
  }

  let total = 0;
  const out = lines.map((l, i): LineTax => {
    const shares = plans[i];
    if (!shares) {
      const fixed = l.fixed!;
      checkInt(fixed.tax, 'fixed tax');
      total += fixed.tax;
      if (!fixed.taxes) return { tax: fixed.tax };
      const taxes = fixed.taxes.map((t) => ({ jurisdictionId: t.jurisdictionId, name: t.name, ratePpm: t.ratePpm, amount: t.amount }));
      if (taxes.reduce((a, t) => a + t.amount, 0) !== fixed.tax) throw new RangeError('a fixed line’s tax components must sum to its tax');
      return { tax: fixed.tax, taxes };
    }
    const taxes: ComponentTax[] = shares.map((s) => ({ jurisdictionId: s.component.id, name: s.component.name, ratePpm: s.ratePpm, amount: num(s.amount) }));
    const tax = taxes.reduce((a, t) => a + t.amount, 0);
    total += tax;
    return { tax, taxes };
  });
  return { lines: out, tax: total, effectiveFrom: version.effectiveFrom ?? null, customerExempt };
}
