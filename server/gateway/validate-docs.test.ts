import { describe, expect, it } from 'vitest';
import { parseDbName, type ParsedDbName } from '#domain/db-names.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import type { Principal } from '../auth/principal.ts';
import { newUlid } from '#domain/ids.ts';
import { staffLookup, type StaffMember } from './staff-directory.ts';
import { checkDocWrite } from './validate-docs.ts';
import { makeApproval, makeProduct, makeSale, makeVoid } from '../../tests/support/fixtures.ts';

const register: Principal = { kind: 'device', deviceId: 'd1', tenantId: 'acme', locationCode: 'GM', deviceKind: 'register' };
const phone: Principal = { kind: 'device', deviceId: 'd2', tenantId: 'acme', locationCode: 'GM', deviceKind: 'rfid_phone' };
const cashier: Principal = { kind: 'user', userId: 'user:c', tenantId: 'acme', role: 'cashier', locations: ['GM'] };
const manager: Principal = { kind: 'user', userId: 'user:m', tenantId: 'acme', role: 'manager', locations: ['GM'] };
const owner: Principal = { kind: 'user', userId: 'user:o', tenantId: 'acme', role: 'owner', locations: ['*'] };
const gm = parseDbName('t-acme-loc-gm') as ParsedDbName;
const catalog = parseDbName('t-acme-catalog') as ParsedDbName;

/** A sale as this register (device d1) makes it. */
const sale = () => makeSale('GM', 'd1');
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
    const overridden = makeSale('GM', 'd1', { approvals: [makeApproval('user:mgr', 'discount_over_limit')] });
    expect(checkDocWrite(register, gm, overridden, true, SYNC_RULES, staff)).toBeNull();
    const byCashier = makeSale('GM', 'd1', { approvals: [makeApproval('user:cash', 'refund_without_receipt')] });
    expect(checkDocWrite(register, gm, byCashier, true, SYNC_RULES, staff)).toMatchObject({ status: 403, reason: expect.stringContaining('needs sale:refund') });
  });

  it('without a staff directory, documents with approvals are refused (never trusted), others pass', () => {
    expect(checkDocWrite(register, gm, voidBy('user:mgr'), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('unavailable') });
    expect(checkDocWrite(register, gm, sale(), true, SYNC_RULES)).toBeNull();
  });

  it('a phone publishes only its own reads of a shared count, once; a register publishes none', () => {
    const count = newUlid();
    const scan = (device: string, over: Record<string, unknown> = {}) => ({
      _id: `count_scan:${count}:${device}:${newUlid()}`,
      type: 'count_scan',
      locationCode: 'GM',
      countId: `count:GM:${count}`,
      scope: { kind: 'all' },
      startedAt: '2026-11-24T10:00:00.000Z',
      deviceId: `device:${device}`,
      tags: [{ epc: '3074257BF7194E4000001A85', variantId: 'p1-v01', zone: 'floor', firstSeen: 1 }],
      createdAt: '2026-11-24T10:00:05.000Z',
      createdBy: `device:${device}`,
      ...over
    });
    expect(checkDocWrite(phone, gm, scan('d2'), true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(phone, gm, scan('d9'), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('count_scan:{count}:d2') });
    expect(checkDocWrite(phone, gm, scan('d2', { deviceId: 'device:d9' }), true, SYNC_RULES)).toMatchObject({ status: 403 });
    expect(checkDocWrite(phone, gm, { ...scan('d2'), _rev: '1-abc' }, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('immutable') });
    expect(checkDocWrite(phone, gm, scan('d2', { tags: [{ epc: 'not hex', zone: 'floor', firstSeen: 1 }] }), true, SYNC_RULES)).toMatchObject({ status: 400, reason: expect.stringContaining('tags.0.epc') });
    expect(checkDocWrite(register, gm, scan('d1'), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('register') });
  });

  it('new register documents follow the sync rules: an RFID phone cannot open a shift', () => {
    const shift = { _id: 'shift:d1:01JD0000000000000000000000', type: 'shift', locationCode: 'GM', registerId: 'device:d1', openedBy: 'user:cash', openingFloat: 10000, openedAt: '2026-11-24T08:00:00Z' };
    expect(checkDocWrite(register, gm, shift, true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(phone, gm, shift, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('rfid_phone') });
  });
});

