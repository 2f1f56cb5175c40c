import type { z } from 'zod';
import {
  cashMovementSchema,
  customerSchema,
  describeIssues,
  layawayCloseSchema,
  layawayPaymentSchema,
  layawaySchema,
  outboxSchema,
  parkedSaleSchema,
  paymentVoidSchema,
  saleSchema,
  shiftCloseSchema,
  shiftSchema,
  timeEntrySchema,
  voidSchema
} from '../domain/schemas/index.ts';
import { diagnoseStorageFailure } from './durability.ts';
import { matchesQuery } from '../domain/customers.ts';
import { nfcDeep } from '../domain/schemas/text.ts';

/**
 * The register's one data layer over its local replicas — location, catalog, customers — (STYLE.md §3):
 * nothing else in the register calls PouchDB. Verb-named functions, each write checked against the
 * same zod schema the gateway applies, so a document that would be refused on sync is never stored.
 * Every write is local and never waits for the network.
 */
export type {
  CashMovementDoc,
  LayawayCloseDoc,
  LayawayDoc,
  LayawayPaymentDoc,
  OutboxDoc,
  ParkedSaleDoc,
  PaymentVoidDoc,
  SaleDoc,
  ShiftCloseDoc,
  ShiftDoc,
  TimeEntryDoc,
  VoidDoc
} from '../domain/schemas/index.ts';
import type { CashMovementDoc, LayawayCloseDoc, LayawayDoc, LayawayPaymentDoc, OutboxDoc, ParkedSaleDoc, PaymentVoidDoc, SaleDoc, ShiftCloseDoc, ShiftDoc, TimeEntryDoc, VoidDoc } from '../domain/schemas/index.ts';

/** A write that did not become durable: the caller must not report the sale (or anything) complete. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** The document is not valid: a bug or bad input, never stored. */
export class InvalidDocumentError extends Error {
  name = 'InvalidDocumentError';
}

export class AlreadyExistsError extends Error {
  name = 'AlreadyExistsError';
}

function isQuota(err: unknown): boolean {
  const e = err as { name?: string; message?: string; reason?: string } | null;
  const text = `${e?.name ?? ''} ${e?.message ?? ''} ${e?.reason ?? ''}`;
  return /quota|QuotaExceeded|disk|space/i.test(text);
}

async function write<S extends z.ZodType>(db: PouchDB.Database, schema: S, doc: unknown): Promise<z.infer<S> & { _rev: string }> {
  // typed text (reasons, notes, labels) is NFC-normalised first, as the gateway requires (schemas/text.ts)
  const parsed = schema.safeParse(nfcDeep(doc));
  if (!parsed.success) throw new InvalidDocumentError(describeIssues(parsed.error));
  const body = parsed.data as z.infer<S> & { _id: string };
  try {
    const res = await db.put(body as PouchDB.Core.PutDocument<object>);
    return { ...body, _rev: res.rev };
  } catch (err) {
    if ((err as { status?: number }).status === 409) throw new AlreadyExistsError(`${body._id} already exists`);
    throw await storageError(err);
  }
}

/** Turns a failed local write into the reason a cashier can act on. */
export async function storageError(err: unknown): Promise<StorageError> {
  const why = isQuota(err) ? 'full' : await diagnoseStorageFailure().catch(() => 'unavailable' as const);
  if (why === 'full') return new StorageError('This register’s storage is full, so nothing was saved. Sync and free up space on this device (or ask IT), then try again.', err);
  return new StorageError(`This register could not save to its storage (${(err as Error)?.message ?? 'unknown error'}), so nothing was saved. Reload the page and try again.`, err);
}

