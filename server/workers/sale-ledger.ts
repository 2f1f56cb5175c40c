import type { z } from 'zod';
import { PLATFORM_DB, catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { ledgerEntriesForSale, tenderLedgerId, type LedgerEntryDoc } from '#domain/sale-ledger.ts';
import { saleSchema, settingsSchema, voidSchema } from '#domain/schemas/index.ts';
import { statusOf, type Couch, type Db } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import type { TenantDoc } from '../platform/types.ts';
import { TenantWorker, type WorkerWiring } from './tenant-worker.ts';

/**
 * Derives the customer ledger from the sales. A register's sale (in the location database) is the one
 * durable write for money taken from store credit or a gift card and for loyalty points earned; this
 * worker follows every location database's changes feed and writes the `ledger_entry` documents each
 * sale implies (`ledgerEntriesForSale`) into the tenant's customers database, where they replicate back
 * to every register (which until then subtracts its own pending sales: register/local-ledger.ts).
 *
 * Exactly once, like the approvals audit: entry ids are derived from the sale (`ledger:{saleId}:…`), so
 * a re-read after a crash, a restart, a lost checkpoint or a second server copy writes the same ids and
 * CouchDB refuses the duplicate with a conflict. The checkpoint is `_local/sale-ledger-{locationDb}` in
 * the customers database (next to the output: a rebuilt customers database re-derives its entries).
 *
 * A void reverses what its sale wrote: `ledger:{voidId}:points` and `ledger:{voidId}:t{i}`, each the
 * negation of the sale's entry as written (so a later change of the points rate cannot unbalance it).
 * Registers refuse to void store-credit / gift-card sales, but a void that arrives anyway is reversed
 * in full so the balances stay true. A sale and its void are paired by id (`void:{x}` ↔ `sale:{x}`), so
 * whichever reaches the server first, the reversal is written once both are there.
 */
type SaleDoc = z.infer<typeof saleSchema>;
type VoidDoc = z.infer<typeof voidSchema>;
type Row = { id: string; doc?: Record<string, unknown> | null; value?: { deleted?: boolean }; error?: string };

const PAGE = 500;
const SETTINGS_TTL_MS = 30_000;
const DEFAULT_POINTS_PER_UNIT = 1;

export const voidIdOfSale = (saleId: string) => `void:${saleId.slice('sale:'.length)}`;
export const saleIdOfVoid = (voidId: string) => `sale:${voidId.slice('void:'.length)}`;

/** Every id a sale's entries can have (points and one per tender), whatever the points rate was. */
export function saleLedgerIds(sale: Pick<SaleDoc, '_id' | 'tenders'>): string[] {
  return [`ledger:${sale._id}:points`, ...sale.tenders.map((_, i) => tenderLedgerId(sale._id, i))];
}

/**
 * The entries reversing a voided sale: one per entry the sale wrote, same account and holder, minus
 * its amount, named after the void (`ledger:{voidId}:points`, `ledger:{voidId}:t{i}`). Pure.
 */
export function voidLedgerEntries(v: Pick<VoidDoc, '_id' | 'saleId' | 'cashierId' | 'createdAt'>, saleEntries: readonly LedgerEntryDoc[]): LedgerEntryDoc[] {
  const prefix = `ledger:${v.saleId}:`;
  return saleEntries
    .filter((e) => e._id.startsWith(prefix) && e.amount !== 0)
    .map((e) => ({
      _id: `ledger:${v._id}:${e._id.slice(prefix.length)}`,
      type: 'ledger_entry' as const,
      account: e.account,
      holder: e.holder,
      amount: -e.amount,
      reason: 'void',
      ref: v._id,
      createdAt: v.createdAt,
      createdBy: v.cashierId
    }));
}

/** Same money on the same account of the same holder: what matters when an id already exists. */
export function sameEntry(a: Pick<LedgerEntryDoc, 'account' | 'holder' | 'amount'>, b: Record<string, unknown>): boolean {
  return b.type === 'ledger_entry' && a.account === b.account && a.holder === b.holder && a.amount === b.amount;
}

/** `settings.loyaltyPointsPerUnit` per tenant, read from the catalog at most every `ttlMs`. */
export class PointsRateCache {
  private readonly entries = new Map<string, { value: number; until: number }>();
  constructor(private readonly ttlMs = SETTINGS_TTL_MS) {}

  async get(couch: Couch, tenantId: string): Promise<number> {
    const hit = this.entries.get(tenantId);
    if (hit && hit.until > Date.now()) return hit.value;
    let raw: unknown;
    try {
      raw = ((await couch.use(catalogDb(tenantId)).get('settings:tenant')) as { loyaltyPointsPerUnit?: unknown }).loyaltyPointsPerUnit;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    const parsed = settingsSchema.shape.loyaltyPointsPerUnit.safeParse(raw);
    const value = parsed.success ? parsed.data : DEFAULT_POINTS_PER_UNIT;
    this.entries.set(tenantId, { value, until: Date.now() + this.ttlMs });
    return value;
  }
}

interface Checkpoint {
  _id: string;
  _rev?: string;
  since: string | number;
}

/** The worker's checkpoint for a location database (in the customers database; a restore clears it). */
export const saleLedgerCheckpointId = (dbName: string) => `_local/sale-ledger-${dbName}`;
const checkpointId = saleLedgerCheckpointId;

export interface SaleLedgerResult {
  db: string;
  /** changes read since the checkpoint */
  changes: number;
  /** ledger entries newly written (sales' and voids'); entries already there are not counted */
  written: number;
  /** entries whose id existed with different money (written by someone else): logged as an alert */
  mismatched: string[];
  /** voids whose sale is not on the server yet: reversed when the sale arrives */
  waiting: string[];
  /** sale / void documents that do not match their schema (cannot be on the server through the gateway) */
  invalid: string[];
}

async function getDocs(db: Db, keys: string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  if (keys.length === 0) return out;
  const res = (await db.fetch({ keys })) as unknown as { rows: Row[] };
  for (const r of res.rows) if (r.doc && !r.value?.deleted) out.set(r.id, r.doc);
  return out;
}

/** Writes entries once: a conflict means already written; one with different money is reported. */
async function writeOnce(customers: Db, entries: LedgerEntryDoc[], out: SaleLedgerResult): Promise<void> {
  if (entries.length === 0) return;
  const res = (await customers.bulk({ docs: entries })) as { id: string; error?: string; reason?: string }[];
  const failed = res.filter((r) => r.error && r.error !== 'conflict');
  if (failed.length) throw new Error(`ledger write failed for ${failed[0]!.id}: ${failed[0]!.error} ${failed[0]!.reason ?? ''}`);
  out.written += res.filter((r) => !r.error).length;
  const existing = await getDocs(
    customers,
    res.filter((r) => r.error === 'conflict').map((r) => r.id)
  );
  for (const e of entries) {
    const found = existing.get(e._id);
    if (found && !sameEntry(e, found)) out.mismatched.push(e._id);
  }
}

/** Reads one location database's changes since its checkpoint and writes the ledger they imply. */
export async function deriveLocationLedger(couch: Couch, tenantId: string, dbName: string, rates = new PointsRateCache()): Promise<SaleLedgerResult> {
  const customers = couch.use(customersDb(tenantId));
  const src = couch.use(dbName);
  let cp: Checkpoint | null = null;
  try {
    cp = (await customers.get(checkpointId(dbName))) as Checkpoint;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  let since: string | number = cp?.since ?? 0;
  const out: SaleLedgerResult = { db: dbName, changes: 0, written: 0, mismatched: [], waiting: [], invalid: [] };
  for (;;) {
    const page = (await src.changes({ since: String(since), include_docs: true, limit: PAGE })) as unknown as {
      results: { id: string; doc?: Record<string, unknown>; deleted?: boolean }[];
      last_seq: string | number;
    };
    out.changes += page.results.length;

    // Pair every sale and void of the page with its counterpart (sale:{x} ↔ void:{x}).
    const sales = new Map<string, SaleDoc>();
    const voids = new Map<string, VoidDoc>(); // by sale id
    const take = (doc: Record<string, unknown>) => {
      if (doc.type === 'sale') {
        const p = saleSchema.safeParse(doc);
        if (p.success) sales.set(p.data._id, p.data);
        else out.invalid.push(String(doc._id));
      } else if (doc.type === 'void') {
        const p = voidSchema.safeParse(doc);
        if (p.success) voids.set(p.data.saleId, p.data);
        else out.invalid.push(String(doc._id));
      }
    };
    for (const r of page.results) if (r.doc && !r.deleted && (r.doc.type === 'sale' || r.doc.type === 'void')) take(r.doc);
    if (sales.size || voids.size) {
      const missing = [...[...sales.keys()].filter((id) => !voids.has(id)).map(voidIdOfSale), ...[...voids.keys()].filter((id) => !sales.has(id))];
      for (const doc of (await getDocs(src, missing)).values()) take(doc);

      const rate = await rates.get(couch, tenantId);
      // The sales' own entries first, so a void in the same page reverses what is really written.
      await writeOnce(customers, [...sales.values()].flatMap((s) => ledgerEntriesForSale(s, rate)), out);
      const voided = [...voids.values()].filter((v) => {
        if (sales.has(v.saleId)) return true;
        out.waiting.push(v._id);
        return false;
      });
      if (voided.length) {
        const written = await getDocs(customers, voided.flatMap((v) => saleLedgerIds(sales.get(v.saleId)!)));
        const saleEntries = [...written.values()] as LedgerEntryDoc[];
        await writeOnce(customers, voided.flatMap((v) => voidLedgerEntries(v, saleEntries)), out);
      }
    }
    if (String(page.last_seq) !== String(since)) {
      since = page.last_seq;
      cp = await saveCheckpoint(customers, dbName, cp, since);
    }
    if (page.results.length < PAGE) return out;
  }
}

async function saveCheckpoint(db: Db, dbName: string, cp: Checkpoint | null, since: string | number): Promise<Checkpoint> {
  const doc = { _id: checkpointId(dbName), ...(cp?._rev ? { _rev: cp._rev } : {}), since };
  try {
    const r = await db.insert(doc);
    return { ...doc, _rev: r.rev };
  } catch (err) {
    // Another server copy moved it: take its revision; at worst a few changes are read again (no-op).
    if (statusOf(err) !== 409) throw err;
    return (await db.get(doc._id)) as Checkpoint;
  }
}

/** Every location of the tenant, one after the other. */
export async function deriveTenantLedger(couch: Couch, tenantId: string, rates = new PointsRateCache()): Promise<SaleLedgerResult[]> {
  const tenant = (await couch.use(PLATFORM_DB).get(`tenant:${tenantId}`)) as TenantDoc;
  const out: SaleLedgerResult[] = [];
  for (const code of tenant.locations) out.push(await deriveLocationLedger(couch, tenantId, locationDb(tenantId, code), rates));
  return out;
}

/** Runs on every server copy (idempotent, see above); one copy works a tenant at a time. */
export function startSaleLedgerWorker(couch: Couch, log: Logger, wiring: WorkerWiring): TenantWorker {
  const rates = new PointsRateCache();
  return new TenantWorker(couch, log, {
    name: 'sale ledger',
    kinds: ['location'],
    leases: wiring.leases,
    ...(wiring.settleMs ? { settleMs: wiring.settleMs } : {}),
    perTenant: async (t) => {
      for (const r of await deriveTenantLedger(couch, t, rates)) {
        if (r.written) log.info({ tenantId: t, db: r.db, changes: r.changes, written: r.written }, 'customer ledger entries derived from sales');
        if (r.mismatched.length) log.error({ tenantId: t, db: r.db, ids: r.mismatched }, 'ledger entries named after a sale already exist with different money; not overwritten');
        if (r.invalid.length) log.warn({ tenantId: t, db: r.db, ids: r.invalid }, 'sale or void documents that fail their schema were skipped by the ledger worker');
      }
    }
  }).attach(wiring.updates);
}
