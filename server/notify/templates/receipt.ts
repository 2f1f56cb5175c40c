import { blockLines, receiptText, type ReceiptBlock, type ReceiptLayout } from '#domain/receipt.ts';
import type { RenderedEmail, RenderedSms } from '../types.ts';
import { esc, frame, type Brand } from './layout.ts';

/**
 * The receipt by email and by text message, from the register's own layout (domain/receipt.ts): the
 * same blocks the printer prints, so lines, discounts, taxes, totals, tenders, the footer (return
 * policy) and the returns code match the paper receipt. The text part is the paper receipt itself;
 * the HTML part draws each block; the returns code is the QR code the printer prints, as an inline
 * image. Nothing here computes money: every amount is the layout's formatted string. Pure.
 */
export const RECEIPT_QR_CID = 'receipt-qr@pos';

const TITLES: Record<ReceiptLayout['kind'], string> = { sale: 'Your receipt', return: 'Your refund receipt', exchange: 'Your exchange receipt', void: 'Your void receipt' };

function row(left: string, right: string, opts: { bold?: boolean; muted?: boolean } = {}): string {
  const style = `padding:2px 0;${opts.bold ? 'font-weight:700;' : ''}${opts.muted ? 'color:#4b5563;font-size:13px;' : ''}`;
  return `<tr><td style="${style}">${left}</td><td style="${style}text-align:right;white-space:nowrap">${esc(right)}</td></tr>`;
}

function blockHtml(b: ReceiptBlock, qrAlt: string): string {
  switch (b.kind) {
    case 'text': {
      const size = b.size === 2 ? 'font-size:20px;' : '';
      return `<tr><td colspan="2" style="padding:2px 0;text-align:${b.align ?? 'left'};${b.bold ? 'font-weight:700;' : ''}${size}">${esc(b.text)}</td></tr>`;
    }
    case 'rule':
      return `<tr><td colspan="2" style="padding:4px 0"><hr style="border:0;border-top:1px ${b.style === 'double' ? 'double' : 'solid'} #9ca3af;margin:0"></td></tr>`;
    case 'blank':
      return '<tr><td colspan="2" style="height:8px"></td></tr>';
    case 'item': {
      const name = `${b.returned ? 'RETURN ' : ''}${b.name}`;
      let out = row(`${esc(name)}<br><span style="color:#4b5563;font-size:13px">${esc(`${b.qty} x ${b.unitPrice}`)}</span>`, b.total);
      if (b.discount) out += row('&nbsp;&nbsp;Discount', b.discount, { muted: true });
      if (b.note) out += `<tr><td colspan="2" style="padding:0 0 2px 12px;color:#4b5563;font-size:13px">${esc(b.note)}</td></tr>`;
      return out;
    }
    case 'total':
      return row(esc(b.label), b.amount, { bold: !!b.bold });
    case 'tender':
      return row(esc(b.label) + (b.reference ? `<br><span style="color:#4b5563;font-size:13px">Ref ${esc(b.reference)}</span>` : ''), b.amount);
    case 'code':
      return `<tr><td colspan="2" style="padding:8px 0;text-align:center"><img src="cid:${RECEIPT_QR_CID}" width="160" height="160" alt="${esc(qrAlt)}" style="display:inline-block"><div style="font-family:monospace;font-size:12px;color:#4b5563">${esc(b.value)}</div></td></tr>`;
    default:
      // a block kind this renderer does not know yet: print it as the paper receipt does
      return `<tr><td colspan="2"><pre style="margin:0;font-family:monospace">${esc(blockLines(b as ReceiptBlock, 42).join('\n'))}</pre></td></tr>`;
  }
}

export function receiptEmail(layout: ReceiptLayout, brand: Brand, qrPng: Buffer): RenderedEmail {
  const title = TITLES[layout.kind];
  const code = layout.blocks.find((b): b is Extract<ReceiptBlock, { kind: 'code' }> => b.kind === 'code')?.value ?? layout.saleId;
  const table = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="font-size:15px">\n${layout.blocks
    .map((b) => blockHtml(b, `Returns code ${code}`))
    .join('\n')}\n</table>`;
  const html = `${table}\n<p style="color:#4b5563;font-size:13px;margin-top:16px">Bring this receipt (or show the code) for returns and exchanges.</p>`;
  const paper = receiptText(layout).join('\n');
  // The store's name, header and footer are on the receipt itself: the frame adds only the title.
  const framed = frame({ brand: { name: brand.name, publicUrl: brand.publicUrl }, title, html, text: paper });
  return {
    subject: `${title} from ${brand.name}`,
    html: framed.html,
    text: framed.text,
    attachments: [{ filename: 'receipt-code.png', content: qrPng, contentType: 'image/png', cid: RECEIPT_QR_CID }]
  };
}

/** Twilio's limit for one message body (it splits into segments below that). */
export const SMS_MAX = 1600;

/**
 * A text message cannot carry the QR code or a 42-column layout: it carries the lines, totals and
 * tenders from the same blocks, the receipt number to show at the till, and the footer.
 */
export function receiptSms(layout: ReceiptLayout): RenderedSms {
  const head: string[] = [];
  const items: string[] = [];
  const tail: string[] = [];
  let seenItem = false;
  let code = '';
  for (const b of layout.blocks) {
    if (b.kind === 'item') {
      seenItem = true;
      items.push(`${b.returned ? 'RETURN ' : ''}${b.qty} x ${b.name} ${b.total}${b.discount ? ` (disc. ${b.discount})` : ''}`);
    } else if (b.kind === 'total' || b.kind === 'tender') tail.push(`${b.label} ${b.amount}`);
    else if (b.kind === 'code') code = b.value;
    else if (b.kind === 'text' && !seenItem && b.text !== '*** REPRINT ***') head.push(b.text);
    else if (b.kind === 'text' && seenItem && b.text !== '*** REPRINT ***') tail.push(b.text);
  }
  const codeLine = code ? [`Receipt ${code}`] : [];
  const fixed = [...head, ...tail, ...codeLine].join('\n').length + 40;
  const kept: string[] = [];
  let used = 0;
  for (const line of items) {
    if (fixed + used + line.length + 1 > SMS_MAX) break;
    kept.push(line);
    used += line.length + 1;
  }
  if (kept.length < items.length) kept.push(`…and ${items.length - kept.length} more item(s)`);
  return { body: [...head, ...kept, ...tail, ...codeLine].join('\n').slice(0, SMS_MAX) };
}