async function getOrNull<T>(db: PouchDB.Database, id: string): Promise<(T & { _rev: string }) | null> {
  try {
    return (await db.get(id)) as T & { _rev: string };
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}

async function byPrefix<T>(db: PouchDB.Database, start: string, end: string, opts: { descending?: boolean; limit?: number } = {}): Promise<T[]> {
  const res = await db.allDocs({
    include_docs: true,
    ...(opts.descending ? { descending: true, startkey: end, endkey: start } : { startkey: start, endkey: end }),
    ...(opts.limit ? { limit: opts.limit } : {})
  });
  return res.rows.map((r) => r.doc as unknown as T);
}

const ulidOf = (id: string) => id.slice(id.lastIndexOf(':') + 1);

// --- sales ---------------------------------------------------------------------------------------

/** One local write makes the whole sale durable: lines, tenders, tax, stock (the views read it). */
export const recordSale = (db: PouchDB.Database, sale: SaleDoc) => write(db, saleSchema, sale);
export const findSale = (db: PouchDB.Database, id: string) => getOrNull<SaleDoc>(db, id);
export const recordVoid = (db: PouchDB.Database, v: VoidDoc) => write(db, voidSchema, v);
export const recordOutbox = (db: PouchDB.Database, o: OutboxDoc) => write(db, outboxSchema, o);

/** Tenders of an unfinished sale given back (open-sales.ts). */
export const recordPaymentVoid = (db: PouchDB.Database, v: PaymentVoidDoc) => write(db, paymentVoidSchema, v);

/** The payment voids written for one sale in progress: ids sort by time, so the range starts at the sale id's own ulid. */
export async function paymentVoidsOf(db: PouchDB.Database, register: string, saleId: string): Promise<PaymentVoidDoc[]> {
  const from = ulidOf(saleId);
  const docs = await byPrefix<PaymentVoidDoc>(db, `payment_void:${register}:${from}`, `payment_void:${register}:\ufff0`);
  return docs.filter((d) => d.saleId === saleId);
}

/** A sale's void, if any: its id is the sale's own (one void per sale). */
export const voidOf = (db: PouchDB.Database, saleId: string) => getOrNull<VoidDoc>(db, `void:${saleId.slice('sale:'.length)}`);

/** The most recent sales of this register, newest first (reprint, returns). */
export const recentSales = (db: PouchDB.Database, register: string, limit = 20) =>
  byPrefix<SaleDoc>(db, `sale:${register}:`, `sale:${register}:\ufff0`, { descending: true, limit });

// --- shifts --------------------------------------------------------------------------------------

export const openShift = (db: PouchDB.Database, shift: ShiftDoc) => write(db, shiftSchema, shift);
export const recordCashMovement = (db: PouchDB.Database, m: CashMovementDoc) => write(db, cashMovementSchema, m);

/** Closing is a deterministic id per shift, so a second close (here or on another device) is refused. */
export async function closeShift(db: PouchDB.Database, close: ShiftCloseDoc) {
  return write(db, shiftCloseSchema, close);
}

/** This register's open shift: its latest shift with no close document. */
export async function currentShift(db: PouchDB.Database, register: string): Promise<ShiftDoc | null> {
  const [last] = await byPrefix<ShiftDoc>(db, `shift:${register}:`, `shift:${register}:\ufff0`, { descending: true, limit: 1 });
  if (!last) return null;
  const closed = await getOrNull<ShiftCloseDoc>(db, `shift_close:${register}:${ulidOf(last._id)}`);
  return closed ? null : last;
}

export const shiftClose = (db: PouchDB.Database, shift: ShiftDoc) => getOrNull<ShiftCloseDoc>(db, `shift_close:${shift._id.slice('shift:'.length)}`);

/** Closed shifts of this register, newest first (Z report reprints). */
export const closedShifts = (db: PouchDB.Database, register: string, limit = 10) =>
  byPrefix<ShiftCloseDoc>(db, `shift_close:${register}:`, `shift_close:${register}:\ufff0`, { descending: true, limit });

/**
 * Everything a shift's X/Z report needs. Ids are `{kind}:{register}:{ulid}` and ulids sort by time,
 * so each kind is one key range from the shift's own ulid on: no index, no scan of other registers.
 * Voids are the exception: a void's id is its sale's (`void:{the sale's register}:{the sale's ulid}`),
 * so a void made in this shift of an older sale, or of another register's, sorts anywhere. Voids are
 * rare, so the location's `void:` range is read whole and filtered, like layaway closes; the sales
 * such voids reverse are fetched by id (voidedSales), so their figures come off this shift.
 */
export async function shiftActivity(db: PouchDB.Database, register: string, shift: ShiftDoc) {
  const from = ulidOf(shift._id);
  const mine = <T extends { shiftId?: string }>(docs: T[]) => docs.filter((d) => d.shiftId === shift._id);
  const range = <T extends { shiftId?: string }>(prefix: string) => byPrefix<T>(db, `${prefix}:${register}:${from}`, `${prefix}:${register}:\ufff0`).then(mine);
  const [sales, voids, cashMovements, layawayPayments, layaways, layawayCloses] = await Promise.all([
    range<SaleDoc>('sale'),
    byPrefix<VoidDoc>(db, 'void:', 'void:\ufff0').then(mine),
    range<CashMovementDoc>('cash'),
    range<LayawayPaymentDoc>('layaway_payment'),
    range<LayawayDoc>('layaway'),
    byPrefix<LayawayCloseDoc>(db, 'layaway_close:', 'layaway_close:\ufff0').then(mine)
  ]);
  const here = new Set(sales.map((s) => s._id));
  const voidedSales = (await Promise.all(voids.filter((v) => !here.has(v.saleId)).map((v) => findSale(db, v.saleId)))).filter((s) => s !== null);
  return { shift, sales, voids, cashMovements, layawayPayments, layaways, layawayCloses, voidedSales };
}

// --- time clock ------------------------------------------------------------------------------------

/** A clock punch: an immutable event in the location replica, synced like a sale (schemas/time.ts). */
export const recordTimeEntry = (db: PouchDB.Database, entry: TimeEntryDoc) => write(db, timeEntrySchema, entry);

// --- parked sales ----------------------------------------------------------------------------------

export const parkSale = (db: PouchDB.Database, parked: ParkedSaleDoc) => write(db, parkedSaleSchema, parked);

/** Parked sales of every register of this location (they replicate), oldest first. */
export async function listParked(db: PouchDB.Database): Promise<(ParkedSaleDoc & { _rev: string })[]> {
  const docs = await byPrefix<ParkedSaleDoc & { _rev: string }>(db, 'parked:', 'parked:\ufff0');
  return docs.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
}

/**
 * Calls `onChange` whenever a parked sale is added or taken on this device's replica (parked or
 * resumed here, or on another register and replicated in). Returns the function that stops it.
 */
export function watchParked(db: PouchDB.Database, onChange: () => void): () => void {
  const feed = db.changes({ live: true, since: 'now' });
  feed.on('change', (c: PouchDB.Core.ChangesResponseChange<object>) => {
    if (c.id.startsWith('parked:')) onChange();
  });
  feed.on('error', () => {});
  return () => feed.cancel();
}

/** Takes a parked sale off the shelf (deletes it); null when another register already resumed it. */
export async function takeParked(db: PouchDB.Database, id: string): Promise<ParkedSaleDoc | null> {
  const doc = await getOrNull<ParkedSaleDoc>(db, id);
  if (!doc) return null;
  try {
    await db.remove(doc._id, doc._rev);
  } catch (err) {
    if ((err as { status?: number }).status === 409) return null;
    throw new StorageError('This register could not update its storage; the parked sale is still parked.', err);
  }
  return doc;
}

// --- layaways --------------------------------------------------------------------------------------

export const openLayaway = (db: PouchDB.Database, l: LayawayDoc) => write(db, layawaySchema, l);
export const recordLayawayPayment = (db: PouchDB.Database, p: LayawayPaymentDoc) => write(db, layawayPaymentSchema, p);
export const closeLayaway = (db: PouchDB.Database, c: LayawayCloseDoc) => write(db, layawayCloseSchema, c);

export interface LayawayStatus {
  layaway: LayawayDoc;
  payments: LayawayPaymentDoc[];
  close: LayawayCloseDoc | null;
  /** money received so far (deposit + payments, net of change) */
  paid: number;
  balance: number;
}

const netPaid = (tenders: { amount: number }[], change: number) => tenders.reduce((a, t) => a + t.amount, 0) - change;

export async function layawayStatus(db: PouchDB.Database, layaway: LayawayDoc): Promise<LayawayStatus> {
  const payments = (await byPrefix<LayawayPaymentDoc>(db, 'layaway_payment:', 'layaway_payment:\ufff0')).filter((p) => p.layawayId === layaway._id);
  const close = await getOrNull<LayawayCloseDoc>(db, `layaway_close:${layaway._id.slice('layaway:'.length)}`);
  const paid = netPaid(layaway.tenders, layaway.change) + payments.reduce((a, p) => a + netPaid(p.tenders, p.change), 0);
  return { layaway, payments, close, paid, balance: layaway.total - paid };
}

/** Open layaways of the location (any register), with what is paid and due. */
export async function listOpenLayaways(db: PouchDB.Database): Promise<LayawayStatus[]> {
  const [layaways, payments, closes] = await Promise.all([
    byPrefix<LayawayDoc>(db, 'layaway:', 'layaway:\ufff0'),
    byPrefix<LayawayPaymentDoc>(db, 'layaway_payment:', 'layaway_payment:\ufff0'),
    byPrefix<LayawayCloseDoc>(db, 'layaway_close:', 'layaway_close:\ufff0')
  ]);
  const closed = new Set(closes.map((c) => c.layawayId));
  const byLayaway = new Map<string, LayawayPaymentDoc[]>();
  for (const p of payments) byLayaway.set(p.layawayId, [...(byLayaway.get(p.layawayId) ?? []), p]);
  return layaways
    .filter((l) => !closed.has(l._id))
    .map((l) => {
      const ps = byLayaway.get(l._id) ?? [];
      const paid = netPaid(l.tenders, l.change) + ps.reduce((a, p) => a + netPaid(p.tenders, p.change), 0);
      return { layaway: l, payments: ps, close: null, paid, balance: l.total - paid };
    });
}

// --- customers (the tenant's customers replica) ----------------------------------------------------

export type CustomerDoc = z.infer<typeof customerSchema>;

/**
 * Profiles matching `query` the way the admin portal matches (domain/customers.ts `matchesQuery`). Profiles are two-way
 * replicated, so a quick-created customer is usable offline and reaches the other registers later;
 * balances are ledger sums (local-ledger.ts).
 */
export async function searchCustomers(db: PouchDB.Database, query: string, limit = 8): Promise<CustomerDoc[]> {
  if (query.trim().length < 2) return [];
  const hits: CustomerDoc[] = [];
  for (const c of await byPrefix<CustomerDoc>(db, 'customer:', 'customer:\ufff0')) {
    // a profile merged into another (admin portal) is found as the kept one, never itself
    if (c.mergedInto || !matchesQuery(c, query)) continue;
    hits.push(c);
    if (hits.length >= limit) break;
  }
  return hits;
}

/** The profile, or null when this replica does not hold it (yet). */
export const getCustomer = (db: PouchDB.Database, id: string): Promise<CustomerDoc | null> => getOrNull<CustomerDoc>(db, id).catch(() => null);

export async function createCustomer(db: PouchDB.Database, doc: CustomerDoc): Promise<CustomerDoc> {
  const { _rev, ...saved } = await write(db, customerSchema, doc);
  void _rev;
  return saved as CustomerDoc;
}

// --- reference documents (catalog replica) ---------------------------------------------------------

/** One document by id, or null (missing or unreadable: reference data is then simply not there yet). */
export const findDoc = (db: PouchDB.Database, id: string): Promise<unknown> => getOrNull<unknown>(db, id).catch(() => null);

/** Every document whose id starts with `prefix` (reference kinds are few: staff, tax rates, categories, price rules). */
export const docsWithPrefix = (db: PouchDB.Database, prefix: string): Promise<unknown[]> => byPrefix<unknown>(db, prefix, `${prefix}\ufff0`);

// --- following a replica -----------------------------------------------------------------------------

/**
 * Calls `onDoc` for every document the replica gets from now on (local writes and replicated ones
 * alike). Resolves, once the feed is open, to the function that stops it.
 */
export async function followFromNow(db: PouchDB.Database, onDoc: (doc: unknown) => void): Promise<() => void> {
  const info = await db.info();
  const feed = db.changes({ live: true, since: info.update_seq, include_docs: true });
  feed.on('change', (c) => c.doc && onDoc(c.doc));
  feed.on('error', () => undefined); // a closed database while stopping
  return () => feed.cancel();
}

/** Calls `onDoc` for every document whose id starts with `prefix`, a page at a time. */
export async function eachWithPrefix(db: PouchDB.Database, prefix: string, onDoc: (doc: unknown) => void, page = 2_000): Promise<void> {
  let startkey = prefix;
  for (;;) {
    const res = await db.allDocs({ include_docs: true, startkey, endkey: `${prefix}\ufff0`, limit: page + 1 });
    for (const row of res.rows.slice(0, page)) if (row.doc) onDoc(row.doc);
    if (res.rows.length <= page) return;
    startkey = res.rows[page]!.id;
  }
}

// --- register-local state (`_local` documents: never replicated) -----------------------------------

/** A `_local` document with its revision, or null when there is none; a read failure is thrown as is. */
export const readLocalState = <T>(db: PouchDB.Database, id: `_local/${string}`): Promise<(T & { _rev: string }) | null> => getOrNull<T>(db, id);

/**
 * Writes a `_local` document over the revision read (none: a new one). Another tab that wrote in
 * between makes this fail with status 409: the caller reads again and re-applies its change.
 */
export async function writeLocalState(db: PouchDB.Database, id: `_local/${string}`, rev: string | undefined, body: object): Promise<void> {
  await db.put({ _id: id, ...(rev ? { _rev: rev } : {}), ...body });
}

// --- card payments in flight ----------------------------------------------------------------------

/**
 * A card payment this register asked the server for and has not seen the end of (flows/card-payment.ts).
 * Kept before the first request, removed once its tender is recorded or the payment is cancelled, so a
 * reload or crash mid-payment leaves the register knowing which payment to ask about.
 */
export interface PendingCardPayment {
  paymentId: string;
  saleId: string;
  amount: number;
  currency: string;
  readerId: string;
  startedAt: string;
}

/**
 * A `_local` document: device-local (replication never sends it), in the location replica, so its
 * writes are as durable as the sales' (durability.ts asks IndexedDB for strict commits there).
 */
const PENDING_CARD_ID = '_local/pending_card_payments';
type PendingCardDoc = { _id: string; _rev?: string; payments: Record<string, PendingCardPayment> };

async function changePending(db: PouchDB.Database, change: (payments: Record<string, PendingCardPayment>) => void): Promise<void> {
  // one register writes this document, but a reconcile and a payment may overlap: retry on a stale rev
  for (let attempt = 0; ; attempt++) {
    const doc = (await getOrNull<PendingCardDoc>(db, PENDING_CARD_ID)) ?? { _id: PENDING_CARD_ID, payments: {} };
    const payments = { ...doc.payments };
    change(payments);
    try {
      await db.put<Pick<PendingCardDoc, 'payments'>>({ ...doc, payments });
      return;
    } catch (err) {
      if ((err as { status?: number }).status === 409 && attempt < 5) continue;
      throw await storageError(err);
    }
  }
}

export async function pendingCardPayments(db: PouchDB.Database): Promise<PendingCardPayment[]> {
  const doc = await getOrNull<PendingCardDoc>(db, PENDING_CARD_ID);
  return Object.values(doc?.payments ?? {}).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
export const keepPendingCardPayment = (db: PouchDB.Database, p: PendingCardPayment) => changePending(db, (all) => void (all[p.paymentId] = p));
export const dropPendingCardPayment = (db: PouchDB.Database, paymentId: string) => changePending(db, (all) => void delete all[paymentId]);
