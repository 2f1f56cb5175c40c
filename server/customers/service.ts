import { createHash } from 'node:crypto';
import { catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import {
  CUSTOMER_ACCOUNTS,
  CustomerError,
  ADJUSTMENT_PREFIX,
  adjustmentInput,
  applyProfileEdit,
  balanceOf,
  giftCardIssueId,
  giftCardNumberFrom,
  history,
  isValidGiftCardNumber,
  issueGiftCardInput,
  loyaltyRulesInput,
  makeAdjustment,
  makeGiftCardIssue,
  customerIdSchema,
  mergeInput,
  markMerged,
  matchesQuery,
  normaliseCardNumber,
  planMerge,
  pointsValue,
  profileInput,
  sameEntry,
  type Account,
  type Actor,
  type CustomerDoc,
  type LedgerEntry,
  type LoyaltyRules,
  type MergePlan
} from '#domain/customers.ts';
import { customerSchema, settingsSchema } from '#domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { statusOf, type Couch, type Db } from '../couch/client.ts';
import { AppError, badRequest, conflict, notFound, parseBody } from '../errors.ts';
import { actorOf, authorize, type Caller } from '../auth/principal.ts';
import type { Permission } from '#domain/permissions.ts';
import { getTenant } from '../tenants/provision.ts';
import { inTurn } from './balance-turns.ts';

/**
 * Customer use cases for the admin portal: search, profile, purchase history, balances, adjustments,
 * gift cards, merges and the loyalty rules. What to write is decided by the pure functions of
 * domain/customers.ts (read its header for the id scheme and the exactly-once argument); this file
 * reads and writes CouchDB around them. Balances come from `_design/ledger/_view/balance` (the same sum
 * the registers keep in code, register/local-ledger.ts), so they are what the server's ledger says:
 * a register's sale not yet synced is not in them.
 */

const asAppError = (err: unknown): never => {
  if (err instanceof CustomerError) throw err.code === 'invalid' ? badRequest(err.message) : err.code === 'not_found' ? notFound(err.message) : conflict(err.message);
  throw err;
};

const audit = (couch: Couch, tenantId: string, action: string, actor: Actor, target: string, details: Record<string, unknown>, requestId?: string) =>
  recordAudit(couch, tenantId, { action, actor: actor.by, target, details, ...(requestId ? { requestId } : {}) });

/** Creates `doc` once; on 409 answers the stored one when `same` says it is the same request, else 409. */
async function insertOnce<T extends { _id: string }>(db: Db, doc: T, same: (stored: Record<string, unknown>) => boolean, what: string): Promise<{ doc: T; created: boolean }> {
  try {
    const res = await db.insert(doc);
    return { doc: { ...doc, _rev: res.rev }, created: true };
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
  }
  const stored = (await db.get(doc._id)) as unknown as Record<string, unknown>;
  if (!same(stored)) throw conflict(`${what} ${doc._id} already exists with other content`);
  return { doc: stored as unknown as T, created: false };
}

// -------------------------------------------------------------------------------------------------
// Reading

/**
 * The start of every customer write: the caller must hold `permission` (checked here, whoever calls:
 * a route, a worker, the CLI), and the tenant and actor come from the caller, never from the input.
 */
function useCase(caller: Caller, permission: Permission, action: string): { tenantId: string; actor: Actor; requestId: string | undefined } {
  const p = authorize(caller.principal, permission, action);
  return { tenantId: p.tenantId, actor: actorOf(p), requestId: caller.requestId };
}

/** Every customer profile, in id order (`_all_docs` pages of 1,000; no view to build). */
async function allCustomers(db: Db): Promise<CustomerDoc[]> {
  const out: CustomerDoc[] = [];
  let startkey = 'customer:';
  for (;;) {
    const res = await db.list({ include_docs: true, startkey, endkey: 'customer:\ufff0', limit: 1001 });
    for (const row of res.rows.slice(0, 1000)) if (row.doc) out.push(row.doc as unknown as CustomerDoc);
    if (res.rows.length <= 1000) return out;
    startkey = res.rows[1000]!.id;
  }
}

export async function getCustomer(couch: Couch, tenantId: string, id: string): Promise<CustomerDoc> {
  try {
    const doc = (await couch.use(customersDb(tenantId)).get(id)) as unknown as CustomerDoc;
    if (doc.type !== 'customer') throw notFound(`No customer ${id}`);
    return doc;
  } catch (err) {
    if (statusOf(err) === 404) throw notFound(`No customer ${id}`);
    throw err;
  }
}

export interface CustomerSummary {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  tags: string[];
  mergedInto: string | null;
}
const summary = (c: CustomerDoc): CustomerSummary => ({
  id: c._id,
  firstName: c.firstName,
  lastName: c.lastName,
  email: c.email ?? null,
  phone: c.phone ?? null,
  tags: c.tags,
  mergedInto: c.mergedInto ?? null
});

/**
 * Customers matching `q` (name, email, phone digits: the register's rule), sorted by last then first
 * name, one page. Merged profiles are left out unless asked for. A scan of the profiles: fine for the
 * tens of thousands a retailer has; a search index would replace it beyond that.
 */
export async function searchCustomers(
  couch: Couch,
  tenantId: string,
  opts: { q: string; page: number; pageSize: number; includeMerged: boolean }
): Promise<{ customers: CustomerSummary[]; total: number; page: number; pageSize: number }> {
  const all = await allCustomers(couch.use(customersDb(tenantId)));
  const hits = all.filter((c) => (opts.includeMerged || !c.mergedInto) && matchesQuery(c, opts.q));
  hits.sort((a, b) => a.lastName.localeCompare(b.lastName) || a.firstName.localeCompare(b.firstName) || a._id.localeCompare(b._id));
  const start = (opts.page - 1) * opts.pageSize;
  return { customers: hits.slice(start, start + opts.pageSize).map(summary), total: hits.length, page: opts.page, pageSize: opts.pageSize };
}

/** Every ledger entry held by the given [account, holder] pairs (one view read). */
async function entriesOf(couch: Couch, tenantId: string, keys: [Account, string][]): Promise<LedgerEntry[]> {
  if (keys.length === 0) return [];
  const res = await couch.use(customersDb(tenantId)).view('ledger', 'balance', { keys, reduce: false, include_docs: true });
  return res.rows.map((r) => r.doc as unknown as LedgerEntry).filter(Boolean);
}

const customerKeys = (id: string): [Account, string][] => CUSTOMER_ACCOUNTS.map((a) => [a, id] as [Account, string]);

/** The gift cards issued to a customer: the issue entries (`ledger:gc:…`) whose `ref` is the customer. */
async function cardsIssuedTo(couch: Couch, tenantId: string, customerIds: string[]): Promise<{ number: string; customerId: string; issuedAt: string }[]> {
  const res = await couch.use(customersDb(tenantId)).list({ include_docs: true, startkey: 'ledger:gc:', endkey: 'ledger:gc:\ufff0' });
  const wanted = new Set(customerIds);
  return res.rows
    .map((r) => r.doc as unknown as LedgerEntry | undefined)
    .filter((e): e is LedgerEntry => !!e && !!e.ref && wanted.has(e.ref))
    .map((e) => ({ number: e.holder, customerId: e.ref!, issuedAt: e.createdAt }));
}

/** The currency amounts are shown in: the tenant's first location's (one currency per tenant today). */
export async function tenantCurrency(couch: Couch, tenantId: string): Promise<string> {
  const code = (await getTenant(couch, tenantId))?.locations[0];
  if (!code) return 'USD';
  const loc = (await couch.use(catalogDb(tenantId)).get(`location:${code}`).catch(() => null)) as { currency?: string } | null;
  return loc?.currency ?? 'USD';
}

/** The tenant's loyalty rules from `settings:tenant` (defaults when the document has none). */
export async function getLoyaltyRules(couch: Couch, tenantId: string): Promise<LoyaltyRules> {
  const doc = await couch.use(catalogDb(tenantId)).get('settings:tenant').catch((err) => {
    if (statusOf(err) === 404) return null;
    throw err;
  });
  const s = settingsSchema.partial().safeParse(doc ?? {});
  const d = s.success ? s.data : {};
  return { pointsPerUnit: d.loyaltyPointsPerUnit ?? 1, pointsPerRedeemUnit: d.loyaltyPointsPerRedeemUnit ?? 100 };
}

/** Sets the earn and redemption rates (validated together); the sale-ledger worker reads them within 30 s. */
export async function setLoyaltyRules(couch: Couch, caller: Caller, raw: unknown): Promise<LoyaltyRules> {
  const { tenantId, actor, requestId } = useCase(caller, 'settings:manage', 'Changing the loyalty rules');
  const input = parseBody(loyaltyRulesInput, raw);
  const db = couch.use(catalogDb(tenantId));
  for (let attempt = 0; attempt < 5; attempt++) {
    let doc: Record<string, unknown>;
    try {
      doc = (await db.get('settings:tenant')) as unknown as Record<string, unknown>;
    } catch (err) {
      if (statusOf(err) === 404) throw notFound('This tenant has no settings document yet; finish the setup first');
      throw err;
    }
    const before = { pointsPerUnit: doc.loyaltyPointsPerUnit, pointsPerRedeemUnit: doc.loyaltyPointsPerRedeemUnit };
    const times = { ...((doc.fieldTimes as Record<string, string> | undefined) ?? {}), loyaltyPointsPerUnit: actor.now, loyaltyPointsPerRedeemUnit: actor.now };
    const next = settingsSchema.parse({ ...doc, loyaltyPointsPerUnit: input.pointsPerUnit, loyaltyPointsPerRedeemUnit: input.pointsPerRedeemUnit, updatedAt: actor.now, updatedBy: actor.by, fieldTimes: times });
    try {
      await db.insert(next);
    } catch (err) {
      if (statusOf(err) === 409) continue; // someone saved other settings in between: apply on top of theirs
      throw err;
    }
    await audit(couch, tenantId, 'loyalty.rules_changed', actor, 'settings:tenant', { before, after: input }, requestId);
    return input;
  }
  throw new AppError(503, 'busy', 'The settings are being changed by another request; retry');
}

/** Staff names by id suffix, to show who wrote an entry (`user:…`, `user:user:…`, `staff:…` all end in it). */
async function staffNames(couch: Couch, tenantId: string): Promise<(by: string) => string> {
  const res = await couch.use(catalogDb(tenantId)).list({ startkey: 'staff:', endkey: 'staff:\ufff0', include_docs: true });
  const names = new Map<string, string>();
  for (const r of res.rows) {
    const d = r.doc as { _id: string; name?: string } | undefined;
    if (d?.name) names.set(d._id.slice('staff:'.length), d.name);
  }
  return (by) => names.get(by.split(':').at(-1) ?? '') ?? (by === 'system' ? 'system' : by);
}

export interface Balances {
  loyalty: number;
  store_credit: number;
  /** loyalty points' value under the redemption rule, minor units */
  loyaltyValue: number;
}

/** Profile, balances, the cards issued to the customer, and the profiles merged into it. */
export async function customerProfile(couch: Couch, tenantId: string, id: string) {
  const doc = await getCustomer(couch, tenantId, id);
  const [entries, rules, all, currency] = await Promise.all([
    entriesOf(couch, tenantId, customerKeys(id)),
    getLoyaltyRules(couch, tenantId),
    allCustomers(couch.use(customersDb(tenantId))),
    tenantCurrency(couch, tenantId)
  ]);
  const mergedFrom = all.filter((c) => c.mergedInto === id).map(summary);
  const cards = await cardsIssuedTo(couch, tenantId, [id, ...mergedFrom.map((m) => m.id)]);
  const cardEntries = await entriesOf(couch, tenantId, cards.map((c) => ['gift_card', c.number] as [Account, string]));
  const loyalty = balanceOf(entries, 'loyalty', id);
  return {
    customer: doc,
    currency,
    balances: { loyalty, store_credit: balanceOf(entries, 'store_credit', id), loyaltyValue: pointsValue(loyalty, rules.pointsPerRedeemUnit) } satisfies Balances,
    loyaltyRules: rules,
    giftCards: cards.map((c) => ({ ...c, balance: balanceOf(cardEntries, 'gift_card', c.number) })),
    mergedFrom
  };
}

/**
 * Ledger history of a customer's account, newest first, with the running balance. Entries of profiles
 * merged into this one are included (marked by holder), so the history shows both.
 */
export async function customerLedger(couch: Couch, tenantId: string, id: string, account: 'loyalty' | 'store_credit') {
  await getCustomer(couch, tenantId, id);
  const merged = (await allCustomers(couch.use(customersDb(tenantId)))).filter((c) => c.mergedInto === id).map((c) => c._id);
  const entries = await entriesOf(couch, tenantId, [id, ...merged].map((h) => [account, h] as [Account, string]));
  const own = history(entries, account, id);
  const theirs = merged.flatMap((h) => history(entries, account, h));
  const nameOf = await staffNames(couch, tenantId);
  return { account, holder: id, balance: own.at(-1)?.balance ?? 0, entries: [...own, ...theirs].map((e) => ({ ...e, byName: nameOf(e.createdBy) })).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)) };
}

