import type { ShiftDoc } from '../register-db.ts';
import type { Staff } from '../reference-data.ts';
import type { RegisterBits } from '../returns.ts';
import type { ShiftContext } from '../shift.ts';

/**
 * What a register flow needs from the session, and nothing else: the location replica it writes to,
 * who and where it is, the storage guard and the sync nudge. `RegisterSession` satisfies it as is;
 * the flows' unit tests pass a plain object over a real PouchDB.
 */
export interface RegisterContext {
  readonly locationDb: PouchDB.Database;
  readonly registerKey: string;
  readonly registerId: string;
  readonly locationCode: string;
  readonly shift: ShiftDoc | null;
  /** set after a write did not become durable; money-taking stops until it is acknowledged */
  readonly storageError: string | null;
  /** the signed-in cashier (throws when nobody is signed in) */
  requireCashier(): Staff;
  /** runs a local write; a storage failure is remembered (storageError) and rethrown */
  guard<T>(write: () => Promise<T>): Promise<T>;
  readonly sync: { nudge(): void };
}

/**
 * A flow refused the request for a reason the cashier can act on; nothing was written. The message is
 * meant for the screen as is (no "could not save" prefix).
 */
export class FlowRefused extends Error {
  name = 'FlowRefused';
}

/** The register and cashier bits every register document carries. */
export function registerBits(reg: RegisterContext): RegisterBits {
  const c = reg.requireCashier();
  return { registerKey: reg.registerKey, registerId: reg.registerId, locationCode: reg.locationCode, shiftId: reg.shift?._id, cashierId: c.id };
}

/** The open shift's context (shift use cases), or a refusal when no shift is open. A shift document is flat: a shallow copy leaves the session's reactive state behind. */
export function shiftContext(reg: RegisterContext): ShiftContext {
  const shift = reg.shift;
  if (!shift) throw new FlowRefused('No shift is open on this register.');
  return { db: reg.locationDb, registerKey: reg.registerKey, registerId: reg.registerId, locationCode: reg.locationCode, shift: { ...shift }, staff: reg.requireCashier() };
}

/** Money goes through the drawer: it needs the drawer's open shift (so it reaches its Z report) and working storage. */
export function moneyBlocker(reg: RegisterContext, what = 'layaway money'): string | null {
  if (!reg.shift) return `Open a shift first: ${what} goes through the drawer.`;
  if (reg.storageError) return reg.storageError;
  return null;
}

/** Writes durably through the storage guard, then tells sync there is something to push. */
export async function durably<T>(reg: RegisterContext, write: () => Promise<T>): Promise<T> {
  const saved = await reg.guard(write);
  reg.sync.nudge();
  return saved;
}
