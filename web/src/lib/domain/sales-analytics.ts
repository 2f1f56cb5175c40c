import { businessDay, localHour, type IsoDate } from './business-day.ts';
import type { SaleDoc, ShiftCloseDoc, TenderKind, VoidDoc } from './schemas/index.ts';

/**
 * Sales analytics for the admin dashboard, journal and reports. Register sales are immutable
 * documents (negative lines are items coming back; domain/cart.ts); a void is a separate document
 * named after its sale. Here they become facts — one per sale, one per line — bucketed by the
 * location's business day and hour, then summed by any dimension.
 *
 * Definitions (docs/API.md "Reports"):
 * - a line's net = qty × unitPrice − discount, without tax (prices that include tax have it taken out);
 * - gross = Σ net of sold lines (+qty); refunds = −Σ net of returned lines (a positive number);
 *   net sales = gross − refunds; tax = Σ line tax (returns subtract); total = net sales + tax;
 * - a voided sale is left out of every figure on the day it was made (it never happened for the
 *   business), and counted in `voids` instead; voids are reported on their own in refunds/voids;
 * - transactions = sale documents not voided (sales, returns and exchanges); average basket =
 *   net sales ÷ transactions (0 when there are none); units = Σ qty (returns subtract).
 * Pure: no clock, no I/O; money in integer minor units.
 */

/** How a line maps to the catalog: product → category, and tax category → the location's rate. */
export interface CatalogLookup {
  categoryOf(productId: string): { id: string; name: string } | undefined;
  /** the rate that applied to a line at this location (undefined: no tax rate, e.g. exempt) */
  taxRateOf?(locationCode: string, taxCategory: string | undefined): { id: string; name: string; ratePpm: number } | undefined;
}

export interface LineFact {
  saleId: string;
  locationCode: string;
  day: IsoDate;
  hour: number;
  cashierId: string;
  cashierName: string;
  productId: string;
  variantId: string;
  sku: string;
  name: string;
  categoryId: string;
  categoryName: string;
  taxCategory: string;
  qty: number;
  /** qty × unitPrice − discount, without tax */
  net: number;
  discount: number;
  tax: number;
  /** the catalog price was overridden at the till */
  overridden: boolean;
}

export interface SaleFact {
  saleId: string;
  kind: 'sale' | 'return' | 'exchange';
  locationCode: string;
  registerId: string;
  shiftId?: string;
  cashierId: string;
  cashierName: string;
  customerId?: string;
  createdAt: string;
  day: IsoDate;
  hour: number;
  currency: string;
  units: number;
  gross: number;
  refunds: number;
  net: number;
  discount: number;
  tax: number;
  total: number;
  /** cash less change, per tender kind (refund tenders negative) */
  tenders: Partial<Record<TenderKind, number>>;
  approvals: SaleDoc['approvals'];
  voided: boolean;
  voidId?: string;
  lines: LineFact[];
}

/** Net of a line without its tax, whichever way the sale's prices read. */
export function lineNet(line: SaleDoc['lines'][number], pricesIncludeTax: boolean): number {
  return line.qty * line.unitPrice - line.discount - (pricesIncludeTax ? line.tax : 0);
}

const UNCATEGORISED = { id: 'category:none', name: 'Uncategorised' };

/** One fact per sale (voided or not) with its line facts, in the location's time zone. */
export function saleFact(sale: SaleDoc, timeZone: string, catalog: CatalogLookup, voidDoc?: VoidDoc): SaleFact {
  const day = businessDay(sale.createdAt, timeZone);
  const hour = localHour(sale.createdAt, timeZone);
  const cashierName = sale.cashierName ?? sale.cashierId;
  const incl = sale.pricesIncludeTax ?? false;
  let gross = 0;
  let refunds = 0;
  let units = 0;
  const lines: LineFact[] = sale.lines.map((l) => {
    const net = lineNet(l, incl);
    if (l.qty > 0) gross += net;
    else refunds -= net;
    units += l.qty;
    const cat = catalog.categoryOf(l.productId) ?? UNCATEGORISED;
    return {
      saleId: sale._id,
      locationCode: sale.locationCode,
      day,
      hour,
      cashierId: sale.cashierId,
      cashierName,
      productId: l.productId,
      variantId: l.variantId,
      sku: l.sku,
      name: l.name,
      categoryId: cat.id,
      categoryName: cat.name,
      taxCategory: l.taxCategory ?? '',
      qty: l.qty,
      net,
      discount: l.discount,
      tax: l.tax,
      overridden: l.listPrice !== undefined && l.listPrice !== l.unitPrice
    };
  });
  const tenders: Partial<Record<TenderKind, number>> = {};
  for (const t of sale.tenders) tenders[t.kind] = (tenders[t.kind] ?? 0) + t.amount;
  // Change is handed back in cash: the drawer keeps cash tendered less change.
  if (sale.change) tenders.cash = (tenders.cash ?? 0) - sale.change;
  return {
    saleId: sale._id,
    kind: sale.kind ?? 'sale',
    locationCode: sale.locationCode,
    registerId: sale.registerId,
    ...(sale.shiftId ? { shiftId: sale.shiftId } : {}),
    cashierId: sale.cashierId,
    cashierName,
    ...(sale.customerId ? { customerId: sale.customerId } : {}),
    createdAt: sale.createdAt,
    day,
    hour,
    currency: sale.currency,
    units,
    gross,
    refunds,
    net: gross - refunds,
    discount: sale.discountTotal,
    tax: sale.taxTotal,
    total: gross - refunds + sale.taxTotal,
    tenders,
    approvals: sale.approvals ?? [],
    voided: !!voidDoc,
    ...(voidDoc ? { voidId: voidDoc._id } : {}),
    lines
  };
}

