/**
 * The admin stock list, stock alerts and valuation at cost as pure functions (no I/O). The server
 * (server/inventory/stock-admin.ts) reads the catalog, the `stock/on_hand` view, in-transit transfers
 * and thresholds, then hands them here; the dashboard reuses `stockAlerts` the same way.
 */
import { z } from 'zod';
import { toCsv } from './csv.ts';
import { currencyDigits, toDecimalString } from './money.ts';
import { locationCode } from './schemas/common.ts';
import type { Transfer } from './schemas/inventory.ts';

/** One sellable variant with what the stock pages show about it (from its product document). */
export interface VariantInfo {
  variantId: string;
  productId: string;
  productName: string;
  /** "M / Black": the option values in the product's option order */
  label: string;
  sku: string;
  barcode: string | null;
  categoryId: string;
  /** minor units; null when the catalog has no cost for it */
  cost: number | null;
  archived: boolean;
}

interface ProductLike {
  _id: string;
  name: string;
  categoryId: string;
  status?: string;
  options?: { name: string }[];
  variants: { id: string; sku: string; barcode?: string | undefined; options: Record<string, string>; cost?: number | undefined }[];
}

/** Every variant of the given products, ordered by product name then SKU (a stable page order). */
export function flattenVariants(products: readonly ProductLike[]): VariantInfo[] {
  const out: VariantInfo[] = [];
  for (const p of products) {
    const order = p.options?.map((o) => o.name) ?? [];
    for (const v of p.variants) {
      const names = [...order.filter((n) => n in v.options), ...Object.keys(v.options).filter((n) => !order.includes(n))];
      out.push({
        variantId: v.id,
        productId: p._id,
        productName: p.name,
        label: names.map((n) => v.options[n]).join(' / '),
        sku: v.sku,
        barcode: v.barcode ?? null,
        categoryId: p.categoryId,
        cost: v.cost ?? null,
        archived: p.status === 'archived'
      });
    }
  }
  return out.sort((a, b) => a.productName.localeCompare(b.productName) || a.sku.localeCompare(b.sku));
}

/**
 * Search by product name, SKU or barcode: every word of the query must appear (case-insensitive) in
 * the name, the options, the SKU or the barcode, so "oxford blue" and a scanned barcode both work.
 */
