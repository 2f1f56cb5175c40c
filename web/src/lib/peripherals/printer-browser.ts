import type { PaperColumns } from './escpos.ts';
import { decodeEscPos, type DecodedReceipt } from './escpos-decode.ts';
import { message, PrinterError, type ReceiptPrinter } from './printer.ts';

// Browser print fallback: the receipt as a print-only HTML page in a hidden iframe.

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** HTML for a decoded receipt: monospace lines as on paper, QR codes as inline SVG. */
export async function receiptHtml(receipt: DecodedReceipt, columns = 42): Promise<string> {
  let toSvg: ((value: string) => Promise<string>) | null = null;
  if (receipt.qrcodes.length) {
    try {
      const qr = await import('qrcode');
      toSvg = (value) => qr.toString(value, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    } catch {
      toSvg = null; // the id still prints as text
    }
  }
  const body: string[] = [];
  for (const item of receipt.items) {
    if (item.kind === 'line') body.push(`<div class="l">${escapeHtml(item.text) || '&nbsp;'}</div>`);
    else if (item.kind === 'qrcode' && toSvg) body.push(`<div class="qr">${await toSvg(item.value)}</div>`);
    else body.push(`<div class="l c">${escapeHtml(item.value)}</div>`);
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>Receipt</title><style>
@page { margin: 4mm; }
body { margin: 0; font: 12px/1.3 ui-monospace, Menlo, Consolas, monospace; width: ${columns}ch; color: #000; }
.l { white-space: pre; overflow: hidden; }
.c { text-align: center; }
.qr { width: 30mm; margin: 2mm auto; }
.qr svg { width: 100%; height: auto; display: block; }
</style></head><body>${body.join('')}</body></html>`;
}

function printHtml(html: string): Promise<void> {
  if (typeof document === 'undefined') return Promise.reject(new PrinterError('Browser printing needs a page to print from.'));
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    // Off-screen rather than display:none: some browsers will not print a frame that is not rendered.
    frame.style.cssText = 'position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden';
    const cleanup = () => setTimeout(() => frame.remove(), 1000);
    frame.onload = () => {
      const win = frame.contentWindow;
      if (!win) {
        frame.remove();
        reject(new PrinterError('Browser printing is blocked on this page.'));
        return;
      }
      try {
        win.addEventListener('afterprint', cleanup, { once: true });
        win.focus();
        win.print(); // blocks until the dialog closes in most browsers
        resolve();
      } catch (err) {
        frame.remove();
        reject(new PrinterError(`Browser printing failed: ${message(err)}`));
      }
      setTimeout(() => frame.remove(), 60_000);
    };
    frame.srcdoc = html;
    document.body.appendChild(frame);
  });
}

/** Prints through the browser's print dialog: any printer the OS knows, no drawer, no cutter. */
export class BrowserPrintFallback implements ReceiptPrinter {
  readonly kind = 'browser' as const;
  readonly name = 'Browser print';
  constructor(private readonly columns: PaperColumns = 42) {}
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async print(bytes: Uint8Array): Promise<void> {
    // Decoding the ESC/POS bytes means the page shows exactly what a receipt printer would print.
    await printHtml(await receiptHtml(decodeEscPos(bytes), this.columns));
  }
}
