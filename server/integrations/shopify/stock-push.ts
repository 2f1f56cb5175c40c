import { createHash } from 'node:crypto';
import { z } from 'zod';
import { locationDb } from '#domain/db-names.ts';
import { MAX_CHANGES_PER_CALL, SHOPIFY_MOVEMENT_PREFIX, ledgerDeltas, type PushChange, notStockedIndexes, pushChanges, pushCursorId, pushIdempotencyKey } from '#domain/shopify/index.ts';
import { casUpdate } from '../../couch/cas.ts';
import type { Couch } from '../../couch/client.ts';
import { insertOnce } from '../../inventory/store.ts';
import type { Logger } from '../../log.ts';
import { TenantWorker, type WorkerWiring } from '../../workers/tenant-worker.ts';
import { ShopifyApiError, type ShopifyClient } from './client.ts';
import type { ShopifyIntegration } from './service.ts';
import type { ConnectionDoc } from './store.ts';

/**
 * POS → Shopify stock: what the stores' ledgers move (sales, returns, voids, adjustments, transfers,
 * counts, receipts: every document `stock/on_hand` sums) is sent to the mapped Shopify location as
 * deltas with `inventoryAdjustQuantities` — never absolute levels, which would overwrite online sales
 * in flight. Movements the integration wrote from Shopify (`movement:shopify:…`) are not sent back.
 *
 * Per tenant store, a cursor document in `integrations` (`shopify_push:{tenant}:{store}`) holds the
 * store database's `_changes` position. A page of changes becomes a batch in two steps, each a
 * compare-and-swap write of the cursor:
 *   1. prepare — the batch (its changes-feed range, the summed deltas, the ledger documents it covers)
 *      is written into the cursor as `pending`, before Shopify is called;
 *   2. send, then advance — Shopify is called with an idempotency key named after the batch
 *      (tenant, store, range, part); only once it accepted is the cursor moved past the range.
 * A crash (or a lost answer) between Shopify accepting and the cursor moving leaves `pending` in
 * place: whoever resumes sends the same batch with the same key and Shopify applies it once
 * (its retention window is 24 h: a batch stuck longer than that is sent as new). Nothing is skipped:
 * the cursor moves only past what Shopify accepted, or past pages with nothing to send.
 *
 * A cluster's changes feed may replay a few changes already read (at-least-once); the ids of the
 * ledger documents pushed lately are kept in the cursor (`recent`) and a replayed one is not sent
 * again. A replay older than those would be sent twice: reconciliation shows it as drift.
 *
 * Triggered by the database updates of the tenant's store databases (TenantWorker, with its lease:
 * one server copy pushes a tenant at a time); nothing runs on a timer over tenants. A failed send is
 * kept `pending` with its error on the cursor (the status call shows it) and retried after
 * `retryMs`; changes Shopify refuses because the item is not stocked at that location are dropped
 * from the batch (counted as `notStocked`) and the rest is sent. The cursor starts where the store was mapped (or the store connected again): what was
 * sold before is not pushed; the import and reconciliation own the levels up to then.
 */
const PAGE = 200;
const RECENT = 500;
const REASON = 'correction';

