import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS, clockSkewMs, describeSkew } from './clock.ts';

describe('clock skew', () => {
  it('corrects for half the round trip', () => {
    expect(clockSkewMs('2026-11-24T10:00:00.000Z', Date.parse('2026-11-24T10:00:00.000Z'), Date.parse('2026-11-24T10:00:00.200Z'))).toBe(100);
  });
  it('warns only beyond ten minutes, saying which way', () => {
    expect(describeSkew(MAX_CLOCK_SKEW_MS)).toBeNull();
    expect(describeSkew(-MAX_CLOCK_SKEW_MS + 1)).toBeNull();
    expect(describeSkew(61 * 60_000)).toMatch(/61 minutes ahead of/);
    expect(describeSkew(-15 * 60_000)).toMatch(/15 minutes behind/);
  });
});
