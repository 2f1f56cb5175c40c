/**
 * Dates, times, numbers and money as the store reads them: one formatter per location, keyed by its
 * locale, time zone and currency (Intl), never the device's language or clock zone and never a raw
 * ISO string. The register (receipts, X/Z, void and layaway slips, lookups) and the admin portal
 * (reports, journal, tables) format through this. Pure: Intl only, formatters cached per key.
 */
import { formatMoney } from './money.ts';

export interface StoreLocale {
  /** BCP 47 (en-US, en-GB, fr-CA); absent: the default for the currency */
  locale?: string | undefined;
  /** IANA time zone of the location */
  timeZone: string;
  /** ISO 4217 */
  currency: string;
}

/** A locale for a currency when the location names none: how shops paying in it usually write. */
const LOCALE_OF_CURRENCY: Record<string, string> = {
  USD: 'en-US',
  CAD: 'en-CA',
  GBP: 'en-GB',
  EUR: 'en-IE',
  AUD: 'en-AU',
  NZD: 'en-NZ',
  JPY: 'ja-JP',
  CHF: 'de-CH',
  SEK: 'sv-SE',
  NOK: 'nb-NO',
  DKK: 'da-DK',
  INR: 'en-IN',
  MXN: 'es-MX',
  BRL: 'pt-BR',
  ZAR: 'en-ZA',
  SGD: 'en-SG',
  HKD: 'en-HK'
};

export function defaultLocale(currency: string): string {
  return LOCALE_OF_CURRENCY[currency] ?? 'en-US';
}

/** True for a locale tag Intl understands (and canonicalises to itself or an alias of it). */
export function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1 && new Intl.NumberFormat(tag).resolvedOptions().locale.length > 0;
  } catch {
    return false;
  }
}

/**
 * Intl puts no-break and thin spaces in ("2,48 €", "10:05 PM") and writes yen full-width in ja-JP
 * ("￥1,500"); printer code pages lack them.
 */
export function printable(s: string): string {
  return s.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/\uffe5/g, '\u00a5');
}

export interface StoreFormat {
  readonly locale: string;
  readonly timeZone: string;
  readonly currency: string;
  /** integer minor units → "$1,234.56" / "1 234,56 €" */
  money(minor: number): string;
  /** a count with the locale's grouping */
  number(n: number): string;
  /** "Mar 3, 2026, 9:30 PM" in the store's zone */
  dateTime(iso: string | Date): string;
  /** "Mar 3, 9:30 PM" (no year) */
  shortDateTime(iso: string | Date): string;
  /** "Mar 3, 2026" */
  date(iso: string | Date): string;
  /** "9:30 PM" */
  time(iso: string | Date): string;
  /** a business day (YYYY-MM-DD, already the store's) → "Tue, Mar 3, 2026" */
  day(isoDate: string): string;
  /** a business day → "Tue" */
  weekday(isoDate: string): string;
  /** a business day → "Mar 3" (chart axes) */
  shortDay(isoDate: string): string;
  /** a local hour 0–23 → "9 PM" / "21:00" */
  hour(h: number): string;
  /** "2026-03-03 21:30": the store's wall clock in a form spreadsheets sort and parse (CSV) */
  stamp(iso: string | Date): string;
}

const cache = new Map<string, StoreFormat>();

/**
 * The formatter for a location. `plain` swaps Intl's no-break spaces for spaces (paper receipts).
 * An unknown locale or zone falls back to the currency's locale and UTC rather than throwing: a bad
 * setting must not stop a sale from printing.
 */
export function storeFormat(s: StoreLocale, opts: { plain?: boolean } = {}): StoreFormat {
  const locale = s.locale && isLocale(s.locale) ? s.locale : defaultLocale(s.currency);
  let timeZone = s.timeZone || 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    timeZone = 'UTC';
  }
  const key = `${locale}|${timeZone}|${s.currency}|${opts.plain ? 1 : 0}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = opts.plain ? printable : (x: string) => x;
  const dt = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone, ...o });
  const full = dt({ year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  const short = dt({ month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  const dateOnly = dt({ year: 'numeric', month: 'short', day: 'numeric' });
  const timeOnly = dt({ hour: 'numeric', minute: '2-digit' });
  // business days are calendar dates already: format them at noon UTC so no zone moves them
  const dayF = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
  const weekdayF = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short' });
  const shortDayF = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  const hourF = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', hour: 'numeric' });
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const numberF = new Intl.NumberFormat(locale);
  const asDate = (d: string | Date) => (typeof d === 'string' ? new Date(d) : d);
  const noon = (isoDate: string) => new Date(`${isoDate}T12:00:00Z`);
  const f: StoreFormat = {
    locale,
    timeZone,
    currency: s.currency,
    money: (minor) => out(formatMoney(minor, s.currency, locale)),
    number: (n) => out(numberF.format(n)),
    dateTime: (d) => out(full.format(asDate(d))),
    shortDateTime: (d) => out(short.format(asDate(d))),
    date: (d) => out(dateOnly.format(asDate(d))),
    time: (d) => out(timeOnly.format(asDate(d))),
    day: (isoDate) => out(dayF.format(noon(isoDate))),
    weekday: (isoDate) => out(weekdayF.format(noon(isoDate))),
    shortDay: (isoDate) => out(shortDayF.format(noon(isoDate))),
    hour: (h) => out(hourF.format(new Date(Date.UTC(2000, 0, 1, h)))),
    stamp: (d) => {
      const p: Record<string, string> = {};
      for (const x of parts.formatToParts(asDate(d))) p[x.type] = x.value;
      return `${p.year}-${p.month}-${p.day} ${p.hour === '24' ? '00' : p.hour}:${p.minute}`;
    }
  };
  cache.set(key, f);
  return f;
}

/** A shift named for people: "Front till · Mar 3, 9:05 AM" (its register and when it opened), never its id. */
export function shiftLabel(registerName: string, openedAt: string | undefined, fmt: StoreFormat): string {
  return openedAt ? `${registerName} · ${fmt.shortDateTime(openedAt)}` : registerName;
}