const changeSchema = z.object({ inventoryItemId: z.string(), shopifyLocationId: z.string(), delta: z.number().int() });
export const correctionSchema = z.object({
  id: z.string(),
  variantIds: z.array(z.string()),
  requestedAt: z.string(),
  requestedBy: z.string(),
  /** pending: not looked at yet; sending: its deltas are the cursor's pending batch; done: sent (or nothing to send) */
  status: z.enum(['pending', 'sending', 'done']),
  result: z.object({ changes: z.number(), units: z.number(), notStocked: z.array(z.string()), unlinked: z.array(z.string()), at: z.string() }).nullable()
});
export type Correction = z.infer<typeof correctionSchema>;
/** Corrections kept on a cursor once done (the newest), for the admin page. */
const KEEP_DONE = 10;
export const pushCursorSchema = z.looseObject({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal('shopify_push_cursor'),
  tenantId: z.string(),
  locationCode: z.string(),
  shopifyLocationId: z.string(),
  /** the connection this cursor belongs to: a new connection starts a new cursor */
  connectedAt: z.string(),
  /** `_changes` position of the store database: everything up to it was pushed or had nothing to push */
  since: z.string(),
  pending: z
    .object({
      from: z.string(),
      to: z.string(),
      changes: z.array(changeSchema),
      docs: z.array(z.string()),
      preparedAt: z.string(),
      /** bumped only when Shopify says the attempt under the key failed (nothing applied): a fresh key */
      attempt: z.number().int().min(0).default(0),
      /** a reconciliation correction (its request id) rather than a page of the changes feed: `from` = `to` */
      correction: z.string().optional()
    })
    .nullable(),
  /** "push POS stock" requests from reconciliation, oldest first (reconcile.ts); the last few done are kept */
  corrections: z.array(correctionSchema).default([]),
  /** ids of the ledger documents pushed lately, newest first (a replayed change is not sent twice) */
  recent: z.array(z.string()),
  startedAt: z.string(),
  lastPushAt: z.string().nullable(),
  lastPush: z.object({ documents: z.number(), changes: z.number(), units: z.number() }).nullable(),
  /** ledger lines of variants not linked to a Shopify product: counted, not sent */
  unlinkedLines: z.number(),
  lastUnlinked: z.array(z.string()),
  /** changes Shopify refused because the item is not stocked at the location: dropped, counted */
  notStocked: z.number(),
  lastNotStocked: z.array(z.string()),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  failures: z.number(),
  updatedAt: z.string()
});
export type PushCursor = z.infer<typeof pushCursorSchema>;
const parseCursor = (raw: unknown) => pushCursorSchema.parse(raw);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A correction marked done with its result, keeping every unfinished one and the newest done ones. */
function finish(list: readonly Correction[], id: string, result: NonNullable<Correction['result']>): Correction[] {
  const marked = list.map((k) => (k.id === id ? { ...k, status: 'done' as const, result: { ...result, notStocked: k.result?.notStocked ?? result.notStocked, unlinked: k.result?.unlinked ?? result.unlinked } } : k));
  const done = marked.filter((k) => k.status === 'done');
  const drop = new Set(done.slice(0, Math.max(0, done.length - KEEP_DONE)).map((k) => k.id));
  return marked.filter((k) => !drop.has(k.id));
}

/** The mapped stores of a connection: store code → Shopify location. */
export function mappedStores(c: ConnectionDoc): { code: string; shopifyLocationId: string }[] {
  return c.status === 'connected' && c.mapped ? c.locations.flatMap((l) => (l.shopifyLocationId ? [{ code: l.code, shopifyLocationId: l.shopifyLocationId }] : [])) : [];
}

/** `_changes` sequences: a number (embedded store) or "N-…" (CouchDB): N counts the changes. */
const seqCount = (seq: string) => Number.parseInt(seq, 10) || 0;

export class StockPusher {
  constructor(private readonly sh: ShopifyIntegration) {}

  private get couch(): Couch {
    return this.sh.couch;
  }

