import type { ApiKeyRegistry } from './auth/api-keys.ts';
import type { TokenService } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Couch } from './couch/client.ts';
import type { Logger } from './log.ts';
import type { DeviceRegistry } from './platform/devices.ts';
import type { SessionRegistry } from './auth/sessions.ts';
import type { StaffDirectory } from './gateway/staff-directory.ts';
import type { CatalogSnapshots } from './sync/catalog-snapshot.ts';
import type { Notify } from './notify/service.ts';
import type { Metrics } from './metrics/registry.ts';
import type { DesignDocUpgrades } from './couch/ddoc-upgrade.ts';
import type { ShopifyIntegration } from './integrations/shopify/service.ts';

/** What the HTTP layer hands to use cases. Stateless: nothing here holds per-user state. */
export interface Ctx {
  config: Config;
  couch: Couch;
  tokens: TokenService;
  devices: DeviceRegistry;
  /** people's sessions (lock, role change, sign-out…), cached briefly like device revocation */
  sessions: SessionRegistry;
  /** API keys (Enterprise), cached briefly like device revocation */
  apiKeys: ApiKeyRegistry;
  snapshots: CatalogSnapshots;
  /** tenant staff, cached briefly, for checking manager approvals on written documents */
  staff: StaffDirectory;
  /** email and SMS: the outbox worker and the Messages use cases */
  notify: Notify;
  /** this server copy's Prometheus registry (server/metrics) */
  metrics: Metrics;
  /** this copy's background design-document upgrade (counts shown on /readyz) */
  designDocs: DesignDocUpgrades;
  /** the Shopify integration: connection, import, webhook queue (server/integrations/shopify) */
  shopify: ShopifyIntegration;
  log: Logger;
}
