import { describe, expect, it } from 'vitest';
import { ScanDetector } from './scanner-core.ts';

/** Feeds keys at the given gaps (ms); returns every non-'char' result. */
function feed(d: ScanDetector, keys: string[], gap: number | number[], start = 1000) {
  let t = start;
  const results = [];
  for (let i = 0; i < keys.length; i++) {
    t += Array.isArray(gap) ? (gap[i] ?? 0) : gap;
    const r = d.key(keys[i]!, t);
    if (r.type !== 'char') results.push(r);
  }
  return results;
}

const chars = (s: string) => [...s];

describe('ScanDetector', () => {
  it('a fast burst ending in Enter is a scan', () => {
    const d = new ScanDetector();
    expect(feed(d, [...chars('4006381333931'), 'Enter'], 8)).toEqual([{ type: 'scan', code: '4006381333931' }]);
    expect(d.buffer).toBe('');
  });

  it('slow typing ending in Enter is not', () => {
    expect(feed(new ScanDetector(), [...chars('4006381333931'), 'Enter'], 120)).toEqual([{ type: 'pass' }]);
  });

  it('a burst interrupted by a pause only counts from the pause on', () => {
    const d = new ScanDetector();
    // "40063" fast, a 200 ms pause, then "81333931" fast: the scan is the second run only.
    const gaps = [0, 8, 8, 8, 8, 200, 8, 8, 8, 8, 8, 8, 8, 8];
    expect(feed(d, [...chars('4006381333931'), 'Enter'], gaps)).toEqual([{ type: 'scan', code: '81333931' }]);
    // …and if the run after the pause is too short, nothing.
    expect(feed(d, [...chars('123456789'), 'Enter'], [0, 8, 8, 8, 8, 8, 200, 8, 8, 8])).toEqual([{ type: 'pass' }]);
  });

  it('a slow Enter after a fast burst is not a scan (someone typed fast, then pressed Enter)', () => {
    expect(feed(new ScanDetector(), [...chars('abcdefgh'), 'Enter'], [0, 8, 8, 8, 8, 8, 8, 8, 300])).toEqual([{ type: 'pass' }]);
  });

  it('enforces the minimum length and honours options', () => {
    expect(feed(new ScanDetector(), [...chars('12345'), 'Enter'], 5)).toEqual([{ type: 'pass' }]);
    expect(feed(new ScanDetector({ minLength: 4 }), [...chars('1234'), 'Enter'], 5)).toEqual([{ type: 'scan', code: '1234' }]);
    expect(feed(new ScanDetector({ maxInterKeyMs: 80 }), [...chars('123456'), 'Enter'], 70)).toEqual([{ type: 'scan', code: '123456' }]);
    expect(feed(new ScanDetector(), [...chars('123456'), 'Enter'], 36)).toEqual([{ type: 'pass' }]);
  });

  it('Shift inside a burst is neutral; editing keys and held keys break it', () => {
    const d = new ScanDetector();
    expect(feed(d, ['S', 'Shift', 'K', 'U', '-', 'Shift', 'A', '1', 'Enter'], 4)).toEqual([{ type: 'pass' }, { type: 'pass' }, { type: 'scan', code: 'SKU-A1' }]);
    expect(feed(d, [...chars('abc'), 'Backspace', ...chars('def'), 'Enter'], 4)).toEqual([{ type: 'pass' }, { type: 'pass' }]);
    let t = 0;
    for (let i = 0; i < 10; i++) d.key('a', (t += 30), i > 0);
    expect(d.key('Enter', (t += 30))).toEqual({ type: 'pass' });
  });

  it('marks the first key of each burst', () => {
    const d = new ScanDetector();
    expect(d.key('a', 0)).toEqual({ type: 'char', startsBurst: true });
    expect(d.key('b', 10)).toEqual({ type: 'char', startsBurst: false });
    expect(d.key('c', 500)).toEqual({ type: 'char', startsBurst: true });
    expect(d.buffer).toBe('c');
  });
});
