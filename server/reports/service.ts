import { z } from 'zod';
import { addDays, daysBetween, isIsoDate, today, type IsoDate } from '#domain/business-day.ts';
import { catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { buildReport, type ReportName, type ReportTable } from '#domain/report-tables.ts';
import { dashboardDays, dashboardOf, matchesJournal, saleNumber, totals, type DashboardFigures, type JournalFilter, type SaleFact } from '#domain/sales-analytics.ts';
import { outboxSchema, type OutboxDoc, type SaleDoc, type VoidDoc } from '#domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { authorize, principalId, type Principal } from '../auth/principal.ts';
import { getOrNull, type Couch } from '../couch/client.ts';
import { badRequest } from '../errors.ts';
import { loadRange, loadSale, loadScope, type LocationInfo, type Scope } from './load.ts';

/** Longest range one request may cover: a year of business days (each day's sales are read in full). */
export const MAX_RANGE_DAYS = 366;

const isoDate = z.string().refine(isIsoDate, 'must be a date like 2026-03-31');
export const rangeQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    location: z.string().trim().toUpperCase().regex(/^[A-Z][A-Z0-9]{1,9}$/, 'must be a location code like GM').optional(),
    format: z.enum(['json', 'csv']).optional()
  })
  .transform((q, ctx) => {
    // Default: the last 7 business days up to today (UTC's today is close enough to pick a default).
    const to = q.to ?? today('UTC');
    const from = q.from ?? addDays(to, -6);
    if (from > to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    else if (daysBetween(from, to).length > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `a range covers at most ${MAX_RANGE_DAYS} days` });
    return { ...q, from, to };
  });
export type RangeQuery = z.output<typeof rangeQuery>;

/** How each location of a result writes dates and money (domain/store-format.ts), for the page. */
export type LocationFormats = Record<string, { locale: string; timeZone: string; currency: string }>;

export interface ReportResult extends ReportTable {
  from: IsoDate;
  to: IsoDate;
  locations: string[];
  currency: string;
  formats: LocationFormats;
}

function formatsOf(scope: Scope): LocationFormats {
  return Object.fromEntries(scope.locations.map((l) => {
    const f = scope.formatOf(l.code);
    return [l.code, { locale: f.locale, timeZone: f.timeZone, currency: f.currency }];
  }));
}

const currencyOf = (locations: LocationInfo[]) => locations[0]?.currency ?? 'USD';

export async function runReport(couch: Couch, p: Principal, report: ReportName, q: RangeQuery): Promise<ReportResult> {
  authorize(p, 'report:view', 'Reports');
  const scope = await loadScope(couch, p, q.location);
  const loaded = await loadRange(couch, scope, q.from, q.to, { closes: report === 'z-reports', layaways: report === 'tenders' });
  const table = buildReport({
    report,
    ...loaded,
    catalog: scope.catalog,
    timeZoneOf: scope.timeZoneOf,
    formatOf: scope.formatOf,
    registerName: scope.registerName,
    days: daysBetween(q.from, q.to)
  });
  // ids the register wrote become names: people from the staff directory
  const person = (v: unknown) => (typeof v === 'string' && v.startsWith('user:') ? scope.staffName(v) : v);
  const rows = table.rows.map((r) => ({
    ...r,
    ...(r.cashierName !== undefined ? { cashierName: person(r.cashierName) as string } : {}),
    ...(r.closedBy !== undefined ? { closedBy: person(r.closedBy) as string } : {}),
    ...(report === 'sales-by-employee' ? { label: person(r.label) as string } : {})
  }));
  return { ...table, rows, from: q.from, to: q.to, locations: scope.locations.map((l) => l.code), currency: currencyOf(scope.locations), formats: formatsOf(scope) };
}

// ---------------------------------------------------------------------------------------------
// Dashboard

export interface Dashboard extends DashboardFigures {
  asOf: string;
  currency: string;
  formats: LocationFormats;
}

/**
 * Today and this week (Monday to today) per location, each in its own time zone, and in total. One
 * range read covers every location: from the earliest week start to the latest today, then each
 * location keeps its own days (domain/sales-analytics.ts dashboardOf, the reports' own figures).
 */
export async function dashboard(couch: Couch, p: Principal, location: string | undefined, now = new Date()): Promise<Dashboard> {
  authorize(p, 'report:view', 'The dashboard');
  const scope = await loadScope(couch, p, location);
  const base = { asOf: now.toISOString(), currency: currencyOf(scope.locations), formats: formatsOf(scope) };
  const all = [...dashboardDays(scope.locations, now).values()];
  if (!all.length) return { ...base, ...dashboardOf([], [], now), total: { today: totals([]), week: totals([]) } };
  const from = all.map((d) => d.weekStart).sort()[0]!;
  const to = all.map((d) => d.today).sort().at(-1)!;
  const { facts } = await loadRange(couch, scope, from, to);
  return { ...base, ...dashboardOf(facts, scope.locations, now) };
}

// ---------------------------------------------------------------------------------------------
// Sales journal

export const journalQuery = z
  .object({
    cashier: z.string().max(120).optional(),
    register: z.string().max(120).optional(),
    type: z.enum(['sale', 'return', 'voided']).optional(),
    q: z.string().trim().max(80).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(25)
  });

