import { closeShiftNow, recordCashInOut, recordNoSale, type Approval, type ClosedShift } from '../shift.ts';
import type { CashMovementDoc } from '../register-db.ts';
import { durably, FlowRefused, shiftContext, type RegisterContext } from './register-context.ts';

/**
 * Shift flows at the register: cash in and payouts, a no-sale drawer open, closing with a counted
 * drawer. The rules and documents are the use cases of ../shift.ts (approvals, the Z report, one close
 * per shift); these add what the register adds around them — the open shift, the storage guard, the
 * sync nudge, and the refusal to close over a payment in progress. ShiftDialog asks for input and a
 * manager's PIN where needed, prints and shows.
 */

/** What the session knows beyond the basics: carts with money taken, and how money is written. */
export interface ShiftFlowContext extends RegisterContext {
  /** carts with tenders taken toward a sale not yet completed, per cashier */
  salesWithTenders(): Promise<{ cashierName: string; taken: number }[]>;
  readonly format: { money(minor: number): string };
}

/** Why this cash in / payout cannot be recorded as typed, or null (checked before a manager is asked). */
export function cashMovementProblem(kind: 'in' | 'out', amount: number | null, reason: string): string | null {
  if (amount === null || amount <= 0) return 'Enter an amount greater than zero, like 20.00.';
  if (!reason.trim()) return kind === 'in' ? 'Say why cash goes in (e.g. float top-up).' : 'Say what the cash is paid out for.';
  return null;
}

/** Records cash put into or paid out of the drawer (a payout without cash control needs a manager's approval). */
export async function moveCash(reg: RegisterContext, input: { kind: 'in' | 'out'; amount: number | null; reason: string; approvals: Approval[] }): Promise<CashMovementDoc & { _rev: string }> {
  const why = cashMovementProblem(input.kind, input.amount, input.reason);
  if (why) throw new FlowRefused(why);
  const ctx = shiftContext(reg);
  return durably(reg, () => recordCashInOut(ctx, { kind: input.kind, amount: input.amount!, reason: input.reason, approvals: input.approvals }));
}

/** Records a no-sale drawer open; the caller kicks the drawer only after this is stored. */
export async function recordDrawerOpen(reg: RegisterContext, approvals: Approval[]): Promise<CashMovementDoc & { _rev: string }> {
  const ctx = shiftContext(reg);
  return durably(reg, () => recordNoSale(ctx, { approvals }));
}

/** Money taken toward an unfinished sale is in the drawer but in no sale: the count would be off. */
export async function paymentsInProgress(reg: ShiftFlowContext): Promise<string | null> {
  const open = await reg.salesWithTenders();
  if (open.length === 0) return null;
  const who = open.map((o) => `${o.cashierName} (${reg.format.money(Math.abs(o.taken))} taken)`).join(', ');
  return `A sale has a payment in progress: ${who}. Finish that sale, or cancel its payment, before closing the shift.`;
}

/**
 * Closes the open shift with the drawer count: refused over a payment in progress, or (without a
 * manager's override) while changes are not synced; the Z report is computed from the shift's documents.
 */
export async function closeOpenShift(reg: ShiftFlowContext, input: { denominations: Record<string, number>; unsynced: number; approvals: Approval[] }): Promise<ClosedShift> {
  const open = await paymentsInProgress(reg);
  if (open) throw new FlowRefused(open);
  const ctx = shiftContext(reg);
  return durably(reg, () => closeShiftNow(ctx, input));
}
