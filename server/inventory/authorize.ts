import type { DeviceKind } from '../../sync-rules/schema.ts';
import { hasPermission, mayUseLocation, type Principal } from '../auth/principal.ts';
import { forbidden } from '../errors.ts';

/**
 * Who may do what with stock and transfers through /api/v1/inventory, checked in one place whoever
 * calls (STYLE.md: a use case checks its own caller; default-deny).
 *
 *  - a **user** or a **staff** session (PIN on a device) needs `inventory:adjust` and access to the
 *    location the action touches (`mayUseLocation`: a staff session only its device's store);
 *  - an enrolled **device** acts by its kind (data below), never by a role: an RFID phone may read stock
 *    anywhere in its tenant (the clerk's "here and at the other stores"), see the transfers its store
 *    sends or receives, ship what leaves its store and receive what arrives there. It cannot create
 *    transfers or adjust stock through the API (its counts go through review instead). A register may
 *    do none of it.
 * Anything not granted here is refused.
 */

export type InventoryAction = 'stock:view' | 'transfer:view' | 'transfer:create' | 'transfer:ship' | 'transfer:receive' | 'stock:adjust';

/** Where an action applies: one location, or a transfer (its source and destination). */
export type Where = { location: string } | { transfer: { from: string; to: string } };

const DEVICE_ACTIONS: Readonly<Record<DeviceKind, readonly InventoryAction[]>> = {
  register: [],
  rfid_phone: ['stock:view', 'transfer:view', 'transfer:ship', 'transfer:receive']
};

const WORDS: Record<InventoryAction, string> = {
  'stock:view': 'Viewing stock',
  'transfer:view': 'Viewing transfers',
  'transfer:create': 'Creating a transfer',
  'transfer:ship': 'Shipping a transfer',
  'transfer:receive': 'Receiving a transfer',
  'stock:adjust': 'Adjusting stock'
};

/** The location an action is checked against: the source to create or ship, the destination to receive. */
function locationsOf(action: InventoryAction, where: Where): string[] {
  if ('location' in where) return [where.location];
  if (action === 'transfer:receive') return [where.transfer.to];
  if (action === 'transfer:view') return [where.transfer.from, where.transfer.to];
  return [where.transfer.from];
}

/** Throws 403 unless `p` may do `action` at `where`. For `transfer:view` either end suffices. */
export function authorizeInventory(p: Principal, action: InventoryAction, where: Where): void {
  const words = WORDS[action];
  const codes = locationsOf(action, where);
  if (p.kind === 'device') {
    if (!DEVICE_ACTIONS[p.deviceKind].includes(action)) throw forbidden(`${words}: a ${p.deviceKind} device may not do this`);
    // stock anywhere in the tenant (the tenant is the token's); transfers only of its own store
    if (action === 'stock:view') return;
    if (!codes.some((c) => c === p.locationCode)) throw forbidden(`${words}: this device belongs to ${p.locationCode}`);
    return;
  }
  if (!hasPermission(p, 'inventory:adjust')) throw forbidden(`${words} needs the inventory:adjust permission`);
  const ok = action === 'transfer:view' ? codes.some((c) => mayUseLocation(p, c)) : codes.every((c) => mayUseLocation(p, c));
  if (!ok) throw forbidden(`${words}: no access to location ${codes.join(' or ')}`);
}

/**
 * The part of `authorize` that needs no location: call it before loading a document by id, so a
 * caller who may not act at all learns nothing about which documents exist.
 */
export function authorizeAny(p: Principal, action: InventoryAction): void {
  if (p.kind === 'device') {
    if (!DEVICE_ACTIONS[p.deviceKind].includes(action)) throw forbidden(`${WORDS[action]}: a ${p.deviceKind} device may not do this`);
  } else if (!hasPermission(p, 'inventory:adjust')) throw forbidden(`${WORDS[action]} needs the inventory:adjust permission`);
}

/** Whether `p` may see stock at `location` (to filter a list instead of refusing it). */
export function mayViewStock(p: Principal, location: string): boolean {
  try {
    authorizeInventory(p, 'stock:view', { location });
    return true;
  } catch {
    return false;
  }
}
