import { INTEGRATIONS_DB, catalogDb, locationDb } from '#domain/db-names.ts';
import { currencyDigits } from '#domain/money.ts';
import { productSchema } from '#domain/schemas/catalog.ts';
import {
  INTEGRATION_ACTOR,
  buildProduct,
  cancelledOrderMovements,
  refundMovements,
  refundPayload,
  type MovementPlan,
  productFromPayload,
  productPayload,
  inventoryLevelPayload,
  isStale,
  levelDocId,
  nextAttempt,
  orderMovements,
  orderPayload,
  type ProductMap,
  type StockContext
} from '#domain/shopify/index.ts';
import { casUpdate } from '../../couch/cas.ts';
import { listPrefix } from '../../couch/client.ts';
import { insertOnce } from '../../inventory/store.ts';
import type { Logger } from '../../log.ts';
import type { ShopifyIntegration } from './service.ts';
import type { ConnectionDoc } from './store.ts';
import { webhookDocSchema, type WebhookDoc } from './webhooks.ts';

/**
 * Applies recorded webhooks (status `pending`, due by `nextAttemptAt`). A worker claims a document by a
 * compare-and-swap write (`processing`, a lease), so of two server copies only one applies it; a copy
 * that dies mid-way leaves the lease to expire and `queue/due` hands the document to another. Every
 * effect is itself written once (ids derived from Shopify's), so a retry after a crash repeats nothing.
 * A failure is retried on the domain's schedule (`nextAttempt`), then becomes a dead letter with its
 * error. Triggered by the receiver (`kick`) and by one timer at the earliest due document — no timer
 * over tenants, nothing when the queue is empty.
 *
 * Topics applied in this release:
 *   inventory_levels/update — Shopify's level is recorded (`shopify_level:{tenant}:{item}:{location}`)
 *     unless an older `updated_at` than the one recorded: out-of-order deliveries keep the newest. The
 *     POS ledger is not set to it (levels are absolute; the ledger moves by deltas — online orders below);
 *     the recorded level is what reconciliation compares.
 *   orders/create — each line leaves the mapped store as `movement:shopify:order:{order}:{line}`.
 *   refunds/create — each restocking refund line (return, cancel) comes back to the store of its
 *     location as `movement:shopify:refund:{refund}:{line}`.
 *   orders/cancelled — the order's lines (if orders/create never came) and every restocking refund it
 *     lists, with the same ids: a cancellation and its refund webhook restock once together.
 *   products/update — a linked product is updated by the ownership rule (`buildProduct`), unless its
 *     `updated_at` is older than the state last applied (the link's `shopifyUpdatedAt`); an unlinked
 *     product is ignored (the import links it). Images are left out as in the import.
 */
const LEASE_MS = 60_000;
const BATCH = 50;

interface Outcome {
  status: 'done' | 'ignored';
  result: unknown;
}

export class WebhookQueue {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly priority = new Set<string>();

  constructor(
    private readonly sh: ShopifyIntegration,
    private readonly log: Logger
  ) {}

  /** New work: `id` first (a cluster view may not show it yet), then whatever else is due. */
  kick(id?: string): void {
    if (this.stopped || !this.sh.config.SHOPIFY_WORKERS) return;
    if (id) this.priority.add(id);
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.log.error({ err }, 'shopify webhook queue: a run failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when the current run (if any) has finished. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (const id of [...this.priority]) {
      this.priority.delete(id);
      await this.processOne(id);
    }
    const db = this.sh.couch.use(INTEGRATIONS_DB);
    for (;;) {
      const now = new Date().toISOString();
      const due = await db.view('queue', 'due', { endkey: now, limit: BATCH }).catch(() => ({ rows: [] as { id: string }[] }));
      for (const row of due.rows) await this.processOne(row.id);
      if (due.rows.length < BATCH) break;
    }
    // the earliest future retry or lease end: one timer
    const next = await db.view('queue', 'due', { startkey: new Date().toISOString(), limit: 1 }).catch(() => ({ rows: [] as { key: string }[] }));
    const at = next.rows[0] ? Date.parse(String((next.rows[0] as { key: string }).key)) : NaN;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (Number.isFinite(at) && !this.stopped) {
      this.timer = setTimeout(() => this.kick(), Math.min(Math.max(at - Date.now(), 50), 3_600_000));
      this.timer.unref();
    }
  }

