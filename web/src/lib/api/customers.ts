import { z } from 'zod';
import { call } from './client.ts';
import type { AdjustmentInput, IssueGiftCardInput, LoyaltyRules, ProfileInput } from '../domain/customers.ts';

/** The admin portal's calls to `/api/v1/customers` (docs/API.md, "Customers"), with checked answers. */

const summarySchema = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  tags: z.array(z.string()),
  mergedInto: z.string().nullable()
});
export type CustomerSummary = z.infer<typeof summarySchema>;

const searchSchema = z.object({ customers: z.array(summarySchema), total: z.number(), page: z.number(), pageSize: z.number() });
export type CustomerSearch = z.infer<typeof searchSchema>;

const addressSchema = z.object({ label: z.string(), line1: z.string(), line2: z.string(), city: z.string(), region: z.string(), postalCode: z.string(), country: z.string() });
export type Address = z.infer<typeof addressSchema>;

const customerDocSchema = z.object({
  _id: z.string(),
  _rev: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().optional(),
  phone: z.string().optional(),
  tags: z.array(z.string()),
  addresses: z.array(addressSchema).optional(),
  mergedInto: z.string().optional(),
  group: z.string().optional(),
  taxExemption: z.object({ certificateNo: z.string(), expiresOn: z.string(), jurisdictions: z.array(z.string()).optional() }).optional(),
  updatedAt: z.string()
});
export type CustomerProfileDoc = z.infer<typeof customerDocSchema>;

const rulesSchema = z.object({ pointsPerUnit: z.number(), pointsPerRedeemUnit: z.number() });

const profileSchema = z.object({
  customer: customerDocSchema,
  currency: z.string(),
  balances: z.object({ loyalty: z.number(), store_credit: z.number(), loyaltyValue: z.number() }),
  loyaltyRules: rulesSchema,
  giftCards: z.array(z.object({ number: z.string(), customerId: z.string(), issuedAt: z.string(), balance: z.number() })),
  mergedFrom: z.array(summarySchema)
});
export type CustomerProfile = z.infer<typeof profileSchema>;

const entrySchema = z.object({
  _id: z.string(),
  account: z.string(),
  holder: z.string(),
  amount: z.number(),
  reason: z.string(),
  ref: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  /** the staff member's name when known */
  byName: z.string(),
  balance: z.number()
});
export type LedgerRow = z.infer<typeof entrySchema>;

const ledgerSchema = z.object({ account: z.string(), holder: z.string(), balance: z.number(), entries: z.array(entrySchema) });
export type CustomerLedger = z.infer<typeof ledgerSchema>;

const purchasesSchema = z.object({
  locations: z.array(z.string()),
  purchases: z.array(
    z.object({
      saleId: z.string(),
      location: z.string(),
      customerId: z.string(),
      createdAt: z.string(),
      kind: z.string(),
      total: z.number(),
      units: z.number(),
      registerId: z.string(),
      voided: z.object({ id: z.string(), at: z.string(), reason: z.string() }).nullable()
    })
  ),
  total: z.number(),
  page: z.number(),
  pageSize: z.number()
});
export type Purchases = z.infer<typeof purchasesSchema>;

const giftCardSchema = z.object({
  number: z.string(),
  currency: z.string(),
  balance: z.number(),
  customerId: z.string().nullable(),
  customerName: z.string().nullable(),
  issuedAt: z.string().nullable(),
  issuedValue: z.number().nullable(),
  entries: z.array(entrySchema),
  created: z.boolean().optional()
});
export type GiftCard = z.infer<typeof giftCardSchema>;

const adjustmentSchema = z.object({ created: z.boolean(), balance: z.number(), entry: z.object({ _id: z.string(), amount: z.number() }) });

const planSchema = z.object({
  before: z.object({ keep: z.object({ loyalty: z.number(), store_credit: z.number() }), duplicate: z.object({ loyalty: z.number(), store_credit: z.number() }) }),
  after: z.object({ loyalty: z.number(), store_credit: z.number() }),
  entries: z.array(z.object({ _id: z.string(), account: z.string(), holder: z.string(), amount: z.number() })),
  alreadyMerged: z.boolean()
});
const mergeSchema = z.object({ keep: summarySchema, duplicate: summarySchema, plan: planSchema, written: z.number().optional(), changed: z.boolean().optional() });
export type MergeResult = z.infer<typeof mergeSchema>;

const rulesAnswer = z.object({ rules: rulesSchema, currency: z.string(), mayEdit: z.boolean() });
export type LoyaltyRulesAnswer = z.infer<typeof rulesAnswer>;

const enc = encodeURIComponent;

export const customersApi = {
  search: (token: string, q: { q: string; page: number; pageSize: number; includeMerged?: boolean }) =>
    call('GET', `/customers?q=${enc(q.q)}&page=${q.page}&pageSize=${q.pageSize}${q.includeMerged ? '&includeMerged=true' : ''}`, searchSchema, { token }),
  profile: (token: string, id: string) => call('GET', `/customers/${enc(id)}`, profileSchema, { token }),
  update: (token: string, id: string, body: ProfileInput) => call('PATCH', `/customers/${enc(id)}`, z.object({ customer: customerDocSchema }), { token, body }),
  ledger: (token: string, id: string, account: 'loyalty' | 'store_credit') => call('GET', `/customers/${enc(id)}/ledger?account=${account}`, ledgerSchema, { token }),
  purchases: (token: string, id: string, page: number, pageSize = 20) => call('GET', `/customers/${enc(id)}/purchases?page=${page}&pageSize=${pageSize}`, purchasesSchema, { token }),
  adjust: (token: string, body: AdjustmentInput) => call('POST', '/customers/adjustments', adjustmentSchema, { token, body }),
  issueGiftCard: (token: string, body: IssueGiftCardInput) => call('POST', '/customers/gift-cards', giftCardSchema, { token, body }),
  giftCard: (token: string, number: string) => call('GET', `/customers/gift-cards/${enc(number)}`, giftCardSchema, { token }),
  previewMerge: (token: string, keep: string, duplicate: string) => call('POST', '/customers/merge/preview', mergeSchema, { token, body: { keep, duplicate } }),
  merge: (token: string, keep: string, duplicate: string) => call('POST', '/customers/merge', mergeSchema, { token, body: { keep, duplicate } }),
  loyaltyRules: (token: string) => call('GET', '/customers/loyalty-rules', rulesAnswer, { token }),
  setLoyaltyRules: (token: string, rules: LoyaltyRules) => call('PUT', '/customers/loyalty-rules', rulesAnswer, { token, body: rules })
};
