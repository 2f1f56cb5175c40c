/**
 * X (mid-shift) and Z (close) reports from a shift's documents. One pass over each list, voids
 * indexed by saleId, so a busy shift of thousands of sales is cheap to recompute on the device.
 * The sales figures are domain/sales-figures.ts's, the same the receipts, dashboard and reports show.
 */
import { z } from 'zod';
import { countedTotal } from './money.ts';
import { addFigures, emptyFigures, finishFigures, saleFigures, tenderNet, type SalesFigures, type TenderTotals } from './sales-figures.ts';
import {
  TENDER_KINDS,
  type CashMovementDoc,
  type LayawayCloseDoc,
  type LayawayDoc,
  type LayawayPaymentDoc,
  type SaleDoc,
  type ShiftDoc,
  type TenderKind,
  type VoidDoc
} from './schemas/index.ts';

export type { CashMovementDoc, LayawayCloseDoc, LayawayDoc, LayawayPaymentDoc, SaleDoc, ShiftDoc, VoidDoc };

/** Documents of one shift. Documents whose shiftId names another shift are ignored. */
export interface ShiftReportInput {
  shift: ShiftDoc;
  sales: SaleDoc[];
  voids: VoidDoc[];
  cashMovements: CashMovementDoc[];
  layawayPayments?: LayawayPaymentDoc[];
  layaways?: LayawayDoc[];
  layawayCloses?: LayawayCloseDoc[];
  /** the sales of earlier shifts that a void of this shift reverses (their figures come off here) */
  voidedSales?: SaleDoc[];
}

export interface CashierFigures {
  cashierId: string;
  cashierName?: string;
  /** sale documents rung up, less those voided */
  transactions: number;
  returns: number;
  net: number;
}

/** The stored Z report's shape version: 2 = figures by domain/sales-figures.ts (net sales without tax). */
export const SHIFT_REPORT_VERSION = 2;

export interface ShiftReport {
  version: typeof SHIFT_REPORT_VERSION;
  shiftId: string;
  registerId: string;
  openedAt: string;
  openingFloat: number;
  /** the shift's sales figures: its sales, less the sales its voids reversed */
  figures: SalesFigures;
  /** sale documents with a returned line */
  returnsCount: number;
  itemsSold: number;
  itemsReturned: number;
  /** void documents of this shift */
  voidCount: number;
  /** money the voids gave back, as a positive amount (already taken off the figures) */
  voidRefunds: number;
  /** all money through this register in the shift, by tender (cash less change): sales, voids, layaways */
  tenders: Record<TenderKind, number>;
  /** of it, sales and voids: Σ = figures.collected (+ duplicateVoidRefunds) */
  salesTenders: Record<TenderKind, number>;
  /** layaway deposits and payments taken (net of change) */
  layawayTaken: number;
  /** layaway cancellations refunded, as a positive amount */
  layawayRefunded: number;
  /** layawayTaken − layawayRefunded: Σ tenders − Σ salesTenders − duplicateVoidRefunds */
  layawayNet: number;
  /** cancellation fees kept (information: stays inside the deposits already taken) */
  layawayFeesKept: number;
  /** the refund of a sale voided a second time (two offline registers); its figures came off once */
  duplicateVoidRefunds: number;
  cashIn: number;
  cashOut: number;
  noSaleCount: number;
  /** openingFloat + tenders.cash + cashIn − cashOut */
  expectedCash: number;
  byCashier: CashierFigures[];
  /** manager approvals recorded on the shift's sales, voids and cash movements */
  approvals: number;
}

function emptyTenders(): Record<TenderKind, number> {
  const out = {} as Record<TenderKind, number>;
  for (const k of TENDER_KINDS) out[k] = 0;
  return out;
}

const addInto = (into: Record<TenderKind, number>, t: TenderTotals) => {
  for (const [k, v] of Object.entries(t) as [TenderKind, number][]) into[k] += v;
};

/**
 * A void whose sale is not at hand (never expected on a register: the sale is in its replica) still
 * comes off: its total as net without a known tax, its refund as what was collected.
 */
function figuresOfUnknownSale(v: VoidDoc): SalesFigures {
  const f = emptyFigures();
  f.transactions = 1;
  f.units = v.lines.reduce((a, l) => a + l.qty, 0);
  f.gross = f.net = f.total = -v.total;
  f.collected = -v.tenders.reduce((a, t) => a + t.amount, 0);
  f.rounding = f.collected - f.total;
  return f;
}

