/**
 * X (mid-shift) and Z (close) reports from a shift's documents. One pass over each list, voids
 * indexed by saleId, so a busy shift of thousands of sales is cheap to recompute on the device.
 */
import { countedTotal, divRound } from './money.ts';
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
}

export interface CashierFigures {
  cashierId: string;
  cashierName?: string;
  /** sale documents rung up (not voided) */
  count: number;
  /** Σ positive-line totals */
  sales: number;
  /** Σ negative-line totals, as a positive number */
  returns: number;
  /** sales − returns = Σ sale totals */
  net: number;
}

export interface ShiftReport {
  shiftId: string;
  registerId: string;
  openedAt: string;
  openingFloat: number;
  /** sale documents not voided (sales, returns and exchanges alike) */
  salesCount: number;
  /** of those, documents with any negative line */
  returnsCount: number;
  /** void documents */
  voidCount: number;
  /** Σ totals of the sales voided */
  voidTotal: number;
  /** Σ positive-line gross (qty × unitPrice) */
  grossSales: number;
  /** Σ negative-line totals, as a positive number (includes their tax when prices exclude it) */
  returns: number;
  /** the tax inside `returns`, as a positive number */
  returnsTax: number;
  /** Σ positive-line discounts (a returned line's discount is already netted in `returns`) */
  discounts: number;
  /** Σ line tax, net of refunds */
  tax: number;
  /** Σ sale totals excluding voided sales (less sales of earlier shifts voided in this one) */
  netSales: number;
  itemsSold: number;
  itemsReturned: number;
  /** net money by kind: sale tenders (cash less change), void refunds, layaway deposits, payments and cancellation refunds */
  tenders: Record<TenderKind, number>;
  /** Σ cash rounding of the sales counted in netSales */
  cashRounding: number;
  /** net money taken for layaways: deposits + payments (less change) + cancellation refunds */
  layawayNet: number;
  cashIn: number;
  cashOut: number;
  noSaleCount: number;
  /** openingFloat + tenders.cash + cashIn − cashOut */
  expectedCash: number;
  byCashier: CashierFigures[];
  /** manager approvals recorded on the shift's sales, voids and cash movements */
  approvals: number;
  /** netSales / salesCount, rounded half up; 0 without sales */
  averageBasket: number;
}

function emptyTenders(): Record<TenderKind, number> {
  const out = {} as Record<TenderKind, number>;
  for (const k of TENDER_KINDS) out[k] = 0;
  return out;
}

/**
 * Reconciliations that hold by construction (and are tested):
 * - Σ tenders (all kinds) = netSales + cashRounding + layawayNet
 * - netSales = Σ byCashier.net; per cashier net = sales − returns
 * - tax-exclusive sales: netSales = grossSales − discounts + tax + returnsTax − returns;
 *   tax-inclusive: netSales = grossSales − discounts − returns
 * A void of a sale not among `sales` (rung up in an earlier shift) still refunds through this
 * drawer: it is counted, its tenders are included, and its sale's total (−void.total: a void's
 * total mirrors the sale, like its tenders) comes off netSales so the reconciliation holds; its tax
 * and discounts are not known here.
 */
