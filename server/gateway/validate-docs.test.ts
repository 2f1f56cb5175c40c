import { describe, expect, it } from 'vitest';
import { parseDbName, type ParsedDbName } from '../../web/src/lib/domain/db-names.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import type { Principal } from '../auth/principal.ts';
import { staffLookup, type StaffMember } from './staff-directory.ts';
import { checkDocWrite } from './validate-docs.ts';
import { makeApproval, makeProduct, makeSale, makeVoid } from '../../tests/support/fixtures.ts';

const register: Principal = { kind: 'device', deviceId: 'd1', tenantId: 'acme', locationCode: 'GM', deviceKind: 'register' };
const phone: Principal = { kind: 'device', deviceId: 'd2', tenantId: 'acme', locationCode: 'GM', deviceKind: 'rfid_phone' };
const cashier: Principal = { kind: 'user', userId: 'user:c', tenantId: 'acme', role: 'cashier', locations: ['GM'] };
const manager: Principal = { kind: 'user', userId: 'user:m', tenantId: 'acme', role: 'manager', locations: ['GM'] };
const gm = parseDbName('t-acme-loc-gm') as ParsedDbName;
const catalog = parseDbName('t-acme-catalog') as ParsedDbName;

const sale = () => makeSale('GM');
const product = () => makeProduct('product:p1');

