import { describe, expect, it } from 'vitest';
import { receiptLayout } from '#domain/receipt.ts';
import { CTX, sampleSale } from '#domain/receipt.fixtures.ts';
import { frame, esc } from './layout.ts';
import { purchaseOrderCsv } from './purchase-order.ts';
import { RECEIPT_QR_CID, SMS_MAX, receiptEmail, receiptSms } from './receipt.ts';

const SALE = sampleSale();

describe('receipt email', () => {
  const layout = receiptLayout(SALE, CTX);
  const mail = receiptEmail(layout, { name: CTX.storeName, publicUrl: 'https://pos.test' }, Buffer.from('png'));

  it('is the printed receipt in its text part and every block in its HTML', () => {
    for (const block of layout.blocks) {
      if (block.kind === 'item') expect(mail.html).toContain(esc(block.name));
      if (block.kind === 'total' || block.kind === 'tender') expect(mail.html).toContain(esc(block.amount));
    }
    expect(mail.html).toContain(`cid:${RECEIPT_QR_CID}`);
    expect(mail.attachments).toEqual([{ filename: 'receipt-code.png', content: Buffer.from('png'), contentType: 'image/png', cid: RECEIPT_QR_CID }]);
  });

  it('a text message keeps totals and the receipt code, and fits in one Twilio body', () => {
    const sms = receiptSms(layout);
    expect(sms.body).toContain(`Receipt ${SALE._id}`);
    const many = { ...SALE, lines: Array.from({ length: 200 }, (_, i) => ({ ...SALE.lines[0]!, lineId: `l${i}`, name: `Item number ${i} with a long name` })) };
    const long = receiptSms(receiptLayout(many, CTX));
    expect(long.body.length).toBeLessThanOrEqual(SMS_MAX);
    expect(long.body).toMatch(/…and \d+ more item\(s\)/);
    expect(long.body).toContain('TOTAL');
  });
});

describe('frame', () => {
  it('escapes what tenants and customers typed', () => {
    const f = frame({ brand: { name: '<Shop & "Co">', publicUrl: 'https://x', footer: 'a <b>' }, title: 't', html: '', text: 'x' });
    expect(f.html).toContain('&lt;Shop &amp; &quot;Co&quot;&gt;');
    expect(f.html).toContain('a &lt;b&gt;');
    expect(f.html).not.toContain('<b>');
  });
});

describe('purchase order CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses formula prefixes', () => {
    const csv = purchaseOrderCsv({
      supplierName: 's',
      orderNumber: 'PO-1',
      deliverTo: 'x',
      currency: 'EUR',
      total: '1.00',
      lines: [
        { sku: '=SUM(A1)', name: 'Shirt, "blue"\nL', qty: 2, unitCost: '0.50', lineTotal: '1.00' },
        { sku: 'B-2', name: 'Plain', qty: 1, unitCost: '0.00', lineTotal: '0.00' }
      ]
    });
    expect(csv).toBe('order,sku,description,quantity,unit_cost_eur,line_total_eur\r\nPO-1,\'=SUM(A1),"Shirt, ""blue""\nL",2,0.50,1.00\r\nPO-1,B-2,Plain,1,0.00,0.00\r\n');
  });
});
