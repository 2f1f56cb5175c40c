import { ApiError } from '../../api/client.ts';
import { newUlid } from '../../domain/ids.ts';
import type { Tender } from '../../domain/tender.ts';
import { dropPendingCardPayment, findSale, keepPendingCardPayment, pendingCardPayments, type PendingCardPayment } from '../register-db.ts';
import type { CardPaymentApi, ServerCardPayment } from '../card-api.ts';
import { FlowRefused } from './register-context.ts';

/**
 * Card payments on a Stripe reader, server-driven (docs/INTEGRATIONS.md "Payments (Stripe)"): the
 * register asks our server to create the PaymentIntent and send it to the reader assigned to this
 * register, follows its state until it succeeded, failed or was cancelled, and only then records the
 * tender (`card_stripe`, reference = the PaymentIntent, paymentId = ours) with the sale in progress.
 *
 * Never charged twice, never a sale marked paid without the money: the payment id is made here and is
 * the PaymentIntent's idempotency key; a pending record is kept durably before the first request and
 * removed only once the outcome is recorded; a payment whose end the register did not see (reload,
 * crash, lost connection) is asked about again (reconcileCardPayments): captured → its tender is
 * recorded once; not captured → cancelled.
 */

/** How often the register asks how the payment stands while the customer is at the reader. */
export const CARD_POLL_MS = 1_000;
/** The same while the server cannot be reached: slower, the connection decides. */
export const CARD_POLL_OFFLINE_MS = 3_000;

export const CARD_NEEDS_CONNECTION = 'The card reader needs a connection: this register is offline. Take the card on the standalone terminal, or another tender.';
export const REFUND_NEEDS_CONNECTION = 'The card cannot be refunded now: this register is offline. Refund to store credit or cash instead, or try again when the connection is back.';

export interface CardFlowDeps {
  readonly registerKey: string;
  readonly locationDb: PouchDB.Database;
  readonly api: CardPaymentApi;
  online(): boolean;
  /** records a tender with the sale in progress, durably (RegisterSession.takeTender) */
  takeTender(t: Tender): Promise<void>;
  /** the tenders already recorded with the sale in progress */
  tenders(): readonly Tender[];
  /** injectable for tests */
  sleep?: (ms: number) => Promise<void>;
}

export type CardStage = 'starting' | 'present' | 'checking' | 'cancelling';

export type CardOutcome =
  | { kind: 'paid'; tender: Tender }
  | { kind: 'declined'; message: string }
  | { kind: 'cancelled' }
  /** the register lost the server before the payment ended: it stays pending and is checked again */
  | { kind: 'unresolved'; message: string };

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const offlineError = (err: unknown) => err instanceof ApiError && (err.status === 0 || err.status >= 500);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const newPaymentId = (registerKey: string) => `payment:${registerKey}:${newUlid()}`;

/** Reader assignment as last seen online, kept on the device so an offline till still shows the card tender (and why it cannot be used). */
export interface ReaderCache {
  get(): string | null;
  set(readerId: string | null): void;
}

/**
 * The reader assigned to this register (`device:{id}`), from the server when online, else as last
 * seen. Null: none assigned (the register offers no "Card (reader)").
 */
export async function assignedReader(api: CardPaymentApi, registerId: string, cache: ReaderCache, online: boolean): Promise<string | null> {
  if (!online) return cache.get();
  try {
    const mine = (await api.readers()).find((r) => r.registerId === registerId)?.readerId ?? null;
    cache.set(mine);
    return mine;
  } catch (err) {
    if (offlineError(err)) return cache.get();
    throw err;
  }
}

/** The tender of a payment that went through (its amount is what the reader took). */
const tenderOf = (p: Pick<ServerCardPayment, 'amountReceived' | 'intentId' | 'paymentId'>): Tender => ({ kind: 'card_stripe', amount: p.amountReceived, reference: p.intentId, paymentId: p.paymentId });

/** Records the payment's tender with the sale in progress once, then forgets the pending record. */
async function recordOnce(deps: CardFlowDeps, p: ServerCardPayment): Promise<Tender> {
  const already = deps.tenders().find((t) => t.kind === 'card_stripe' && t.paymentId === p.paymentId && t.amount > 0);
  const tender = already ?? tenderOf(p);
  if (!already) await deps.takeTender(tender);
  await dropPendingCardPayment(deps.locationDb, p.paymentId);
  return tender;
}

/** Manual capture (a tenant that authorises first): the register captures what the reader authorised. */
async function settled(deps: CardFlowDeps, p: ServerCardPayment): Promise<ServerCardPayment> {
  return p.status === 'requires_capture' ? deps.api.capture(p.paymentId) : p;
}

/** Cancels a payment that has not gone through; one that went through meanwhile comes back as it is. */
async function cancelOrSettled(deps: CardFlowDeps, paymentId: string): Promise<ServerCardPayment> {
  try {
    return await deps.api.cancel(paymentId);
  } catch (err) {
    // 409: it went through before the cancel reached it — the money was taken, so it is recorded
    if (err instanceof ApiError && err.status === 409) return deps.api.status(paymentId);
    throw err;
  }
}

