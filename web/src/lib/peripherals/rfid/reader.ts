/**
 * RFID readers behind one interface (DESIGN.md §5). Drivers, one file each:
 *  - tsl-reader.ts — TSL ASCII 2.0 protocol (TSL 1128/1166/2128 and OEM handhelds) over a byte
 *    transport: Web Bluetooth Nordic UART (transport-bluetooth.ts) or Web Serial (transport-serial.ts);
 *  - keyboard-reader.ts — readers and sleds in keyboard (HID) mode that type each EPC or barcode;
 *  - simulator.ts — a simulated TSL reader speaking the same byte stream, for the demo and the tests.
 * The app sees only this interface and its typed events; what a read *means* (EPC → GTIN → variant)
 * is decided elsewhere (domain/epc.ts, raptag/batch-processor.ts).
 */

export type ReaderKind = 'bluetooth' | 'serial' | 'keyboard' | 'simulated';

export type ReaderStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** One transponder reply. A tag in the field answers many times: dedupe happens downstream. */
export interface TagRead {
  /** EPC as the reader reported it, upper-case hex */
  epc: string;
  /** dBm (negative; closer is higher), when the reader reports it */
  rssi?: number;
  /** performance.now()/Date.now() milliseconds when it arrived */
  at: number;
}

export interface ReaderInfo {
  kind: ReaderKind;
  name: string;
  status: ReaderStatus;
  /** battery percentage, when known */
  battery?: number;
  /** output power in dBm the next inventory uses */
  powerDbm?: number;
  firmware?: string;
  serial?: string;
  /** true while the reader is inventorying (trigger held or started from the app) */
  scanning: boolean;
  /** what went wrong last, in words a clerk can act on */
  error?: string;
}

/** Everything the UI and the flows react to (a typed event map, STYLE.md §5). */
export interface ReaderEvents {
  /** a batch of reads: one event per received chunk, not per tag, so thousands a second stay cheap */
  reads: TagRead[];
  /** a barcode the reader's scan engine (or a keyboard-mode sled) read */
  barcode: string;
  /** the trigger: pulled (start) or released (stop) */
  trigger: 'pulled' | 'released';
  info: ReaderInfo;
}

export type Listener<T> = (value: T) => void;

export interface RfidReader {
  readonly kind: ReaderKind;
  readonly info: ReaderInfo;
  /** what to remember to reconnect without a chooser (Bluetooth device id, USB vendor:product) */
  readonly deviceId?: string;
  /**
   * Pairs (a user gesture for Bluetooth/Serial) or reconnects to the remembered device;
   * `reconnectOnly` never shows a chooser (an app start with no gesture) and fails instead.
   */
  connect(opts?: { reconnectOnly?: boolean }): Promise<void>;
  disconnect(): Promise<void>;
  startInventory(): Promise<void>;
  stopInventory(): Promise<void>;
  /** output power for the next inventory rounds: lower for locating in a crowd, higher for counting */
  setPower(dBm: number): Promise<void>;
  /** battery and firmware again */
  refresh(): Promise<void>;
  on<K extends keyof ReaderEvents>(event: K, fn: Listener<ReaderEvents[K]>): () => void;
}

export class ReaderError extends Error {
  override name = 'ReaderError';
}

/** Power range of the TSL handhelds (dBm). */
export const MIN_POWER_DBM = 10;
export const MAX_POWER_DBM = 29;

/** A tiny typed emitter the drivers share. */
export class Emitter<E> {
  private listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof E>(event: K, value: E[K]): void {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        (fn as Listener<E[K]>)(value);
      } catch (err) {
        // a listener's bug must not stop the reader's stream
        console.error('rfid listener failed', err);
      }
    }
  }
}
