import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserPrintFallback } from './printer-browser.ts';
import { WebBluetoothPrinter } from './printer-bluetooth.ts';
import { WebSerialPrinter } from './printer-serial.ts';
import { SimulatedPrinter } from './printer-simulated.ts';
import { DEMO_PRINTER_KEY, forgetPrinterChoice, loadPrinterChoice, printerFromChoice, savePrinterChoice, usePrinterStoreBackend } from './printer-store.ts';

beforeEach(() => usePrinterStoreBackend(new IDBFactory(), IDBKeyRange));
afterEach(() => vi.unstubAllGlobals());

describe('printer choice', () => {
  it('is null until saved, then round-trips, and can be forgotten', async () => {
    expect(await loadPrinterChoice()).toBeNull();
    await savePrinterChoice({ kind: 'bluetooth', name: 'TM-P20', columns: 32, deviceId: 'dev-1' });
    expect(await loadPrinterChoice()).toEqual({ kind: 'bluetooth', name: 'TM-P20', columns: 32, deviceId: 'dev-1' });
    await savePrinterChoice({ kind: 'browser', name: 'Browser print', columns: 48 });
    expect(await loadPrinterChoice()).toEqual({ kind: 'browser', name: 'Browser print', columns: 48 });
    await forgetPrinterChoice();
    expect(await loadPrinterChoice()).toBeNull();
  });

  it('rejects nonsense', async () => {
    await expect(savePrinterChoice({ kind: 'fax' as 'browser', name: 'x', columns: 42 })).rejects.toThrow(/not a printer choice/);
    await expect(savePrinterChoice({ kind: 'serial', name: 'x', columns: 40 as 42 })).rejects.toThrow(/not a printer choice/);
  });

  it('demo mode (localStorage pos.printer=simulated) overrides what is stored', async () => {
    await savePrinterChoice({ kind: 'serial', name: 'USB', columns: 48, deviceId: '04b8:0e28' });
    vi.stubGlobal('localStorage', { getItem: (k: string) => (k === DEMO_PRINTER_KEY ? 'simulated' : null) });
    expect(await loadPrinterChoice()).toEqual({ kind: 'simulated', name: 'Simulated printer', columns: 42 });
  });

  it('builds the right printer for each kind, carrying the remembered device', () => {
    expect(printerFromChoice({ kind: 'simulated', name: 'Sim', columns: 42 })).toBeInstanceOf(SimulatedPrinter);
    expect(printerFromChoice({ kind: 'browser', name: 'B', columns: 32 })).toBeInstanceOf(BrowserPrintFallback);
    expect(printerFromChoice({ kind: 'bluetooth', name: 'TM-P20', columns: 32, deviceId: 'dev-1' })).toEqual(expect.objectContaining({ kind: 'bluetooth', name: 'TM-P20', deviceId: 'dev-1' }));
    expect(printerFromChoice({ kind: 'serial', name: 'USB', columns: 48, deviceId: '04b8:0e28' })).toBeInstanceOf(WebSerialPrinter);
    expect(printerFromChoice({ kind: 'bluetooth', name: 'x', columns: 42 })).toBeInstanceOf(WebBluetoothPrinter);
  });
});
