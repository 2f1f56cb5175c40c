import { toCsv } from './csv.ts';

/**
 * Timesheets from clock punches (`time_entry` documents a register writes: schemas/time.ts). Pure:
 * the server reads the punches and calls these. Punches are immutable events written offline on any
 * register of the location, so a forgotten clock-out or a double clock-in is normal data, not an
 * error: pairing tolerates both and flags what it could not pair instead of guessing hours.
 */

export interface Punch {
  _id: string;
  staffId: string;
  staffName: string;
  kind: 'in' | 'out';
  at: string;
}

/** A clock-in and its clock-out. Worked time is counted on the business day of the clock-in. */
export interface WorkedSpan {
  staffId: string;
  staffName: string;
  day: string;
  in: string;
  out: string;
  minutes: number;
}

export interface UnmatchedPunch {
  staffId: string;
  staffName: string;
  day: string;
  kind: 'in' | 'out';
  at: string;
  reason: 'no_clock_out' | 'no_clock_in' | 'too_long';
}

export interface TimesheetRow {
  staffId: string;
  staffName: string;
  day: string;
  minutes: number;
  spans: WorkedSpan[];
  unmatched: UnmatchedPunch[];
  /** clocked in and not out yet (the last punch, less than MAX_SPAN_MS ago) */
  openSince: string | null;
}

/** A span longer than this is a forgotten clock-out followed by a later clock-out, not a shift. */
export const MAX_SPAN_MS = 16 * 3_600_000;

/** `YYYY-MM-DD` of an instant in a time zone (the location's business day). */
export function businessDay(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export interface Pairing {
  spans: WorkedSpan[];
  unmatched: UnmatchedPunch[];
  open: { staffId: string; staffName: string; day: string; at: string }[];
}

/**
 * Pairs each staff member's punches in time order: in → out is a span; an "in" after an "in" leaves the
 * first unmatched (no clock-out); an "out" with no "in" before it is unmatched (no clock-in); a span
 * longer than MAX_SPAN_MS is flagged rather than paid. A last "in" within MAX_SPAN_MS of `now` is
 * someone still at work.
 */
export function pairPunches(punches: readonly Punch[], timeZone: string, now: string): Pairing {
  const byStaff = new Map<string, Punch[]>();
  for (const p of punches) byStaff.set(p.staffId, [...(byStaff.get(p.staffId) ?? []), p]);
  const out: Pairing = { spans: [], unmatched: [], open: [] };
  const flag = (p: Punch, reason: UnmatchedPunch['reason']) =>
    out.unmatched.push({ staffId: p.staffId, staffName: p.staffName, day: businessDay(p.at, timeZone), kind: p.kind, at: p.at, reason });
  for (const list of byStaff.values()) {
    list.sort((a, b) => a.at.localeCompare(b.at) || a._id.localeCompare(b._id));
    let open: Punch | null = null;
    for (const p of list) {
      if (p.kind === 'in') {
        if (open) flag(open, 'no_clock_out');
        open = p;
        continue;
      }
      if (!open) {
        flag(p, 'no_clock_in');
        continue;
      }
      const ms = Date.parse(p.at) - Date.parse(open.at);
      if (ms > MAX_SPAN_MS) {
        flag(open, 'too_long');
        flag(p, 'too_long');
      } else {
        out.spans.push({ staffId: p.staffId, staffName: open.staffName, day: businessDay(open.at, timeZone), in: open.at, out: p.at, minutes: Math.round(ms / 60_000) });
      }
      open = null;
    }
    if (open) {
      if (Date.parse(now) - Date.parse(open.at) <= MAX_SPAN_MS) out.open.push({ staffId: open.staffId, staffName: open.staffName, day: businessDay(open.at, timeZone), at: open.at });
      else flag(open, 'no_clock_out');
    }
  }
  return out;
}

/** Rows per staff member per business day in [from, to] (inclusive, `YYYY-MM-DD`), by day then name. */
export function timesheet(punches: readonly Punch[], opts: { timeZone: string; from: string; to: string; now: string }): TimesheetRow[] {
  const { spans, unmatched, open } = pairPunches(punches, opts.timeZone, opts.now);
  const rows = new Map<string, TimesheetRow>();
  const inRange = (day: string) => day >= opts.from && day <= opts.to;
  const row = (staffId: string, staffName: string, day: string) => {
    const key = `${day}\u0000${staffId}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { staffId, staffName, day, minutes: 0, spans: [], unmatched: [], openSince: null }));
    return r;
  };
  for (const s of spans) if (inRange(s.day)) {
    const r = row(s.staffId, s.staffName, s.day);
    r.spans.push(s);
    r.minutes += s.minutes;
  }
  for (const u of unmatched) if (inRange(u.day)) row(u.staffId, u.staffName, u.day).unmatched.push(u);
  for (const o of open) if (inRange(o.day)) row(o.staffId, o.staffName, o.day).openSince = o.at;
  return [...rows.values()].sort((a, b) => a.day.localeCompare(b.day) || a.staffName.localeCompare(b.staffName) || a.staffId.localeCompare(b.staffId));
}

/** Hours with two decimals, from minutes (payroll reads hours). */
export const hoursOf = (minutes: number): string => (minutes / 60).toFixed(2);

/** The CSV export of a timesheet: one line per staff member per day. */
export function timesheetCsv(rows: readonly TimesheetRow[], location: string): string {
  return toCsv([
    ['location', 'business_day', 'staff_id', 'staff_name', 'hours', 'minutes', 'first_in', 'last_out', 'unmatched_punches', 'clocked_in_since'],
    ...rows.map((r) => [
      location,
      r.day,
      r.staffId,
      r.staffName,
      hoursOf(r.minutes),
      String(r.minutes),
      r.spans[0]?.in ?? '',
      r.spans.at(-1)?.out ?? '',
      String(r.unmatched.length),
      r.openSince ?? ''
    ])
  ]);
}
