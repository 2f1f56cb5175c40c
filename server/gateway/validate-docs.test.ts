import { describe, expect, it } from 'vitest';
import { parseDbName, type ParsedDbName } from '../../web/src/lib/domain/db-names.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import type { Principal } from '../auth/principal.ts';
import { checkDocWrite } from './validate-docs.ts';
import { makeProduct, makeSale } from '../../tests/support/fixtures.ts';

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
