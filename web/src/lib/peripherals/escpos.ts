import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { blockLines, type ReceiptLayout } from '../domain/receipt.ts';

export type PaperColumns = 42 | 48 | 32;
/** ESC/POS is the default and the only one escpos-decode.ts reads back; Star printers report their own. */
export type PrinterLanguage = 'esc-pos' | 'star-prnt' | 'star-line';

export interface EncodeOptions {
  /** characters per line in font A: 48 for 80 mm at 203 dpi, 42 for 80 mm at 180 dpi, 32 for 58 mm */
  columns: PaperColumns;
  language?: PrinterLanguage;
  /** the connected printer's code-page numbering (the Bluetooth driver reports it); default 'epson' */
  codepageMapping?: string;
  /** pulse the cash drawer (wired to the printer's DK port) */
  kickDrawer?: boolean;
  /** partial cut at the end; default true */
  cut?: boolean;
}

/**
 * The sale id goes on paper as a QR code, not CODE128. An id like `sale:GM-1:01JABCDEFGHJKMNPQRSTVWXYZ0`
 * is 36 characters: in CODE128 set B that is 36×11 + 35 = 431 modules, and the narrowest module the
 * encoder allows (GS w 2) is 2 dots, so 862 dots — wider than 80 mm paper (576 dots at 203 dpi, 512
 * at 180) let alone 58 mm (384). Set C only packs digit pairs, and a ULID is mostly letters. A QR
 * code (version 3, 29 modules × 6 dots = 174 dots) fits every width, and the 2D imagers registers
 * use read it. Printers without QR support still show the id in the "No. …" line at the top.
 */
const QR_OPTIONS = { model: 2, size: 6, errorlevel: 'm' } as const;

function newEncoder(opts: Pick<EncodeOptions, 'columns' | 'language' | 'codepageMapping'>): ReceiptPrinterEncoder {
  return new ReceiptPrinterEncoder({
    columns: opts.columns,
    language: opts.language ?? 'esc-pos',
    // A driver-reported mapping is a plain string; the encoder throws on one it does not know.
    codepageMapping: (opts.codepageMapping ?? 'epson') as 'epson',
    // The cutter sits a few lines above the print head: feed so the last line clears it.
    feedBeforeCut: 4
  });
}

export function encodeReceipt(layout: ReceiptLayout, opts: EncodeOptions): Uint8Array {
  const enc = newEncoder(opts);
  // 'auto' picks a code page per run of text, so "€", "ü" and "£" print instead of "?".
  enc.initialize().codepage('auto');
  // Kick first: the drawer opens while the receipt prints, not after it.
  if (opts.kickDrawer) enc.pulse();
  for (const block of layout.blocks) {
    switch (block.kind) {
      case 'text':
        enc.align(block.align ?? 'left').bold(!!block.bold);
        if (block.size === 2) enc.size(2, 2);
        enc.line(block.text);
        if (block.size === 2) enc.size(1, 1);
        enc.bold(false).align('left');
        break;
      case 'blank':
        enc.newline();
        break;
      case 'code':
        // the receipt number people read and type back, under the code the scanner reads
        enc.align('center').qrcode(block.value, QR_OPTIONS);
        if (block.label) enc.line(block.label);
        enc.align('left');
        break;
      default: {
        const bold = block.kind === 'total' && !!block.bold;
        if (bold) enc.bold(true);
        for (const l of blockLines(block, opts.columns)) enc.line(l);
        if (bold) enc.bold(false);
      }
    }
  }
  if (opts.cut ?? true) enc.cut('partial');
  return enc.encode();
}

/** Just the drawer pulse (ESC p 0, 100 ms on, 500 ms off): "no sale" and cash without a receipt. */
export function kickDrawerBytes(): Uint8Array {
  return newEncoder({ columns: 42 }).pulse().encode();
}

/** A short page to check a newly paired printer's width, code page and cutter. */
export function testPageBytes(opts: Pick<EncodeOptions, 'columns' | 'codepageMapping'> & { printerName: string }): Uint8Array {
  const enc = newEncoder(opts);
  enc.initialize().codepage('auto');
  enc.align('center').bold(true).size(2, 2).line('Test page').size(1, 1).bold(false);
  enc.line(opts.printerName).align('left');
  enc.line('-'.repeat(opts.columns));
  enc.line('1234567890'.repeat(Math.ceil(opts.columns / 10)).slice(0, opts.columns));
  enc.line(`${opts.columns} columns`);
  enc.line('Currency: $ € £ ¥');
  enc.line('-'.repeat(opts.columns));
  enc.align('center').qrcode('POS test page', QR_OPTIONS).align('left');
  enc.cut('partial');
  return enc.encode();
}
