/**
 * Keyboard-wedge scan detection as a pure state machine over (key, timestamp) pairs, so the timing
 * rules are tested without a DOM. A scanner "types" a whole code in a burst and ends it with a
 * suffix key (Enter by default). Scanners type at 5–50 ms a character, steadily, with jitter from USB
 * polling and a busy browser; people type 100 ms+ a key and do not sustain much under that over six
 * keys and an Enter (65 ms a key is ~185 words a minute). So a scan is a run of printable keys whose
 * mean gap (suffix included) is at most `maxMeanMs`, at least `minLength` long, starting with the
 * configured prefix and ending with the suffix, in which no gap is longer than `maxGapMs` or, for a
 * slower scanner, four times its own median gap (a browser busy drawing the next screen can hold a
 * key back 150 ms; a person's pause before reaching for the scanner is longer than that). When a
 * person typed just before the scanner fired, only the run's qualifying tail is the scan. With no
 * suffix the scan ends by silence: the caller calls `idle()` after `maxGapMs`.
 *
 * Why not @point-of-sale/keyboard-barcode-scanner (a dependency, kept for its parser family): it
 * ignores every key typed into an INPUT or TEXTAREA (a scan into the search box would only filter),
 * it decides "scanner" only after three keys and from a fixed 30 ms/key average (the first keys
 * leak into the focused field, and 30–50 ms scanners are missed), and it exports a browser-only build
 * that node tests cannot import. This one is ~150 lines and tested with generated timings.
 */

export type ScanSuffix = 'Enter' | 'Tab' | 'none';

export interface ScanOptions {
  /** longest gap between two keys of one scan; default 100 ms (a 50 ms scanner with jitter) */
  maxGapMs?: number;
  /** longest mean gap over the scan, suffix included; default 65 ms (a 50 ms scanner on a busy machine) */
  maxMeanMs?: number;
  /** @deprecated the old single limit: sets maxGapMs and maxMeanMs together */
  maxInterKeyMs?: number;
  /** shortest code accepted (prefix not counted); default 6 (SKUs and internal codes can be short) */
  minLength?: number;
  /** characters the scanner sends before each code (set up in the scanner); default none */
  prefix?: string;
  /** the key the scanner sends after each code; default Enter */
  suffix?: ScanSuffix;
}

export const SCAN_DEFAULTS = { maxGapMs: 100, maxMeanMs: 65, minLength: 6, prefix: '', suffix: 'Enter' as ScanSuffix };

export type ScanKeyResult<T = unknown> =
  /** a printable key: part of the current run. `startsBurst` = the first key after a pause. */
  | { type: 'char'; startsBurst: boolean }
  /**
   * The suffix (or silence) ended a scan: the caller swallows the suffix key and undoes the typing
   * from `tag` on (the tag given with the scan's first key, e.g. the focused field before it).
   */
  | { type: 'scan'; code: string; tag: T | undefined }
  /** any other key (or a suffix that ends no scan): not ours */
  | { type: 'pass' };

/** Keys a scanner sends alongside characters (Shift for capitals) that must not break a burst. */
const NEUTRAL_KEYS = new Set(['Shift', 'CapsLock', 'Unidentified', 'Dead', 'NumLock']);
/** A pause this long always ends a run (no scanner hesitates a quarter of a second twice). */
const HARD_GAP_MS = 250;
/** Keys kept per run: longer than any code a till scans (GS1 DataBar expanded is 74). */
const MAX_RUN = 96;

interface Key<T> {
  ch: string;
  /** ms since the previous key of the run (0 for the first) */
  gap: number;
  tag: T | undefined;
}

export class ScanDetector<T = unknown> {
  readonly maxGapMs: number;
  readonly maxMeanMs: number;
  readonly minLength: number;
  readonly prefix: string;
  readonly suffix: ScanSuffix;
  private keys: Key<T>[] = [];
  private last = -Infinity;

  constructor(opts: ScanOptions = {}) {
    const legacy = opts.maxInterKeyMs;
    this.maxGapMs = opts.maxGapMs ?? legacy ?? SCAN_DEFAULTS.maxGapMs;
    this.maxMeanMs = opts.maxMeanMs ?? legacy ?? SCAN_DEFAULTS.maxMeanMs;
    this.minLength = opts.minLength ?? SCAN_DEFAULTS.minLength;
    this.prefix = opts.prefix ?? SCAN_DEFAULTS.prefix;
    this.suffix = opts.suffix ?? SCAN_DEFAULTS.suffix;
  }

  /** The characters of the current run so far. */
  get buffer(): string {
    return this.keys.map((k) => k.ch).join('');
  }

  reset(): void {
    this.keys = [];
    this.last = -Infinity;
  }

