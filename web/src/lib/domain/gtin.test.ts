import { describe, expect, it } from 'vitest';
import { ean13, gtinCheckDigit, isValidGtin, normaliseGtin, toGtin14 } from './gtin.ts';

describe('GTIN check digits', () => {
  it.each(['4006381333931', '036000291452', '10614141000415', '96385074', '5901234123457'])('accepts %s', (code) => {
    expect(isValidGtin(code)).toBe(true);
  });
  it.each(['4006381333932', '036000291453', '10614141000416', '96385075', '123', '40063813339311', 'abcdefghijklm', '40063813339a1', ' 4006381333931', '4006381333931 ', ''])('rejects %s', (code) => {
    expect(isValidGtin(code)).toBe(false);
  });
  it('completes bodies and pads to GTIN-14', () => {
    expect(ean13('400638133393')).toBe('4006381333931');
    expect(gtinCheckDigit('03600029145')).toBe(2);
    expect(toGtin14('036000291452')).toBe('00036000291452');
    expect(ean13('590123412345')).toBe('5901234123457');
    expect(isValidGtin(ean13('200000000001'))).toBe(true);
    expect(toGtin14('96385074')).toBe('00000096385074');
    expect(toGtin14('10614141000415')).toBe('10614141000415');
    expect(() => ean13('12')).toThrow();
    expect(() => ean13('40063813339a')).toThrow();
    expect(() => gtinCheckDigit('12x')).toThrow();
  });
});

describe('GTIN normalisation (scanners and tags spell one item several ways)', () => {
  it.each([
    ['036000291452', '00036000291452'], // UPC-A
    ['0036000291452', '00036000291452'], // the same as EAN-13
    ['00036000291452', '00036000291452'], // GTIN-14
    ['96385074', '00000096385074'], // GTIN-8
    ['4006381333931', '04006381333931'],
    ['400 6381 33393 1', '04006381333931'],
    ['80614141123458', '80614141123458'] // indicator digit 8 kept
  ])('%s → %s', (code, g14) => {
    expect(normaliseGtin(code)).toBe(g14);
  });
  it.each(['036000291453', '123', '', 'ABCDEFGHIJKLM', '000036000291452'])('rejects %s', (code) => {
    expect(normaliseGtin(code)).toBeNull();
  });
});
