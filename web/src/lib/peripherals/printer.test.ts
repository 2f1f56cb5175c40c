import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CTX, SALE_ID, sampleSale } from '../domain/receipt.fixtures.ts';
import { opensDrawer, receiptLayout } from '../domain/receipt.ts';
import { decodeEscPos } from './escpos-decode.ts';
import { BrowserPrintFallback, receiptHtml } from './printer-browser.ts';
import { WebBluetoothPrinter } from './printer-bluetooth.ts';
import { WebSerialPrinter } from './printer-serial.ts';
import { SimulatedPrinter, type SimulatedPrinterRecord } from './printer-simulated.ts';
import { openCashDrawer, PrinterError, printReceipt } from './printer.ts';

// A stand-in for the Web Bluetooth driver: behaviour is set per test through `bt`.
const bt = vi.hoisted(() => ({
  chooserPicks: true,
  dropDuringPrint: false,
  printed: [] as Uint8Array[],
  reconnects: [] as string[]
}));
vi.mock('./bluetooth-driver.ts', () => {
  type Listener = (...args: unknown[]) => void;
  class FakeDriver {
    private listeners: Record<string, Listener[]> = {};
    addEventListener(event: string, f: Listener) {
      (this.listeners[event] ??= []).push(f);
    }
    private emit(event: string, ...args: unknown[]) {
      for (const f of this.listeners[event] ?? []) setTimeout(() => f(...args), 0); // like the real driver
    }
    async connect() {
      if (bt.chooserPicks) this.emit('connected', { type: 'bluetooth', name: 'TM-P20', id: 'dev-1', language: 'esc-pos', codepageMapping: 'epson' });
    }
    async reconnect(device: { id: string }) {
      bt.reconnects.push(device.id);
      if (device.id === 'dev-1') this.emit('connected', { type: 'bluetooth', name: 'TM-P20', id: 'dev-1', language: 'esc-pos', codepageMapping: 'epson' });
    }
    async print(data: Uint8Array) {
      bt.printed.push(data);
      if (bt.dropDuringPrint) this.emit('disconnected');
    }
    async disconnect() {
      this.emit('disconnected');
    }
  }
  return { BluetoothDriver: FakeDriver };
});

const layout = receiptLayout(sampleSale(), CTX);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('SimulatedPrinter', () => {
  it('records jobs; printReceipt kicks the drawer for cash sales only', async () => {
    const printer = new SimulatedPrinter();
    await printer.connect();
    await printReceipt(printer, layout, { columns: 42, kickDrawer: opensDrawer(sampleSale()) });
    await printReceipt(printer, receiptLayout(sampleSale({ tenders: [{ kind: 'card_external', amount: 3347 }], change: 0 }), CTX), { columns: 42 });
    expect(printer.jobs).toHaveLength(2);
    const [cash, card] = printer.decoded;
    expect(cash).toMatchObject({ drawerKicks: 1, cuts: 1, qrcodes: [SALE_ID] });
    expect(card).toMatchObject({ drawerKicks: 0, cuts: 1 });
    expect(cash!.lines).toContain('TOTAL                               $33.47');
  });

  it('fails the next job when told, with a PrinterError, then recovers', async () => {
    const printer = new SimulatedPrinter();
    printer.failNextJob('Out of paper');
    await expect(printReceipt(printer, layout, { columns: 42 })).rejects.toThrow(new PrinterError('Out of paper'));
    expect(printer.jobs).toHaveLength(0);
    await printReceipt(printer, layout, { columns: 42 });
    expect(printer.jobs).toHaveLength(1);
    await openCashDrawer(printer);
    expect(decodeEscPos(printer.jobs[1]!)).toMatchObject({ drawerKicks: 1, lines: [] });
  });

  it('publishes decoded jobs on window.__simulatedPrinter for Playwright, which can also make a job fail', async () => {
    const win: { __simulatedPrinter?: SimulatedPrinterRecord } = {};
    vi.stubGlobal('window', win);
    const printer = new SimulatedPrinter();
    await printReceipt(printer, layout, { columns: 48, kickDrawer: true });
    expect(win.__simulatedPrinter?.jobs).toHaveLength(1);
    expect(win.__simulatedPrinter?.jobs[0]).toMatchObject({ drawerKicks: 1, qrcodes: [SALE_ID] });
    win.__simulatedPrinter!.failNext = 'Cover open';
    // Another instance (a new page component) shares the record.
    await expect(new SimulatedPrinter().print(new Uint8Array([0x0a]))).rejects.toThrow('Cover open');
    expect(win.__simulatedPrinter?.failNext).toBeNull();
    expect(JSON.parse(JSON.stringify(win.__simulatedPrinter)).jobs[0].lines).toContain(`TOTAL${' '.repeat(37)}$33.47`);
  });
});