export interface CardPaymentRequest {
  saleId: string;
  amount: number;
  currency: string;
  readerId: string;
}

/**
 * Takes `amount` on the register's reader for the sale in progress. `onStage` tells the screen what to
 * show ("Present card on the reader"); aborting `signal` is the cashier's Cancel. Resolves with the
 * outcome; a refusal before anything was asked of the reader throws FlowRefused.
 */
export async function takeCardPayment(deps: CardFlowDeps, req: CardPaymentRequest, onStage: (s: CardStage) => void = () => undefined, signal?: AbortSignal): Promise<CardOutcome> {
  if (!Number.isSafeInteger(req.amount) || req.amount <= 0) throw new FlowRefused('A card payment must be a positive amount.');
  if (!deps.online()) throw new FlowRefused(CARD_NEEDS_CONNECTION);
  const sleep = deps.sleep ?? sleepMs;
  onStage('starting');
  const pending: PendingCardPayment = { paymentId: newPaymentId(deps.registerKey), saleId: req.saleId, amount: req.amount, currency: req.currency, readerId: req.readerId, startedAt: new Date().toISOString() };
  // durable before the server hears of it: whatever happens next, this register knows what to ask about
  await keepPendingCardPayment(deps.locationDb, pending);
  try {
    await deps.api.create({ paymentId: pending.paymentId, saleId: req.saleId, amount: req.amount, currency: req.currency });
  } catch (err) {
    if (offlineError(err)) return { kind: 'unresolved', message: `The connection was lost while the payment started. It is checked again when the register is back online; nothing is recorded until then. (${messageOf(err)})` };
    await dropPendingCardPayment(deps.locationDb, pending.paymentId);
    throw new FlowRefused(`The card payment could not start: ${messageOf(err)}`);
  }
  try {
    await deps.api.process(pending.paymentId, req.readerId);
  } catch (err) {
    if (offlineError(err)) return { kind: 'unresolved', message: `The connection was lost while the payment went to the reader. It is checked again when the register is back online. (${messageOf(err)})` };
    // the reader refused it (busy, gone): nothing can be charged, so the payment is cancelled
    const ended = await cancelOrSettled(deps, pending.paymentId).catch(() => null);
    if (ended?.status === 'succeeded') return { kind: 'paid', tender: await recordOnce(deps, ended) };
    if (ended) await dropPendingCardPayment(deps.locationDb, pending.paymentId);
    throw new FlowRefused(`The reader did not take the payment: ${messageOf(err)}`);
  }
  onStage('present');
  let lost = false;
  for (;;) {
    if (signal?.aborted) {
      onStage('cancelling');
      try {
        const ended = await settled(deps, await cancelOrSettled(deps, pending.paymentId));
        if (ended.status === 'succeeded') return { kind: 'paid', tender: await recordOnce(deps, ended) };
        if (ended.status === 'canceled') {
          await dropPendingCardPayment(deps.locationDb, pending.paymentId);
          return { kind: 'cancelled' };
        }
        return { kind: 'unresolved', message: 'The payment could not be cancelled and has not gone through yet. It is checked again when the payment screen opens.' };
      } catch (err) {
        if (offlineError(err)) return { kind: 'unresolved', message: 'The payment could not be cancelled: the connection is lost. It is checked (and cancelled if it did not go through) when the register is back online.' };
        throw err;
      }
    }
    let p: ServerCardPayment & { stale?: boolean };
    try {
      p = await deps.api.status(pending.paymentId);
    } catch (err) {
      if (!offlineError(err)) throw err;
      if (!lost) onStage('checking');
      lost = true;
      await sleep(CARD_POLL_OFFLINE_MS);
      continue;
    }
    if (lost && !p.stale) onStage('present');
    lost = !!p.stale;
    if (p.status === 'succeeded' || p.status === 'requires_capture') {
      const done = await settled(deps, p);
      if (done.status === 'succeeded') return { kind: 'paid', tender: await recordOnce(deps, done) };
    }
    if (p.status === 'canceled') {
      await dropPendingCardPayment(deps.locationDb, pending.paymentId);
      return { kind: 'cancelled' };
    }
    if (p.lastError && p.status === 'requires_payment_method') {
      // declined: this attempt ends here (the cashier may try again, which is a new payment)
      const ended = await cancelOrSettled(deps, pending.paymentId);
      if (ended.status === 'succeeded') return { kind: 'paid', tender: await recordOnce(deps, ended) };
      await dropPendingCardPayment(deps.locationDb, pending.paymentId);
      return { kind: 'declined', message: p.lastError.message };
    }
    await Promise.race([sleep(CARD_POLL_MS), new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }))]);
  }
}

