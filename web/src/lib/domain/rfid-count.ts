/**
 * RFID count math, pure: what the tags read say per variant, how that compares with the stock ledger
 * (missing, unexpected, value at cost and at retail), what to bring out from the back room, and how
 * close a tag is from its signal strength. The phone recomputes the live variance from scratch on
 * every UI tick with `varianceTop` (one pass, no per-line objects or sort: a few milliseconds on a
 * 10,000-variant count); the server's review (domain/counts.ts) applies the
 * same rule — variance = counted − expected — to the submitted counts.
 */

/** A tag as the scan buffer holds it (one per EPC per session). */
export interface CountedTag {
  epc: string;
  /** the catalog variant, when the EPC is one of its SGTINs */
  variantId?: string;
  /** where it was first read (`floor`, `backroom`…) */
  zone: string;
}

/** Units per variant (tags without a variant are not units of stock). */
export function countedByVariant(tags: Iterable<CountedTag>, zone?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tags) {
    if (!t.variantId || (zone !== undefined && t.zone !== zone)) continue;
    out.set(t.variantId, (out.get(t.variantId) ?? 0) + 1);
  }
  return out;
}

export interface VariantPrice {
  /** minor units; 0 when the catalog has no cost */
  unitCost: number;
  unitPrice: number;
}

export interface VarianceLine {
  variantId: string;
  expected: number;
  counted: number;
  /** counted − expected: negative = missing, positive = unexpected (found) */
  variance: number;
  unitCost: number;
  unitPrice: number;
}

export interface VarianceSummary {
  /** every variant expected or counted, biggest absolute variance first */
  lines: VarianceLine[];
  expectedUnits: number;
  countedUnits: number;
  /** units expected and not read */
  missingUnits: number;
  /** units read beyond what was expected */
  unexpectedUnits: number;
  missingCost: number;
  unexpectedCost: number;
  /** net variance at cost (unexpected − missing), minor units */
  netCost: number;
  missingRetail: number;
  unexpectedRetail: number;
  netRetail: number;
  /** lines counted exactly as expected */
  matched: number;
}

/** The running totals of a variance, all zero (both the full summary and the live top start here). */
const zeroTotals = () => ({
  expectedUnits: 0,
  countedUnits: 0,
  missingUnits: 0,
  unexpectedUnits: 0,
  missingCost: 0,
  unexpectedCost: 0,
  netCost: 0,
  missingRetail: 0,
  unexpectedRetail: 0,
  netRetail: 0,
  matched: 0
});

/**
 * Counted vs expected. `expected` holds on-hand per variant for the count's scope (variants with
 * nothing expected may be absent); a tag of a variant outside the scope is still listed (it was on
 * the shelf), as the server's review does.
 */
export function countVariance(expected: ReadonlyMap<string, number>, counted: ReadonlyMap<string, number>, price: (variantId: string) => VariantPrice | undefined): VarianceSummary {
  const s: VarianceSummary = { lines: [], ...zeroTotals() };
  const ids = new Set<string>();
  for (const [v, q] of expected) if (q !== 0) ids.add(v);
  for (const [v, q] of counted) if (q !== 0) ids.add(v);
  for (const variantId of ids) {
    const e = expected.get(variantId) ?? 0;
    const c = counted.get(variantId) ?? 0;
    const p = price(variantId) ?? { unitCost: 0, unitPrice: 0 };
    const variance = c - e;
    s.lines.push({ variantId, expected: e, counted: c, variance, unitCost: p.unitCost, unitPrice: p.unitPrice });
    s.expectedUnits += e;
    s.countedUnits += c;
    if (variance < 0) {
      s.missingUnits -= variance;
      s.missingCost -= variance * p.unitCost;
      s.missingRetail -= variance * p.unitPrice;
    } else if (variance > 0) {
      s.unexpectedUnits += variance;
      s.unexpectedCost += variance * p.unitCost;
      s.unexpectedRetail += variance * p.unitPrice;
    } else s.matched++;
  }
  s.netCost = s.unexpectedCost - s.missingCost;
  s.netRetail = s.unexpectedRetail - s.missingRetail;
  // numeric and code-unit comparisons only: localeCompare over 10,000 lines cost tens of ms per UI tick
  s.lines.sort((a, b) => Math.abs(b.variance) - Math.abs(a.variance) || (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));
  return s;
}

export interface VarianceTop extends Omit<VarianceSummary, 'lines'> {
  /** the `top` largest shortfalls, biggest first (ties by variant id, as `countVariance` sorts) */
  missing: VarianceLine[];
  /** the `top` largest surpluses, likewise */
  unexpected: VarianceLine[];
  /** lines short / over in all (the lists above hold at most `top` of them) */
  missingLines: number;
  unexpectedLines: number;
}

/** |variance| desc, then variant id (code units): the order of `countVariance`'s lines */
const before = (av: number, id: string, l: VarianceLine) => av > Math.abs(l.variance) || (av === Math.abs(l.variance) && id < l.variantId);

