/**
 * The sales figures, defined once. The receipt's totals, the register's X/Z report, the admin
 * dashboard, every report and its CSV take their numbers from here, so one sale reads the same on
 * every surface and every report's lines add up to its totals to the cent.
 *
 * Definitions, as Square and Shopify report them (docs/API.md "Figures"), all in integer minor units
 * and all without tax (a store whose prices include tax has the tax taken out of each figure):
 * - gross sales = Σ quantity × unit price of the items sold, before discounts;
 * - discounts   = Σ discounts on the items sold (line discounts and each line's share of an order
 *                 discount);
 * - returns     = Σ what the items that came back were sold for, after their discounts (what is
 *                 refunded for them, without tax), as a positive amount;
 * - net sales   = gross sales − discounts − returns;
 * - tax         = Σ line tax (returned items' tax subtracts);
 * - total sales = net sales + tax (what the sale documents' totals add up to);
 * - rounding    = cash rounding (e.g. to 0.05 where the smallest coin is 5 cents): what the customer
 *                 actually paid or got back in cash, minus the exact total;
 * - total collected = total sales + rounding = Σ tenders − change of those sales;
 * - by tender   = Σ tender amounts per means of payment, cash less the change given.
 * - transactions = sale documents (sales, returns, exchanges); units = Σ quantity (returns subtract);
 *   average basket = net sales ÷ transactions, rounded half up (0 without transactions).
 *
 * Voids: a void is an event on the day (and in the shift) it is made. It reverses its sale's
 * figures there — every figure, transactions and units included — so a sale voided the same day
 * nets out of that day (and of its shift), and a past day or a printed Z report never changes when
 * an older sale is voided later. Layaway deposits and payments are money taken, not sales: they
 * appear by tender (the drawer holds them) and nowhere in gross or net; the pickup is the sale.
 * Pure: no I/O, no clock.
 */
import { divRound, mulDivRound } from './money.ts';
import type { SaleDoc, TenderKind } from './schemas/index.ts';

export interface SalesFigures {
  transactions: number;
  units: number;
  gross: number;
  discounts: number;
  returns: number;
  net: number;
  tax: number;
  total: number;
  rounding: number;
  collected: number;
  averageBasket: number;
}

/** The additive figures (averageBasket is derived from them). */
export const ADDITIVE_KEYS = ['transactions', 'units', 'gross', 'discounts', 'returns', 'net', 'tax', 'total', 'rounding', 'collected'] as const;
export type AdditiveKey = (typeof ADDITIVE_KEYS)[number];

/** What each figure means, in the words the column help and the docs use. */
export const FIGURE_HELP: Record<keyof SalesFigures, string> = {
  transactions: 'Sales, returns and exchanges rung up; a void takes its sale back off.',
  units: 'Items sold minus items returned.',
  gross: 'Quantity × price of the items sold, before discounts, without tax.',
  discounts: 'Line and order discounts on the items sold, without tax.',
  returns: 'What the returned items were sold for after their discounts, without tax.',
  net: 'Gross sales − discounts − returns.',
  tax: 'Tax charged, less the tax refunded on returns.',
  total: 'Net sales + tax.',
  rounding: 'Cash rounding to the smallest coin (paid minus the exact total).',
  collected: 'Net sales + tax + cash rounding: the money the sales brought in.',
  averageBasket: 'Net sales ÷ transactions.'
};

export const emptyFigures = (): SalesFigures => ({ transactions: 0, units: 0, gross: 0, discounts: 0, returns: 0, net: 0, tax: 0, total: 0, rounding: 0, collected: 0, averageBasket: 0 });

/** -0 would survive into documents and JSON comparisons. */
const z = (n: number) => n || 0;

type SaleLine = SaleDoc['lines'][number];

/** One line's figures (tax out). A sold line has gross and discounts; a returned line has returns. */
export interface LineFigures {
  qty: number;
  gross: number;
  discounts: number;
  returns: number;
  /** gross − discounts − returns: qty × unitPrice − discount, without tax */
  net: number;
  tax: number;
}