/** The payments of `saleId` this register started and has not seen end. */
export async function pendingOfSale(deps: Pick<CardFlowDeps, 'locationDb'>, saleId: string): Promise<PendingCardPayment[]> {
  return (await pendingCardPayments(deps.locationDb)).filter((p) => p.saleId === saleId);
}

export interface ReconcileResult {
  /** tenders recorded now for the sale in progress */
  recorded: Tender[];
  /** payments cancelled now (they had not gone through) */
  cancelled: string[];
  /** payments still open: the server could not be asked, or they went through for another sale */
  unresolved: PendingCardPayment[];
}

/**
 * Asks the server about every payment this register started and did not see end: on start (no sale in
 * progress) and when the payment dialog opens (`saleId`: the sale in progress). Captured → its tender
 * is recorded once with that sale (or, when the sale was already written with it, only forgotten);
 * not captured → cancelled (a reader still waiting stops). Offline: nothing changes.
 */
export async function reconcileCardPayments(deps: CardFlowDeps, saleId: string | null): Promise<ReconcileResult> {
  const out: ReconcileResult = { recorded: [], cancelled: [], unresolved: [] };
  for (const pending of await pendingCardPayments(deps.locationDb)) {
    if (!deps.online()) {
      out.unresolved.push(pending);
      continue;
    }
    try {
      let p: (ServerCardPayment & { stale?: boolean }) | null;
      try {
        p = await deps.api.status(pending.paymentId);
      } catch (err) {
        // never created on the server (the create was lost on the way): nothing was or can be charged
        if (err instanceof ApiError && err.status === 404) p = null;
        else throw err;
      }
      if (!p) {
        await dropPendingCardPayment(deps.locationDb, pending.paymentId);
        out.cancelled.push(pending.paymentId);
        continue;
      }
      if (p.stale) {
        out.unresolved.push(pending);
        continue;
      }
      if (p.status !== 'succeeded' && p.status !== 'requires_capture' && p.status !== 'canceled') p = await cancelOrSettled(deps, pending.paymentId);
      if (p.status === 'canceled') {
        await dropPendingCardPayment(deps.locationDb, pending.paymentId);
        out.cancelled.push(pending.paymentId);
        continue;
      }
      // the money was taken (or authorised): it belongs to its sale, recorded exactly once
      const sale = await findSale(deps.locationDb, pending.saleId);
      if (sale?.tenders.some((t) => t.kind === 'card_stripe' && t.paymentId === pending.paymentId)) {
        await dropPendingCardPayment(deps.locationDb, pending.paymentId);
        continue;
      }
      if (pending.saleId === saleId) out.recorded.push(await recordOnce(deps, await settled(deps, p)));
      else out.unresolved.push(pending);
    } catch (err) {
      if (offlineError(err)) out.unresolved.push(pending);
      else throw err;
    }
  }
  return out;
}

/** A card payment of an earlier sale that a refund can go back to. */
export interface RefundableCardPayment {
  saleId: string;
  paymentId: string;
  intentId: string;
  /** what the sale took on it */
  amount: number;
}

/** The card payments of the sales the cart returns lines of (each at most once). */
export async function refundableCardPayments(db: PouchDB.Database, returnedSaleIds: readonly string[]): Promise<RefundableCardPayment[]> {
  const out: RefundableCardPayment[] = [];
  for (const saleId of new Set(returnedSaleIds)) {
    const sale = await findSale(db, saleId);
    for (const t of sale?.tenders ?? []) {
      if (t.kind === 'card_stripe' && t.amount > 0 && t.paymentId && t.reference) out.push({ saleId, paymentId: t.paymentId, intentId: t.reference, amount: t.amount });
    }
  }
  return out;
}

/**
 * Refunds `amount` (positive, minor units) of a card payment for the return in progress (`returnId`:
 * the return's sale id) and records the refund tender (reference = the refund). Once per return and
 * payment, end to end: the server answers a repeat with the first refund, and a tender already
 * recorded is not recorded again. Offline: refused with what to do instead.
 */
export async function refundToCard(deps: CardFlowDeps, returnId: string, payment: RefundableCardPayment, amount: number): Promise<Tender> {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new FlowRefused('A card refund must be a positive amount.');
  const already = deps.tenders().find((t) => t.kind === 'card_stripe' && t.amount < 0 && t.paymentId === payment.paymentId);
  if (already) return already;
  if (!deps.online()) throw new FlowRefused(REFUND_NEEDS_CONNECTION);
  let refund: { refundId: string; amount: number };
  try {
    refund = (await deps.api.refund(payment.paymentId, { returnId, amount })).refund;
  } catch (err) {
    if (offlineError(err)) throw new FlowRefused(`${REFUND_NEEDS_CONNECTION} (${messageOf(err)})`);
    throw new FlowRefused(`The card refund was refused: ${messageOf(err)}`);
  }
  const tender: Tender = { kind: 'card_stripe', amount: -refund.amount, reference: refund.refundId, paymentId: payment.paymentId };
  await deps.takeTender(tender);
  return tender;
}
