import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Page } from './test.ts';

/**
 * A TSL handheld for Playwright, faked at the byte level: `navigator.bluetooth` (Nordic UART GATT
 * service) and `navigator.serial` (a port with byte streams) are replaced in the page by objects whose
 * bytes come from the project's own simulator (web/src/lib/peripherals/rfid/simulator.ts, the same
 * file the demo and the unit tests use). So the app's real Web Bluetooth / Web Serial transport and
 * TSL driver run unchanged: notifications are chopped at arbitrary byte positions, commands arrive as
 * 20-byte GATT writes, links drop.
 *
 * The simulator file is TypeScript with no imports; it is transpiled here and evaluated in the page
 * before the app loads (an init script, so it is back after every reload with the same tags).
 * Tests steer it through `window.__rfidSim` (`pullTrigger`, `dropLink`, `setDistance`, `addTags`…).
 */

export interface FakeReaderConfig {
  tags: { epc: string; distance?: number }[];
  /** Bluetooth device id the app will remember (stable across reloads) */
  id?: string;
  name?: string;
  readsPerSecond?: number;
  roundMs?: number;
  seed?: number;
}

let simulatorJs: string | null = null;

function simulatorModule(): string {
  if (simulatorJs) return simulatorJs;
  const file = path.resolve(import.meta.dirname, '../../../web/src/lib/peripherals/rfid/simulator.ts');
  const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  simulatorJs = `(() => { const exports = {}; ${out.outputText}; window.__RfidSimModule = exports; })();`;
  return simulatorJs;
}

type SimLike = {
  connected: boolean;
  reachable: boolean;
  name: string;
  onBytes: ((c: Uint8Array) => void) | null;
  onDrop: (() => void) | null;
  connect(): void;
  receive(b: Uint8Array): void;
};

/** Runs in the page. Kept free of closures over test code (Playwright serialises it). */
function installFakes(cfg: FakeReaderConfig & { nus: { service: string; rx: string; tx: string } }) {
  const w = window as unknown as { __RfidSimModule: { TslSimulator: new (o: object) => SimLike }; __rfidSim: SimLike };
  const sim = new w.__RfidSimModule.TslSimulator({ tags: cfg.tags, name: cfg.name ?? 'TSL 1128 (test)', readsPerSecond: cfg.readsPerSecond ?? 600, roundMs: cfg.roundMs ?? 50, seed: cfg.seed ?? 7 });
  w.__rfidSim = sim;
  const listeners: ((chunk: Uint8Array) => void)[] = [];
  // each chunk is its own task, as BLE notifications and serial reads are
  sim.onBytes = (chunk) => {
    const copy = chunk.slice();
    setTimeout(() => listeners.forEach((l) => l(copy)), 0);
  };
  const drops: (() => void)[] = [];
  sim.onDrop = () => setTimeout(() => drops.forEach((d) => d()), 0);

  // --- Web Bluetooth: a device with the Nordic UART service ---
  class Characteristic extends EventTarget {
    value: DataView | null = null;
    constructor(readonly uuid: string) {
      super();
      if (uuid === cfg.nus.tx)
        listeners.push((chunk) => {
          this.value = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          this.dispatchEvent(new Event('characteristicvaluechanged'));
        });
    }
    async startNotifications() {
      return this;
    }
    async writeValueWithoutResponse(data: BufferSource) {
      if (!sim.connected) throw new DOMException('GATT Server is disconnected.', 'NetworkError');
      if ((data as Uint8Array).length > 20) throw new DOMException('Value too long for the default MTU', 'InvalidModificationError');
      sim.receive(new Uint8Array(data instanceof ArrayBuffer ? data : (data as Uint8Array).buffer.slice((data as Uint8Array).byteOffset, (data as Uint8Array).byteOffset + (data as Uint8Array).byteLength)));
    }
    async writeValue(data: BufferSource) {
      return this.writeValueWithoutResponse(data);
    }
  }
  const rx = new Characteristic(cfg.nus.rx);
  const tx = new Characteristic(cfg.nus.tx);
  const service = { uuid: cfg.nus.service, getCharacteristic: async (u: string) => (u === cfg.nus.rx ? rx : u === cfg.nus.tx ? tx : Promise.reject(new DOMException('No such characteristic', 'NotFoundError'))) };
  class Device extends EventTarget {
    id = cfg.id ?? 'fake-tsl-1128';
    name = cfg.name ?? 'TSL 1128 (test)';
    gatt = {
      connected: false,
      connect: async () => {
        if (!sim.reachable) throw new DOMException('Bluetooth Device is no longer in range.', 'NetworkError');
        sim.connect();
        this.gatt.connected = true;
        return { connected: true, getPrimaryService: async (u: string) => (u === cfg.nus.service ? service : Promise.reject(new DOMException('No such service', 'NotFoundError'))) };
      },
      disconnect: () => {
        this.gatt.connected = false;
        sim.connected = false;
      }
    };
  }
  const device = new Device();
  drops.push(() => {
    device.gatt.connected = false;
    device.dispatchEvent(new Event('gattserverdisconnected'));
  });
  let granted = false;
  const bluetooth = {
    requestDevice: async () => {
      granted = true;
      return device;
    },
    getDevices: async () => (granted || localStorage.getItem('fake-bt-granted') ? [device] : []),
    getAvailability: async () => true
  };
  // a permission survives reloads, as Chrome's does for a paired device
  const grant = bluetooth.requestDevice;
  bluetooth.requestDevice = async () => {
    localStorage.setItem('fake-bt-granted', '1');
    return grant();
  };
  Object.defineProperty(Navigator.prototype, 'bluetooth', { get: () => bluetooth, configurable: true });

  // --- Web Serial: one USB port with byte streams ---
  const port = {
    readable: null as ReadableStream<Uint8Array> | null,
    writable: null as WritableStream<Uint8Array> | null,
    getInfo: () => ({ usbVendorId: 0x1915, usbProductId: 0x520f }),
    async open() {
      if (!sim.reachable) throw new DOMException('Failed to open serial port.', 'NetworkError');
      sim.connect();
      let push: ((c: Uint8Array) => void) | null = null;
      let end: (() => void) | null = null;
      this.readable = new ReadableStream<Uint8Array>({
        start(ctrl) {
          push = (c) => ctrl.enqueue(c);
          end = () => ctrl.error(new DOMException('The device has been lost.', 'NetworkError'));
        }
      });
      listeners.push((c) => push?.(c));
      drops.push(() => end?.());
      this.writable = new WritableStream<Uint8Array>({ write: (chunk) => sim.receive(chunk) });
    },
    async close() {
      sim.connected = false;
    }
  };
  const serial = { requestPort: async () => port, getPorts: async () => [port] };
  Object.defineProperty(Navigator.prototype, 'serial', { get: () => serial, configurable: true });
}

/** Installs the fake reader in the page (before its scripts run, and again after every reload). */
export async function installFakeReader(page: Page, cfg: FakeReaderConfig): Promise<void> {
  await page.addInitScript({ content: simulatorModule() });
  await page.addInitScript(installFakes, {
    ...cfg,
    nus: { service: '6e400001-b5a3-f393-e0a9-e50e24dcca9e', rx: '6e400002-b5a3-f393-e0a9-e50e24dcca9e', tx: '6e400003-b5a3-f393-e0a9-e50e24dcca9e' }
  });
}
