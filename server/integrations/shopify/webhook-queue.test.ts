import { describe, expect, it } from 'vitest';
import { orderPayload, refundPayload } from '#domain/shopify/webhooks.ts';
import { variantIdsIn } from './webhook-queue.ts';

describe('the variants a webhook names (the only links it reads)', () => {
  it('order lines, and refund lines with their order lines, of orders and refunds', () => {
    const order = orderPayload.parse({
      id: 1,
      created_at: '2026-12-01T10:00:00Z',
      updated_at: '2026-12-01T10:00:00Z',
      line_items: [
        { id: 11, variant_id: 501, product_id: 50, quantity: 1 },
        { id: 12, variant_id: null, product_id: 51, quantity: 2 }
      ],
      refunds: [{ id: 9, order_id: 1, created_at: '2026-12-02T10:00:00Z', refund_line_items: [{ id: 91, line_item_id: 11, quantity: 1, line_item: { variant_id: '502', product_id: 50 } }] }]
    });
    expect([...variantIdsIn(order)].sort()).toEqual(['501', '502']);
    const refund = refundPayload.parse({ id: 9, order_id: 1, created_at: '2026-12-02T10:00:00Z', refund_line_items: [{ id: 91, line_item_id: 11, quantity: 1 }] });
    expect([...variantIdsIn(refund)]).toEqual([]);
  });
});
