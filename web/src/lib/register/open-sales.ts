import { z } from 'zod';
import { approvalSchema, cartLineSchema, customerSchema, describeIssues, discountSchema, tenderSchema, type PaymentVoidDoc } from '../domain/schemas/index.ts';
import type { Tender } from '../domain/tender.ts';
import { InvalidDocumentError, readLocalState, storageError, writeLocalState } from './register-db.ts';
import type { CartSnapshot } from './cart.svelte.ts';

/**
 * The sales in progress on this register, one per cashier: the cart and the tenders already taken
 * toward it (cash counted into the drawer, a card approved on the terminal). Money taken is part of
 * the sale's durable state, so it lives where the sales do: a `_local` document of the location
 * replica, which never replicates and is written with the replica's strict IndexedDB durability
 * (durability.ts). A reload, a crash or a cashier switch gives the cart back with its tenders.
 *
 * Writes are coalesced (the latest cart of each cashier wins; one write in flight) and applied to
 * the document as it is now, so two tabs of the same register, each with its own cashier, do not
 * undo each other: a 409 re-reads and re-applies.
 *
 * An IndexedDB write takes milliseconds, and a reload in that window would lose the lines scanned
 * just before it. So each save is first mirrored, synchronously, into a small pending entry in
 * localStorage, removed once a durable write holds that state. Reads prefer a pending entry (it is
 * always newer than the document). Money never depends on the mirror: taking a tender awaits the
 * durable write before the cashier may go on.
 */
export const OPEN_SALES_ID = '_local/pos-open-sales';
/** Held carts from before this document existed (localStorage); moved in once, then removed. */
export const LEGACY_HELD_CARTS_KEY = 'pos.heldCarts';

export const openSaleSchema = z
  .object({
    lines: z.array(cartLineSchema),
    orderDiscount: discountSchema.nullable(),
    // a profile whose shape changed since it was stored must not cost the cart: it is simply dropped
    customer: customerSchema.nullable().catch(null),
    approvals: z.array(approvalSchema),
    layawayId: z.string().min(1).max(200).nullable().optional(),
    /** tenders taken so far (sales positive, refunds negative) */
    tenders: z.array(tenderSchema).default([]),
    /** the id the sale will be written under, fixed when the first tender is taken */
    saleId: z.string().min(1).max(200).nullable().optional()
  })
  .strict();

interface OpenSalesDoc {
  _id: string;
  _rev?: string;
  carts: Record<string, unknown>;
}

const WRITE_ATTEMPTS = 5;

/** The part of the Web Storage API the pending mirror uses (localStorage in the browser). */
export type MirrorStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
interface PendingEntry {
  token: string;
  cart: unknown;
}
interface PendingSave {
  cart: CartSnapshot | null;
  token: string;
}

/** Parses a stored cart; null when it is not one (it was validated when written, so only a format change gets here). */
export function parseOpenSale(raw: unknown): CartSnapshot | null {
  const r = openSaleSchema.safeParse(raw);
  return r.success ? (r.data as CartSnapshot) : null;
}

export class OpenSales {
  private pending = new Map<string, PendingSave>();
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private running: Promise<void> | null = null;
  private readonly instance = Math.random().toString(36).slice(2, 10);
  private saves = 0;
  private readonly mirrorKey: string;

  constructor(
    private readonly db: PouchDB.Database,
    private readonly mirror: MirrorStorage | null = null
  ) {
    this.mirrorKey = `pos.openSales.pending:${db.name}`;
  }

  /** Every cashier's sale in progress, as stored now (a save not yet durable included). */
  async all(): Promise<Map<string, CartSnapshot>> {
    const doc = await this.read();
    const carts: Record<string, unknown> = { ...doc.carts };
    for (const [cashierId, entry] of Object.entries(this.readMirror())) {
      if (entry.cart === null) delete carts[cashierId];
      else carts[cashierId] = entry.cart;
    }
    const out = new Map<string, CartSnapshot>();
    for (const [cashierId, raw] of Object.entries(carts)) {
      const cart = parseOpenSale(raw);
      if (cart) out.set(cashierId, cart);
    }
    return out;
  }

  async get(cashierId: string): Promise<CartSnapshot | null> {
    return (await this.all()).get(cashierId) ?? null;
  }

  /**
   * Stores (or, with null, removes) a cashier's sale in progress. Resolves once a write holding this
   * state (or a later one) is durable; rejects with a StorageError when it could not be written.
   */
  save(cashierId: string, cart: CartSnapshot | null): Promise<void> {
    if (cart) {
      const parsed = openSaleSchema.safeParse(cart);
      if (!parsed.success) return Promise.reject(new InvalidDocumentError(describeIssues(parsed.error)));
    }
    const token = `${this.instance}:${++this.saves}`;
    this.writeMirror((m) => (m[cashierId] = { token, cart }));
    this.pending.set(cashierId, { cart, token });
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.kick();
    return done;
  }

