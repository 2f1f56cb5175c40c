/**
 * TSL ASCII 2.0 protocol (Technology Solutions UK: 1128, 1166, 2128 and OEM handhelds), pure: bytes in,
 * events out; commands as text. No I/O, so the framing and parsing are unit-tested byte by byte.
 *
 * The wire format, as TSL publishes it:
 *  - a command is one line of ASCII: `.iv -o 29 -ie on -ir on\r\n` (dot, two letters, `-xx value` options);
 *  - the reply is lines `XX: value`: `CS: <the command>` first, then data lines, then `OK:` or
 *    `ER: <code>` (`ME:` carries a message). Inventory data comes per transponder: `EP:` (EPC hex),
 *    `RI:` (RSSI, dBm), `PC:` (protocol control word), in the order the reader was told;
 *  - the reader also speaks unasked: `SW: single|double|off` when the trigger is pulled or released
 *    (switch reports on), `BC:` when its barcode engine reads, and a whole `CS: .iv … OK:` reply when
 *    the trigger runs the reader's own switch action.
 * Lines end in CR LF; a Bluetooth or serial link delivers them in chunks that split anywhere (even
 * between CR and LF), so `LineFramer` reassembles them. Noise (a garbled line on a weak link) is
 * reported as such and never becomes a read: an `EP:` that is not whole hex bytes is dropped.
 */

export interface TslField {
  header: string;
  value: string;
}

export interface Transponder {
  epc: string;
  rssi?: number;
  pc?: string;
}

export type SwitchState = 'single' | 'double' | 'off';

export type TslEvent =
  /** a reply ended (`OK:` or `ER:`); `transponders` counts the ones streamed during it */
  | { type: 'response'; command: string; ok: boolean; error?: string; message?: string; fields: TslField[]; transponders: number }
  /** one transponder of the reply in progress, as soon as its record is complete */
  | { type: 'transponder'; command: string; transponder: Transponder }
  | { type: 'switch'; state: SwitchState }
  | { type: 'barcode'; code: string }
  | { type: 'noise'; line: string };

/** Longest line kept; anything longer is a broken stream (a 496-bit EPC line is ~130 characters). */
export const MAX_LINE = 512;

/** Chunks of bytes → complete lines (without terminators). CR, LF or CR LF end a line; empty lines are skipped. */
export class LineFramer {
  private partial = '';
  private overflow = false;

  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : ascii(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 13 && c !== 10) continue;
      const piece = this.partial + text.slice(start, i);
      this.partial = '';
      start = i + 1;
      if (this.overflow) {
        this.overflow = false; // the rest of an over-long line: dropped with it
        continue;
      }
      if (piece.length) lines.push(piece);
    }
    this.partial += text.slice(start);
    if (this.partial.length > MAX_LINE) {
      this.partial = '';
      this.overflow = true;
    }
    return lines;
  }

  reset(): void {
    this.partial = '';
    this.overflow = false;
  }
}

function ascii(bytes: Uint8Array): string {
  let s = '';
  // chunks are small (BLE ≤ 244 bytes, serial reads a few KB): building the string directly is fastest
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]! & 0x7f);
  return s;
}

const LINE = /^([A-Z]{2}):\s?(.*)$/;
const HEX_BYTES = /^(?:[0-9A-F]{2})+$/;

export function parseLine(line: string): TslField | null {
  const m = LINE.exec(line.trimEnd());
  return m ? { header: m[1]!, value: m[2]!.trim() } : null;
}

/** Transponder fields; a record ends when one of them repeats or the reply ends. */
const TRANSPONDER_FIELDS = new Set(['EP', 'RI', 'PC']);

/**
 * Lines → events. Holds the reply in progress: its command, its non-transponder fields, and the
 * transponder record being filled.
 */
export class TslStream {
  private command: string | null = null;
  private fields: TslField[] = [];
  private message: string | undefined;
  private count = 0;
  private current: Partial<Transponder> & { seen: Set<string> } = { seen: new Set() };

  /** Feeds lines, returns what they completed (in order). */
  lines(lines: readonly string[]): TslEvent[] {
    const out: TslEvent[] = [];
    for (const line of lines) this.line(line, out);
    return out;
  }

  private flushTransponder(out: TslEvent[]): void {
    const t = this.current;
    this.current = { seen: new Set() };
    if (!t.epc || this.command === null) return;
    const transponder: Transponder = { epc: t.epc };
    if (t.rssi !== undefined) transponder.rssi = t.rssi;
    if (t.pc !== undefined) transponder.pc = t.pc;
    this.count++;
    out.push({ type: 'transponder', command: this.command, transponder });
  }

