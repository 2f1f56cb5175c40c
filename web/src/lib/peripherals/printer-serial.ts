import { message, PrinterError, type ReceiptPrinter } from './printer.ts';

// Web Serial (with web-serial-polyfill over WebUSB where navigator.serial is missing).

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
