import { z } from 'zod';
import { call } from './client.ts';
import { API_KEY_SCOPES, type ApiKeyScope } from '../domain/api-keys.ts';
import type { SettingsUpdate, TaxRateInput } from '../domain/tenant-settings.ts';

/** Browser calls of the admin Settings section and the alerts (docs/API.md "Settings", "Alerts"). */

export const settingsLocationSchema = z.object({
  code: z.string(),
  name: z.string(),
  address: z.string(),
  timeZone: z.string(),
  currency: z.string(),
  /** the location's own locale, null: its currency's default (effectiveLocale) */
  locale: z.string().nullable().default(null),
  effectiveLocale: z.string().default('en-US'),
  taxRateId: z.string().nullable(),
  /** the location's jurisdiction tax table, used instead of the rate when set */
  taxTableId: z.string().nullable().default(null),
  pricesIncludeTax: z.boolean()
});
export type SettingsLocation = z.infer<typeof settingsLocationSchema>;
export interface LocationFields {
  code: string;
  name: string;
  address: string;
  timeZone: string;
  currency: string;
  locale?: string;
}
export type LocationPatch = Partial<Omit<LocationFields, 'code' | 'locale'> & { taxRateId: string | null; taxTableId: string | null; pricesIncludeTax: boolean; locale: string | null }>;

export const deviceSchema = z.object({
  id: z.string(),
  kind: z.enum(['register', 'rfid_phone']),
  name: z.string(),
  locationCode: z.string(),
  enrolledAt: z.string(),
  revokedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  lastSyncAt: z.string().nullable()
});
export type Device = z.infer<typeof deviceSchema>;

export const enrolmentCodeSchema = z.object({
  code: z.string(),
  expiresAt: z.string(),
  qrPayload: z.string(),
  /** the absolute enrolment URL (the origin this admin used) and its QR code, made by the server */
  qrUrl: z.string(),
  qrSvg: z.string(),
  kind: z.enum(['register', 'rfid_phone']),
  locationCode: z.string(),
  name: z.string()
});
export type EnrolmentCode = z.infer<typeof enrolmentCodeSchema>;

export const taxRateSchema = z.object({
  id: z.string(),
  name: z.string(),
  ratePpm: z.number(),
  exemptCategories: z.array(z.string()),
  locations: z.array(z.string()),
  updatedAt: z.string()
});
export type TaxRate = z.infer<typeof taxRateSchema>;

export const tenantSettingsSchema = z.object({
  receiptHeader: z.string(),
  receiptFooter: z.string(),
  payments: z.object({ cash: z.boolean(), card: z.enum(['terminal', 'stripe', 'off']), storeCredit: z.boolean(), giftCard: z.boolean() }),
  cashRounding: z.number(),
  cashierDiscountLimitBp: z.number(),
  offlineBalanceLimit: z.number(),
  blindCashCount: z.boolean().default(false),
  taxRounding: z.enum(['line', 'invoice']),
  roundingMode: z.enum(['half_up', 'half_even']),
  gs1CompanyPrefixes: z.array(z.string()).default([]),
  updatedAt: z.string()
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

const limit = z.number().nullable();
export const planUsageSchema = z.object({
  plan: z.object({
    id: z.string(),
    name: z.string(),
    priceMonthly: z.number(),
    currency: z.string(),
    limits: z.object({ stores: limit, registers: limit }),
    features: z.object({ apiKeys: z.boolean() })
  }),
  usage: z.object({ stores: z.number(), registers: z.number(), apiKeys: z.number() })
});
export type PlanUsage = z.infer<typeof planUsageSchema>;

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  hint: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable()
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const auditEventSchema = z.object({
  id: z.string(),
  action: z.string(),
  actor: z.string(),
  actorName: z.string().nullable(),
  approvedBy: z.string().nullable(),
  approvedByName: z.string().nullable(),
  deviceId: z.string().nullable(),
  deviceName: z.string().nullable(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string()
});
export type AuditEvent = z.infer<typeof auditEventSchema>;
export interface AuditFilter {
  action?: string;
  user?: string;
  device?: string;
  from?: string;
  to?: string;
}

export const alertSchema = z.object({
  id: z.string(),
  kind: z.string(),
  severity: z.enum(['critical', 'warning']),
  locationCode: z.string().nullable(),
  message: z.string(),
  since: z.string().nullable(),
  href: z.string().optional()
});
export type AlertItem = z.infer<typeof alertSchema>;

const enc = encodeURIComponent;
function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const settingsApi = {
  locations: (token: string) => call('GET', '/settings/locations', z.object({ locations: z.array(settingsLocationSchema) }), { token }),
  addLocation: (token: string, body: LocationFields) => call('POST', '/locations', z.object({ location: z.object({ code: z.string() }) }), { token, body }),
  updateLocation: (token: string, code: string, body: LocationPatch) => call('PATCH', `/locations/${enc(code)}`, z.object({ location: settingsLocationSchema }), { token, body }),

  devices: (token: string) => call('GET', '/devices', z.object({ devices: z.array(deviceSchema) }), { token }),
  enrolmentCode: (token: string, body: { kind: 'register' | 'rfid_phone'; locationCode: string; name: string }) => call('POST', '/devices/enrolment-codes', enrolmentCodeSchema, { token, body }),
  renameDevice: (token: string, id: string, name: string) => call('PATCH', `/devices/${enc(id)}`, null, { token, body: { name } }),
  revokeDevice: (token: string, id: string) => call('DELETE', `/devices/${enc(id)}`, null, { token }),

  taxRates: (token: string, location?: string) => call('GET', `/settings/tax-rates${query({ location })}`, z.object({ taxRates: z.array(taxRateSchema) }), { token }),
  createTaxRate: (token: string, body: TaxRateInput) => call('POST', '/settings/tax-rates', z.object({ taxRate: taxRateSchema }), { token, body }),
  updateTaxRate: (token: string, id: string, body: TaxRateInput) => call('PUT', `/settings/tax-rates/${enc(id)}`, z.object({ taxRate: taxRateSchema }), { token, body }),
  deleteTaxRate: (token: string, id: string) => call('DELETE', `/settings/tax-rates/${enc(id)}`, null, { token }),

  settings: (token: string) => call('GET', '/settings', z.object({ settings: tenantSettingsSchema }), { token }),
  updateSettings: (token: string, body: SettingsUpdate) => call('PATCH', '/settings', z.object({ settings: tenantSettingsSchema }), { token, body }),

  plan: (token: string) => call('GET', '/settings/plan', planUsageSchema, { token }),
  apiKeys: (token: string) => call('GET', '/api-keys', z.object({ apiKeys: z.array(apiKeySchema) }), { token }),
  createApiKey: (token: string, body: { name: string; scopes: ApiKeyScope[] }) => call('POST', '/api-keys', z.object({ token: z.string(), apiKey: apiKeySchema }), { token, body }),
  revokeApiKey: (token: string, id: string) => call('DELETE', `/api-keys/${enc(id)}`, null, { token }),

  audit: (token: string, filter: AuditFilter, cursor: string | null, limit = 50) =>
    call('GET', `/audit${query({ ...filter, cursor: cursor ?? undefined, limit })}`, z.object({ events: z.array(auditEventSchema), nextCursor: z.string().nullable() }), { token }),

  alerts: (token: string) => call('GET', '/alerts', z.object({ alerts: z.array(alertSchema), generatedAt: z.string() }), { token })
};