/**
 * Reconciliations that hold by construction (and are tested):
 * - figures: net = gross − discounts − returns; total = net + tax; collected = total + rounding
 * - Σ salesTenders = figures.collected + duplicateVoidRefunds
 * - Σ tenders = Σ salesTenders + layawayNet
 * - Σ byCashier.net = figures.net; Σ byCashier.transactions = figures.transactions
 * A void is counted in the shift it is made in: it reverses its sale's figures there (a sale voided
 * in its own shift nets out; one from an earlier shift comes off this one, `voidedSales`), and its
 * refund is in this shift's tenders.
 */
export function shiftReport(input: ShiftReportInput): ShiftReport {
  const shiftId = input.shift._id;
  const mine = <T extends { shiftId?: string | undefined }>(d: T) => d.shiftId === undefined || d.shiftId === shiftId;

  const figures = emptyFigures();
  const tenders = emptyTenders();
  const salesTenders = emptyTenders();
  const cashiers = new Map<string, CashierFigures>();
  let approvals = 0;
  let returnsCount = 0;
  let itemsSold = 0;
  let itemsReturned = 0;

  const cashierOf = (id: string, name: string | undefined) => {
    let c = cashiers.get(id);
    if (!c) cashiers.set(id, (c = { cashierId: id, transactions: 0, returns: 0, net: 0 }));
    if (c.cashierName === undefined && name !== undefined) c.cashierName = name;
    return c;
  };
  const count = (sale: SaleDoc, f: SalesFigures, sign: 1 | -1) => {
    addFigures(figures, f, sign);
    const c = cashierOf(sale.cashierId, sale.cashierName);
    c.transactions += sign;
    c.returns += sign * f.returns;
    c.net += sign * f.net;
    for (const l of sale.lines) {
      if (l.qty > 0) itemsSold += sign * l.qty;
      else itemsReturned -= sign * l.qty;
    }
  };

  const salesById = new Map<string, SaleDoc>();
  for (const s of input.voidedSales ?? []) salesById.set(s._id, s);
  for (const s of input.sales) {
    if (!mine(s)) continue;
    salesById.set(s._id, s);
    approvals += s.approvals.length;
    addInto(tenders, tenderNet(s.tenders, s.change));
    addInto(salesTenders, tenderNet(s.tenders, s.change));
    count(s, saleFigures(s), 1);
    if (s.lines.some((l) => l.qty < 0)) returnsCount++;
  }

  let voidCount = 0;
  let voidRefunds = 0;
  let duplicateVoidRefunds = 0;
  const reversed = new Set<string>();
  for (const v of input.voids) {
    if (!mine(v)) continue;
    voidCount++;
    approvals += v.approvals.length;
    const refund = tenderNet(v.tenders);
    addInto(tenders, refund);
    const given = v.tenders.reduce((a, t) => a + t.amount, 0);
    voidRefunds -= given;
    // Two registers can void the same sale while offline: its figures come off once, both refunds count.
    if (reversed.has(v.saleId)) {
      duplicateVoidRefunds += given;
      continue;
    }
    reversed.add(v.saleId);
    addInto(salesTenders, refund);
    const sale = salesById.get(v.saleId);
    if (sale) {
      count(sale, saleFigures(sale), -1);
      if (sale.lines.some((l) => l.qty < 0)) returnsCount--;
    } else {
      const f = figuresOfUnknownSale(v);
      addFigures(figures, f, -1);
      const c = cashierOf(v.cashierId, undefined);
      c.transactions -= 1;
      c.net -= f.net;
    }
  }

  let layawayTaken = 0;
  let layawayRefunded = 0;
  let layawayFeesKept = 0;
  const addLayaway = (ts: readonly { kind: TenderKind; amount: number }[], change: number) => {
    addInto(tenders, tenderNet(ts, change));
    const moved = ts.reduce((a, t) => a + t.amount, 0) - change;
    if (moved >= 0) layawayTaken += moved;
    else layawayRefunded -= moved;
  };
  for (const l of input.layaways ?? []) if (mine(l)) addLayaway(l.tenders, l.change);
  for (const p of input.layawayPayments ?? []) if (mine(p)) addLayaway(p.tenders, p.change);
  for (const c of input.layawayCloses ?? []) {
    if (!mine(c)) continue;
    addLayaway(c.tenders, 0);
    layawayFeesKept += c.feeKept;
  }

  let cashIn = 0;
  let cashOut = 0;
  let noSaleCount = 0;
  for (const m of input.cashMovements) {
    if (!mine(m)) continue;
    approvals += m.approvals.length;
    if (m.kind === 'in') cashIn += m.amount;
    else if (m.kind === 'out') cashOut += m.amount;
    else noSaleCount++;
  }

  const openingFloat = input.shift.openingFloat;
  return {
    version: SHIFT_REPORT_VERSION,
    shiftId,
    registerId: input.shift.registerId,
    openedAt: input.shift.openedAt,
    openingFloat,
    figures: finishFigures(figures),
    returnsCount,
    itemsSold,
    itemsReturned,
    voidCount,
    voidRefunds,
    tenders,
    salesTenders,
    layawayTaken,
    layawayRefunded,
    layawayNet: layawayTaken - layawayRefunded,
    layawayFeesKept,
    duplicateVoidRefunds,
    cashIn,
    cashOut,
    noSaleCount,
    expectedCash: openingFloat + tenders.cash + cashIn - cashOut,
    byCashier: [...cashiers.values()].filter((c) => c.transactions || c.net || c.returns).sort((a, b) => (a.cashierId < b.cashierId ? -1 : a.cashierId > b.cashierId ? 1 : 0)),
    approvals
  };
}

