/**
 * A byte link to a reader: what the TSL driver needs from Web Bluetooth (Nordic UART), Web Serial or
 * the simulator. Each transport hands over chunks exactly as they arrive; framing is the protocol's.
 */
export interface ByteTransport {
  readonly kind: 'bluetooth' | 'serial' | 'simulated';
  name: string;
  /** what reopen() looks for (Bluetooth device id, USB `vvvv:pppp`), once paired */
  deviceId?: string;
  /** connects; the first time this may show the browser's device chooser (needs a user gesture) */
  open(): Promise<void>;
  /** reconnects to the remembered device without a chooser; false when that is not possible */
  reopen(): Promise<boolean>;
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** set by the driver: each chunk received */
  onData: ((chunk: Uint8Array) => void) | null;
  /** set by the driver: the link went away (out of range, switched off, cable pulled) */
  onClose: ((reason: string) => void) | null;
}

export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
