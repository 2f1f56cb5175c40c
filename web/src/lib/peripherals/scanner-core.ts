/**
 * Keyboard-wedge scan detection as a pure state machine over (key, timestamp) pairs, so the timing
 * rules are tested without a DOM. A scanner "types" a whole code in a burst — a few ms between
 * keys — and ends with Enter; people type 100 ms+ between keys, and even fast rollovers do not keep
 * six keys under ~35 ms. So: a run of printable keys whose gaps all stay ≤ maxInterKeyMs, ending in
 * Enter, at least minLength long, is a scan. Anything else is ordinary typing and is left alone.
 */

export interface ScanOptions {
  /** longest gap between two keys of one scan; default 35 ms (fast scanners do ~5–15 ms, slow ones ~30) */
  maxInterKeyMs?: number;
  /** shortest code accepted; default 6 (EAN-8 is 8, but SKUs and internal codes can be shorter) */
  minLength?: number;
}

export type ScanKeyResult =
  /** a printable key: part of the current burst. `startsBurst` = the first key of a new burst. */
  | { type: 'char'; startsBurst: boolean }
  /** Enter ended a burst: a scan. The caller swallows the Enter and undoes the burst's typing. */
  | { type: 'scan'; code: string }
  /** any other key (or an Enter that ends no burst): not ours */
  | { type: 'pass' };

/** Keys a scanner sends alongside characters (Shift for capitals) that must not break a burst. */
const NEUTRAL_KEYS = new Set(['Shift', 'CapsLock', 'Unidentified', 'Dead']);

export class ScanDetector {
  readonly maxInterKeyMs: number;
  readonly minLength: number;
  private chars: string[] = [];
  private last = -Infinity;

  constructor(opts: ScanOptions = {}) {
    this.maxInterKeyMs = opts.maxInterKeyMs ?? 35;
    this.minLength = opts.minLength ?? 6;
  }

  /** The characters of the burst so far. */
  get buffer(): string {
    return this.chars.join('');
  }

  reset(): void {
    this.chars = [];
    this.last = -Infinity;
  }

  /**
   * Feeds one keydown. `key` is KeyboardEvent.key; `time` a monotonic ms timestamp (event.timeStamp);
   * `repeat` is KeyboardEvent.repeat — a held key auto-repeats at ~30 ms and must not look like a scan.
   */
  key(key: string, time: number, repeat = false): ScanKeyResult {
    if (NEUTRAL_KEYS.has(key)) return { type: 'pass' };
    const gap = time - this.last;
    if (repeat) {
      this.reset();
      return { type: 'pass' };
    }
    if (key === 'Enter') {
      const code = this.buffer;
      const isScan = code.length >= this.minLength && gap <= this.maxInterKeyMs;
      this.reset();
      return isScan ? { type: 'scan', code } : { type: 'pass' };
    }
    if ([...key].length !== 1) {
      // Tab, Backspace, arrows…: a person is editing; whatever came before is not a scan.
      this.reset();
      return { type: 'pass' };
    }
    const startsBurst = this.chars.length === 0 || gap > this.maxInterKeyMs;
    if (startsBurst) this.chars = [];
    this.chars.push(key);
    this.last = time;
    return { type: 'char', startsBurst };
  }
}
