import CodepageEncoder, { type Codepage } from '@point-of-sale/codepage-encoder';

/**
 * A small ESC/POS interpreter for tests, the simulated printer and the browser-print fallback: it
 * reads back what `encodeReceipt` produced (text lines, barcodes, QR codes, drawer kicks, cuts).
 * It never throws: unknown commands are skipped by their known length (or just their two command
 * bytes), and a command cut short by the end of the buffer ends decoding.
 *
 * Code pages: text is decoded with the same tables the encoder used (@point-of-sale/codepage-encoder
 * is the encoder's own dependency), selected by ESC t with Epson's numbering — the encoder's
 * default `codepageMapping: 'epson'`.
 */

export type DecodedItem = { kind: 'line'; text: string } | { kind: 'barcode'; value: string } | { kind: 'qrcode'; value: string };

export interface DecodedReceipt {
  /** printed text lines, trailing spaces trimmed (alignment padding on the left is kept) */
  lines: string[];
  barcodes: string[];
  qrcodes: string[];
  drawerKicks: number;
  cuts: number;
  /** everything printed, in paper order (lines and codes interleaved) */
  items: DecodedItem[];
}

// ESC t n → code page, Epson numbering (holes are code pages the decoder does not know).
const EPSON_CODEPAGES: (Codepage | undefined)[] = [
  'cp437', 'epson/katakana', 'cp850', 'cp860', 'cp863', 'cp865', undefined, undefined, undefined, undefined, undefined,
  'cp851', 'cp853', 'cp857', 'cp737', 'iso8859-7', 'windows1252', 'cp866', 'cp852', 'cp858', 'thai42', 'thai11',
  undefined, undefined, undefined, undefined, 'thai13', undefined, undefined, undefined, 'tcvn3', 'tcvn3capitals',
  'cp720', 'cp775', 'cp855', 'cp861', 'cp862', 'cp864', 'cp869', 'epson/iso8859-2', 'iso8859-15', 'cp1098', 'cp774',
  'cp772', 'cp1125', 'windows1250', 'windows1251', 'windows1253', 'windows1254', 'windows1255', 'windows1256',
  'windows1257', 'windows1258', 'rk1048'
];

