import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibrate, ScanDetector, type ScanSuffix } from './scanner-core.ts';

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
    expect(feed(d, [...chars('4006381333931'), 'Enter'], 8)).toEqual([{ type: 'scan', code: '4006381333931', tag: undefined }]);
    expect(d.buffer).toBe('');
  });

  it('slow typing ending in Enter is not', () => {
    expect(feed(new ScanDetector(), [...chars('4006381333931'), 'Enter'], 120)).toEqual([{ type: 'pass' }]);
  });

  it('a burst interrupted by a pause only counts from the pause on', () => {
    const d = new ScanDetector();
    // "40063" fast, a 200 ms pause, then "81333931" fast: the scan is the second run only.
    const gaps = [0, 8, 8, 8, 8, 200, 8, 8, 8, 8, 8, 8, 8, 8];
    expect(feed(d, [...chars('4006381333931'), 'Enter'], gaps)).toEqual([{ type: 'scan', code: '81333931', tag: undefined }]);
    // …and if the run after the pause is too short, nothing.
    expect(feed(d, [...chars('123456789'), 'Enter'], [0, 8, 8, 8, 8, 8, 200, 8, 8, 8])).toEqual([{ type: 'pass' }]);
  });

  it('a slow Enter after a fast burst is not a scan (someone typed fast, then pressed Enter)', () => {
    expect(feed(new ScanDetector(), [...chars('abcdefgh'), 'Enter'], [0, 8, 8, 8, 8, 8, 8, 8, 300])).toEqual([{ type: 'pass' }]);
  });

  it('enforces the minimum length and honours options', () => {
    expect(feed(new ScanDetector(), [...chars('12345'), 'Enter'], 5)).toEqual([{ type: 'pass' }]);
    expect(feed(new ScanDetector({ minLength: 4 }), [...chars('1234'), 'Enter'], 5)).toEqual([{ type: 'scan', code: '1234', tag: undefined }]);
    expect(feed(new ScanDetector({ maxInterKeyMs: 80 }), [...chars('123456'), 'Enter'], 70)).toEqual([{ type: 'scan', code: '123456', tag: undefined }]);
    // a 30–50 ms scanner is a scanner (it used to be missed above 35 ms)
    expect(feed(new ScanDetector(), [...chars('123456'), 'Enter'], 36)).toEqual([{ type: 'scan', code: '123456', tag: undefined }]);
    expect(feed(new ScanDetector(), [...chars('123456'), 'Enter'], 50)).toEqual([{ type: 'scan', code: '123456', tag: undefined }]);
    expect(feed(new ScanDetector(), [...chars('123456'), 'Enter'], 90)).toEqual([{ type: 'pass' }]);
  });

  it('Shift inside a burst is neutral; editing keys and held keys break it', () => {
    const d = new ScanDetector();
    expect(feed(d, ['S', 'Shift', 'K', 'U', '-', 'Shift', 'A', '1', 'Enter'], 4)).toEqual([{ type: 'pass' }, { type: 'pass' }, { type: 'scan', code: 'SKU-A1', tag: undefined }]);
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

/** Printable characters a scanner sends: GTINs, SKUs, internal codes. */
const codeArb = fc.stringMatching(/^[0-9A-Za-z\-./]{6,30}$/);

describe('ScanDetector with generated keystroke timings', () => {
  it('every scan from a 5–50 ms a character scanner, jitter included, is read whole and exactly once', () => {
    fc.assert(
      fc.property(
        codeArb,
        fc.integer({ min: 5, max: 50 }),
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 5, max: 12 }),
        fc.integer({ min: 0, max: 1e6 }),
        (code, pace, jitter, spikeEvery, start) => {
          // USB polling and a busy page: a few ms either way, and now and then a late key (up to 95 ms)
          const d = new ScanDetector<number>();
          const keys = [...code, 'Enter'];
          let t = start;
          const results = keys
            .map((k, i) => {
              if (i > 0) t += i % spikeEvery === spikeEvery - 1 ? Math.min(95, pace + 45) : Math.max(1, pace + jitter[i % jitter.length]!);
              return d.key(k, t, false, i);
            })
            .filter((r) => r.type !== 'char');
          expect(results).toEqual([{ type: 'scan', code, tag: 0 }]);
        }
      ),
      { numRuns: 400 }
    );
  });

  it('a scan that starts right after a person typed still starts at its own first key (the field is restored to there)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ]{1,12}$/), codeArb, fc.integer({ min: 5, max: 50 }), fc.integer({ min: 120, max: 400 }), fc.integer({ min: 260, max: 600 }), (typed, code, pace, personGap, pause) => {
        const d = new ScanDetector<number>();
        let t = 1000;
        let i = 0;
        for (const k of typed) d.key(k, (t += personGap), false, i++);
        const first = i;
        // the scanner fires a moment after the last typed key (the hand moves from keyboard to scanner)
        let last: unknown;
        t += pause;
        for (const [j, k] of [...code, 'Enter'].entries()) last = d.key(k, (t += j === 0 ? 0 : pace), false, i++);
        expect(last).toEqual({ type: 'scan', code, tag: first });
      }),
      { numRuns: 300 }
    );
  });

  it('a browser busy drawing the next screen may hold one key of a scan back (up to four times the pace, 250 ms at most)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{8,14}$/), fc.integer({ min: 20, max: 50 }), fc.nat(), (code, pace, at) => {
        const d = new ScanDetector();
        const hiccup = 1 + (at % (code.length - 1));
        let t = 0;
        const out = [...code, 'Enter']
          .map((k, i) => d.key(k, (t += i === 0 ? 0 : i === hiccup ? Math.min(250, pace * 3) : pace)))
          .filter((r) => r.type !== 'char');
        expect(out).toEqual([{ type: 'scan', code, tag: undefined }]);
      }),
      { numRuns: 200 }
    );
    // the gaps Chromium gave a 20 ms-a-key Playwright scan right after the shift opened, on a loaded machine
    const seen = [48, 31, 56, 38, 137, 69, 46, 105, 49, 29, 26, 31, 84];
    const d = new ScanDetector();
    let t = 0;
    const code = '2600000004575';
    const out = [...code, 'Enter'].map((k, i) => d.key(k, (t += i === 0 ? 0 : seen[i - 1]!))).filter((r) => r.type !== 'char');
    expect(out).toEqual([{ type: 'scan', code, tag: undefined }]);
  });

  it('people typing are never a scan: 70–400 ms a key, whatever they type, Enter included', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Za-z ]{1,40}$/), fc.array(fc.integer({ min: 70, max: 400 }), { minLength: 1, maxLength: 41 }), (text, gaps) => {
        const d = new ScanDetector();
        let t = 0;
        const keys = [...text, 'Enter'];
        const results = keys.map((k, i) => d.key(k, (t += gaps[i % gaps.length]!))).filter((r) => r.type !== 'char');
        expect(results).toEqual([{ type: 'pass' }]);
      }),
      { numRuns: 400 }
    );
  });

  it('honours a prefix and a Tab suffix; the prefix is not part of the code', () => {
    fc.assert(
      fc.property(codeArb, fc.integer({ min: 5, max: 50 }), (code, pace) => {
        const d = new ScanDetector({ prefix: '~', suffix: 'Tab' });
        let t = 0;
        const out = [...'~', ...code, 'Tab'].map((k) => d.key(k, (t += pace))).filter((r) => r.type !== 'char');
        expect(out).toEqual([{ type: 'scan', code, tag: undefined }]);
        // without the prefix it is not a scan
        d.reset();
        const bare = [...code, 'Tab'].map((k) => d.key(k, (t += pace))).filter((r) => r.type !== 'char');
        expect(bare).toEqual([{ type: 'pass' }]);
      }),
      { numRuns: 200 }
    );
  });

  it('with no suffix a scan ends with silence', () => {
    const d = new ScanDetector({ suffix: 'none' });
    let t = 0;
    for (const k of '4006381333931') d.key(k, (t += 20));
    expect(d.idle(t + 50)).toEqual({ type: 'pass' }); // not quiet long enough
    expect(d.idle(t + 100)).toEqual({ type: 'scan', code: '4006381333931', tag: undefined });
    for (const k of 'slow typing') d.key(k, (t += 200));
    expect(d.idle(t + 300)).toEqual({ type: 'pass' });
  });

  it('calibration fits the limits to the scanner, within bounds', () => {
    const fast = calibrate([0, 5, 10, 15, 20, 25, 30, 35], 'Enter', 40)!;
    expect(fast).toMatchObject({ chars: 8, meanMs: 5, maxGapMs: 5, suffix: 'Enter' });
    expect(fast.options).toEqual({ maxGapMs: 100, maxMeanMs: 65, suffix: 'Enter' }); // never below the defaults
    const slow = calibrate([0, 60, 130, 190, 260, 320, 390], 'none' as ScanSuffix)!;
    expect(slow.options.maxMeanMs).toBe(80); // capped: looser would let typing through
    expect(slow.options.maxGapMs).toBe(155);
    expect(calibrate([0, 5], 'Enter')).toBeNull();
  });
});