  private end(out: TslEvent[], ok: boolean, error?: string): void {
    this.flushTransponder(out);
    if (this.command === null) return;
    const ev: TslEvent = { type: 'response', command: this.command, ok, fields: this.fields, transponders: this.count };
    if (error !== undefined) ev.error = error;
    if (this.message !== undefined) ev.message = this.message;
    out.push(ev);
    this.command = null;
    this.fields = [];
    this.message = undefined;
    this.count = 0;
  }

  private line(line: string, out: TslEvent[]): void {
    const f = parseLine(line);
    if (!f) {
      out.push({ type: 'noise', line });
      return;
    }
    switch (f.header) {
      case 'CS':
        // a new reply before the last one ended: the link lost its terminator
        if (this.command !== null) this.end(out, false, 'interrupted');
        this.command = f.value;
        return;
      case 'OK':
        if (this.command === null) out.push({ type: 'noise', line });
        else this.end(out, true);
        return;
      case 'ER':
        if (this.command === null) out.push({ type: 'noise', line });
        else this.end(out, false, f.value || 'unknown');
        return;
      case 'SW': {
        const state = f.value.toLowerCase();
        if (state === 'single' || state === 'double' || state === 'off') out.push({ type: 'switch', state });
        else out.push({ type: 'noise', line });
        return;
      }
      case 'BC':
        if (f.value) out.push({ type: 'barcode', code: f.value });
        if (this.command !== null) this.fields.push(f);
        return;
    }
    if (this.command === null) {
      out.push({ type: 'noise', line });
      return;
    }
    if (f.header === 'ME') this.message = f.value;
    if (!TRANSPONDER_FIELDS.has(f.header)) {
      this.fields.push(f);
      return;
    }
    if (this.current.seen.has(f.header)) this.flushTransponder(out);
    this.current.seen.add(f.header);
    if (f.header === 'EP') {
      const hex = f.value.replace(/\s/g, '').toUpperCase();
      if (HEX_BYTES.test(hex) && hex.length >= 4) this.current.epc = hex;
      else out.push({ type: 'noise', line }); // a garbled EPC never becomes a read
    } else if (f.header === 'RI') {
      const n = Number(f.value);
      if (Number.isFinite(n) && n <= 0 && n >= -120) this.current.rssi = n;
    } else {
      this.current.pc = f.value;
    }
  }

  reset(): void {
    this.command = null;
    this.fields = [];
    this.message = undefined;
    this.count = 0;
    this.current = { seen: new Set() };
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

export interface InventoryParams {
  /** output power, dBm (10–29 on the TSL handhelds) */
  powerDbm?: number;
  /** Gen2 session: 0 re-reads a tag every round (locating), 1–2 let each tag answer once per pass (counting) */
  session?: 0 | 1 | 2 | 3;
  target?: 'a' | 'b';
  /** include RSSI (`RI:`) */
  rssi?: boolean;
  /** include PC word (`PC:`) */
  pc?: boolean;
}

/** `.iv` with explicit options (`-x` first resets the reader's defaults so nothing stale carries over). */
export function inventoryCommand(p: InventoryParams = {}): string {
  const parts = ['.iv', '-x'];
  if (p.powerDbm !== undefined) parts.push('-o', String(Math.round(p.powerDbm)));
  parts.push('-ie', 'on', '-ir', p.rssi === false ? 'off' : 'on', '-ip', p.pc ? 'on' : 'off');
  if (p.session !== undefined) parts.push('-qs', `s${p.session}`);
  if (p.target) parts.push('-qt', p.target);
  return parts.join(' ');
}

export const COMMANDS = {
  /** version: `MF:` maker, `US:` unit serial, `PV:` protocol, `UF:` firmware, `RF:` radio firmware */
  version: '.vr',
  /** battery: `BP: 87%` */
  battery: '.bl',
  /** asynchronous switch (trigger) reports on: `SW: single|double|off` lines */
  switchReports: '.sr -a on'
} as const;

/** Error code of an inventory round that found nothing: not a failure. */
export const ER_NO_TRANSPONDER = '005';

export function encodeCommand(line: string): Uint8Array {
  const text = `${line}\r\n`;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

/** The command name of a command line or a `CS:` echo: `.iv -o 29` → `.iv`. */
export function commandName(line: string): string {
  return line.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

export function fieldOf(fields: readonly TslField[], header: string): string | undefined {
  return fields.find((f) => f.header === header)?.value;
}

/** `BP: 87%` → 87 */
export function batteryPercent(fields: readonly TslField[]): number | undefined {
  const v = fieldOf(fields, 'BP');
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
}
