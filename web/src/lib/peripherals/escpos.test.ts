import { describe, expect, it } from 'vitest';
import { CTX, SALE_ID, sampleSale } from '../domain/receipt.fixtures.ts';
import { receiptLayout, receiptText } from '../domain/receipt.ts';
import { decodeEscPos } from './escpos-decode.ts';
import { encodeReceipt, kickDrawerBytes, testPageBytes } from './escpos.ts';

const layout = receiptLayout(sampleSale(), CTX);

describe('encodeReceipt → decodeEscPos', () => {
  it('prints the item lines, totals and the sale id as a QR code', () => {
    const out = decodeEscPos(encodeReceipt(layout, { columns: 42 }));
    const body = receiptText(layout, 42).filter((l) => !l.includes(SALE_ID)); // the id line is the QR on paper
    // Every non-header line of the text rendering appears on paper, in order.
    let at = 0;
    for (const line of body.slice(body.indexOf('Register: Front 1'))) {
      const found = out.lines.indexOf(line, at);
      expect(found, `missing "${line}"`).toBeGreaterThanOrEqual(at);
      at = found;
    }
    expect(out.lines).toContain('  2 x $15.00                        $30.00');
    expect(out.lines).toContain('RETURN Socks');
    expect(out.lines).toContain('TOTAL                               $33.47');
    expect(out.lines).toContain('Change                               $0.53');
    expect(out.lines.some((l) => l.trim() === 'Green Market')).toBe(true); // double size, centred by the encoder
    expect(out.qrcodes).toEqual([SALE_ID]);
    expect(out.barcodes).toEqual([]);
    expect(out.cuts).toBe(1);
    expect(out.drawerKicks).toBe(0);
    expect(out.items.findIndex((i) => i.kind === 'qrcode')).toBeGreaterThan(out.items.findIndex((i) => i.kind === 'line' && i.text === 'Change                               $0.53'));
  });

  it('kicks the drawer exactly once when asked, and can skip the cut', () => {
    const out = decodeEscPos(encodeReceipt(layout, { columns: 48, kickDrawer: true, cut: false }));
    expect(out.drawerKicks).toBe(1);
    expect(out.cuts).toBe(0);
    expect(out.lines.every((l) => l.length <= 48)).toBe(true);
    expect(out.lines.some((l) => /^TOTAL +\$33\.47$/.test(l) && l.length === 48)).toBe(true);
    expect(decodeEscPos(kickDrawerBytes())).toMatchObject({ drawerKicks: 1, cuts: 0, lines: [] });
  });

  it('prints non-ASCII text through the printer code pages and fits 58 mm paper', () => {
    const eur = receiptLayout(sampleSale({ currency: 'EUR', lines: [{ lineId: '1', productId: 'p', variantId: 'v', sku: 'S', name: 'Café crème – grand', qty: 1, unitPrice: 350, discount: 0, tax: 0, total: 350 }], subtotal: 350, discountTotal: 0, taxTotal: 0, total: 350, tenders: [{ kind: 'cash', amount: 500 }], change: 150 }), { ...CTX, locale: 'de-DE' });
    const out = decodeEscPos(encodeReceipt(eur, { columns: 32, kickDrawer: true }));
    expect(out.lines).toContain('Café crème – grand');
    expect(out.lines.some((l) => /^TOTAL +3,50 €$/.test(l) && l.length === 32)).toBe(true);
    expect(out.lines.every((l) => l.length <= 32)).toBe(true);
    expect(out.qrcodes).toEqual([SALE_ID]);
    expect(out.drawerKicks).toBe(1);
  });

  it('encodes a test page', () => {
    const out = decodeEscPos(testPageBytes({ columns: 42, printerName: 'TM-m30' }));
    expect(out.lines).toContain('Currency: $ € £ ¥');
    expect(out.qrcodes).toEqual(['POS test page']);
    expect(out.cuts).toBe(1);
  });
});

describe('decodeEscPos', () => {
  it('reads the commands it knows and skips the rest', () => {
    const bytes = [
      0x1b, 0x40, // init
      0x1b, 0x61, 0x01, 0x1b, 0x45, 0x01, 0x1d, 0x21, 0x11, ...Buffer.from('Hi'), 0x0a, 0x0d,
      0x1b, 0x74, 0x10, 0x80, 0x0a, // WPC1252: 0x80 is the euro sign
      0x1d, 0x6b, 0x49, 0x06, ...Buffer.from('{BA{{1'), // CODE128, function B
      0x1d, 0x6b, 0x04, ...Buffer.from('CODE39'), 0x00, // CODE39, function A
      0x1b, 0x2a, 0x21, 0x02, 0x00, 1, 2, 3, 4, 5, 6, // ESC * 24-dot image, 2 columns
      0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xff, 0x0a, // raster 1×2 bytes (0x0a is image data)
      0x1b, 0x99, // unknown ESC command
      0x10, 0x14, 0x01, 0x00, 0x05, // DLE DC4 drawer kick
      0x1b, 0x70, 0x01, 0x19, 0xfa, // ESC p drawer kick
      ...Buffer.from('tail'), 0x1d, 0x56, 0x42, 0x03 // GS V B n: cut after feeding
    ];
    const out = decodeEscPos(Uint8Array.from(bytes));
    expect(out.lines).toEqual(['Hi', '€', 'tail']);
    expect(out.barcodes).toEqual(['A{1', 'CODE39']);
    expect(out.drawerKicks).toBe(2);
    expect(out.cuts).toBe(1);
  });

  it('never throws on garbage or truncated input', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 500; run++) {
      const len = Math.floor(random() * 400);
      const bytes = new Uint8Array(len);
      for (let k = 0; k < len; k++) bytes[k] = random() < 0.2 ? [0x1b, 0x1d, 0x1c, 0x10, 0x0a][Math.floor(random() * 5)]! : Math.floor(random() * 256);
      const out = decodeEscPos(bytes);
      expect(Array.isArray(out.lines)).toBe(true);
    }
    const full = encodeReceipt(layout, { columns: 42, kickDrawer: true });
    for (let cut = 0; cut < full.length; cut += 7) expect(() => decodeEscPos(full.subarray(0, cut))).not.toThrow();
    expect(decodeEscPos(new Uint8Array())).toEqual({ lines: [], barcodes: [], qrcodes: [], drawerKicks: 0, cuts: 0, items: [] });
    expect(decodeEscPos([0x1d, 0x28, 0x6b, 0xff, 0xff, 0x31])).toMatchObject({ qrcodes: [] }); // length past the end
  });
});
