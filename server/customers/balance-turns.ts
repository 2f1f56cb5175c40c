import { PLATFORM_DB } from '#domain/db-names.ts';
import { sameEntry, type Account, type LedgerEntry } from '#domain/customers.ts';
import { ledgerEntrySchema } from '#domain/schemas/index.ts';
import { casPut } from '../couch/cas.ts';
import { getOrNull, type Couch, type Db } from '../couch/client.ts';
import { AppError, conflict } from '../errors.ts';
import { insertOnce } from '../inventory/store.ts';

/**
 * Manual adjustments of one account (a gift card, a customer's credit or points) take turns, so that
 * "not below zero" holds when two are sent at once: each reads the ledger, decides, and must then win
 * a compare-and-swap on the account's turn document (`balance-turn:{tenant}:{account}:{holder}` in
 * the server-only platform database) before writing its entry. The turn document holds the entry of
 * the last winner: the next adjustment counts it even if that writer stopped before writing it, and
 * writes it for them (entries are create-once by id, so this is never a second copy). A loser reads
 * the ledger again, now with the winner's entry, and decides again.
 *
 * Sales at the registers spend balances too, offline, without taking turns (a till cannot wait for
 * the server); this guards the manager's hand, not the offline till.
 */
interface TurnDoc {
  _id: string;
  _rev?: string;
  type: 'balance_turn';
  last: LedgerEntry;
}

const ATTEMPTS = 8;

export const turnId = (tenantId: string, account: Account, holder: string) => `balance-turn:${tenantId}:${account}:${holder}`;

export interface TakeTurn {
  couch: Couch;
  tenantId: string;
  account: Account;
  holder: string;
  /** the tenant's customers database, where entries live */
  ledger: Db;
  /** the account's entries as the ledger view shows them now */
  entries: () => Promise<LedgerEntry[]>;
  /** the id of the entry this request writes (a retried request: the same id) */
  entryId: string;
  /** whether a stored entry under `entryId` is this request's (same money on the same account) */
  isThisRequest: (stored: LedgerEntry) => boolean;
  /** the entry to write given those entries (throws to refuse, e.g. below zero) */
  decide: (entries: LedgerEntry[]) => LedgerEntry;
}

/**
 * Decides and writes one entry in the account's turn. `entries` is what the decision was made on
 * (the entry itself not included); `created` is true for the request that won the turn with it, false
 * for a retried request whose entry is there already.
 */
export async function inTurn(t: TakeTurn): Promise<{ entry: LedgerEntry; created: boolean; entries: LedgerEntry[] }> {
  const platform = t.couch.use(PLATFORM_DB);
  const id = turnId(t.tenantId, t.account, t.holder);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const turn = await getOrNull<TurnDoc>(platform, id);
    let entries = await t.entries();
    const last = turn ? ledgerEntrySchema.parse(turn.last) : null;
    if (last && !entries.some((e) => e._id === last._id)) {
      // the last winner's entry is not in the ledger yet: its writer is about to write it, or stopped
      // before it did — write it now (create-once, so never twice) and count it
      await insertOnce(t.ledger, last, (stored) => sameEntry(last, stored), 'Ledger entry');
      entries.push(last);
    }
    const done = entries.find((e) => e._id === t.entryId);
    if (done) {
      // a retried request: its entry is there. Its first attempt won the turn and answers "created"
      // (or stopped short, and then nobody does: an audit event twice would be worse than none; the
      // entry itself names who made it and why)
      if (!t.isThisRequest(done)) throw conflict(`Adjustment ${t.entryId} already exists with other content`);
      entries = entries.filter((e) => e._id !== t.entryId);
      return { entry: done, created: false, entries };
    }
    const entry = t.decide(entries);
    const claim = await casPut(platform, { _id: id, ...(turn?._rev ? { _rev: turn._rev } : {}), type: 'balance_turn', last: entry } satisfies TurnDoc);
    if (!claim.ok) {
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      continue;
    }
    // the turn is ours, so the entry is this request's even if the next adjuster wrote it for us first
    const out = await insertOnce(t.ledger, entry, t.isThisRequest, 'Adjustment');
    return { entry: out.doc, created: true, entries };
  }
  throw new AppError(503, 'busy', 'This balance is being adjusted by other requests; retry');
}
