// The @point-of-sale printer drivers ship no types and export only a "browser" build; these are
// the parts used here (see each package's README). They are only ever imported dynamically.
declare module '@point-of-sale/webbluetooth-receipt-printer' {
  export interface ConnectedDevice {
    type: 'bluetooth';
    name?: string;
    id: string;
    language?: string | null;
    codepageMapping?: string | null;
    columns?: number;
  }
  export default class WebBluetoothReceiptPrinter {
    constructor(options?: { renderer?: unknown; rendererOptions?: Record<string, unknown> });
    connect(): Promise<void>;
    reconnect(device: { id: string }): Promise<void>;
    disconnect(): Promise<void>;
    print(data: Uint8Array | Uint8Array[]): Promise<void>;
    addEventListener(event: 'connected', listener: (device: ConnectedDevice) => void): void;
    addEventListener(event: 'disconnected', listener: () => void): void;
    addEventListener(event: string, listener: (...args: never[]) => void): void;
  }
}