/** The void's id for a sale (`void:{register}:{the sale's ulid}`, schemas/location.ts). */
export function voidIdOf(saleId: string): string {
  return `void:${saleId.slice('sale:'.length)}`;
}

/** The figures every sales report row carries. */
export interface SalesFigures {
  transactions: number;
  units: number;
  gross: number;
  discounts: number;
  refunds: number;
  net: number;
  tax: number;
  total: number;
  averageBasket: number;
}

export interface SalesRow extends SalesFigures {
  key: string;
  label: string;
}

export const emptyFigures = (): SalesFigures => ({ transactions: 0, units: 0, gross: 0, discounts: 0, refunds: 0, net: 0, tax: 0, total: 0, averageBasket: 0 });

/** Averages need the count: computed once all facts are in. */
function finish<T extends SalesFigures>(f: T): T {
  f.averageBasket = f.transactions ? Math.round(f.net / f.transactions) : 0;
  return f;
}

/** Totals over the given sales (voided ones are skipped). */
export function totals(facts: readonly SaleFact[]): SalesFigures {
  const f = emptyFigures();
  for (const s of facts) {
    if (s.voided) continue;
    f.transactions += 1;
    f.units += s.units;
    f.gross += s.gross;
    f.discounts += s.discount;
    f.refunds += s.refunds;
    f.net += s.net;
    f.tax += s.tax;
    f.total += s.total;
  }
  return finish(f);
}

export type SaleDimension = 'day' | 'hour' | 'location' | 'employee';
export type LineDimension = 'category' | 'product';
export type Dimension = SaleDimension | LineDimension;
export const DIMENSIONS: readonly Dimension[] = ['day', 'hour', 'location', 'employee', 'category', 'product'];

function saleKey(s: SaleFact, by: SaleDimension): [string, string] {
  switch (by) {
    case 'day':
      return [s.day, s.day];
    case 'hour':
      return [String(s.hour).padStart(2, '0'), `${String(s.hour).padStart(2, '0')}:00`];
    case 'location':
      return [s.locationCode, s.locationCode];
    case 'employee':
      return [s.cashierId, s.cashierName];
  }
}

/**
 * Sales summed by a dimension. Sale-level dimensions sum whole sales; category and product sum their
 * lines, where a transaction is a sale holding at least one such line (so line rows do not add up to
 * the sale count, as a basket spans categories). Sorted by key (day, hour, code) or, for people,
 * categories and products, by net sales, largest first.
 */
export function salesBy(facts: readonly SaleFact[], by: Dimension): SalesRow[] {
  const rows = new Map<string, SalesRow>();
  const row = (key: string, label: string) => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, label, ...emptyFigures() }));
    return r;
  };
  for (const s of facts) {
    if (s.voided) continue;
    if (by === 'category' || by === 'product') {
      const seen = new Set<string>();
      for (const l of s.lines) {
        const [key, label] = by === 'category' ? [l.categoryId, l.categoryName] : [l.productId, l.name];
        const r = row(key, label);
        if (!seen.has(key)) {
          r.transactions += 1;
          seen.add(key);
        }
        r.units += l.qty;
        if (l.qty > 0) r.gross += l.net;
        else r.refunds -= l.net;
        r.discounts += l.discount;
        r.net += l.net;
        r.tax += l.tax;
        r.total += l.net + l.tax;
      }
    } else {
      const [key, label] = saleKey(s, by);
      const r = row(key, label);
      r.transactions += 1;
      r.units += s.units;
      r.gross += s.gross;
      r.discounts += s.discount;
      r.refunds += s.refunds;
      r.net += s.net;
      r.tax += s.tax;
      r.total += s.total;
    }
  }
  const out = [...rows.values()].map(finish);
  const byKey = by === 'day' || by === 'hour' || by === 'location';
  return out.sort((a, b) => (byKey ? a.key.localeCompare(b.key) : b.net - a.net || a.label.localeCompare(b.label)));
}

