import { KeyboardReader } from './keyboard-reader.ts';
import type { ReaderKind, RfidReader } from './reader.ts';
import { SimulatedTransport, TslSimulator, type SimTag } from './simulator.ts';
import { BluetoothTransport } from './transport-bluetooth.ts';
import { SerialTransport } from './transport-serial.ts';
import { TslReader } from './tsl-reader.ts';

/** The reader a phone remembers (device-local, raptag-db prefs): what to reconnect to without asking. */
export interface ReaderChoice {
  kind: ReaderKind;
  name: string;
  /** Bluetooth device id or USB `vvvv:pppp` */
  deviceId?: string;
  powerDbm?: number;
}

export const READER_KINDS: readonly { kind: ReaderKind; label: string; hint: string }[] = [
  { kind: 'bluetooth', label: 'Bluetooth reader', hint: 'TSL 1128/1166/2128 and compatible handhelds (Bluetooth LE)' },
  { kind: 'serial', label: 'USB or serial reader', hint: 'A reader on a cable, or paired as a Bluetooth serial port' },
  { kind: 'keyboard', label: 'Keyboard-mode reader', hint: 'A sled or reader that types each tag (e.g. DataWedge keystrokes)' },
  { kind: 'simulated', label: 'Simulated reader', hint: 'Demo: tags for this store’s stock, a few missing, a few strangers' }
];

/** A reader object for a choice; nothing connects until `connect()`. */
export function readerFor(choice: ReaderChoice, demoTags: () => SimTag[] = () => []): RfidReader {
  const remembered = { name: choice.name, ...(choice.deviceId ? { deviceId: choice.deviceId } : {}) };
  switch (choice.kind) {
    case 'bluetooth':
      return new TslReader(new BluetoothTransport(remembered));
    case 'serial':
      return new TslReader(new SerialTransport(remembered));
    case 'keyboard':
      return new KeyboardReader();
    case 'simulated':
      return new TslReader(new SimulatedTransport(new TslSimulator({ tags: demoTags(), seed: Date.now() % 100_000 })));
  }
}
