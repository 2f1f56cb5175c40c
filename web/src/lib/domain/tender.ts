/**
 * Payment state for the payment dialog: what is due, paid, still to pay, change and cash rounding,
 * for sales (total ≥ 0, positive tenders) and refunds (total < 0, negative tenders).
 */
import { cashRound, DENOMINATIONS, toDecimalString } from './money.ts';
import type { TenderKind } from './schemas/location.ts';

export type { TenderKind };

export interface Tender {
  kind: TenderKind;
  amount: number;
  reference?: string;
  /** card_stripe: the register's payment id the server knows the card payment by */
  paymentId?: string;
}

export interface PaymentState {
  /** total + rounding: what the tenders must settle */
  due: number;
  /** Σ tender amounts */
  paid: number;
  /** due − paid while not settled, 0 once it is; same sign as the total (negative: still to refund) */
  remaining: number;
  /** cash handed back (sales only) */
  change: number;
  /** cash rounding applied to the last cash tender's remaining amount (rounded − exact) */
  rounding: number;
  /** paid − change === due */
  complete: boolean;
}

const sum = (tenders: readonly Tender[]) => tenders.reduce((a, t) => a + t.amount, 0);

/**
 * Cash rounding only happens when the last tender is cash and settles what remained before it:
 * for a sale, when it is at least the cash-rounded remainder (the customer cannot hand over 0.02
 * where the smallest coin is 0.05); for a refund, when it is exactly the cash-rounded remainder.
 * Cash of exactly the unrounded remainder, and anything else, settles the exact amount. Non-cash
 * tenders never round and never give change.
 */
export function paymentState(total: number, tenders: readonly Tender[], cashIncrement: number): PaymentState {
  const paid = sum(tenders);
  const refund = total < 0;
  const last = tenders.at(-1);
  let rounding = 0;
  if (last?.kind === 'cash' && cashIncrement > 1) {
    const before = total - (paid - last.amount);
    const rounded = cashRound(before, cashIncrement);
    // Cash of exactly the unrounded remainder settles it as it is.
    if (last.amount !== before && (refund ? before < 0 && last.amount === rounded : before > 0 && last.amount >= rounded)) rounding = rounded - before;
  }
  const due = total + rounding;
  let change = 0;
  if (!refund && paid > due) {
    const cash = tenders.reduce((a, t) => (t.kind === 'cash' && t.amount > 0 ? a + t.amount : a), 0);
    change = Math.min(paid - due, cash);
  }
  const complete = paid - change === due;
  const left = due - paid;
  const remaining = complete ? 0 : refund ? Math.min(0, left) : Math.max(0, left);
  return { due, paid, remaining, change, rounding, complete };
}

const LABEL: Record<TenderKind, string> = {
  cash: 'cash',
  card_external: 'card',
  card_stripe: 'card',
  store_credit: 'store credit',
  gift_card: 'gift card',
  layaway: 'layaway'
};

/**
 * Why `next` cannot be added to `tenders`, or null when it can. Sales: positive amounts; only cash
 * may exceed what remains (the excess is change). Refunds: negative amounts, never more than what
 * remains to refund (cash up to its cash-rounded figure). Gift cards and layaways need a reference.
 * Amounts in messages are plain decimals with two places.
 */
export function validateTender(total: number, tenders: readonly Tender[], next: Tender, cashIncrement: number): string | null {
  if (!Number.isSafeInteger(next.amount) || next.amount === 0) return 'Enter an amount';
  const refund = total < 0;
  const label = LABEL[next.kind];
  if (!refund && next.amount < 0) return 'A payment must be a positive amount';
  if (refund && next.amount > 0) return 'A refund must be a negative amount';
  const state = paymentState(total, tenders, cashIncrement);
  const remaining = total - sum(tenders);
  if (state.complete || (refund ? remaining >= 0 : remaining <= 0)) return refund ? 'Nothing remains to refund' : 'Nothing remains to pay';
  if (next.kind === 'gift_card' && !next.reference?.trim()) return 'A gift card payment needs the card number';
  if (next.kind === 'layaway' && !next.reference?.trim()) return 'A layaway payment needs the layaway it comes from';
  if (!refund) {
    if (next.kind !== 'cash' && next.amount > remaining) {
      return `A ${label} payment cannot be more than the ${toDecimalString(remaining)} still due`;
    }
    return null;
  }
  const limit = next.kind === 'cash' ? Math.min(remaining, cashRound(remaining, cashIncrement)) : remaining;
  if (next.amount < limit) return `A ${label} refund cannot be more than the ${toDecimalString(-limit)} still to refund`;
  return null;
}

/** Notes a customer is likely to hand over (≥ 5 major units); unknown currencies get a generic set. */
function notesOf(currency: string): number[] {
  const d = DENOMINATIONS[currency];
  return (d ? d.filter((v) => v >= 500) : [500, 1000, 2000, 5000, 10000]).slice().sort((a, b) => a - b);
}

/**
 * Quick cash buttons: the exact amount, then the amount rounded up to a whole unit and to each
 * note, and single notes, up to the second note that alone covers it (1437 USD → [1437, 1500,
 * 2000, 5000]). Distinct, ascending, at most 5; [] when nothing remains. In a currency with cash
 * rounding, pass the cash-rounded remainder.
 */
export function quickCashAmounts(remaining: number, currency: string): number[] {
  if (!Number.isSafeInteger(remaining) || remaining <= 0) return [];
  const notes = notesOf(currency);
  const covering = notes.filter((n) => n >= remaining);
  const cap = covering[1] ?? covering[0] ?? Number.POSITIVE_INFINITY;
  const candidates = new Set<number>([remaining]);
  for (const unit of [100, ...notes]) candidates.add(Math.ceil(remaining / unit) * unit);
  for (const n of covering) candidates.add(n);
  return [...candidates]
    .filter((v) => v <= cap)
    .sort((a, b) => a - b)
    .slice(0, 5);
}

/**
 * The tenders of a void: each of the sale's tenders negated, with cash net of the change given
 * (the customer gets back what they actually paid). Cash goes first; zero amounts are dropped.
 */
export function voidRefundTenders(sale: { tenders: readonly Tender[]; change?: number }): Tender[] {
  const cash = sale.tenders.reduce((a, t) => (t.kind === 'cash' ? a + t.amount : a), 0) - (sale.change ?? 0);
  const out: Tender[] = cash !== 0 ? [{ kind: 'cash', amount: -cash }] : [];
  for (const t of sale.tenders) {
    if (t.kind === 'cash') continue;
    out.push(t.reference !== undefined ? { kind: t.kind, amount: -t.amount, reference: t.reference } : { kind: t.kind, amount: -t.amount });
  }
  return out;
}