export interface PurchaseRow {
  saleId: string;
  location: string;
  customerId: string;
  createdAt: string;
  kind: string;
  total: number;
  units: number;
  registerId: string;
  voided: { id: string; at: string; reason: string } | null;
}

/**
 * Sales, returns and exchanges of the customer (and of profiles merged into it) at the given
 * locations (the caller's), newest first, with their voids. One view read per location database.
 */
export async function purchaseHistory(couch: Couch, tenantId: string, customerIds: string[], locations: string[]): Promise<PurchaseRow[]> {
  const tenant = await getTenant(couch, tenantId);
  const codes = locations.filter((l) => tenant?.locations.includes(l));
  const out: PurchaseRow[] = [];
  for (const code of codes) {
    const db = couch.use(locationDb(tenantId, code));
    const rows: PurchaseRow[] = [];
    for (const cid of customerIds) {
      const res = await db.view('customer_sales', 'by_customer', { startkey: [cid], endkey: [cid, {}], reduce: false });
      for (const r of res.rows) {
        const v = r.value as { total: number; units: number; kind: string; registerId: string };
        rows.push({ saleId: r.id, location: code, customerId: cid, createdAt: (r.key as unknown as [string, string])[1], kind: v.kind, total: v.total, units: v.units, registerId: v.registerId, voided: null });
      }
    }
    if (rows.length) {
      const voids = await db.fetch({ keys: rows.map((r) => `void:${r.saleId.slice('sale:'.length)}`) });
      const byId = new Map<string, { _id: string; createdAt: string; reason: string }>();
      for (const row of voids.rows) {
        const d = (row as { doc?: { _id: string; type?: string; createdAt: string; reason: string } | null }).doc;
        if (d?.type === 'void') byId.set(d._id, d);
      }
      for (const r of rows) {
        const v = byId.get(`void:${r.saleId.slice('sale:'.length)}`);
        if (v) r.voided = { id: v._id, at: v.createdAt, reason: v.reason };
      }
    }
    out.push(...rows);
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

export async function mergedInto(couch: Couch, tenantId: string, id: string): Promise<string[]> {
  return (await allCustomers(couch.use(customersDb(tenantId)))).filter((c) => c.mergedInto === id).map((c) => c._id);
}

// -------------------------------------------------------------------------------------------------
// Writing

/** Edits a profile on top of the revision the form was loaded from (409 when someone saved in between). */
export async function updateProfile(couch: Couch, caller: Caller, rawId: string, raw: unknown): Promise<CustomerDoc> {
  const { tenantId, actor, requestId } = useCase(caller, 'customer:manage', 'Editing a customer');
  const id = parseBody(customerIdSchema, rawId);
  const input = parseBody(profileInput, raw);
  const doc = await getCustomer(couch, tenantId, id);
  if (doc._rev !== input.rev) throw conflict('This profile was changed by someone else since you opened it; reload and edit again');
  let edit: ReturnType<typeof applyProfileEdit>;
  try {
    edit = applyProfileEdit(customerSchema.parse(doc), input, actor);
  } catch (err) {
    return asAppError(err);
  }
  if (edit.changed.length === 0) return doc;
  try {
    const res = await couch.use(customersDb(tenantId)).insert(edit.doc);
    await audit(couch, tenantId, 'customer.updated', actor, id, { fields: edit.changed }, requestId);
    return { ...edit.doc, _rev: res.rev };
  } catch (err) {
    if (statusOf(err) === 409) throw conflict('This profile was changed by someone else since you opened it; reload and edit again');
    throw err;
  }
}

/** The customer a loyalty / store-credit entry may be written for: it exists and is not merged away. */
async function assertLiveCustomer(couch: Couch, tenantId: string, id: string): Promise<CustomerDoc> {
  const c = await getCustomer(couch, tenantId, id);
  if (c.mergedInto) throw conflict(`${id} was merged into ${c.mergedInto}; use that profile`);
  return c;
}

/** A gift card: its entries; 404 for a number never issued (no entry holds it). */
export async function giftCard(couch: Couch, tenantId: string, raw: string) {
  const number = normaliseCardNumber(raw);
  if (!isValidGiftCardNumber(number)) throw badRequest('number: not a valid gift card number (16 digits, the last a check digit)');
  const entries = await entriesOf(couch, tenantId, [['gift_card', number]]);
  if (entries.length === 0) throw notFound(`No gift card ${number}`);
  const issue = entries.find((e) => e._id === giftCardIssueId(number));
  const rows = history(entries, 'gift_card', number);
  const nameOf = await staffNames(couch, tenantId);
  const owner = issue?.ref ? await getCustomer(couch, tenantId, issue.ref).catch(() => null) : null;
  return {
    number,
    customerName: owner ? `${owner.firstName} ${owner.lastName}`.trim() : null,
    currency: await tenantCurrency(couch, tenantId),
    balance: rows.at(-1)?.balance ?? 0,
    customerId: issue?.ref ?? null,
    issuedAt: issue?.createdAt ?? null,
    issuedValue: issue?.amount ?? null,
    entries: rows.reverse().map((e) => ({ ...e, byName: nameOf(e.createdBy) }))
  };
}

/**
 * Adjusts a balance with a reason (`ledger:adm:{ulid}`), once per id, refused below zero; audited.
 * Adjustments of one account take turns (balance-turns.ts), so two sent at once cannot both pass the
 * check on the same balance.
 */
export async function adjustBalance(couch: Couch, caller: Caller, raw: unknown) {
  const { tenantId, actor, requestId } = useCase(caller, 'customer:manage', 'Adjusting a balance');
  const input = parseBody(adjustmentInput, raw);
  const holder = input.account === 'gift_card' ? normaliseCardNumber(input.holder) : input.holder;
  if (input.account === 'gift_card') await giftCard(couch, tenantId, holder);
  else await assertLiveCustomer(couch, tenantId, holder);
  const ulid = input.id ?? newUlid();
  const turn = await inTurn({
    couch,
    tenantId,
    account: input.account,
    holder,
    ledger: couch.use(customersDb(tenantId)),
    entries: () => entriesOf(couch, tenantId, [[input.account, holder]]),
    entryId: `${ADJUSTMENT_PREFIX}${ulid}`,
    isThisRequest: (stored) => sameEntry({ account: input.account, holder, amount: input.amount }, stored),
    decide: (entries) => {
      try {
        return makeAdjustment(input, balanceOf(entries, input.account, holder), ulid, actor);
      } catch (err) {
        return asAppError(err);
      }
    }
  });
  const before = balanceOf(turn.entries, input.account, holder);
  const { entry } = turn;
  if (turn.created) await audit(couch, tenantId, 'customer.balance_adjusted', actor, entry._id, { account: entry.account, holder, amount: entry.amount, reason: input.reason, before }, requestId);
  return { entry, created: turn.created, balance: before + entry.amount };
}

/**
 * A card number from the request's ulid: a retried issue (same ulid) gets the same number, so the
 * issue entry's id catches it; a new request gets an unguessable one (sha-256 of tenant and ulid).
 */
export function cardNumberFor(tenantId: string, ulid: string): string {
  return giftCardNumberFrom(new Uint8Array(createHash('sha256').update(`${tenantId}:${ulid}`).digest()));
}

/** Issues a gift card with its initial value (optionally to a customer); audited. */
export async function issueGiftCard(couch: Couch, caller: Caller, raw: unknown) {
  const { tenantId, actor, requestId } = useCase(caller, 'customer:manage', 'Issuing a gift card');
  const input = parseBody(issueGiftCardInput, raw);
  if (input.customerId) await assertLiveCustomer(couch, tenantId, input.customerId);
  const number = cardNumberFor(tenantId, input.id ?? newUlid());
  const entry = makeGiftCardIssue(number, input, actor);
  const out = await insertOnce(couch.use(customersDb(tenantId)), entry, (s) => sameEntry(entry, s), 'Gift card');
  if (out.created) await audit(couch, tenantId, 'gift_card.issued', actor, number, { amount: input.amount, customerId: input.customerId ?? null }, requestId);
  return { number, created: out.created, entry: out.doc, amount: input.amount, customerId: input.customerId };
}

async function mergeInputs(couch: Couch, tenantId: string, keepId: string, dupId: string): Promise<{ keep: CustomerDoc; duplicate: CustomerDoc; plan: (actor: Actor) => MergePlan }> {
  const [keep, duplicate] = await Promise.all([getCustomer(couch, tenantId, keepId), getCustomer(couch, tenantId, dupId)]);
  // every account of both: the duplicate's to move, the kept one's for the `in`s to repair
  const entries = await entriesOf(couch, tenantId, [...customerKeys(dupId), ...customerKeys(keepId)]);
  const dupE = entries.filter((e) => e.holder === dupId);
  const keepE = entries.filter((e) => e.holder === keepId);
  return {
    keep,
    duplicate,
    plan: (actor) => {
      try {
        return planMerge(keep, duplicate, dupE, keepE, actor);
      } catch (err) {
        return asAppError(err);
      }
    }
  };
}

/** What a merge would do, without writing anything. */
export async function previewMerge(couch: Couch, caller: Caller, raw: unknown) {
  const { tenantId, actor } = useCase(caller, 'customer:manage', 'Merging customers');
  const { keep: keepId, duplicate: dupId } = parseBody(mergeInput, raw);
  const m = await mergeInputs(couch, tenantId, keepId, dupId);
  const plan = m.plan(actor);
  return { keep: summary(m.keep), duplicate: summary(m.duplicate), plan };
}

/**
 * Merges `dupId` into `keepId`: the ledger transfers first (`in` before `out`, each id at most once:
 * domain/customers.ts `planMerge`), then the duplicate marked `mergedInto`. Running it again is a
 * no-op, or sweeps what reached the duplicate since; an interrupted run is finished by the next one.
 */
export async function mergeCustomers(couch: Couch, caller: Caller, raw: unknown) {
  const { tenantId, actor, requestId } = useCase(caller, 'customer:manage', 'Merging customers');
  const { keep: keepId, duplicate: dupId } = parseBody(mergeInput, raw);
  const db = couch.use(customersDb(tenantId));
  const m = await mergeInputs(couch, tenantId, keepId, dupId);
  const plan = m.plan(actor);
  const ins = plan.entries.filter((e) => e._id.endsWith(':in'));
  const outs = plan.entries.filter((e) => !e._id.endsWith(':in'));
  let written = 0;
  for (const batch of [ins, outs]) {
    if (!batch.length) continue;
    const res = (await db.bulk({ docs: batch })) as { id: string; error?: string; reason?: string }[];
    const failed = res.filter((r) => r.error && r.error !== 'conflict');
    if (failed.length) throw new Error(`merge ledger write failed for ${failed[0]!.id}: ${failed[0]!.error} ${failed[0]!.reason ?? ''}`);
    written += res.filter((r) => !r.error).length;
  }
  let marked = false;
  if (!m.duplicate.mergedInto) {
    try {
      await db.insert(markMerged(customerSchema.parse(m.duplicate), keepId, actor));
      marked = true;
    } catch (err) {
      // edited meanwhile (a register, another admin): the next run marks it; the money has moved already
      if (statusOf(err) === 409) throw conflict(`${dupId} was changed while merging; its balances moved, run the merge again to finish`);
      throw err;
    }
  }
  if (written || marked) {
    await audit(couch, tenantId, 'customer.merged', actor, dupId, { keep: keepId, entries: plan.entries.filter((e) => e._id.endsWith(':in')).map((e) => ({ account: e.account, amount: e.amount })), written }, requestId);
  }
  return { keep: summary(m.keep), duplicate: { ...summary(m.duplicate), mergedInto: keepId }, plan, written, changed: written > 0 || marked };
}
