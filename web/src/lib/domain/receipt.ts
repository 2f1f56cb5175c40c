import type { TenderKind } from './schemas/location.ts';
import { saleLabel } from './receipt-number.ts';
import type { SaleDoc, VoidDoc } from './schemas/index.ts';
import { receiptTotals } from './sales-figures.ts';
import { storeFormat } from './store-format.ts';

/**
 * Receipt layout: a sale (or void) document turned into typed blocks, independent of the output.
 * The ESC/POS encoder (peripherals/escpos.ts) and the plain-text renderer below both walk the same
 * blocks, so the paper receipt, the browser-print fallback and the tests agree line for line.
 * Pure: no DOM, no clock; amounts are already formatted strings in the sale's currency.
 */

export type { SaleDoc, VoidDoc };

export type Align = 'left' | 'center' | 'right';

export type ReceiptBlock =
  /** size 2 = double width and height on paper (half the columns) */
  | { kind: 'text'; text: string; align?: Align; bold?: boolean; size?: 1 | 2 }
  | { kind: 'rule'; style?: 'single' | 'double' }
  | { kind: 'blank' }
  | {
      kind: 'item';
      name: string;
      qty: number;
      unitPrice: string;
      /** qty × unit price, in the store's pricing basis: the line's amount before its discount and never with tax added */
      total: string;
      /** set when the line had a discount: the amount taken off, signed like the line (e.g. "-$1.00") */
      discount?: string;
      /** the line is an item coming back (negative qty) */
      returned?: boolean;
      note?: string;
    }
  | { kind: 'total'; label: string; amount: string; bold?: boolean }
  | { kind: 'tender'; label: string; amount: string; reference?: string }
  /** the document id, printed as a scannable code (QR on paper, see escpos.ts) for returns lookup; `label` is what people read under it */
  | { kind: 'code'; value: string; label?: string };

export interface ReceiptLayout {
  kind: 'sale' | 'return' | 'exchange' | 'void';
  /** the sale the receipt belongs to (for a void receipt: the voided sale) */
  saleId: string;
  currency: string;
  reprint: boolean;
  blocks: ReceiptBlock[];
}

export interface ReceiptContext {
  storeName: string;
  /** multi-line address; one printed line per `\n` */
  address?: string;
  header?: string;
  footer?: string;
  registerName?: string;
  cashierName?: string;
  /** the location's IANA time zone: receipts show local shop time, not the device's */
  timeZone: string;
  /** BCP-47, the location's; absent: its currency's default (domain/store-format.ts), never the device's language */
  locale?: string;
  reprint?: boolean;
  customerName?: string;
}

const TENDER_LABELS: Record<TenderKind, string> = {
  cash: 'Cash',
  card_external: 'Card',
  card_stripe: 'Card',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  layaway: 'Layaway deposit'
};

const KIND_TITLES: Record<ReceiptLayout['kind'], string> = { sale: 'SALE', return: 'RETURN', exchange: 'EXCHANGE', void: 'VOID' };

/** Money formatter for integer minor units in the store's locale; the currency's own fraction digits (JPY 0, USD 2, KWD 3). */
export function moneyFormatter(currency: string, locale?: string): (minor: number) => string {
  return storeFormat({ locale, timeZone: 'UTC', currency }, { plain: true }).money;
}

/** The receipt's date and time: the shop's, in its locale (printer-safe spaces). */
function timestamp(iso: string, ctx: ReceiptContext, currency: string): string {
  return storeFormat({ locale: ctx.locale, timeZone: ctx.timeZone, currency }, { plain: true }).dateTime(iso);
}


/** Gift-card numbers are bearer secrets: only the last four go on paper. */
function tenderReference(kind: TenderKind, reference: string | undefined): string | undefined {
  if (!reference) return undefined;
  if (kind === 'gift_card') return `****${reference.slice(-4)}`;
  return reference;
}

function headerBlocks(ctx: ReceiptContext, title: string): ReceiptBlock[] {
  const blocks: ReceiptBlock[] = [];
  if (ctx.reprint) blocks.push({ kind: 'text', text: '*** REPRINT ***', align: 'center', bold: true });
  blocks.push({ kind: 'text', text: ctx.storeName, align: 'center', bold: true, size: 2 });
  for (const line of (ctx.address ?? '').split('\n')) if (line.trim()) blocks.push({ kind: 'text', text: line.trim(), align: 'center' });
  for (const line of (ctx.header ?? '').split('\n')) if (line.trim()) blocks.push({ kind: 'text', text: line.trim(), align: 'center' });
  blocks.push({ kind: 'blank' }, { kind: 'text', text: title, align: 'center', bold: true });
  return blocks;
}

