import { catalogDb } from '#domain/db-names.ts';
import { REQUIRED_SCOPES, connectInput, connectionId, mappingInput, missingScopes, shopClaimId, type WebhookTopic } from '#domain/shopify/index.ts';
import { graphqlTopic } from '#domain/shopify/index.ts';
import { recordAudit } from '../../audit.ts';
import { authorize, principalId, type Caller } from '../../auth/principal.ts';
import { casPut } from '../../couch/cas.ts';
import { listPrefix, statusOf } from '../../couch/client.ts';
import { AppError, badRequest, conflict, forbidden, notFound, parseBody } from '../../errors.ts';
import { insertOnce } from '../../inventory/store.ts';
import { ShopifyApiError, type ShopifyClient, type ShopifyLocation } from './client.ts';
import type { ShopifyIntegration } from './service.ts';
import { secretContext, tokenContext, type ConnectionDoc, type ShopClaimDoc } from './store.ts';

/**
 * Connecting a Shopify store (custom app: shop domain, Admin API access token, API secret key),
 * mapping its locations to the tenant's stores and choosing who owns product data, disconnecting.
 * Owners and admins only (settings:manage), checked here whoever calls.
 */

/** Topics this release subscribes to and processes (webhooks.ts); the others come with later work. */
export const SUBSCRIBED_TOPICS: readonly WebhookTopic[] = ['inventory_levels/update', 'orders/create', 'orders/cancelled', 'refunds/create', 'products/update'];
export const WEBHOOK_PATH = '/api/v1/integrations/shopify/webhooks';

/** The caller as a signed-in owner or admin (settings:manage), else 403: every Shopify use case starts here. */
export function shopifyAdmin(caller: Caller, action: string) {
  const p = authorize(caller.principal, 'settings:manage', action);
  if (p.kind !== 'user') throw forbidden(`${action} needs a signed-in admin`);
  return p;
}

/** A Shopify failure as a 4xx a person can act on (never a 5xx: the fault is on the other side). */
export function shopifyProblem(err: unknown): never {
  if (err instanceof ShopifyApiError) {
    if (err.kind === 'auth') throw new AppError(400, 'shopify_auth', err.message);
    if (err.kind === 'throttled') throw new AppError(429, 'shopify_throttled', err.message);
    throw new AppError(424, 'shopify_error', err.message);
  }
  if (err instanceof TypeError) throw new AppError(424, 'shopify_unreachable', 'Shopify could not be reached; try again');
  throw err;
}

async function callShopify<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    shopifyProblem(err);
  }
}

export function publicConnection(c: ConnectionDoc | null) {
  if (!c || c.status !== 'connected') return { connected: false as const };
  return {
    connected: true as const,
    shop: c.shop,
    shopName: c.shopName,
    currencyCode: c.currencyCode,
    scopes: REQUIRED_SCOPES.map((s) => ({ scope: s.scope, why: s.why, granted: !missingScopes(c.scopes).includes(s.scope) })),
    locations: c.locations,
    orderLocation: c.orderLocation,
    ownership: c.ownership,
    mapped: c.mapped,
    webhooks: c.webhooks.map((w) => w.topic),
    connectedAt: c.connectedAt
  };
}

async function saveConnection(sh: ShopifyIntegration, doc: ConnectionDoc): Promise<ConnectionDoc> {
  const db = await sh.store.db();
  const res = await casPut(db, doc);
  if (!res.ok) throw conflict('The Shopify connection was changed by another request; reload and try again');
  return { ...doc, _rev: res.rev };
}

async function connected(sh: ShopifyIntegration, tenantId: string): Promise<ConnectionDoc> {
  const c = await sh.store.connection(tenantId);
  if (!c || c.status !== 'connected') throw notFound('No Shopify store is connected');
  return c;
}

/** Replaces our subscriptions on the shop (those at `uri` from an earlier connection included). */
async function subscribe(client: ShopifyClient, uri: string): Promise<{ topic: string; id: string }[]> {
  for (const w of await client.webhooks()) if (w.uri === uri) await client.deleteWebhook(w.id);
  const out: { topic: string; id: string }[] = [];
  for (const topic of SUBSCRIBED_TOPICS) out.push({ topic, id: await client.createWebhook(graphqlTopic(topic), uri) });
  return out;
}

