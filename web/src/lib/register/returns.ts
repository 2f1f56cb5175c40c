/**
 * Returns, exchanges and voids at the register. Pure helpers (returnLines, buildVoid, what can
 * still be returned or voided) plus two reads over the local location replica. Nothing here
 * writes: the void is written by flows/void.ts (through register-db.ts inside the storage guard).
 *
 * A return is not a document of its own: the returned units become negative cart lines (fixed
 * amounts, returnOf → the original line) in an ordinary sale, so an exchange is one sale with both
 * kinds of line and one payment or refund. The sales/returns view sums those lines per original
 * line, which is how every register of the location knows what is still returnable.
 */
import { returnLine, type CartLine } from '../domain/cart.ts';
import { voidRefundTenders } from '../domain/tender.ts';
import { parseReceiptNo, saleLabel } from '../domain/receipt-number.ts';
import { movesStock, type ReturnReason } from '../domain/schemas/location.ts';
import { findSale, recentSales, voidOf, type SaleDoc, type VoidDoc } from './register-db.ts';
import type { Approval } from './cart.svelte.ts';

export type SaleLine = SaleDoc['lines'][number];

export interface ReturnableLine {
  line: SaleLine;
  /** units sold on this line (0 for a line that was itself a return) */
  sold: number;
  /** units already returned (at any register of the location) */
  returned: number;
  /** units that may still come back */
  returnable: number;
}

export interface Returnable {
  sale: SaleDoc;
  void: VoidDoc | null;
  /** units already returned per original lineId */
  returned: Map<string, number>;
  lines: ReturnableLine[];
}

/** Who is writing: the register and cashier bits every register document carries. */
export interface RegisterBits {
  registerKey: string;
  registerId: string;
  locationCode: string;
  shiftId?: string | undefined;
  cashierId: string;
}

/** Per line, how many units can still be returned given what came back before (voided: none). */
export function returnableLines(sale: SaleDoc, returned: ReadonlyMap<string, number>, voided: boolean): ReturnableLine[] {
  return sale.lines.map((line) => {
    const sold = line.qty > 0 ? line.qty : 0;
    const back = returned.get(line.lineId) ?? 0;
    return { line, sold, returned: back, returnable: voided ? 0 : Math.max(0, sold - back) };
  });
}

/**
 * The sale, its void and what is still returnable, or null when no such sale is on this register's
 * replica. `returnedOf` gives the units of each line already returned at any register of the store.
 */
export async function loadReturnable(db: PouchDB.Database, saleId: string, returnedOf: (saleId: string) => Promise<Map<string, number>>): Promise<Returnable | null> {
  const sale = await findSale(db, saleId);
  if (!sale) return null;
  const [voided, returned] = await Promise.all([voidOf(db, saleId), returnedOf(saleId)]);
  return { sale, void: voided, returned, lines: returnableLines(sale, returned, voided !== null) };
}

/**
 * What the cashier typed or scanned, as a sale id: a receipt barcode (`sale:{register}:{ulid}`), the
 * receipt number (`GM1-20261201-0042`, any register of the store: `byNumber` is the location
 * ledger's index of them), the document number older receipts printed (`{register}:{ulid}`), or a
 * short sale number (the last characters of the id, at least 6) among this register's recent sales.
 * Null: not found.
 */
export async function resolveSaleRef(
  db: PouchDB.Database,
  registerKey: string,
  input: string,
  byNumber: (receiptNo: string) => string | undefined = () => undefined,
  searchDepth = 500
): Promise<string | null> {
  const raw = input.trim();
  if (!raw) return null;
  if (raw.startsWith('sale:')) return raw;
  const number = parseReceiptNo(raw);
  if (number) {
    const no = raw.toUpperCase();
    const hit = byNumber(no);
    if (hit) return hit;
    // not indexed yet (the ledger is still reading the replica): this register's own recent sales
    const recent = await recentSales(db, registerKey, searchDepth);
    return recent.find((s) => s.receiptNo === no)?._id ?? null;
  }
  const printed = /^([A-Za-z0-9_-]+):([0-9A-Za-z]{26})$/.exec(raw);
  if (printed) return `sale:${printed[1]}:${printed[2]!.toUpperCase()}`;
  const short = raw.toUpperCase();
  if (!/^[0-9A-Z]{6,26}$/.test(short)) return null;
  const recent = await recentSales(db, registerKey, searchDepth);
  return recent.find((s) => s._id.toUpperCase().endsWith(short))?._id ?? null;
}

