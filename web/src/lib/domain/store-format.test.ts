import { describe, expect, it } from 'vitest';
import { locationSchema } from './schemas/index.ts';
import { defaultLocale, isLocale, printable, shiftLabel, storeFormat } from './store-format.ts';

describe('store format: the store’s locale, time zone and currency, never the device’s', () => {
  const at = '2026-03-04T02:30:00.000Z'; // 21:30 on 3 March in New York, 03:30 on 4 March in Paris

  it('writes dates and times in the location’s zone and locale', () => {
    const ny = storeFormat({ locale: 'en-US', timeZone: 'America/New_York', currency: 'USD' });
    // (Intl's spaces vary by ICU version: compared as printed)
    expect(printable(ny.dateTime(at))).toBe('Mar 3, 2026, 9:30 PM');
    expect(printable(ny.shortDateTime(at))).toBe('Mar 3, 9:30 PM');
    expect(ny.date(at)).toBe('Mar 3, 2026');
    expect(ny.stamp(at)).toBe('2026-03-03 21:30');
    const paris = storeFormat({ locale: 'fr-FR', timeZone: 'Europe/Paris', currency: 'EUR' });
    expect(paris.dateTime(at)).toBe('4 mars 2026, 3:30');
    expect(printable(paris.money(123456))).toBe('1 234,56 €');
    expect(paris.stamp(at)).toBe('2026-03-04 03:30');
    // a business day is a calendar date: no zone moves it
    expect(storeFormat({ locale: 'en-US', timeZone: 'Pacific/Kiritimati', currency: 'USD' }).day('2026-03-03')).toBe('Tue, Mar 3, 2026');
    expect(paris.weekday('2026-03-03')).toBe('mar.');
  });

  it('defaults the locale from the currency; bad settings fall back instead of stopping a sale', () => {
    expect(defaultLocale('CAD')).toBe('en-CA');
    expect(defaultLocale('GBP')).toBe('en-GB');
    expect(defaultLocale('XYZ')).toBe('en-US');
    expect(storeFormat({ timeZone: 'Europe/London', currency: 'GBP' }).locale).toBe('en-GB');
    expect(storeFormat({ locale: 'not a locale!', timeZone: 'Nowhere/Land', currency: 'USD' })).toMatchObject({ locale: 'en-US', timeZone: 'UTC' });
    expect(isLocale('fr-CA')).toBe(true);
    expect(isLocale('not a locale!')).toBe(false);
  });

  it('prints with plain spaces (printer code pages lack Intl’s no-break and full-width characters)', () => {
    expect(printable('1\u202f234,56\u00a0€ · 9:30\u202fPM · ￥1,500')).toBe('1 234,56 € · 9:30 PM · ¥1,500');
    expect(storeFormat({ locale: 'ja-JP', timeZone: 'Asia/Tokyo', currency: 'JPY' }, { plain: true }).money(1500)).toBe('¥1,500');
  });

  it('names a shift by its register and when it opened, never its id', () => {
    const f = storeFormat({ locale: 'en-US', timeZone: 'America/Los_Angeles', currency: 'USD' });
    expect(printable(shiftLabel('Front till', '2026-03-03T17:05:00.000Z', f))).toBe('Front till · Mar 3, 9:05 AM');
  });

  it('the location document takes a locale, checked', () => {
    const loc = { _id: 'location:GM', type: 'location', code: 'GM', name: 'Grand Mall', timeZone: 'America/New_York', currency: 'USD', updatedAt: '2026-03-03T00:00:00.000Z', updatedBy: 'user:o' };
    expect(locationSchema.safeParse(loc).success).toBe(true);
    expect(locationSchema.safeParse({ ...loc, locale: 'fr-CA' }).success).toBe(true);
    expect(locationSchema.safeParse({ ...loc, locale: 'klingon!!' }).success).toBe(false);
  });
});
