/**
 * Customer accounts as pure functions (no I/O): gift-card numbers, balance sums, manual adjustments,
 * the merge plan and the loyalty rules. Balances are never stored: they are sums of immutable
 * `ledger_entry` documents (DESIGN.md §2), so every operation here produces entries; the server
 * (server/customers/service.ts) reads and writes CouchDB around them.
 *
 * Ledger ids the admin portal writes carry server-only prefixes (the gateway refuses them from clients,
 * server/gateway/validate-docs.ts), so nobody can pre-empt or forge one:
 *   `ledger:adm:{ulid}`                       a manual adjustment (client-made ulid: a retry is the same id)
 *   `ledger:gc:{number}`                      the issue of a gift card: one per card number, ever
 *   `ledger:merge:{dup}:{account}:{n}:in|out` a merge transfer from a duplicate to the kept profile
 */
import { textRule } from './schemas/text.ts';
import { z } from 'zod';
import { addressSchema, customerSchema, ledgerEntrySchema, taxExemptionSchema } from './schemas/index.ts';
import { idRef } from './schemas/common.ts';
import type { Actor } from './actor.ts';

export type CustomerDoc = z.infer<typeof customerSchema>;
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
export type Account = LedgerEntry['account'];
/** Accounts held by a customer id (gift cards are held by their card number). */
export const CUSTOMER_ACCOUNTS = ['loyalty', 'store_credit'] as const;
export type CustomerAccount = (typeof CUSTOMER_ACCOUNTS)[number];

export const ADJUSTMENT_PREFIX = 'ledger:adm:';
export const GIFT_CARD_PREFIX = 'ledger:gc:';
export const MERGE_PREFIX = 'ledger:merge:';
/** Ledger ids only the server writes (besides the sale-ledger worker's `ledger:sale:` / `ledger:void:`). */
export const SERVER_LEDGER_PREFIXES = [ADJUSTMENT_PREFIX, GIFT_CARD_PREFIX, MERGE_PREFIX] as const;

/** Raised for a request the API refuses: 400 (`invalid`), 404 (`not_found`) or 409 (`conflict`). */
export class CustomerError extends Error {
  constructor(
    readonly code: 'invalid' | 'not_found' | 'conflict',
    message: string
  ) {
    super(message);
  }
}

export type { Actor };

/** A customer's id as a request names it (`customer:…`). */
export const customerIdSchema = z.string().regex(/^customer:[^\s]{1,190}$/, 'must be a customer id like customer:…');

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ulidField = z.string().regex(ULID, 'must be a ULID (26 characters, Crockford base 32)');

// -------------------------------------------------------------------------------------------------
// Gift-card numbers: 16 digits, the last a Luhn check digit (as payment cards), so a mistyped or
// misread digit or a swap of neighbours is caught before any lookup. Digits only: a keyboard-wedge
// scanner or a person can type it at the register.

export const GIFT_CARD_LENGTH = 16;
/** Leading digit of the numbers this platform issues (keeps them apart from bank card ranges 3–6). */
const GIFT_CARD_LEAD = '8';

export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A card number from random bytes (≥ 14): lead digit, 14 digits from the bytes, check digit. */
export function giftCardNumberFrom(bytes: Uint8Array): string {
  if (bytes.length < 14) throw new Error('need at least 14 random bytes');
  let body = GIFT_CARD_LEAD;
  // byte % 10 has a tiny bias toward 0–5 (256 = 25·10 + 6); 14 digits keep ~46 bits of unguessability.
  for (let i = 0; i < GIFT_CARD_LENGTH - 2; i++) body += String(bytes[i]! % 10);
  return body + String(luhnCheckDigit(body));
}

