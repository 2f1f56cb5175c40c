/**
 * Business days in a location's time zone. Reports bucket sales by the shop's local calendar day, not
 * UTC: a sale at 21:30 in New York on 3 March is a 3 March sale although its UTC timestamp reads
 * 4 March. Pure (Intl only), so the server's reports and the browser agree.
 */

export type IsoDate = string; // YYYY-MM-DD

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(ms: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

/** The zone's offset from UTC at instant `ms`, in ms (New York in winter: −5 h). */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local calendar day of an ISO instant in `timeZone`. */
export function businessDay(iso: string, timeZone: string): IsoDate {
  const p = localParts(Date.parse(iso), timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** The local hour (0–23) of an ISO instant in `timeZone`. */
export function localHour(iso: string, timeZone: string): number {
  return localParts(Date.parse(iso), timeZone).hour;
}

export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

/** `date` plus `n` calendar days. */
export function addDays(date: IsoDate, n: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to`, both included. */
export function daysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The first instant of local day `date` in `timeZone` (ms since epoch). Local midnight is UTC midnight
 * minus the offset in force then; the offset is looked up twice because it may change between the
 * guess and the answer (DST). Where midnight itself does not exist (zones that spring forward at
 * 00:00) the day starts at the first local instant that does, which the second lookup lands on.
 */
export function startOfDay(date: IsoDate, timeZone: string): number {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const first = guess - offsetAt(guess, timeZone);
  const t = guess - offsetAt(first, timeZone);
  // In a spring-forward gap at midnight the second answer lands on the previous day's 23:00; the
  // first (with the old offset) is then the first instant of the day (01:00 new time).
  return businessDay(new Date(t).toISOString(), timeZone) < date ? first : t;
}

/** UTC ISO bounds [start, end) of the inclusive business-day range `from`…`to` in `timeZone`. */
export function utcRange(from: IsoDate, to: IsoDate, timeZone: string): { start: string; end: string } {
  return { start: new Date(startOfDay(from, timeZone)).toISOString(), end: new Date(startOfDay(addDays(to, 1), timeZone)).toISOString() };
}

/** Today's business day in `timeZone` at instant `now`. */
export function today(timeZone: string, now = new Date()): IsoDate {
  return businessDay(now.toISOString(), timeZone);
}

/** Monday of the ISO week holding `date` (weeks start on Monday). */
export function weekStart(date: IsoDate): IsoDate {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((dow + 6) % 7));
}
