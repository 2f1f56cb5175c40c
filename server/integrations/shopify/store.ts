import { z } from 'zod';
import { INTEGRATIONS_DB } from '#domain/db-names.ts';
import { connectionId, ownershipSchema, shopClaimId } from '#domain/shopify/index.ts';
import { statusOf, type Couch, type Db } from '../../couch/client.ts';
import { integrationsDb } from '../store.ts';

/**
 * The Shopify integration's documents in the server-only `integrations` database (never replicated,
 * no gateway route): the connection per tenant (`shopify:{tenant}`, token and webhook secret sealed),
 * the shop claim (`shopify_shop:{shop}` → tenant: one tenant per shop, and how a webhook finds its
 * tenant), product links, the import job and the webhook queue. The database is created on first use,
 * so a deployment without integrations has none.
 */
export const connectionSchema = z.looseObject({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal('shopify_connection'),
  tenantId: z.string(),
  status: z.enum(['connected', 'disconnected']),
  shop: z.string(),
  shopName: z.string(),
  currencyCode: z.string(),
  scopes: z.array(z.string()),
  /** SecretBox values bound to `shopify:{tenant}:token` / `:secret`; absent once disconnected */
  token: z.string().optional(),
  apiSecret: z.string().optional(),
  locations: z.array(z.object({ code: z.string(), shopifyLocationId: z.string().nullable() })),
  orderLocation: z.string().nullable(),
  ownership: ownershipSchema,
  /** the mapping was saved by an admin (the import needs it) */
  mapped: z.boolean(),
  webhooks: z.array(z.object({ topic: z.string(), id: z.string() })),
  webhookUri: z.string().nullable(),
  connectedAt: z.string(),
  connectedBy: z.string(),
  updatedAt: z.string()
});
export type ConnectionDoc = z.infer<typeof connectionSchema>;

export const shopClaimSchema = z.looseObject({ _id: z.string(), _rev: z.string().optional(), type: z.literal('shopify_shop'), shop: z.string(), tenantId: z.string(), claimedAt: z.string() });
export type ShopClaimDoc = z.infer<typeof shopClaimSchema>;

export const tokenContext = (tenantId: string) => `shopify:${tenantId}:token`;
export const secretContext = (tenantId: string) => `shopify:${tenantId}:secret`;

export class IntegrationsStore {
  constructor(private readonly couch: Couch) {}

  /** The database, created (locked to the service account, views deployed) on first use (../store.ts). */
  db(): Promise<Db> {
    return integrationsDb(this.couch);
  }

  /** A document by id, or null (also when the database was never created). */
  async get<T>(id: string, parse: (raw: unknown) => T): Promise<T | null> {
    try {
      return parse(await this.couch.use(INTEGRATIONS_DB).get(id));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  connection(tenantId: string): Promise<ConnectionDoc | null> {
    return this.get(connectionId(tenantId), (d) => connectionSchema.parse(d));
  }

  shopClaim(shop: string): Promise<ShopClaimDoc | null> {
    return this.get(shopClaimId(shop), (d) => shopClaimSchema.parse(d));
  }
}