/** Spaces and dashes as printed on a card are ignored: "8123 4567 …" is the same number. */
export function normaliseCardNumber(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

export function isValidGiftCardNumber(raw: string): boolean {
  const n = normaliseCardNumber(raw);
  return /^\d{16}$/.test(n) && luhnCheckDigit(n.slice(0, -1)) === Number(n.at(-1));
}

/** "8123456789012345" → "8123 4567 8901 2345" for people. */
export function formatCardNumber(n: string): string {
  return n.replace(/(\d{4})(?=\d)/g, '$1 ');
}

export const giftCardIssueId = (number: string) => `${GIFT_CARD_PREFIX}${number}`;

// -------------------------------------------------------------------------------------------------
// Balances

/** Sum per `account|holder` of entries, each id once (a replica may show one twice). */
export function balancesOf(entries: readonly Pick<LedgerEntry, '_id' | 'account' | 'holder' | 'amount'>[]): Map<string, number> {
  const seen = new Set<string>();
  const out = new Map<string, number>();
  for (const e of entries) {
    if (seen.has(e._id)) continue;
    seen.add(e._id);
    const k = `${e.account}|${e.holder}`;
    out.set(k, (out.get(k) ?? 0) + e.amount);
  }
  return out;
}

export function balanceOf(entries: readonly Pick<LedgerEntry, '_id' | 'account' | 'holder' | 'amount'>[], account: Account, holder: string): number {
  return balancesOf(entries).get(`${account}|${holder}`) ?? 0;
}

/** Entries of one holder's account, oldest first, each with the running balance after it. */
export function history(entries: readonly LedgerEntry[], account: Account, holder: string): (LedgerEntry & { balance: number })[] {
  const mine = [...new Map(entries.filter((e) => e.account === account && e.holder === holder).map((e) => [e._id, e])).values()];
  mine.sort((a, b) => (a.createdAt === b.createdAt ? (a._id < b._id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
  let balance = 0;
  return mine.map((e) => ({ ...e, balance: (balance += e.amount) }));
}

// -------------------------------------------------------------------------------------------------
// Manual adjustments

export const adjustmentInput = z
  .object({
    /** optional client-made ulid: a retried request is then the same entry */
    id: ulidField.optional(),
    account: z.enum(['loyalty', 'store_credit', 'gift_card']),
    /** customer id for loyalty / store credit, card number for a gift card */
    holder: z.string().trim().min(1).max(200),
    /** points for loyalty, minor units otherwise; negative takes away */
    amount: z.number().int('must be a whole number').refine((n) => n !== 0, 'must not be zero').refine((n) => Math.abs(n) <= 100_000_000, 'is too large'),
    reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(200)
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.account === 'gift_card' && !isValidGiftCardNumber(a.holder)) ctx.addIssue({ code: 'custom', path: ['holder'], message: 'is not a valid gift card number (16 digits, check digit)' });
    if (a.account !== 'gift_card' && !a.holder.startsWith('customer:')) ctx.addIssue({ code: 'custom', path: ['holder'], message: 'must be a customer id' });
  });
export type AdjustmentInput = z.input<typeof adjustmentInput>;

/**
 * The entry an adjustment writes, refused (CustomerError) when it would take the balance below zero:
 * points, credit and card value are never owed by the customer. `current` is the server's balance.
 */
export function makeAdjustment(input: z.output<typeof adjustmentInput>, current: number, ulid: string, actor: Actor): LedgerEntry {
  const holder = input.account === 'gift_card' ? normaliseCardNumber(input.holder) : input.holder;
  if (current + input.amount < 0) {
    throw new CustomerError('invalid', `amount: would take the balance below zero (it is ${current}, the adjustment is ${input.amount})`);
  }
  return ledgerEntrySchema.parse({
    _id: `${ADJUSTMENT_PREFIX}${input.id ?? ulid}`,
    type: 'ledger_entry',
    account: input.account,
    holder,
    amount: input.amount,
    reason: `adjustment: ${input.reason}`,
    createdAt: actor.now,
    createdBy: actor.by
  });
}

/** Same money on the same account and holder: what a retried request must match. */
export function sameEntry(a: Pick<LedgerEntry, 'account' | 'holder' | 'amount'> & { ref?: string | undefined }, b: Record<string, unknown>): boolean {
  return b.type === 'ledger_entry' && a.account === b.account && a.holder === b.holder && a.amount === b.amount && (a.ref ?? null) === ((b.ref as string | undefined) ?? null);
}

// -------------------------------------------------------------------------------------------------
// Gift cards

export const issueGiftCardInput = z
  .object({
    /** optional client-made ulid: the card number is derived from it, so a retry issues the same card */
    id: ulidField.optional(),
    /** initial value, minor units */
    amount: z.number().int('must be whole minor units (cents)').min(1, 'must be positive').max(100_000_000, 'is too large'),
    customerId: idRef.refine((s) => s.startsWith('customer:'), 'must be a customer id').optional()
  })
  .strict();
export type IssueGiftCardInput = z.input<typeof issueGiftCardInput>;

/** The issue entry of a card: its initial value, and the customer it was issued to (as `ref`). */
export function makeGiftCardIssue(number: string, input: z.output<typeof issueGiftCardInput>, actor: Actor): LedgerEntry {
  if (!isValidGiftCardNumber(number)) throw new CustomerError('invalid', `not a valid gift card number: ${number}`);
  return ledgerEntrySchema.parse({
    _id: giftCardIssueId(number),
    type: 'ledger_entry',
    account: 'gift_card',
    holder: number,
    amount: input.amount,
    reason: 'issued',
    ...(input.customerId ? { ref: input.customerId } : {}),
    createdAt: actor.now,
    createdBy: actor.by
  });
}

// -------------------------------------------------------------------------------------------------
// Profiles

const phone = z.string().trim().max(40).regex(/^[+\d][\d\s().-]*$/, 'must be a phone number (digits, spaces, + ( ) . -)');
export const profileInput = z
  .object({
    firstName: z.string().trim().min(1, 'is required').max(80).superRefine(textRule()),
    lastName: z.string().trim().max(80).superRefine(textRule()),
    email: z.union([z.literal(''), z.email('must be an email address')]),
    phone: z.union([z.literal(''), phone]),
    tags: z.array(z.string().trim().toLowerCase().min(1).max(40).superRefine(textRule())).max(20),
    addresses: z.array(addressSchema).max(10),
    /** pricing group for price rules (schemas/pricing.ts); '' removes it */
    group: z.union([z.literal(''), z.string().trim().min(1).max(40).superRefine(textRule())]),
    /** a tax-exemption certificate (registers charge no tax, or none for its jurisdictions, while valid); null removes it */
    taxExemption: taxExemptionSchema.nullable(),
    /** the revision the form was loaded from: an edit on top of someone else's is refused (409) */
    rev: z.string().min(1)
  })
  .partial()
  .required({ rev: true })
  .strict();
export type ProfileInput = z.input<typeof profileInput>;

const EDITABLE = ['firstName', 'lastName', 'email', 'phone', 'tags', 'addresses', 'group', 'taxExemption'] as const;

/**
 * The profile after an edit: changed fields set (an empty email/phone removes it), each stamped in
 * `fieldTimes` so the per-field conflict rule (domain/conflicts.ts) keeps this edit against a
 * register's concurrent one to another field. A merged profile cannot be edited.
 */
export function applyProfileEdit(doc: CustomerDoc, input: z.output<typeof profileInput>, actor: Actor): { doc: CustomerDoc; changed: string[] } {
  if (doc.mergedInto) throw new CustomerError('conflict', `this profile was merged into ${doc.mergedInto}; edit that one`);
  const next: Record<string, unknown> = { ...doc };
  const changed: string[] = [];
  for (const f of EDITABLE) {
    const v = input[f];
    if (v === undefined) continue;
    const tags = f === 'tags' ? [...new Set(v as string[])] : null;
    const value = tags ?? v;
    if (JSON.stringify(value) === JSON.stringify(doc[f] ?? (f === 'email' || f === 'phone' || f === 'group' ? '' : f === 'taxExemption' ? null : undefined))) continue;
    if (value === '' || value === null) delete next[f];
    else next[f] = value;
    changed.push(f);
  }
  if (changed.length === 0) return { doc, changed };
  const fieldTimes = { ...(doc.fieldTimes ?? {}) };
  for (const f of changed) fieldTimes[f] = actor.now;
  return { doc: customerSchema.parse({ ...next, updatedAt: actor.now, updatedBy: actor.by, fieldTimes }), changed };
}

// -------------------------------------------------------------------------------------------------
// Search

/** What a phone number is typed with: digits, spaces, `+`, brackets, dots and dashes. */
const PHONE_QUERY = /^[\d\s+().-]+$/;

/**
 * Registers and the admin portal match the same way: name, email, or 3+ digits of the phone. Only a
 * query that looks like a phone number is matched against phones: "Dupont684" is a name, and its
 * digits must not find a customer whose number has 684 in it.
 */
export function matchesQuery(c: Pick<CustomerDoc, 'firstName' | 'lastName' | 'email' | 'phone'>, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const name = `${c.firstName} ${c.lastName}`.toLowerCase();
  if (name.includes(q) || !!c.email?.toLowerCase().includes(q)) return true;
  const digits = PHONE_QUERY.test(q) ? q.replace(/\D/g, '') : '';
  return digits.length >= 3 && !!c.phone?.replace(/\D/g, '').includes(digits);
}

// -------------------------------------------------------------------------------------------------
// Merge

export const mergeInput = z
  .object({
    keep: idRef.refine((s) => s.startsWith('customer:'), 'must be a customer id'),
    duplicate: idRef.refine((s) => s.startsWith('customer:'), 'must be a customer id')
  })
  .strict()
  .refine((m) => m.keep !== m.duplicate, { path: ['duplicate'], message: 'must differ from the kept customer' });

export interface MergePlan {
  keep: string;
  duplicate: string;
  /** balances per customer account before the merge */
  before: { keep: Record<CustomerAccount, number>; duplicate: Record<CustomerAccount, number> };
  /** and after it (the duplicate's at zero) */
  after: Record<CustomerAccount, number>;
  /** ledger entries to write, `in` before its `out` */
  entries: LedgerEntry[];
  /** true when the duplicate is already marked merged into `keep` */
  alreadyMerged: boolean;
}

const mergeId = (dup: string, account: string, n: number, side: 'in' | 'out') => `${MERGE_PREFIX}${dup.slice('customer:'.length)}:${account}:${n}:${side}`;
const MERGE_ID = /^ledger:merge:(.+):(loyalty|store_credit):(\d+):(in|out)$/;

/**
 * What merging `duplicate` into `keep` writes: for each customer account (loyalty, store credit) the
 * duplicate's balance moves to the kept profile as a pair of transfer entries — `in` on the kept one,
 * `out` (the negation) on the duplicate. Entries are immutable: nothing is rewritten, the sums move.
 *
 * Exactly once, however often it runs and even concurrently: a pair's ids carry `n`, the number of the
 * duplicate's entries in that account at planning time, so two runs over the same state name the
 * same pair and the store accepts it once. `in` is written before `out`: a crash in between leaves an
 * `in` without its `out`, which the next run repairs first (the `out` is derived from the `in`),
 * before it sweeps what is left. A run after the merge sweeps only what arrived since (e.g. an offline
 * register's sale to the duplicate): a new `n`, a new pair. Gift cards are held by card number, not by
 * customer, so they do not move.
 *
 * `dupEntries` / `keepEntries`: every ledger entry held by each (any account).
 */
export function planMerge(
  keep: CustomerDoc,
  duplicate: CustomerDoc,
  dupEntries: readonly LedgerEntry[],
  keepEntries: readonly LedgerEntry[],
  actor: Actor
): MergePlan {
  if (keep._id === duplicate._id) throw new CustomerError('invalid', 'duplicate: must differ from the kept customer');
  if (keep.mergedInto) throw new CustomerError('conflict', `${keep._id} was itself merged into ${keep.mergedInto}; keep that one instead`);
  if (duplicate.mergedInto && duplicate.mergedInto !== keep._id) throw new CustomerError('conflict', `${duplicate._id} was already merged into ${duplicate.mergedInto}`);
  const dupSuffix = duplicate._id.slice('customer:'.length);
  const entries: LedgerEntry[] = [];
  const make = (account: CustomerAccount, holder: string, amount: number, id: string, ref: string): LedgerEntry =>
    ledgerEntrySchema.parse({ _id: id, type: 'ledger_entry', account, holder, amount, reason: 'merge', ref, createdAt: actor.now, createdBy: actor.by });

  const dupIds = new Set(dupEntries.map((e) => e._id));
  const sum = (list: readonly LedgerEntry[], account: CustomerAccount, holder: string) => balanceOf(list, account, holder);
  const before = {
    keep: { loyalty: sum(keepEntries, 'loyalty', keep._id), store_credit: sum(keepEntries, 'store_credit', keep._id) },
    duplicate: { loyalty: sum(dupEntries, 'loyalty', duplicate._id), store_credit: sum(dupEntries, 'store_credit', duplicate._id) }
  };
  const after = { ...before.keep };
  for (const account of CUSTOMER_ACCOUNTS) {
    // 1. repair: an `in` on the kept profile whose `out` never made it to the duplicate
    const mine = dupEntries.filter((e) => e.account === account && e.holder === duplicate._id);
    let dupBalance = before.duplicate[account];
    let count = new Set(mine.map((e) => e._id)).size;
    for (const e of keepEntries) {
      const m = MERGE_ID.exec(e._id);
      if (!m || m[1] !== dupSuffix || m[2] !== account || m[4] !== 'in' || e.holder !== keep._id) continue;
      const outId = mergeId(duplicate._id, account, Number(m[3]), 'out');
      if (dupIds.has(outId)) continue;
      entries.push(make(account, duplicate._id, -e.amount, outId, keep._id));
      dupBalance -= e.amount;
      count += 1;
    }
    // 2. sweep what is left
    if (dupBalance !== 0) {
      entries.push(make(account, keep._id, dupBalance, mergeId(duplicate._id, account, count, 'in'), duplicate._id));
      entries.push(make(account, duplicate._id, -dupBalance, mergeId(duplicate._id, account, count, 'out'), keep._id));
      after[account] += dupBalance;
    }
  }
  return { keep: keep._id, duplicate: duplicate._id, before, after, entries, alreadyMerged: duplicate.mergedInto === keep._id };
}

/** The duplicate's profile marked merged (its fields stay, for the record and for history). */
export function markMerged(duplicate: CustomerDoc, keepId: string, actor: Actor): CustomerDoc {
  return customerSchema.parse({ ...duplicate, mergedInto: keepId, updatedAt: actor.now, updatedBy: actor.by, fieldTimes: { ...(duplicate.fieldTimes ?? {}), mergedInto: actor.now } });
}

// -------------------------------------------------------------------------------------------------
// Loyalty rules (settings:tenant)

export const loyaltyRulesInput = z
  .object({
    /** points earned per whole currency unit of a sale (0 = no earning) */
    pointsPerUnit: z.number().int('must be a whole number').min(0).max(100),
    /** points a customer gives up for one whole currency unit of value */
    pointsPerRedeemUnit: z.number().int('must be a whole number').min(1).max(100_000)
  })
  .strict()
  .refine((r) => r.pointsPerUnit <= r.pointsPerRedeemUnit, {
    path: ['pointsPerRedeemUnit'],
    message: 'must be at least the earn rate: otherwise a customer gets back more than they spent'
  });
export type LoyaltyRules = z.output<typeof loyaltyRulesInput>;

/** Value of `points` in minor units under the redemption rule, rounded down (never over-promise). */
export function pointsValue(points: number, pointsPerRedeemUnit: number): number {
  if (points <= 0 || pointsPerRedeemUnit <= 0) return 0;
  return Math.floor((points * 100) / pointsPerRedeemUnit);
}

/** Share of spend given back, basis points: earn / redeem (e.g. 1 point per $1, 100 points = $1 → 100 bp = 1%). */
export function rewardRateBp(rules: LoyaltyRules): number {
  return Math.round((rules.pointsPerUnit * 10_000) / rules.pointsPerRedeemUnit);
}
