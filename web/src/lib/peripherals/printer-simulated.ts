import { decodeEscPos, type DecodedReceipt } from './escpos-decode.ts';
import { PrinterError, type ReceiptPrinter } from './printer.ts';

// The simulated printer (tests, demo mode): decodes what it is sent instead of printing it.

/**
 * What the simulated printer publishes on `window.__simulatedPrinter` for Playwright:
 *   const jobs = await page.evaluate(() => window.__simulatedPrinter?.jobs ?? []);
 *   expect(jobs.at(-1).lines).toContain(…); expect(jobs.at(-1).drawerKicks).toBe(1);
 *   await page.evaluate(() => { window.__simulatedPrinter!.failNext = 'Out of paper'; });
 */
export interface SimulatedPrinterRecord {
  jobs: DecodedReceipt[];
  /** set to a message to make the next print (on any simulated printer in the page) fail with it */
  failNext: string | null;
}

type WindowWithRecord = { __simulatedPrinter?: SimulatedPrinterRecord };

function browserRecord(): SimulatedPrinterRecord | null {
  if (typeof window === 'undefined') return null;
  const w = window as unknown as WindowWithRecord;
  w.__simulatedPrinter ??= { jobs: [], failNext: null };
  return w.__simulatedPrinter;
}

export class SimulatedPrinter implements ReceiptPrinter {
  readonly kind = 'simulated' as const;
  readonly name: string;
  /** every byte array sent, in order */
  readonly jobs: Uint8Array[] = [];
  connected = false;
  private failure: string | null = null;

  constructor(name = 'Simulated printer') {
    this.name = name;
  }

  /** Makes the next print fail with this message (error-path tests). */
  failNextJob(reason = 'Simulated printer is out of paper'): void {
    this.failure = reason;
  }

  /** The jobs decoded back to lines, codes, drawer kicks and cuts. */
  get decoded(): DecodedReceipt[] {
    return this.jobs.map((j) => decodeEscPos(j));
  }

  async connect(): Promise<void> {
    this.connected = true;
    browserRecord();
  }

  async print(bytes: Uint8Array): Promise<void> {
    const record = browserRecord();
    const failure = this.failure ?? record?.failNext ?? null;
    if (failure) {
      this.failure = null;
      if (record) record.failNext = null;
      throw new PrinterError(failure);
    }
    this.connected = true;
    this.jobs.push(bytes.slice());
    record?.jobs.push(decodeEscPos(bytes));
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }
}