describe('a register writes only as itself', () => {
  const staff = staffLookup([{ id: 'staff:mgr', userId: 'user:mgr', name: 'mgr', role: 'manager', locations: ['GM'], active: true }]);
  const now = '2026-11-24T10:00:00.000Z';
  /** Every document a register names after itself, as register `reg` (its device id) makes it. */
  const own = (reg: string) => {
    const registerId = `device:${reg}`;
    const line = makeSale('GM', reg).lines[0]!;
    return [
      makeSale('GM', reg),
      { _id: `shift:${reg}:${newUlid()}`, type: 'shift', locationCode: 'GM', registerId, openedBy: 'user:c', openingFloat: 10000, openedAt: now },
      { _id: `cash:${reg}:${newUlid()}`, type: 'cash_movement', locationCode: 'GM', registerId, shiftId: `shift:${reg}:x`, kind: 'in', amount: 500, reason: 'float top-up', staffId: 'user:c', createdAt: now },
      {
        _id: `parked:${reg}:${newUlid()}`,
        type: 'parked_sale',
        locationCode: 'GM',
        registerId,
        label: 'Blue coat',
        lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', taxCategory: 'clothing', qty: 1, unitPrice: 1000, listPrice: 1000 }],
        parkedBy: 'user:c',
        updatedAt: now,
        updatedBy: 'user:c'
      },
      { _id: `layaway:${reg}:${newUlid()}`, type: 'layaway', locationCode: 'GM', registerId, cashierId: 'user:c', customerId: 'customer:c1', currency: 'USD', lines: [line], total: 1089, tenders: [{ kind: 'cash', amount: 200 }], createdAt: now },
      { _id: `layaway_payment:${reg}:${newUlid()}`, type: 'layaway_payment', locationCode: 'GM', registerId, cashierId: 'user:c', layawayId: `layaway:${reg}:x`, tenders: [{ kind: 'cash', amount: 300 }], createdAt: now },
      { _id: `outbox:${reg}:${newUlid()}`, type: 'outbox', locationCode: 'GM', channel: 'email', to: 'ann@example.com', template: 'receipt', ref: `sale:${reg}:x`, createdBy: 'user:c', createdAt: now },
      {
        _id: `payment_void:${reg}:${newUlid()}`,
        type: 'payment_void',
        locationCode: 'GM',
        registerId,
        cashierId: 'user:c',
        saleId: `sale:${reg}:${newUlid()}`,
        currency: 'USD',
        items: [{ name: 'Tee', qty: 1 }],
        total: 11430,
        taken: [{ kind: 'cash', amount: 2000 }],
        returned: [{ kind: 'cash', amount: -2000 }],
        reason: 'Customer left',
        createdAt: now
      }
    ] as Record<string, unknown>[];
  };

  it('accepts every document it names after itself, with its own registerId', () => {
    for (const doc of own('d1')) expect(checkDocWrite(register, gm, doc, true, SYNC_RULES), String(doc._id)).toBeNull();
  });

  it('refuses a foreign registerId, naming the field', () => {
    for (const doc of own('d1').filter((d) => d.registerId !== undefined)) {
      expect(checkDocWrite(register, gm, { ...doc, registerId: 'device:d9' }, true, SYNC_RULES), String(doc._id)).toEqual({
        status: 403,
        error: 'forbidden',
        reason: 'registerId: must be device:d1, the register writing it'
      });
    }
    // the old `register:` shape, and a value that is not even a string
    expect(checkDocWrite(register, gm, { ...sale(), registerId: 'register:d1' }, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringMatching(/^registerId:/) });
    expect(checkDocWrite(register, gm, { ...sale(), registerId: 42 }, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringMatching(/^registerId:/) });
  });

  it('refuses a document named after another register, even carrying its own registerId (every self-named type)', () => {
    for (const doc of own('d9')) {
      const mine = doc.registerId === undefined ? doc : { ...doc, registerId: 'device:d1' };
      expect(checkDocWrite(register, gm, mine, true, SYNC_RULES), String(doc._id)).toMatchObject({ status: 403, error: 'forbidden', reason: expect.stringMatching(/^_id: .*:d1:\{ulid\}/) });
    }
    // by replication too (new_edits=false, generation 1)
    const foreign = { ...makeSale('GM', 'd9', { registerId: 'device:d1' }), _rev: '1-abc', _revisions: { start: 1, ids: ['abc'] } };
    expect(checkDocWrite(register, gm, foreign, false, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringMatching(/^_id:/) });
  });

  it("voids, shift closes and layaway closes are named after another register's document: only registerId is checked", () => {
    const theirs = makeSale('GM', 'd9');
    const voided = makeVoid(theirs, [makeApproval('user:mgr')], { registerId: 'device:d1' });
    expect(voided._id).toBe(`void:d9:${theirs._id.split(':')[2]}`);
    expect(checkDocWrite(register, gm, voided, true, SYNC_RULES, staff)).toBeNull();
    expect(checkDocWrite(register, gm, { ...voided, registerId: 'device:d9' }, true, SYNC_RULES, staff)).toMatchObject({ status: 403, reason: expect.stringMatching(/^registerId:/) });

    const ulid = newUlid();
    const close = { _id: `shift_close:d9:${ulid}`, type: 'shift_close', locationCode: 'GM', registerId: 'device:d1', shiftId: `shift:d9:${ulid}`, closedBy: 'user:c', denominations: {}, countedCash: 0, expectedCash: 0, overShort: 0, report: {}, closedAt: now };
    expect(checkDocWrite(register, gm, close, true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(register, gm, { ...close, registerId: 'device:d9' }, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringMatching(/^registerId:/) });
    const layawayClose = { _id: `layaway_close:d9:${ulid}`, type: 'layaway_close', locationCode: 'GM', registerId: 'device:d1', cashierId: 'user:c', layawayId: `layaway:d9:${ulid}`, outcome: 'picked_up', lines: [{ variantId: 'p1-v01', qty: 1 }], createdAt: now };
    expect(checkDocWrite(register, gm, layawayClose, true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(register, gm, { ...layawayClose, registerId: 'device:d9' }, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringMatching(/^registerId:/) });
  });

  it("resuming another register's parked sale deletes it: a deletion stub is not checked for the id", () => {
    expect(checkDocWrite(register, gm, { _id: `parked:d9:${newUlid()}`, _rev: '2-x', _deleted: true }, true, SYNC_RULES)).toBeNull();
  });

  it('sales come from registers: a manager in the admin portal (no device) cannot write one at all', () => {
    expect(checkDocWrite(manager, gm, makeSale('GM', 'd9'), true, SYNC_RULES)).toMatchObject({
      status: 403,
      reason: 'type: sale documents are written by registers; a browser session cannot write them (sign in on an enrolled register)'
    });
  });
});

describe('server-derived ledger entries are reserved', () => {
  const customers = parseDbName('t-acme-customers') as ParsedDbName;
  const entry = (id: string) => ({ _id: id, type: 'ledger_entry', account: 'store_credit', holder: 'customer:ann', amount: 1000, reason: 'goodwill', createdAt: '2026-11-25T12:00:00.000Z', createdBy: 'user:o' });
  const saleId = `sale:d1:${newUlid()}`;
  const reserved = [`ledger:${saleId}:t0`, `ledger:${saleId}:points`, `ledger:void:${saleId.slice('sale:'.length)}:points`, 'ledger:sale:anything'];

  it.each([
    ['a register', register],
    ['an owner', owner],
    ['a manager', manager]
  ])("refuses %s writing an entry named like the sale-ledger worker's", (_who, p) => {
    for (const id of reserved) {
      expect(checkDocWrite(p, customers, entry(id), true, SYNC_RULES), id).toMatchObject({
        status: 403,
        error: 'forbidden',
        reason: expect.stringContaining("written only by the server's sale-ledger worker")
      });
    }
  });

  it('manual adjustments with other ids keep working for staff with sale:refund', () => {
    expect(checkDocWrite(owner, customers, entry(`ledger:adj:${newUlid()}`), true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(manager, customers, entry('ledger:adj:1'), true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(owner, customers, entry('ledger:sales-fix:1'), true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(cashier, customers, entry('ledger:adj:2'), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('sale:refund') });
  });
});

describe('transfer movements and transfers are the server\'s', () => {
  const movement = (id: string) => ({ _id: id, type: 'stock_movement', locationCode: 'GM', reason: 'transfer_out', lines: [{ variantId: 'p1-v01', qty: -1 }], createdAt: new Date().toISOString(), createdBy: 'user:o' });
  it.each(['movement:transfer_out:01JD0000000000000000000000', 'movement:transfer_in:01JD0000000000000000000000'])('%s is refused to every writer', (id) => {
    for (const p of [owner, manager, phone]) expect(checkDocWrite(p, gm, movement(id), true, SYNC_RULES)?.reason).toMatch(/^_id: movement:transfer_(out|in):… movements are written only by the server/);
  });
  it.each(['movement:shopify:order:5234567890123:466157049', 'movement:shopify:open:sh-1-2'])('%s (Shopify) is refused to every writer', (id) => {
    for (const p of [owner, manager, phone]) expect(checkDocWrite(p, gm, { ...movement(id), reason: 'online_order' }, true, SYNC_RULES)?.reason).toMatch(/^_id: movement:shopify:… movements are written only by the Shopify integration/);
  });
  it('other movement ids stay writable (adjustments, counts)', () => {
    expect(checkDocWrite(manager, gm, { ...movement(`movement:adj:${newUlid()}`), reason: 'damage' }, true, SYNC_RULES)).toBeNull();
  });
  it('a transfer document is written only by the server', () => {
    expect(checkDocWrite(owner, gm, { _id: `transfer:GM:${newUlid()}`, type: 'transfer' }, true, SYNC_RULES)?.reason).toBe('type: transfer documents are written only by the server');
  });
});