  /** Resolves when every save asked for so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.pending.size) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size) {
      const ops = this.pending;
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        await this.apply(ops);
        // durable now: the pending entries of exactly these saves are no longer needed (a later save keeps its own)
        this.writeMirror((m) => {
          for (const [cashierId, op] of ops) if (m[cashierId]?.token === op.token) delete m[cashierId];
        });
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
  }

  private async apply(ops: Map<string, PendingSave>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let doc: OpenSalesDoc;
      try {
        doc = await this.read();
      } catch (err) {
        throw await storageError(err);
      }
      const carts = { ...doc.carts };
      for (const [cashierId, { cart }] of ops) {
        if (cart) carts[cashierId] = cart;
        else delete carts[cashierId];
      }
      try {
        await writeLocalState(this.db, OPEN_SALES_ID, doc._rev, { carts });
        return;
      } catch (err) {
        // another tab of this register wrote in between: apply ours to what it wrote
        if ((err as { status?: number }).status === 409 && attempt < WRITE_ATTEMPTS) continue;
        throw await storageError(err);
      }
    }
  }

  private readMirror(): Record<string, PendingEntry> {
    if (!this.mirror) return {};
    try {
      const raw = JSON.parse(this.mirror.getItem(this.mirrorKey) ?? '{}') as unknown;
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
      const out: Record<string, PendingEntry> = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (v && typeof v === 'object' && typeof (v as PendingEntry).token === 'string' && 'cart' in v) out[k] = v as PendingEntry;
      }
      return out;
    } catch {
      return {}; // unreadable: the document alone answers
    }
  }

  private writeMirror(change: (m: Record<string, PendingEntry>) => void): void {
    if (!this.mirror) return;
    const m = this.readMirror();
    change(m);
    try {
      if (Object.keys(m).length) this.mirror.setItem(this.mirrorKey, JSON.stringify(m));
      else this.mirror.removeItem(this.mirrorKey);
    } catch {
      /* a full localStorage only loses the reload window the mirror covers; the durable write goes on */
    }
  }

  private async read(): Promise<OpenSalesDoc> {
    const doc = await readLocalState<OpenSalesDoc>(this.db, OPEN_SALES_ID);
    if (!doc) return { _id: OPEN_SALES_ID, carts: {} };
    return { _id: OPEN_SALES_ID, _rev: doc._rev, carts: doc.carts && typeof doc.carts === 'object' ? doc.carts : {} };
  }
}

const sameTender = (a: Tender, b: Tender) => a.kind === b.kind && a.amount === b.amount && (a.reference ?? '') === (b.reference ?? '');

/**
 * The tenders still held by a sale in progress, given the payment voids already written for it: a
 * crash between writing a payment void and saving the cart without its tenders must not give the
 * same money back twice. Each voided tender cancels one equal tender (kind, amount, reference).
 */
export function tendersStillHeld(tenders: readonly Tender[], voids: readonly Pick<PaymentVoidDoc, 'taken'>[]): Tender[] {
  const left = [...tenders];
  for (const v of voids) {
    for (const t of v.taken) {
      const i = left.findIndex((x) => sameTender(x, t));
      if (i >= 0) left.splice(i, 1);
    }
  }
  return left;
}

/** The payment void for tenders taken toward a sale that will not be completed (pure). */
export function buildPaymentVoid(
  bits: { id: string; registerId: string; locationCode: string; shiftId?: string | undefined; cashierId: string; cashierName?: string | undefined },
  sale: { saleId: string; currency: string; total: number; items: { name: string; qty: number }[] },
  taken: readonly Tender[],
  reason: string,
  now: Date = new Date()
): PaymentVoidDoc {
  if (taken.length === 0) throw new RangeError('no tenders to give back');
  const strip = (t: Tender): Tender => (t.reference ? { kind: t.kind, amount: t.amount, reference: t.reference } : { kind: t.kind, amount: t.amount });
  return {
    _id: bits.id,
    type: 'payment_void',
    locationCode: bits.locationCode,
    registerId: bits.registerId,
    ...(bits.shiftId ? { shiftId: bits.shiftId } : {}),
    cashierId: bits.cashierId,
    ...(bits.cashierName ? { cashierName: bits.cashierName } : {}),
    saleId: sale.saleId,
    currency: sale.currency,
    items: sale.items.slice(0, 500).map((i) => ({ name: i.name.slice(0, 200), qty: i.qty })),
    total: sale.total,
    taken: taken.map(strip),
    returned: taken.map((t) => ({ ...strip(t), amount: -t.amount })),
    reason: reason.trim() || 'Payment cancelled',
    createdAt: now.toISOString()
  };
}

const GIVE_BACK: Record<Tender['kind'], (amount: string) => string> = {
  cash: (a) => `Give back ${a} in cash`,
  card_external: (a) => `Refund ${a} to the card on the terminal`,
  card_stripe: (a) => `Refund ${a} to the card`,
  store_credit: (a) => `${a} of store credit stays on the account`,
  gift_card: (a) => `${a} stays on the gift card`,
  layaway: (a) => `${a} stays on the layaway`
};

const TAKE_BACK: Record<Tender['kind'], (amount: string) => string> = {
  cash: (a) => `Take ${a} in cash back from the customer`,
  card_external: (a) => `Charge ${a} back to the card on the terminal`,
  card_stripe: (a) => `Charge ${a} back to the card`,
  store_credit: (a) => `${a} of store credit is not added to the account`,
  gift_card: (a) => `${a} is not added to the gift card`,
  layaway: (a) => `${a} stays on the layaway`
};

/**
 * What the cashier must do for a tender given back, in shop words: "Give back $20.00 in cash" for
 * money taken toward a sale; for a refund already paid out (negative), the reverse.
 */
export function giveBackText(t: Tender, money: (minor: number) => string): string {
  return (t.amount < 0 ? TAKE_BACK : GIVE_BACK)[t.kind](money(Math.abs(t.amount)));
}

/** The payment-void slip: which sale, why, who, and what went back. */
export function paymentVoidSlipLines(v: PaymentVoidDoc, money: (minor: number) => string, when: (iso: string) => string): string[] {
  const out = ['Payment cancelled: no sale was made', when(v.createdAt), `Reason: ${v.reason}`];
  if (v.cashierName) out.push(`Cashier: ${v.cashierName}`);
  out.push(`Sale total was ${money(v.total)}`, '', 'Given back:');
  for (const t of v.taken) out.push(`  ${giveBackText(t, money)}${t.kind === 'gift_card' && t.reference ? ` (****${t.reference.slice(-4)})` : ''}`);
  return out;
}