  /**
   * The cursor of a mapped store for this connection, started at the store database's current position
   * when there is none (or one of an earlier connection or mapping: its unsent batch is dropped).
   */
  async ensureCursor(c: ConnectionDoc, code: string, shopifyLocationId: string): Promise<PushCursor> {
    const db = await this.sh.store.db();
    const id = pushCursorId(c.tenantId, code);
    const current = (await this.sh.store.get(id, parseCursor)) ?? null;
    const fits = (x: PushCursor) => x.connectedAt === c.connectedAt && x.shopifyLocationId === shopifyLocationId;
    if (current && fits(current)) return current;
    const info = (await this.couch.use(locationDb(c.tenantId, code)).info()) as { update_seq: unknown };
    const now = new Date().toISOString();
    const fresh: PushCursor = {
      _id: id,
      type: 'shopify_push_cursor',
      tenantId: c.tenantId,
      locationCode: code,
      shopifyLocationId,
      connectedAt: c.connectedAt,
      since: String(info.update_seq),
      pending: null,
      recent: [],
      corrections: [],
      startedAt: now,
      lastPushAt: null,
      lastPush: null,
      unlinkedLines: 0,
      lastUnlinked: [],
      notStocked: 0,
      lastNotStocked: [],
      lastError: null,
      lastErrorAt: null,
      failures: 0,
      updatedAt: now
    };
    if (!current) {
      const r = await insertOnce(db, fresh, () => true, 'Shopify push cursor');
      if (r.created || fits(r.doc)) return r.doc;
    }
    const out = await casUpdate<PushCursor>(db, id, parseCursor, (cur) => (fits(cur) ? null : { ...fresh, _rev: cur._rev! }));
    if (!out) throw new Error(`could not start the Shopify push cursor ${id}`);
    return out.doc;
  }

  /** Cursors for every mapped store of a connection (when the mapping is saved or the store connected). */
  async startCursors(c: ConnectionDoc): Promise<void> {
    for (const m of mappedStores(c)) await this.ensureCursor(c, m.code, m.shopifyLocationId);
  }

  /** Pushes every mapped store of a tenant; one store's failure does not hold up the others. */
  async pushTenant(tenantId: string): Promise<void> {
    const c = await this.sh.store.connection(tenantId);
    if (!c) return;
    const stores = mappedStores(c);
    if (!stores.length) return;
    const client = this.sh.clientOf(c);
    let failed: unknown = null;
    for (const m of stores) {
      try {
        await this.pushStore(c, client, m.code, m.shopifyLocationId);
      } catch (err) {
        failed ??= err;
      }
    }
    if (failed) throw failed;
  }

  private async pushStore(c: ConnectionDoc, client: ShopifyClient, code: string, shopifyLocationId: string): Promise<void> {
    let cur = await this.ensureCursor(c, code, shopifyLocationId);
    const src = this.couch.use(locationDb(c.tenantId, code));
    for (;;) {
      if (cur.pending) {
        cur = await this.send(c, client, cur);
        continue;
      }
      const page = (await src.changes({ since: cur.since, include_docs: true, limit: PAGE })) as unknown as {
        results: { id: string; deleted?: boolean; doc?: Record<string, unknown> }[];
        last_seq: unknown;
      };
      const to = String(page.last_seq);
      if (!page.results.length || to === cur.since) {
        // caught up with the store: now (and only now) a reconciliation correction can be measured
        const corr = cur.corrections.find((x) => x.status === 'pending');
        if (!corr) return;
        cur = await this.prepareCorrection(c, client, cur, corr);
        continue;
      }
      const recent = new Set(cur.recent);
      const moving = page.results.flatMap((r) => (r.doc && !r.deleted && !recent.has(r.id) && ledgerDeltas(r.doc).some((d) => d.locationCode === code) ? [r.doc] : []));
      const variants = [...new Set(moving.flatMap((d) => ledgerDeltas(d).map((x) => x.variantId)))];
      const items = await this.inventoryItems(c.tenantId, variants);
      const { changes, unmapped } = pushChanges(moving, (v) => items.get(v), (l) => (l === code ? shopifyLocationId : undefined));
      const docs = moving.filter((d) => ledgerDeltas(d).some((x) => items.has(x.variantId))).map((d) => String(d._id));
      const unlinked = moving.reduce((n, d) => n + ledgerDeltas(d).filter((x) => !items.has(x.variantId)).length, 0);
      const base = cur._rev;
      const now = new Date().toISOString();
      const next = await casUpdate<PushCursor>(await this.sh.store.db(), cur._id, parseCursor, (x) => {
        if (x._rev !== base) return null; // another copy moved it: continue from its state
        const counted = { unlinkedLines: x.unlinkedLines + unlinked, lastUnlinked: unmapped.length ? unmapped.slice(0, 20) : x.lastUnlinked, updatedAt: now };
        // nothing to send (no stock moved, only unlinked variants, or deltas summing to zero): move on
        if (!changes.length) return { ...x, ...counted, since: to, recent: [...docs, ...x.recent].slice(0, RECENT) };
        return { ...x, ...counted, pending: { from: x.since, to, changes, docs, preparedAt: now, attempt: 0 } };
      });
      if (!next) throw new Error(`the Shopify push cursor ${cur._id} is being written by others; retrying`);
      cur = next.doc;
    }
  }