export async function connectShopify(sh: ShopifyIntegration, caller: Caller, raw: unknown, opts: { publicUrl: string }) {
  const p = shopifyAdmin(caller, 'Connecting Shopify');
  const input = parseBody(connectInput, raw);
  const existing = await sh.store.connection(p.tenantId);
  if (existing?.status === 'connected' && existing.shop !== input.shop) throw conflict(`${existing.shop} is connected; disconnect it before connecting another store`);
  const claim = await sh.store.shopClaim(input.shop);
  if (claim && claim.tenantId !== p.tenantId) throw conflict(`${input.shop} is already connected to another account`);

  const client = sh.clientFactory(input.shop, input.accessToken);
  const info = await callShopify(() => client.shopInfo());
  if (info.domain !== input.shop) throw badRequest(`accessToken: belongs to ${info.domain}, not ${input.shop}`);
  const missing = missingScopes(info.scopes);
  if (missing.length) {
    throw new AppError(400, 'missing_scopes', `The app lacks the access scopes ${missing.join(', ')}: add them in the app's Admin API configuration, reinstall it and paste the new token`, {
      missingScopes: REQUIRED_SCOPES.filter((s) => missing.includes(s.scope))
    });
  }
  const shopLocations = await callShopify(() => client.locations());

  const db = await sh.store.db();
  const now = new Date().toISOString();
  const claimDoc: ShopClaimDoc = { _id: shopClaimId(input.shop), type: 'shopify_shop', shop: input.shop, tenantId: p.tenantId, claimedAt: now };
  await insertOnce(db, claimDoc, (stored) => stored.tenantId === p.tenantId, 'Shopify shop');

  const uri = `${opts.publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  const webhooks = await callShopify(() => subscribe(client, uri));
  const doc: ConnectionDoc = {
    _id: connectionId(p.tenantId),
    ...(existing?._rev ? { _rev: existing._rev } : {}),
    type: 'shopify_connection',
    tenantId: p.tenantId,
    status: 'connected',
    shop: input.shop,
    shopName: info.name,
    currencyCode: info.currencyCode,
    scopes: info.scopes,
    token: sh.box.seal(input.accessToken, tokenContext(p.tenantId)),
    apiSecret: sh.box.seal(input.apiSecret, secretContext(p.tenantId)),
    // a reconnection keeps the mapping and ownership chosen before
    locations: existing?.locations ?? [],
    orderLocation: existing?.orderLocation ?? null,
    ownership: existing?.ownership ?? { mode: 'shopify' },
    mapped: existing?.mapped ?? false,
    webhooks,
    webhookUri: uri,
    connectedAt: now,
    connectedBy: principalId(p),
    updatedAt: now
  };
  const saved = await saveConnection(sh, doc);
  // connected again with a mapping kept: the push starts anew from now (stock-push.ts)
  await sh.pusher.startCursors(saved);
  await recordAudit(sh.couch, p.tenantId, { action: 'shopify.connected', actor: principalId(p), target: input.shop, details: { scopes: info.scopes, webhooks: webhooks.map((w) => w.topic) } });
  return { connection: publicConnection(saved), shopifyLocations: shopLocations };
}

export async function shopifyStatus(sh: ShopifyIntegration, caller: Caller) {
  const p = shopifyAdmin(caller, 'Reading the Shopify connection');
  const c = await sh.store.connection(p.tenantId);
  if (!c) return { connection: publicConnection(null), webhooks: null };
  const db = await sh.store.db();
  // the queue's views: the newest delivery received, and deliveries per status (dead letters included)
  const [last, byStatus] = await Promise.all([
    db.view('queue', 'by_tenant', { startkey: [p.tenantId, {}], endkey: [p.tenantId], descending: true, limit: 1 }),
    db.view('queue', 'status', { startkey: [p.tenantId], endkey: [p.tenantId, {}], group: true })
  ]);
  const counts: Record<string, number> = { pending: 0, processing: 0, done: 0, ignored: 0, dead: 0 };
  for (const row of byStatus.rows) counts[(row.key as unknown as [string, string])[1]] = row.value as number;
  const lastWebhookAt = (last.rows[0]?.key as unknown as [string, string] | undefined)?.[1] ?? null;
  const push = c.status === 'connected' ? await sh.pusher.status(c) : null;
  return { connection: { ...publicConnection(c), ...(c.status === 'connected' ? { lastWebhookAt } : {}) }, webhooks: counts, push };
}

/** The shop's active locations, read live, next to the tenant's stores. */
export async function shopifyLocations(sh: ShopifyIntegration, caller: Caller): Promise<{ shopify: ShopifyLocation[]; stores: { code: string; name: string }[] }> {
  const p = shopifyAdmin(caller, 'Listing Shopify locations');
  const c = await connected(sh, p.tenantId);
  const [shopify, stores] = await Promise.all([callShopify(() => sh.clientOf(c).locations()), tenantStores(sh, p.tenantId)]);
  return { shopify, stores };
}

async function tenantStores(sh: ShopifyIntegration, tenantId: string) {
  const docs = await listPrefix<{ code: string; name: string }>(sh.couch.use(catalogDb(tenantId)), 'location:');
  return docs.map((d) => ({ code: d.code, name: d.name }));
}

export async function saveShopifyMapping(sh: ShopifyIntegration, caller: Caller, raw: unknown) {
  const p = shopifyAdmin(caller, 'Mapping Shopify locations');
  const input = parseBody(mappingInput, raw);
  const c = await connected(sh, p.tenantId);
  const stores = new Set((await tenantStores(sh, p.tenantId)).map((s) => s.code));
  input.locations.forEach((l, i) => {
    if (!stores.has(l.code)) throw badRequest(`locations.${i}.code: ${l.code} is not one of your stores`);
  });
  const shopify = new Set((await callShopify(() => sh.clientOf(c).locations())).map((l) => l.id));
  input.locations.forEach((l, i) => {
    if (l.shopifyLocationId && !shopify.has(l.shopifyLocationId)) throw badRequest(`locations.${i}.shopifyLocationId: ${l.shopifyLocationId} is not an active location of ${c.shop}`);
  });
  const saved = await saveConnection(sh, { ...c, locations: input.locations, orderLocation: input.orderLocation, ownership: input.ownership, mapped: true, updatedAt: new Date().toISOString() });
  // the stock push of each mapped store starts here: sales from now on go to Shopify (stock-push.ts)
  await sh.pusher.startCursors(saved);
  sh.pushWorker?.enqueue(p.tenantId);
  await recordAudit(sh.couch, p.tenantId, { action: 'shopify.mapping_saved', actor: principalId(p), target: c.shop, details: { locations: input.locations, orderLocation: input.orderLocation, ownership: input.ownership } });
  return { connection: publicConnection(saved) };
}

/**
 * Removes the webhook subscriptions (when Shopify still accepts the token: a revoked token has taken
 * them with it), forgets the token and secret and releases the shop. Product links stay, so connecting
 * the store again re-links the same products.
 */
export async function disconnectShopify(sh: ShopifyIntegration, caller: Caller) {
  const p = shopifyAdmin(caller, 'Disconnecting Shopify');
  const c = await connected(sh, p.tenantId);
  let removed = 0;
  try {
    const client = sh.clientOf(c);
    for (const w of c.webhooks) {
      await client.deleteWebhook(w.id);
      removed++;
    }
  } catch (err) {
    if (!(err instanceof ShopifyApiError)) throw err;
    sh.log.warn({ err: err.message, tenant: p.tenantId }, 'shopify: webhook subscriptions not removed at disconnect');
  }
  const { token: _t, apiSecret: _s, ...rest } = c;
  await saveConnection(sh, { ...rest, status: 'disconnected', webhooks: [], updatedAt: new Date().toISOString() });
  const db = await sh.store.db();
  const claim = await sh.store.shopClaim(c.shop);
  if (claim?._rev && claim.tenantId === p.tenantId) {
    await db.destroy(claim._id, claim._rev).catch((err: unknown) => {
      if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
    });
  }
  await recordAudit(sh.couch, p.tenantId, { action: 'shopify.disconnected', actor: principalId(p), target: c.shop, details: { webhooksRemoved: removed } });
  return { connection: publicConnection(null), webhooksRemoved: removed };
}