/**
 * A line's figures. Where prices include tax, the line's tax is on what was charged (qty × unitPrice
 * − discount); gross without tax is the charged gross scaled by the same net-to-charged ratio, so
 * gross and discount each lose their own share of the tax and discount = gross − net exactly. A line
 * charged nothing carries no tax, and then its gross is taken as it is.
 */
export function lineFigures(line: Pick<SaleLine, 'qty' | 'unitPrice' | 'discount' | 'tax'>, pricesIncludeTax: boolean): LineFigures {
  const charged = line.qty * line.unitPrice - line.discount;
  const net = charged - (pricesIncludeTax ? line.tax : 0);
  if (line.qty < 0) return { qty: line.qty, gross: 0, discounts: 0, returns: z(-net), net: z(net), tax: z(line.tax) };
  const listed = line.qty * line.unitPrice;
  const gross = pricesIncludeTax && charged > 0 ? mulDivRound(listed, net, charged, 'half_up') : listed;
  return { qty: line.qty, gross, discounts: z(gross - net), returns: 0, net: z(net), tax: z(line.tax) };
}

/** Adds `f` (times `sign`: −1 for a void's reversal) into `into`; returns `into`. averageBasket is left for finish(). */
export function addFigures<T extends SalesFigures>(into: T, f: Pick<SalesFigures, AdditiveKey>, sign: 1 | -1 = 1): T {
  for (const k of ADDITIVE_KEYS) into[k] = z(into[k] + sign * f[k]);
  return into;
}

/** Adds one line's figures (and its units) into a row; total = net + tax. Transactions and rounding are the caller's. */
export function addLine<T extends SalesFigures>(into: T, l: LineFigures, sign: 1 | -1 = 1): T {
  into.units = z(into.units + sign * l.qty);
  into.gross = z(into.gross + sign * l.gross);
  into.discounts = z(into.discounts + sign * l.discounts);
  into.returns = z(into.returns + sign * l.returns);
  into.net = z(into.net + sign * l.net);
  into.tax = z(into.tax + sign * l.tax);
  into.total = z(into.total + sign * (l.net + l.tax));
  into.collected = z(into.collected + sign * (l.net + l.tax));
  return into;
}

/** Sets the average basket once every fact is in. */
export function finishFigures<T extends SalesFigures>(f: T): T {
  f.averageBasket = f.transactions > 0 ? divRound(f.net, f.transactions, 'half_up') : 0;
  return f;
}

/** One sale's figures (transactions 1). */
export function saleFigures(sale: Pick<SaleDoc, 'lines' | 'rounding'> & { pricesIncludeTax?: boolean | undefined }): SalesFigures {
  const incl = sale.pricesIncludeTax ?? false;
  const f = emptyFigures();
  f.transactions = 1;
  for (const l of sale.lines) addLine(f, lineFigures(l, incl));
  f.rounding = sale.rounding ?? 0;
  f.collected = z(f.total + f.rounding);
  return finishFigures(f);
}

/** Σ of figures, average basket recomputed. */
export function sumFigures(list: Iterable<Pick<SalesFigures, AdditiveKey>>): SalesFigures {
  const f = emptyFigures();
  for (const x of list) addFigures(f, x);
  return finishFigures(f);
}

/** The identities every figure set satisfies; [] when it does (tests, and a guard for stored reports). */
export function figureProblems(f: SalesFigures): string[] {
  const out: string[] = [];
  if (f.net !== f.gross - f.discounts - f.returns) out.push(`net ${f.net} ≠ gross ${f.gross} − discounts ${f.discounts} − returns ${f.returns}`);
  if (f.total !== f.net + f.tax) out.push(`total ${f.total} ≠ net ${f.net} + tax ${f.tax}`);
  if (f.collected !== f.total + f.rounding) out.push(`collected ${f.collected} ≠ total ${f.total} + rounding ${f.rounding}`);
  return out;
}

// --- money by tender ---------------------------------------------------------------------------------

export type TenderTotals = Partial<Record<TenderKind, number>>;

/** Money per tender kind: amounts as given, cash less the change handed back. */
export function tenderNet(tenders: readonly { kind: TenderKind; amount: number }[], change = 0, into: TenderTotals = {}): TenderTotals {
  for (const t of tenders) into[t.kind] = z((into[t.kind] ?? 0) + t.amount);
  if (change) into.cash = z((into.cash ?? 0) - change);
  return into;
}

