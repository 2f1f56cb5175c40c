import { createAdminApiClient } from '@shopify/admin-api-client';
import { gid, imageKey, htmlToText, numericId, realOptions, realSelectedOptions, type ShopifyProduct } from '#domain/shopify/index.ts';

/**
 * The one door to a shop's Admin GraphQL API (version pinned below). Implemented with Shopify's own
 * `@shopify/admin-api-client`; `apiOrigin` (SHOPIFY_API_ORIGIN) moves `https://{shop}` under another
 * origin through the client's `customFetchApi`, so a local server in tests is reached by the same code
 * that reaches Shopify, and going live is configuration only.
 *
 * Cost-based throttling (https://shopify.dev/docs/api/usage/limits#cost-based-rate-limits): every
 * answer's `extensions.cost.throttleStatus` is read; a `THROTTLED` answer is retried after the time
 * the bucket needs to hold the request's cost at its restore rate (at least 250 ms, doubling per try),
 * up to `maxThrottleRetries`.
 */
export const SHOPIFY_API_VERSION = '2026-01';

export interface ShopInfo {
  name: string;
  domain: string;
  currencyCode: string;
  scopes: string[];
}
export interface ShopifyLocation {
  id: string;
  name: string;
  isActive: boolean;
}
export interface AdjustChange {
  inventoryItemId: string;
  locationId: string;
  delta: number;
}

export interface ShopifyClient {
  shopInfo(): Promise<ShopInfo>;
  locations(): Promise<ShopifyLocation[]>;
  /** every product with its variants (levels empty: read per location with `levelsAt`) */
  products(onPage?: (count: number) => void | Promise<void>): Promise<ShopifyProduct[]>;
  /** available quantity per inventory item at one location */
  levelsAt(locationId: string): Promise<Map<string, number>>;
  createWebhook(topic: string, uri: string): Promise<string>;
  deleteWebhook(id: string): Promise<void>;
  webhooks(): Promise<{ id: string; topic: string; uri: string }[]>;
  /** deltas on `available`; `idempotencyKey` makes a retried call apply once */
  adjustAvailable(changes: readonly AdjustChange[], opts: { reason: string; referenceDocumentUri: string; idempotencyKey: string }): Promise<void>;
}

export class ShopifyApiError extends Error {
  constructor(
    message: string,
    /** 'auth': the token was refused; 'throttled': retries ran out; 'user': the shop refused the input; 'api': anything else */
    readonly kind: 'auth' | 'throttled' | 'user' | 'api',
    readonly status?: number,
    /** a mutation's userErrors as Shopify answered them (kind 'user') */
    readonly userErrors: readonly { field: readonly string[] | null; code: string | null; message: string }[] = []
  ) {
    super(message);
  }
}

export interface ClientOptions {
  shop: string;
  accessToken: string;
  apiOrigin?: string;
  maxThrottleRetries?: number;
  /** waits (tests pass a recording one) */
  sleep?: (ms: number) => Promise<void>;
}

