import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDbName, type ParsedDbName } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { ROLES, can } from '#domain/permissions.ts';
import { DOC_TYPES, type DocType } from '#domain/schemas/index.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import { DEVICE_KINDS } from '../../sync-rules/schema.ts';
import type { Principal } from '../auth/principal.ts';
import { makeCountSession, makeSale } from '../../tests/support/fixtures.ts';
import { checkDocWrite, writerRefusal } from './validate-docs.ts';

/**
 * Who may write what: a device by its kind, a staff member signed in on a device by the device's kind
 * AND their role, a browser session by its role and only for types browsers may write. Issue 11 §2.
 */
const gm = parseDbName('t-acme-loc-gm') as ParsedDbName;
const register = (deviceId = 'r1'): Principal => ({ kind: 'device', deviceId, tenantId: 'acme', locationCode: 'GM', deviceKind: 'register' });
const staffOn = (deviceKind: 'register' | 'rfid_phone', role: (typeof ROLES)[number] = 'cashier', deviceId = 'r1'): Principal => ({ kind: 'staff', userId: 'user:s', tenantId: 'acme', role, locationCode: 'GM', deviceId, deviceKind });

describe('a PIN session on a device keeps the device\'s limits', () => {
  it('a cashier signed in on register 1 cannot write as register 2, by id or by registerId', () => {
    const asOther = makeSale('GM', 'r2');
    expect(checkDocWrite(staffOn('register'), gm, asOther, true, SYNC_RULES)).toMatchObject({ status: 403, reason: 'registerId: must be device:r1, the register writing it' });
    expect(checkDocWrite(staffOn('register'), gm, { ...asOther, registerId: 'device:r1' }, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringMatching(/^_id: a register names its sale documents sale:r1:/) });
    expect(checkDocWrite(staffOn('register'), gm, makeSale('GM', 'r1'), true, SYNC_RULES)).toBeNull();
  });

  it('a session on an RFID phone cannot write sales, whatever the role', () => {
    for (const role of ROLES) {
      expect(checkDocWrite(staffOn('rfid_phone', role, 'p1'), gm, makeSale('GM', 'p1'), true, SYNC_RULES), role).toMatchObject({
        status: 403,
        reason: 'type: a session on a rfid_phone device may not write sale documents (written by register devices)'
      });
    }
  });

  it('a stock clerk on a register cannot write sales (the person\'s permission still counts)', () => {
    expect(checkDocWrite(staffOn('register', 'stock_clerk'), gm, makeSale('GM', 'r1'), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('needs sale:create') });
  });

  it('an RFID phone session writes counts only as that phone', () => {
    const count = { _id: `count:GM:${newUlid()}`, type: 'count_session', locationCode: 'GM', status: 'submitted', source: 'rfid', deviceId: 'device:p1', lines: [{ variantId: 'p1-v01', counted: 3 }], startedAt: '2026-11-24T10:00:00.000Z', submittedAt: '2026-11-24T10:05:00.000Z', createdBy: 'user:s' };
    const p = staffOn('rfid_phone', 'stock_clerk', 'p1');
    expect(checkDocWrite(p, gm, { ...count, deviceId: 'device:p2' }, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringMatching(/^deviceId:/) });
  });

  it('a count session is created once (sync-rules createdOnce): no edit, replacement or deletion by a client', () => {
    const count = makeCountSession('GM', 'p1', 'user:s');
    const p = staffOn('rfid_phone', 'stock_clerk', 'p1');
    const once = { status: 403, reason: '_rev: count_session documents cannot be changed once written; review it through /api/v1/inventory/counts' };
    expect(checkDocWrite(p, gm, count, true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(p, gm, { ...count, _rev: '1-a1' }, false, SYNC_RULES)).toBeNull(); // replicated as written
    expect(checkDocWrite(p, gm, { ...count, _rev: '1-a1' }, true, SYNC_RULES)).toMatchObject(once);
    expect(checkDocWrite(p, gm, { ...count, _rev: '2-b2' }, false, SYNC_RULES)).toMatchObject(once);
    expect(checkDocWrite(p, gm, { _id: count._id, _rev: '1-a1', _deleted: true }, true, SYNC_RULES)).toMatchObject(once);
  });
});

describe('writerRefusal agrees with the sync rules for every principal × document type', () => {
  const principal = fc.oneof(
    fc.record({ kind: fc.constant('device' as const), deviceKind: fc.constantFrom(...DEVICE_KINDS) }),
    fc.record({ kind: fc.constant('staff' as const), deviceKind: fc.constantFrom(...DEVICE_KINDS), role: fc.constantFrom(...ROLES) }),
    fc.record({ kind: fc.constant('user' as const), role: fc.constantFrom(...ROLES) })
  );
  it('allowed exactly when device kind, permission and browser rule all allow it', () => {
    fc.assert(
      fc.property(principal, fc.constantFrom(...DOC_TYPES.filter((t) => SYNC_RULES.documents[t]!.write !== null)), (who, type: DocType) => {
        const rule = SYNC_RULES.documents[type]!;
        const p: Principal =
          who.kind === 'device'
            ? { kind: 'device', deviceId: 'd', tenantId: 't', locationCode: 'GM', deviceKind: who.deviceKind }
            : who.kind === 'staff'
              ? { kind: 'staff', userId: 'user:u', tenantId: 't', locationCode: 'GM', deviceId: 'd', deviceKind: who.deviceKind, role: who.role }
              : { kind: 'user', userId: 'user:u', tenantId: 't', role: who.role, locations: ['*'] };
        const deviceOk = who.kind === 'user' || rule.deviceWriters.includes(who.deviceKind);
        const roleOk = who.kind === 'device' || can(who.role, rule.write!);
        const browserOk = who.kind !== 'user' || rule.browser;
        expect(writerRefusal(p, type, rule) === null).toBe(deviceOk && roleOk && browserOk);
      }),
      { numRuns: 1_000 }
    );
  });

  it('no browser session writes a register document, owners included', () => {
    const registerTypes = DOC_TYPES.filter((t) => SYNC_RULES.documents[t]!.deviceWriters.includes('register') && SYNC_RULES.documents[t]!.db === 'location');
    expect(registerTypes).toEqual(expect.arrayContaining(['sale', 'void', 'shift', 'shift_close', 'cash_movement', 'layaway', 'outbox', 'time_entry']));
    const owner: Principal = { kind: 'user', userId: 'user:o', tenantId: 'acme', role: 'owner', locations: ['*'] };
    for (const t of registerTypes) expect(writerRefusal(owner, t, SYNC_RULES.documents[t]!), t).not.toBeNull();
  });
});
