import { describe, expect, it } from 'vitest';
import { lookUpScan } from './scan-lookup.ts';

const catalog = new Map([['4006381333931', { variantId: 'v1' }]]);
const find = (c: string) => catalog.get(c);

describe('a scan against a catalog that may still be loading', () => {
  it('finds what the index holds, loaded or not', () => {
    expect(lookUpScan('4006381333931', find, false)).toEqual({ kind: 'found', entry: { variantId: 'v1' } });
    expect(lookUpScan('4006381333931', find, true)).toEqual({ kind: 'found', entry: { variantId: 'v1' } });
  });

  it('a miss waits while the catalog loads (no index yet included) and is unknown only once it is all here', () => {
    expect(lookUpScan('0266550000001', find, false)).toEqual({ kind: 'loading' });
    expect(lookUpScan('0266550000001', null, false)).toEqual({ kind: 'loading' });
    expect(lookUpScan('0266550000001', find, true)).toEqual({ kind: 'unknown' });
  });

});
