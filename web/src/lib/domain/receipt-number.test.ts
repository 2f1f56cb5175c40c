import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fallbackShortCode, formatReceiptNo, nextReceiptNumber, parseReceiptNo, saleLabel, storeDate } from './receipt-number.ts';

describe('receipt numbers', () => {
  it('use the store’s local date, not UTC or the device’s', () => {
    // 02:30 UTC on Dec 2 is still Dec 1 in New York, already Dec 2 in Berlin
    expect(storeDate('2026-12-02T02:30:00Z', 'America/New_York')).toBe('20261201');
    expect(storeDate('2026-12-02T02:30:00Z', 'Europe/Berlin')).toBe('20261202');
  });

  it('format and parse back: GM1-20261201-0042', () => {
    expect(formatReceiptNo('GM1', '20261201', 42)).toBe('GM1-20261201-0042');
    expect(formatReceiptNo('GM1', '20261201', 12345)).toBe('GM1-20261201-12345');
    expect(parseReceiptNo(' gm1-20261201-0042 ')).toEqual({ shortCode: 'GM1', date: '20261201', n: 42 });
    expect(parseReceiptNo('GM1:01JABC')).toBeNull();
    expect(() => formatReceiptNo('GM1', '20261201', 0)).toThrow(RangeError);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][A-Z0-9]{1,9}$/), fc.integer({ min: 1, max: 999_999 }), (code, n) => {
        const no = formatReceiptNo(code, '20261201', n);
        expect(parseReceiptNo(no)).toEqual({ shortCode: code, date: '20261201', n });
      })
    );
  });

  it('count per day, never below what the register’s own sales already used', () => {
    expect(nextReceiptNumber(null, '20261201', null)).toBe(1);
    expect(nextReceiptNumber({ date: '20261201', last: 41 }, '20261201', null)).toBe(42);
    expect(nextReceiptNumber({ date: '20261130', last: 90 }, '20261201', null)).toBe(1); // a new day
    // the local counter was lost (replica rebuilt from the server), the sales came back
    expect(nextReceiptNumber(null, '20261201', 'GM1-20261201-0042')).toBe(43);
    expect(nextReceiptNumber({ date: '20261201', last: 50 }, '20261201', 'GM1-20261201-0042')).toBe(51);
    expect(nextReceiptNumber(null, '20261202', 'GM1-20261201-0042')).toBe(1);
  });

  it('label older sales by the end of their id; registers enrolled before short codes get one from their id', () => {
    expect(saleLabel({ _id: 'sale:D1:01JABCDEFGHJKMNPQRSTVWXYZ0', receiptNo: 'GM1-20261201-0042' })).toBe('GM1-20261201-0042');
    expect(saleLabel({ _id: 'sale:D1:01JABCDEFGHJKMNPQRSTVWXYZ0' })).toBe('TVWXYZ0'.padStart(8, 'S'));
    expect(fallbackShortCode('GM', '01JABCDEFGHJKMNPQRST7KQ2')).toBe('GM7KQ2');
  });
});
