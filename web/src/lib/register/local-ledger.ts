import { tenderLedgerId } from '../domain/sale-ledger.ts';
import { movesStock } from '../domain/schemas/location.ts';
import { eachWithPrefix, followFromNow } from './register-db.ts';

/**
 * The register's own sums over its local replicas: stock on hand and reserved per variant, units
 * returned per sale line, voids per sale, store-credit/gift-card use per holder, and customer
 * ledger balances. They are the same sums as the server's CouchDB views (couch-design-docs/
 * location/stock, sales/returns, sales/balance_use; customers/ledger/balance; a unit test holds
 * the two to the same answers), computed here in plain code because PouchDB can only run a design
 * document's map function through eval, which the app's Content-Security-Policy rightly forbids.
 *
 * Pure: documents in, sums out. `LedgerFollower` below feeds it from a PouchDB replica.
 */
type Doc = Record<string, unknown> & { _id: string; _deleted?: boolean; type?: string };
type Line = { variantId?: string; qty?: number; restock?: boolean; returnOf?: { saleId: string; lineId: string } };
type TenderLike = { kind?: string; amount?: number; reference?: string };

export interface BalanceUse {
  saleId: string;
  index: number;
  amount: number;
}

const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);

export class LocationLedger {
  readonly onHand = new Map<string, number>();
  readonly reserved = new Map<string, number>();
  /** `${saleId}|${lineId}` → units returned */
  readonly returned = new Map<string, number>();
  readonly voidBySale = new Map<string, string>();
  /** receipt number → sale id, for returns typed by the number on the receipt (any register of the store) */
  readonly saleByNumber = new Map<string, string>();
  /** `${account}|${holder}` → uses by sales */
  readonly balanceUse = new Map<string, BalanceUse[]>();
  /** event documents are immutable: each counts once, however often it is seen */
  private seen = new Set<string>();

  /** Counts one document (events only; edits and deletions of events do not exist). */
  apply(doc: Doc): void {
    if (doc._deleted || this.seen.has(doc._id)) return;
    const lines = Array.isArray(doc.lines) ? (doc.lines as Line[]) : [];
    switch (doc.type) {
      case 'stock_movement':
        for (const l of lines) if (l.variantId && typeof l.qty === 'number') add(this.onHand, l.variantId, l.qty);
        break;
      case 'sale':
        if (typeof doc.receiptNo === 'string') this.saleByNumber.set(doc.receiptNo, doc._id);
        for (const l of lines) {
          if (!l.variantId || typeof l.qty !== 'number') continue;
          // a returned item kept off the shelf (damaged) does not come back into stock (movesStock)
          if (movesStock({ qty: l.qty, restock: l.restock })) add(this.onHand, l.variantId, -l.qty);
          if (l.returnOf && l.qty < 0) add(this.returned, `${l.returnOf.saleId}|${l.returnOf.lineId}`, -l.qty);
        }
        ((doc.tenders as TenderLike[] | undefined) ?? []).forEach((t, index) => {
          if ((t.kind === 'store_credit' || t.kind === 'gift_card') && t.reference && typeof t.amount === 'number') {
            const k = `${t.kind}|${t.reference}`;
            this.balanceUse.set(k, [...(this.balanceUse.get(k) ?? []), { saleId: doc._id, index, amount: t.amount }]);
          }
        });
        break;
      case 'void':
        for (const l of lines) if (l.variantId && typeof l.qty === 'number') add(this.onHand, l.variantId, l.qty);
        if (typeof doc.saleId === 'string') this.voidBySale.set(doc.saleId, doc._id);
        break;
      case 'layaway':
        for (const l of lines) if (l.variantId && typeof l.qty === 'number') add(this.reserved, l.variantId, l.qty);
        break;
      case 'layaway_close':
        for (const l of lines) if (l.variantId && typeof l.qty === 'number') add(this.reserved, l.variantId, -l.qty);
        break;
      default:
        return; // mutable documents (parked sales) are not counted: not remembered either
    }
    this.seen.add(doc._id);
  }

  stock(variantId: string): { onHand: number; available: number } {
    const onHand = this.onHand.get(variantId) ?? 0;
    return { onHand, available: onHand - (this.reserved.get(variantId) ?? 0) };
  }

  returnedOf(saleId: string): Map<string, number> {
    const out = new Map<string, number>();
    const prefix = `${saleId}|`;
    for (const [k, n] of this.returned) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), n);
    return out;
  }
}

export class CustomerLedger {
  /** `${account}|${holder}` → balance */
  readonly balances = new Map<string, number>();
  readonly ids = new Set<string>();

  apply(doc: Doc): void {
    if (doc._deleted || doc.type !== 'ledger_entry' || this.ids.has(doc._id)) return;
    if (typeof doc.account === 'string' && typeof doc.holder === 'string' && typeof doc.amount === 'number') add(this.balances, `${doc.account}|${doc.holder}`, doc.amount);
    this.ids.add(doc._id);
  }
}

/**
 * Balance a register may spend: the server's ledger (as replicated) minus this location's sales
 * whose ledger entry the server has not written back yet, so offline registers cannot spend twice.
 */
export function spendableBalance(customers: CustomerLedger, location: LocationLedger, account: 'loyalty' | 'store_credit' | 'gift_card', holder: string): number {
  const ledger = customers.balances.get(`${account}|${holder}`) ?? 0;
  if (account === 'loyalty') return ledger;
  const pending = (location.balanceUse.get(`${account}|${holder}`) ?? []).filter((u) => !customers.ids.has(tenderLedgerId(u.saleId, u.index)));
  return ledger - pending.reduce((a, u) => a + u.amount, 0);
}

/** Document id prefixes whose documents the ledgers count (the rest of a replica is skipped). */
const LOCATION_PREFIXES = ['movement:', 'sale:', 'void:', 'layaway:', 'layaway_close:'];

/**
 * Keeps a ledger current from a PouchDB replica: one pass over the counted id ranges, then the
 * replica's live changes (local writes and replicated ones alike). `ready` resolves after the pass.
 */
export class LedgerFollower {
  readonly ready: Promise<void>;
  private cancel: (() => void) | null = null;
  private stopped = false;

  constructor(db: PouchDB.Database, ledger: { apply(doc: Doc): void }, prefixes: readonly string[]) {
    this.ready = (async () => {
      // Follow first, then read: a document written in between is seen twice, and counted once.
      const cancel = await followFromNow(db, (doc) => ledger.apply(doc as Doc));
      if (this.stopped) return cancel();
      this.cancel = cancel;
      for (const p of prefixes) await eachWithPrefix(db, p, (doc) => ledger.apply(doc as Doc));
    })();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }
}

export const locationPrefixes = LOCATION_PREFIXES;
export const customerPrefixes = ['ledger:'];
