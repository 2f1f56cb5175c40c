import type { ReceiptLayout } from '../domain/receipt.ts';
import { encodeReceipt, kickDrawerBytes, type PaperColumns, type PrinterLanguage } from './escpos.ts';

/**
 * Receipt printers behind one small interface (DESIGN.md §5), one driver per file: printer-bluetooth,
 * printer-serial, printer-browser (the print dialog) and printer-simulated (tests, demo). Browser-only
 * code — the Web Bluetooth driver, the Web Serial polyfill, the print iframe — is reached only inside
 * methods, through dynamic import, so unit tests and SSR can import every driver freely.
 *
 * Errors: every failure surfaces as a thrown `PrinterError` with a message a cashier can act on.
 * The sale is already saved when the register prints, so the caller shows the message and offers
 * "print again"; nothing is rolled back.
 */

export type PrinterKind = 'bluetooth' | 'serial' | 'simulated' | 'browser';

export interface ReceiptPrinter {
  kind: PrinterKind;
  name: string;
  /** pairs on first use (needs a user gesture for Bluetooth/Serial), or reconnects to the remembered device */
  connect(): Promise<void>;
  /** sends encoded bytes (ESC/POS); reconnects silently first when it can */
  print(bytes: Uint8Array): Promise<void>;
  disconnect(): Promise<void>;
  /** what to remember for reconnecting (Bluetooth device id, USB vendor:product), once connected */
  deviceId?: string;
  /** the code-page numbering / language the connected printer reported, for the encoder */
  codepageMapping?: string;
  language?: PrinterLanguage;
}

export class PrinterError extends Error {
  override name = 'PrinterError';
}

/** An error's text, for a driver's own PrinterError message. */
export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function asPrinterError(err: unknown, prefix: string): PrinterError {
  return err instanceof PrinterError ? err : new PrinterError(`${prefix}: ${message(err)}`);
}

/** Encodes and prints a receipt. Call after the sale is saved; on error keep the sale, show the message. */
export async function printReceipt(printer: ReceiptPrinter, layout: ReceiptLayout, opts: { columns: PaperColumns; kickDrawer?: boolean }): Promise<void> {
  const bytes = encodeReceipt(layout, {
    columns: opts.columns,
    kickDrawer: opts.kickDrawer ?? false,
    ...(printer.codepageMapping ? { codepageMapping: printer.codepageMapping } : {}),
    ...(printer.language ? { language: printer.language } : {})
  });
  try {
    await printer.print(bytes);
  } catch (err) {
    throw asPrinterError(err, 'Receipt not printed');
  }
}

/** Opens the cash drawer without printing (no-sale, or cash taken with the receipt declined). */
export async function openCashDrawer(printer: ReceiptPrinter): Promise<void> {
  if (printer.kind === 'browser') throw new PrinterError('The cash drawer opens through a receipt printer; browser printing cannot open it.');
  try {
    await printer.print(kickDrawerBytes());
  } catch (err) {
    throw asPrinterError(err, 'Cash drawer did not open');
  }
}