  private async processOne(id: string): Promise<void> {
    const db = await this.sh.store.db();
    const now = Date.now();
    let claimed: WebhookDoc | null = null;
    try {
      const out = await casUpdate<WebhookDoc>(db, id, (raw) => webhookDocSchema.parse(raw), (d): WebhookDoc | null => {
        const due = (d.status === 'pending' && Date.parse(d.nextAttemptAt) <= now) || (d.status === 'processing' && d.leaseUntil !== null && Date.parse(d.leaseUntil) <= now);
        if (!due) return null;
        return { ...d, status: 'processing', attempts: d.attempts + 1, leaseUntil: new Date(now + LEASE_MS).toISOString() };
      });
      if (out?.changed) claimed = out.doc;
    } catch (err) {
      this.log.warn({ err, id }, 'shopify webhook queue: could not claim');
      return;
    }
    if (!claimed) return;
    let outcome: Outcome | null = null;
    let error: string | null = null;
    try {
      outcome = await this.apply(claimed);
    } catch (err) {
      error = err instanceof Error ? err.message.slice(0, 500) : 'failed';
      this.log.warn({ err, id, topic: claimed.topic }, 'shopify webhook: processing failed');
    }
    const finished = new Date().toISOString();
    await casUpdate<WebhookDoc>(db, id, (raw) => webhookDocSchema.parse(raw), (d): WebhookDoc | null => {
      if (d._rev !== claimed!._rev) return null; // someone took it over after our lease ended
      if (outcome) return { ...d, status: outcome.status, result: outcome.result, leaseUntil: null, finishedAt: finished, error: null };
      const next = nextAttempt(d.attempts, Date.now());
      return next.dead
        ? { ...d, status: 'dead', leaseUntil: null, failedAt: finished, error }
        : { ...d, status: 'pending', leaseUntil: null, nextAttemptAt: new Date(next.at).toISOString(), error };
    }).catch((err: unknown) => this.log.warn({ err, id }, 'shopify webhook queue: outcome not recorded (the lease will hand it on)'));
  }

  private async apply(doc: WebhookDoc): Promise<Outcome> {
    const c = await this.sh.store.connection(doc.tenantId);
    if (!c || c.status !== 'connected' || c.shop !== doc.shop) return { status: 'ignored', result: { reason: 'the shop is no longer connected' } };
    switch (doc.topic) {
      case 'inventory_levels/update':
        return this.inventoryLevel(doc, c);
      case 'orders/create': {
        const order = orderPayload.parse(doc.payload);
        return this.writeMovements(c, orderMovements(order, await this.stockContext(c, order)));
      }
      case 'orders/cancelled': {
        const order = orderPayload.parse(doc.payload);
        return this.writeMovements(c, cancelledOrderMovements(order, await this.stockContext(c, order)));
      }
      case 'refunds/create': {
        // refund lines carry their order line (variant and product) in the payload; one without is skipped
        const refund = refundPayload.parse(doc.payload);
        return this.writeMovements(c, refundMovements(refund, () => undefined, await this.stockContext(c, refund)));
      }
      case 'products/update':
        return this.productUpdated(doc, c);
      default:
        return { status: 'ignored', result: { reason: `${doc.topic} is not applied by this release` } };
    }
  }

  private async inventoryLevel(doc: WebhookDoc, c: ConnectionDoc): Promise<Outcome> {
    const p = inventoryLevelPayload.parse(doc.payload);
    const db = await this.sh.store.db();
    const id = levelDocId(c.tenantId, p.inventory_item_id, p.location_id);
    const level = { _id: id, type: 'shopify_level', tenantId: c.tenantId, inventoryItemId: p.inventory_item_id, shopifyLocationId: p.location_id, available: p.available, updatedAt: p.updated_at, webhookId: doc.webhookId };
    type Level = typeof level & { _rev?: string };
    let stale = false;
    const created = await insertOnce<Level>(db, level, () => true, 'Shopify level');
    if (!created.created) {
      await casUpdate<Level>(db, id, (raw) => raw as Level, (cur) => {
        stale = isStale(p.updated_at, cur.updatedAt) || p.updated_at === cur.updatedAt;
        return stale ? null : { ...level, _rev: cur._rev! };
      });
    }
    return stale ? { status: 'ignored', result: { reason: 'older than the level already recorded' } } : { status: 'done', result: { available: p.available, updatedAt: p.updated_at } };
  }

