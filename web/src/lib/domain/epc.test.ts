import { describe, expect, it } from 'vitest';
import { classifyTag, companyPrefixFor, decodeEpc, encodeSgtin96, EpcEncodeError, escapeEpcComponent, normaliseEpcHex, sgtin96Series, SGTIN96_MAX_SERIAL } from './epc.ts';
import { isValidGtin } from './gtin.ts';

/**
 * Vectors from the GS1 EPC Tag Data Standard's worked examples (company prefix 0614141): the binary
 * encodings in its appendix "Examples" and the URIs of the scheme sections. Each is checked both ways.
 */
const TDS_VECTORS = [
  { scheme: 'sgtin-96', hex: '3074257BF7194E4000001A85', tagUri: 'urn:epc:tag:sgtin-96:3.0614141.812345.6789', idUri: 'urn:epc:id:sgtin:0614141.812345.6789', gtin: '80614141123458', serial: '6789' },
  { scheme: 'sgtin-198', hex: '3674257BF6B7A659B2C2BF1000000000000000000000000000', tagUri: 'urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb', idUri: 'urn:epc:id:sgtin:0614141.712345.32a%2Fb', gtin: '70614141123451', serial: '32a/b' },
  { scheme: 'sscc-96', hex: '3174257BF4499602D2000000', tagUri: 'urn:epc:tag:sscc-96:3.0614141.1234567890', idUri: 'urn:epc:id:sscc:0614141.1234567890' },
  { scheme: 'grai-96', hex: '3374257BF40C0E4000000190', tagUri: 'urn:epc:tag:grai-96:3.0614141.12345.400', idUri: 'urn:epc:id:grai:0614141.12345.400' },
  { scheme: 'gid-96', hex: '355AB1C60003039000000190', tagUri: 'urn:epc:tag:gid-96:95100000.12345.400', idUri: 'urn:epc:id:gid:95100000.12345.400' }
] as const;

describe('EPC decoding (GS1 TDS examples)', () => {
  it.each(TDS_VECTORS)('$scheme $hex', (v) => {
    const d = decodeEpc(v.hex);
    expect(d.scheme).toBe(v.scheme);
    expect(d.tagUri).toBe(v.tagUri);
    expect(d.idUri).toBe(v.idUri);
    if ('gtin' in v) {
      expect(d.gtin).toBe(v.gtin);
      expect(isValidGtin(d.gtin!)).toBe(true);
      expect(d.serial).toBe(v.serial);
    }
    if (v.scheme !== 'gid-96') expect(d.companyPrefix).toBe('0614141'); // leading zero kept
    else expect(d.companyPrefix).toBeUndefined();
  });

  it('reads a reader’s spelling: lower case, spaces, a 198-bit EPC padded to whole words', () => {
    expect(decodeEpc('30 74 25 7b f7 19 4e 40 00 00 1a 85').gtin).toBe('80614141123458');
    expect(decodeEpc(`${TDS_VECTORS[1].hex}00`).serial).toBe('32a/b');
  });

  it('the light decode (no URIs) gives the same scheme, GTIN, prefix and serial', () => {
    for (const serial of [0, 1, 6789, 274877906943]) {
      for (const prefix of ['0614141', '061414', '061414112345']) {
        const gtin = '80614141123458';
        const { epc } = encodeSgtin96({ gtin, companyPrefix: prefix, serial, filter: 3 });
        const full = decodeEpc(epc);
        expect(decodeEpc(epc, { uris: false })).toEqual({ epc, scheme: full.scheme, filter: full.filter, gtin: full.gtin, companyPrefix: full.companyPrefix, serial: full.serial });
      }
    }
    expect(decodeEpc('307C257BF7194E4000001A85', { uris: false }).scheme).toBe('unknown');
  });

  it('keeps what it cannot decode as raw hex, and never throws', () => {
    expect(decodeEpc('E2801160600002084A1B2C3D')).toEqual({ epc: 'E2801160600002084A1B2C3D', scheme: 'unknown' }); // a TID-like, non-GS1 header
    expect(decodeEpc('307C257BF7194E4000001A85').scheme).toBe('unknown'); // reserved partition 7
    expect(decodeEpc('3074257BF719').scheme).toBe('unknown'); // an SGTIN header on a 48-bit EPC
    expect(decodeEpc('3074257BF7194E4000001A8')).toMatchObject({ scheme: 'unknown' }); // not whole words
    expect(decodeEpc('not hex at all!').scheme).toBe('unknown');
    expect(normaliseEpcHex('zz')).toBeNull();
  });
});

