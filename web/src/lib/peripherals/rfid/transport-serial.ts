import { message, type ByteTransport } from './transport.ts';

/**
 * Web Serial byte link: a TSL reader paired as Bluetooth classic (RFCOMM/SPP, which Chrome exposes as
 * a serial port) or on a USB cable. On Android Chrome, which has WebUSB but no Web Serial,
 * `web-serial-polyfill` drives USB CDC-ACM serial devices with the same API. Browser-only.
 *
 * The read loop hands each chunk to the driver as it arrives; a read error or end of stream is the
 * link going away. Pairing is remembered as USB `vvvv:pppp` (or the first granted port when the
 * port has no USB ids, e.g. Bluetooth RFCOMM).
 */

export const SERIAL_BAUD = 115_200;

interface SerialPortLike {
  open(options: { baudRate: number }): Promise<void>;
  close(): Promise<void>;
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly writable: WritableStream<Uint8Array> | null;
  getInfo(): { usbVendorId?: number; usbProductId?: number; bluetoothServiceClassId?: number | string };
}
interface SerialLike {
  requestPort(options?: object): Promise<SerialPortLike>;
  getPorts(): Promise<SerialPortLike[]>;
}

async function serialApi(): Promise<SerialLike> {
  const nav = (typeof navigator === 'undefined' ? {} : navigator) as { serial?: SerialLike; usb?: unknown };
  if (nav.serial) return nav.serial;
  if (nav.usb) {
    const { serialPolyfill } = await import('../serial-polyfill.ts');
    return serialPolyfill as unknown as SerialLike;
  }
  throw new Error('This browser has no Web Serial or WebUSB. Use Chrome, or pick a Bluetooth or keyboard-mode reader.');
}

const hex4 = (n: number | undefined) => (n ?? 0).toString(16).padStart(4, '0');
const idOf = (p: SerialPortLike) => {
  const i = p.getInfo();
  return i.usbVendorId !== undefined ? `${hex4(i.usbVendorId)}:${hex4(i.usbProductId)}` : 'serial';
};

export class SerialTransport implements ByteTransport {
  readonly kind = 'serial' as const;
  name: string;
  deviceId?: string;
  onData: ((chunk: Uint8Array) => void) | null = null;
  onClose: ((reason: string) => void) | null = null;
  private port: SerialPortLike | null = null;
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private closing = false;

  constructor(remembered: { name?: string; deviceId?: string } = {}) {
    this.name = remembered.name ?? 'Serial reader';
    if (remembered.deviceId) this.deviceId = remembered.deviceId;
  }

  private async attach(port: SerialPortLike): Promise<void> {
    try {
      await port.open({ baudRate: SERIAL_BAUD });
    } catch (err) {
      // already open (this page opened it before) is fine
      if (!(err instanceof Error && err.name === 'InvalidStateError')) throw err;
    }
    this.port = port;
    this.deviceId = idOf(port);
    void this.readLoop(port);
  }

  private async readLoop(port: SerialPortLike): Promise<void> {
    const readable = port.readable;
    if (!readable) return;
    const reader = readable.getReader();
    this.reader = reader;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value?.length) this.onData?.(value);
      }
    } catch {
      // the device went away: reported below
    } finally {
      reader.releaseLock();
      if (this.reader === reader) this.reader = null;
      if (!this.closing && this.port === port) {
        this.port = null;
        this.onClose?.('serial link lost');
      }
    }
  }

  async open(): Promise<void> {
    this.closing = false;
    if (await this.reopen()) return;
    let port: SerialPortLike;
    try {
      port = await (await serialApi()).requestPort({});
    } catch (err) {
      throw new Error(`No serial reader chosen (${message(err)})`);
    }
    await this.attach(port);
  }

  async reopen(): Promise<boolean> {
    this.closing = false;
    if (this.port) return true;
    if (!this.deviceId) return false;
    try {
      const ports = (await (await serialApi()).getPorts()).filter((p) => idOf(p) === this.deviceId);
      // two identical readers cannot be told apart: the clerk chooses again
      if (ports.length !== 1) return false;
      await this.attach(ports[0]!);
      return true;
    } catch {
      return false;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    const writable = this.port?.writable;
    if (!writable) throw new Error('the serial reader is not connected');
    const writer = writable.getWriter();
    try {
      await writer.write(bytes);
    } finally {
      writer.releaseLock();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.reader?.cancel().catch(() => undefined);
    await this.port?.close().catch(() => undefined);
    this.port = null;
  }
}