  /** Movements with ids derived from Shopify's: each written once, whichever delivery brings it. */
  private async writeMovements(c: ConnectionDoc, plan: MovementPlan): Promise<Outcome> {
    let written = 0;
    for (const m of plan.movements) {
      const r = await insertOnce(this.sh.couch.use(locationDb(c.tenantId, m.locationCode)), m, () => true, 'Online order movement');
      if (r.created) written++;
    }
    return { status: 'done', result: { movements: plan.movements.map((m) => m._id), written, skipped: plan.skipped } };
  }

  private async productUpdated(doc: WebhookDoc, c: ConnectionDoc): Promise<Outcome> {
    const sp = productFromPayload(productPayload.parse(doc.payload));
    sp.image = null;
    const db = await this.sh.store.db();
    const found = await db.view<null>('links', 'by_shopify_id', { key: [c.tenantId, 'product', sp.id], include_docs: true, limit: 1 });
    const map = found.rows[0]?.doc as unknown as ProductMap | undefined;
    if (!map) return { status: 'ignored', result: { reason: 'the product is not linked to a POS product (run the import)' } };
    if (isStale(sp.updatedAt, map.shopifyUpdatedAt)) return { status: 'ignored', result: { reason: `older (${sp.updatedAt}) than the state applied (${map.shopifyUpdatedAt})` } };
    const catalog = this.sh.couch.use(catalogDb(c.tenantId));
    const existing = productSchema.parse(await catalog.get(map.productId));
    const locations = await listPrefix<{ currency?: string }>(catalog, 'location:');
    const currency = locations.find((l) => l.currency)?.currency;
    const issues: string[] = [];
    const now = new Date().toISOString();
    const built = buildProduct(sp, existing, new Map(map.variants.map((v) => [v.shopifyVariantId, v.variantId])), { ownership: c.ownership, digits: currency ? currencyDigits(currency) : 2, now, actor: INTEGRATION_ACTOR }, issues);
    if (!built) return { status: 'ignored', result: { reason: 'the product could not be applied', issues } };
    // product first, link second: a crash between them re-applies an unchanged product, then writes the link
    if (built.changed) await catalog.insert(built.doc);
    const created = new Set(map.variants.filter((v) => v.created).map((v) => v.shopifyVariantId));
    await db.insert({ ...map, variants: built.map.variants.map((v) => ({ ...v, created: v.created || created.has(v.shopifyVariantId) })), shopifyUpdatedAt: sp.updatedAt, syncedHash: built.shopifySnapshot, updatedAt: now });
    return { status: 'done', result: { changed: built.changed, createdVariants: built.createdVariants, updatedVariants: built.updatedVariants, issues } };
  }

  /** How a payload's lines map to POS variants and stores: only the links of the variants it names are read. */
  private async stockContext(c: ConnectionDoc, payload: unknown): Promise<StockContext> {
    const named = [...variantIdsIn(payload)];
    const byVariant = new Map<string, string>();
    if (named.length) {
      const rows = await (await this.sh.store.db()).view<string>('links', 'by_shopify_id', { keys: named.map((v) => [c.tenantId, 'variant', v]) });
      for (const r of rows.rows) if (r.value) byVariant.set(String((r.key as unknown as unknown[])[2]), r.value);
    }
    const stores = new Map(c.locations.flatMap((l) => (l.shopifyLocationId ? [[l.shopifyLocationId, l.code] as const] : [])));
    return {
      variantOf: (_product, variant) => (variant ? byVariant.get(variant) : undefined),
      storeOf: (loc) => (loc ? stores.get(loc) : undefined) ?? c.orderLocation
    };
  }
}

/** Every `variant_id` in a parsed webhook payload (order lines, refund lines and their order lines). */
export function variantIdsIn(payload: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(payload)) for (const x of payload) variantIdsIn(x, into);
  else if (payload && typeof payload === 'object') {
    for (const [k, v] of Object.entries(payload)) {
      if (k === 'variant_id' && (typeof v === 'number' || typeof v === 'string')) into.add(String(v));
      else if (v && typeof v === 'object') variantIdsIn(v, into);
    }
  }
  return into;
}
