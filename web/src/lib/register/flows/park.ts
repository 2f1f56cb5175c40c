import { newUlid } from '../../domain/ids.ts';
import { LOCKED_CART, type CartSnapshot } from '../cart.svelte.ts';
import { parkSale, takeParked, type ParkedSaleDoc } from '../register-db.ts';
import { durably, FlowRefused, type RegisterContext } from './register-context.ts';

/**
 * Parking a cart and resuming it, at this register or another of the location (parked sales
 * replicate). Resuming deletes the parked document, so the same basket cannot be rung up twice.
 * ParkedSales lists them and puts a resumed basket back in the cart.
 */

/** Parks the cart as `label`; the caller clears the cart once this returns. */
export async function parkCart(reg: RegisterContext, cart: { locked: boolean; snapshot(): CartSnapshot }, label: string, now = new Date()): Promise<ParkedSaleDoc & { _rev: string }> {
  if (cart.locked) throw new FlowRefused(LOCKED_CART);
  const name = label.trim();
  if (!name) throw new FlowRefused('Give the parked sale a name.');
  const cashier = reg.requireCashier();
  const snap = cart.snapshot();
  return durably(reg, () =>
    parkSale(reg.locationDb, {
      _id: `parked:${reg.registerKey}:${newUlid(now.getTime())}`,
      type: 'parked_sale',
      locationCode: reg.locationCode,
      registerId: reg.registerId,
      label: name,
      lines: snap.lines,
      ...(snap.orderDiscount ? { orderDiscount: snap.orderDiscount } : {}),
      ...(snap.customer ? { customerId: snap.customer._id } : {}),
      parkedBy: cashier.id,
      parkedByName: cashier.name,
      updatedAt: now.toISOString(),
      updatedBy: cashier.id
    })
  );
}

/** Takes a parked sale off the shelf for an empty cart; refused when another register resumed it first. */
export async function resumeParked(reg: RegisterContext, cart: { isEmpty: boolean }, id: string): Promise<ParkedSaleDoc> {
  if (!cart.isEmpty) throw new FlowRefused('Finish or park the current sale first.');
  const doc = await takeParked(reg.locationDb, id);
  if (!doc) throw new FlowRefused('Another register already resumed this sale.');
  reg.sync.nudge();
  return doc;
}