  /** Sends the cursor's pending batch (again, after a crash: same keys), then moves the cursor past it. */
  private async send(c: ConnectionDoc, client: ShopifyClient, cur: PushCursor): Promise<PushCursor> {
    const p = cur.pending!;
    const db = await this.sh.store.db();
    try {
      for (let part = 0; part * MAX_CHANGES_PER_CALL < p.changes.length; part++) {
        const slice = p.changes.slice(part * MAX_CHANGES_PER_CALL, (part + 1) * MAX_CHANGES_PER_CALL);
        const from = `${p.from}${p.correction ? `#fix-${p.correction}` : ''}${p.attempt ? `#${p.attempt}` : ''}`;
        const key = pushIdempotencyKey(sha256, c.tenantId, cur.locationCode, from, p.to, part, slice);
        try {
          await client.adjustAvailable(
            slice.map((x) => ({ inventoryItemId: x.inventoryItemId, locationId: x.shopifyLocationId, delta: x.delta })),
            { reason: REASON, referenceDocumentUri: `pos-platform://stock-push/${encodeURIComponent(c.tenantId)}/${encodeURIComponent(cur.locationCode)}/${key}`, idempotencyKey: key }
          );
        } catch (err) {
          // items Shopify does not stock at that location: nothing of the call was applied; the batch
          // goes on without them (earlier parts keep their keys: their slices are unchanged)
          if (err instanceof ShopifyApiError && err.userErrors.some((e) => e.code === 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED')) {
            // the earlier call under this key failed on Shopify's side and applied nothing: retry anew
            await this.bumpAttempt(cur);
            throw err;
          }
          const refused = err instanceof ShopifyApiError && err.kind === 'user' ? notStockedIndexes(err.userErrors) : null;
          if (!refused || refused.some((i) => i >= slice.length)) throw err;
          return await this.dropNotStocked(cur, new Set(refused.map((i) => part * MAX_CHANGES_PER_CALL + i)));
        }
      }
    } catch (err) {
      const message = (err instanceof Error ? err.message : 'failed').slice(0, 500);
      await casUpdate<PushCursor>(db, cur._id, parseCursor, (x) =>
        x._rev === cur._rev || (x.pending && x.pending.to === p.to) ? { ...x, lastError: message, lastErrorAt: new Date().toISOString(), failures: x.failures + 1, updatedAt: new Date().toISOString() } : null
      ).catch(() => {});
      throw err;
    }
    const now = new Date().toISOString();
    const out = await casUpdate<PushCursor>(db, cur._id, parseCursor, (x) => {
      // only the batch just sent is cleared (another copy may already have done it and gone on)
      if (!x.pending || x.pending.from !== p.from || x.pending.to !== p.to || x.pending.correction !== p.correction) return null;
      const units = p.changes.reduce((n, ch) => n + Math.abs(ch.delta), 0);
      return {
        ...x,
        corrections: p.correction ? finish(x.corrections, p.correction, { changes: p.changes.length, units, notStocked: x.lastNotStocked, unlinked: [], at: now }) : x.corrections,
        since: p.to,
        pending: null,
        recent: [...p.docs, ...x.recent].slice(0, RECENT),
        lastPushAt: now,
        lastPush: { documents: p.docs.length, changes: p.changes.length, units },
        lastError: null,
        lastErrorAt: null,
        failures: 0,
        updatedAt: now
      };
    });
    if (!out) throw new Error(`the Shopify push cursor ${cur._id} is being written by others; retrying`);
    return out.doc;
  }

  /**
   * Turns a "push POS stock" request into a pending batch of deltas that make Shopify's available equal
   * what the POS has pushed so far, for the variants named. Runs only when the store's cursor is caught
   * up and under the tenant's lease, so no in-store push moves Shopify meanwhile. In-store stock written
   * since the cursor (not pushed yet) is left out on purpose: it is sent by the normal push right after,
   * and counting it here too would send it twice. The ledger rows are read first and the changes since
   * the cursor second, so a sale written between the two reads is left out (and pushed later) rather
   * than counted as already pushed. Online orders' movements (`movement:shopify:…`) are already in
   * Shopify's number and count as pushed. The batch then goes through `send` like any other: under an
   * idempotency key naming the request, so a crash or lost answer cannot apply it twice.
   */
  private async prepareCorrection(c: ConnectionDoc, client: ShopifyClient, cur: PushCursor, corr: Correction): Promise<PushCursor> {
    const code = cur.locationCode;
    const items = await this.inventoryItems(c.tenantId, corr.variantIds);
    const linked = corr.variantIds.filter((v) => items.has(v));
    const unlinked = corr.variantIds.filter((v) => !items.has(v));
    const src = this.couch.use(locationDb(c.tenantId, code));
    const rows = linked.length
      ? ((await src.view('stock', 'on_hand', { keys: linked.map((v) => [code, v]), reduce: false })) as unknown as { rows: { id: string; key: [string, string]; value: number }[] }).rows
      : [];
    const unsent = new Set<string>();
    const recent = new Set(cur.recent);
    for (let since = cur.since; ; ) {
      const page = (await src.changes({ since, limit: 1000 })) as unknown as { results: { id: string }[]; last_seq: unknown };
      for (const r of page.results) if (!recent.has(r.id) && !r.id.startsWith(SHOPIFY_MOVEMENT_PREFIX)) unsent.add(r.id);
      if (page.results.length < 1000) break;
      since = String(page.last_seq);
    }
    const pushed = new Map<string, number>();
    for (const r of rows) if (!unsent.has(r.id)) pushed.set(r.key[1], (pushed.get(r.key[1]) ?? 0) + r.value);
    const shopify = linked.length ? await client.levelsAt(cur.shopifyLocationId) : new Map<string, number>();
    const notStocked: string[] = [];
    const changes: PushChange[] = [];
    for (const v of linked) {
      const item = items.get(v)!;
      const level = shopify.get(item);
      if (level === undefined) {
        notStocked.push(v);
        continue;
      }
      const delta = (pushed.get(v) ?? 0) - level;
      if (delta !== 0) changes.push({ inventoryItemId: item, shopifyLocationId: cur.shopifyLocationId, delta });
    }
    changes.sort((a, b) => a.inventoryItemId.localeCompare(b.inventoryItemId));
    const now = new Date().toISOString();
    const out = await casUpdate<PushCursor>(await this.sh.store.db(), cur._id, parseCursor, (x) => {
      if (x._rev !== cur._rev) return null; // moved by another copy: look again from its state
      if (!changes.length) return { ...x, corrections: finish(x.corrections, corr.id, { changes: 0, units: 0, notStocked, unlinked, at: now }), updatedAt: now };
      return {
        ...x,
        pending: { from: x.since, to: x.since, changes, docs: [], preparedAt: now, attempt: 0, correction: corr.id },
        corrections: x.corrections.map((k) => (k.id === corr.id ? { ...k, status: 'sending' as const, result: { changes: changes.length, units: 0, notStocked, unlinked, at: now } } : k)),
        updatedAt: now
      };
    });
    if (!out?.changed) throw new Error(`the Shopify push cursor ${cur._id} is being written by others; retrying`);
    return out.doc;
  }

  private async bumpAttempt(cur: PushCursor): Promise<void> {
    const p = cur.pending!;
    await casUpdate<PushCursor>(await this.sh.store.db(), cur._id, parseCursor, (x) => (x._rev === cur._rev ? { ...x, pending: { ...p, attempt: p.attempt + 1 } } : null));
  }

  /** The pending batch without the changes at `drop` (refused as not stocked), counted on the cursor. */
  private async dropNotStocked(cur: PushCursor, drop: ReadonlySet<number>): Promise<PushCursor> {
    const p = cur.pending!;
    const dropped = p.changes.filter((_, i) => drop.has(i));
    const now = new Date().toISOString();
    const out = await casUpdate<PushCursor>(await this.sh.store.db(), cur._id, parseCursor, (x) => {
      if (x._rev !== cur._rev) return null;
      return {
        ...x,
        pending: { ...p, changes: p.changes.filter((_, i) => !drop.has(i)) },
        notStocked: x.notStocked + dropped.length,
        lastNotStocked: dropped.map((d) => d.inventoryItemId).slice(0, 20),
        updatedAt: now
      };
    });
    if (!out) throw new Error(`the Shopify push cursor ${cur._id} is being written by others; retrying`);
    return out.doc;
  }

  /** POS variant → Shopify inventory item, for the variants named (links/by_pos_variant). */
  private async inventoryItems(tenantId: string, variants: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!variants.length) return out;
    const rows = await (await this.sh.store.db()).view<string>('links', 'by_pos_variant', { keys: variants.map((v) => [tenantId, v]) });
    for (const r of rows.rows) if (r.value) out.set(String((r.key as unknown as unknown[])[1]), r.value);
    return out;
  }

