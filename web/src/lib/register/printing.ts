import { receiptLayout, opensDrawer, type ReceiptContext } from '$lib/domain/receipt';
import { loadPrinterChoice, printerFromChoice, type PrinterChoice } from '$lib/peripherals/printer-store';
import { openCashDrawer, printReceipt, type ReceiptPrinter } from '$lib/peripherals/printer';
import type { SaleDoc } from './register-db.ts';

/** No printer paired: not an error (many shops email or skip receipts), but the cashier is told. */
export class NoPrinterError extends Error {
  name = 'NoPrinterError';
  constructor() {
    super('No receipt printer is set up on this register (Settings → Receipt printer).');
  }
}

/**
 * The register's receipt printer, connected on first use and kept. Printing happens only after the
 * sale is saved; every failure here is reported and never undoes the sale.
 */
export class RegisterPrinter {
  private printer: ReceiptPrinter | null = null;
  private choice: PrinterChoice | null = null;

  private async get(): Promise<{ printer: ReceiptPrinter; choice: PrinterChoice }> {
    if (this.printer && this.choice) return { printer: this.printer, choice: this.choice };
    const choice = await loadPrinterChoice();
    if (!choice) throw new NoPrinterError();
    const printer = await printerFromChoice(choice);
    await printer.connect();
    this.printer = printer;
    this.choice = choice;
    return { printer, choice };
  }

  /** Forget the connection (after the cashier pairs another printer). */
  reset(): void {
    void this.printer?.disconnect().catch(() => undefined);
    this.printer = null;
    this.choice = null;
  }

  async printSale(sale: SaleDoc, ctx: ReceiptContext, reprint: boolean): Promise<void> {
    const { printer, choice } = await this.get();
    // The drawer opens for cash changing hands on the original sale, never on a reprint.
    await this.guard(() => printReceipt(printer, receiptLayout(sale, { ...ctx, reprint }), { columns: choice.columns ?? 42, kickDrawer: !reprint && opensDrawer(sale) }));
  }

  /** A report (X/Z) or any plain text, one printed line per string. */
  async printLines(title: string, lines: string[], currency: string): Promise<void> {
    const { printer, choice } = await this.get();
    const blocks = [{ kind: 'text' as const, text: title, align: 'center' as const, bold: true }, { kind: 'rule' as const }, ...lines.map((text) => ({ kind: 'text' as const, text }))];
    await this.guard(() => printReceipt(printer, { kind: 'sale', saleId: '', currency, reprint: false, blocks }, { columns: choice.columns ?? 42 }));
  }

  async openDrawer(): Promise<void> {
    const { printer } = await this.get();
    await this.guard(() => openCashDrawer(printer));
  }

  /** A failed job drops the connection, so the next one reconnects (the printer may have been switched off or unpaired). */
  private async guard(job: () => Promise<void>): Promise<void> {
    try {
      await job();
    } catch (err) {
      this.reset();
      throw err;
    }
  }
}
