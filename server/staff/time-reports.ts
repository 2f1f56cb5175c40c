import { z } from 'zod';
import { PLATFORM_DB, catalogDb, locationDb } from '#domain/db-names.ts';
import { locationCode } from '#domain/schemas/common.ts';
import type { ShiftCloseDoc, ShiftDoc, TimeEntryDoc } from '#domain/schemas/index.ts';
import { storedShiftReport } from '#domain/shift-report.ts';
import { storeFormat } from '#domain/store-format.ts';
import { businessDay, timesheet, type Punch, type TimesheetRow } from '#domain/timesheet.ts';
import { getOr404, statusOf, type Couch, type Db } from '../couch/client.ts';
import { badRequest } from '../errors.ts';

/**
 * Time entries and register shifts of one location, read for the staff pages. Both are event documents
 * registers write into the location database (`time_entry:{register}:{ulid}`, `shift:…`, `shift_close:…`);
 * one id-prefix range each, no view, so nothing has to build an index first. The range filter is by
 * business day in the location's time zone (the location document in the catalog).
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_RANGE_DAYS = 93;

export const rangeQuery = z
  .object({
    location: z.string().trim().toUpperCase().pipe(locationCode),
    from: z.string().regex(DAY, 'must be a date like 2026-03-01'),
    to: z.string().regex(DAY, 'must be a date like 2026-03-31'),
    format: z.enum(['json', 'csv']).default('json')
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= MAX_RANGE_DAYS, { path: ['to'], message: `the range may span at most ${MAX_RANGE_DAYS} days` });
export type RangeQuery = z.output<typeof rangeQuery>;

async function byPrefix<T>(db: Db, prefix: string): Promise<T[]> {
  const res = await db.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true });
  return res.rows.map((r) => r.doc as unknown as T).filter(Boolean);
}

export async function locationTimeZone(couch: Couch, tenantId: string, code: string): Promise<string> {
  const loc = await getOr404<{ timeZone?: string }>(couch.use(catalogDb(tenantId)), `location:${code}`, `No location ${code} in this tenant`);
  return loc.timeZone ?? 'UTC';
}

/** Instants that can fall on a business day in [from, to] in any time zone (±14 h), plus a shift's length. */
function roughWindow(q: RangeQuery, marginMs: number): { start: number; end: number } {
  return { start: Date.parse(`${q.from}T00:00:00Z`) - 14 * 3_600_000 - marginMs, end: Date.parse(`${q.to}T00:00:00Z`) + 38 * 3_600_000 + marginMs };
}

export interface TimesheetResult {
  location: string;
  timeZone: string;
  from: string;
  to: string;
  rows: TimesheetRow[];
  totalMinutes: number;
  unmatchedCount: number;
}

export async function locationTimesheet(couch: Couch, tenantId: string, q: RangeQuery, now = new Date().toISOString()): Promise<TimesheetResult> {
  const timeZone = await locationTimeZone(couch, tenantId, q.location);
  // a day's pairing needs the punches either side of it (an overnight shift, a clock-out next morning)
  const w = roughWindow(q, 24 * 3_600_000);
  const entries = await byPrefix<TimeEntryDoc>(couch.use(locationDb(tenantId, q.location)), 'time_entry:');
  const punches: Punch[] = entries
    .filter((e) => e.type === 'time_entry' && Date.parse(e.at) >= w.start && Date.parse(e.at) <= w.end)
    .map((e) => ({ _id: e._id, staffId: e.staffId, staffName: e.staffName, kind: e.kind, at: e.at }));
  const rows = timesheet(punches, { timeZone, from: q.from, to: q.to, now });
  return {
    location: q.location,
    timeZone,
    from: q.from,
    to: q.to,
    rows,
    totalMinutes: rows.reduce((a, r) => a + r.minutes, 0),
    unmatchedCount: rows.reduce((a, r) => a + r.unmatched.length, 0)
  };
}

export interface ShiftSummary {
  id: string;
  registerId: string;
  registerName: string;
  day: string;
  openedAt: string;
  openedBy: string;
  openedByName: string;
  openingFloat: number;
  closedAt: string | null;
  closedByName: string | null;
  countedCash: number | null;
  expectedCash: number | null;
  overShort: number | null;
  netSales: number | null;
}

async function registerNames(couch: Couch, registerIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(registerIds)].filter((id) => id.startsWith('device:'));
  if (!ids.length) return new Map();
  const res = await couch.use(PLATFORM_DB).fetch({ keys: ids });
  const out = new Map<string, string>();
  for (const row of res.rows) {
    const doc = (row as { doc?: { _id: string; name?: string } | null }).doc;
    if (doc?.name) out.set(doc._id, doc.name);
  }
  return out;
}

