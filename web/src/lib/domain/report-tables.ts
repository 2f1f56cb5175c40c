import { toCsv } from './csv.ts';
import { currencyDigits, divRound, toDecimalString } from './money.ts';
import { FIGURE_HELP } from './sales-figures.ts';
import { barsOf, dailyByLocation, netOverTime, type ChartData } from './chart-data.ts';
import {
  discountsAndOverrides,
  fillDays,
  fillHours,
  refundsAndVoids,
  netSeries,
  salesBy,
  taxByJurisdiction,
  taxByRate,
  tendersBy,
  zReports,
  type CatalogLookup,
  type Dimension,
  type LayawayMoneyDoc,
  type SaleFact
} from './sales-analytics.ts';
import { shiftLabel, storeFormat, type StoreFormat } from './store-format.ts';
import type { IsoDate } from './business-day.ts';
import type { ShiftCloseDoc } from './schemas/index.ts';

/**
 * The reports as tables: one column list per report, shared by the API's JSON, its CSV form and the
 * admin page's table, so a CSV column is always what the page shows (docs/API.md lists them). Every
 * sales figure is domain/sales-figures.ts's; each report carries a totals row that is the sum of its
 * rows (a column that does not add up, like a count of sales holding a product, has no total).
 * Money cells are integer minor units in JSON and decimal strings in CSV.
 */

export const REPORTS = [
  'sales-by-day',
  'sales-by-hour',
  'sales-by-location',
  'sales-by-employee',
  'sales-by-category',
  'sales-by-product',
  'sales-by-variant',
  'tax',
  'tax-by-jurisdiction',
  'tenders',
  'discounts',
  'refunds-voids',
  'z-reports'
] as const;
export type ReportName = (typeof REPORTS)[number];

export const REPORT_TITLES: Record<ReportName, string> = {
  'sales-by-day': 'Sales by day',
  'sales-by-hour': 'Sales by hour',
  'sales-by-location': 'Sales by location',
  'sales-by-employee': 'Sales by employee',
  'sales-by-category': 'Sales by category',
  'sales-by-product': 'Sales by product',
  'sales-by-variant': 'Sales by variant (size, colour…)',
  tax: 'Tax collected by rate',
  'tax-by-jurisdiction': 'Tax collected by jurisdiction, per day',
  tenders: 'Tenders',
  discounts: 'Discounts and overrides',
  'refunds-voids': 'Refunds and voids',
  'z-reports': 'Z reports (shift closes)'
};

/** `date`: a business day (YYYY-MM-DD, already the store's); `datetime`: an instant (ISO-8601 UTC) */
export type CellKind = 'text' | 'int' | 'money' | 'date' | 'datetime';
export interface Column {
  key: string;
  label: string;
  kind: CellKind;
  /** what the figure means (column help on the page, docs/API.md) */
  help?: string;
  /** the totals row sums this column */
  sum?: boolean;
}
export type Cell = string | number;
export type Row = Record<string, Cell>;

export interface ReportTable {
  report: ReportName;
  title: string;
  columns: Column[];
  rows: Row[];
  /** Σ of the rows for the columns that add up; the first column reads "Total" */
  totals: Row;
  /** what its chart draws (reports people would rather look at than read); absent: a table only */
  chart?: ChartData;
}

const col = (key: string, label: string, kind: CellKind = 'text', more: { help?: string; sum?: boolean } = {}): Column => ({ key, label, kind, ...more });
const money = (key: string, label: string, help?: string) => col(key, label, 'money', { sum: true, ...(help ? { help } : {}) });
const H = FIGURE_HELP;

/** Whole sales: every figure, rounding and total collected included. */
const SALE_FIGURES: Column[] = [
  col('transactions', 'Transactions', 'int', { sum: true, help: H.transactions }),
  col('units', 'Units', 'int', { sum: true, help: H.units }),
  money('gross', 'Gross sales', H.gross),
  money('discounts', 'Discounts', H.discounts),
  money('returns', 'Returns', H.returns),
  money('net', 'Net sales', H.net),
  money('tax', 'Tax', H.tax),
  money('rounding', 'Rounding', H.rounding),
  money('collected', 'Total collected', H.collected),
  col('averageBasket', 'Average basket', 'money', { help: H.averageBasket })
];