function keep(list: VarianceLine[], top: number, e: number, c: number, variantId: string, p: VariantPrice): void {
  const av = Math.abs(c - e);
  if (list.length >= top && !before(av, variantId, list[list.length - 1]!)) return;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(av, variantId, list[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  list.splice(lo, 0, { variantId, expected: e, counted: c, variance: c - e, unitCost: p.unitCost, unitPrice: p.unitPrice });
  if (list.length > top) list.pop();
}

/**
 * The totals of `countVariance` and only the `top` largest lines on each side, in one pass that
 * neither builds nor sorts a line per variant: what a live view of a 10,000-variant count shows on
 * every tick (the whole sorted list costs tens of milliseconds there; submission and review use
 * `countVariance`). Expected entries of 0 are skipped, so the ledger's on-hand map may be passed as is.
 */
export function varianceTop(expected: ReadonlyMap<string, number>, counted: ReadonlyMap<string, number>, price: (variantId: string) => VariantPrice | undefined, top = 50): VarianceTop {
  const s: VarianceTop = {
    missing: [],
    unexpected: [],
    missingLines: 0,
    unexpectedLines: 0,
    ...zeroTotals()
  };
  const none: VariantPrice = { unitCost: 0, unitPrice: 0 };
  const line = (variantId: string, e: number, c: number) => {
    s.expectedUnits += e;
    s.countedUnits += c;
    const variance = c - e;
    if (variance === 0) {
      s.matched++;
      return;
    }
    const p = price(variantId) ?? none;
    if (variance < 0) {
      s.missingLines++;
      s.missingUnits -= variance;
      s.missingCost -= variance * p.unitCost;
      s.missingRetail -= variance * p.unitPrice;
      keep(s.missing, top, e, c, variantId, p);
    } else {
      s.unexpectedLines++;
      s.unexpectedUnits += variance;
      s.unexpectedCost += variance * p.unitCost;
      s.unexpectedRetail += variance * p.unitPrice;
      keep(s.unexpected, top, e, c, variantId, p);
    }
  };
  for (const [v, e] of expected) if (e !== 0) line(v, e, counted.get(v) ?? 0);
  for (const [v, c] of counted) {
    if (c === 0) continue;
    const e = expected.get(v);
    if (e === undefined || e === 0) line(v, 0, c);
  }
  s.netCost = s.unexpectedCost - s.missingCost;
  s.netRetail = s.unexpectedRetail - s.missingRetail;
  return s;
}

/** Expected stock limited to a count's scope: every variant (`null`) or those `inScope` accepts. */
export function scopedExpected(onHand: ReadonlyMap<string, number>, inScope: ((variantId: string) => boolean) | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const [v, q] of onHand) if (q !== 0 && (!inScope || inScope(v))) out.set(v, q);
  return out;
}

/**
 * Expected now = on hand when counting started + what the ledger moved since (sales, receipts,
 * transfers during the count). Both maps come from the same ledger sums; reporting them apart shows
 * the clerk that a sale during the count was accounted for.
 */
export function movedSince(atStart: ReadonlyMap<string, number>, now: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  // no union of the key sets: two passes over 10,000 variants allocate nothing but the answer
  for (const [v, q] of atStart) {
    const d = (now.get(v) ?? 0) - q;
    if (d !== 0) out.set(v, d);
  }
  for (const [v, q] of now) if (q !== 0 && !atStart.has(v)) out.set(v, q);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Replenishment: sales floor vs back room

export interface ReplenishLine {
  variantId: string;
  onFloor: number;
  inBackroom: number;
  /** units to bring out: enough to reach the floor target, no more than the back room holds */
  bring: number;
}

/**
 * What to bring from the back room: every variant below `floorTarget(variant)` units on the floor
 * that the back room has. Largest shortfalls first.
 */
export function replenishment(floor: ReadonlyMap<string, number>, backroom: ReadonlyMap<string, number>, floorTarget: (variantId: string) => number = () => 1): ReplenishLine[] {
  const out: ReplenishLine[] = [];
  for (const [variantId, inBackroom] of backroom) {
    if (inBackroom <= 0) continue;
    const onFloor = floor.get(variantId) ?? 0;
    const bring = Math.min(inBackroom, floorTarget(variantId) - onFloor);
    if (bring > 0) out.push({ variantId, onFloor, inBackroom, bring });
  }
  return out.sort((a, b) => b.bring - a.bring || a.onFloor - b.onFloor || a.variantId.localeCompare(b.variantId));
}

// ---------------------------------------------------------------------------------------------
// Locating ("geiger")

/** RSSI (dBm) mapped to 0–100: −75 dBm or weaker is 0 (far), −35 dBm or stronger is 100 (in hand). */
export const RSSI_FAR = -75;
export const RSSI_NEAR = -35;

export function proximity(rssi: number): number {
  const p = ((rssi - RSSI_FAR) / (RSSI_NEAR - RSSI_FAR)) * 100;
  return Math.round(Math.max(0, Math.min(100, p)));
}

/**
 * Smoothed proximity: reads of one tag jitter by a few dB, so the meter follows an exponential moving
 * average (`weight` of the new read) and decays towards 0 when the tag stops answering.
 */
export function smooth(previous: number | null, next: number, weight = 0.35): number {
  return previous === null ? next : Math.round(previous + (next - previous) * weight);
}

/** Beep interval for a proximity: slow ticks far away, a near-continuous tone in hand (ms). */
export function beepInterval(p: number): number {
  return Math.round(1000 - (Math.max(0, Math.min(100, p)) / 100) * 920);
}
