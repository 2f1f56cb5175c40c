import { storeFormat, type StoreFormat, type StoreLocale } from '../../domain/store-format.ts';

/** Display helpers shared by the dashboard, journal and reports pages. */

/** Money in a currency, in a locale (default: the currency's usual one, domain/store-format.ts). */
export const money = (currency: string, locale?: string) => storeFormat({ locale, timeZone: 'UTC', currency }).money;

/**
 * The formatter of a location from an answer's `formats` (its locale, time zone and currency: how the
 * store writes dates and money); with no location, the first one's (tenant-wide figures).
 */
export function formatOf(formats: Record<string, StoreLocale> | undefined, code?: string, currency = 'USD'): StoreFormat {
  const f = (code ? formats?.[code] : undefined) ?? Object.values(formats ?? {})[0];
  return storeFormat(f ?? { timeZone: 'UTC', currency });
}

/** A local date (the browser's) as YYYY-MM-DD, for date inputs' defaults. */
export function localDate(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function daysAgo(n: number, d = new Date()): string {
  return localDate(new Date(d.getFullYear(), d.getMonth(), d.getDate() - n));
}

export const TENDER_NAMES: Record<string, string> = {
  cash: 'Cash',
  card_external: 'Card',
  card_stripe: 'Card (Stripe)',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  layaway: 'Layaway'
};
