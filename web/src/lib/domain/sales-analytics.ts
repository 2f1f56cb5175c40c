import { businessDay, daysBetween, addDays, localHour, today as todayIn, weekStart, type IsoDate } from './business-day.ts';
import { addFigures, addLine, emptyFigures, finishFigures, lineFigures, saleFigures, sumFigures, tenderNet, ADDITIVE_KEYS, type LineFigures, type SalesFigures, type TenderTotals } from './sales-figures.ts';
import { storedShiftReport } from './shift-report.ts';
import { netOverTime, type ChartData } from './chart-data.ts';
import type { LayawayCloseDoc, LayawayDoc, LayawayPaymentDoc, SaleDoc, ShiftCloseDoc, TenderKind, VoidDoc } from './schemas/index.ts';
import type { ComponentTax } from './tax/types.ts';

/**
 * Sales analytics for the admin dashboard, journal and reports. Register sales are immutable
 * documents (negative lines are items coming back; domain/cart.ts); a void is a separate document
 * named after its sale. Here they become facts — one per sale and one per void, each with its lines
 * — bucketed by the location's business day and hour, then summed by any dimension. Every figure is
 * domain/sales-figures.ts's (see its definitions): a void is a fact of its own, dated when it was
 * made, carrying its sale's figures negated, so a sale voided the same day nets out of that day and
 * an older day never changes after the fact (as its Z report does not).
 * Pure: no clock, no I/O; money in integer minor units.
 */

export type { SalesFigures };

/** How a line maps to the catalog: product → name and category, and tax category → the location's rate. */
export interface CatalogLookup {
  categoryOf(productId: string): { id: string; name: string } | undefined;
  /** the product's own name (a sale line carries its variant's, "Jacket · L / Burgundy") */
  productName?(productId: string): string | undefined;
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
  productName: string;
  variantId: string;
  /** the line's name as sold: product and options */
  variantName: string;
  sku: string;
  categoryId: string;
  categoryName: string;
  taxCategory: string;
  /** signed: a void's reversal carries its sale's line figures negated */
  figures: LineFigures;
  /** the line's tax by jurisdiction component when the sale recorded it (tax-table locations), signed like figures */
  taxes?: ComponentTax[];
  /** +1 for a sale's line, −1 for its reversal by a void */
  sign: 1 | -1;
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
  /** the sale's time, or the void's for a reversal */
  createdAt: string;
  day: IsoDate;
  hour: number;
  currency: string;
  /** the sale's figures; a reversal's are its sale's negated */
  figures: SalesFigures;
  /** money per tender kind, cash less change (a reversal: the void's refund, negative) */
  tenders: TenderTotals;
  approvals: SaleDoc['approvals'];
  /** set on the fact a void makes: it reverses sale `saleId` on the void's day */
  reversal?: { voidId: string; reason: string };
  /** the sale has been voided (whenever the void was made): the journal marks it */
  voided: boolean;
  voidId?: string;
  lines: LineFact[];
}

/** Net of a line without its tax, whichever way the sale's prices read. */
export function lineNet(line: SaleDoc['lines'][number], pricesIncludeTax: boolean): number {
  return lineFigures(line, pricesIncludeTax).net;
}

const UNCATEGORISED = { id: 'category:none', name: 'Uncategorised' };

/** "Jacket · L / Burgundy" → "Jacket": the register names a line product · options (register/cart.svelte.ts). */
export const productPartOf = (lineName: string) => lineName.split(' · ')[0]!.trim() || lineName;

function lineFacts(sale: SaleDoc, at: { day: IsoDate; hour: number }, catalog: CatalogLookup, sign: 1 | -1): LineFact[] {
  const incl = sale.pricesIncludeTax ?? false;
  const cashierName = sale.cashierName ?? sale.cashierId;
  return sale.lines.map((l) => {
    const f = lineFigures(l, incl);
    const cat = catalog.categoryOf(l.productId) ?? UNCATEGORISED;
    return {
      saleId: sale._id,
      locationCode: sale.locationCode,
      day: at.day,
      hour: at.hour,
      cashierId: sale.cashierId,
      cashierName,
      productId: l.productId,
      productName: catalog.productName?.(l.productId) ?? productPartOf(l.name),
      variantId: l.variantId,
      variantName: l.name,
      sku: l.sku,
      categoryId: cat.id,
      categoryName: cat.name,
      taxCategory: l.taxCategory ?? '',
      figures: sign === 1 ? f : { qty: -f.qty, gross: -f.gross, discounts: -f.discounts, returns: -f.returns, net: -f.net, tax: -f.tax },
      ...(l.taxes ? { taxes: l.taxes.map((t) => ({ ...t, amount: sign * t.amount || 0 })) } : {}),
      sign,
      overridden: l.listPrice !== undefined && l.listPrice !== l.unitPrice
    };
  });
}

