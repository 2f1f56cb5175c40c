import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { GraphQLError, Kind, buildSchema, execute, parse, validate, type DocumentNode, type FieldNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { LocalProviderServer } from './local-provider-server.ts';

/**
 * A local server speaking the Shopify Admin GraphQL API for the operations the integration uses
 * (https://shopify.dev/docs/api/admin-graphql, version 2026-01), and sending webhooks the way Shopify
 * does (https://shopify.dev/docs/apps/build/webhooks).
 *
 * - `POST /{shop}/admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`: the request is parsed
 *   and validated against a schema holding the documented types and fields used (a field Shopify
 *   lacks is a validation error here too), then executed over in-memory state. The adapter reaches it
 *   through the official client's `customFetchApi`, which moves `https://{shop}` under this origin.
 * - A wrong token: 401 `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`.
 * - Cost: every answer carries `extensions.cost` (requestedQueryCost, actualQueryCost, throttleStatus
 *   {maximumAvailable, currentlyAvailable, restoreRate}); the requested cost follows Shopify's
 *   documented rules (objects 1, scalars and enums 0, a connection 2 + first × its node, a mutation 10).
 *   The requested cost is taken from the bucket before the query runs and the difference to the
 *   actual cost (connections counted by the nodes they returned) is refunded after, as Shopify does
 *   (a page of single-variant products costs far less than its `variants(first: 50)` asks for).
 *   A query costing more than the bucket holds is answered `THROTTLED` (HTTP 200, errors[].extensions.code)
 *   and costs nothing; the bucket refills at restoreRate per second.
 * - Webhooks: `sendWebhook` POSTs the JSON body to every subscription of the topic, signed with the
 *   app's API secret: X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(secret, raw body)), X-Shopify-Topic,
 *   X-Shopify-Shop-Domain, X-Shopify-Webhook-Id, X-Shopify-Event-Id, X-Shopify-Triggered-At,
 *   X-Shopify-API-Version.
 */
export const API_VERSION = '2026-01';

const SDL = /* GraphQL */ `
  scalar URL
  scalar DateTime
  scalar Money
  scalar Decimal
  scalar HTML
  directive @idempotent(key: String!) on FIELD

  enum CurrencyCode { USD EUR GBP CAD AUD JPY CHF }
  enum ProductStatus { ACTIVE ARCHIVED DRAFT }
  enum WebhookSubscriptionTopic { PRODUCTS_CREATE PRODUCTS_UPDATE PRODUCTS_DELETE INVENTORY_LEVELS_UPDATE ORDERS_CREATE ORDERS_CANCELLED REFUNDS_CREATE APP_UNINSTALLED }
  enum WebhookSubscriptionFormat { JSON XML }

  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type Shop { id: ID! name: String! myshopifyDomain: String! currencyCode: CurrencyCode! }
  type AccessScope { handle: String! description: String! }
  type AppInstallation { id: ID! accessScopes: [AccessScope!]! }

  type Location { id: ID! name: String! isActive: Boolean! inventoryLevels(first: Int, after: String): InventoryLevelConnection! }
  type LocationEdge { cursor: String! node: Location! }
  type LocationConnection { edges: [LocationEdge!]! nodes: [Location!]! pageInfo: PageInfo! }

  type Image { id: ID url: URL! altText: String }
  type ProductOption { id: ID! name: String! values: [String!]! }
  type SelectedOption { name: String! value: String! }
  type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
  type Collection { id: ID! title: String! }
  type CollectionEdge { cursor: String! node: Collection! }
  type CollectionConnection { edges: [CollectionEdge!]! nodes: [Collection!]! pageInfo: PageInfo! }

  type InventoryQuantity { id: ID! name: String! quantity: Int! }
  type InventoryLevel { id: ID! item: InventoryItem! location: Location! quantities(names: [String!]!): [InventoryQuantity!]! updatedAt: DateTime! }
  type InventoryLevelEdge { cursor: String! node: InventoryLevel! }
  type InventoryLevelConnection { edges: [InventoryLevelEdge!]! nodes: [InventoryLevel!]! pageInfo: PageInfo! }
  type InventoryItem { id: ID! sku: String tracked: Boolean! unitCost: MoneyV2 inventoryLevels(first: Int, after: String): InventoryLevelConnection! }

  type ProductVariant { id: ID! title: String! sku: String barcode: String price: Money! compareAtPrice: Money taxable: Boolean! selectedOptions: [SelectedOption!]! inventoryItem: InventoryItem! }
  type ProductVariantEdge { cursor: String! node: ProductVariant! }
  type ProductVariantConnection { edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }
  type Product {
    id: ID!
    title: String!
    descriptionHtml: HTML!
    status: ProductStatus!
    updatedAt: DateTime!
    options(first: Int): [ProductOption!]!
    featuredImage: Image
    collections(first: Int, after: String): CollectionConnection!
    variants(first: Int, after: String): ProductVariantConnection!
  }
  type ProductEdge { cursor: String! node: Product! }
  type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }

  type WebhookSubscription { id: ID! topic: WebhookSubscriptionTopic! uri: String! format: WebhookSubscriptionFormat! createdAt: DateTime! }
  type WebhookSubscriptionEdge { cursor: String! node: WebhookSubscription! }
  type WebhookSubscriptionConnection { edges: [WebhookSubscriptionEdge!]! nodes: [WebhookSubscription!]! pageInfo: PageInfo! }

  type UserError { field: [String!] message: String! }
  input WebhookSubscriptionInput { uri: String callbackUrl: URL format: WebhookSubscriptionFormat includeFields: [String!] filter: String }
  type WebhookSubscriptionCreatePayload { webhookSubscription: WebhookSubscription userErrors: [UserError!]! }
  type WebhookSubscriptionDeletePayload { deletedWebhookSubscriptionId: ID userErrors: [UserError!]! }

  input InventoryChangeInput { delta: Int! inventoryItemId: ID! locationId: ID! ledgerDocumentUri: String }
  input InventoryAdjustQuantitiesInput { reason: String! name: String! referenceDocumentUri: String changes: [InventoryChangeInput!]! }
  type InventoryChange { name: String! delta: Int! quantityAfterChange: Int item: InventoryItem location: Location }
  type InventoryAdjustmentGroup { id: ID! createdAt: DateTime! reason: String! referenceDocumentUri: String changes: [InventoryChange!]! }
  type InventoryAdjustQuantitiesUserError { field: [String!] message: String! code: String }
  type InventoryAdjustQuantitiesPayload { inventoryAdjustmentGroup: InventoryAdjustmentGroup userErrors: [InventoryAdjustQuantitiesUserError!]! }

  type Query {
    shop: Shop!
    currentAppInstallation: AppInstallation!
    locations(first: Int, after: String, includeInactive: Boolean): LocationConnection!
    location(id: ID!): Location
    products(first: Int, after: String, query: String): ProductConnection!
    product(id: ID!): Product
    webhookSubscriptions(first: Int, after: String): WebhookSubscriptionConnection!
  }
  type Mutation {
    webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
    webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
    inventoryAdjustQuantities(input: InventoryAdjustQuantitiesInput!): InventoryAdjustQuantitiesPayload
  }
`;

export interface FakeVariant {
  id: string;
  inventoryItemId: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  cost: string | null;
  taxable: boolean;
  options: { name: string; value: string }[];
}
export interface FakeProduct {
  id: string;
  title: string;
  descriptionHtml: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  updatedAt: string;
  options: { name: string; values: string[] }[];
  imageUrl: string | null;
  collections: { id: string; title: string }[];
  variants: FakeVariant[];
}
export interface FakeLocation {
  id: string;
  name: string;
  isActive: boolean;
}
export interface FakeSubscription {
  id: string;
  topic: string;
  uri: string;
  createdAt: string;
}
export interface FakeAdjustment {
  reason: string;
  name: string;
  referenceDocumentUri: string | null;
  idempotencyKey: string | null;
  changes: { inventoryItemId: string; locationId: string; delta: number }[];
  /** what Shopify answered (a replay of the key answers it again) */
  group: Record<string, unknown>;
}

const gidOf = (type: string, id: string) => `gid://shopify/${type}/${id}`;
const numeric = (gid: string) => /\/(\d+)$/.exec(gid)?.[1] ?? gid;
const cursorOf = (i: number) => Buffer.from(`i:${i}`).toString('base64');
const indexOf = (cursor: string | null | undefined) => (cursor ? Number(Buffer.from(cursor, 'base64').toString().slice(2)) + 1 : 0);
/** Shopify caps `first` at 250 per connection. */
function connection<T>(all: readonly T[], args: { first?: number | null; after?: string | null }) {
  const first = args.first ?? 0;
  if (first < 1 || first > 250) throw new GraphQLError('you must provide `first` between 1 and 250');
  const start = indexOf(args.after);
  const slice = all.slice(start, start + first);
  return {
    nodes: slice,
    edges: slice.map((node, i) => ({ cursor: cursorOf(start + i), node })),
    pageInfo: { hasNextPage: start + first < all.length, hasPreviousPage: start > 0, startCursor: slice.length ? cursorOf(start) : null, endCursor: slice.length ? cursorOf(start + slice.length - 1) : null }
  };
}

let nextId = 9_000_000_000;
export const fakeId = () => String(nextId++);

export class FakeShopify extends LocalProviderServer {
  readonly shop: string;
  /** the app's Admin API access token and API secret key (signs the webhooks) */
  accessToken = `shpat_${randomBytes(16).toString('hex')}`;
  readonly apiSecret = `shpss_${randomBytes(16).toString('hex')}`;
  scopes: string[] = ['write_products', 'write_inventory', 'read_locations', 'read_orders'];
  shopName = 'Fake Outfitters';
  currencyCode = 'USD';
  readonly locations: FakeLocation[] = [];
  readonly products: FakeProduct[] = [];
  /** available per `${inventoryItemId}@${locationId}` */
  readonly available = new Map<string, number>();
  readonly subscriptions: FakeSubscription[] = [];
  readonly adjustments: FakeAdjustment[] = [];
  /** the cost bucket (Shopify Plus: 20,000 points, 1,000 restored a second; the standard plan has 2,000 and 100) */
  bucket = { maximumAvailable: 20_000, restoreRate: 1000 };
  private available_ = 20_000;
  private refilledAt = Date.now();
  /** answer the next N queries THROTTLED whatever the bucket holds */
  throttleNext = 0;
  /** the next N mutations are applied, then their connection is cut before the answer (a lost answer) */
  loseAnswers = 0;
  requests = 0;
  /** mutations that came again under an idempotency key already used */
  replays = 0;
  throttled = 0;
  /** operation names (or the first field) of every executed request, in order */
  readonly operations: string[] = [];
  private schema: GraphQLSchema = buildSchema(SDL);

  constructor(shop = 'fake-outfitters.myshopify.com') {
    super();
    this.shop = shop;
  }

  /** where the app's shop domain points (the server's URL) */
  get origin(): string {
    return this.url;
  }

  addLocation(name: string): FakeLocation {
    const l = { id: fakeId(), name, isActive: true };
    this.locations.push(l);
    return l;
  }

  /** A product with its variants; `stock` sets available per location for every variant. */
  addProduct(p: Partial<Omit<FakeProduct, 'variants'>> & { title: string; variants: Partial<FakeVariant>[] }, stock: Record<string, number> = {}): FakeProduct {
    const product: FakeProduct = {
      id: p.id ?? fakeId(),
      title: p.title,
      descriptionHtml: p.descriptionHtml ?? '',
      status: p.status ?? 'ACTIVE',
      updatedAt: p.updatedAt ?? new Date().toISOString(),
      options: p.options ?? [{ name: 'Title', values: ['Default Title'] }],
      imageUrl: p.imageUrl ?? null,
      collections: p.collections ?? [],
      variants: p.variants.map((v) => ({
        id: v.id ?? fakeId(),
        inventoryItemId: v.inventoryItemId ?? fakeId(),
        sku: v.sku ?? null,
        barcode: v.barcode ?? null,
        price: v.price ?? '10.00',
        compareAtPrice: v.compareAtPrice ?? null,
        cost: v.cost ?? null,
        taxable: v.taxable ?? true,
        options: v.options ?? [{ name: 'Title', value: 'Default Title' }]
      }))
    };
    this.products.push(product);
    for (const v of product.variants) for (const [loc, qty] of Object.entries(stock)) this.available.set(`${v.inventoryItemId}@${loc}`, qty);
    return product;
  }

  /** The JSON Shopify posts for `products/*` (REST resource shape). */
  productPayload(p: FakeProduct): Record<string, unknown> {
    const names = p.options.map((o) => o.name);
    return {
      id: Number(p.id),
      title: p.title,
      body_html: p.descriptionHtml,
      status: p.status.toLowerCase(),
      updated_at: p.updatedAt,
      options: p.options.map((o, i) => ({ name: o.name, position: i + 1, values: o.values })),
      variants: p.variants.map((v) => {
        const opt = (i: number) => v.options.find((o) => o.name === names[i])?.value ?? null;
        return { id: Number(v.id), product_id: Number(p.id), sku: v.sku, barcode: v.barcode, price: v.price, compare_at_price: v.compareAtPrice, inventory_item_id: Number(v.inventoryItemId), taxable: v.taxable, option1: opt(0), option2: opt(1), option3: opt(2) };
      }),
      image: p.imageUrl ? { id: 1, src: p.imageUrl } : null
    };
  }

  // ---- webhooks ---------------------------------------------------------------------------------

  /** Headers Shopify sends with a webhook; `secret` other than the app's forges the signature. */
  webhookHeaders(topic: string, body: string, opts: { webhookId?: string; secret?: string; shop?: string } = {}): Record<string, string> {
    return {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': createHmac('sha256', opts.secret ?? this.apiSecret).update(body, 'utf8').digest('base64'),
      'x-shopify-shop-domain': opts.shop ?? this.shop,
      'x-shopify-api-version': API_VERSION,
      'x-shopify-webhook-id': opts.webhookId ?? randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
      'x-shopify-event-id': randomBytes(8).toString('hex'),
      'x-shopify-triggered-at': new Date().toISOString()
    };
  }

  /** Delivers `payload` to every subscription of `topic` (Shopify's topic name, e.g. `orders/create`); the HTTP statuses. */
  async sendWebhook(topic: string, payload: unknown, opts: { webhookId?: string; secret?: string } = {}): Promise<number[]> {
    const graphql = topic.replace('/', '_').toUpperCase();
    const targets = this.subscriptions.filter((s) => s.topic === graphql);
    const body = JSON.stringify(payload);
    const headers = this.webhookHeaders(topic, body, opts);
    const out: number[] = [];
    for (const s of targets) {
      const res = await fetch(s.uri, { method: 'POST', headers, body });
      await res.arrayBuffer();
      out.push(res.status);
    }
    return out;
  }

  // ---- the GraphQL endpoint ---------------------------------------------------------------------

  private refill(): number {
    const now = Date.now();
    this.available_ = Math.min(this.bucket.maximumAvailable, this.available_ + ((now - this.refilledAt) / 1000) * this.bucket.restoreRate);
    this.refilledAt = now;
    return this.available_;
  }

  /** Empties the cost bucket (the next query waits for the restore rate). */
  drainBucket(): void {
    this.refill();
    this.available_ = 0;
  }

  private throttleStatus() {
    return { maximumAvailable: this.bucket.maximumAvailable, currentlyAvailable: Math.floor(this.available_), restoreRate: this.bucket.restoreRate };
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.setEncoding('utf8');
    let raw = '';
    for await (const c of req) raw += c as string;
    const send = (status: number, body: unknown) => this.json(res, status, body);
    const m = /^\/([a-z0-9-]+\.myshopify\.com)\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return send(404, { errors: 'Not Found' });
    if (m[1] !== this.shop) return send(404, { errors: 'Not Found' });
    if (req.headers['x-shopify-access-token'] !== this.accessToken) return send(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    this.requests++;
    let body: { query?: unknown; variables?: Record<string, unknown> };
    try {
      body = JSON.parse(raw);
    } catch {
      return send(400, { errors: { query: 'Required parameter missing or invalid' } });
    }
    if (typeof body.query !== 'string') return send(400, { errors: { query: 'Required parameter missing or invalid' } });
    let doc: DocumentNode;
    try {
      doc = parse(body.query);
    } catch (err) {
      return send(200, { errors: [{ message: (err as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    }
    const invalid = validate(this.schema, doc);
    if (invalid.length) return send(200, { errors: invalid.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) });
    const requested = this.costOf(doc, body.variables ?? {});
    if (requested > 1000) {
      return send(200, { errors: [{ message: `Query cost is ${requested}, which exceeds the single query max cost limit (1000).`, extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: 1000 } }] });
    }
    this.refill();
    if (this.throttleNext > 0 || requested > this.available_) {
      if (this.throttleNext > 0) this.throttleNext--;
      this.throttled++;
      return send(200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: this.throttleStatus() } }
      });
    }
    this.available_ -= requested;
    const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    this.operations.push(op?.name?.value ?? (op?.selectionSet.selections[0] as FieldNode | undefined)?.name.value ?? '?');
    const idempotency = this.idempotencyKey(doc);
    const result = await execute({ schema: this.schema, document: doc, rootValue: this.root(idempotency), variableValues: body.variables ?? {} });
    // a network failure after Shopify committed: the caller never learns the outcome
    if (this.loseAnswers > 0 && op?.operation === 'mutation') {
      this.loseAnswers--;
      res.destroy();
      return;
    }
    // the requested cost was taken up front; what the answer really held is charged and the rest refunded
    const actual = op?.operation === 'query' && result.data ? Math.min(requested, this.actualCost(op.selectionSet, result.data, body.variables ?? {})) : requested;
    this.available_ += requested - actual;
    send(200, {
      ...(result.data ? { data: result.data } : {}),
      ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}),
      extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: this.throttleStatus() } }
    });
  }

  private idempotencyKey(doc: DocumentNode): string | null {
    for (const d of doc.definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      for (const s of d.selectionSet.selections) {
        const dir = s.kind === Kind.FIELD ? s.directives?.find((x) => x.name.value === 'idempotent') : undefined;
        const arg = dir?.arguments?.find((a) => a.name.value === 'key')?.value;
        if (arg?.kind === Kind.STRING) return arg.value;
      }
    }
    return null;
  }

  /** Shopify's requested cost: object 1, scalar 0, connection 2 + first × node, mutation 10. */
  private costOf(doc: DocumentNode, variables: Record<string, unknown>): number {
    let total = 0;
    for (const d of doc.definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      if (d.operation === 'mutation') total += 10 * d.selectionSet.selections.length;
      else total += this.selectionCost(d.selectionSet, variables);
    }
    return total;
  }

  /** The cost of what an answer holds: each connection counts the nodes it returned, not its `first`. */
  private actualCost(set: SelectionSetNode | undefined, data: unknown, variables: Record<string, unknown>): number {
    if (!set || data === null || typeof data !== 'object') return 0;
    let cost = 0;
    for (const s of set.selections) {
      if (s.kind !== Kind.FIELD) {
        if ('selectionSet' in s) cost += this.actualCost(s.selectionSet, data, variables);
        continue;
      }
      if (!s.selectionSet) continue;
      const value = (data as Record<string, unknown>)[s.alias?.value ?? s.name.value];
      const hasFirst = s.arguments?.some((a) => a.name.value === 'first') ?? false;
      const nodesSel = s.selectionSet.selections.find((x): x is FieldNode => x.kind === Kind.FIELD && x.name.value === 'nodes');
      const edgesSel = s.selectionSet.selections.find((x): x is FieldNode => x.kind === Kind.FIELD && x.name.value === 'edges');
      if (hasFirst && (nodesSel || edgesSel)) {
        const conn = (value ?? {}) as { nodes?: unknown[]; edges?: { node?: unknown }[] };
        const nodeSel = nodesSel?.selectionSet ?? edgesSel?.selectionSet?.selections.find((y): y is FieldNode => y.kind === Kind.FIELD && y.name.value === 'node')?.selectionSet;
        const nodes = nodesSel ? (conn.nodes ?? []) : (conn.edges ?? []).map((e) => e.node);
        cost += 2 + nodes.reduce<number>((n, node) => n + 1 + this.actualCost(nodeSel, node, variables), 0);
      } else if (Array.isArray(value)) cost += 1 + Math.max(0, ...value.map((v) => this.actualCost(s.selectionSet, v, variables)));
      else cost += 1 + this.actualCost(s.selectionSet, value, variables);
    }
    return cost;
  }

  private selectionCost(set: SelectionSetNode | undefined, variables: Record<string, unknown>): number {
    if (!set) return 0;
    let cost = 0;
    for (const s of set.selections) {
      if (s.kind !== Kind.FIELD) {
        if ('selectionSet' in s) cost += this.selectionCost(s.selectionSet, variables);
        continue;
      }
      if (!s.selectionSet) continue; // scalars and enums
      const firstArg = s.arguments?.find((a) => a.name.value === 'first')?.value;
      const first = firstArg?.kind === Kind.INT ? Number(firstArg.value) : firstArg?.kind === Kind.VARIABLE ? Number(variables[firstArg.name.value] ?? 0) : null;
      const isConnection = s.selectionSet.selections.some((x) => x.kind === Kind.FIELD && (x.name.value === 'edges' || x.name.value === 'nodes'));
      if (isConnection && first !== null) {
        let node = 0;
        for (const x of s.selectionSet.selections) {
          if (x.kind !== Kind.FIELD) continue;
          if (x.name.value === 'nodes') node = Math.max(node, 1 + this.selectionCost(x.selectionSet, variables));
          if (x.name.value === 'edges') {
            const n = x.selectionSet?.selections.find((y): y is FieldNode => y.kind === Kind.FIELD && y.name.value === 'node');
            node = Math.max(node, 1 + this.selectionCost(n?.selectionSet, variables));
          }
        }
        cost += 2 + first * node;
      } else cost += 1 + this.selectionCost(s.selectionSet, variables);
    }
    return cost;
  }

  private root(idempotencyKey: string | null) {
    const location = (l: FakeLocation) => ({
      id: gidOf('Location', l.id),
      name: l.name,
      isActive: l.isActive,
      inventoryLevels: (args: { first?: number; after?: string }) => connection(this.levelsAt(l.id).map(level), args)
    });
    const item = (v: FakeVariant) => ({
      id: gidOf('InventoryItem', v.inventoryItemId),
      sku: v.sku,
      tracked: true,
      unitCost: v.cost === null ? null : { amount: v.cost, currencyCode: this.currencyCode },
      inventoryLevels: (args: { first?: number; after?: string }) => connection(this.locations.filter((l) => this.available.has(`${v.inventoryItemId}@${l.id}`)).map((l) => level({ itemId: v.inventoryItemId, locationId: l.id })), args)
    });
    const variantOf = (itemId: string) => this.products.flatMap((p) => p.variants).find((v) => v.inventoryItemId === itemId);
    const level = (k: { itemId: string; locationId: string }) => ({
      id: `gid://shopify/InventoryLevel/${k.itemId}?inventory_item_id=${k.itemId}&location_id=${k.locationId}`,
      item: () => {
        const v = variantOf(k.itemId);
        return v ? item(v) : null;
      },
      location: () => location(this.locations.find((l) => l.id === k.locationId)!),
      quantities: ({ names }: { names: string[] }) => names.filter((n) => n === 'available' || n === 'on_hand').map((n) => ({ id: `${k.itemId}-${n}`, name: n, quantity: this.available.get(`${k.itemId}@${k.locationId}`) ?? 0 })),
      updatedAt: new Date().toISOString()
    });
    const product = (p: FakeProduct) => ({
      id: gidOf('Product', p.id),
      title: p.title,
      descriptionHtml: p.descriptionHtml,
      status: p.status,
      updatedAt: p.updatedAt,
      options: () => p.options.map((o, i) => ({ id: gidOf('ProductOption', `${p.id}${i}`), name: o.name, values: o.values })),
      featuredImage: p.imageUrl ? { id: gidOf('ProductImage', p.id), url: p.imageUrl, altText: null } : null,
      collections: (args: { first?: number; after?: string }) => connection(p.collections.map((c) => ({ id: gidOf('Collection', c.id), title: c.title })), args),
      variants: (args: { first?: number; after?: string }) =>
        connection(
          p.variants.map((v) => ({
            id: gidOf('ProductVariant', v.id),
            title: v.options.map((o) => o.value).join(' / '),
            sku: v.sku,
            barcode: v.barcode,
            price: v.price,
            compareAtPrice: v.compareAtPrice,
            taxable: v.taxable,
            selectedOptions: v.options,
            inventoryItem: item(v)
          })),
          args
        )
    });
    const subscription = (s: FakeSubscription) => ({ id: s.id, topic: s.topic, uri: s.uri, format: 'JSON', createdAt: s.createdAt });
    return {
      shop: () => ({ id: gidOf('Shop', '1'), name: this.shopName, myshopifyDomain: this.shop, currencyCode: this.currencyCode }),
      currentAppInstallation: () => ({ id: gidOf('AppInstallation', '1'), accessScopes: this.scopes.map((handle) => ({ handle, description: handle })) }),
      locations: (args: { first?: number; after?: string; includeInactive?: boolean }) => connection(this.locations.filter((l) => l.isActive || args.includeInactive).map(location), args),
      location: ({ id }: { id: string }) => {
        const l = this.locations.find((x) => x.id === numeric(id));
        return l ? location(l) : null;
      },
      products: (args: { first?: number; after?: string }) => connection(this.products.map(product), args),
      product: ({ id }: { id: string }) => {
        const p = this.products.find((x) => x.id === numeric(id));
        return p ? product(p) : null;
      },
      webhookSubscriptions: (args: { first?: number; after?: string }) => connection(this.subscriptions.map(subscription), args),
      webhookSubscriptionCreate: ({ topic, webhookSubscription }: { topic: string; webhookSubscription: { uri?: string; callbackUrl?: string } }) => {
        const uri = webhookSubscription.uri ?? webhookSubscription.callbackUrl;
        if (!uri || !/^https?:\/\//.test(uri)) return { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' }] };
        if (this.subscriptions.some((s) => s.topic === topic && s.uri === uri)) return { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address for this topic has already been taken' }] };
        const s = { id: gidOf('WebhookSubscription', fakeId()), topic, uri, createdAt: new Date().toISOString() };
        this.subscriptions.push(s);
        return { webhookSubscription: subscription(s), userErrors: [] };
      },
      webhookSubscriptionDelete: ({ id }: { id: string }) => {
        const i = this.subscriptions.findIndex((s) => s.id === id);
        if (i < 0) return { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
        this.subscriptions.splice(i, 1);
        return { deletedWebhookSubscriptionId: id, userErrors: [] };
      },
      inventoryAdjustQuantities: ({ input }: { input: { reason: string; name: string; referenceDocumentUri?: string; changes: { delta: number; inventoryItemId: string; locationId: string }[] } }) => {
        const changes = input.changes.map((c) => ({ inventoryItemId: numeric(c.inventoryItemId), locationId: numeric(c.locationId), delta: c.delta }));
        // Shopify's idempotency (https://shopify.dev/docs/api/usage/implementing-idempotency): a retry with
        // the key and the same parameters answers the original result without applying again; the key
        // with other parameters is refused
        const earlier = idempotencyKey ? this.adjustments.find((a) => a.idempotencyKey === idempotencyKey) : undefined;
        if (earlier) {
          this.replays++;
          if (JSON.stringify(earlier.changes) !== JSON.stringify(changes) || earlier.reason !== input.reason) {
            return { inventoryAdjustmentGroup: null, userErrors: [{ field: null, message: 'The same idempotency key cannot be used with different operation parameters.', code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' }] };
          }
          return { inventoryAdjustmentGroup: earlier.group, userErrors: [] };
        }
        for (const [i, c] of changes.entries()) {
          if (!this.available.has(`${c.inventoryItemId}@${c.locationId}`)) return { inventoryAdjustmentGroup: null, userErrors: [{ field: ['input', 'changes', String(i), 'locationId'], message: 'The specified inventory item is not stocked at the location.', code: 'ITEM_NOT_STOCKED_AT_LOCATION' }] };
        }
        for (const c of changes) this.available.set(`${c.inventoryItemId}@${c.locationId}`, (this.available.get(`${c.inventoryItemId}@${c.locationId}`) ?? 0) + c.delta);
        const group = { id: gidOf('InventoryAdjustmentGroup', fakeId()), createdAt: new Date().toISOString(), reason: input.reason, referenceDocumentUri: input.referenceDocumentUri ?? null, changes: changes.map((c) => ({ name: input.name, delta: c.delta, quantityAfterChange: null, item: null, location: null })) };
        this.adjustments.push({ reason: input.reason, name: input.name, referenceDocumentUri: input.referenceDocumentUri ?? null, idempotencyKey, changes, group });
        return { inventoryAdjustmentGroup: group, userErrors: [] };
      }
    };
  }

  private levelsAt(locationId: string): { itemId: string; locationId: string }[] {
    const out: { itemId: string; locationId: string }[] = [];
    for (const p of this.products) for (const v of p.variants) if (this.available.has(`${v.inventoryItemId}@${locationId}`)) out.push({ itemId: v.inventoryItemId, locationId });
    return out;
  }

  /** Available at a location (for assertions). */
  availableAt(inventoryItemId: string, locationId: string): number | undefined {
    return this.available.get(`${inventoryItemId}@${locationId}`);
  }
}
