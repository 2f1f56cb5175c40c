import { formatMoney } from '../../domain/money.ts';

/** Display helpers shared by the dashboard, journal and reports pages. */

export const money = (currency: string) => (minor: number) => formatMoney(minor, currency);

/** A local date (the browser's) as YYYY-MM-DD, for date inputs' defaults. */
export function localDate(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function daysAgo(n: number, d = new Date()): string {
  return localDate(new Date(d.getFullYear(), d.getMonth(), d.getDate() - n));
}

/** A sale's time in its shop's time zone (the business day reports use), e.g. "Mar 3, 9:30 PM". */
export function shopTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleString('en-US', { ...(timeZone ? { timeZone } : {}), month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}

export const TENDER_NAMES: Record<string, string> = {
  cash: 'Cash',
  card_external: 'Card',
  card_stripe: 'Card (Stripe)',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  layaway: 'Layaway'
};
