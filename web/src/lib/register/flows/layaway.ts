import type { PricedLine } from '../../domain/cart.ts';
import type { Tender } from '../../domain/tender.ts';
import type { Approval } from '../cart.svelte.ts';
import {
  AlreadyExistsError,
  closeLayaway,
  layawayStatus,
  listOpenLayaways,
  openLayaway,
  recordLayawayPayment,
  type LayawayCloseDoc,
  type LayawayDoc,
  type LayawayPaymentDoc,
  type LayawayStatus
} from '../register-db.ts';
import { buildLayaway, buildLayawayClose, buildLayawayPayment, cancellationFee, depositProblem, paymentProblem, type Payment } from '../layaway.ts';
import { durably, FlowRefused, moneyBlocker, registerBits, type RegisterContext } from './register-context.ts';

/**
 * Layaway flows at the register: open one with a deposit, take a payment, close it after its pickup
 * sale, cancel it with a refund. Each checks its rules, writes through register-db inside the storage
 * guard, nudges sync and returns what happened; LayawayDialog asks for input, takes the payment
 * (PaymentDialog), prints and shows. The money rules are in ../layaway.ts.
 */

/** Net money of a payment: tenders less change. */
export const netOf = (p: Pick<Payment, 'tenders' | 'change'>) => p.tenders.reduce((a, t) => a + t.amount, 0) - p.change;

/**
 * Store credit and gift-card balances are spent or credited by the ledger worker from sale documents
 * only (sales/balance_use), so on a layaway document they would never move the balance. Pickups are
 * sales, so they may use them.
 */
export function ledgerTenderProblem(tenders: readonly Tender[]): string | null {
  return tenders.some((t) => t.kind === 'store_credit' || t.kind === 'gift_card')
    ? 'Store credit and gift cards cannot be used for layaway deposits, payments or refunds; use cash or card. Nothing was saved.'
    : null;
}

/** Open layaways of the location (any register), oldest first. */
export async function openLayaways(reg: Pick<RegisterContext, 'locationDb'>): Promise<LayawayStatus[]> {
  const all = await listOpenLayaways(reg.locationDb);
  return all.sort((a, b) => a.layaway.createdAt.localeCompare(b.layaway.createdAt));
}

/** The layaway as stored now (another register may have paid or closed it since the list was read). */
export async function currentLayaway(reg: Pick<RegisterContext, 'locationDb'>, s: LayawayStatus): Promise<LayawayStatus> {
  const now = await layawayStatus(reg.locationDb, s.layaway);
  if (now.close) throw new LayawayClosedError(now.close.outcome);
  return now;
}

/** The layaway was closed (picked up or cancelled), here or at another register. */
export class LayawayClosedError extends FlowRefused {
  name = 'LayawayClosedError';
  constructor(readonly outcome: LayawayCloseDoc['outcome']) {
    super(`This layaway was already ${outcome === 'picked_up' ? 'picked up' : 'cancelled'}.`);
  }
}

export interface StartLayawayInput {
  customer: { _id: string } | null | undefined;
  currency: string;
  lines: PricedLine[];
  total: number;
  /** the deposit as taken by the payment dialog (its amount was checked with depositCheck first) */
  deposit: Payment;
  cancellationFeeBp: number;
  pricesIncludeTax: boolean;
  approvals: Approval[];
}

/** Opens a layaway from the cart with its deposit: the items are reserved from then on. */
export async function startLayaway(reg: RegisterContext, input: StartLayawayInput): Promise<{ doc: LayawayDoc & { _rev: string }; paid: number }> {
  const why =
    moneyBlocker(reg) ??
    ledgerTenderProblem(input.deposit.tenders) ??
    (input.customer ? null : 'A layaway needs a customer: attach one to the cart first.');
  if (why) throw new FlowRefused(why);
  const doc = buildLayaway(registerBits(reg), {
    customerId: input.customer!._id,
    currency: input.currency,
    lines: input.lines,
    total: input.total,
    deposit: input.deposit,
    cancellationFeeBp: input.cancellationFeeBp,
    pricesIncludeTax: input.pricesIncludeTax,
    approvals: input.approvals
  });
  const saved = await durably(reg, () => openLayaway(reg.locationDb, doc));
  return { doc: saved, paid: netOf(input.deposit) };
}