/** Lines: no per-line cash rounding, so net + tax is where a line's money ends. */
const LINE_FIGURES: Column[] = [
  col('transactions', 'Transactions', 'int', { help: 'Sales holding it (a sale with several products counts for each).' }),
  col('units', 'Units', 'int', { sum: true, help: H.units }),
  money('gross', 'Gross sales', H.gross),
  money('discounts', 'Discounts', H.discounts),
  money('returns', 'Returns', H.returns),
  money('net', 'Net sales', H.net),
  money('tax', 'Tax', H.tax),
  money('total', 'Total sales', `${H.total} (Cash rounding is per sale, not per item: see Sales by day.)`)
];

const SALES_KEY: Record<Dimension, Column[]> = {
  day: [col('key', 'Day', 'date')],
  hour: [col('label', 'Hour')],
  location: [col('key', 'Location')],
  employee: [col('key', 'Employee id'), col('label', 'Employee')],
  category: [col('key', 'Category id'), col('label', 'Category')],
  product: [col('key', 'Product id'), col('label', 'Product')],
  variant: [col('key', 'Variant id'), col('sku', 'SKU'), col('label', 'Variant')]
};

export const COLUMNS: Record<ReportName, Column[]> = {
  'sales-by-day': [...SALES_KEY.day, ...SALE_FIGURES],
  'sales-by-hour': [...SALES_KEY.hour, ...SALE_FIGURES],
  'sales-by-location': [...SALES_KEY.location, ...SALE_FIGURES],
  'sales-by-employee': [...SALES_KEY.employee, ...SALE_FIGURES],
  'sales-by-category': [...SALES_KEY.category, ...LINE_FIGURES],
  'sales-by-product': [...SALES_KEY.product, ...LINE_FIGURES],
  'sales-by-variant': [...SALES_KEY.variant, ...LINE_FIGURES],
  tax: [
    col('locationCode', 'Location'),
    col('rateName', 'Tax rate'),
    col('ratePercent', 'Rate %'),
    money('taxable', 'Taxable sales', 'Net sales the rate applied to (returns and voids subtract).'),
    money('tax', 'Tax collected', H.tax)
  ],
  'tax-by-jurisdiction': [
    col('day', 'Business day', 'date'),
    col('locationCode', 'Location'),
    col('jurisdictionId', 'Jurisdiction id'),
    col('name', 'Jurisdiction'),
    col('ratePercent', 'Rate %'),
    col('lines', 'Lines', 'int', { sum: true, help: 'Sale lines it taxed; a voided sale’s lines count back.' }),
    money('tax', 'Tax collected', 'The tax the sale lines recorded for this jurisdiction and rate; returns and voids subtract. Lines recorded without a split count under the location’s rate.')
  ],
  tenders: [
    col('kind', 'Tender'),
    col('count', 'Payments', 'int', { sum: true, help: 'Sales paid (partly) this way.' }),
    money('taken', 'Taken', 'Money in: payments, deposits.'),
    money('refunded', 'Refunded', 'Money out: refunds, voids, layaway cancellations.'),
    money('net', 'Net', 'Taken − refunded.'),
    money('sales', 'For sales', 'Of the net, sales, returns and voids: adds up to total collected.'),
    money('layaways', 'For layaways', 'Of the net, layaway deposits and payments less cancellation refunds (not sales until picked up).')
  ],
  discounts: [
    col('createdAt', 'Time', 'datetime'),
    col('day', 'Business day', 'date'),
    col('locationCode', 'Location'),
    col('type', 'Type'),
    col('saleId', 'Sale'),
    col('cashierName', 'Cashier'),
    money('discount', 'Discount', `${H.discounts} A void takes its sale's back.`),
    col('overrides', 'Price overrides', 'int', { sum: true }),
    col('approvedBy', 'Approved by')
  ],
  'refunds-voids': [
    col('createdAt', 'Time', 'datetime'),
    col('day', 'Business day', 'date'),
    col('locationCode', 'Location'),
    col('kind', 'Type'),
    col('saleId', 'Sale'),
    col('registerId', 'Register'),
    col('cashierName', 'Cashier'),
    money('net', 'Net', 'Returns: the returns figure. Voids: the voided sale’s net sales.'),
    money('tax', 'Tax', 'Tax given back with it.'),
    money('amount', 'Amount returned', 'Money given back (net + tax, and cash rounding).'),
    col('reason', 'Reason'),
    col('approvedBy', 'Approved by')
  ],
  'z-reports': [
    col('closedAt', 'Closed', 'datetime'),
    col('day', 'Business day', 'date'),
    col('locationCode', 'Location'),
    col('shift', 'Shift', 'text', { help: 'Register and when the shift opened.' }),
    col('closedBy', 'Closed by'),
    ...SALE_FIGURES.filter((c) => c.key !== 'averageBasket'),
    money('expectedCash', 'Expected cash'),
    money('countedCash', 'Counted cash'),
    money('overShort', 'Over/short'),
    col('unsyncedAtClose', 'Unsynced at close', 'int', { sum: true }),
    col('approvedBy', 'Approved by')
  ]
};

