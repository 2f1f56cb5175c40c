import { toCsv } from './catalog-csv.ts';
import { currencyDigits, toDecimalString } from './money.ts';
import {
  discountsAndOverrides,
  fillDays,
  fillHours,
  refundsAndVoids,
  salesBy,
  taxByRate,
  tendersBy,
  zReports,
  type CatalogLookup,
  type Dimension,
  type SaleFact
} from './sales-analytics.ts';
import type { IsoDate } from './business-day.ts';
import type { ShiftCloseDoc, VoidDoc } from './schemas/index.ts';

/**
 * The reports as tables: one column list per report, shared by the API's JSON, its CSV form and the
 * admin page's table, so a CSV column is always what the page shows (docs/API.md lists them).
 * Money cells are integer minor units in JSON and decimal strings in CSV.
 */

export const REPORTS = [
  'sales-by-day',
  'sales-by-hour',
  'sales-by-location',
  'sales-by-employee',
  'sales-by-category',
  'sales-by-product',
  'tax',
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
  tax: 'Tax collected by rate',
  tenders: 'Tenders',
  discounts: 'Discounts and overrides',
  'refunds-voids': 'Refunds and voids',
  'z-reports': 'Z reports (shift closes)'
};

export type CellKind = 'text' | 'int' | 'money' | 'datetime';
export interface Column {
  key: string;
  label: string;
  kind: CellKind;
}
export type Cell = string | number;
export type Row = Record<string, Cell>;

export interface ReportTable {
  report: ReportName;
  title: string;
  columns: Column[];
  rows: Row[];
  /** which column a chart plots over which (sales by day/hour only) */
  chart?: { x: string; y: string };
}

const col = (key: string, label: string, kind: CellKind = 'text'): Column => ({ key, label, kind });
const SALES_FIGURES: Column[] = [
  col('transactions', 'Transactions', 'int'),
  col('units', 'Units', 'int'),
  col('gross', 'Gross sales', 'money'),
  col('discounts', 'Discounts', 'money'),
  col('refunds', 'Refunds', 'money'),
  col('net', 'Net sales', 'money'),
  col('tax', 'Tax', 'money'),
  col('total', 'Total', 'money'),
  col('averageBasket', 'Average basket', 'money')
];

const SALES_KEY: Record<Dimension, Column[]> = {
  day: [col('key', 'Day')],
  hour: [col('label', 'Hour')],
  location: [col('key', 'Location')],
  employee: [col('key', 'Employee id'), col('label', 'Employee')],
  category: [col('key', 'Category id'), col('label', 'Category')],
  product: [col('key', 'Product id'), col('label', 'Product')]
};

export const COLUMNS: Record<ReportName, Column[]> = {
  'sales-by-day': [...SALES_KEY.day, ...SALES_FIGURES],
  'sales-by-hour': [...SALES_KEY.hour, ...SALES_FIGURES],
  'sales-by-location': [...SALES_KEY.location, ...SALES_FIGURES],
  'sales-by-employee': [...SALES_KEY.employee, ...SALES_FIGURES],
  'sales-by-category': [...SALES_KEY.category, ...SALES_FIGURES],
  'sales-by-product': [...SALES_KEY.product, ...SALES_FIGURES],
  tax: [col('locationCode', 'Location'), col('rateName', 'Tax rate'), col('ratePercent', 'Rate %'), col('taxable', 'Taxable sales', 'money'), col('tax', 'Tax collected', 'money')],
  tenders: [col('kind', 'Tender'), col('count', 'Sales', 'int'), col('taken', 'Taken', 'money'), col('refunded', 'Refunded', 'money'), col('net', 'Net', 'money')],
  discounts: [
    col('createdAt', 'Time', 'datetime'),
    col('day', 'Business day'),
    col('locationCode', 'Location'),
    col('saleId', 'Sale'),
    col('cashierName', 'Cashier'),
    col('discount', 'Discount', 'money'),
    col('overrides', 'Price overrides', 'int'),
    col('approvedBy', 'Approved by')
  ],
  'refunds-voids': [
    col('createdAt', 'Time', 'datetime'),
    col('day', 'Business day'),
    col('locationCode', 'Location'),
    col('kind', 'Type'),
    col('saleId', 'Sale'),
    col('registerId', 'Register'),
    col('cashierName', 'Cashier'),
    col('amount', 'Amount returned', 'money'),
    col('reason', 'Reason'),
    col('approvedBy', 'Approved by')
  ],
  'z-reports': [
    col('closedAt', 'Closed', 'datetime'),
    col('day', 'Business day'),
    col('locationCode', 'Location'),
    col('registerId', 'Register'),
    col('shiftId', 'Shift'),
    col('closedBy', 'Closed by'),
    col('salesCount', 'Sales', 'int'),
    col('netSales', 'Net sales (Z)', 'money'),
    col('expectedCash', 'Expected cash', 'money'),
    col('countedCash', 'Counted cash', 'money'),
    col('overShort', 'Over/short', 'money'),
    col('unsyncedAtClose', 'Unsynced at close', 'int'),
    col('approvedBy', 'Approved by')
  ]
};

