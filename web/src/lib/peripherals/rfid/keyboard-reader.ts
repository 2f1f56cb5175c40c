import { ScanDetector } from '../scanner-core.ts';
import { Emitter, type ReaderEvents, type ReaderInfo, type RfidReader } from './reader.ts';

/**
 * Readers and sleds in keyboard (HID) mode — e.g. Zebra DataWedge keystroke output — "type" each EPC
 * (hex) or barcode (digits) followed by Enter. Slower than a protocol link (one tag per burst, no
 * RSSI, no battery) but it works with any reader. Bursts are told from people typing by timing
 * (scanner-core.ts). `startInventory` / `stopInventory` only open and close the gate: the reader
 * decides when to read (its own trigger).
 */

const EPC_HEX = /^(?:[0-9A-Fa-f]{4}){4,31}$/;
const BARCODE = /^\d{8,14}$/;

export type KeyTarget = Pick<Document, 'addEventListener' | 'removeEventListener'>;

export class KeyboardReader implements RfidReader {
  readonly kind = 'keyboard' as const;
  info: ReaderInfo = { kind: 'keyboard', name: 'Keyboard-mode reader', status: 'disconnected', scanning: false };
  private readonly events = new Emitter<ReaderEvents>();
  private readonly detector: ScanDetector;
  private target: KeyTarget | null = null;

  constructor(
    private readonly keys: KeyTarget | null = typeof document === 'undefined' ? null : document,
    private readonly now: () => number = () => Date.now()
  ) {
    // an EPC burst is 24+ characters; keyboard wedges type ~5–15 ms apart
    this.detector = new ScanDetector({ minLength: 8, maxInterKeyMs: 50 });
  }

  on<K extends keyof ReaderEvents>(event: K, fn: (v: ReaderEvents[K]) => void): () => void {
    return this.events.on(event, fn);
  }

  private update(patch: Partial<ReaderInfo>): void {
    this.info = { ...this.info, ...patch };
    this.events.emit('info', this.info);
  }

  private readonly onKey = (e: Event) => {
    const k = e as KeyboardEvent;
    const r = this.detector.key(k.key, k.timeStamp, k.repeat);
    if (r.type !== 'scan') return;
    k.preventDefault();
    this.accept(r.code);
  };

  /** A finished burst: an EPC (when the gate is open) or a barcode. Exposed for tests. */
  accept(code: string): void {
    const c = code.trim();
    if (EPC_HEX.test(c) && !BARCODE.test(c)) {
      if (this.info.scanning) this.events.emit('reads', [{ epc: c.toUpperCase(), at: this.now() }]);
    } else if (BARCODE.test(c)) {
      this.events.emit('barcode', c);
    }
  }

  async connect(): Promise<void> {
    if (!this.keys) return;
    this.target = this.keys;
    this.target.addEventListener('keydown', this.onKey, { capture: true });
    this.update({ status: 'connected', error: undefined });
  }

  async disconnect(): Promise<void> {
    this.target?.removeEventListener('keydown', this.onKey, { capture: true });
    this.target = null;
    this.update({ status: 'disconnected', scanning: false });
  }

  async startInventory(): Promise<void> {
    this.update({ scanning: true });
  }

  async stopInventory(): Promise<void> {
    this.update({ scanning: false });
  }

  async setPower(): Promise<void> {
    // set on the reader itself in keyboard mode
  }

  async refresh(): Promise<void> {}
}