export const tenderSum = (t: TenderTotals) => Object.values(t).reduce((a: number, n) => a + (n ?? 0), 0);

// --- the receipt's totals block ----------------------------------------------------------------------

export interface ReceiptTotal {
  label: string;
  amount: number;
  bold?: boolean;
}

/**
 * The totals a receipt prints for a sale, in order, each line adding up to the next total. Where
 * prices exclude tax these are the sale's figures as every report shows them (Subtotal = gross
 * sales): Subtotal − Discounts − Returns + Tax = TOTAL; Rounding; Amount paid = total collected.
 * Where prices include tax the customer saw tax-inclusive prices, so Subtotal, Discounts and Returns
 * are as charged and add up to TOTAL, with the tax inside shown as "Incl. tax" (the same
 * transactions' total, tax, rounding and total collected as the reports).
 */
export function receiptTotals(sale: Pick<SaleDoc, 'lines' | 'rounding' | 'total'> & { pricesIncludeTax?: boolean | undefined }): ReceiptTotal[] {
  const incl = sale.pricesIncludeTax ?? false;
  const f = saleFigures(sale);
  let gross = f.gross;
  let discounts = f.discounts;
  let returns = f.returns;
  if (incl) {
    gross = discounts = returns = 0;
    for (const l of sale.lines) {
      if (l.qty > 0) {
        gross += l.qty * l.unitPrice;
        discounts += l.discount;
      } else returns -= l.qty * l.unitPrice - l.discount;
    }
  }
  const out: ReceiptTotal[] = [];
  if (gross || !returns) out.push({ label: 'Subtotal', amount: gross });
  if (discounts) out.push({ label: 'Discounts', amount: z(-discounts) });
  if (returns) out.push({ label: 'Returns', amount: z(-returns) });
  const parts = taxParts(sale.lines, f.tax);
  if (!incl) out.push(...(parts ?? [{ label: 'Tax', amount: f.tax }]));
  out.push({ label: f.total < 0 ? 'TOTAL REFUND' : 'TOTAL', amount: f.total, bold: true });
  if (incl && f.tax) out.push(...(parts ? parts.map((p) => ({ label: `Incl. ${p.label}`, amount: p.amount })) : [{ label: 'Incl. tax', amount: f.tax }]));
  if (f.rounding) {
    out.push({ label: 'Rounding', amount: f.rounding });
    out.push({ label: f.collected < 0 ? 'Amount refunded' : 'Amount paid', amount: f.collected, bold: true });
  }
  return out;
}

/** A rate in ppm as a percentage for a receipt: 45,000 → "4.5%", 3,750 → "0.375%". */
export const ratePercent = (ratePpm: number) => `${Number((ratePpm / 10_000).toFixed(4))}%`;

/**
 * The tax of a sale by jurisdiction and rate ("New York City 4.5%"), when its lines record their tax
 * by component (a tax table), in the order the components first appear; tax of lines without
 * components (a single rate, or a returned line recorded before) is one "Tax" part. The parts sum to
 * `tax`. Null when no line has components: the receipt prints the one Tax line it always did.
 */
export function taxParts(lines: readonly { tax: number; taxes?: readonly { jurisdictionId: string; name: string; ratePpm: number; amount: number }[] | undefined }[], tax: number): ReceiptTotal[] | null {
  if (!lines.some((l) => l.taxes?.length)) return null;
  const parts = new Map<string, ReceiptTotal>();
  let itemised = 0;
  for (const l of lines) {
    for (const t of l.taxes ?? []) {
      const key = `${t.jurisdictionId}@${t.ratePpm}`;
      const part = parts.get(key) ?? { label: `${t.name} ${ratePercent(t.ratePpm)}`, amount: 0 };
      part.amount = z(part.amount + t.amount);
      parts.set(key, part);
      itemised += t.amount;
    }
  }
  const out = [...parts.values()].filter((p) => p.amount !== 0);
  if (tax !== itemised) out.push({ label: 'Tax', amount: z(tax - itemised) });
  return out.length ? out : [{ label: 'Tax', amount: tax }];
}
