import { z } from 'zod';
import { call, fetchCsv } from './client.ts';
import type { ReportName } from '../domain/report-tables.ts';
import type { SaleDoc, VoidDoc } from '../domain/schemas/index.ts';
import type { SaleFact } from '../domain/sales-analytics.ts';

/** Browser calls for the dashboard, sales journal and reports (server/api/report-routes.ts). */

/** domain/sales-figures.ts SalesFigures */
const figures = z.object({
  transactions: z.number(),
  units: z.number(),
  gross: z.number(),
  discounts: z.number(),
  returns: z.number(),
  net: z.number(),
  tax: z.number(),
  total: z.number(),
  rounding: z.number(),
  collected: z.number(),
  averageBasket: z.number()
});
/** how each location writes dates and money (domain/store-format.ts StoreLocale) */
const formats = z.record(z.string(), z.object({ locale: z.string(), timeZone: z.string(), currency: z.string() })).default({});
export type LocationFormats = z.infer<typeof formats>;
export type Figures = z.infer<typeof figures>;
const salesRow = figures.extend({ key: z.string(), label: z.string(), sku: z.string().optional(), productId: z.string().optional() });
export type SalesRow = z.infer<typeof salesRow>;
const topItem = z.object({ key: z.string(), label: z.string(), units: z.number(), net: z.number() });

const chartData = z.object({
  x: z.enum(['day', 'hour', 'category']),
  labels: z.array(z.string()),
  series: z.array(z.object({ name: z.string(), values: z.array(z.number()) })),
  unit: z.enum(['money', 'count'])
});
export type ChartData = z.infer<typeof chartData>;

export const dashboardSchema = z.object({
  asOf: z.string(),
  currency: z.string(),
  formats,
  locations: z.array(
    z.object({ code: z.string(), name: z.string(), currency: z.string(), today: z.string(), weekStart: z.string(), figures: z.object({ today: figures, week: figures }) })
  ),
  total: z.object({ today: figures, week: figures }),
  topProducts: z.array(topItem),
  topCategories: z.array(topItem),
  daily: z.array(salesRow),
  hourly: z.array(salesRow),
  charts: z.object({ week: chartData, today: chartData })
});
export type Dashboard = z.infer<typeof dashboardSchema>;

const column = z.object({ key: z.string(), label: z.string(), kind: z.enum(['text', 'int', 'money', 'date', 'datetime']), help: z.string().optional(), sum: z.boolean().optional() });
export type Column = z.infer<typeof column>;
export const reportSchema = z.object({
  report: z.string(),
  title: z.string(),
  columns: z.array(column),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))),
  /** Σ of the rows for the columns that add up */
  totals: z.record(z.string(), z.union([z.string(), z.number()])),
  chart: chartData.optional(),
  from: z.string(),
  to: z.string(),
  locations: z.array(z.string()),
  currency: z.string(),
  formats
});
export type Report = z.infer<typeof reportSchema>;

const journalEntry = z.object({
  id: z.string(),
  number: z.string(),
  createdAt: z.string(),
  day: z.string(),
  locationCode: z.string(),
  registerId: z.string(),
  registerName: z.string(),
  cashierId: z.string(),
  cashierName: z.string(),
  kind: z.enum(['sale', 'return', 'exchange']),
  voided: z.boolean(),
  units: z.number(),
  total: z.number(),
  currency: z.string(),
  tenders: z.array(z.string())
});
export type JournalEntry = z.infer<typeof journalEntry>;
const option = z.object({ id: z.string(), name: z.string() });
export const journalSchema = z.object({
  from: z.string(),
  to: z.string(),
  locations: z.array(z.string()),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  sales: z.array(journalEntry),
  cashiers: z.array(option),
  registers: z.array(option),
  formats
});
export type Journal = z.infer<typeof journalSchema>;

/** The sale and void documents are the register's own (validated there and by the gateway). */
export const saleDetailSchema = z.object({
  sale: z.custom<SaleDoc>((v) => typeof v === 'object' && v !== null && (v as { type?: string }).type === 'sale'),
  void: z.custom<VoidDoc>((v) => typeof v === 'object' && v !== null && (v as { type?: string }).type === 'void').optional(),
  fact: z.custom<SaleFact>((v) => typeof v === 'object' && v !== null),
  registerName: z.string(),
  location: z.object({ code: z.string(), name: z.string(), address: z.string(), timeZone: z.string(), locale: z.string().optional(), currency: z.string().optional() }),
  receipt: z.object({ header: z.string(), footer: z.string() }),
  customer: z.object({ id: z.string(), name: z.string(), email: z.string().optional() }).optional()
});
export type SaleDetail = z.infer<typeof saleDetailSchema>;

export interface RangeParams {
  from: string;
  to: string;
  /** empty: every location the user may see */
  location?: string;
}
export interface JournalParams extends RangeParams {
  cashier?: string;
  register?: string;
  type?: '' | 'sale' | 'return' | 'voided';
  q?: string;
  page?: number;
  pageSize?: number;
}

function query(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const cardSide = z.object({ charges: z.number(), refunds: z.number(), net: z.number(), count: z.number() });
/** GET /reports/card-payments (server/integrations/payments/card-report.ts) */
export const cardReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  locations: z.array(z.string()),
  currency: z.string(),
  rows: z.array(z.object({ day: z.string(), locationCode: z.string(), pos: cardSide, provider: cardSide, difference: z.number() })),
  differences: z.array(
    z.object({
      day: z.string(),
      locationCode: z.string().nullable(),
      kind: z.enum(['charge', 'refund']),
      id: z.string(),
      pos: z.number().nullable(),
      provider: z.number().nullable(),
      saleId: z.string().optional(),
      problem: z.enum(['missing_at_provider', 'missing_in_pos', 'amount_differs'])
    })
  )
});
export type CardReport = z.infer<typeof cardReportSchema>;

export const reportsApi = {
  cardReport: (token: string, p: RangeParams) => call('GET', `/reports/card-payments${query(p)}`, cardReportSchema, { token }),
  dashboard: (token: string, location = '') => call('GET', `/reports/dashboard${query({ location })}`, dashboardSchema, { token }),
  report: (token: string, name: ReportName, p: RangeParams) => call('GET', `/reports/${name}${query(p)}`, reportSchema, { token }),
  reportCsv: (token: string, name: ReportName, p: RangeParams) => fetchCsv(`/reports/${name}.csv${query(p)}`, token, `${name}.csv`),
  journal: (token: string, p: JournalParams) => call('GET', `/sales${query(p)}`, journalSchema, { token }),
  sale: (token: string, id: string, location: string) => call('GET', `/sales/${encodeURIComponent(id)}${query({ location })}`, saleDetailSchema, { token }),
  emailReceipt: (token: string, id: string, location: string, to: string) =>
    call('POST', `/sales/${encodeURIComponent(id)}/email`, z.object({ queued: z.boolean() }), { token, body: { location, to } })
};
