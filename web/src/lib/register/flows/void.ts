import type { Approval } from '../cart.svelte.ts';
import { AlreadyExistsError, recordVoid, type SaleDoc, type VoidDoc } from '../register-db.ts';
import { buildVoid, voidBlocker, type Returnable } from '../returns.ts';
import { durably, FlowRefused, registerBits, type RegisterContext } from './register-context.ts';

/**
 * Voiding a sale at the register: a void document (one per sale: its id is derived from the sale's)
 * that refunds every tender and puts the stock back, with the manager's approval on it. ReturnsDialog
 * asks for the reason and the manager's PIN, prints the void slip and opens the drawer for cash.
 */

/** The sale had been voided already (here or at another register): nothing more was refunded. */
export class SaleAlreadyVoidedError extends FlowRefused {
  name = 'SaleAlreadyVoidedError';
  constructor() {
    super('This sale has already been voided: nothing more was refunded.');
  }
}

/** Why this void cannot go to a manager yet (checked before the PIN is asked), or null. */
export function voidRequestProblem(found: Pick<Returnable, 'sale' | 'void' | 'returned'>, reason: string): string | null {
  return voidBlocker(found) ?? (reason.trim() ? null : 'Enter the reason for the void.');
}

/** Writes the void of `found.sale` with the manager's approval. */
export async function voidSale(reg: RegisterContext, found: Pick<Returnable, 'sale' | 'void' | 'returned'>, reason: string, approval: Approval): Promise<VoidDoc & { _rev: string }> {
  const why = voidRequestProblem(found, reason);
  if (why) throw new FlowRefused(why);
  const doc = buildVoid(found.sale as SaleDoc, registerBits(reg), reason, approval);
  try {
    return await durably(reg, () => recordVoid(reg.locationDb, doc));
  } catch (err) {
    if (err instanceof AlreadyExistsError) throw new SaleAlreadyVoidedError();
    throw err;
  }
}