describe('checkDocWrite', () => {
  it('accepts a new sale from a register, by PUT and by replication (generation 1)', () => {
    expect(checkDocWrite(register, gm, sale(), true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(register, gm, { ...sale(), _rev: '1-abc', _revisions: { start: 1, ids: ['abc'] } }, false, SYNC_RULES)).toBeNull();
  });

  it('refuses edits and deletions of event documents', () => {
    expect(checkDocWrite(register, gm, { ...sale(), _rev: '1-abc' }, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('_rev') });
    expect(checkDocWrite(register, gm, { ...sale(), _rev: '2-abc' }, false, SYNC_RULES)).toMatchObject({ status: 403 });
    expect(checkDocWrite(register, gm, { _id: sale()._id, _rev: '1-abc', _deleted: true }, true, SYNC_RULES)).toMatchObject({
      status: 403,
      reason: expect.stringContaining('_deleted')
    });
  });

  it('names the field that is wrong', () => {
    const bad = sale();
    bad.lines[0]!.qty = 0;
    expect(checkDocWrite(register, gm, bad, true, SYNC_RULES)).toMatchObject({ status: 400, reason: expect.stringContaining('lines.0.qty') });
    expect(checkDocWrite(register, gm, { ...sale(), total: 1 }, true, SYNC_RULES)).toMatchObject({ status: 400, reason: expect.stringContaining('tenders') });
  });

  it('refuses writers without the permission or device kind', () => {
    expect(checkDocWrite(phone, gm, sale(), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('rfid_phone') });
    expect(checkDocWrite(cashier, catalog, product(), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('catalog:edit') });
    expect(checkDocWrite(manager, catalog, product(), true, SYNC_RULES)).toBeNull();
  });

  it('keeps server-only and misplaced documents out', () => {
    const staff = { _id: 'staff:1', type: 'staff', userId: 'user:1', name: 'x', role: 'owner', locations: ['*'], active: true, updatedAt: '2026-11-24T10:00:00Z', updatedBy: 'x' };
    expect(checkDocWrite(manager, catalog, staff, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('only by the server') });
    expect(checkDocWrite(register, catalog, sale(), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('location database') });
    expect(checkDocWrite(register, parseDbName('t-acme-loc-hm')!, sale(), true, SYNC_RULES)).toMatchObject({ reason: expect.stringContaining('locationCode') });
    expect(checkDocWrite(manager, catalog, { _id: '_design/x', views: {} }, true, SYNC_RULES)).toMatchObject({ status: 403 });
    expect(checkDocWrite(manager, catalog, { _id: 'whatever:1', type: 'whatever' }, true, SYNC_RULES)).toMatchObject({ status: 400 });
    expect(checkDocWrite(manager, catalog, { ...product(), type: 'category' }, true, SYNC_RULES)).toMatchObject({ status: 400, reason: expect.stringContaining('type') });
    expect(checkDocWrite(manager, catalog, { ...product(), _attachments: {} }, true, SYNC_RULES)).toMatchObject({ status: 403 });
  });

  it('allows deleting a mutable document with the permission', () => {
    expect(checkDocWrite(manager, catalog, { _id: 'product:p1', _rev: '3-x', _deleted: true }, true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(cashier, catalog, { _id: 'product:p1', _rev: '3-x', _deleted: true }, true, SYNC_RULES)).not.toBeNull();
  });
});

describe('product variant ids', () => {
  it('must start with the product id suffix and a dash, so they are unique across the catalog', () => {
    expect(checkDocWrite(manager, catalog, makeProduct('product:nx-000123'), true, SYNC_RULES)).toBeNull();
    const bare = { ...product(), variants: [{ ...product().variants[0]!, id: 'v01' }] };
    expect(checkDocWrite(manager, catalog, bare, true, SYNC_RULES)).toMatchObject({ status: 400, reason: expect.stringMatching(/variants\.0\.id.*"p1-"/) });
    const other = { ...product(), variants: [{ ...product().variants[0]!, id: 'p10-v01' }] };
    expect(checkDocWrite(manager, catalog, other, true, SYNC_RULES)).toMatchObject({ status: 400 });
    const justPrefix = { ...product(), variants: [{ ...product().variants[0]!, id: 'p1-' }] };
    expect(checkDocWrite(manager, catalog, justPrefix, true, SYNC_RULES)).toMatchObject({ status: 400 });
  });
});

describe('manager approvals', () => {
  const member = (id: string, role: StaffMember['role'], over: Partial<StaffMember> = {}): StaffMember => ({
    id: `staff:${id}`,
    userId: `user:${id}`,
    name: id,
    role,
    locations: ['GM'],
    active: true,
    ...over
  });
  const staff = staffLookup([
    member('mgr', 'manager'),
    member('cash', 'cashier'),
    member('gone', 'manager', { active: false }),
    member('elsewhere', 'manager', { locations: ['HM'] }),
    member('boss', 'owner', { locations: [] })
  ]);
  const voidBy = (...approvers: string[]) => makeVoid(sale(), approvers.map((a) => makeApproval(a)));

  it('accepts a void approved by a manager of this location (by staff or user id) or an owner', () => {
    expect(checkDocWrite(register, gm, voidBy('user:mgr'), true, SYNC_RULES, staff)).toBeNull();
    expect(checkDocWrite(register, gm, voidBy('staff:mgr'), true, SYNC_RULES, staff)).toBeNull();
    expect(checkDocWrite(register, gm, voidBy('user:boss'), true, SYNC_RULES, staff)).toBeNull();
  });

  it.each([
    ['a cashier', 'user:cash', /approvals\.0 \(void by user:cash\): role cashier may not approve void \(needs sale:void\)/],
    ['someone unknown', 'user:nobody', /approvals\.0 \(void by user:nobody\): not a staff member/],
    ['a deactivated manager', 'user:gone', /no longer active/],
    ['a manager of another location', 'user:elsewhere', /no access to location GM/]
  ])('refuses a void approved by %s, naming the approval', (_who, id, reason) => {
    expect(checkDocWrite(register, gm, voidBy(id), true, SYNC_RULES, staff)).toMatchObject({ status: 403, error: 'forbidden', reason: expect.stringMatching(reason) });
  });

  it('a void must carry a void approval; every approval on a document is checked', () => {
    const wrongKind = makeVoid(sale(), [makeApproval('user:mgr', 'price_override')]);
    expect(checkDocWrite(register, gm, wrongKind, true, SYNC_RULES, staff)).toMatchObject({ status: 403, reason: expect.stringContaining('"void" approval') });
    expect(checkDocWrite(register, gm, voidBy('user:mgr', 'user:cash'), true, SYNC_RULES, staff)).toMatchObject({ reason: expect.stringContaining('approvals.1') });
  });

  it('maps each action to its permission: a discount override needs discount:override', () => {
    const overridden = makeSale('GM', 'GM-1', { approvals: [makeApproval('user:mgr', 'discount_over_limit')] });
    expect(checkDocWrite(register, gm, overridden, true, SYNC_RULES, staff)).toBeNull();
    const byCashier = makeSale('GM', 'GM-1', { approvals: [makeApproval('user:cash', 'refund_without_receipt')] });
    expect(checkDocWrite(register, gm, byCashier, true, SYNC_RULES, staff)).toMatchObject({ status: 403, reason: expect.stringContaining('needs sale:refund') });
  });

  it('without a staff directory, documents with approvals are refused (never trusted), others pass', () => {
    expect(checkDocWrite(register, gm, voidBy('user:mgr'), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('unavailable') });
    expect(checkDocWrite(register, gm, sale(), true, SYNC_RULES)).toBeNull();
  });

  it('new register documents follow the sync rules: an RFID phone cannot open a shift', () => {
    const shift = { _id: 'shift:GM-1:01JD0000000000000000000000', type: 'shift', locationCode: 'GM', registerId: 'register:GM-1', openedBy: 'user:cash', openingFloat: 10000, openedAt: '2026-11-24T08:00:00Z' };
    expect(checkDocWrite(register, gm, shift, true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(phone, gm, shift, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('rfid_phone') });
  });
});