describe('SGTIN-96 encoding', () => {
  it('encodes the TDS example from its GTIN, company prefix and serial (filter 3)', () => {
    expect(encodeSgtin96({ gtin: '80614141123458', companyPrefix: '0614141', serial: 6789, filter: 3 })).toEqual({
      epc: '3074257BF7194E4000001A85',
      tagUri: 'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
      idUri: 'urn:epc:id:sgtin:0614141.812345.6789',
      serial: 6789
    });
  });

  it('takes any GTIN spelling; the company prefix length sets the partition; filter 1 (POS item) by default', () => {
    const a = encodeSgtin96({ gtin: '0614141000005', companyPrefix: '0614141', serial: 1 });
    expect(a.tagUri).toBe('urn:epc:tag:sgtin-96:1.0614141.000000.1');
    expect(decodeEpc(a.epc)).toMatchObject({ gtin: '00614141000005', serial: '1', filter: 1 });
    // 12-digit and 6-digit prefixes are the partition table's two ends
    for (const [gtin, prefix] of [['4006381333931', '400638133393'], ['4006381333931', '400638']] as const) {
      const t = encodeSgtin96({ gtin, companyPrefix: prefix, serial: SGTIN96_MAX_SERIAL });
      expect(decodeEpc(t.epc)).toMatchObject({ gtin: '04006381333931', companyPrefix: prefix, serial: String(SGTIN96_MAX_SERIAL) });
    }
  });

  it('refuses what SGTIN-96 cannot hold', () => {
    expect(() => encodeSgtin96({ gtin: '4006381333932', companyPrefix: '400638', serial: 1 })).toThrow(EpcEncodeError);
    expect(() => encodeSgtin96({ gtin: '4006381333931', companyPrefix: '0614141', serial: 1 })).toThrow(/does not belong/);
    expect(() => encodeSgtin96({ gtin: '4006381333931', companyPrefix: '400638', serial: SGTIN96_MAX_SERIAL + 1 })).toThrow(/38-bit/);
    expect(() => encodeSgtin96({ gtin: '4006381333931', companyPrefix: '40063', serial: 1 })).toThrow(/6 to 12/);
    expect(() => sgtin96Series({ gtin: '4006381333931', companyPrefix: '400638', firstSerial: 1, count: 10_001 })).toThrow(/10,000/);
  });

  it('encodes a serial range, every tag distinct and reading back as the item', () => {
    const tags = sgtin96Series({ gtin: '4006381333931', companyPrefix: '4006381', firstSerial: 1000, count: 250 });
    expect(new Set(tags.map((t) => t.epc)).size).toBe(250);
    expect(tags.map((t) => decodeEpc(t.epc).serial)).toEqual(Array.from({ length: 250 }, (_, i) => String(1000 + i)));
  });

  it('finds the company prefix a GTIN belongs to (the longest that matches)', () => {
    expect(companyPrefixFor('4006381333931', ['400638', '4006381', '0614141'])).toBe('4006381');
    expect(companyPrefixFor('80614141123458', ['0614141'])).toBe('0614141');
    expect(companyPrefixFor('4006381333931', ['0614141'])).toBeUndefined();
  });

  it('escapes TDS-reserved characters in URIs', () => {
    expect(escapeEpcComponent('32a/b%"&<>?x')).toBe('32a%2Fb%25%22%26%3C%3E%3Fx');
  });
});

describe('tag classes', () => {
  const item = decodeEpc(encodeSgtin96({ gtin: '4006381333931', companyPrefix: '4006381', serial: 7 }).epc);
  const other = decodeEpc(encodeSgtin96({ gtin: '4006381333948', companyPrefix: '4006381', serial: 7 }).epc);
  const theirs = decodeEpc('3074257BF7194E4000001A85');
  const catalog = (g: string) => g === '04006381333931';
  it('item, unknown item, foreign, other and raw', () => {
    expect(classifyTag(item, ['4006381'], catalog)).toBe('item');
    expect(classifyTag(other, ['4006381'], catalog)).toBe('unknown_item');
    expect(classifyTag(theirs, ['4006381'], catalog)).toBe('foreign');
    expect(classifyTag(decodeEpc('3174257BF4499602D2000000'), ['0614141'], catalog)).toBe('other');
    expect(classifyTag(decodeEpc('E2801160600002084A1B2C3D'), ['4006381'], catalog)).toBe('raw');
  });
  it('an item in the catalog counts even when the tenant has not set its prefixes; other SGTINs are then unknown items', () => {
    expect(classifyTag(item, [], catalog)).toBe('item');
    expect(classifyTag(theirs, [], catalog)).toBe('unknown_item');
  });
});
