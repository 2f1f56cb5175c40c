import { z } from 'zod';
import { call } from './client';

/**
 * Browser calls for count sessions and purchase orders (/api/v1/inventory/counts, …/suppliers,
 * …/purchase-orders; docs/API.md). Responses are checked with these schemas.
 */

const countSummary = z.object({
  _id: z.string(),
  locationCode: z.string(),
  source: z.enum(['rfid', 'manual']),
  scope: z.object({ kind: z.enum(['all', 'categories', 'variants']) }).passthrough(),
  status: z.enum(['open', 'submitted', 'approved', 'rejected']),
  countedBy: z.string(),
  lines: z.number(),
  units: z.number(),
  startedAt: z.string(),
  submittedAt: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewedBy: z.string().nullable()
});
export type CountSummary = z.infer<typeof countSummary>;

const countSession = z
  .object({
    _id: z.string(),
    locationCode: z.string(),
    source: z.enum(['rfid', 'manual']),
    scope: z.object({ kind: z.enum(['all', 'categories', 'variants']), categoryIds: z.array(z.string()).optional(), variantIds: z.array(z.string()).optional() }),
    status: z.enum(['open', 'submitted', 'approved', 'rejected']),
    counts: z.array(z.object({ variantId: z.string(), qty: z.number() })),
    countedBy: z.string(),
    deviceId: z.string().optional(),
    note: z.string().optional(),
    startedAt: z.string(),
    submittedAt: z.string().optional(),
    reviewedAt: z.string().optional(),
    reviewedBy: z.string().optional(),
    rejectReason: z.string().optional(),
    movementId: z.string().optional()
  })
  .passthrough();
export type CountSessionView = z.infer<typeof countSession>;

const review = z.object({
  lines: z.array(z.object({ variantId: z.string(), sku: z.string(), name: z.string(), expected: z.number(), counted: z.number(), variance: z.number(), unitCost: z.number() })),
  totals: z.object({
    lines: z.number(),
    expected: z.number(),
    counted: z.number(),
    variance: z.number(),
    missingUnits: z.number(),
    foundUnits: z.number(),
    varianceValue: z.number(),
    missingValue: z.number(),
    foundValue: z.number(),
    uncosted: z.number()
  }),
  frozen: z.boolean()
});
export type CountReview = z.infer<typeof review>;

const variant = z.object({ variantId: z.string(), productId: z.string(), sku: z.string(), barcode: z.string().optional(), name: z.string(), cost: z.number().nullable(), categoryId: z.string() });
export type VariantHit = z.infer<typeof variant>;

const supplier = z.object({ _id: z.string(), name: z.string(), email: z.string().optional(), phone: z.string().optional(), leadTimeDays: z.number(), active: z.boolean() }).passthrough();
export type SupplierView = z.infer<typeof supplier>;
export interface SupplierBody {
  name: string;
  email?: string;
  phone?: string;
  leadTimeDays: number;
  active: boolean;
}

export const PO_STATUS_LABELS = { draft: 'Draft', sent: 'Sent', partially_received: 'Partially received', received: 'Received', cancelled: 'Cancelled' } as const;
const order = z
  .object({
    _id: z.string(),
    locationCode: z.string(),
    supplierId: z.string(),
    number: z.string(),
    status: z.enum(['draft', 'sent', 'partially_received', 'received', 'cancelled']),
    lines: z.array(z.object({ variantId: z.string(), sku: z.string(), name: z.string(), ordered: z.number(), unitCost: z.number(), received: z.number() })),
    note: z.string().optional(),
    receipts: z.array(z.object({ n: z.number(), movementId: z.string(), lines: z.array(z.object({ variantId: z.string(), qty: z.number() })), receivedAt: z.string(), receivedBy: z.string() })),
    createdAt: z.string(),
    sentAt: z.string().optional(),
    cancelledAt: z.string().optional()
  })
  .passthrough();
export type OrderView = z.infer<typeof order>;
export interface OrderLineBody {
  variantId: string;
  ordered: number;
  unitCost: number;
}

const q = encodeURIComponent;
const sessionAndReview = z.object({ session: countSession, review });

export const countsApi = {
  list: (token: string, location: string, status?: string) =>
    call('GET', `/inventory/counts?location=${q(location)}${status ? `&status=${q(status)}` : ''}`, z.object({ sessions: z.array(countSummary) }), { token }),
  start: (token: string, body: { location: string; scope: { kind: 'all' } | { kind: 'categories'; categoryIds: string[] } | { kind: 'variants'; variantIds: string[] }; note?: string }) =>
    call('POST', '/inventory/counts', z.object({ session: countSession }), { token, body }),
  get: (token: string, id: string) => call('GET', `/inventory/counts/${q(id)}`, sessionAndReview, { token }),
  enter: (token: string, id: string, counts: { variantId: string; qty: number }[]) => call('PUT', `/inventory/counts/${q(id)}/counts`, z.object({ session: countSession }), { token, body: { counts } }),
  submit: (token: string, id: string) => call('POST', `/inventory/counts/${q(id)}/submit`, z.object({ session: countSession }), { token }),
  approve: (token: string, id: string) => call('POST', `/inventory/counts/${q(id)}/approve`, sessionAndReview.extend({ changed: z.boolean() }), { token }),
  reject: (token: string, id: string, reason: string) => call('POST', `/inventory/counts/${q(id)}/reject`, z.object({ session: countSession }), { token, body: { reason } })
};

export const purchasingApi = {
  suppliers: (token: string) => call('GET', '/inventory/suppliers', z.object({ suppliers: z.array(supplier) }), { token }),
  addSupplier: (token: string, body: SupplierBody) => call('POST', '/inventory/suppliers', z.object({ supplier }), { token, body }),
  editSupplier: (token: string, id: string, body: SupplierBody) => call('PUT', `/inventory/suppliers/${q(id)}`, z.object({ supplier }), { token, body }),
  lookup: (token: string, code: string) => call('GET', `/inventory/variant-lookup?code=${q(code)}`, z.object({ variant }), { token }),
  orders: (token: string, location: string, status?: string) =>
    call('GET', `/inventory/purchase-orders?location=${q(location)}${status ? `&status=${q(status)}` : ''}`, z.object({ orders: z.array(order) }), { token }),
  create: (token: string, body: { location: string; supplierId: string; lines: OrderLineBody[]; note?: string }) => call('POST', '/inventory/purchase-orders', z.object({ order }), { token, body }),
  get: (token: string, id: string) => call('GET', `/inventory/purchase-orders/${q(id)}`, z.object({ order }), { token }),
  update: (token: string, id: string, body: { supplierId?: string; lines: OrderLineBody[]; note?: string }) => call('PUT', `/inventory/purchase-orders/${q(id)}`, z.object({ order }), { token, body }),
  send: (token: string, id: string) => call('POST', `/inventory/purchase-orders/${q(id)}/send`, z.object({ order, emailQueued: z.boolean() }), { token }),
  cancel: (token: string, id: string) => call('POST', `/inventory/purchase-orders/${q(id)}/cancel`, z.object({ order }), { token }),
  receive: (token: string, id: string, n: number, lines: { variantId: string; qty: number }[]) =>
    call('POST', `/inventory/purchase-orders/${q(id)}/receive`, z.object({ order, costsUpdated: z.number() }), { token, body: { n, lines } })
};