export const TENDER_LABELS: Record<string, string> = {
  cash: 'Cash',
  card_external: 'Card (external terminal)',
  card_stripe: 'Card (Stripe)',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  layaway: 'Layaway deposits used'
};

/** Reports of hundreds or thousands of rows: the chart shows the top twelve, without an "Other" bar. */
const LONG_TAIL = new Set<ReportName>(['sales-by-product', 'sales-by-variant']);
const CHART_MEASURE: Partial<Record<string, string>> = {
  'sales-by-product': 'net sales, top 12',
  'sales-by-variant': 'net sales, top 12',
  tenders: 'net collected',
  discounts: 'discounts per day',
  'refunds-voids': 'amount returned per day'
};
/** What a report's chart draws, for its caption. */
export const chartMeasure = (report: string): string => CHART_MEASURE[report] ?? 'net sales';

export interface ReportInput {
  report: ReportName;
  /** facts of the range: sales made in it and the reversals of voids made in it */
  facts: SaleFact[];
  closes: ShiftCloseDoc[];
  /** layaway deposits, payments and closes made in the range (tenders) */
  layaways?: LayawayMoneyDoc[];
  catalog: CatalogLookup;
  timeZoneOf: (locationCode: string) => string;
  /** the location's formatter (locale, time zone, currency); default: its time zone, en-US, USD */
  formatOf?: (locationCode: string) => StoreFormat;
  /** a register's name for its id (device registry); default: the id */
  registerName?: (registerId: string) => string;
  days: IsoDate[];
}

const DIMENSION_OF: Partial<Record<ReportName, Dimension>> = {
  'sales-by-day': 'day',
  'sales-by-hour': 'hour',
  'sales-by-location': 'location',
  'sales-by-employee': 'employee',
  'sales-by-category': 'category',
  'sales-by-product': 'product',
  'sales-by-variant': 'variant'
};

/** The totals row: Σ of each summing column; average basket from the totals; the first column says "Total". */
export function totalsRow(columns: readonly Column[], rows: readonly Row[]): Row {
  const out: Row = {};
  for (const c of columns) if (c.sum) out[c.key] = rows.reduce((a, r) => a + (typeof r[c.key] === 'number' ? (r[c.key] as number) : 0), 0);
  if (columns.some((c) => c.key === 'averageBasket') && typeof out.net === 'number' && typeof out.transactions === 'number') {
    out.averageBasket = out.transactions > 0 ? divRound(out.net, out.transactions, 'half_up') : 0;
  }
  const first = columns[0];
  if (first) out[first.key] = 'Total';
  return out;
}

/** 88_750 ppm → "8.875" */
const ratePercent = (ppm: number) => (ppm / 10_000).toFixed(4).replace(/\.?0+$/, '');