function summary(s: ShiftDoc, close: ShiftCloseDoc | undefined, names: Map<string, string>, timeZone: string): ShiftSummary {
  const net = storedShiftReport(close?.report)?.figures.net;
  return {
    id: s._id,
    registerId: s.registerId,
    registerName: names.get(s.registerId) ?? s.registerId.replace(/^device:/, ''),
    day: businessDay(s.openedAt, timeZone),
    openedAt: s.openedAt,
    openedBy: s.openedBy,
    openedByName: s.openedByName ?? s.openedBy,
    openingFloat: s.openingFloat,
    closedAt: close?.closedAt ?? null,
    closedByName: close ? (close.closedByName ?? close.closedBy) : null,
    countedCash: close?.countedCash ?? null,
    expectedCash: close?.expectedCash ?? null,
    overShort: close?.overShort ?? null,
    netSales: typeof net === 'number' ? net : null
  };
}

/** Shifts opened on business days in [from, to], newest first, with their close (if any). */
export async function locationShifts(couch: Couch, tenantId: string, q: RangeQuery): Promise<{ location: string; timeZone: string; locale: string; currency: string; shifts: ShiftSummary[] }> {
  const timeZone = await locationTimeZone(couch, tenantId, q.location);
  const db = couch.use(locationDb(tenantId, q.location));
  const w = roughWindow(q, 0);
  const [shifts, closes] = await Promise.all([byPrefix<ShiftDoc>(db, 'shift:'), byPrefix<ShiftCloseDoc>(db, 'shift_close:')]);
  const inRange = shifts.filter((s) => s.type === 'shift' && Date.parse(s.openedAt) >= w.start && Date.parse(s.openedAt) <= w.end);
  const closeOf = new Map(closes.map((c) => [c.shiftId, c]));
  const names = await registerNames(couch, inRange.map((s) => s.registerId));
  const list = inRange
    .map((s) => summary(s, closeOf.get(s._id), names, timeZone))
    .filter((s) => s.day >= q.from && s.day <= q.to)
    .sort((a, b) => b.openedAt.localeCompare(a.openedAt));
  return { location: q.location, timeZone, locale: await locationLocale(couch, tenantId, q.location, timeZone), currency: await locationCurrency(couch, tenantId, q.location), shifts: list };
}

async function locationCurrency(couch: Couch, tenantId: string, code: string): Promise<string> {
  const loc = (await couch.use(catalogDb(tenantId)).get(`location:${code}`)) as { currency?: string };
  return loc.currency ?? 'USD';
}

/** The location's locale as its formatter resolves it (its own, else its currency's default). */
async function locationLocale(couch: Couch, tenantId: string, code: string, timeZone: string): Promise<string> {
  const loc = (await couch.use(catalogDb(tenantId)).get(`location:${code}`)) as { currency?: string; locale?: string };
  return storeFormat({ locale: loc.locale, timeZone, currency: loc.currency ?? 'USD' }).locale;
}

const SHIFT_ID = /^shift:[A-Za-z0-9_-]+:[0-9A-HJKMNP-TV-Z]{26}$/;

/** One shift with its close document and the Z report stored in it. */
export async function shiftDetail(couch: Couch, tenantId: string, location: string, id: string) {
  if (!SHIFT_ID.test(id)) throw badRequest('id: must be a shift id (shift:{register}:{ulid})');
  const timeZone = await locationTimeZone(couch, tenantId, location);
  const db = couch.use(locationDb(tenantId, location));
  const shift = await getOr404<ShiftDoc>(db, id, `No shift ${id} at ${location}`);
  let close: ShiftCloseDoc | null = null;
  try {
    close = (await db.get(`shift_close:${id.slice('shift:'.length)}`)) as unknown as ShiftCloseDoc;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  const names = await registerNames(couch, [shift.registerId]);
  return {
    location,
    timeZone,
    locale: await locationLocale(couch, tenantId, location, timeZone),
    currency: await locationCurrency(couch, tenantId, location),
    shift: summary(shift, close ?? undefined, names, timeZone),
    close: close ? { closedAt: close.closedAt, closedBy: close.closedBy, closedByName: close.closedByName ?? null, denominations: close.denominations, unsyncedAtClose: close.unsyncedAtClose, approvals: close.approvals } : null,
    // the Z report as the register stored it, read by today's definitions (an older one converted)
    report: storedShiftReport(close?.report)
  };
}
