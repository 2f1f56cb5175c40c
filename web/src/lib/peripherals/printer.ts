import type { ReceiptLayout } from '../domain/receipt.ts';
import { decodeEscPos, type DecodedReceipt } from './escpos-decode.ts';
import { encodeReceipt, kickDrawerBytes, type PaperColumns, type PrinterLanguage } from './escpos.ts';

/**
 * Receipt printers behind one small interface (DESIGN.md §5). Browser-only code — the Web Bluetooth
 * driver, the Web Serial polyfill, the print iframe — is reached only inside methods, through
 * dynamic import, so unit tests and SSR can import this module freely.
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

function message(err: unknown): string {
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

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Simulated printer (tests, demo mode)

/**
 * What the simulated printer publishes on `window.__simulatedPrinter` for Playwright:
 *   const jobs = await page.evaluate(() => window.__simulatedPrinter?.jobs ?? []);
 *   expect(jobs.at(-1).lines).toContain(…); expect(jobs.at(-1).drawerKicks).toBe(1);
 *   await page.evaluate(() => { window.__simulatedPrinter!.failNext = 'Out of paper'; });
 */
export interface SimulatedPrinterRecord {
  jobs: DecodedReceipt[];
  /** set to a message to make the next print (on any simulated printer in the page) fail with it */
  failNext: string | null;
}

type WindowWithRecord = { __simulatedPrinter?: SimulatedPrinterRecord };

function browserRecord(): SimulatedPrinterRecord | null {
  if (typeof window === 'undefined') return null;
  const w = window as unknown as WindowWithRecord;
  w.__simulatedPrinter ??= { jobs: [], failNext: null };
  return w.__simulatedPrinter;
}

export class SimulatedPrinter implements ReceiptPrinter {
  readonly kind = 'simulated' as const;
  readonly name: string;
  /** every byte array sent, in order */
  readonly jobs: Uint8Array[] = [];
  connected = false;
  private failure: string | null = null;

  constructor(name = 'Simulated printer') {
    this.name = name;
  }

  /** Makes the next print fail with this message (error-path tests). */
  failNextJob(reason = 'Simulated printer is out of paper'): void {
    this.failure = reason;
  }

  /** The jobs decoded back to lines, codes, drawer kicks and cuts. */
  get decoded(): DecodedReceipt[] {
    return this.jobs.map((j) => decodeEscPos(j));
  }

  async connect(): Promise<void> {
    this.connected = true;
    browserRecord();
  }

