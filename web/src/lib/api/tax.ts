import { z } from 'zod';
import { call } from './client.ts';
import { taxComponentSchema } from '../domain/schemas/tax-table.ts';
import type { TaxComponent } from '../domain/tax/types.ts';

/**
 * Browser calls of Settings → Taxes (docs/API.md "Tax"): a location's tax table edited by hand, and
 * the tax service (TaxJar) connection, rate preview (a diff) and apply.
 */

const enc = encodeURIComponent;

const versionOut = z.object({
  effectiveFrom: z.string().optional(),
  components: z.array(taxComponentSchema),
  inForce: z.boolean(),
  scheduled: z.boolean()
});

export const locationTaxTableSchema = z.object({
  location: z.object({ code: z.string(), name: z.string(), address: z.string(), timeZone: z.string(), currency: z.string(), pricesIncludeTax: z.boolean() }),
  today: z.string(),
  table: z.object({ id: z.string(), name: z.string(), updatedAt: z.string(), versions: z.array(versionOut), sharedWith: z.array(z.string()) }).nullable(),
  singleRate: z.object({ id: z.string(), name: z.string(), ratePpm: z.number(), exemptCategories: z.array(z.string()) }).nullable()
});
export type LocationTaxTable = z.infer<typeof locationTaxTableSchema>;

const savedSchema = z.object({ locationCode: z.string(), table: z.string(), effectiveFrom: z.string().nullable(), changed: z.boolean() });

export const taxConnectionSchema = z.union([
  z.object({ connected: z.literal(false) }),
  z.object({ connected: z.literal(true), provider: z.string(), tokenHint: z.string(), connectedAt: z.string(), updatedAt: z.string() })
]);
export type TaxConnection = z.infer<typeof taxConnectionSchema>;

export interface TaxAddressInput {
  country: string;
  zip: string;
  state?: string;
  city?: string;
  street?: string;
}

const rated = z.object({ id: z.string(), name: z.string(), kind: z.string(), ratePpm: z.number(), percent: z.string() });
const rules = z.record(z.string(), z.unknown());
export const ratePreviewSchema = z.object({
  locationCode: z.string(),
  provider: z.string(),
  resolved: z.record(z.string(), z.string()),
  providerCombinedPpm: z.number(),
  current: z.object({ source: z.string(), effectiveFrom: z.string().nullable() }).nullable(),
  proposal: z.object({ proposalId: z.string(), table: z.string(), effectiveFrom: z.string().optional(), components: z.array(taxComponentSchema) }),
  diff: z.object({
    added: z.array(rated),
    removed: z.array(rated),
    changed: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), fromPpm: z.number(), toPpm: z.number(), from: z.string(), to: z.string() })),
    unchanged: z.array(rated),
    combined: z.object({ fromPpm: z.number(), toPpm: z.number(), from: z.string(), to: z.string() }),
    ruleChanges: z.array(z.object({ id: z.string(), name: z.string(), from: rules.nullable(), to: rules.nullable() })).default([]),
    same: z.boolean()
  })
});
export type RatePreview = z.infer<typeof ratePreviewSchema>;

export const taxApi = {
  table: (token: string, code: string) => call('GET', `/settings/locations/${enc(code)}/tax-table`, locationTaxTableSchema, { token }),
  saveVersion: (token: string, code: string, body: { components: TaxComponent[]; effectiveFrom?: string }) => call('PUT', `/settings/locations/${enc(code)}/tax-table`, savedSchema, { token, body }),
  cancelScheduled: (token: string, code: string, date: string) => call('DELETE', `/settings/locations/${enc(code)}/tax-table/versions/${enc(date)}`, z.object({ cancelled: z.string() }), { token }),

  connection: (token: string) => call('GET', '/integrations/tax/connection', taxConnectionSchema, { token }),
  connect: (token: string, apiToken: string) => call('PUT', '/integrations/tax/connection', taxConnectionSchema, { token, body: { apiToken } }),
  preview: (token: string, code: string, body: { address: TaxAddressInput; effectiveFrom?: string }) => call('POST', `/integrations/tax/locations/${enc(code)}/preview`, ratePreviewSchema, { token, body }),
  apply: (token: string, code: string, body: { address: TaxAddressInput; effectiveFrom?: string; proposalId: string }) =>
    call('POST', `/integrations/tax/locations/${enc(code)}/apply`, savedSchema.extend({ proposalId: z.string() }), { token, body })
};