/** One fact per sale (voided or not: its void is a fact of its own) with its line facts, in the location's time zone. */
export function saleFact(sale: SaleDoc, timeZone: string, catalog: CatalogLookup, voidDoc?: VoidDoc): SaleFact {
  const at = { day: businessDay(sale.createdAt, timeZone), hour: localHour(sale.createdAt, timeZone) };
  return {
    saleId: sale._id,
    kind: sale.kind ?? 'sale',
    locationCode: sale.locationCode,
    registerId: sale.registerId,
    ...(sale.shiftId ? { shiftId: sale.shiftId } : {}),
    cashierId: sale.cashierId,
    cashierName: sale.cashierName ?? sale.cashierId,
    ...(sale.customerId ? { customerId: sale.customerId } : {}),
    createdAt: sale.createdAt,
    ...at,
    currency: sale.currency,
    figures: saleFigures(sale),
    tenders: tenderNet(sale.tenders, sale.change),
    approvals: sale.approvals ?? [],
    voided: !!voidDoc,
    ...(voidDoc ? { voidId: voidDoc._id } : {}),
    lines: lineFacts(sale, at, catalog, 1)
  };
}

/**
 * The fact a void makes: its sale's figures and lines negated, on the void's day and hour, for the
 * sale's cashier (whose sale it takes back), with the void's refund as its tenders. Without the sale
 * (never expected: both live in the same location database) its total comes off as net sales.
 */
export function reversalFact(v: VoidDoc, sale: SaleDoc | undefined, timeZone: string, catalog: CatalogLookup): SaleFact {
  const at = { day: businessDay(v.createdAt, timeZone), hour: localHour(v.createdAt, timeZone) };
  let figures: SalesFigures;
  if (sale) figures = addFigures(emptyFigures(), saleFigures(sale), -1);
  else {
    figures = emptyFigures();
    figures.transactions = -1;
    figures.units = -v.lines.reduce((a, l) => a + l.qty, 0);
    figures.gross = figures.net = figures.total = v.total;
    figures.collected = v.tenders.reduce((a, t) => a + t.amount, 0);
    figures.rounding = figures.collected - figures.total;
  }
  return {
    saleId: v.saleId,
    kind: sale?.kind ?? 'sale',
    locationCode: v.locationCode,
    registerId: v.registerId,
    ...(v.shiftId ? { shiftId: v.shiftId } : {}),
    cashierId: sale?.cashierId ?? v.cashierId,
    cashierName: sale?.cashierName ?? sale?.cashierId ?? v.cashierId,
    ...(sale?.customerId ? { customerId: sale.customerId } : {}),
    createdAt: v.createdAt,
    ...at,
    currency: sale?.currency ?? 'USD',
    figures: finishFigures(figures),
    tenders: tenderNet(v.tenders),
    approvals: v.approvals,
    reversal: { voidId: v._id, reason: v.reason },
    voided: true,
    voidId: v._id,
    lines: sale ? lineFacts(sale, at, catalog, -1) : []
  };
}

/** The void's id for a sale (`void:{register}:{the sale's ulid}`, schemas/location.ts). */
export function voidIdOf(saleId: string): string {
  return `void:${saleId.slice('sale:'.length)}`;
}

export interface SalesRow extends SalesFigures {
  key: string;
  label: string;
  /** variant rows: the variant's SKU and product */
  sku?: string;
  productId?: string;
}

export { emptyFigures };

/** Totals over the facts (a void's fact takes its sale back off). */
export function totals(facts: readonly SaleFact[]): SalesFigures {
  return sumFigures(facts.map((f) => f.figures));
}

