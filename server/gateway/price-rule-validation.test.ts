import { describe, expect, it } from 'vitest';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import { parseDbName, type ParsedDbName } from '#domain/db-names.ts';
import type { Principal } from '../auth/principal.ts';
import { checkDocWrite } from './validate-docs.ts';

/** price_rule documents (catalog database): written by catalog:edit holders, never by devices. */
const register: Principal = { kind: 'device', deviceId: 'd1', tenantId: 'acme', locationCode: 'GM', deviceKind: 'register' };
const cashier: Principal = { kind: 'user', userId: 'user:c', tenantId: 'acme', role: 'cashier', locations: ['GM'] };
const clerk: Principal = { kind: 'user', userId: 'user:s', tenantId: 'acme', role: 'stock_clerk', locations: ['GM'] };
const manager: Principal = { kind: 'user', userId: 'user:m', tenantId: 'acme', role: 'manager', locations: ['GM'] };
const catalog = parseDbName('t-acme-catalog') as ParsedDbName;
const gm = parseDbName('t-acme-loc-gm') as ParsedDbName;

const rule = (over: Record<string, unknown> = {}) => ({
  _id: 'price_rule:01jtest',
  type: 'price_rule',
  name: 'Summer sale',
  discount: { kind: 'percent', value: 2000 },
  target: { kind: 'category', categoryId: 'category:tops' },
  startsAt: '2026-06-01T00:00:00.000Z',
  endsAt: '2026-07-01T00:00:00.000Z',
  active: true,
  updatedAt: '2026-05-01T00:00:00.000Z',
  updatedBy: 'user:m',
  ...over
});

describe('price_rule writes through the gateway', () => {
  it('a manager (catalog:edit) may write one in the catalog database', () => {
    expect(checkDocWrite(manager, catalog, rule(), true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(manager, catalog, { _id: 'price_rule:01jtest', _rev: '1-abc', _deleted: true }, true, SYNC_RULES)).toBeNull();
  });

  it('cashiers, stock clerks and registers may not', () => {
    expect(checkDocWrite(cashier, catalog, rule(), true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('catalog:edit') });
    expect(checkDocWrite(clerk, catalog, rule(), true, SYNC_RULES)).toMatchObject({ status: 403 });
    expect(checkDocWrite(register, catalog, rule(), true, SYNC_RULES)).toMatchObject({ status: 403 });
  });

  it('is checked against its schema and kept in the catalog database', () => {
    expect(checkDocWrite(manager, catalog, rule({ endsAt: '2026-05-01T00:00:00.000Z' }), true, SYNC_RULES)).toMatchObject({ status: 400, reason: expect.stringContaining('endsAt') });
    expect(checkDocWrite(manager, catalog, rule({ discount: { kind: 'percent', value: 20_000 } }), true, SYNC_RULES)).toMatchObject({ status: 400 });
    expect(checkDocWrite(manager, gm, rule(), true, SYNC_RULES)).toMatchObject({ status: 403 });
  });
});