const tables = new Map<number, number[] | null>();
function codepageTable(n: number): number[] | null {
  if (!tables.has(n)) {
    const name = EPSON_CODEPAGES[n];
    let table: number[] | null = null;
    try {
      table = name ? CodepageEncoder.getCodepoints(name, true) : null;
    } catch {
      table = null;
    }
    tables.set(n, table);
  }
  return tables.get(n) ?? null;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;

/** ESC commands with a fixed number of parameter bytes (by command byte). */
const ESC_FIXED: Record<number, number> = {
  0x20: 1, // ESC SP n  right-side character spacing
  0x21: 1, // ESC ! n   print mode
  0x24: 2, // ESC $     absolute position
  0x25: 1, // ESC %     user-defined character set
  0x2d: 1, // ESC -     underline
  0x32: 0, // ESC 2     default line spacing
  0x33: 1, // ESC 3 n   line spacing
  0x34: 1, // ESC 4     italic
  0x3c: 0, // ESC <     return home
  0x3d: 1, // ESC =     peripheral select
  0x3f: 1, // ESC ?     cancel user-defined char
  0x40: 0, // ESC @     initialize
  0x45: 1, // ESC E     bold
  0x47: 1, // ESC G     double strike
  0x4a: 1, // ESC J     feed n dots
  0x4b: 1, // ESC K     reverse feed
  0x4c: 0, // ESC L     page mode
  0x4d: 1, // ESC M     font
  0x52: 1, // ESC R     international character set
  0x53: 0, // ESC S     standard mode
  0x54: 1, // ESC T     page-mode direction
  0x55: 1, // ESC U     unidirectional
  0x56: 1, // ESC V     rotate
  0x57: 8, // ESC W     page-mode area
  0x5c: 2, // ESC \     relative position
  0x61: 1, // ESC a     justification
  0x64: 1, // ESC d     feed n lines
  0x65: 1, // ESC e     reverse feed n lines
  0x69: 0, // ESC i     partial cut (legacy)
  0x6d: 0, // ESC m     partial cut (legacy)
  0x70: 3, // ESC p     drawer kick
  0x72: 1, // ESC r     colour
  0x74: 1, // ESC t     code page
  0x7b: 1 // ESC {     upside down
};

/** GS commands with a fixed number of parameter bytes. */
const GS_FIXED: Record<number, number> = {
  0x21: 1, // GS ! n  character size
  0x24: 2, // GS $    vertical position
  0x2f: 1, // GS /    print downloaded image
  0x3a: 0, // GS :    macro
  0x42: 1, // GS B    reverse
  0x48: 1, // GS H    HRI position
  0x49: 1, // GS I    printer id
  0x4c: 2, // GS L    left margin
  0x50: 2, // GS P    motion units
  0x54: 1, // GS T
  0x57: 2, // GS W    print width
  0x5c: 2, // GS \    relative vertical position
  0x61: 1, // GS a    ASB
  0x62: 1, // GS b    smoothing
  0x66: 1, // GS f    HRI font
  0x68: 1, // GS h    barcode height
  0x72: 1, // GS r    status
  0x77: 1 // GS w    barcode width
};

/** CODE128 data starts with a code-set selector ({A {B {C) and escapes a literal "{" as "{{". */
function code128Text(raw: string): string {
  return raw.replace(/\{([ABC1-4S{])/g, (_m, c: string) => (c === '{' ? '{' : ''));
}

export function decodeEscPos(input: Uint8Array | ArrayLike<number>): DecodedReceipt {
  const bytes = input instanceof Uint8Array ? input : Uint8Array.from(input);
  const out: DecodedReceipt = { lines: [], barcodes: [], qrcodes: [], drawerKicks: 0, cuts: 0, items: [] };
  let line = '';
  let lineHasContent = false;
  let table = codepageTable(0);
  let pendingQr: string | null = null;

  const endLine = () => {
    const text = line.trimEnd();
    out.lines.push(text);
    out.items.push({ kind: 'line', text });
    line = '';
    lineHasContent = false;
  };
  const flushPartial = () => {
    if (lineHasContent) endLine();
  };
  const latin = (from: number, to: number) => {
    let s = '';
    for (let k = from; k < to; k++) s += String.fromCharCode(bytes[k]!);
    return s;
  };

  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      endLine();
      i += 1;
      continue;
    }
    if (b === 0x0c) {
      flushPartial();
      i += 1;
      continue;
    }
    if (b === 0x09) {
      line += ' ';
      lineHasContent = true;
      i += 1;
      continue;
    }

    if (b === ESC) {
      if (i + 1 >= n) break;
      const cmd = bytes[i + 1]!;
      if (cmd === 0x2a) {
        // ESC * m nL nH data: column image; 8-dot modes have one byte per column, 24-dot three.
        if (i + 4 >= n) break;
        const m = bytes[i + 2]!;
        const cols = bytes[i + 3]! + bytes[i + 4]! * 256;
        i += 5 + cols * (m === 32 || m === 33 ? 3 : 1);
        continue;
      }
      if (cmd === 0x63) {
        i += 4; // ESC c 3/4/5 n: panel and sensor settings
        continue;
      }
      const params = ESC_FIXED[cmd];
      if (params === undefined) {
        i += 2;
        continue;
      }
      if (i + 1 + params >= n && params > 0) break;
      const p = (k: number) => bytes[i + 2 + k]!;
      if (cmd === 0x40) table = codepageTable(0);
      else if (cmd === 0x74) table = codepageTable(p(0));
      else if (cmd === 0x70) out.drawerKicks += 1;
      else if (cmd === 0x69 || cmd === 0x6d) {
        flushPartial();
        out.cuts += 1;
      } else if (cmd === 0x64) {
        flushPartial();
      }
      i += 2 + params;
      continue;
    }

    if (b === GS) {
      if (i + 1 >= n) break;
      const cmd = bytes[i + 1]!;
      if (cmd === 0x56) {
        // GS V m [n]: cut; function B/C/D carry a feed amount.
        if (i + 2 >= n) break;
        const m = bytes[i + 2]!;
        flushPartial();
        out.cuts += 1;
        i += m === 0 || m === 1 || m === 48 || m === 49 ? 3 : 4;
        continue;
      }
      if (cmd === 0x6b) {
        // GS k m: barcode. Function A (m ≤ 6) is NUL-terminated, function B has a length byte.
        if (i + 2 >= n) break;
        const m = bytes[i + 2]!;
        let data: string;
        if (m <= 6) {
          let end = i + 3;
          while (end < n && bytes[end] !== 0) end++;
          if (end >= n) break;
          data = latin(i + 3, end);
          i = end + 1;
        } else {
          if (i + 3 >= n) break;
          const len = bytes[i + 3]!;
          if (i + 4 + len > n) break;
          data = latin(i + 4, i + 4 + len);
          i += 4 + len;
        }
        const value = m === 0x49 ? code128Text(data) : data;
        flushPartial();
        out.barcodes.push(value);
        out.items.push({ kind: 'barcode', value });
        continue;
      }
      if (cmd === 0x28) {
        // GS ( fn pL pH data…: length-prefixed function (QR / PDF417 under GS ( k).
        if (i + 4 >= n) break;
        const fn = bytes[i + 2]!;
        const len = bytes[i + 3]! + bytes[i + 4]! * 256;
        const start = i + 5;
        if (start + len > n) break;
        if (fn === 0x6b && len >= 3 && bytes[start] === 0x31) {
          const f = bytes[start + 1];
          if (f === 0x50) pendingQr = latin(start + 3, start + len); // the encoder stores QR data as ISO-8859-1
          else if (f === 0x51 && pendingQr !== null) {
            flushPartial();
            out.qrcodes.push(pendingQr);
            out.items.push({ kind: 'qrcode', value: pendingQr });
          }
        }
        i = start + len;
        continue;
      }
      if (cmd === 0x76) {
        // GS v 0 m xL xH yL yH data: raster image.
        if (i + 7 >= n) break;
        const w = bytes[i + 4]! + bytes[i + 5]! * 256;
        const h = bytes[i + 6]! + bytes[i + 7]! * 256;
        i += 8 + w * h;
        continue;
      }
      if (cmd === 0x38) {
        // GS 8 L p1 p2 p3 p4 …: extended graphics with a 32-bit length.
        if (i + 6 >= n) break;
        const len = bytes[i + 3]! + bytes[i + 4]! * 0x100 + bytes[i + 5]! * 0x10000 + bytes[i + 6]! * 0x1000000;
        i += 7 + len;
        continue;
      }
      const params = GS_FIXED[cmd];
      i += 2 + (params ?? 0);
      continue;
    }

    if (b === FS) {
      if (i + 1 >= n) break;
      const cmd = bytes[i + 1]!;
      if (cmd === 0x28) {
        if (i + 4 >= n) break;
        i += 5 + bytes[i + 3]! + bytes[i + 4]! * 256;
        continue;
      }
      // FS . / FS & (character mode) take none; FS C / FS ! / FS - one; FS p two.
      i += 2 + (cmd === 0x43 || cmd === 0x21 || cmd === 0x2d || cmd === 0x57 ? 1 : cmd === 0x70 ? 2 : 0);
      continue;
    }

    if (b === DLE) {
      if (i + 1 >= n) break;
      const cmd = bytes[i + 1]!;
      if (cmd === 0x14) {
        // DLE DC4 fn …: fn 1 is the real-time drawer kick (m t), fn 2 power-off (2), fn 8 clear (7).
        if (i + 2 >= n) break;
        const fn = bytes[i + 2]!;
        if (fn === 1) out.drawerKicks += 1;
        i += 3 + (fn === 1 || fn === 2 ? 2 : fn === 8 ? 7 : 0);
        continue;
      }
      i += cmd === 0x04 || cmd === 0x05 ? 3 : 2; // DLE EOT n / DLE ENQ n status requests
      continue;
    }

    if (b < 0x20 || b === 0x7f) {
      i += 1; // CR and other control bytes: nothing printable
      continue;
    }

    // Printable: read the run up to the next control byte.
    let end = i;
    while (end < n && bytes[end]! >= 0x20 && bytes[end] !== 0x7f) end++;
    line += decodeText(bytes.subarray(i, end), table);
    lineHasContent = true;
    i = end;
  }
  flushPartial();
  return out;
}

function decodeText(run: Uint8Array, table: number[] | null): string {
  let s = '';
  for (const byte of run) {
    if (byte < 0x80) s += String.fromCharCode(byte);
    else {
      const cp = table?.[byte];
      s += cp === undefined || cp === 0xfffd ? '?' : String.fromCodePoint(cp);
    }
  }
  return s;
}
