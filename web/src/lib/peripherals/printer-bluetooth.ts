import type { PrinterLanguage } from './escpos.ts';
import { message, PrinterError, type ReceiptPrinter } from './printer.ts';

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Web Bluetooth (@point-of-sale/webbluetooth-receipt-printer).

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