/** What a sale is called on screen: its receipt number, or the id's last 8 characters for older sales. */
export const saleNumber = (sale: { _id: string; receiptNo?: string | undefined }) => saleLabel(sale);

/**
 * Whether the sale's prices included tax. Sales record it; for an older sale without the flag,
 * a taxed line tells: its total equals its net (qty × unitPrice − discount) only when tax is inside.
 */
export function pricesIncludeTaxOf(sale: { pricesIncludeTax?: boolean | undefined; lines: SaleDoc['lines'] }): boolean {
  if (sale.pricesIncludeTax !== undefined) return sale.pricesIncludeTax;
  const taxed = sale.lines.find((l) => l.tax !== 0);
  return taxed ? taxed.total === taxed.qty * taxed.unitPrice - taxed.discount : false;
}

/**
 * Units of each line of `saleId` already in the cart as returns (not yet paid): they count as
 * returned, so the same receipt cannot be put in the cart twice and the refund apportioning of a
 * second pick continues where the first stopped.
 */
export function pendingReturns(cartLines: readonly Pick<CartLine, 'qty' | 'returnOf'>[], saleId: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of cartLines) if (l.returnOf?.saleId === saleId && l.qty < 0) out.set(l.returnOf.lineId, (out.get(l.returnOf.lineId) ?? 0) - l.qty);
  return out;
}

/** Returned (recorded) plus pending (in the cart) per original line. */
export function mergeReturned(...maps: ReadonlyMap<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of maps) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

/**
 * Cart lines returning the picked units of `sale`: negative qty, the refund fixed from what was
 * paid for the line (domain/cart.ts refundForReturn, so partial returns sum exactly to the line),
 * returnOf pointing at the original. `returned` = units of each line already returned (recorded +
 * pending). Picks of 0 are skipped; more than is returnable, an unknown line or a line that was
 * itself a return throws a RangeError.
 */
/** Return reasons in shop words, in the order the register offers them. */
export const RETURN_REASON_LABELS: Record<ReturnReason, string> = {
  changed_mind: 'Changed their mind',
  wrong_size: 'Wrong size or fit',
  defective: 'Faulty',
  damaged: 'Damaged',
  not_as_described: 'Not as described',
  other: 'Other'
};

/** Faulty and damaged goods are not put back on the shelf unless the cashier says so. */
export const restockByDefault = (reason: ReturnReason | undefined): boolean => reason !== 'damaged' && reason !== 'defective';

export interface ReturnPick {
  lineId: string;
  qty: number;
  /** why it came back */
  reason?: ReturnReason;
  /** back on the shelf (default) or kept off it (damaged, defective): stock does not count it */
  restock?: boolean;
}

export function returnLines(
  sale: SaleDoc,
  picks: readonly ReturnPick[],
  returned: ReadonlyMap<string, number>,
  newLineId: () => string
): CartLine[] {
  const includeTax = pricesIncludeTaxOf(sale);
  const already = new Map(returned);
  const out: CartLine[] = [];
  for (const p of picks) {
    if (p.qty === 0) continue;
    if (!Number.isSafeInteger(p.qty) || p.qty < 0) throw new RangeError(`quantity to return must be a whole number ≥ 0, got ${p.qty}`);
    const line = sale.lines.find((l) => l.lineId === p.lineId);
    if (!line) throw new RangeError(`sale ${sale._id} has no line ${p.lineId}`);
    if (line.qty < 0) throw new RangeError(`${line.name} was itself a return on this sale and cannot be returned`);
    const back = already.get(line.lineId) ?? 0;
    const l = returnLine(sale._id, line, back, p.qty, includeTax, newLineId());
    if (sale.receiptNo && l.returnOf) l.returnOf.receiptNo = sale.receiptNo;
    if (p.reason) l.returnReason = p.reason;
    l.restock = p.restock ?? true;
    out.push(l);
    already.set(line.lineId, back + p.qty);
  }
  return out;
}

/**
 * Why this sale cannot be voided, or null when it can. A void refunds every tender and puts every
 * line back, so it is only for a plain sale nothing has been returned from: a sale with return
 * lines (its refund already went out), a sale with later returns (they would be refunded twice),
 * a layaway pickup (its layaway tender is not money in the drawer) and a sale paid with store
 * credit or a gift card (only sales move those balances) are handled as returns.
 */
