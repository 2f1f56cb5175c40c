import { describe, expect, it } from 'vitest';
import { KeyboardReader } from './keyboard-reader.ts';

/** A document-like key target that dispatches bursts with chosen timing. */
function keys() {
  const handlers = new Set<(e: Event) => void>();
  return {
    addEventListener: (_t: string, fn: (e: Event) => void) => handlers.add(fn),
    removeEventListener: (_t: string, fn: (e: Event) => void) => handlers.delete(fn),
    type(text: string, gapMs: number, start = 1000) {
      [...text, 'Enter'].forEach((key, i) => {
        const e = { key, timeStamp: start + i * gapMs, repeat: false, preventDefault() {} } as unknown as Event;
        for (const h of handlers) h(e);
      });
    }
  };
}

describe('keyboard (HID) mode reader', () => {
  it('a fast burst of hex + Enter is an EPC read while scanning; digits are a barcode', async () => {
    const k = keys();
    const reader = new KeyboardReader(k as never, () => 5);
    const reads: string[] = [];
    const codes: string[] = [];
    reader.on('reads', (b) => reads.push(...b.map((r) => r.epc)));
    reader.on('barcode', (c) => codes.push(c));
    await reader.connect();
    k.type('3074257bf7194e4000001a85', 8);
    expect(reads).toEqual([]); // gate closed
    await reader.startInventory();
    k.type('3074257bf7194e4000001a85', 8, 5000);
    k.type('4006381333931', 8, 9000);
    k.type('3074257BF7194E4000001A85', 150, 20000); // a person typing: not a read
    expect(reads).toEqual(['3074257BF7194E4000001A85']);
    expect(codes).toEqual(['4006381333931']);
    await reader.disconnect();
    expect(reader.info.status).toBe('disconnected');
  });
});