/** Every day of the range present (zero rows for days without sales), for a chart without gaps. */
export function fillDays(rows: readonly SalesRow[], days: readonly IsoDate[]): SalesRow[] {
  const have = new Map(rows.map((r) => [r.key, r]));
  return days.map((d) => have.get(d) ?? { key: d, label: d, ...emptyFigures() });
}

/** All 24 hours, for the by-hour chart. */
export function fillHours(rows: readonly SalesRow[]): SalesRow[] {
  const have = new Map(rows.map((r) => [r.key, r]));
  return Array.from({ length: 24 }, (_, h) => {
    const key = String(h).padStart(2, '0');
    return have.get(key) ?? { key, label: `${key}:00`, ...emptyFigures() };
  });
}

export interface TaxRow {
  rateId: string;
  rateName: string;
  ratePpm: number;
  locationCode: string;
  /** net sales the rate applied to (returns subtract) */
  taxable: number;
  tax: number;
}

/** Tax collected per rate and location; lines no rate applied to show as "No tax". */
export function taxByRate(facts: readonly SaleFact[], catalog: CatalogLookup): TaxRow[] {
  const rows = new Map<string, TaxRow>();
  for (const s of facts) {
    if (s.voided) continue;
    for (const l of s.lines) {
      const rate = catalog.taxRateOf?.(s.locationCode, l.taxCategory) ?? { id: 'none', name: 'No tax', ratePpm: 0 };
      const key = `${s.locationCode}|${rate.id}`;
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { rateId: rate.id, rateName: rate.name, ratePpm: rate.ratePpm, locationCode: s.locationCode, taxable: 0, tax: 0 }));
      r.taxable += l.net;
      r.tax += l.tax;
    }
  }
  return [...rows.values()].sort((a, b) => a.locationCode.localeCompare(b.locationCode) || b.tax - a.tax);
}

export interface TenderRow {
  kind: TenderKind;
  /** sales paid (partly) this way */
  count: number;
  /** money taken in */
  taken: number;
  /** money given back (refunds), as a positive number */
  refunded: number;
  net: number;
}

/** Money by means of payment: sales' tenders (cash less change) plus the refunds of voids in `voids`. */
export function tendersBy(facts: readonly SaleFact[], voids: readonly VoidDoc[] = []): TenderRow[] {
  const rows = new Map<TenderKind, TenderRow>();
  const add = (kind: TenderKind, amount: number, counts: boolean) => {
    let r = rows.get(kind);
    if (!r) rows.set(kind, (r = { kind, count: 0, taken: 0, refunded: 0, net: 0 }));
    if (counts) r.count += 1;
    if (amount >= 0) r.taken += amount;
    else r.refunded -= amount;
    r.net += amount;
  };
  // A voided sale's money came in and went back out: both show, netting to zero.
  for (const s of facts) for (const [kind, amount] of Object.entries(s.tenders) as [TenderKind, number][]) add(kind, amount, true);
  for (const v of voids) for (const t of v.tenders) add(t.kind, t.amount, false);
  return [...rows.values()].sort((a, b) => b.net - a.net);
}

export interface DiscountRow {
  saleId: string;
  createdAt: string;
  day: IsoDate;
  locationCode: string;
  cashierName: string;
  /** Σ line discounts of the sale */
  discount: number;
  /** lines sold below their catalog price by a price override */
  overrides: number;
  /** "Discount over limit by Maria Manager", … */
  approvals: { action: string; staffName: string; at: string }[];
}