export type SaleDimension = 'day' | 'hour' | 'location' | 'employee';
export type LineDimension = 'category' | 'product' | 'variant';
export type Dimension = SaleDimension | LineDimension;
export const DIMENSIONS: readonly Dimension[] = ['day', 'hour', 'location', 'employee', 'category', 'product', 'variant'];
export const LINE_DIMENSIONS: readonly Dimension[] = ['category', 'product', 'variant'];

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

function lineKey(l: LineFact, by: LineDimension): [string, string] {
  switch (by) {
    case 'category':
      return [l.categoryId, l.categoryName];
    case 'product':
      return [l.productId, l.productName];
    case 'variant':
      return [l.variantId, l.variantName];
  }
}

const isZero = (r: SalesFigures) => ADDITIVE_KEYS.every((k) => r[k] === 0);

/**
 * Sales summed by a dimension. Sale-level dimensions sum whole sales (rounding and total collected
 * included); category, product and variant sum lines, where rounding is not per line (it stays out:
 * total collected = net + tax) and a transaction is a sale holding at least one such line (so line
 * rows do not add up to the sale count, as a basket spans products). Rows whose figures are all zero
 * (a sale and its same-day void) are left out. Sorted by key (day, hour, code) or, for people,
 * categories, products and variants, by net sales, largest first.
 */
export function salesBy(facts: readonly SaleFact[], by: Dimension): SalesRow[] {
  const rows = new Map<string, SalesRow>();
  const row = (key: string, label: string) => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, label, ...emptyFigures() }));
    return r;
  };
  for (const s of facts) {
    if (by === 'category' || by === 'product' || by === 'variant') {
      const seen = new Set<string>();
      for (const l of s.lines) {
        const [key, label] = lineKey(l, by);
        const r = row(key, label);
        if (by === 'variant' && r.sku === undefined) {
          r.sku = l.sku;
          r.productId = l.productId;
        }
        if (!seen.has(key)) {
          r.transactions += l.sign;
          seen.add(key);
        }
        addLine(r, l.figures);
      }
    } else {
      const [key, label] = saleKey(s, by);
      addFigures(row(key, label), s.figures);
    }
  }
  const out = [...rows.values()].filter((r) => !isZero(r)).map(finishFigures);
  const byKey = by === 'day' || by === 'hour' || by === 'location';
  return out.sort((a, b) => (byKey ? a.key.localeCompare(b.key) : b.net - a.net || a.label.localeCompare(b.label)));
}

/** Every day of the range present (zero rows for days without sales), for a chart without gaps. */
export function fillDays(rows: readonly SalesRow[], days: readonly IsoDate[]): SalesRow[] {
  const have = new Map(rows.map((r) => [r.key, r]));
  return days.map((d) => have.get(d) ?? { key: d, label: d, ...emptyFigures() });
}

/**
 * The rows of each location's chart series over days or hours, plus "All locations" when there is more
 * than one (chart-data.ts `netOverTime` lines them up on the x keys).
 */
export function netSeries(facts: readonly SaleFact[], by: 'day' | 'hour', locations: readonly string[]): { name: string; rows: SalesRow[] }[] {
  const per = locations.map((code) => ({ name: code, rows: salesBy(facts.filter((f) => f.locationCode === code), by) }));
  return per.length === 1 ? per : [...per, { name: 'All locations', rows: salesBy(facts, by) }];
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
  /** net sales the rate applied to (returns and voids subtract) */
  taxable: number;
  tax: number;
}

/** Tax collected per rate and location; lines no rate applied to show as "No tax". Σ taxable = net sales, Σ tax = tax. */
export function taxByRate(facts: readonly SaleFact[], catalog: CatalogLookup): TaxRow[] {
  const rows = new Map<string, TaxRow>();
  for (const s of facts) {
    for (const l of s.lines) {
      const rate = catalog.taxRateOf?.(s.locationCode, l.taxCategory) ?? { id: 'none', name: 'No tax', ratePpm: 0 };
      const key = `${s.locationCode}|${rate.id}`;
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { rateId: rate.id, rateName: rate.name, ratePpm: rate.ratePpm, locationCode: s.locationCode, taxable: 0, tax: 0 }));
      r.taxable += l.figures.net;
      r.tax += l.figures.tax;
    }
  }
  return [...rows.values()].filter((r) => r.taxable || r.tax).sort((a, b) => a.locationCode.localeCompare(b.locationCode) || b.tax - a.tax);
}

