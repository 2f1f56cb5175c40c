import { saleSchema } from './schemas/location.ts';
import type { ReceiptContext, SaleDoc } from './receipt.ts';

/** Test fixtures shared by the receipt, ESC/POS and printer tests. */

export const SALE_ID = 'sale:GM-1:01JABCDEFGHJKMNPQRSTVWXYZ0';

/** An exchange: two items sold (one discounted), one returned, paid by card and cash with change. */
export function sampleSale(overrides: Partial<SaleDoc> = {}): SaleDoc {
  return saleSchema.parse({
    _id: SALE_ID,
    type: 'sale',
    kind: 'exchange',
    locationCode: 'GM',
    registerId: 'register:GM-1',
    cashierId: 'staff:ana',
    cashierName: 'Ana',
    currency: 'USD',
    lines: [
      { lineId: '1', productId: 'product:tee', variantId: 'tee-m', sku: 'TEE-M', name: 'Organic cotton T-shirt, medium', qty: 2, unitPrice: 1500, discount: 300, tax: 216, total: 2916 },
      { lineId: '2', productId: 'product:mug', variantId: 'mug', sku: 'MUG', name: 'Mug', qty: 1, unitPrice: 899, tax: 72, total: 971, note: 'Gift wrap' },
      { lineId: '3', productId: 'product:socks', variantId: 'socks', sku: 'SOCKS', name: 'Socks', qty: -1, unitPrice: 500, tax: -40, total: -540, returnOf: { saleId: 'sale:GM-1:01JABCDEFGHJKMNPQRSTVWXYZ1', lineId: '4' } }
    ],
    subtotal: 3399,
    discountTotal: 300,
    taxTotal: 248,
    total: 3347,
    tenders: [
      { kind: 'card_external', amount: 2000, reference: 'VISA 4242' },
      { kind: 'cash', amount: 1400 }
    ],
    change: 53,
    createdAt: '2026-11-24T15:05:00.000Z',
    ...overrides
  });
}

export const CTX: ReceiptContext = {
  storeName: 'Green Market',
  address: '1 Main St\nSpringfield',
  footer: 'Returns within 30 days with receipt',
  registerName: 'Front 1',
  timeZone: 'America/New_York',
  customerName: 'Sam Lee'
};