export function voidBlocker(r: Pick<Returnable, 'sale' | 'void' | 'returned'>): string | null {
  if (r.void) return 'This sale has already been voided.';
  if (r.sale.lines.some((l) => l.qty < 0)) return 'This sale contains returns, so it cannot be voided; return its items instead.';
  if ([...r.returned.values()].some((n) => n > 0)) return 'Items of this sale have already been returned, so it cannot be voided; return the rest instead.';
  if (r.sale.layawayId || r.sale.tenders.some((t) => t.kind === 'layaway')) return 'This is a layaway pickup, so it cannot be voided; return its items instead.';
  // Store-credit and gift-card balances move only through sale documents (sales/balance_use and the
  // ledger worker read sales, not voids): a void would not give the balance back.
  if (r.sale.tenders.some((t) => t.kind === 'store_credit' || t.kind === 'gift_card')) return 'This sale was paid with store credit or a gift card, so it cannot be voided; return its items instead.';
  // A void document refunds nothing at Stripe: the card goes back through a return, which refunds the
  // PaymentIntent once per return (flows/card-payment.ts refundToCard).
  if (r.sale.tenders.some((t) => t.kind === 'card_stripe')) return 'This sale was paid on the card reader, so it cannot be voided; return its items to refund the card.';
  return null;
}

/** True when every sold unit of the sale has come back already. */
export function fullyReturned(r: Pick<Returnable, 'lines'>): boolean {
  const sold = r.lines.filter((l) => l.sold > 0);
  return sold.length > 0 && sold.every((l) => l.returned >= l.sold);
}

/**
 * The void's id is the sale's (`void:{the sale's register}:{the sale's ulid}`): a sale can be voided
 * once, so a second void here is refused (AlreadyExistsError) and two offline registers voiding the
 * same sale collide as a conflict instead of refunding twice. It still has the `void:{register}:{ulid}`
 * shape every device-made id has.
 */
export const voidIdOf = (saleId: string) => `void:${saleId.slice('sale:'.length)}`;

/**
 * The void of a completed sale, as a new document (never an edit): the sale's lines (the stock
 * views put them back), its tenders negated (cash net of change: what the customer actually paid),
 * total −sale.total, and the manager's `void` approval. Written in the current shift, so the refund
 * comes out of this drawer and this shift's Z report (domain/shift-report.ts handles voids of
 * sales from earlier shifts).
 */
export function buildVoid(sale: SaleDoc, bits: RegisterBits, reason: string, approval: Approval, now: Date = new Date()): VoidDoc {
  if (approval.action !== 'void') throw new RangeError('a void needs a "void" approval');
  return {
    _id: voidIdOf(sale._id),
    type: 'void',
    locationCode: bits.locationCode,
    registerId: bits.registerId,
    ...(bits.shiftId ? { shiftId: bits.shiftId } : {}),
    saleId: sale._id,
    reason: reason.trim(),
    // (a sale with returns is never voided, voidBlocker; a return kept off the shelf never moved stock anyway)
    lines: sale.lines.filter(movesStock).map((l) => ({ variantId: l.variantId, qty: l.qty })),
    tenders: voidRefundTenders(sale),
    total: -sale.total,
    cashierId: bits.cashierId,
    approvals: [{ action: approval.action, staffId: approval.staffId, staffName: approval.staffName, at: approval.at }],
    createdAt: now.toISOString()
  };
}

const TENDER_NAMES: Record<VoidDoc['tenders'][number]['kind'], string> = {
  cash: 'Cash',
  card_external: 'Card',
  card_stripe: 'Card',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  layaway: 'Layaway'
};

/** The void slip (printed through the session's plain-text report printer): what was voided, why, who approved, what went back. */
export function voidSlipLines(v: VoidDoc, money: (minor: number) => string, when: (iso: string) => string = (iso) => iso, label = saleLabel({ _id: v.saleId })): string[] {
  const out = [`Sale ${label} VOIDED`, when(v.createdAt), `Reason: ${v.reason}`];
  for (const a of v.approvals) out.push(`Approved by ${a.staffName}`);
  out.push(`Items back in stock: ${v.lines.reduce((n, l) => n + l.qty, 0)}`, '', 'Refunded:');
  for (const t of v.tenders) out.push(`  ${TENDER_NAMES[t.kind]}${t.kind === 'gift_card' && t.reference ? ` ****${t.reference.slice(-4)}` : ''}: ${money(-t.amount)}`);
  out.push(`Total refunded: ${money(-v.total)}`);
  return out;
}
