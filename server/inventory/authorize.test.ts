import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { authorizeInventory, authorizeAny, mayViewStock, type InventoryAction, type Where } from './authorize.ts';

const phone: Principal = { kind: 'device', deviceId: 'P1', tenantId: 't', locationCode: 'GM', deviceKind: 'rfid_phone' };
const till: Principal = { kind: 'device', deviceId: 'R1', tenantId: 't', locationCode: 'GM', deviceKind: 'register' };
const manager: Principal = { kind: 'user', userId: 'user:m', tenantId: 't', role: 'manager', locations: ['GM'] };
const cashier: Principal = { kind: 'user', userId: 'user:c', tenantId: 't', role: 'cashier', locations: ['GM'] };
const clerkOnPhone: Principal = { kind: 'staff', userId: 'user:s', tenantId: 't', role: 'stock_clerk', locationCode: 'GM', deviceId: 'P1', deviceKind: 'rfid_phone' };
const owner: Principal = { kind: 'user', userId: 'user:o', tenantId: 't', role: 'owner', locations: ['*'] };

const out: Where = { transfer: { from: 'GM', to: 'HM' } };
const inbound: Where = { transfer: { from: 'HM', to: 'GM' } };
const elsewhere: Where = { transfer: { from: 'HM', to: 'LM' } };

const ok = (p: Principal, a: InventoryAction, w: Where) => {
  try {
    authorizeInventory(p, a, w);
    return true;
  } catch {
    return false;
  }
};

describe('inventory authorize (default deny)', () => {
  it.each([
    // the RFID phone: stock anywhere, its own store's transfers, no creating, no adjusting
    [phone, 'stock:view', { location: 'HM' }, true],
    [phone, 'transfer:view', out, true],
    [phone, 'transfer:view', inbound, true],
    [phone, 'transfer:view', elsewhere, false],
    [phone, 'transfer:ship', out, true],
    [phone, 'transfer:ship', inbound, false],
    [phone, 'transfer:receive', inbound, true],
    [phone, 'transfer:receive', out, false],
    [phone, 'transfer:create', out, false],
    [phone, 'stock:adjust', { location: 'GM' }, false],
    // a register: nothing
    [till, 'stock:view', { location: 'GM' }, false],
    [till, 'transfer:ship', out, false],
    // users by permission and location
    [manager, 'transfer:ship', out, true],
    [manager, 'transfer:receive', out, false],
    [manager, 'transfer:view', inbound, true],
    [manager, 'stock:view', { location: 'HM' }, false],
    [cashier, 'stock:view', { location: 'GM' }, false],
    [owner, 'transfer:create', elsewhere, true],
    // a clerk's PIN session on the phone: their role, the phone's store only
    [clerkOnPhone, 'transfer:receive', inbound, true],
    [clerkOnPhone, 'stock:view', { location: 'HM' }, false]
  ] as const)('%#: %o %s %o → %s', (p, action, where, allowed) => {
    expect(ok(p, action, where)).toBe(allowed);
  });

  it('refuses before any lookup when the caller may not act at all, with a reason', () => {
    expect(() => authorizeAny(till, 'transfer:view')).toThrow(/register device may not/);
    expect(() => authorizeAny(cashier, 'transfer:ship')).toThrow(/inventory:adjust/);
    expect(() => authorizeAny(phone, 'transfer:receive')).not.toThrow();
    expect(mayViewStock(manager, 'HM')).toBe(false);
    expect(mayViewStock(phone, 'HM')).toBe(true);
  });
});
