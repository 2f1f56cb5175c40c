/**
 * Receipt numbers people can read back: `GM1-20261201-0042` = register short code, the store's
 * local date, and a per-register daily counter. Made offline by the register (its counter is local),
 * unique because the short code is unique per tenant (handed out once at enrolment) and each
 * register counts its own day. Pure: the register keeps the counter (register/receipt-counter.ts).
 */
import { RECEIPT_NO_PATTERN } from './schemas/location.ts';

export { RECEIPT_NO_PATTERN };

/** The calendar day of `at` in the store's time zone, as `YYYYMMDD` (never the device's zone). */
export function storeDate(at: Date | string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(typeof at === 'string' ? new Date(at) : at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}${get('month')}${get('day')}`;
}

export function formatReceiptNo(shortCode: string, date: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1 || n > 999_999) throw new RangeError(`receipt counter out of range: ${n}`);
  const no = `${shortCode}-${date}-${String(n).padStart(4, '0')}`;
  if (!RECEIPT_NO_PATTERN.test(no)) throw new RangeError(`not a receipt number: ${no}`);
  return no;
}

export interface ParsedReceiptNo {
  shortCode: string;
  date: string;
  n: number;
}

export function parseReceiptNo(text: string): ParsedReceiptNo | null {
  const t = text.trim().toUpperCase();
  if (!RECEIPT_NO_PATTERN.test(t)) return null;
  const [shortCode, date, n] = t.split('-') as [string, string, string];
  return { shortCode, date, n: Number(n) };
}

/** The counter a register keeps: the store date it counts and the last number it gave out. */
export interface ReceiptCounter {
  date: string;
  last: number;
}

/**
 * The next number for `date`: one past the highest this register has used that day, whether the
 * counter says it or its own latest sale does (a replica rebuilt from the server brings the sales
 * back but not the device-local counter; never hand out a number twice). A new day starts at 1.
 */
export function nextReceiptNumber(counter: ReceiptCounter | null, date: string, latestOwnSaleNo: string | null | undefined): number {
  const fromCounter = counter && counter.date === date ? counter.last : 0;
  const parsed = latestOwnSaleNo ? parseReceiptNo(latestOwnSaleNo) : null;
  const fromSales = parsed && parsed.date === date ? parsed.n : 0;
  return Math.max(fromCounter, fromSales) + 1;
}

/**
 * A register enrolled before short codes existed has none: its location code and the last four
 * characters of its device id (a ulid's random part) stand in, e.g. `GM7KQ2`.
 */
export function fallbackShortCode(locationCode: string, deviceId: string): string {
  return `${locationCode}${deviceId.replace(/[^0-9A-Za-z]/g, '').slice(-4).toUpperCase()}`.slice(0, 12);
}

/** What a sale is called on screen and on paper: its receipt number, or for older sales the id's last 8 characters. */
export function saleLabel(sale: { _id: string; receiptNo?: string | undefined }): string {
  return sale.receiptNo ?? sale._id.slice(-8);
}
