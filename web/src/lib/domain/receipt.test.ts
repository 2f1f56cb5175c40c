import { describe, expect, it } from 'vitest';
import { CTX, SALE_ID, sampleSale } from './receipt.fixtures.ts';
import { opensDrawer, receiptLayout, receiptText, voidReceiptLayout, wrapText } from './receipt.ts';
import { voidSchema } from './schemas/location.ts';

describe('receiptLayout', () => {
  it('lays out items, discounts, tax, split tender, change and a return line', () => {
    const layout = receiptLayout(sampleSale(), CTX);
    expect(layout).toMatchObject({ kind: 'exchange', saleId: SALE_ID, currency: 'USD', reprint: false });
    const items = layout.blocks.filter((b) => b.kind === 'item');
    expect(items).toEqual([
      // qty × unit price = amount, before the discount and without tax: the amounts add up to the subtotal
      { kind: 'item', name: 'Organic cotton T-shirt, medium', qty: 2, unitPrice: '$15.00', total: '$30.00', discount: '-$3.00' },
      { kind: 'item', name: 'Mug', qty: 1, unitPrice: '$8.99', total: '$8.99', note: 'Gift wrap' },
      { kind: 'item', name: 'Socks', qty: -1, unitPrice: '$5.00', total: '-$5.00', returned: true }
    ]);
    expect(layout.blocks.filter((b) => b.kind === 'total')).toEqual([
      // the sale's figures as every report shows them: gross before discounts, returns apart, tax
      { kind: 'total', label: 'Subtotal', amount: '$38.99' },
      { kind: 'total', label: 'Discounts', amount: '-$3.00' },
      { kind: 'total', label: 'Returns', amount: '-$5.00' },
      { kind: 'total', label: 'Tax', amount: '$2.48' },
      { kind: 'total', label: 'TOTAL', amount: '$33.47', bold: true },
      { kind: 'total', label: 'Change', amount: '$0.53', bold: true }
    ]);
    expect(layout.blocks.filter((b) => b.kind === 'tender')).toEqual([
      { kind: 'tender', label: 'Card', amount: '$20.00', reference: 'VISA 4242' },
      { kind: 'tender', label: 'Cash', amount: '$14.00' }
    ]);
    expect(layout.blocks.filter((b) => b.kind === 'code')).toEqual([{ kind: 'code', value: SALE_ID, label: 'STVWXYZ0' }]);
    expect(layout.blocks.some((b) => b.kind === 'text' && b.text.includes('REPRINT'))).toBe(false);
  });

  it('shows the receipt number, and on a return the number of the sale the items came from', () => {
    const sale = sampleSale({ receiptNo: 'GM1-20261124-0007' });
    sale.lines[2]!.returnOf = { saleId: 'sale:GM-1:01JABCDEFGHJKMNPQRSTVWXYZ1', lineId: '4', receiptNo: 'GM1-20261120-0042' };
    const text = receiptText(receiptLayout(sale, CTX), 42);
    expect(text).toContain('Receipt GM1-20261124-0007');
    expect(text).toContain('Return of sale GM1-20261120-0042');
    expect(text).toContain(`${' '.repeat(12)}GM1-20261124-0007`); // under the QR code
    expect(text.join('\n')).not.toMatch(/01JABCDEFGHJKMNPQRSTVWXYZ/);
  });

  it('prints the exemption certificate a tax-exempt sale was rung under', () => {
    const all = receiptText(receiptLayout(sampleSale({ taxExemption: { certificateNo: 'ST-120-0042', expiresOn: '2027-06-30' } }), CTX), 42).join('\n');
    expect(all.replace(/\s+/g, ' ')).toContain('Tax exempt: certificate ST-120-0042 (valid to 2027-06-30), exempt from all sales tax');
    const some = receiptText(receiptLayout(sampleSale({ taxExemption: { certificateNo: 'R-7', expiresOn: '2027-06-30', jurisdictions: ['ny-state'] } }), CTX), 42).join('\n');
    expect(some.replace(/\s+/g, ' ')).toContain('exempt from ny-state');
    expect(receiptText(receiptLayout(sampleSale(), CTX), 42).join('\n')).not.toContain('Tax exempt');
  });

  it('reads as one story: sold lines add up to the Subtotal and their discounts to Discounts, returned lines to Returns, and tax is only in the totals', () => {
    const layout = receiptLayout(sampleSale(), CTX);
    const amount = (s: string) => Math.round(Number(s.replace(/[^0-9.-]/g, '')) * 100);
    const items = layout.blocks.filter((b) => b.kind === 'item');
    const sold = items.filter((b) => !b.returned);
    const returned = items.filter((b) => b.returned);
    expect(returned.length).toBeGreaterThan(0);
    const totals = Object.fromEntries(layout.blocks.filter((b) => b.kind === 'total').map((b) => [b.label, amount(b.amount)]));
    const discountOf = (b: (typeof items)[number]) => (b.discount ? amount(b.discount) : 0);
    expect(sold.reduce((a, b) => a + amount(b.total), 0)).toBe(totals.Subtotal);
    expect(sold.reduce((a, b) => a + discountOf(b), 0)).toBe(totals.Discounts);
    expect(returned.reduce((a, b) => a + amount(b.total) + discountOf(b), 0)).toBe(totals.Returns);
    expect(totals.Subtotal! + totals.Discounts! + totals.Returns! + totals.Tax!).toBe(totals.TOTAL);
  });

  it('renders fixed-width text in the location time zone', () => {
    const text = receiptText(receiptLayout(sampleSale(), CTX), 42);
    expect(text.every((l) => l.length <= 42)).toBe(true);
    expect(text).toContain('Nov 24, 2026, 10:05 AM'); // 15:05Z in New York
    expect(text).toContain(`${' '.repeat(17)}EXCHANGE`);
    expect(text).toContain('Register: Front 1');
    expect(text).toContain('Cashier: Ana');
    expect(text).toContain('Customer: Sam Lee');
    expect(text).toContain('Receipt STVWXYZ0'); // a sale from before receipt numbers: the id's last 8 characters
    expect(text).not.toContain('GM-1:01JABCDEFGHJKMNPQRSTVWXYZ0');
    expect(text).toContain('Return of sale STVWXYZ1');
    expect(text).toContain('Organic cotton T-shirt, medium');
    expect(text).toContain(`  2 x $15.00${' '.repeat(24)}$30.00`);
    expect(text).toContain(`  Discount${' '.repeat(26)}-$3.00`);
    expect(text).toContain('  Gift wrap');
    expect(text).toContain('RETURN Socks');
    expect(text).toContain(`  -1 x $5.00${' '.repeat(24)}-$5.00`);
    expect(text).toContain(`TOTAL${' '.repeat(31)}$33.47`);
    expect(text).toContain(`Card${' '.repeat(32)}$20.00`);
    expect(text).toContain('  Ref VISA 4242');
    expect(text).toContain(`Change${' '.repeat(31)}$0.53`);
    expect(text).toContain(`${' '.repeat(17)}STVWXYZ0`);
    expect(text.at(-1)).toBe('   Returns within 30 days with receipt');
  });

  it('marks reprints, shows cash rounding, and formats other currencies and locales', () => {
    // Prices include tax: the line total is the shelf price, tax is the part of it shown.
    const sale = sampleSale({
      currency: 'EUR',
      pricesIncludeTax: true,
      lines: [{ lineId: '1', productId: 'product:tee', variantId: 'tee-m', sku: 'TEE-M', name: 'Organic cotton T-shirt, medium', qty: 1, unitPrice: 3347, discount: 0, tax: 248, total: 3347 }],
      subtotal: 3347,
      discountTotal: 0,
      taxTotal: 248,
      total: 3347,
      tenders: [{ kind: 'cash', amount: 3350 }],
      change: 0,
      rounding: 3
    });
    const layout = receiptLayout(sale, { ...CTX, reprint: true, locale: 'de-DE', timeZone: 'Europe/Berlin' });
    const text = receiptText(layout, 32);
    expect(text.every((l) => l.length <= 32)).toBe(true);
    expect(text.filter((l) => l.includes('*** REPRINT ***'))).toHaveLength(2);
    expect(layout.reprint).toBe(true);
    expect(text).toContain('24. Nov. 2026, 16:05');
    expect(text.some((l) => /^Incl\. tax +2,48 €$/.test(l))).toBe(true);
    expect(text.some((l) => /^Rounding +0,03 €$/.test(l))).toBe(true);
    expect(text.some((l) => /^Amount paid +33,50 €$/.test(l))).toBe(true);
    // JPY has no minor digits: 1500 minor units is ¥1,500.
    const yen = receiptLayout(sampleSale({ currency: 'JPY' }), CTX);
    expect(yen.blocks.find((b) => b.kind === 'total' && b.label === 'TOTAL')).toMatchObject({ amount: '¥3,347' });
  });

  it('masks gift-card numbers and labels refunds', () => {
    const sale = sampleSale({
      kind: 'return',
      lines: [{ lineId: '1', productId: 'product:mug', variantId: 'mug', sku: 'MUG', name: 'Mug', qty: -1, unitPrice: 899, discount: 0, tax: -72, total: -971 }],
      subtotal: -899,
      discountTotal: 0,
      taxTotal: -72,
      total: -971,
      tenders: [{ kind: 'gift_card', amount: -971, reference: '6006491234567890' }],
      change: 0
    });
    const text = receiptText(receiptLayout(sale, CTX));
    expect(text).toContain(`${' '.repeat(18)}RETURN`);
    expect(text.some((l) => /^TOTAL REFUND +-\$9\.71$/.test(l))).toBe(true);
    expect(text.some((l) => /^Gift card refund +-\$9\.71$/.test(l))).toBe(true);
    expect(text).toContain('  Ref ****7890');
    expect(text.join('\n')).not.toContain('6006491234567890');
  });

  it('lays out a void slip', () => {
    const sale = sampleSale();
    const voidDoc = voidSchema.parse({
      _id: 'void:GM-1:01JABCDEFGHJKMNPQRSTVWXYZ0', // a void is named after its sale
      type: 'void',
      locationCode: 'GM',
      registerId: 'register:GM-1',
      saleId: sale._id,
      reason: 'Wrong items rung up',
      lines: sale.lines.map((l) => ({ variantId: l.variantId, qty: -l.qty })),
      tenders: sale.tenders.map((t) => ({ ...t, amount: -t.amount })),
      total: -sale.total,
      cashierId: 'staff:ana',
      approvals: [{ action: 'void', staffId: 'staff:mo', staffName: 'Mo (manager)', at: '2026-11-24T15:20:00.000Z' }],
      createdAt: '2026-11-24T15:20:00.000Z'
    });
    const layout = voidReceiptLayout(voidDoc, sale, { ...CTX, cashierName: 'Ana' });
    expect(layout.kind).toBe('void');
    const text = receiptText(layout);
    expect(text).toContain(`${' '.repeat(19)}VOID`);
    expect(text).toContain('Voids sale STVWXYZ0');
    expect(text).toContain('Reason: Wrong items rung up');
    expect(text).toContain('Approved by: Mo (manager)');
    expect(text).toContain('Nov 24, 2026, 10:20 AM');
    expect(text.some((l) => /^TOTAL VOIDED +\$33\.47$/.test(l))).toBe(true);
    expect(text.some((l) => /^Cash refund +-\$14\.00$/.test(l))).toBe(true);
    expect(layout.blocks.filter((b) => b.kind === 'code')).toEqual([{ kind: 'code', value: SALE_ID, label: 'STVWXYZ0' }]);
  });

  it('opens the drawer only when cash moved', () => {
    expect(opensDrawer(sampleSale())).toBe(true);
    expect(opensDrawer({ tenders: [{ kind: 'card_external', amount: 3347 }], change: 0 })).toBe(false);
  });

  it('wraps long words and keeps short text whole', () => {
    expect(wrapText('a bb ccc', 4)).toEqual(['a bb', 'ccc']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('', 4)).toEqual(['']);
  });
});