/** Before the payment dialog opens: may this register take `deposit` toward a layaway of `total` now? */
export function depositCheck(reg: RegisterContext, deposit: number | null, total: number, minimum: number): string | null {
  return moneyBlocker(reg) ?? depositProblem(deposit, total, minimum);
}

/**
 * Before the payment dialog opens: the layaway as stored now (another register may have paid or
 * closed it), and whether `amount` fits its balance. Throws FlowRefused (LayawayClosedError) with why not.
 */
export async function paymentCheck(reg: RegisterContext, s: LayawayStatus, amount: number | null): Promise<LayawayStatus> {
  const why = moneyBlocker(reg) ?? paymentProblem(amount, s.balance);
  if (why) throw new FlowRefused(why);
  const now = await currentLayaway(reg, s);
  const again = paymentProblem(amount, now.balance);
  if (again) throw new FlowRefused(again);
  return now;
}

/** Records a payment (as taken by the payment dialog) toward the layaway `s` read by paymentCheck. */
export async function payLayaway(reg: RegisterContext, s: LayawayStatus, payment: Payment): Promise<{ doc: LayawayPaymentDoc & { _rev: string }; balance: number }> {
  const why = moneyBlocker(reg) ?? ledgerTenderProblem(payment.tenders);
  if (why) throw new FlowRefused(why);
  const doc = buildLayawayPayment(registerBits(reg), s.layaway._id, payment);
  const saved = await durably(reg, () => recordLayawayPayment(reg.locationDb, doc));
  return { doc: saved, balance: s.balance - netOf(payment) };
}

export type PickupClose = { ok: true } | { ok: false; retry: LayawayCloseDoc | null; message: string };

/**
 * Closes a layaway after its pickup sale is saved. The sale is on record either way: if the close
 * cannot be written the layaway would stay open and reserved, so the caller keeps `retry` and offers
 * to try again; if another register closed it first, a manager has to look.
 */
export async function closePickedUp(reg: RegisterContext, layaway: LayawayDoc, saleId: string): Promise<PickupClose> {
  return writePickupClose(reg, buildLayawayClose(registerBits(reg), layaway, { kind: 'picked_up', saleId }));
}

/** Writes (or retries) a pickup's close document. */
export async function writePickupClose(reg: RegisterContext, close: LayawayCloseDoc): Promise<PickupClose> {
  try {
    await durably(reg, () => closeLayaway(reg.locationDb, close));
    return { ok: true };
  } catch (err) {
    if (err instanceof AlreadyExistsError) {
      return { ok: false, retry: null, message: `The pickup sale ${close.saleId?.slice(-8)} is saved, but this layaway had already been closed at another register. Ask a manager to check it.` };
    }
    return { ok: false, retry: close, message: `The pickup sale is saved, but the layaway could not be marked picked up: ${(err as Error).message}` };
  }
}

/** What cancelling would give back now: everything paid less the cancellation fee. */
export function cancellationRefund(s: LayawayStatus): { fee: number; refund: number } {
  const fee = cancellationFee(s.paid, s.layaway.cancellationFeeBp);
  return { fee, refund: s.paid - fee };
}

/**
 * Cancels a layaway, giving back `refund` (negative tenders, as taken by the payment dialog; none when
 * the fee keeps everything). What the store keeps is what was paid less what went back, cash rounding
 * of the refund included. The items are back on sale once this is written.
 */
export async function cancelLayaway(reg: RegisterContext, s: LayawayStatus, refund: Tender[]): Promise<{ close: LayawayCloseDoc & { _rev: string }; back: number; feeKept: number }> {
  const why = moneyBlocker(reg) ?? ledgerTenderProblem(refund);
  if (why) throw new FlowRefused(why);
  const back = -refund.reduce((a, t) => a + t.amount, 0);
  const feeKept = Math.max(0, s.paid - back);
  const close = buildLayawayClose(registerBits(reg), s.layaway, { kind: 'cancelled', refund, feeKept });
  try {
    const saved = await durably(reg, () => closeLayaway(reg.locationDb, close));
    return { close: saved, back, feeKept };
  } catch (err) {
    if (err instanceof AlreadyExistsError) throw new FlowRefused('This layaway was already closed at another register: nothing was refunded.');
    throw err;
  }
}
