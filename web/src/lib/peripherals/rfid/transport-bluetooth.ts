import { message, type ByteTransport } from './transport.ts';
import { NUS_RX, NUS_SERVICE, NUS_TX } from './simulator.ts';

/**
 * Web Bluetooth byte link over the Nordic UART service (BLE serial: TSL handhelds in BLE mode and
 * most OEM sleds). Writes go to the RX characteristic in pieces the link accepts; notifications from
 * TX are the reader's bytes. Browser-only: reached through dynamic import.
 *
 * Pairing is remembered by device id: `reopen()` finds it again through `navigator.bluetooth.getDevices()`
 * (Chrome keeps permitted devices) without showing the chooser, which is how a dropped link comes back.
 */

/** ATT payload of the default MTU (23 − 3). Larger MTUs exist, but 20 always works. */
export const BLE_WRITE_CHUNK = 20;

interface Characteristic {
  value?: DataView | null;
  startNotifications(): Promise<unknown>;
  writeValueWithoutResponse?(data: BufferSource): Promise<void>;
  writeValue(data: BufferSource): Promise<void>;
  addEventListener(type: 'characteristicvaluechanged', fn: (e: Event) => void): void;
  removeEventListener(type: 'characteristicvaluechanged', fn: (e: Event) => void): void;
}
interface Device {
  id: string;
  name?: string;
  gatt?: {
    connected: boolean;
    connect(): Promise<{ getPrimaryService(uuid: string): Promise<{ getCharacteristic(uuid: string): Promise<Characteristic> }> }>;
    disconnect(): void;
  };
  addEventListener(type: 'gattserverdisconnected', fn: () => void): void;
  removeEventListener(type: 'gattserverdisconnected', fn: () => void): void;
}
interface BluetoothLike {
  requestDevice(opts: { filters?: { services?: string[]; namePrefix?: string }[]; optionalServices?: string[] }): Promise<Device>;
  getDevices?(): Promise<Device[]>;
}

function bluetooth(): BluetoothLike {
  const nav = (typeof navigator === 'undefined' ? {} : navigator) as { bluetooth?: BluetoothLike };
  if (!nav.bluetooth) throw new Error('This browser has no Web Bluetooth. Use Chrome on Android, or pick a serial or keyboard-mode reader.');
  return nav.bluetooth;
}

export class BluetoothTransport implements ByteTransport {
  readonly kind = 'bluetooth' as const;
  name: string;
  deviceId?: string;
  onData: ((chunk: Uint8Array) => void) | null = null;
  onClose: ((reason: string) => void) | null = null;
  private device: Device | null = null;
  private rx: Characteristic | null = null;
  private tx: Characteristic | null = null;
  private closing = false;

  constructor(remembered: { name?: string; deviceId?: string } = {}) {
    this.name = remembered.name ?? 'Bluetooth reader';
    if (remembered.deviceId) this.deviceId = remembered.deviceId;
  }

  private readonly onNotify = (e: Event) => {
    const v = (e.target as unknown as Characteristic).value;
    if (v) this.onData?.(new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice());
  };

  private readonly onDisconnected = () => {
    if (!this.closing) this.onClose?.('Bluetooth link lost');
  };

  private async attach(device: Device): Promise<void> {
    if (!device.gatt) throw new Error('this device has no GATT server');
    if (this.device && this.device !== device) this.device.removeEventListener('gattserverdisconnected', this.onDisconnected);
    this.device = device;
    this.deviceId = device.id;
    if (device.name) this.name = device.name;
    device.removeEventListener('gattserverdisconnected', this.onDisconnected);
    device.addEventListener('gattserverdisconnected', this.onDisconnected);
    const server = await device.gatt.connect();
    const service = await server.getPrimaryService(NUS_SERVICE);
    this.rx = await service.getCharacteristic(NUS_RX);
    this.tx?.removeEventListener('characteristicvaluechanged', this.onNotify);
    this.tx = await service.getCharacteristic(NUS_TX);
    this.tx.addEventListener('characteristicvaluechanged', this.onNotify);
    await this.tx.startNotifications();
  }

  async open(): Promise<void> {
    this.closing = false;
    if (await this.reopen()) return;
    let device: Device;
    try {
      device = await bluetooth().requestDevice({ filters: [{ services: [NUS_SERVICE] }], optionalServices: [NUS_SERVICE] });
    } catch (err) {
      throw new Error(`No Bluetooth reader chosen (${message(err)})`);
    }
    await this.attach(device);
  }

  async reopen(): Promise<boolean> {
    this.closing = false;
    try {
      if (this.device?.gatt) {
        await this.attach(this.device);
        return true;
      }
      if (!this.deviceId) return false;
      const known = (await bluetooth().getDevices?.()) ?? [];
      const device = known.find((d) => d.id === this.deviceId);
      if (!device) return false;
      await this.attach(device);
      return true;
    } catch {
      return false;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    const rx = this.rx;
    if (!rx || !this.device?.gatt?.connected) throw new Error('the Bluetooth reader is not connected');
    for (let i = 0; i < bytes.length; i += BLE_WRITE_CHUNK) {
      const part = bytes.slice(i, i + BLE_WRITE_CHUNK);
      if (rx.writeValueWithoutResponse) await rx.writeValueWithoutResponse(part);
      else await rx.writeValue(part);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.tx?.removeEventListener('characteristicvaluechanged', this.onNotify);
    if (this.device?.gatt?.connected) this.device.gatt.disconnect();
  }
}