interface Cost {
  requestedQueryCost?: number;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

const PRODUCTS_PAGE = 4;
const VARIANTS_PAGE = 50;
const LEVELS_PAGE = 250;

const VARIANT_FIELDS = `id sku barcode price compareAtPrice taxable selectedOptions { name value } inventoryItem { id unitCost { amount } }`;
const PRODUCTS_QUERY = `query Products($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    nodes {
      id title descriptionHtml status updatedAt
      options { name values }
      featuredImage { url }
      collections(first: 5) { nodes { id title } }
      variants(first: ${VARIANTS_PAGE}) { nodes { ${VARIANT_FIELDS} } pageInfo { hasNextPage endCursor } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;
const MORE_VARIANTS_QUERY = `query ProductVariants($id: ID!, $after: String) {
  product(id: $id) { variants(first: ${VARIANTS_PAGE}, after: $after) { nodes { ${VARIANT_FIELDS} } pageInfo { hasNextPage endCursor } } }
}`;

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
interface GqlVariant {
  id: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  taxable: boolean;
  selectedOptions: { name: string; value: string }[];
  inventoryItem: { id: string; unitCost: { amount: string } | null };
}
interface GqlProduct {
  id: string;
  title: string;
  descriptionHtml: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  updatedAt: string;
  options: { name: string; values: string[] }[];
  featuredImage: { url: string } | null;
  collections: { nodes: { id: string; title: string }[] };
  variants: { nodes: GqlVariant[]; pageInfo: PageInfo };
}

const toVariant = (v: GqlVariant): ShopifyProduct['variants'][number] => ({
  id: numericId(v.id),
  inventoryItemId: numericId(v.inventoryItem.id),
  sku: v.sku,
  barcode: v.barcode,
  price: v.price,
  compareAtPrice: v.compareAtPrice,
  cost: v.inventoryItem.unitCost?.amount ?? null,
  taxable: v.taxable,
  options: realSelectedOptions(v.selectedOptions)
});

/** Shop domain → the URL the client would call, rewritten under `apiOrigin` (path keeps the shop). */
function rebasedFetch(apiOrigin: string): typeof fetch {
  const base = apiOrigin.replace(/\/+$/, '');
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return fetch(`${base}/${url.host}${url.pathname}${url.search}`, init);
  };
}

export function createShopifyClient(opts: ClientOptions): ShopifyClient {
  const api = createAdminApiClient({
    storeDomain: opts.shop,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken: opts.accessToken,
    userAgentPrefix: 'pos-platform',
    // network-level retries (429/503) are the library's; THROTTLED answers are ours (below)
    retries: 1,
    ...(opts.apiOrigin ? { customFetchApi: rebasedFetch(opts.apiOrigin) } : {}),
    // the library reports an unsupported version through this instead of console.warn
    logger: () => {}
  });
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRetries = opts.maxThrottleRetries ?? 8;

  async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await api.request<T>(query, variables ? { variables } : {});
      const errors = res.errors;
      const gqlErrors = (errors?.graphQLErrors ?? []) as { message: string; extensions?: { code?: string } }[];
      const throttled = gqlErrors.some((e) => e.extensions?.code === 'THROTTLED');
      if (throttled) {
        if (attempt >= maxRetries) throw new ShopifyApiError('Shopify kept throttling the requests; try again in a minute', 'throttled');
        const cost = (res.extensions as { cost?: Cost } | undefined)?.cost;
        const t = cost?.throttleStatus;
        const need = cost?.requestedQueryCost ?? 0;
        const wait = t && t.restoreRate > 0 ? Math.ceil((Math.max(0, need - t.currentlyAvailable) / t.restoreRate) * 1000) : 0;
        await sleep(Math.max(wait, 250 * 2 ** Math.min(attempt, 4)));
        continue;
      }
      if (errors) {
        const status = errors.networkStatusCode;
        if (status === 401 || status === 403) throw new ShopifyApiError('Shopify refused the access token: check it is the Admin API access token of an installed app', 'auth', status);
        if (status === 404) throw new ShopifyApiError('Shopify does not know this shop', 'api', 404);
        const detail = gqlErrors.map((e) => e.message).join('; ') || errors.message || 'no answer';
        throw new ShopifyApiError(`Shopify answered with an error: ${detail}`.slice(0, 500), 'api', status);
      }
      if (!res.data) throw new ShopifyApiError('Shopify answered without data', 'api');
      return res.data;
    }
  }

  async function allPages<N>(fetchPage: (after: string | null) => Promise<{ nodes: N[]; pageInfo: PageInfo }>): Promise<N[]> {
    const out: N[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await fetchPage(after);
      out.push(...page.nodes);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return out;
      after = page.pageInfo.endCursor;
    }
  }

  return {
    async shopInfo() {
      const d = await gql<{ shop: { name: string; myshopifyDomain: string; currencyCode: string }; currentAppInstallation: { accessScopes: { handle: string }[] } }>(
        `query ShopInfo { shop { name myshopifyDomain currencyCode } currentAppInstallation { accessScopes { handle } } }`
      );
      return { name: d.shop.name, domain: d.shop.myshopifyDomain, currencyCode: d.shop.currencyCode, scopes: d.currentAppInstallation.accessScopes.map((s) => s.handle) };
    },

    async locations() {
      const nodes = await allPages(async (after) => {
        const d = await gql<{ locations: { nodes: { id: string; name: string; isActive: boolean }[]; pageInfo: PageInfo } }>(
          `query Locations($after: String) { locations(first: 100, after: $after) { nodes { id name isActive } pageInfo { hasNextPage endCursor } } }`,
          { after }
        );
        return d.locations;
      });
      return nodes.map((l) => ({ id: numericId(l.id), name: l.name, isActive: l.isActive }));
    },

    async products(onPage) {
      const out: ShopifyProduct[] = [];
      let after: string | null = null;
      for (;;) {
        const d: { products: { nodes: GqlProduct[]; pageInfo: PageInfo } } = await gql(PRODUCTS_QUERY, { first: PRODUCTS_PAGE, after });
        for (const p of d.products.nodes) {
          const variants = [...p.variants.nodes];
          let more = p.variants.pageInfo;
          while (more.hasNextPage && more.endCursor) {
            const v: { product: { variants: { nodes: GqlVariant[]; pageInfo: PageInfo } } | null } = await gql(MORE_VARIANTS_QUERY, { id: p.id, after: more.endCursor });
            if (!v.product) break;
            variants.push(...v.product.variants.nodes);
            more = v.product.variants.pageInfo;
          }
          out.push({
            id: numericId(p.id),
            title: p.title,
            description: htmlToText(p.descriptionHtml),
            status: p.status,
            updatedAt: p.updatedAt,
            options: realOptions(p.options),
            variants: variants.map(toVariant),
            collections: p.collections.nodes.map((c) => ({ id: numericId(c.id), title: c.title })),
            image: p.featuredImage ? { key: imageKey(p.featuredImage.url), url: p.featuredImage.url } : null,
            levels: {}
          });
        }
        await onPage?.(out.length);
        if (!d.products.pageInfo.hasNextPage || !d.products.pageInfo.endCursor) return out;
        after = d.products.pageInfo.endCursor;
      }
    },

    async levelsAt(locationId) {
      const nodes = await allPages(async (after) => {
        const d = await gql<{ location: { inventoryLevels: { nodes: { item: { id: string }; quantities: { name: string; quantity: number }[] }[]; pageInfo: PageInfo } } | null }>(
          `query Levels($id: ID!, $after: String) { location(id: $id) { inventoryLevels(first: ${LEVELS_PAGE}, after: $after) { nodes { item { id } quantities(names: ["available"]) { name quantity } } pageInfo { hasNextPage endCursor } } } }`,
          { id: gid('Location', locationId), after }
        );
        if (!d.location) throw new ShopifyApiError(`Shopify location ${locationId} does not exist`, 'api', 404);
        return d.location.inventoryLevels;
      });
      return new Map(nodes.map((n) => [numericId(n.item.id), n.quantities.find((q) => q.name === 'available')?.quantity ?? 0]));
    },

    async createWebhook(topic, uri) {
      const d = await gql<{ webhookSubscriptionCreate: { webhookSubscription: { id: string } | null; userErrors: { message: string }[] } }>(
        `mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { webhookSubscription { id } userErrors { field message } } }`,
        { topic, sub: { uri, format: 'JSON' } }
      );
      const r = d.webhookSubscriptionCreate;
      if (!r.webhookSubscription) throw new ShopifyApiError(`Shopify refused the ${topic} webhook: ${r.userErrors.map((e) => e.message).join('; ')}`, 'user');
      return r.webhookSubscription.id;
    },

    async deleteWebhook(id) {
      const d = await gql<{ webhookSubscriptionDelete: { deletedWebhookSubscriptionId: string | null; userErrors: { message: string }[] } }>(
        `mutation WebhookDelete($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }`,
        { id }
      );
      // already gone (deleted in Shopify's admin, or by an earlier try): the outcome we want
      void d;
    },

    async webhooks() {
      return allPages(async (after) => {
        const d = await gql<{ webhookSubscriptions: { nodes: { id: string; topic: string; uri: string }[]; pageInfo: PageInfo } }>(
          `query Webhooks($after: String) { webhookSubscriptions(first: 100, after: $after) { nodes { id topic uri } pageInfo { hasNextPage endCursor } } }`,
          { after }
        );
        return d.webhookSubscriptions;
      });
    },

    async adjustAvailable(changes, o) {
      if (!/^[A-Za-z0-9:_-]{1,200}$/.test(o.idempotencyKey)) throw new Error('idempotency key: letters, digits, :_- only');
      const d = await gql<{ inventoryAdjustQuantities: { userErrors: { field: string[] | null; message: string; code: string | null }[] } }>(
        `mutation Adjust($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) @idempotent(key: "${o.idempotencyKey}") { inventoryAdjustmentGroup { id } userErrors { field message code } } }`,
        {
          input: {
            reason: o.reason,
            name: 'available',
            referenceDocumentUri: o.referenceDocumentUri,
            changes: changes.map((c) => ({ delta: c.delta, inventoryItemId: gid('InventoryItem', c.inventoryItemId), locationId: gid('Location', c.locationId) }))
          }
        }
      );
      const errs = d.inventoryAdjustQuantities.userErrors;
      if (errs.length) throw new ShopifyApiError(`Shopify refused the stock change: ${errs.map((e) => e.message).join('; ')}`.slice(0, 500), 'user', undefined, errs);
    }
  };
}
