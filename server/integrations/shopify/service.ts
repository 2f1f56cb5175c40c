import type { Config } from '../../config.ts';
import type { Couch } from '../../couch/client.ts';
import type { Logger } from '../../log.ts';
import type { SecretBox } from '../secret-box.ts';
import { createShopifyClient, type ShopifyClient } from './client.ts';
import type { TenantWorker } from '../../workers/tenant-worker.ts';
import { StockPusher } from './stock-push.ts';
import { WebhookQueue } from './webhook-queue.ts';
import { IntegrationsStore, secretContext, tokenContext, type ConnectionDoc } from './store.ts';

/**
 * The Shopify integration of one server copy: its store, the secret box, the client factory, the
 * webhook queue worker and the stock pusher (its worker is started with the others: start.ts). Use cases (connection.ts, import.ts, webhooks.ts) take it as their context.
 */
export class ShopifyIntegration {
  readonly store: IntegrationsStore;
  readonly queue: WebhookQueue;
  readonly pusher: StockPusher;
  /** the push worker once started (start.ts); a saved mapping asks it to look at the tenant at once */
  pushWorker: TenantWorker | null = null;

  constructor(
    readonly couch: Couch,
    readonly log: Logger,
    readonly config: Pick<Config, 'SHOPIFY_API_ORIGIN' | 'SHOPIFY_WORKERS' | 'PUBLIC_URL'>,
    /** secrets at rest: the deployment's one box (../store.ts secretBoxOf) */
    readonly box: SecretBox,
    /** tests swap the client (e.g. to count calls); production always builds the official one */
    readonly clientFactory: (shop: string, accessToken: string) => ShopifyClient = (shop, accessToken) =>
      createShopifyClient({ shop, accessToken, ...(config.SHOPIFY_API_ORIGIN ? { apiOrigin: config.SHOPIFY_API_ORIGIN } : {}) })
  ) {
    this.store = new IntegrationsStore(couch);
    this.queue = new WebhookQueue(this, log);
    this.pusher = new StockPusher(this);
  }

  /** The client of a connected store, its token opened from the box. */
  clientOf(c: ConnectionDoc): ShopifyClient {
    if (c.status !== 'connected' || !c.token) throw new Error('not connected');
    return this.clientFactory(c.shop, this.box.open(c.token, tokenContext(c.tenantId)));
  }

  /** The API secret that signs this store's webhooks, or null once disconnected. */
  webhookSecret(c: ConnectionDoc): string | null {
    return c.status === 'connected' && c.apiSecret ? this.box.open(c.apiSecret, secretContext(c.tenantId)) : null;
  }
}