  /**
   * Feeds one keydown. `key` is KeyboardEvent.key; `time` a monotonic ms timestamp (event.timeStamp);
   * `repeat` is KeyboardEvent.repeat — a held key auto-repeats at ~30 ms and must not look like a
   * scan; `tag` is remembered with the key and handed back with a scan that starts at it.
   */
  key(key: string, time: number, repeat = false, tag?: T): ScanKeyResult<T> {
    if (NEUTRAL_KEYS.has(key)) return { type: 'pass' };
    if (repeat) {
      this.reset();
      return { type: 'pass' };
    }
    const gap = time - this.last;
    if (this.suffix !== 'none' && key === this.suffix) {
      const found = gap <= Math.max(HARD_GAP_MS, this.maxGapMs) ? this.scanEndingWith(gap) : null;
      this.reset();
      return found ?? { type: 'pass' };
    }
    if ([...key].length !== 1) {
      // Backspace, arrows, Tab (when it is not the suffix)…: a person is editing; what came before is not a scan.
      this.reset();
      return { type: 'pass' };
    }
    const startsBurst = this.keys.length === 0 || gap > this.maxGapMs;
    if (this.keys.length === 0 || gap > Math.max(HARD_GAP_MS, this.maxGapMs)) this.keys = [];
    this.keys.push({ ch: key, gap: this.keys.length === 0 ? 0 : gap, tag });
    if (this.keys.length > MAX_RUN) this.keys.shift();
    this.last = time;
    return { type: 'char', startsBurst };
  }

  /**
   * For scanners that send no suffix: call once no key came for `maxGapMs`. A qualifying run is a
   * scan (the caller undoes its typing); anything else is left alone.
   */
  idle(time: number): ScanKeyResult<T> {
    if (this.suffix !== 'none' || this.keys.length === 0 || time - this.last < this.maxGapMs) return { type: 'pass' };
    const found = this.scanEndingWith(null);
    this.reset();
    return found ?? { type: 'pass' };
  }

  /**
   * The longest tail of the run that qualifies (prefix, length, mean gap), or null. `endGap` is the
   * gap before the suffix key (null: no suffix). The gap before a tail's first key is not its own:
   * it belongs to whatever was typed before.
   */
  private scanEndingWith(endGap: number | null): ScanKeyResult<T> | null {
    const keys = this.keys;
    const need = this.prefix.length + this.minLength;
    let best: number | null = null;
    // the tail from `start` owns the gaps start+1 … end, and the suffix's
    const gaps: number[] = endGap === null ? [] : [endGap];
    for (let start = keys.length - 1; start >= 0; start--) {
      if (start < keys.length - 1) gaps.push(keys[start + 1]!.gap);
      if (keys.length - start < need || !this.startsWithPrefix(start)) continue;
      if (qualifies(gaps, this.maxMeanMs, this.maxGapMs)) best = start;
    }
    if (best === null) return null;
    const code = keys
      .slice(best + this.prefix.length)
      .map((k) => k.ch)
      .join('');
    return { type: 'scan', code, tag: keys[best]!.tag };
  }

  private startsWithPrefix(start: number): boolean {
    for (let i = 0; i < this.prefix.length; i++) if (this.keys[start + i]?.ch !== this.prefix[i]) return false;
    return true;
  }
}

/** A scanner's steady pace: mean within the limit, and no gap beyond the jitter allowance. */
function qualifies(gaps: readonly number[], maxMean: number, maxGap: number): boolean {
  if (gaps.length === 0) return true;
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  if (mean > maxMean) return false;
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const allowed = Math.min(HARD_GAP_MS, Math.max(maxGap, 4 * median));
  return sorted.at(-1)! <= allowed;
}

/** What a calibration scan measured: the scanner's pace, its suffix, and limits that fit it. */
export interface Calibration {
  chars: number;
  meanMs: number;
  maxGapMs: number;
  suffix: ScanSuffix;
  /** the limits to store for this register */
  options: Required<Pick<ScanOptions, 'maxGapMs' | 'maxMeanMs'>> & { suffix: ScanSuffix };
}

/**
 * Limits for a scanner from one test scan: the keys' timestamps (characters only) and how it ended.
 * Room for jitter (twice what was seen, plus 15 ms), never below the defaults (a calibration on an
 * idle machine must not make a busy one miss scans) and never so loose that typing passes (mean ≤ 80).
 */
export function calibrate(times: readonly number[], ended: ScanSuffix, endTime?: number): Calibration | null {
  if (times.length < 4) return null;
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  if (ended !== 'none' && endTime !== undefined) gaps.push(endTime - times.at(-1)!);
  const meanMs = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const maxGapMs = Math.max(...gaps);
  return {
    chars: times.length,
    meanMs: Math.round(meanMs * 10) / 10,
    maxGapMs: Math.round(maxGapMs),
    suffix: ended,
    options: {
      maxGapMs: Math.min(250, Math.max(SCAN_DEFAULTS.maxGapMs, Math.round(maxGapMs * 2 + 15))),
      maxMeanMs: Math.min(80, Math.max(SCAN_DEFAULTS.maxMeanMs, Math.round(meanMs * 2 + 15))),
      suffix: ended
    }
  };
}