  /** What the status call shows per mapped store: backlog, last push, last error. */
  async status(c: ConnectionDoc) {
    return Promise.all(
      mappedStores(c).map(async (m) => {
        const cur = await this.sh.store.get(pushCursorId(c.tenantId, m.code), parseCursor);
        const fits = cur && cur.connectedAt === c.connectedAt && cur.shopifyLocationId === m.shopifyLocationId;
        const info = (await this.couch.use(locationDb(c.tenantId, m.code)).info().catch(() => null)) as { update_seq: unknown } | null;
        return {
          code: m.code,
          shopifyLocationId: m.shopifyLocationId,
          started: !!fits,
          // changes of the store database not read yet (any document, not only stock) — 0 when caught up
          backlog: fits && info ? Math.max(0, seqCount(String(info.update_seq)) - seqCount(cur.since)) : null,
          inFlight: fits && cur.pending ? { documents: cur.pending.docs.length, changes: cur.pending.changes.length, preparedAt: cur.pending.preparedAt } : null,
          lastPushAt: fits ? cur.lastPushAt : null,
          lastPush: fits ? cur.lastPush : null,
          unlinkedLines: fits ? cur.unlinkedLines : 0,
          notStocked: fits ? cur.notStocked : 0,
          lastError: fits ? cur.lastError : null,
          lastErrorAt: fits ? cur.lastErrorAt : null,
          failures: fits ? cur.failures : 0,
          corrections: fits ? cur.corrections.map((k) => ({ id: k.id, variants: k.variantIds.length, requestedAt: k.requestedAt, status: k.status, result: k.result })) : []
        };
      })
    );
  }
}

/** The push worker: every server copy runs one; the lease gives each tenant to one copy at a time. */
export function startStockPushWorker(sh: ShopifyIntegration, log: Logger, wiring: WorkerWiring, retryMs: number): TenantWorker {
  return new TenantWorker(sh.couch, log, {
    name: 'shopify push',
    kinds: ['location'],
    leases: wiring.leases,
    retryMs,
    ...(wiring.settleMs ? { settleMs: wiring.settleMs } : {}),
    perTenant: (t) => sh.pusher.pushTenant(t)
  }).attach(wiring.updates);
}
