import { z } from 'zod';
import { ownershipSchema, type MappingInput } from '$lib/domain/shopify/settings';
import { ApiError, call } from './client.ts';

/** Browser calls of Settings → Integrations → Shopify (docs/API.md "Shopify"). */

const scopeSchema = z.object({ scope: z.string(), why: z.string(), granted: z.boolean() });
export const connectionSchema = z.discriminatedUnion('connected', [
  z.object({ connected: z.literal(false) }),
  z.object({
    connected: z.literal(true),
    shop: z.string(),
    shopName: z.string(),
    currencyCode: z.string(),
    scopes: z.array(scopeSchema),
    locations: z.array(z.object({ code: z.string(), shopifyLocationId: z.string().nullable() })),
    orderLocation: z.string().nullable(),
    ownership: ownershipSchema,
    mapped: z.boolean(),
    webhooks: z.array(z.string()),
    connectedAt: z.string(),
    lastWebhookAt: z.string().nullable().optional()
  })
]);
export type ShopifyConnection = z.infer<typeof connectionSchema>;
export type Connected = Extract<ShopifyConnection, { connected: true }>;

const correctionResult = z.object({ changes: z.number(), units: z.number(), notStocked: z.array(z.string()), unlinked: z.array(z.string()), at: z.string() }).nullable();
export const pushStateSchema = z.object({
  code: z.string(),
  shopifyLocationId: z.string(),
  started: z.boolean(),
  backlog: z.number().nullable(),
  inFlight: z.object({ documents: z.number(), changes: z.number(), preparedAt: z.string() }).nullable(),
  lastPushAt: z.string().nullable(),
  lastPush: z.object({ documents: z.number(), changes: z.number(), units: z.number() }).nullable(),
  unlinkedLines: z.number(),
  notStocked: z.number(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  failures: z.number()
});
export type PushState = z.infer<typeof pushStateSchema>;

export const statusSchema = z.object({
  connection: connectionSchema,
  webhooks: z.object({ pending: z.number(), processing: z.number(), done: z.number(), ignored: z.number(), dead: z.number() }).nullable(),
  push: z.array(pushStateSchema).nullable().optional()
});
export type ShopifyStatus = z.infer<typeof statusSchema>;

export const locationsSchema = z.object({ shopify: z.array(z.object({ id: z.string(), name: z.string(), isActive: z.boolean() })), stores: z.array(z.object({ code: z.string(), name: z.string() })) });
export type ShopifyLocations = z.infer<typeof locationsSchema>;

const issueSchema = z.object({ shopifyProductId: z.string(), title: z.string(), message: z.string() });
export type ImportIssue = z.infer<typeof issueSchema>;
export const importCountsSchema = z.object({
  products: z.object({ create: z.number(), update: z.number(), unchanged: z.number(), skipped: z.number() }),
  variants: z.object({ create: z.number(), update: z.number(), unchanged: z.number() }),
  categories: z.object({ create: z.number() }),
  stockLevels: z.number()
});
export type ImportCounts = z.infer<typeof importCountsSchema>;
export const previewSchema = z.object({ counts: importCountsSchema, conflicts: z.array(issueSchema), warnings: z.array(issueSchema) });
export type ImportPreview = z.infer<typeof previewSchema>;
export const jobSchema = z.object({
  status: z.enum(['running', 'done', 'failed']),
  phase: z.string(),
  productsRead: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: importCountsSchema.nullable(),
  written: z.object({ products: z.number(), categories: z.number(), links: z.number(), openings: z.number() }).nullable(),
  conflicts: z.array(issueSchema),
  error: z.string().nullable()
});
export type ImportJob = z.infer<typeof jobSchema>;

export const deadLetterSchema = z.object({ webhookId: z.string(), topic: z.string(), receivedAt: z.string(), failedAt: z.string().nullable(), attempts: z.number(), error: z.string().nullable() });
export type DeadLetter = z.infer<typeof deadLetterSchema>;

export const driftRowSchema = z.object({ locationCode: z.string(), variantId: z.string(), inventoryItemId: z.string(), productId: z.string(), name: z.string(), sku: z.string(), options: z.string(), pos: z.number(), shopify: z.number(), diff: z.number() });
export type DriftRow = z.infer<typeof driftRowSchema>;
export const comparisonSchema = z.object({
  comparedAt: z.string(),
  stores: z.array(z.object({ code: z.string(), name: z.string(), shopifyLocationId: z.string(), shopifyLocationName: z.string(), compared: z.number(), differing: z.number(), pushBehind: z.boolean() })),
  lines: z.array(driftRowSchema),
  truncated: z.boolean()
});
export type Comparison = z.infer<typeof comparisonSchema>;
export const correctionSchema = z.object({ code: z.string(), id: z.string(), variantIds: z.array(z.string()), requestedAt: z.string(), status: z.enum(['pending', 'sending', 'done']), result: correctionResult });
export type Correction = z.infer<typeof correctionSchema>;

/** The scopes a `400 missing_scopes` answer names, or null for any other failure. */
export function missingScopesOf(err: unknown): { scope: string; why: string }[] | null {
  if (!(err instanceof ApiError) || err.code !== 'missing_scopes') return null;
  const parsed = z.object({ missingScopes: z.array(z.object({ scope: z.string(), why: z.string() })) }).safeParse(err.body);
  return parsed.success ? parsed.data.missingScopes : [];
}

const BASE = '/integrations/shopify';
export const shopifyApi = {
  status: (token: string) => call('GET', BASE, statusSchema, { token }),
  connect: (token: string, body: { shop: string; accessToken: string; apiSecret: string }) => call('POST', `${BASE}/connect`, z.object({ connection: connectionSchema }), { token, body }),
  locations: (token: string) => call('GET', `${BASE}/locations`, locationsSchema, { token }),
  saveMapping: (token: string, body: MappingInput) => call('PUT', `${BASE}/mapping`, z.object({ connection: connectionSchema }), { token, body }),
  preview: (token: string) => call('POST', `${BASE}/import/preview`, previewSchema, { token }),
  startImport: (token: string) => call('POST', `${BASE}/import`, z.object({ job: jobSchema }), { token }),
  importJob: (token: string) => call('GET', `${BASE}/import`, z.object({ job: jobSchema.nullable() }), { token }),
  deadLetters: (token: string) => call('GET', `${BASE}/webhooks/dead`, z.object({ dead: z.array(deadLetterSchema) }), { token }),
  retry: (token: string, webhookId: string) => call('POST', `${BASE}/webhooks/dead/${encodeURIComponent(webhookId)}/retry`, z.object({ webhook: deadLetterSchema.extend({ status: z.string() }) }), { token }),
  reconcile: (token: string) => call('GET', `${BASE}/reconcile`, z.object({ comparison: comparisonSchema.nullable(), corrections: z.array(correctionSchema) }), { token }),
  compare: (token: string) => call('POST', `${BASE}/reconcile/compare`, comparisonSchema, { token }),
  pushStock: (token: string, requestId: string, lines: { code: string; variantId: string }[]) =>
    call('POST', `${BASE}/reconcile/push`, z.object({ requestId: z.string(), stores: z.array(z.string()) }), { token, body: { requestId, lines } }),
  disconnect: (token: string) => call('DELETE', BASE, z.object({ webhooksRemoved: z.number() }), { token })
};