describe('BrowserPrintFallback', () => {
  it('renders what a printer would print as HTML with the QR code inline', async () => {
    const html = await receiptHtml(decodeEscPos(await encoded()), 42);
    expect(html).toContain('<div class="l">Register: Front 1</div>');
    expect(html).toContain('<svg');
    expect(html).toContain('width: 42ch');
    expect(html).not.toContain('<script');
  });

  it('says so when there is no page to print from', async () => {
    await expect(new BrowserPrintFallback().print(await encoded())).rejects.toThrow(PrinterError);
  });
});

async function encoded() {
  const p = new SimulatedPrinter();
  await printReceipt(p, receiptLayout(sampleSale({ lines: [{ lineId: '1', productId: 'p', variantId: 'v', sku: 'S', name: '<b>Mug</b> & "co"', qty: 1, unitPrice: 3347, discount: 0, tax: 0, total: 3347 }], subtotal: 3347, discountTotal: 0, taxTotal: 0 }), CTX), { columns: 42 });
  const html = await receiptHtml(p.decoded[0]!);
  expect(html).toContain('&#60;b&#62;Mug&#60;/b&#62; &#38; &#34;co&#34;');
  return p.jobs[0]!;
}

describe('WebBluetoothPrinter', () => {
  beforeEach(() => {
    Object.assign(bt, { chooserPicks: true, dropDuringPrint: false, printed: [], reconnects: [] });
    vi.stubGlobal('navigator', { bluetooth: {} });
  });

  it('pairs, remembers the device, and prints', async () => {
    const p = new WebBluetoothPrinter();
    await p.connect();
    expect(p).toMatchObject({ name: 'TM-P20', deviceId: 'dev-1', codepageMapping: 'epson', language: 'esc-pos' });
    await printReceipt(p, layout, { columns: 32 });
    expect(bt.printed).toHaveLength(1);
  });

  it('reconnects to a remembered device without the chooser', async () => {
    bt.chooserPicks = false;
    const p = new WebBluetoothPrinter({ name: 'TM-P20', deviceId: 'dev-1' });
    await p.print(new Uint8Array([0x0a]));
    expect(bt.reconnects).toEqual(['dev-1']);
    expect(bt.printed).toHaveLength(1);
  });

  it('turns the driver’s silent failures into errors', async () => {
    bt.chooserPicks = false;
    await expect(new WebBluetoothPrinter().connect()).rejects.toThrow(/No Bluetooth printer connected/);
    await expect(new WebBluetoothPrinter({ deviceId: 'gone' }).print(new Uint8Array([0x0a]))).rejects.toThrow(/is not connected/);
    bt.chooserPicks = true;
    bt.dropDuringPrint = true;
    const p = new WebBluetoothPrinter();
    await p.connect();
    await expect(printReceipt(p, layout, { columns: 42 })).rejects.toThrow(/disconnected while printing/);
  });

  it('explains when the browser has no Web Bluetooth', async () => {
    vi.stubGlobal('navigator', {});
    await expect(new WebBluetoothPrinter().connect()).rejects.toThrow(/no Web Bluetooth/);
  });
});

describe('WebSerialPrinter', () => {
  function fakePort(opts: { failWrite?: boolean } = {}) {
    const written: Uint8Array[] = [];
    const port = {
      opened: false,
      written,
      async open() {
        port.opened = true;
      },
      async close() {
        port.opened = false;
      },
      getInfo: () => ({ usbVendorId: 0x04b8, usbProductId: 0x0e28 }),
      writable: new WritableStream<Uint8Array>({
        write(chunk) {
          if (opts.failWrite) throw new Error('device lost');
          written.push(chunk);
        }
      })
    };
    return port;
  }

  it('pairs, remembers vendor:product, reconnects to the one matching port, and prints', async () => {
    const port = fakePort();
    vi.stubGlobal('navigator', { serial: { requestPort: async () => port, getPorts: async () => [port] } });
    const p = new WebSerialPrinter();
    await p.connect();
    expect(p.deviceId).toBe('04b8:0e28');
    await p.print(new Uint8Array([1, 2, 3]));
    expect(port.written).toEqual([new Uint8Array([1, 2, 3])]);
    const again = new WebSerialPrinter({ deviceId: '04b8:0e28' });
    await again.print(new Uint8Array([4]));
    expect(port.written).toHaveLength(2);
  });

  it('reports write failures and missing ports as PrinterErrors', async () => {
    const port = fakePort({ failWrite: true });
    vi.stubGlobal('navigator', { serial: { requestPort: async () => port, getPorts: async () => [] } });
    const p = new WebSerialPrinter();
    await p.connect();
    await expect(p.print(new Uint8Array([1]))).rejects.toThrow(/stopped responding: device lost/);
    await expect(new WebSerialPrinter({ deviceId: '04b8:0e28' }).print(new Uint8Array([1]))).rejects.toThrow(/is not connected/);
    vi.stubGlobal('navigator', {});
    await expect(new WebSerialPrinter().connect()).rejects.toThrow(/no Web Serial or WebUSB/);
  });
});