/** The close-shift figures: counted drawer (denomination counts) against expected; over is positive. */
export function closeShiftFigures(report: Pick<ShiftReport, 'expectedCash'>, counted: Record<string, number>): { countedCash: number; expectedCash: number; overShort: number } {
  const countedCash = countedTotal(counted);
  return { countedCash, expectedCash: report.expectedCash, overShort: countedCash - report.expectedCash };
}

// --- stored Z reports ------------------------------------------------------------------------------

const int = z.number().int();
const figuresSchema = z.object({
  transactions: int,
  units: int,
  gross: int,
  discounts: int,
  returns: int,
  net: int,
  tax: int,
  total: int,
  rounding: int,
  collected: int,
  averageBasket: int
});
const tendersSchema = z.record(z.string(), int).transform((t) => {
  const out = emptyTenders();
  for (const k of TENDER_KINDS) out[k] = t[k] ?? 0;
  return out;
});
const storedSchema = z.object({
  version: z.literal(SHIFT_REPORT_VERSION),
  shiftId: z.string(),
  registerId: z.string(),
  openedAt: z.string(),
  openingFloat: int,
  figures: figuresSchema,
  returnsCount: int,
  itemsSold: int,
  itemsReturned: int,
  voidCount: int,
  voidRefunds: int,
  tenders: tendersSchema,
  salesTenders: tendersSchema,
  layawayTaken: int,
  layawayRefunded: int,
  layawayNet: int,
  layawayFeesKept: int,
  duplicateVoidRefunds: int,
  cashIn: int,
  cashOut: int,
  noSaleCount: int,
  expectedCash: int,
  byCashier: z.array(z.object({ cashierId: z.string(), cashierName: z.string().optional(), transactions: int, returns: int, net: int })),
  approvals: int
});

const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : 0);

/**
 * The Z report a register stored in its shift_close, read for the back office. Version 2 is read as
 * it is. An older one (before the figures were defined once: its `netSales` included tax and its
 * `returns` their tax) is converted to today's definitions from its own fields: net = netSales −
 * tax, returns without their tax, gross = net + discounts + returns; its per-cashier lines carry no
 * tax split, so they stay as printed. Null when it is neither.
 */
export function storedShiftReport(report: Record<string, unknown> | null | undefined): ShiftReport | null {
  if (!report) return null;
  const v2 = storedSchema.safeParse(report);
  if (v2.success) return v2.data as ShiftReport;
  if (typeof report.netSales !== 'number') return null;
  const tax = num(report.tax);
  const net = num(report.netSales) - tax;
  const returns = num(report.returns) - num(report.returnsTax);
  const discounts = num(report.discounts);
  const rounding = num(report.cashRounding);
  const transactions = num(report.salesCount);
  const tenders = tendersSchema.safeParse(report.tenders ?? {});
  const legacyCashiers = Array.isArray(report.byCashier) ? (report.byCashier as Record<string, unknown>[]) : [];
  const layawayNet = num(report.layawayNet);
  const t = tenders.success ? tenders.data : emptyTenders();
  const salesTenders = { ...t };
  return {
    version: SHIFT_REPORT_VERSION,
    shiftId: String(report.shiftId ?? ''),
    registerId: String(report.registerId ?? ''),
    openedAt: String(report.openedAt ?? ''),
    openingFloat: num(report.openingFloat),
    figures: finishFigures({
      transactions,
      units: num(report.itemsSold) - num(report.itemsReturned),
      gross: net + discounts + returns,
      discounts,
      returns,
      net,
      tax,
      total: net + tax,
      rounding,
      collected: net + tax + rounding,
      averageBasket: 0
    }),
    returnsCount: num(report.returnsCount),
    itemsSold: num(report.itemsSold),
    itemsReturned: num(report.itemsReturned),
    voidCount: num(report.voidCount),
    voidRefunds: num(report.voidTotal),
    tenders: t,
    salesTenders,
    layawayTaken: Math.max(0, layawayNet),
    layawayRefunded: Math.max(0, -layawayNet),
    layawayNet,
    layawayFeesKept: 0,
    duplicateVoidRefunds: 0,
    cashIn: num(report.cashIn),
    cashOut: num(report.cashOut),
    noSaleCount: num(report.noSaleCount),
    expectedCash: num(report.expectedCash),
    byCashier: legacyCashiers.map((c) => ({
      cashierId: String(c.cashierId ?? ''),
      ...(typeof c.cashierName === 'string' ? { cashierName: c.cashierName } : {}),
      transactions: num(c.count),
      returns: num(c.returns),
      net: num(c.net)
    })),
    approvals: num(report.approvals)
  };
}