export function matchesSearch(v: VariantInfo, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = `${v.productName} ${v.label} ${v.sku} ${v.barcode ?? ''}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** Units on their way to `location`: lines of its incoming transfers that have shipped and not arrived. */
export function incomingInTransit(transfers: readonly Pick<Transfer, 'status' | 'toLocationCode' | 'lines'>[], location: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of transfers) {
    if (t.status !== 'shipped' || t.toLocationCode !== location) continue;
    for (const l of t.lines) out.set(l.variantId, (out.get(l.variantId) ?? 0) + l.qty);
  }
  return out;
}

export interface Limits {
  lowStock?: number | undefined;
  reorderPoint?: number | undefined;
}

export type StockState = 'negative' | 'out' | 'low' | 'reorder' | 'ok';

/**
 * What a level means against its limits, most urgent first: below zero (sold more than the ledger
 * had: a count or an adjustment is due), out (0), at or under the low-stock threshold, at or under the
 * reorder point, else ok. "Out" needs a limit to be news: a variant nobody stocks here is just 0.
 */
export function stockState(onHand: number, limits: Limits | undefined): StockState {
  if (onHand < 0) return 'negative';
  const low = limits?.lowStock;
  const reorder = limits?.reorderPoint;
  if (onHand === 0 && (low !== undefined || reorder !== undefined)) return 'out';
  if (low !== undefined && onHand <= low) return 'low';
  if (reorder !== undefined && onHand <= reorder) return 'reorder';
  return 'ok';
}

export interface StockRow extends VariantInfo {
  onHand: number;
  inTransit: number;
  lowStock: number | null;
  reorderPoint: number | null;
  state: StockState;
}

export function stockRow(v: VariantInfo, onHand: number, inTransit: number, limits: Limits | undefined): StockRow {
  return { ...v, onHand, inTransit, lowStock: limits?.lowStock ?? null, reorderPoint: limits?.reorderPoint ?? null, state: stockState(onHand, limits) };
}

export interface StockAlert {
  variantId: string;
  onHand: number;
  /** the threshold it is at or under (low), or null (negative) */
  lowStock: number | null;
  kind: 'negative' | 'low';
}

/**
 * The alerts of one location: every variant below zero (whatever its limits), and every variant with
 * a low-stock threshold whose on hand is at or under it (a variant without a threshold never alerts
 * low: most of a catalog is not stocked everywhere). Sorted most urgent first, then by variant id.
 */
export function stockAlerts(onHand: ReadonlyMap<string, number>, limits: ReadonlyMap<string, Limits>): { negative: StockAlert[]; low: StockAlert[] } {
  const negative: StockAlert[] = [];
  const low: StockAlert[] = [];
  for (const [variantId, qty] of onHand) {
    if (qty < 0) negative.push({ variantId, onHand: qty, lowStock: limits.get(variantId)?.lowStock ?? null, kind: 'negative' });
  }
  for (const [variantId, l] of limits) {
    const qty = onHand.get(variantId) ?? 0;
    if (l.lowStock !== undefined && qty >= 0 && qty <= l.lowStock) low.push({ variantId, onHand: qty, lowStock: l.lowStock, kind: 'low' });
  }
  const byQty = (a: StockAlert, b: StockAlert) => a.onHand - b.onHand || (a.variantId < b.variantId ? -1 : 1);
  return { negative: negative.sort(byQty), low: low.sort(byQty) };
}

export interface Page<T> {
  rows: T[];
  page: number;
  pageSize: number;
  total: number;
  pages: number;
}

/** One page (1-based) of `rows`; a page past the end answers the last one. */
export function paginate<T>(rows: readonly T[], page: number, pageSize: number): Page<T> {
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const p = Math.min(Math.max(1, page), pages);
  return { rows: rows.slice((p - 1) * pageSize, p * pageSize), page: p, pageSize, total: rows.length, pages };
}

/**
 * The signed quantity of an adjustment from what a person types: damage and theft always take out and
 * found always puts in, whatever sign was typed; a correction keeps its sign. Null for 0 or not a whole number.
 */
export function signedAdjustment(reason: string, typed: string): number | null {
  const t = typed.trim().replace(/^\+/, '');
  if (!/^-?\d{1,7}$/.test(t)) return null;
  const n = Number(t);
  if (n === 0) return null;
  if (reason === 'damage' || reason === 'theft') return -Math.abs(n);
  if (reason === 'found') return Math.abs(n);
  return n;
}

// -------------------------------------------------------------------------------------------------
// Thresholds API input

const limit = z.number().int().min(0).max(1_000_000).nullable();

/**
 * Set or clear the limits of some variants at one location: `variantIds`, or every variant of
 * `productId` (bulk). A null limit removes it; both null deletes the threshold.
 */
export const thresholdInput = z
  .object({
    location: locationCode,
    variantIds: z.array(z.string().trim().min(1).max(40)).min(1).max(500).optional(),
    productId: z.string().trim().startsWith('product:').max(200).optional(),
    lowStock: limit,
    reorderPoint: limit
  })
  .strict()
  .refine((t) => (t.variantIds === undefined) !== (t.productId === undefined), { message: 'give variantIds or productId (one of them)', path: ['variantIds'] });
export type ThresholdInput = z.input<typeof thresholdInput>;

// -------------------------------------------------------------------------------------------------
// Valuation at cost

export interface ValuationLine {
  location: string;
  categoryId: string;
  categoryName: string;
  /** units counted (positive on-hand only) */
  units: number;
  /** minor units: Σ units × cost */
  value: number;
  /** variants with stock but no cost in the catalog (valued at 0: the figure is a floor) */
  missingCost: number;
}

export interface Valuation {
  lines: ValuationLine[];
  byLocation: { location: string; units: number; value: number; missingCost: number }[];
  byCategory: { categoryId: string; categoryName: string; units: number; value: number; missingCost: number }[];
  total: { units: number; value: number; missingCost: number };
}

/**
 * Stock × cost per location and category. Only positive on-hand counts: a negative level is a ledger
 * shortfall awaiting a count, not a negative asset. A variant without a cost counts its units and is
 * reported in `missingCost` rather than silently valued at zero.
 */
export function valuation(
  variants: ReadonlyMap<string, Pick<VariantInfo, 'categoryId' | 'cost'>>,
  onHandByLocation: ReadonlyMap<string, ReadonlyMap<string, number>>,
  categoryNames: ReadonlyMap<string, string>
): Valuation {
  const lines = new Map<string, ValuationLine>();
  const name = (id: string) => categoryNames.get(id) ?? (id ? id.replace(/^category:/, '') : 'Uncategorised');
  for (const [location, levels] of onHandByLocation) {
    for (const [variantId, qty] of levels) {
      if (qty <= 0) continue;
      const v = variants.get(variantId);
      const categoryId = v?.categoryId ?? '';
      const key = `${location}\u0000${categoryId}`;
      const line = lines.get(key) ?? { location, categoryId, categoryName: v ? name(categoryId) : 'Not in the catalog', units: 0, value: 0, missingCost: 0 };
      line.units += qty;
      if (v?.cost == null) line.missingCost += 1;
      else line.value += qty * v.cost;
      lines.set(key, line);
    }
  }
  const sorted = [...lines.values()].sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : a.categoryName.localeCompare(b.categoryName)));
  const sum = <K extends string>(key: (l: ValuationLine) => K) => {
    const m = new Map<K, { units: number; value: number; missingCost: number; first: ValuationLine }>();
    for (const l of sorted) {
      const agg = m.get(key(l)) ?? { units: 0, value: 0, missingCost: 0, first: l };
      agg.units += l.units;
      agg.value += l.value;
      agg.missingCost += l.missingCost;
      m.set(key(l), agg);
    }
    return [...m.values()];
  };
  const byLocation = sum((l) => l.location).map(({ first, ...a }) => ({ location: first.location, ...a }));
  const byCategory = sum((l) => l.categoryId)
    .map(({ first, ...a }) => ({ categoryId: first.categoryId, categoryName: first.categoryName, ...a }))
    .sort((a, b) => b.value - a.value || a.categoryName.localeCompare(b.categoryName));
  const total = sorted.reduce((t, l) => ({ units: t.units + l.units, value: t.value + l.value, missingCost: t.missingCost + l.missingCost }), { units: 0, value: 0, missingCost: 0 });
  return { lines: sorted, byLocation, byCategory, total };
}

/** The valuation as CSV: one row per location × category, then a total row. Values in major units ("12.34" for USD). */
export function valuationCsv(v: Valuation, currency: string): string {
  const digits = currencyDigits(currency);
  const money = (minorUnits: number) => toDecimalString(minorUnits, digits);
  const rows = [['location', 'category', 'units', `value_${currency.toLowerCase()}`, 'variants_without_cost']];
  for (const l of v.lines) rows.push([l.location, l.categoryName, String(l.units), money(l.value), String(l.missingCost)]);
  rows.push(['TOTAL', '', String(v.total.units), money(v.total.value), String(v.total.missingCost)]);
  return toCsv(rows);
}
