import { describe, expect, it } from 'vitest';
import { ean13, gtinCheckDigit, isValidGtin, toGtin14 } from './gtin.ts';

describe('GTIN check digits', () => {
  it.each(['4006381333931', '036000291452', '10614141000415', '96385074', '5901234123457'])('accepts %s', (code) => {
    expect(isValidGtin(code)).toBe(true);
  });
  it.each(['4006381333932', '036000291453', '10614141000416', '96385075', '123', '40063813339311', 'abcdefghijklm', ''])('rejects %s', (code) => {
    expect(isValidGtin(code)).toBe(false);
  });
  it('completes bodies and pads to GTIN-14', () => {
    expect(ean13('400638133393')).toBe('4006381333931');
    expect(gtinCheckDigit('03600029145')).toBe(2);
    expect(toGtin14('036000291452')).toBe('00036000291452');
    expect(() => ean13('12')).toThrow();
  });
});