/** `number` is the receipt number people read and type back (domain/receipt-number.ts), never the document id. */
function metaBlocks(ctx: ReceiptContext, at: string, number: string, cashierName: string | undefined, currency: string): ReceiptBlock[] {
  const blocks: ReceiptBlock[] = [{ kind: 'text', text: timestamp(at, ctx, currency) }];
  if (ctx.registerName) blocks.push({ kind: 'text', text: `Register: ${ctx.registerName}` });
  if (cashierName) blocks.push({ kind: 'text', text: `Cashier: ${cashierName}` });
  if (ctx.customerName) blocks.push({ kind: 'text', text: `Customer: ${ctx.customerName}` });
  blocks.push({ kind: 'text', text: `Receipt ${number}` });
  return blocks;
}

function footerBlocks(ctx: ReceiptContext, code: string, label: string): ReceiptBlock[] {
  const blocks: ReceiptBlock[] = [{ kind: 'blank' }, { kind: 'code', value: code, label }];
  const footer = (ctx.footer ?? '').split('\n').filter((l) => l.trim());
  if (footer.length) blocks.push({ kind: 'blank' });
  for (const line of footer) blocks.push({ kind: 'text', text: line.trim(), align: 'center' });
  if (ctx.reprint) blocks.push({ kind: 'text', text: '*** REPRINT ***', align: 'center', bold: true });
  return blocks;
}

/**
 * One story per line: qty × unit price = amount (in the store's pricing basis, tax never added to a
 * line), the discount once under it. The amounts add up to the Subtotal, the discounts to Discounts,
 * and tax appears in the totals only.
 */
function itemBlocks(lines: SaleDoc['lines'], money: (n: number) => string): ReceiptBlock[] {
  return lines.map((l) => ({
    kind: 'item' as const,
    name: l.name,
    qty: l.qty,
    unitPrice: money(l.unitPrice),
    total: money(l.qty * l.unitPrice),
    // The stored discount is what came off the line (mirrored negative on a returned line).
    ...(l.discount ? { discount: money(-l.discount) } : {}),
    ...(l.qty < 0 ? { returned: true } : {}),
    ...(l.note ? { note: l.note } : {})
  }));
}

/** The sales a return or exchange brings items back from, by their receipt numbers. */
function returnedFromBlocks(lines: SaleDoc['lines']): ReceiptBlock[] {
  const from = new Map<string, string>();
  for (const l of lines) if (l.qty < 0 && l.returnOf) from.set(l.returnOf.saleId, l.returnOf.receiptNo ?? saleLabel({ _id: l.returnOf.saleId }));
  return [...from.values()].map((n) => ({ kind: 'text' as const, text: `Return of sale ${n}` }));
}

/** The certificate a tax-exempt sale was rung under, as the seller must keep it on record. */
function exemptionBlocks(exemption: SaleDoc['taxExemption']): ReceiptBlock[] {
  if (!exemption) return [];
  const scope = exemption.jurisdictions?.length ? `exempt from ${exemption.jurisdictions.join(', ')}` : 'exempt from all sales tax';
  return [{ kind: 'text', text: `Tax exempt: certificate ${exemption.certificateNo} (valid to ${exemption.expiresOn}), ${scope}` }];
}

function tenderBlocks(tenders: SaleDoc['tenders'], money: (n: number) => string): ReceiptBlock[] {
  return tenders.map((t) => {
    const reference = tenderReference(t.kind, t.reference);
    const label = t.amount < 0 ? `${TENDER_LABELS[t.kind]} refund` : TENDER_LABELS[t.kind];
    return { kind: 'tender' as const, label, amount: money(t.amount), ...(reference ? { reference } : {}) };
  });
}

export function receiptLayout(sale: SaleDoc, ctx: ReceiptContext): ReceiptLayout {
  const money = moneyFormatter(sale.currency, ctx.locale);
  const kind = sale.kind ?? 'sale';
  const blocks: ReceiptBlock[] = [
    ...headerBlocks(ctx, KIND_TITLES[kind]),
    ...metaBlocks(ctx, sale.createdAt, saleLabel(sale), ctx.cashierName ?? sale.cashierName, sale.currency),
    ...returnedFromBlocks(sale.lines),
    ...exemptionBlocks(sale.taxExemption),
    { kind: 'rule' },
    ...itemBlocks(sale.lines, money),
    { kind: 'rule' },
    // the totals are the sale's figures as every report shows them (domain/sales-figures.ts)
    ...receiptTotals(sale).map((t): ReceiptBlock => ({ kind: 'total', label: t.label, amount: money(t.amount), ...(t.bold ? { bold: true } : {}) }))
  ];
  blocks.push({ kind: 'rule' }, ...tenderBlocks(sale.tenders, money));
  if (sale.change) blocks.push({ kind: 'total', label: 'Change', amount: money(sale.change), bold: true });
  blocks.push(...footerBlocks(ctx, sale._id, saleLabel(sale)));
  return { kind, saleId: sale._id, currency: sale.currency, reprint: !!ctx.reprint, blocks };
}