export interface JurisdictionTaxRow {
  day: IsoDate;
  locationCode: string;
  jurisdictionId: string;
  name: string;
  ratePpm: number;
  /** sale lines it taxed, returned lines included (a void's reversal of a line counts −1) */
  lines: number;
  tax: number;
}

/** The bucket of a line recorded without components: the location's rate as the catalog has it now. */
const NOT_ITEMISED = { id: 'not-itemised', name: 'Not itemised (no rate)', ratePpm: 0 };

/**
 * Tax collected per day, location, jurisdiction component and rate, from what each sale line
 * recorded (its `taxes`), returns and voids subtracting. A line recorded without components (a
 * single-rate location, or a sale from before tax tables) counts under the location's rate as the
 * catalog has it now, or "Not itemised" when none applies, so Σ tax = the sales' tax to the cent.
 * A zero-rated component is listed (0 tax) as it is reportable; an exempting one is not.
 */
export function taxByJurisdiction(facts: readonly SaleFact[], catalog: CatalogLookup): JurisdictionTaxRow[] {
  const rows = new Map<string, JurisdictionTaxRow>();
  const add = (f: SaleFact, l: LineFact, id: string, name: string, ratePpm: number, tax: number) => {
    const key = `${f.day}|${f.locationCode}|${id}|${ratePpm}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { day: f.day, locationCode: f.locationCode, jurisdictionId: id, name, ratePpm, lines: 0, tax: 0 }));
    r.lines += l.sign;
    r.tax += tax;
  };
  for (const f of facts) {
    for (const l of f.lines) {
      if (l.taxes) {
        for (const t of l.taxes) add(f, l, t.jurisdictionId, t.name, t.ratePpm, t.amount);
      } else if (l.figures.tax !== 0) {
        const rate = catalog.taxRateOf?.(f.locationCode, l.taxCategory) ?? NOT_ITEMISED;
        add(f, l, rate.id, rate.name, rate.ratePpm, l.figures.tax);
      }
    }
  }
  return [...rows.values()]
    .filter((r) => r.lines !== 0 || r.tax !== 0)
    .sort((a, b) => a.day.localeCompare(b.day) || a.locationCode.localeCompare(b.locationCode) || a.jurisdictionId.localeCompare(b.jurisdictionId) || b.ratePpm - a.ratePpm);
}

/** Layaway documents move money (deposits, payments, cancellation refunds) without being sales. */
export type LayawayMoneyDoc = LayawayDoc | LayawayPaymentDoc | LayawayCloseDoc;

/** A layaway document's money per tender kind (cash less change). */
export function layawayMoney(d: LayawayMoneyDoc): TenderTotals {
  return tenderNet(d.tenders, d.type === 'layaway_close' ? 0 : d.change);
}

export interface TenderRow {
  kind: TenderKind;
  /** sales paid (partly) this way */
  count: number;
  /** money taken in */
  taken: number;
  /** money given back (refunds, voids, layaway cancellations), as a positive number */
  refunded: number;
  /** taken − refunded = sales + layaways */
  net: number;
  /** of net: sales, returns and voids (Σ over kinds = total collected) */
  sales: number;
  /** of net: layaway deposits and payments less cancellation refunds (not sales) */
  layaways: number;
}

/**
 * Money by means of payment: sales' tenders (cash less change), voids' refunds (their facts) and
 * layaway money. The `layaway` kind is deposits used to pay a pickup sale, not money in hand.
 */
export function tendersBy(facts: readonly SaleFact[], layaways: readonly LayawayMoneyDoc[] = []): TenderRow[] {
  const rows = new Map<TenderKind, TenderRow>();
  const add = (kind: TenderKind, amount: number, source: 'sales' | 'layaways', counts: boolean) => {
    let r = rows.get(kind);
    if (!r) rows.set(kind, (r = { kind, count: 0, taken: 0, refunded: 0, net: 0, sales: 0, layaways: 0 }));
    if (counts) r.count += 1;
    if (amount >= 0) r.taken += amount;
    else r.refunded -= amount;
    r.net += amount;
    r[source] += amount;
  };
  for (const s of facts) for (const [kind, amount] of Object.entries(s.tenders) as [TenderKind, number][]) add(kind, amount, 'sales', !s.reversal);
  for (const d of layaways) for (const [kind, amount] of Object.entries(layawayMoney(d)) as [TenderKind, number][]) add(kind, amount, 'layaways', false);
  return [...rows.values()].sort((a, b) => b.net - a.net || a.kind.localeCompare(b.kind));
}

export interface DiscountRow {
  saleId: string;
  /** 'sale', or 'void' for a void taking a discounted sale back */
  type: 'sale' | 'void';
  createdAt: string;
  day: IsoDate;
  locationCode: string;
  cashierName: string;
  /** the discounts figure of the sale (negative on its void) */
  discount: number;
  /** lines sold below their catalog price by a price override */
  overrides: number;
  /** "Discount over limit by Maria Manager", … */
  approvals: { action: string; staffName: string; at: string }[];
}

/** Sales with a discount, a price override or an approval for either, and the voids of such sales (Σ discount = discounts). */
export function discountsAndOverrides(facts: readonly SaleFact[]): DiscountRow[] {
  const out: DiscountRow[] = [];
  for (const s of facts) {
    const overrides = s.lines.filter((l) => l.overridden).length;
    const approvals = s.reversal ? [] : s.approvals.filter((a) => a.action === 'discount_over_limit' || a.action === 'price_override');
    if (!s.figures.discounts && !overrides && !approvals.length) continue;
    out.push({
      saleId: s.saleId,
      type: s.reversal ? 'void' : 'sale',
      createdAt: s.createdAt,
      day: s.day,
      locationCode: s.locationCode,
      cashierName: s.cashierName,
      discount: s.figures.discounts,
      overrides: s.reversal ? -overrides || 0 : overrides,
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
  /** returns: what the items were sold for without tax (the returns figure); voids: the voided sale's net */
  net: number;
  /** the tax given back with it */
  tax: number;
  /** money given back, positive (net + tax, and a void's rounding) */
  amount: number;
  reason: string;
  approvedBy: string;
}

/**
 * Returns (sales with returned lines) and voids in one list, newest first, with who approved each
 * (a refund without receipt or a void needs a manager; a return with its receipt may have no approver).
 */
export function refundsAndVoids(facts: readonly SaleFact[]): RefundVoidRow[] {
  const out: RefundVoidRow[] = [];
  for (const s of facts) {
    if (s.reversal) {
      out.push({
        kind: 'void',
        id: s.reversal.voidId,
        saleId: s.saleId,
        createdAt: s.createdAt,
        day: s.day,
        locationCode: s.locationCode,
        registerId: s.registerId,
        cashierName: s.cashierName,
        net: -s.figures.net,
        tax: -s.figures.tax,
        amount: -s.figures.collected,
        reason: s.reversal.reason,
        approvedBy: s.approvals.map((a) => a.staffName).join(', ')
      });
      continue;
    }
    if (!s.figures.returns) continue;
    const approval = s.approvals.find((a) => a.action === 'refund_without_receipt');
    const refundTax = -s.lines.filter((l) => l.figures.qty < 0).reduce((a, l) => a + l.figures.tax, 0);
    out.push({
      kind: 'return',
      id: s.saleId,
      saleId: s.saleId,
      createdAt: s.createdAt,
      day: s.day,
      locationCode: s.locationCode,
      registerId: s.registerId,
      cashierName: s.cashierName,
      net: s.figures.returns,
      tax: refundTax,
      amount: s.figures.returns + refundTax,
      reason: approval ? 'Refund without receipt' : 'Return',
      approvedBy: approval?.staffName ?? ''
    });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface ZReportRow extends SalesFigures {
  closeId: string;
  shiftId: string;
  locationCode: string;
  registerId: string;
  openedAt: string;
  day: IsoDate;
  closedAt: string;
  closedBy: string;
  expectedCash: number;
  countedCash: number;
  overShort: number;
  unsyncedAtClose: number;
  approvedBy: string;
}

/** Shift closes with the figures of the Z report the register stored (domain/shift-report.ts storedShiftReport). */
export function zReports(closes: readonly ShiftCloseDoc[], timeZoneOf: (locationCode: string) => string): ZReportRow[] {
  return closes
    .map((c) => {
      const r = storedShiftReport(c.report);
      return {
        closeId: c._id,
        shiftId: c.shiftId,
        locationCode: c.locationCode,
        registerId: c.registerId,
        openedAt: r?.openedAt ?? '',
        day: businessDay(c.closedAt, timeZoneOf(c.locationCode)),
        closedAt: c.closedAt,
        closedBy: c.closedByName ?? c.closedBy,
        ...(r ? r.figures : emptyFigures()),
        expectedCash: c.expectedCash,
        countedCash: c.countedCash,
        overShort: c.overShort,
        unsyncedAtClose: c.unsyncedAtClose ?? 0,
        approvedBy: (c.approvals ?? []).map((a) => a.staffName).join(', ')
      };
    })
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

/** The journal lists sale documents: a void's fact is not one (its sale shows as voided). */
export function matchesJournal(s: SaleFact, f: JournalFilter): boolean {
  if (s.reversal) return false;
  if (f.cashierId && s.cashierId !== f.cashierId) return false;
  if (f.registerId && s.registerId !== f.registerId) return false;
  if (f.type === 'voided' && !s.voided) return false;
  if (f.type === 'sale' && (s.voided || s.figures.returns > 0)) return false;
  if (f.type === 'return' && (s.voided || s.figures.returns === 0)) return false;
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

// --- dashboard -----------------------------------------------------------------------------------------

export interface DashboardLocationInput {
  code: string;
  name: string;
  currency: string;
  timeZone: string;
}

export interface DashboardLocation {
  code: string;
  name: string;
  currency: string;
  /** the location's own business day and week (its time zone) */
  today: IsoDate;
  weekStart: IsoDate;
  figures: { today: SalesFigures; week: SalesFigures };
}

export interface DashboardFigures {
  locations: DashboardLocation[];
  total: { today: SalesFigures; week: SalesFigures };
  topProducts: TopItem[];
  topCategories: TopItem[];
  /** net sales per day of this week (Monday first) and per hour of today, all locations together */
  daily: SalesRow[];
  hourly: SalesRow[];
  /** the same as charts: a series per location (and all together) */
  charts: { week: ChartData; today: ChartData };
}

/** Each location's today and this week (Monday to today) in its own time zone at `now`. */
export function dashboardDays(locations: readonly DashboardLocationInput[], now: Date): Map<string, { today: IsoDate; weekStart: IsoDate }> {
  return new Map(locations.map((l) => [l.code, { today: todayIn(l.timeZone, now), weekStart: weekStart(todayIn(l.timeZone, now)) }]));
}

/** The dashboard's figures from the facts of the week: the same totals() and salesBy() the reports use. */
export function dashboardOf(facts: readonly SaleFact[], locations: readonly DashboardLocationInput[], now: Date): DashboardFigures {
  const days = dashboardDays(locations, now);
  const todayFacts: SaleFact[] = [];
  const weekFacts: SaleFact[] = [];
  const out = locations.map((l) => {
    const d = days.get(l.code)!;
    const week = facts.filter((f) => f.locationCode === l.code && f.day >= d.weekStart && f.day <= d.today);
    const day = week.filter((f) => f.day === d.today);
    weekFacts.push(...week);
    todayFacts.push(...day);
    return { code: l.code, name: l.name, currency: l.currency, today: d.today, weekStart: d.weekStart, figures: { today: totals(day), week: totals(week) } };
  });
  const ws = locations[0] ? days.get(locations[0].code)!.weekStart : weekStart(todayIn('UTC', now));
  const daily = fillDays(salesBy(weekFacts, 'day'), daysBetween(ws, addDays(ws, 6)));
  const hourly = fillHours(salesBy(todayFacts, 'hour'));
  const codes = locations.map((l) => l.code);
  return {
    locations: out,
    total: { today: totals(todayFacts), week: totals(weekFacts) },
    topProducts: topBy(weekFacts, 'product', 5),
    topCategories: topBy(weekFacts, 'category', 5),
    daily,
    hourly,
    charts: { week: netOverTime('day', daily, netSeries(weekFacts, 'day', codes)), today: netOverTime('hour', hourly, netSeries(todayFacts, 'hour', codes)) }
  };
}
