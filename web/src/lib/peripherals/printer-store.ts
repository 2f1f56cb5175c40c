import { Dexie, type Table } from 'dexie';
import type { PaperColumns } from './escpos.ts';
import { BrowserPrintFallback } from './printer-browser.ts';
import { WebBluetoothPrinter } from './printer-bluetooth.ts';
import { WebSerialPrinter } from './printer-serial.ts';
import { SimulatedPrinter } from './printer-simulated.ts';
import type { PrinterKind, ReceiptPrinter } from './printer.ts';

/**
 * The paired receipt printer is remembered per device in Dexie (device-local, never replicated:
 * DESIGN.md §5) — database `pos-peripherals`, table `printers`, one row under the key 'receipt'.
 *
 * Demo / test mode: `localStorage['pos.printer'] = 'simulated'` makes loadPrinterChoice() return the
 * simulated printer whatever is stored. localStorage rather than a `?printer=` URL flag because it
 * survives client-side navigation and reloads, and Playwright can set it before the app boots:
 *   await page.addInitScript(() => localStorage.setItem('pos.printer', 'simulated'));
 */

export interface PrinterChoice {
  kind: PrinterKind;
  name: string;
  columns: PaperColumns;
  /** Bluetooth device id, or USB `vvvv:pppp` for serial: what reconnecting looks for */
  deviceId?: string;
}

export const DEMO_PRINTER_KEY = 'pos.printer';
const ROW_KEY = 'receipt';
export const PAPER_COLUMNS: readonly PaperColumns[] = [48, 42, 32];

interface PrinterRow extends PrinterChoice {
  key: string;
  savedAt: string;
}

class PeripheralsDb extends Dexie {
  printers!: Table<PrinterRow, string>;
  constructor(deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }) {
    super('pos-peripherals', deps);
    this.version(1).stores({ printers: 'key' });
  }
}

let db: PeripheralsDb | null = null;
let deps: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange } | undefined;

/** Tests pass an in-memory IndexedDB (fake-indexeddb); browsers use their own. */
export function usePrinterStoreBackend(indexedDB: IDBFactory, keyRange: typeof IDBKeyRange): void {
  db?.close();
  db = null;
  deps = { indexedDB, IDBKeyRange: keyRange };
}

function database(): PeripheralsDb {
  // Opened on first use, so importing this module (SSR, unit tests) touches no IndexedDB.
  db ??= new PeripheralsDb(deps);
  return db;
}

function demoPrinterRequested(): boolean {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem(DEMO_PRINTER_KEY) === 'simulated';
  } catch {
    return false; // storage blocked (privacy mode)
  }
}

function isChoice(row: Partial<PrinterChoice> | undefined): row is PrinterChoice {
  return !!row && ['bluetooth', 'serial', 'simulated', 'browser'].includes(row.kind ?? '') && PAPER_COLUMNS.includes(row.columns as PaperColumns) && typeof row.name === 'string';
}

export async function savePrinterChoice(choice: PrinterChoice): Promise<void> {
  if (!isChoice(choice)) throw new Error(`not a printer choice: ${JSON.stringify(choice)}`);
  const row: PrinterRow = { key: ROW_KEY, kind: choice.kind, name: choice.name, columns: choice.columns, savedAt: new Date().toISOString() };
  if (choice.deviceId) row.deviceId = choice.deviceId;
  await database().printers.put(row);
}

export async function forgetPrinterChoice(): Promise<void> {
  await database().printers.delete(ROW_KEY);
}

/** The printer this device uses, or null when none was set up (the register then prints nothing and says so). */
export async function loadPrinterChoice(): Promise<PrinterChoice | null> {
  if (demoPrinterRequested()) return { kind: 'simulated', name: 'Simulated printer', columns: 42 };
  let row: PrinterRow | undefined;
  try {
    row = await database().printers.get(ROW_KEY);
  } catch {
    return null; // IndexedDB unavailable: behave as "not set up" rather than break the sale screen
  }
  if (!isChoice(row)) return null;
  const { kind, name, columns, deviceId } = row;
  return deviceId ? { kind, name, columns, deviceId } : { kind, name, columns };
}

/** A printer object for a saved choice; nothing connects until connect()/print(). */
export function printerFromChoice(choice: PrinterChoice): ReceiptPrinter {
  const remembered = { name: choice.name, ...(choice.deviceId ? { deviceId: choice.deviceId } : {}) };
  switch (choice.kind) {
    case 'bluetooth':
      return new WebBluetoothPrinter(remembered);
    case 'serial':
      return new WebSerialPrinter(remembered);
    case 'browser':
      return new BrowserPrintFallback(choice.columns);
    case 'simulated':
      return new SimulatedPrinter(choice.name);
  }
}