// --- presentation: the rows the register's screen, its printout and the back office show ----------

export const SHIFT_TENDER_LABELS: Record<TenderKind, string> = {
  cash: 'Cash',
  card_external: 'Card (terminal)',
  card_stripe: 'Card (Stripe)',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  layaway: 'Layaway deposits used'
};

export interface ShiftReportRow {
  label: string;
  value: string;
  /** a section heading row (value empty) */
  section?: boolean;
  strong?: boolean;
  /** a part of the row above (printed indented) */
  indent?: boolean;
}

/**
 * The report as label/value rows, in print order. Each block adds up: gross − discounts − returns =
 * net sales; net + tax + rounding = total collected; the tenders add up to what was tendered, split
 * into sales (= total collected) and layaway money. Zero tender kinds are left out (cash always shown).
 */
export function shiftReportRows(r: ShiftReport, money: (minor: number) => string, count: (n: number) => string = String): ShiftReportRow[] {
  const f = r.figures;
  const rows: ShiftReportRow[] = [
    { label: 'Sales', value: '', section: true },
    { label: 'Transactions', value: count(f.transactions) },
    { label: 'Items sold', value: count(r.itemsSold) },
    { label: 'Gross sales', value: money(f.gross) },
    { label: 'Discounts', value: money(-f.discounts) },
    { label: `Returns (${count(r.returnsCount)})`, value: money(-f.returns) },
    { label: 'Net sales', value: money(f.net), strong: true },
    { label: 'Tax', value: money(f.tax) }
  ];
  if (f.rounding) rows.push({ label: 'Cash rounding', value: money(f.rounding) });
  rows.push({ label: 'Total collected', value: money(f.collected), strong: true }, { label: 'Average basket', value: money(f.averageBasket) });
  if (r.voidCount) rows.push({ label: `Voids (${count(r.voidCount)}), refunded`, value: money(-r.voidRefunds) });

  rows.push({ label: 'Tenders', value: '', section: true });
  let tendered = 0;
  for (const [kind, label] of Object.entries(SHIFT_TENDER_LABELS) as [TenderKind, string][]) {
    tendered += r.tenders[kind];
    if (kind === 'cash' || r.tenders[kind]) rows.push({ label, value: money(r.tenders[kind]) });
  }
  rows.push({ label: 'Total tendered', value: money(tendered), strong: true });
  if (r.layawayNet || r.duplicateVoidRefunds) {
    rows.push({ label: 'For sales', value: money(tendered - r.layawayNet - r.duplicateVoidRefunds), indent: true });
    if (r.layawayNet) rows.push({ label: 'For layaways', value: money(r.layawayNet), indent: true });
    if (r.duplicateVoidRefunds) rows.push({ label: 'Second void of a sale', value: money(r.duplicateVoidRefunds), indent: true });
  }
  if (r.layawayTaken || r.layawayRefunded || r.layawayFeesKept) {
    rows.push({ label: 'Layaways', value: '', section: true }, { label: 'Deposits and payments', value: money(r.layawayTaken) }, { label: 'Cancellation refunds', value: money(-r.layawayRefunded) });
    if (r.layawayFeesKept) rows.push({ label: 'Cancellation fees kept', value: money(r.layawayFeesKept) });
  }
  rows.push(
    { label: 'Cash drawer', value: '', section: true },
    { label: 'Opening float', value: money(r.openingFloat) },
    { label: 'Cash taken (net)', value: money(r.tenders.cash) },
    { label: 'Cash in', value: money(r.cashIn) },
    { label: 'Cash out (payouts)', value: money(-r.cashOut) },
    { label: 'No-sale opens', value: count(r.noSaleCount) },
    { label: 'Expected cash', value: money(r.expectedCash), strong: true },
    { label: 'Manager approvals', value: count(r.approvals) }
  );
  return rows;
}