/** Builds one report's table from the loaded facts. */
export function buildReport(input: ReportInput): ReportTable {
  const { report } = input;
  const columns = COLUMNS[report];
  const named = (id: string) => input.registerName?.(id) ?? id;
  const fmtOf = input.formatOf ?? ((code: string) => storeFormat({ timeZone: input.timeZoneOf(code), currency: 'USD' }));
  const table = (raw: Row[], chart?: ChartData): ReportTable => {
    // a negated zero (a void of a sale with no discount) reads "-0.00" in a CSV: zeros are zeros
    const rows = raw.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? v || 0 : v])));
    return { report, title: REPORT_TITLES[report], columns, rows, totals: totalsRow(columns, rows), ...(chart ? { chart } : {}) };
  };
  const dim = DIMENSION_OF[report];
  if (dim) {
    let rows = salesBy(input.facts, dim);
    if (dim === 'day') rows = fillDays(rows, input.days);
    if (dim === 'hour') rows = fillHours(rows);
    const locations = [...new Set(input.facts.map((f) => f.locationCode))].sort();
    // a variant's bar by its SKU: its name is the product's, the same for every size and colour
    const barName = (r: (typeof rows)[number]) => (dim === 'variant' && r.sku ? r.sku : r.label);
    const chart =
      dim === 'day' || dim === 'hour'
        ? netOverTime(dim, rows, netSeries(input.facts, dim, locations))
        : barsOf(rows, barName, (r) => r.net, 'Net sales', { other: !LONG_TAIL.has(report) });
    return table(
      rows.map((r) => ({ ...r })),
      chart
    );
  }
  switch (report) {
    case 'tax':
      return table(taxByRate(input.facts, input.catalog).map((r) => ({ ...r, ratePercent: ratePercent(r.ratePpm) })));
    case 'tax-by-jurisdiction':
      return table(taxByJurisdiction(input.facts, input.catalog).map((r) => ({ ...r, ratePercent: ratePercent(r.ratePpm) })));
    case 'tenders': {
      const rows = tendersBy(input.facts, input.layaways ?? []).map((r) => ({ ...r, kind: TENDER_LABELS[r.kind] ?? r.kind }));
      return table(rows, barsOf(rows, (r) => r.kind, (r) => r.net, 'Net collected'));
    }
    case 'discounts': {
      const rows = discountsAndOverrides(input.facts).map(({ approvals, type, ...r }) => ({
        ...r,
        type: type === 'void' ? 'Void' : 'Sale',
        approvedBy: approvals.map((a) => `${a.staffName} (${a.action.replace(/_/g, ' ')})`).join('; ')
      }));
      return table(rows, rows.length ? dailyByLocation(input.days, rows, { day: (r) => r.day, location: (r) => r.locationCode, value: (r) => r.discount }) : undefined);
    }
    case 'refunds-voids': {
      const rows = refundsAndVoids(input.facts).map(({ id: _id, registerId, ...r }) => ({ ...r, registerId: named(registerId) }));
      return table(rows, rows.length ? dailyByLocation(input.days, rows, { day: (r) => r.day, location: (r) => r.locationCode, value: (r) => r.amount }) : undefined);
    }
    case 'z-reports':
      return table(
        zReports(input.closes, input.timeZoneOf).map(({ closeId: _c, shiftId: _s, registerId, openedAt, averageBasket: _a, total: _t, ...r }) => ({
          ...r,
          shift: shiftLabel(named(registerId), openedAt || undefined, fmtOf(r.locationCode))
        }))
      );
    default:
      throw new Error(`unknown report ${report}`);
  }
}

/**
 * The table as CSV: a header of column labels, the rows, then the totals row; money as decimals in
 * the currency's digits; times as the store's wall clock ("2026-03-03 21:30", the row's location's
 * zone) rather than UTC instants.
 */
export function reportCsv(table: Pick<ReportTable, 'columns' | 'rows'> & { totals?: Row }, currency = 'USD', timeZoneOf: (locationCode: string) => string = () => 'UTC'): string {
  const digits = currencyDigits(currency);
  const cell = (c: Column, v: Cell | undefined, row: Row): string => {
    if (v === undefined) return '';
    if (c.kind === 'money' && typeof v === 'number') return toDecimalString(v, digits);
    if (c.kind === 'datetime' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return storeFormat({ timeZone: timeZoneOf(String(row.locationCode ?? '')), currency }).stamp(v);
    return String(v);
  };
  const lines = [table.columns.map((c) => c.label), ...table.rows.map((r) => table.columns.map((c) => cell(c, r[c.key], r)))];
  if (table.totals && table.rows.length) lines.push(table.columns.map((c) => cell(c, table.totals![c.key], table.totals!)));
  return toCsv(lines);
}
