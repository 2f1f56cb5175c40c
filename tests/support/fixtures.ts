import { newUlid } from '../../web/src/lib/domain/ids.ts';

/** A valid sale document for location `loc`, made as a register would make it. */
export function makeSale(loc: string, register = `${loc}-1`, overrides: Record<string, unknown> = {}) {
  return {
    _id: `sale:${register}:${newUlid()}`,
    type: 'sale',
    locationCode: loc,
    registerId: `register:${register}`,
    cashierId: 'user:test',
    currency: 'USD',
    lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'v01', sku: 'T-1', name: 'Tee', qty: 1, unitPrice: 1000, discount: 0, tax: 89, total: 1089 }],
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

export function makeProduct(id = `product:${newUlid()}`) {
  return {
    _id: id,
    type: 'product',
    name: 'Test tee',
    categoryId: 'category:tees',
    taxCategory: 'clothing',
    options: [{ name: 'Size', values: ['M'] }],
    variants: [{ id: 'v01', sku: `T-${id.slice(-6)}`, barcode: '4006381333931', options: { Size: 'M' }, price: 1000, active: true }],
    status: 'active',
    updatedAt: new Date().toISOString(),
    updatedBy: 'user:test'
  };
}
