import { z } from 'zod';
import { call, fetchCsv } from './client.ts';
import type { AdjustmentInput, ReceiveInput, TransferInput } from '$lib/domain/inventory';
import type { ThresholdInput } from '$lib/domain/stock-levels';

/** The admin inventory pages' calls to /api/v1/inventory (docs/API.md), with checked answers. */

const stockStates = z.enum(['negative', 'out', 'low', 'reorder', 'ok']);
const variantFields = {
  variantId: z.string(),
  productId: z.string(),
  productName: z.string(),
  label: z.string(),
  sku: z.string(),
  barcode: z.string().nullable(),
  categoryId: z.string(),
  cost: z.number().nullable(),
  archived: z.boolean()
};
export const stockRowSchema = z.object({ ...variantFields, onHand: z.number(), inTransit: z.number(), lowStock: z.number().nullable(), reorderPoint: z.number().nullable(), state: stockStates });
export type StockRowView = z.infer<typeof stockRowSchema>;
const levelsSchema = z.object({ location: z.string(), rows: z.array(stockRowSchema), page: z.number(), pageSize: z.number(), total: z.number(), pages: z.number() });
export type StockPage = z.infer<typeof levelsSchema>;

export const lookupSchema = z.object({ variant: z.object({ ...variantFields, onHand: z.number() }) });
export type VariantView = z.infer<z.ZodObject<typeof variantFields>>;
export type FoundVariant = z.infer<typeof lookupSchema>['variant'];

const namedLine = z.object({ variantId: z.string(), qty: z.number(), productName: z.string().nullable(), label: z.string().nullable(), sku: z.string().nullable() });
const adjustmentsSchema = z.object({
  adjustments: z.array(z.object({ _id: z.string(), reason: z.string(), note: z.string().nullable(), createdAt: z.string(), createdBy: z.string(), lines: z.array(namedLine) }))
});
export type AdjustmentView = z.infer<typeof adjustmentsSchema>['adjustments'][number];

const line = z.object({ variantId: z.string(), qty: z.number() });
export const transferSchema = z.object({
  _id: z.string(),
  locationCode: z.string(),
  toLocationCode: z.string(),
  status: z.enum(['draft', 'shipped', 'received']),
  lines: z.array(line),
  note: z.string().optional(),
  createdAt: z.string(),
  shippedAt: z.string().optional(),
  receivedAt: z.string().optional(),
  receivedLines: z.array(line).optional(),
  discrepancies: z.array(z.object({ variantId: z.string(), sent: z.number(), received: z.number(), diff: z.number() })).optional()
});
export type TransferView = z.infer<typeof transferSchema> & { direction?: 'in' | 'out'; inTransit?: boolean };
const transfersSchema = z.object({ transfers: z.array(transferSchema.extend({ direction: z.enum(['in', 'out']), inTransit: z.boolean() })), inTransit: z.array(z.string()) });

const locationsSchema = z.object({ locations: z.array(z.object({ code: z.string(), name: z.string(), mine: z.boolean() })) });
export type InventoryLocation = z.infer<typeof locationsSchema>['locations'][number];

const alertSchema = z.object({ variantId: z.string(), onHand: z.number(), lowStock: z.number().nullable(), kind: z.enum(['negative', 'low']), productName: z.string().nullable(), label: z.string().nullable(), sku: z.string().nullable() });
const alertsSchema = z.object({ locations: z.array(z.object({ location: z.string(), negative: z.array(alertSchema), low: z.array(alertSchema) })) });
export type LocationAlerts = z.infer<typeof alertsSchema>['locations'][number];

const totals = { units: z.number(), value: z.number(), missingCost: z.number() };
const valuationSchema = z.object({
  currency: z.string(),
  locations: z.array(z.string()),
  lines: z.array(z.object({ location: z.string(), categoryId: z.string(), categoryName: z.string(), ...totals })),
  byLocation: z.array(z.object({ location: z.string(), ...totals })),
  byCategory: z.array(z.object({ categoryId: z.string(), categoryName: z.string(), ...totals })),
  total: z.object(totals)
});
export type ValuationView = z.infer<typeof valuationSchema>;

const q = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '').map(([k, v]) => [k, String(v)])).toString();
const tx = (id: string) => `/inventory/transfers/${encodeURIComponent(id)}`;

export const inventoryApi = {
  locations: (token: string) => call('GET', '/inventory/locations', locationsSchema, { token }),
  levels: (token: string, p: { location: string; q?: string; filter?: 'all' | 'attention' | 'in_stock'; page?: number; pageSize?: number }) =>
    call('GET', `/inventory/levels?${q(p)}`, levelsSchema, { token }),
  lookup: (token: string, location: string, code: string) => call('GET', `/inventory/lookup?${q({ location, code })}`, lookupSchema, { token }),
  variants: (token: string, ids: string[]) => call('GET', `/inventory/variants?${q({ ids: ids.join(',') })}`, z.object({ variants: z.array(z.object(variantFields)) }), { token }),
  adjustments: (token: string, location: string, limit = 25) => call('GET', `/inventory/adjustments?${q({ location, limit })}`, adjustmentsSchema, { token }),
  adjust: (token: string, body: AdjustmentInput) => call('POST', '/inventory/adjustments', z.object({ created: z.boolean() }), { token, body }),
  transfers: (token: string, location: string) => call('GET', `/inventory/transfers?${q({ location })}`, transfersSchema, { token }),
  createTransfer: (token: string, body: TransferInput) => call('POST', '/inventory/transfers', z.object({ transfer: transferSchema }), { token, body }),
  ship: (token: string, id: string) => call('POST', `${tx(id)}/ship`, z.object({ transfer: transferSchema }), { token }),
  receive: (token: string, id: string, body: ReceiveInput) => call('POST', `${tx(id)}/receive`, z.object({ transfer: transferSchema }), { token, body }),
  setThresholds: (token: string, body: ThresholdInput) => call('PUT', '/inventory/thresholds', z.object({ cleared: z.array(z.string()) }), { token, body }),
  alerts: (token: string, location?: string) => call('GET', `/inventory/alerts?${q({ location })}`, alertsSchema, { token }),
  valuation: (token: string, location?: string) => call('GET', `/inventory/valuation?${q({ location })}`, valuationSchema, { token }),
  valuationCsv: (token: string, location?: string) => fetchCsv(`/inventory/valuation.csv?${q({ location })}`, token, 'inventory-valuation.csv')
};