/** Sales with a discount, a price override or an approval for either (voided sales left out). */
export function discountsAndOverrides(facts: readonly SaleFact[]): DiscountRow[] {
  const out: DiscountRow[] = [];
  for (const s of facts) {
    if (s.voided) continue;
    const overrides = s.lines.filter((l) => l.overridden).length;
    const approvals = s.approvals.filter((a) => a.action === 'discount_over_limit' || a.action === 'price_override');
    if (!s.discount && !overrides && !approvals.length) continue;
    out.push({
      saleId: s.saleId,
      createdAt: s.createdAt,
      day: s.day,
      locationCode: s.locationCode,
      cashierName: s.cashierName,
      discount: s.discount,
      overrides,
      approvals: approvals.map(({ action, staffName, at }) => ({ action, staffName, at }))
    });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface RefundVoidRow {
  kind: 'return' | 'void';
  /** the return's sale id, or the void's id */
  id: string;
  saleId: string;
  createdAt: string;
  day: IsoDate;
  locationCode: string;
  registerId: string;
  cashierName: string;
  /** money given back, positive */
  amount: number;
  reason: string;
  approvedBy: string;
}

/**
 * Returns (sales with returned lines, not voided) and voids in one list, newest first, with who
 * approved each (a refund without receipt or a void needs a manager; a return with its receipt may have no approver).
 */
export function refundsAndVoids(facts: readonly SaleFact[], voids: readonly VoidDoc[], timeZoneOf: (locationCode: string) => string): RefundVoidRow[] {
  const out: RefundVoidRow[] = [];
  for (const s of facts) {
    if (s.voided || !s.refunds) continue;
    const approval = s.approvals.find((a) => a.action === 'refund_without_receipt');
    const refundTax = -s.lines.filter((l) => l.qty < 0).reduce((a, l) => a + l.tax, 0);
    out.push({
      kind: 'return',
      id: s.saleId,
      saleId: s.saleId,
      createdAt: s.createdAt,
      day: s.day,
      locationCode: s.locationCode,
      registerId: s.registerId,
      cashierName: s.cashierName,
      amount: s.refunds + refundTax,
      reason: approval ? 'Refund without receipt' : 'Return',
      approvedBy: approval?.staffName ?? ''
    });
  }
  for (const v of voids) {
    out.push({
      kind: 'void',
      id: v._id,
      saleId: v.saleId,
      createdAt: v.createdAt,
      day: businessDay(v.createdAt, timeZoneOf(v.locationCode)),
      locationCode: v.locationCode,
      registerId: v.registerId,
      cashierName: v.cashierId,
      amount: -v.total,
      reason: v.reason,
      approvedBy: v.approvals.map((a) => a.staffName).join(', ')
    });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface ZReportRow {
  closeId: string;
  shiftId: string;
  locationCode: string;
  registerId: string;
  day: IsoDate;
  closedAt: string;
  closedBy: string;
  salesCount: number;
  netSales: number;
  expectedCash: number;
  countedCash: number;
  overShort: number;
  unsyncedAtClose: number;
  approvedBy: string;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Shift closes as the Z reports the registers stored (figures from the stored report, as printed). */
export function zReports(closes: readonly ShiftCloseDoc[], timeZoneOf: (locationCode: string) => string): ZReportRow[] {
  return closes
    .map((c) => ({
      closeId: c._id,
      shiftId: c.shiftId,
      locationCode: c.locationCode,
      registerId: c.registerId,
      day: businessDay(c.closedAt, timeZoneOf(c.locationCode)),
      closedAt: c.closedAt,
      closedBy: c.closedByName ?? c.closedBy,
      salesCount: num(c.report.salesCount),
      netSales: num(c.report.netSales),
      expectedCash: c.expectedCash,
      countedCash: c.countedCash,
      overShort: c.overShort,
      unsyncedAtClose: c.unsyncedAtClose ?? 0,
      approvedBy: (c.approvals ?? []).map((a) => a.staffName).join(', ')
    }))
    .sort((a, b) => b.closedAt.localeCompare(a.closedAt));
}

/** Journal filters (the sales journal page); all optional. */
export interface JournalFilter {
  cashierId?: string;
  registerId?: string;
  type?: 'sale' | 'return' | 'voided';
  /** part of the sale id (receipts print it, and its last 8 characters as the sale number) */
  q?: string;
}

export function matchesJournal(s: SaleFact, f: JournalFilter): boolean {
  if (f.cashierId && s.cashierId !== f.cashierId) return false;
  if (f.registerId && s.registerId !== f.registerId) return false;
  if (f.type === 'voided' && !s.voided) return false;
  if (f.type === 'sale' && (s.voided || s.refunds > 0)) return false;
  if (f.type === 'return' && (s.voided || s.refunds === 0)) return false;
  if (f.q && !s.saleId.toLowerCase().includes(f.q.trim().toLowerCase())) return false;
  return true;
}

/** The receipt's short sale number: the ulid's last 8 characters, as the register shows it. */
export function saleNumber(saleId: string): string {
  return saleId.slice(-8);
}

export interface TopItem {
  key: string;
  label: string;
  units: number;
  net: number;
}

/** The `n` best-selling products or categories by net sales. */
export function topBy(facts: readonly SaleFact[], by: LineDimension, n = 5): TopItem[] {
  return salesBy(facts, by)
    .filter((r) => r.net > 0)
    .slice(0, n)
    .map(({ key, label, units, net }) => ({ key, label, units, net }));
}
