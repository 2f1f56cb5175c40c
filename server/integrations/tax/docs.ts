import { z } from 'zod';
import { TENANT_ID_PATTERN } from '#domain/db-names.ts';

/** The tax integration's stored shapes (integrations database); ids carry the tenant. */
export const taxConnectionId = (tenantId: string) => `tax_connection:${tenantId}`;

export const taxConnectionDoc = z
  .object({
    _id: z.string(),
    _rev: z.string().optional(),
    type: z.literal('tax_connection'),
    tenantId: z.string().regex(TENANT_ID_PATTERN),
    provider: z.literal('taxjar'),
    /** sealed (secret-box.ts) under `taxjar:{tenant}:apiToken` */
    apiToken: z.string(),
    /** what the admin sees instead of the token */
    tokenHint: z.string(),
    connectedAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string()
  })
  .strict();
export type TaxConnectionDoc = z.infer<typeof taxConnectionDoc>;
