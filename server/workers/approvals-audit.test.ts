import { describe, expect, it } from 'vitest';
import { staffLookup } from '../gateway/staff-directory.ts';
import { approvalAuditEvents, approvalAuditId } from './approvals-audit.ts';
import { makeApproval, makeSale, makeVoid } from '../../tests/support/fixtures.ts';

const DB = 't-acme-loc-gm';
const NOW = '2026-11-25T12:00:00.000Z';
const staff = staffLookup([{ id: 'staff:m1', userId: 'user:m1', name: 'Mia', role: 'manager', locations: ['GM'], active: true }]);

describe('approvalAuditEvents', () => {
  it('one event per approval: who asked, who approved, what, on which document and register, when approved', () => {
    const sale = makeSale('GM');
    const approval = { ...makeApproval('staff:m1', 'void', 'Mia'), at: '2026-11-25T09:30:00.000Z' };
    const v = makeVoid(sale, [approval]);
    expect(approvalAuditEvents(DB, v, staff, NOW)).toEqual([
      {
        _id: approvalAuditId(DB, v._id, 0),
        type: 'audit_event',
        action: 'approval.void',
        actor: 'user:test',
        approvedBy: 'user:m1', // the staff entry id is mapped to the user id audit identities use
        deviceId: 'device:GM-1',
        target: v._id,
        details: { db: DB, docType: 'void', locationCode: 'GM', registerId: 'device:GM-1', shiftId: null, approverName: 'Mia', saleId: sale._id, reason: v.reason, total: -sale.total },
        createdAt: '2026-11-25T09:30:00.000Z',
        recordedAt: NOW
      }
    ]);
  });

  it('ids depend only on database, document and position, so a re-read writes the same ids', () => {
    const s = makeSale('GM', 'GM-1', { approvals: [makeApproval('user:m1', 'discount_over_limit'), makeApproval('user:m1', 'price_override')] });
    const a = approvalAuditEvents(DB, s, staff, NOW).map((e) => e._id);
    const b = approvalAuditEvents(DB, s, undefined, '2027-01-01T00:00:00.000Z').map((e) => e._id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(2);
    expect(approvalAuditId('t-acme-loc-hm', s._id, 0)).not.toBe(a[0]);
  });

  it('requester per type: cash movement staff, shift close closer', () => {
    const cash = { _id: 'cash:GM-1:x', type: 'cash_movement', staffId: 'user:c1', registerId: 'register:GM-1', kind: 'no_sale', amount: 0, reason: 'change', approvals: [makeApproval('user:m1', 'no_sale')] };
    expect(approvalAuditEvents(DB, cash, staff, NOW)[0]).toMatchObject({ actor: 'user:c1', approvedBy: 'user:m1', action: 'approval.no_sale', details: { kind: 'no_sale', amount: 0 } });
    const close = { _id: 'shift_close:GM-1:x', type: 'shift_close', closedBy: 'user:c2', approvals: [makeApproval('user:m9', 'close_unsynced')] };
    expect(approvalAuditEvents(DB, close, staff, NOW)[0]).toMatchObject({ actor: 'user:c2', approvedBy: 'user:m9' });
  });

  it('documents without approvals, deleted stubs and malformed approvals record nothing', () => {
    expect(approvalAuditEvents(DB, makeSale('GM'), staff, NOW)).toEqual([]);
    expect(approvalAuditEvents(DB, { _id: 'void:x', _deleted: true, approvals: [makeApproval('user:m1')] }, staff, NOW)).toEqual([]);
    expect(approvalAuditEvents(DB, { _id: 'void:x', type: 'void', approvals: [null, { action: 'void' }] }, staff, NOW)).toEqual([]);
  });
});
