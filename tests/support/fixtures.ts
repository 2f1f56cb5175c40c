import { newUlid } from '#domain/ids.ts';

/**
 * A valid sale document for location `loc`, made as a register would make it: named after the
 * register's device id (`sale:{deviceId}:{ulid}`), which it names as `registerId: device:{deviceId}`.
 * Pushing it through the gateway as an enrolled register needs that register's real device id.
 */
export function makeSale(loc: string, register = `${loc}-1`, overrides: Record<string, unknown> = {}) {
  return {
    _id: `sale:${register}:${newUlid()}`,
    type: 'sale',
    locationCode: loc,
    registerId: `device:${register}`,
    cashierId: 'user:test',
    currency: 'USD',
    lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 1, unitPrice: 1000, discount: 0, tax: 89, total: 1089 }],
    subtotal: 1000,
    discountTotal: 0,
    taxTotal: 89,
    total: 1089,
    tenders: [{ kind: 'cash', amount: 1089 }],
    change: 0,
    createdAt: new Date().toISOString(),
    ...overrides
  };
}

/** A valid product with one variant; its variant id is the product id's suffix + "-v01" (catalog-wide unique). */
export function makeProduct(id = `product:${newUlid()}`) {
  return {
    _id: id,
    type: 'product',
    name: 'Test tee',
    categoryId: 'category:tees',
    taxCategory: 'clothing',
    options: [{ name: 'Size', values: ['M'] }],
    variants: [{ id: `${id.slice('product:'.length)}-v01`, sku: `T-${id.slice(-6)}`, barcode: '4006381333931', options: { Size: 'M' }, price: 1000, active: true }],
    status: 'active',
    updatedAt: new Date().toISOString(),
    updatedBy: 'user:test'
  };
}

/** An RFID phone's count as it writes it: created once, already submitted, named after its location. */
export function makeCountSession(loc: string, deviceId: string, countedBy = 'user:x') {
  const at = new Date().toISOString();
  return {
    _id: `count:${loc}:${newUlid()}`,
    type: 'count_session',
    locationCode: loc,
    source: 'rfid',
    scope: { kind: 'all' },
    status: 'submitted',
    counts: [{ variantId: 'p1-v01', qty: 2 }],
    countedBy,
    deviceId: `device:${deviceId}`,
    startedAt: at,
    submittedAt: at,
    createdAt: at,
    createdBy: countedBy,
    updatedAt: at,
    updatedBy: countedBy
  };
}

export type ApprovalAction = 'void' | 'refund_without_receipt' | 'discount_over_limit' | 'price_override' | 'no_sale' | 'close_unsynced' | 'payout' | 'credit_over_limit';

/** A manager approval as a register records it on the document it authorised. */
export function makeApproval(staffId: string, action: ApprovalAction = 'void', staffName = 'Manager') {
  return { action, staffId, staffName, at: new Date().toISOString() };
}

/** The void of `sale` (as makeSale builds it), named after it: its lines come back, its tenders are refunded. */
export function makeVoid(sale: ReturnType<typeof makeSale>, approvals: ReturnType<typeof makeApproval>[], overrides: Record<string, unknown> = {}) {
  return {
    _id: `void:${sale._id.slice('sale:'.length)}`,
    type: 'void',
    locationCode: sale.locationCode,
    registerId: sale.registerId,
    saleId: sale._id,
    reason: 'customer changed their mind',
    lines: sale.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
    tenders: sale.tenders.map((t) => ({ ...t, amount: -t.amount })),
    total: -sale.total,
    cashierId: sale.cashierId,
    approvals,
    createdAt: new Date().toISOString(),
    ...overrides
  };
}
