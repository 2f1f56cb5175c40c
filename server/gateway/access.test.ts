import { describe, expect, it } from 'vitest';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import type { Principal } from '../auth/principal.ts';
import { dbAccess, deviceDatabases } from './access.ts';

const register: Principal = { kind: 'device', deviceId: 'd1', tenantId: 'acme', locationCode: 'GM', deviceKind: 'register' };
const phone: Principal = { kind: 'device', deviceId: 'd2', tenantId: 'acme', locationCode: 'GM', deviceKind: 'rfid_phone' };
const owner: Principal = { kind: 'user', userId: 'user:1', tenantId: 'acme', role: 'owner', locations: ['*'] };
const gmManager: Principal = { kind: 'user', userId: 'user:2', tenantId: 'acme', role: 'manager', locations: ['GM'] };
const gmCashier: Principal = { kind: 'user', userId: 'user:3', tenantId: 'acme', role: 'cashier', locations: ['GM'] };
const gmClerk: Principal = { kind: 'user', userId: 'user:4', tenantId: 'acme', role: 'stock_clerk', locations: ['GM'] };
const cashierOnRegister: Principal = { kind: 'staff', userId: 'user:3', tenantId: 'acme', role: 'cashier', locationCode: 'GM', deviceId: 'd1', deviceKind: 'register' };

describe('dbAccess', () => {
  it.each([
    [register, 't-acme-catalog', { read: true, write: false }],
    [register, 't-acme-loc-gm', { read: true, write: true }],
    [register, 't-acme-customers', { read: true, write: true }],
    [register, 't-acme-loc-hm', null],
    [register, 't-acme-audit', null],
    [register, 't-other-catalog', null],
    [register, 'platform', null],
    [register, '_users', null],
    [phone, 't-acme-customers', null],
    [phone, 't-acme-loc-gm', { read: true, write: true }],
    [owner, 't-acme-loc-hm', { read: true, write: true }],
    [owner, 't-acme-audit', { read: true, write: false }],
    [owner, 't-other-loc-gm', null],
    [gmManager, 't-acme-loc-gm', { read: true, write: true }],
    [gmManager, 't-acme-loc-hm', null],
    // least privilege: browser sessions read customers and the audit trail with the permissions /api/v1 asks
    [gmManager, 't-acme-customers', { read: true, write: true }],
    [gmManager, 't-acme-audit', null],
    [gmCashier, 't-acme-customers', null],
    [gmCashier, 't-acme-audit', null],
    [gmClerk, 't-acme-customers', null],
    [gmClerk, 't-acme-audit', null],
    [gmClerk, 't-acme-loc-gm', { read: true, write: true }],
    // a register's sales flow still needs customers, with the device or a cashier signed in on it
    [cashierOnRegister, 't-acme-customers', { read: true, write: true }],
    [cashierOnRegister, 't-acme-audit', null],
    [cashierOnRegister, 't-acme-loc-hm', null]
  ] as const)('%o on %s', (p, db, expected) => {
    const a = dbAccess(p, db, SYNC_RULES);
    if (expected === null) expect(a).toBeNull();
    else expect(a).toMatchObject(expected);
  });

  it('names the databases a register replicates', () => {
    expect(deviceDatabases(register as Principal & { kind: 'device' }, SYNC_RULES)).toEqual([
      { name: 't-acme-catalog', kind: 'catalog', direction: 'pull' },
      { name: 't-acme-loc-gm', kind: 'location', direction: 'both' },
      { name: 't-acme-customers', kind: 'customers', direction: 'both' }
    ]);
  });
});
