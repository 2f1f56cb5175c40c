import type { z } from 'zod';
import { categorySchema, locationSchema, productSchema, registerSchema, settingsSchema, staffSchema, taxRateSchema } from './catalog.ts';
import { customerSchema, ledgerEntrySchema } from './customers.ts';
import { stockThresholdSchema, transferSchema } from './inventory.ts';
import { countScanSchema, countSessionSchema } from './counts.ts';
import { purchaseOrderSchema, supplierSchema } from './purchasing.ts';
import { priceRuleSchema } from './pricing.ts';
import {
  cashMovementSchema,
  layawayCloseSchema,
  layawayPaymentSchema,
  layawaySchema,
  outboxSchema,
  parkedSaleSchema,
  paymentVoidSchema,
  saleSchema,
  shiftCloseSchema,
  shiftSchema,
  stockMovementSchema,
  voidSchema
} from './location.ts';
import { timeEntrySchema } from './time.ts';
import { taxTableSchema } from './tax-table.ts';

export * from './catalog.ts';
export * from './customers.ts';
export * from './inventory.ts';
export * from './counts.ts';
export * from './purchasing.ts';
export * from './location.ts';
export * from './time.ts';
export * from './pricing.ts';
export * from './tax-table.ts';

/** Every document type the platform stores in tenant databases, by its `type` field. */
export const DOC_SCHEMAS = {
  category: categorySchema,
  product: productSchema,
  price_rule: priceRuleSchema,
  tax_rate: taxRateSchema,
  tax_table: taxTableSchema,
  location: locationSchema,
  register: registerSchema,
  staff: staffSchema,
  settings: settingsSchema,
  sale: saleSchema,
  stock_movement: stockMovementSchema,
  transfer: transferSchema,
  stock_threshold: stockThresholdSchema,
  count_session: countSessionSchema,
  count_scan: countScanSchema,
  supplier: supplierSchema,
  purchase_order: purchaseOrderSchema,
  void: voidSchema,
  payment_void: paymentVoidSchema,
  shift: shiftSchema,
  shift_close: shiftCloseSchema,
  cash_movement: cashMovementSchema,
  parked_sale: parkedSaleSchema,
  layaway: layawaySchema,
  layaway_payment: layawayPaymentSchema,
  layaway_close: layawayCloseSchema,
  outbox: outboxSchema,
  time_entry: timeEntrySchema,
  customer: customerSchema,
  ledger_entry: ledgerEntrySchema
} as const satisfies Record<string, z.ZodType>;

export type DocType = keyof typeof DOC_SCHEMAS;
export const DOC_TYPES = Object.keys(DOC_SCHEMAS) as DocType[];

/** `_id` prefix (before the first ':') → type; lets a deletion stub (no body) be typed too. */
export const ID_PREFIX_TYPE: Readonly<Record<string, DocType>> = {
  category: 'category',
  product: 'product',
  price_rule: 'price_rule',
  tax_rate: 'tax_rate',
  tax_table: 'tax_table',
  location: 'location',
  register: 'register',
  staff: 'staff',
  settings: 'settings',
  sale: 'sale',
  movement: 'stock_movement',
  transfer: 'transfer',
  threshold: 'stock_threshold',
  count: 'count_session',
  count_scan: 'count_scan',
  supplier: 'supplier',
  po: 'purchase_order',
  void: 'void',
  payment_void: 'payment_void',
  shift: 'shift',
  shift_close: 'shift_close',
  cash: 'cash_movement',
  parked: 'parked_sale',
  layaway: 'layaway',
  layaway_payment: 'layaway_payment',
  layaway_close: 'layaway_close',
  outbox: 'outbox',
  time_entry: 'time_entry',
  customer: 'customer',
  ledger: 'ledger_entry'
};

export function docTypeOfId(id: string): DocType | null {
  const prefix = id.split(':', 1)[0] ?? '';
  return ID_PREFIX_TYPE[prefix] ?? null;
}

export type DocOf<T extends DocType> = z.infer<(typeof DOC_SCHEMAS)[T]>;

/** The register's documents by name (one definition; domain and register code import these). */
export type SaleDoc = DocOf<'sale'>;
export type VoidDoc = DocOf<'void'>;
export type PaymentVoidDoc = DocOf<'payment_void'>;
export type ShiftDoc = DocOf<'shift'>;
export type ShiftCloseDoc = DocOf<'shift_close'>;
export type CashMovementDoc = DocOf<'cash_movement'>;
export type ParkedSaleDoc = DocOf<'parked_sale'>;
export type LayawayDoc = DocOf<'layaway'>;
export type LayawayPaymentDoc = DocOf<'layaway_payment'>;
export type LayawayCloseDoc = DocOf<'layaway_close'>;
export type OutboxDoc = DocOf<'outbox'>;
export type TimeEntryDoc = DocOf<'time_entry'>;

/** Formats zod issues as `path: message; …` so an error names the field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(document)'}: ${i.message}`)
    .join('; ');
}
export * from './text.ts';
