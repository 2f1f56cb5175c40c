import type { PaymentStatus } from './gateway.ts';

/**
 * A card payment's state as the POS records it, moved forward by whatever arrives — the answer to our
 * own request, a status read after a lost connection, or a webhook — in any order. Stripe does not
 * promise webhook order, so nothing here trusts arrival: a payment's status only moves up its
 * lifecycle (a late `payment_failed` cannot undo a success, a late `succeeded` still lands after a
 * failure), ties go to the newer snapshot, and money received or refunded only grows. Applying the
 * same snapshot twice changes nothing, which makes a redelivered webhook harmless. (Pure; no I/O.)
 */

const RANK: Record<PaymentStatus, number> = {
  requires_payment_method: 0,
  requires_confirmation: 0,
  requires_action: 1,
  processing: 1,
  requires_capture: 2,
  succeeded: 3,
  canceled: 3
};
/** Stripe's end states: nothing moves a payment out of them. */
export const FINAL: ReadonlySet<PaymentStatus> = new Set(['succeeded', 'canceled']);

export interface PaymentError {
  code: string | null;
  declineCode: string | null;
  message: string;
}

export interface PaymentSnapshot {
  status: PaymentStatus;
  amountCapturable: number;
  amountReceived: number;
  lastError: PaymentError | null;
  /** when the provider's object was in this state: an event's `created`, or the time we read it (s) */
  at: number;
}

export interface PaymentProgress {
  status: PaymentStatus;
  /** the `at` of the snapshot that set the status */
  statusAt: number;
  amountCapturable: number;
  amountReceived: number;
  amountRefunded: number;
  lastError: PaymentError | null;
}

/** The state after `snap`, or null when it tells nothing new (stale, or seen before). */
export function applySnapshot(cur: PaymentProgress, snap: PaymentSnapshot): PaymentProgress | null {
  const received = Math.max(cur.amountReceived, snap.amountReceived);
  let next: PaymentProgress = { ...cur, amountReceived: received };
  const up = RANK[snap.status] > RANK[cur.status];
  const sameNewer = RANK[snap.status] === RANK[cur.status] && snap.at >= cur.statusAt;
  if (!FINAL.has(cur.status) && (up || sameNewer)) {
    next = { ...next, status: snap.status, statusAt: snap.at, amountCapturable: snap.amountCapturable, lastError: FINAL.has(snap.status) || RANK[snap.status] === 2 ? null : snap.lastError };
  }
  return same(cur, next) ? null : next;
}

/** Refunds only add up: the provider's running total (charge.amount_refunded) or our own sum, whichever is more. */
export function applyRefunded(cur: PaymentProgress, amountRefunded: number): PaymentProgress | null {
  return amountRefunded > cur.amountRefunded ? { ...cur, amountRefunded } : null;
}

function same(a: PaymentProgress, b: PaymentProgress): boolean {
  return (
    a.status === b.status &&
    a.statusAt === b.statusAt &&
    a.amountCapturable === b.amountCapturable &&
    a.amountReceived === b.amountReceived &&
    a.amountRefunded === b.amountRefunded &&
    JSON.stringify(a.lastError) === JSON.stringify(b.lastError)
  );
}