export interface JournalEntry {
  id: string;
  number: string;
  createdAt: string;
  day: IsoDate;
  locationCode: string;
  registerId: string;
  registerName: string;
  cashierId: string;
  cashierName: string;
  kind: SaleFact['kind'];
  voided: boolean;
  units: number;
  total: number;
  currency: string;
  tenders: string[];
}

export async function journal(couch: Couch, p: Principal, q: z.output<typeof journalQuery> & RangeQuery) {
  authorize(p, 'report:view', 'The sales journal');
  const scope = await loadScope(couch, p, q.location);
  const { facts } = await loadRange(couch, scope, q.from, q.to);
  const filter: JournalFilter = { ...(q.cashier ? { cashierId: q.cashier } : {}), ...(q.register ? { registerId: q.register } : {}), ...(q.type ? { type: q.type } : {}), ...(q.q ? { q: q.q } : {}) };
  const matching = facts.filter((f) => matchesJournal(f, filter)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const listed = facts.filter((f) => !f.reversal);
  const start = (q.page - 1) * q.pageSize;
  const who = (name: string) => (name.startsWith('user:') ? scope.staffName(name) : name);
  const entry = (f: SaleFact): JournalEntry => ({
    id: f.saleId,
    number: saleNumber(f.saleId),
    createdAt: f.createdAt,
    day: f.day,
    locationCode: f.locationCode,
    registerId: f.registerId,
    registerName: scope.registerName(f.registerId),
    cashierId: f.cashierId,
    cashierName: who(f.cashierName),
    kind: f.kind,
    voided: f.voided,
    units: f.figures.units,
    total: f.figures.total,
    currency: f.currency,
    tenders: Object.keys(f.tenders)
  });
  const uniq = (pairs: [string, string][]) => [...new Map(pairs).entries()].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  return {
    from: q.from,
    to: q.to,
    locations: scope.locations.map((l) => l.code),
    total: matching.length,
    page: q.page,
    pageSize: q.pageSize,
    sales: matching.slice(start, start + q.pageSize).map(entry),
    // what the filter drop-downs offer: the cashiers and registers of the range
    cashiers: uniq(listed.map((f) => [f.cashierId, who(f.cashierName)])),
    registers: uniq(listed.map((f) => [f.registerId, scope.registerName(f.registerId)])),
    formats: formatsOf(scope)
  };
}

export interface SaleDetail {
  sale: SaleDoc;
  void?: VoidDoc;
  fact: SaleFact;
  registerName: string;
  location: { code: string; name: string; address: string; timeZone: string; locale: string; currency: string };
  receipt: { header: string; footer: string };
  customer?: { id: string; name: string; email?: string };
}


export async function saleDetail(couch: Couch, p: Principal, code: string, saleId: string): Promise<SaleDetail> {
  authorize(p, 'report:view', 'The sales journal');
  const scope = await loadScope(couch, p, code);
  const found = await loadSale(couch, scope, code, saleId);
  const [loc, settings, customer] = await Promise.all([
    getOrNull<{ name: string; address?: string; timeZone: string; locale?: string; currency?: string }>(couch.use(catalogDb(p.tenantId)), `location:${code}`),
    getOrNull<{ receiptHeader?: string; receiptFooter?: string }>(couch.use(catalogDb(p.tenantId)), 'settings:tenant'),
    found.sale.customerId ? getOrNull<{ _id: string; firstName: string; lastName?: string; email?: string }>(couch.use(customersDb(p.tenantId)), found.sale.customerId) : Promise.resolve(null)
  ]);
  return {
    ...found,
    registerName: scope.registerName(found.sale.registerId),
    location: { code, name: loc?.name ?? code, address: loc?.address ?? '', timeZone: loc?.timeZone ?? scope.timeZoneOf(code), locale: scope.formatOf(code).locale, currency: scope.formatOf(code).currency },
    receipt: { header: settings?.receiptHeader ?? '', footer: settings?.receiptFooter ?? '' },
    ...(customer ? { customer: { id: customer._id, name: [customer.firstName, customer.lastName].filter(Boolean).join(' '), ...(customer.email ? { email: customer.email } : {}) } } : {})
  };
}

export const emailBody = z.object({ location: z.string().trim().toUpperCase(), to: z.email('must be an email address').max(200) });

/**
 * Queues the receipt email the way a register does: an `outbox` document in the location database
 * (template `receipt`, ref = the sale), which the outbox worker delivers. Written by the server, so
 * its id names the admin portal instead of a register: `outbox:admin:{ulid}`.
 */
export async function emailReceipt(couch: Couch, p: Principal, saleId: string, body: z.output<typeof emailBody>, requestId: string): Promise<OutboxDoc> {
  authorize(p, 'report:view', 'Emailing a receipt');
  const scope = await loadScope(couch, p, body.location);
  const { sale } = await loadSale(couch, scope, body.location, saleId);
  const parsed = outboxSchema.safeParse({
    _id: `outbox:admin:${newUlid()}`,
    type: 'outbox',
    locationCode: body.location,
    channel: 'email',
    to: body.to,
    template: 'receipt',
    ref: sale._id,
    createdBy: principalId(p),
    createdAt: new Date().toISOString()
  });
  if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? 'invalid email');
  await couch.use(locationDb(p.tenantId, body.location)).insert(parsed.data);
  await recordAudit(couch, p.tenantId, { action: 'receipt.email', actor: principalId(p), target: sale._id, details: { to: body.to, outbox: parsed.data._id }, requestId });
  return parsed.data;
}

export type { Scope };
