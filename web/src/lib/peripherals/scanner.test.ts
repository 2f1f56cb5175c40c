import { afterEach, describe, expect, it, vi } from 'vitest';
import { listenForScans } from './scanner.ts';

/** Just enough of an <input> for the wiring: value, caret, and input events. */
class FakeInput extends EventTarget {
  value = '';
  selectionStart: number | null = 0;
  selectionEnd: number | null = 0;
  setSelectionRange(a: number, b: number) {
    this.selectionStart = a;
    this.selectionEnd = b;
  }
  closest() {
    return null;
  }
}

/** A window stand-in that dispatches keydowns and, unless prevented, "types" the key into the focused input. */
class FakeWindow extends EventTarget {
  focused: FakeInput | null = null;
  time = 1000;
  press(key: string, gap: number) {
    this.time += gap;
    const e = new Event('keydown', { cancelable: true }) as Event & Record<string, unknown>;
    Object.defineProperties(e, {
      key: { value: key },
      timeStamp: { value: this.time },
      repeat: { value: false },
      isComposing: { value: false },
      ctrlKey: { value: false },
      metaKey: { value: false },
      target: { value: this.focused }
    });
    this.dispatchEvent(e);
    const input = this.focused;
    if (!e.defaultPrevented && input && key.length === 1) {
      const at = input.selectionStart ?? input.value.length;
      input.value = input.value.slice(0, at) + key + input.value.slice(input.selectionEnd ?? at);
      input.setSelectionRange(at + 1, at + 1);
    }
    return e;
  }
  /** types `text` at `gap` ms per key, after a pause (a scan never starts within ms of a person's key) */
  type(text: string, gap: number) {
    this.time += 500;
    for (const k of text) this.press(k, gap);
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('listenForScans', () => {
  it('takes a scan typed into a focused input back out of it, and swallows its Enter', () => {
    vi.stubGlobal('HTMLInputElement', FakeInput);
    const win = new FakeWindow();
    const input = new FakeInput();
    win.focused = input;
    const scans: string[] = [];
    const inputEvents = vi.fn();
    input.addEventListener('input', inputEvents);
    const stop = listenForScans(win as unknown as Window, (c) => scans.push(c));

    win.type('note: ', 150); // a person typing
    win.type('4006381333931', 6); // the scanner
    const enter = win.press('Enter', 6);
    expect(scans).toEqual(['4006381333931']);
    expect(enter.defaultPrevented).toBe(true);
    expect(input.value).toBe('note: ');
    expect(input.selectionStart).toBe(6);
    expect(inputEvents).toHaveBeenCalledTimes(1);

    // Slow typing and its Enter go through untouched.
    win.type('abcdefgh', 120);
    expect(win.press('Enter', 120).defaultPrevented).toBe(false);
    expect(input.value).toBe('note: abcdefgh');
    expect(scans).toHaveLength(1);

    stop();
    win.type('12345678', 5);
    win.press('Enter', 5);
    expect(scans).toHaveLength(1);
  });

  it('reports scans with no input focused', () => {
    const win = new FakeWindow();
    const onScan = vi.fn();
    listenForScans(win as unknown as Window, onScan, { minLength: 4 });
    win.type('SKU-9', 10);
    win.press('Enter', 10);
    expect(onScan).toHaveBeenCalledWith('SKU-9');
  });
});
