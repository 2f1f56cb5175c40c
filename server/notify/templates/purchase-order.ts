import { toCsv } from '#domain/csv.ts';
import type { RenderedEmail } from '../types.ts';
import { esc, frame, paragraphs, type Brand } from './layout.ts';

/**
 * A purchase order to its supplier: the order in the body and as a CSV attachment the supplier's
 * system can import (one row per line: SKU, description, quantity, unit cost, line total). Amounts
 * are decimal strings the caller formatted from minor units. Pure.
 */
export interface PurchaseOrderLine {
  sku: string;
  name: string;
  qty: number;
  unitCost: string;
  lineTotal: string;
}

export interface PurchaseOrderData {
  supplierName: string;
  orderNumber: string;
  /** the store's name and address, as the delivery address */
  deliverTo: string;
  currency: string;
  lines: PurchaseOrderLine[];
  total: string;
  note?: string;
}

/** Text a spreadsheet would run as a formula gets a leading ' (a supplier opens this file; numbers stay numbers). */
const inert = (v: string | number) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v));

export function purchaseOrderCsv(d: PurchaseOrderData): string {
  const rows = [
    ['order', 'sku', 'description', 'quantity', `unit_cost_${d.currency.toLowerCase()}`, `line_total_${d.currency.toLowerCase()}`],
    ...d.lines.map((l) => [d.orderNumber, l.sku, l.name, l.qty, l.unitCost, l.lineTotal])
  ];
  return toCsv(rows.map((r) => r.map(inert)));
}

export function purchaseOrderEmail(d: PurchaseOrderData, brand: Brand): RenderedEmail {
  const intro = `Hello ${d.supplierName},\n\nPlease supply the following for delivery to:\n${d.deliverTo}`;
  const table = `<table role="presentation" width="100%" cellpadding="4" cellspacing="0" style="border-collapse:collapse;font-size:14px">
<thead><tr style="background:#f3f4f6"><th align="left">SKU</th><th align="left">Description</th><th align="right">Qty</th><th align="right">Unit cost</th><th align="right">Total</th></tr></thead>
<tbody>
${d.lines.map((l) => `<tr><td>${esc(l.sku)}</td><td>${esc(l.name)}</td><td align="right">${l.qty}</td><td align="right">${esc(l.unitCost)}</td><td align="right">${esc(l.lineTotal)}</td></tr>`).join('\n')}
</tbody>
<tfoot><tr><td colspan="4" align="right"><strong>Total (${esc(d.currency)})</strong></td><td align="right"><strong>${esc(d.total)}</strong></td></tr></tfoot>
</table>`;
  const html = `${paragraphs(intro)}\n${table}\n${d.note ? paragraphs(`Note: ${d.note}`) : ''}\n${paragraphs('The order is attached as a CSV file.')}`;
  const text = [
    intro,
    '',
    ...d.lines.map((l) => `${l.qty} x ${l.sku} ${l.name} @ ${l.unitCost} = ${l.lineTotal}`),
    `Total (${d.currency}): ${d.total}`,
    ...(d.note ? ['', `Note: ${d.note}`] : []),
    '',
    'The order is attached as a CSV file.'
  ].join('\n');
  return {
    subject: `Purchase order ${d.orderNumber} from ${brand.name}`,
    ...frame({ brand, title: `Purchase order ${d.orderNumber}`, html, text }),
    attachments: [{ filename: `purchase-order-${d.orderNumber}.csv`, content: Buffer.from(purchaseOrderCsv(d), 'utf8'), contentType: 'text/csv; charset=utf-8' }]
  };
}