export function shiftReport(input: ShiftReportInput): ShiftReport {
  const shiftId = input.shift._id;
  const mine = <T extends { shiftId?: string | undefined }>(d: T) => d.shiftId === undefined || d.shiftId === shiftId;

  const tenders = emptyTenders();
  const addTenders = (ts: readonly { kind: TenderKind; amount: number }[], change: number) => {
    for (const t of ts) tenders[t.kind] += t.amount;
    tenders.cash -= change;
  };

  const voidsBySale = new Map<string, VoidDoc>();
  let voidCount = 0;
  let approvals = 0;
  for (const v of input.voids) {
    if (!mine(v)) continue;
    voidCount++;
    approvals += v.approvals.length;
    addTenders(v.tenders, 0);
    // Two registers can void the same sale while offline; the sale is excluded once, both refunds count.
    if (!voidsBySale.has(v.saleId)) voidsBySale.set(v.saleId, v);
  }

  let salesCount = 0;
  let returnsCount = 0;
  let voidTotal = 0;
  let grossSales = 0;
  let returns = 0;
  let returnsTax = 0;
  let discounts = 0;
  let tax = 0;
  let netSales = 0;
  let itemsSold = 0;
  let itemsReturned = 0;
  let cashRounding = 0;
  const cashiers = new Map<string, CashierFigures>();
  const seenSales = new Set<string>();

  for (const s of input.sales) {
    if (!mine(s)) continue;
    seenSales.add(s._id);
    approvals += s.approvals.length;
    addTenders(s.tenders, s.change);
    if (voidsBySale.has(s._id)) {
      voidTotal += s.total;
      continue;
    }
    salesCount++;
    netSales += s.total;
    cashRounding += s.rounding;
    let c = cashiers.get(s.cashierId);
    if (!c) {
      c = { cashierId: s.cashierId, count: 0, sales: 0, returns: 0, net: 0 };
      cashiers.set(s.cashierId, c);
    }
    if (c.cashierName === undefined && s.cashierName !== undefined) c.cashierName = s.cashierName;
    c.count++;
    c.net += s.total;
    let hasReturn = false;
    for (const l of s.lines) {
      tax += l.tax;
      if (l.qty > 0) {
        grossSales += l.qty * l.unitPrice;
        discounts += l.discount;
        itemsSold += l.qty;
        c.sales += l.total;
      } else {
        hasReturn = true;
        returns -= l.total;
        returnsTax -= l.tax;
        itemsReturned -= l.qty;
        c.returns -= l.total;
      }
    }
    if (hasReturn) returnsCount++;
  }

  // Voids of sales from an earlier shift: reverse their total here (see above).
  for (const v of voidsBySale.values()) {
    if (seenSales.has(v.saleId)) continue;
    const saleTotal = -v.total;
    voidTotal += saleTotal;
    netSales -= saleTotal;
    // the refund is −(sale total + its rounding), so this takes the sale's rounding back off
    const refunded = v.tenders.reduce((a, t) => a + t.amount, 0);
    cashRounding += refunded + saleTotal;
  }

  let layawayNet = 0;
  const addLayaway = (ts: readonly { kind: TenderKind; amount: number }[], change: number) => {
    addTenders(ts, change);
    layawayNet += ts.reduce((a, t) => a + t.amount, 0) - change;
  };
  for (const l of input.layaways ?? []) if (mine(l)) addLayaway(l.tenders, l.change);
  for (const p of input.layawayPayments ?? []) if (mine(p)) addLayaway(p.tenders, p.change);
  for (const c of input.layawayCloses ?? []) if (mine(c)) addLayaway(c.tenders, 0);

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
    shiftId,
    registerId: input.shift.registerId,
    openedAt: input.shift.openedAt,
    openingFloat,
    salesCount,
    returnsCount,
    voidCount,
    voidTotal,
    grossSales,
    returns,
    returnsTax,
    discounts,
    tax,
    netSales,
    itemsSold,
    itemsReturned,
    tenders,
    cashRounding,
    layawayNet,
    cashIn,
    cashOut,
    noSaleCount,
    expectedCash: openingFloat + tenders.cash + cashIn - cashOut,
    byCashier: [...cashiers.values()].sort((a, b) => (a.cashierId < b.cashierId ? -1 : a.cashierId > b.cashierId ? 1 : 0)),
    approvals,
    averageBasket: salesCount > 0 ? divRound(netSales, salesCount, 'half_up') : 0
  };
}

/** The close-shift figures: counted drawer (denomination counts) against expected; over is positive. */
export function closeShiftFigures(report: ShiftReport, counted: Record<string, number>): { countedCash: number; expectedCash: number; overShort: number } {
  const countedCash = countedTotal(counted);
  return { countedCash, expectedCash: report.expectedCash, overShort: countedCash - report.expectedCash };
}