export const TENDER_LABELS: Record<string, string> = {
  cash: 'Cash',
  card_external: 'Card (external terminal)',
  card_stripe: 'Card (Stripe)',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  layaway: 'Layaway'
};

export interface ReportInput {
  report: ReportName;
  /** sales made in the range (voided ones flagged) */
  facts: SaleFact[];
  /** voids made in the range */
  voids: VoidDoc[];
  closes: ShiftCloseDoc[];
  catalog: CatalogLookup;
  timeZoneOf: (locationCode: string) => string;
  days: IsoDate[];
}

const DIMENSION_OF: Partial<Record<ReportName, Dimension>> = {
  'sales-by-day': 'day',
  'sales-by-hour': 'hour',
  'sales-by-location': 'location',
  'sales-by-employee': 'employee',
  'sales-by-category': 'category',
  'sales-by-product': 'product'
};

/** Builds one report's table from the loaded facts. */
export function buildReport(input: ReportInput): ReportTable {
  const { report } = input;
  const base = { report, title: REPORT_TITLES[report], columns: COLUMNS[report] };
  const dim = DIMENSION_OF[report];
  if (dim) {
    let rows = salesBy(input.facts, dim);
    if (dim === 'day') rows = fillDays(rows, input.days);
    if (dim === 'hour') rows = fillHours(rows);
    return { ...base, rows: rows.map((r) => ({ ...r })), ...(dim === 'day' ? { chart: { x: 'key', y: 'net' } } : dim === 'hour' ? { chart: { x: 'label', y: 'net' } } : {}) };
  }
  switch (report) {
    case 'tax':
      return { ...base, rows: taxByRate(input.facts, input.catalog).map((r) => ({ ...r, ratePercent: (r.ratePpm / 10_000).toFixed(3).replace(/\.?0+$/, '') })) };
    case 'tenders':
      return { ...base, rows: tendersBy(input.facts, input.voids).map((r) => ({ ...r, kind: TENDER_LABELS[r.kind] ?? r.kind })) };
    case 'discounts':
      return {
        ...base,
        rows: discountsAndOverrides(input.facts).map(({ approvals, ...r }) => ({ ...r, approvedBy: approvals.map((a) => `${a.staffName} (${a.action.replace(/_/g, ' ')})`).join('; ') }))
      };
    case 'refunds-voids':
      return { ...base, rows: refundsAndVoids(input.facts, input.voids, input.timeZoneOf).map(({ id: _id, ...r }) => ({ ...r })) };
    case 'z-reports':
      return { ...base, rows: zReports(input.closes, input.timeZoneOf).map(({ closeId: _c, ...r }) => ({ ...r })) };
    default:
      throw new Error(`unknown report ${report}`);
  }
}

/** The table as CSV: a header of column labels, money as decimals in the currency's digits. */
export function reportCsv(table: Pick<ReportTable, 'columns' | 'rows'>, currency = 'USD'): string {
  const digits = currencyDigits(currency);
  const cell = (c: Column, v: Cell | undefined): string => {
    if (v === undefined) return '';
    if (c.kind === 'money' && typeof v === 'number') return toDecimalString(v, digits);
    return String(v);
  };
  return toCsv([table.columns.map((c) => c.label), ...table.rows.map((r) => table.columns.map((c) => cell(c, r[c.key])))]);
}