/** The slip for a voided sale: what was voided, why, who approved it, and the money given back. */
export function voidReceiptLayout(voidDoc: VoidDoc, sale: SaleDoc, ctx: ReceiptContext): ReceiptLayout {
  const money = moneyFormatter(sale.currency, ctx.locale);
  const approver = voidDoc.approvals[0];
  const blocks: ReceiptBlock[] = [
    ...headerBlocks(ctx, 'VOID'),
    ...metaBlocks(ctx, voidDoc.createdAt, `VOID ${saleLabel(sale)}`, ctx.cashierName, sale.currency),
    { kind: 'text', text: `Voids sale ${saleLabel(sale)}` },
    { kind: 'text', text: `Sold ${timestamp(sale.createdAt, ctx, sale.currency)}` },
    { kind: 'text', text: `Reason: ${voidDoc.reason}` }
  ];
  if (approver) blocks.push({ kind: 'text', text: `Approved by: ${approver.staffName}` });
  blocks.push(
    { kind: 'rule' },
    ...itemBlocks(sale.lines, money),
    { kind: 'rule' },
    { kind: 'total', label: 'TOTAL VOIDED', amount: money(sale.total), bold: true },
    { kind: 'rule' },
    ...tenderBlocks(voidDoc.tenders, money),
    ...footerBlocks(ctx, sale._id, saleLabel(sale))
  );
  return { kind: 'void', saleId: sale._id, currency: sale.currency, reprint: !!ctx.reprint, blocks };
}

/** True when the sale moved cash, so the register should open the drawer (ESC p pulse). */
export function opensDrawer(sale: Pick<SaleDoc, 'tenders' | 'change'>): boolean {
  return sale.change > 0 || sale.tenders.some((t) => t.kind === 'cash');
}

// ---------------------------------------------------------------------------------------------
// Fixed-width text rendering (browser-print fallback, ESC/POS body rows, tests)

/** Word-wraps to `width`, breaking words longer than a line. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (w.length > width) {
      if (line) {
        out.push(line);
        line = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line || !out.length) out.push(line);
  return out;
}

function aligned(text: string, width: number, align: Align): string {
  if (align === 'left' || text.length >= width) return text;
  const pad = width - text.length;
  return align === 'right' ? ' '.repeat(pad) + text : ' '.repeat(Math.floor(pad / 2)) + text;
}

/** `left ........ right`; when both do not fit, the left part wraps and the amount gets its own line. */
export function twoColumns(left: string, right: string, width: number): string[] {
  if (left.length + 1 + right.length <= width) return [left + ' '.repeat(width - left.length - right.length) + right];
  return [...wrapText(left, width), aligned(right, width, 'right')];
}

/**
 * The lines one block prints as, at `width` characters. Text blocks are aligned here too; the
 * ESC/POS encoder renders text blocks itself (bold, double size) and uses this for everything else.
 */
export function blockLines(block: ReceiptBlock, width: number): string[] {
  switch (block.kind) {
    case 'text':
      return wrapText(block.text, width).map((l) => aligned(l, width, block.align ?? 'left'));
    case 'rule':
      return [(block.style === 'double' ? '=' : '-').repeat(width)];
    case 'blank':
      return [''];
    case 'item': {
      const lines = wrapText(block.returned ? `RETURN ${block.name}` : block.name, width);
      lines.push(...twoColumns(`  ${block.qty} x ${block.unitPrice}`, block.total, width));
      if (block.discount) lines.push(...twoColumns('  Discount', block.discount, width));
      if (block.note) lines.push(...wrapText(block.note, width - 2).map((l) => `  ${l}`));
      return lines;
    }
    case 'total':
      return twoColumns(block.label, block.amount, width);
    case 'tender': {
      const lines = twoColumns(block.label, block.amount, width);
      if (block.reference) lines.push(...wrapText(`Ref ${block.reference}`, width - 2).map((l) => `  ${l}`));
      return lines;
    }
    case 'code':
      return wrapText(block.label ?? block.value, width).map((l) => aligned(l, width, 'center'));
  }
}

/** The whole receipt as fixed-width lines (trailing spaces trimmed). */
export function receiptText(layout: ReceiptLayout, width = 42): string[] {
  return layout.blocks.flatMap((b) => blockLines(b, width)).map((l) => l.trimEnd());
}
