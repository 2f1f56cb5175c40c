import { describe, expect, it } from 'vitest';
import { batteryPercent, commandName, encodeCommand, inventoryCommand, LineFramer, parseLine, TslStream, type TslEvent } from './tsl-protocol.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Feeds `text` to a framer + stream split at the given byte offsets, returns every event. */
function feed(text: string, cuts: number[] = []): TslEvent[] {
  const framer = new LineFramer();
  const stream = new TslStream();
  const all = bytes(text);
  const out: TslEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, all.length]) {
    out.push(...stream.lines(framer.push(all.subarray(from, cut))));
    from = cut;
  }
  return out;
}

const INVENTORY = 'CS: .iv -x -o 29\r\nEP: 3074257BF7194E4000001A85\r\nRI: -52\r\nEP: 3034257BF400000000000001\r\nRI: -61\r\nOK:\r\n';

describe('TSL line framing', () => {
  it('gives the same lines however the bytes are chunked, including CR | LF splits', () => {
    const whole = feed(INVENTORY);
    expect(whole.filter((e) => e.type === 'transponder')).toHaveLength(2);
    // every single cut position, and a byte-at-a-time stream
    for (let cut = 1; cut < INVENTORY.length; cut++) expect(feed(INVENTORY, [cut])).toEqual(whole);
    expect(feed(INVENTORY, Array.from({ length: INVENTORY.length - 1 }, (_, i) => i + 1))).toEqual(whole);
  });

  it('accepts LF-only and CR-only endings, skips empty lines, keeps a partial line for the next chunk', () => {
    const f = new LineFramer();
    expect(f.push('OK:\nCS: .bl\r\r\n\nBP: 5')).toEqual(['OK:', 'CS: .bl']);
    expect(f.push('0%\r')).toEqual(['BP: 50%']);
  });

  it('drops an over-long line (a broken stream) and recovers at the next terminator', () => {
    const f = new LineFramer();
    expect(f.push(`EP: ${'A'.repeat(600)}`)).toEqual([]);
    expect(f.push('BBBB\r\nOK:\r\n')).toEqual(['OK:']);
  });
});

describe('TSL replies', () => {
  it('streams transponders with their RSSI and ends the reply with OK', () => {
    const ev = feed(INVENTORY);
    expect(ev).toEqual([
      { type: 'transponder', command: '.iv -x -o 29', transponder: { epc: '3074257BF7194E4000001A85', rssi: -52 } },
      { type: 'transponder', command: '.iv -x -o 29', transponder: { epc: '3034257BF400000000000001', rssi: -61 } },
      { type: 'response', command: '.iv -x -o 29', ok: true, fields: [], transponders: 2 }
    ]);
  });

  it('takes transponder fields in any order the reader was configured for (PC and RSSI before the EPC)', () => {
    const ev = feed('CS: .iv\r\nPC: 3000\r\nRI: -40\r\nEP: 3074257BF7194E4000001A85\r\nPC: 3000\r\nRI: -45\r\nEP: 3034257BF400000000000001\r\nOK:\r\n');
    expect(ev.filter((e) => e.type === 'transponder').map((e) => (e as { transponder: unknown }).transponder)).toEqual([
      { epc: '3074257BF7194E4000001A85', rssi: -40, pc: '3000' },
      { epc: '3034257BF400000000000001', rssi: -45, pc: '3000' }
    ]);
  });

  it('reports errors with their code and message', () => {
    expect(feed('CS: .iv\r\nME: No transponder found\r\nER: 005\r\n')).toEqual([{ type: 'response', command: '.iv', ok: false, error: '005', message: 'No transponder found', fields: [{ header: 'ME', value: 'No transponder found' }], transponders: 0 }]);
    expect(feed('CS: .zz\r\nER: 001\r\n')[0]).toMatchObject({ ok: false, error: '001' });
  });

  it('never turns a garbled EPC into a read', () => {
    const ev = feed('CS: .iv\r\nEP: 3074257BF71#~\r\nRI: -50\r\nR!: ??\r\nEP: 3074257BF7194E4000001A8\r\nEP: 3074257BF7194E4000001A85\r\nOK:\r\n');
    expect(ev.filter((e) => e.type === 'transponder')).toHaveLength(1);
    expect(ev.filter((e) => e.type === 'noise')).toHaveLength(3);
  });

  it('a reply cut short by a new CS: ends as interrupted, its transponders kept', () => {
    const ev = feed('CS: .iv\r\nEP: 3074257BF7194E4000001A85\r\nCS: .bl\r\nBP: 80%\r\nOK:\r\n');
    expect(ev.map((e) => e.type)).toEqual(['transponder', 'response', 'response']);
    expect(ev[1]).toMatchObject({ ok: false, error: 'interrupted' });
    expect(batteryPercent((ev[2] as Extract<TslEvent, { type: 'response' }>).fields)).toBe(80);
  });

  it('reports trigger pulls and barcodes that arrive unasked, between or inside replies', () => {
    const ev = feed('SW: single\r\nCS: .iv\r\nEP: 3074257BF7194E4000001A85\r\nSW: off\r\nOK:\r\nBC: 4006381333931\r\nSW: sideways\r\nOK:\r\n');
    expect(ev.map((e) => (e.type === 'switch' ? `SW ${e.state}` : e.type))).toEqual(['SW single', 'SW off', 'transponder', 'response', 'barcode', 'noise', 'noise']);
    expect(ev[4]).toEqual({ type: 'barcode', code: '4006381333931' });
  });

  it('parses header lines and rejects everything else', () => {
    expect(parseLine('EP: 3074')).toEqual({ header: 'EP', value: '3074' });
    expect(parseLine('OK:')).toEqual({ header: 'OK', value: '' });
    expect(parseLine('ep: 3074')).toBeNull();
    expect(parseLine('garbage')).toBeNull();
  });
});

describe('TSL commands', () => {
  it('builds inventory commands with explicit options', () => {
    expect(inventoryCommand({ powerDbm: 18.4, session: 0 })).toBe('.iv -x -o 18 -ie on -ir on -ip off -qs s0');
    expect(inventoryCommand({ rssi: false, pc: true, target: 'b' })).toBe('.iv -x -ie on -ir off -ip on -qt b');
    expect(new TextDecoder().decode(encodeCommand('.bl'))).toBe('.bl\r\n');
    expect(commandName('  .IV -o 29')).toBe('.iv');
  });
});