  async print(bytes: Uint8Array): Promise<void> {
    const record = browserRecord();
    const failure = this.failure ?? record?.failNext ?? null;
    if (failure) {
      this.failure = null;
      if (record) record.failNext = null;
      throw new PrinterError(failure);
    }
    this.connected = true;
    this.jobs.push(bytes.slice());
    record?.jobs.push(decodeEscPos(bytes));
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Browser print fallback: the receipt as a print-only HTML page in a hidden iframe

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

// ---------------------------------------------------------------------------------------------
// Web Bluetooth (@point-of-sale/webbluetooth-receipt-printer)

interface BluetoothConnected {
  name?: string;
  id: string;
  language?: string | null;
  codepageMapping?: string | null;
}

function supportedLanguage(language: string | null | undefined): PrinterLanguage | undefined {
  return language === 'esc-pos' || language === 'star-prnt' || language === 'star-line' ? language : undefined;
}

/**
 * The driver's connect() logs and resolves on failure, and its print() resolves even when the
 * printer drops mid-job, so this wrapper tracks its 'connected'/'disconnected' events to turn those
 * into errors.
 */
export class WebBluetoothPrinter implements ReceiptPrinter {
  readonly kind = 'bluetooth' as const;
  name: string;
  deviceId?: string;
  codepageMapping?: string;
  language?: PrinterLanguage;
  private driver: InstanceType<typeof import('./bluetooth-driver.ts').BluetoothDriver> | null = null;
  private connected = false;
  private drops = 0;

  constructor(opts: { name?: string; deviceId?: string } = {}) {
    this.name = opts.name ?? 'Bluetooth printer';
    if (opts.deviceId) this.deviceId = opts.deviceId;
  }

  private async ensureDriver() {
    if (this.driver) return this.driver;
    if (typeof navigator === 'undefined' || !('bluetooth' in navigator)) {
      throw new PrinterError('This browser cannot use Bluetooth printers (no Web Bluetooth). Use Chrome or Edge, or pick another printer type.');
    }
    const { BluetoothDriver } = await import('./bluetooth-driver.ts');
    const driver = new BluetoothDriver();
    driver.addEventListener('connected', (device: BluetoothConnected) => {
      this.connected = true;
      this.deviceId = device.id;
      if (device.name) this.name = device.name;
      if (device.codepageMapping) this.codepageMapping = device.codepageMapping;
      const language = supportedLanguage(device.language);
      if (language) this.language = language;
    });
    driver.addEventListener('disconnected', () => {
      if (this.connected) this.drops += 1;
      this.connected = false;
    });
    this.driver = driver;
    return driver;
  }

  /** The driver emits 'connected' on a zero timeout after its promise settles; let it land. */
  private async settle() {
    await tick(10);
  }

  private async reconnect(): Promise<boolean> {
    if (this.connected) return true;
    if (!this.deviceId) return false;
    const driver = await this.ensureDriver();
    try {
      await driver.reconnect({ id: this.deviceId });
    } catch {
      return false; // getDevices() is behind a flag in some browsers; the caller falls back to pairing
    }
    await this.settle();
    return this.connected;
  }

  async connect(): Promise<void> {
    const driver = await this.ensureDriver();
    if (await this.reconnect()) return;
    try {
      await driver.connect();
    } catch (err) {
      throw new PrinterError(`Bluetooth printer did not connect: ${message(err)}`);
    }
    await this.settle();
    if (!this.connected) throw new PrinterError('No Bluetooth printer connected: the chooser was closed, or the printer did not answer. Check it is on and in range.');
  }

  async print(bytes: Uint8Array): Promise<void> {
    const driver = await this.ensureDriver();
    if (!(await this.reconnect())) {
      throw new PrinterError(`Bluetooth printer "${this.name}" is not connected. Turn it on, or pair it again in printer settings.`);
    }
    const drops = this.drops;
    try {
      await driver.print(bytes);
    } catch (err) {
      throw new PrinterError(`Bluetooth printer failed: ${message(err)}`);
    }
    await this.settle();
    if (this.drops !== drops) throw new PrinterError(`Bluetooth printer "${this.name}" disconnected while printing; the receipt may be incomplete.`);
  }

  async disconnect(): Promise<void> {
    if (this.driver && this.connected) await this.driver.disconnect();
    this.connected = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Web Serial (with web-serial-polyfill over WebUSB where navigator.serial is missing)

/** The part of the Web Serial API used here; the polyfill's `serial` implements the same shape. */
interface SerialPortLike {
  open(options: { baudRate: number; dataBits?: number; stopBits?: number; parity?: string; flowControl?: string; bufferSize?: number }): Promise<void>;
  close(): Promise<void>;
  readonly writable: WritableStream<Uint8Array> | null;
  getInfo(): { usbVendorId?: number; usbProductId?: number };
}
interface SerialLike {
  requestPort(options?: { filters?: { usbVendorId?: number; usbProductId?: number }[] }): Promise<SerialPortLike>;
  getPorts(): Promise<SerialPortLike[]>;
}

async function serialApi(): Promise<SerialLike> {
  const nav = (typeof navigator === 'undefined' ? {} : navigator) as { serial?: SerialLike; usb?: unknown };
  if (nav.serial) return nav.serial;
  if (nav.usb) {
    // Android Chrome has WebUSB but no Web Serial; the polyfill drives USB-CDC serial devices.
    const { serialPolyfill } = await import('./serial-polyfill.ts');
    return serialPolyfill as unknown as SerialLike;
  }
  throw new PrinterError('This browser cannot use USB or serial printers (no Web Serial or WebUSB). Use Chrome or Edge, or pick another printer type.');
}

const hex4 = (n: number | undefined) => (n ?? 0).toString(16).padStart(4, '0');

/**
 * Talks to the Web Serial API directly rather than through @point-of-sale/webserial-receipt-printer:
 * that driver's print() queues the write without awaiting it (a failed write becomes an unhandled
 * rejection), its connect() swallows errors, and it reads the global navigator.serial — so the
 * polyfill would have to be patched onto navigator. Here write errors reach the caller, and the
 * polyfill's `serial` object is simply used in place of navigator.serial.
 */
export class WebSerialPrinter implements ReceiptPrinter {
  readonly kind = 'serial' as const;
  name: string;
  /** `vvvv:pppp` USB vendor and product id (hex) */
  deviceId?: string;
  private port: SerialPortLike | null = null;
  private readonly baudRate: number;

  constructor(opts: { name?: string; deviceId?: string; baudRate?: number } = {}) {
    this.name = opts.name ?? 'USB / serial printer';
    if (opts.deviceId) this.deviceId = opts.deviceId;
    this.baudRate = opts.baudRate ?? 9600;
  }

  private async open(port: SerialPortLike) {
    try {
      await port.open({ baudRate: this.baudRate });
    } catch (err) {
      // Already open (e.g. by this page before a reload of the component) is fine.
      if (!(err instanceof Error && err.name === 'InvalidStateError')) throw new PrinterError(`Could not open the printer port: ${message(err)}`);
    }
    const info = port.getInfo();
    if (info.usbVendorId !== undefined) this.deviceId = `${hex4(info.usbVendorId)}:${hex4(info.usbProductId)}`;
    this.port = port;
  }

  private async reconnect(): Promise<boolean> {
    if (this.port) return true;
    if (!this.deviceId) return false;
    const [vendor, product] = this.deviceId.split(':').map((h) => parseInt(h, 16));
    const ports = (await (await serialApi()).getPorts()).filter((p) => {
      const info = p.getInfo();
      return info.usbVendorId === vendor && info.usbProductId === product;
    });
    // Two identical printers cannot be told apart by vendor:product; make the user choose.
    if (ports.length !== 1) return false;
    await this.open(ports[0]!);
    return true;
  }

  async connect(): Promise<void> {
    if (await this.reconnect()) return;
    const serial = await serialApi();
    let port: SerialPortLike;
    try {
      port = await serial.requestPort();
    } catch (err) {
      throw new PrinterError(err instanceof Error && err.name === 'NotFoundError' ? 'No printer port was chosen.' : `Could not reach the printer port: ${message(err)}`);
    }
    await this.open(port);
  }

  async print(bytes: Uint8Array): Promise<void> {
    if (!(await this.reconnect()) || !this.port) throw new PrinterError(`Printer "${this.name}" is not connected. Plug it in, or pair it again in printer settings.`);
    const writable = this.port.writable;
    if (!writable) throw new PrinterError(`Printer "${this.name}" is not ready (its port is closed).`);
    const writer = writable.getWriter();
    try {
      await writer.write(bytes);
    } catch (err) {
      this.port = null; // a failed port is usually unplugged; reopen on the next job
      throw new PrinterError(`Printer "${this.name}" stopped responding: ${message(err)}`);
    } finally {
      writer.releaseLock();
    }
  }

  async disconnect(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port) await port.close().catch(() => undefined);
  }
}
