import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from './json-limits.ts';

/** Reference: the nesting depth of a parsed value, by recursion (fine for the small values generated here). */
function depthOf(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (v !== null && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}

describe('jsonDepthExceeds', () => {
  it.each([
    ['{}', 1, false],
    ['{}', 0, true],
    ['[[[]]]', 3, false],
    ['[[[]]]', 2, true],
    ['{"a":"[[[[[[[["}', 1, false],
    ['{"a":"\\"[[[["}', 1, false],
    ['["\\\\", [[]]]', 2, true]
  ])('%s with max %i → %s', (text, max, expected) => {
    expect(jsonDepthExceeds(text, max)).toBe(expected);
  });

  it('refuses the probe: 10,000 levels well under the size cap', () => {
    expect(jsonDepthExceeds('['.repeat(10_000) + ']'.repeat(10_000))).toBe(true);
    expect(jsonDepthExceeds('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000))).toBe(true);
  });

  it('agrees with the parsed depth on any JSON, strings full of brackets and escapes included', () => {
    const str = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ' ') });
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, str, fc.integer(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(str, tie('v'), { maxKeys: 3 }))
    })).v;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 8 }), (v, max) => {
        expect(jsonDepthExceeds(JSON.stringify(v), max)).toBe(depthOf(v) > max);
      }),
      { numRuns: 2_000 }
    );
  });

  it('leaves room for the deepest legitimate body (a bulk_docs batch of shift closes with their Z report)', () => {
    const close = { _id: 'shift_close:r:x', report: { tenders: [{ kind: 'cash', lines: [{ a: [1] }] }] }, _revisions: { ids: ['a'] } };
    expect(jsonDepthExceeds(JSON.stringify({ docs: [close] }), MAX_JSON_DEPTH)).toBe(false);
  });
});
