import { describe, expect, it } from 'vitest';
import { parseDbName, type ParsedDbName } from '#domain/db-names.ts';
import { ledgerEntriesForSale } from '#domain/sale-ledger.ts';
import { ledgerEntrySchema } from '#domain/schemas/index.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import type { Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import { checkDocWrite } from '../gateway/validate-docs.ts';
import { PointsRateCache, saleIdOfVoid, saleLedgerIds, sameEntry, voidIdOfSale, voidLedgerEntries } from './sale-ledger.ts';
import { makeApproval, makeSale, makeVoid } from '../../tests/support/fixtures.ts';

const paidWithCredit = () =>
  makeSale('GM', 'GM-1', {
    customerId: 'customer:ann',
    cashierId: 'user:cash',
    tenders: [
      { kind: 'store_credit', amount: 500, reference: 'customer:ann' },
      { kind: 'cash', amount: 289 },
      { kind: 'gift_card', amount: 300, reference: 'GC-0001' }
    ]
  });

describe('sale ↔ void ids', () => {
  it('a void is named after its sale and back', () => {
    const sale = makeSale('GM');
    expect(saleIdOfVoid(voidIdOfSale(sale._id))).toBe(sale._id);
    expect(voidIdOfSale(sale._id)).toBe(makeVoid(sale, [makeApproval('user:m')])._id);
  });

  it('saleLedgerIds lists every id a sale can have written, points included whatever the rate', () => {
    const sale = paidWithCredit();
    expect(saleLedgerIds(sale as never)).toEqual([`ledger:${sale._id}:points`, `ledger:${sale._id}:t0`, `ledger:${sale._id}:t1`, `ledger:${sale._id}:t2`]);
    for (const e of ledgerEntriesForSale(sale as never, 3)) expect(saleLedgerIds(sale as never)).toContain(e._id);
  });
});

describe('voidLedgerEntries', () => {
  it('negates each entry the sale wrote, same account and holder, named after the void', () => {
    const sale = paidWithCredit();
    const written = ledgerEntriesForSale(sale as never, 2);
    const v = makeVoid(sale, [makeApproval('user:m')], { cashierId: 'user:cash2', createdAt: '2026-11-25T12:00:00.000Z' });
    const out = voidLedgerEntries(v, written);
    expect(out).toEqual([
      { _id: `ledger:${v._id}:t0`, type: 'ledger_entry', account: 'store_credit', holder: 'customer:ann', amount: 500, reason: 'void', ref: v._id, createdAt: v.createdAt, createdBy: 'user:cash2' },
      { _id: `ledger:${v._id}:t2`, type: 'ledger_entry', account: 'gift_card', holder: 'GC-0001', amount: 300, reason: 'void', ref: v._id, createdAt: v.createdAt, createdBy: 'user:cash2' },
      { _id: `ledger:${v._id}:points`, type: 'ledger_entry', account: 'loyalty', holder: 'customer:ann', amount: -20, reason: 'void', ref: v._id, createdAt: v.createdAt, createdBy: 'user:cash2' }
    ]);
    for (const e of out) expect(ledgerEntrySchema.safeParse(e).success).toBe(true);
    // sale + void sum to nothing on every account
    const sum = new Map<string, number>();
    for (const e of [...written, ...out]) sum.set(`${e.account}|${e.holder}`, (sum.get(`${e.account}|${e.holder}`) ?? 0) + e.amount);
    expect([...sum.values()].every((n) => n === 0)).toBe(true);
  });

  it('reverses what was written, not what the current rate would give; ignores other sales’ entries', () => {
    const sale = makeSale('GM', 'GM-1', { customerId: 'customer:bo' });
    const other = makeSale('GM', 'GM-1', { customerId: 'customer:bo' });
    const v = makeVoid(sale, [makeApproval('user:m')]);
    const written = [...ledgerEntriesForSale(sale as never, 5), ...ledgerEntriesForSale(other as never, 5)];
    expect(voidLedgerEntries(v, written).map((e) => [e._id, e.amount])).toEqual([[`ledger:${v._id}:points`, -50]]);
    expect(voidLedgerEntries(v, [])).toEqual([]);
  });
});

describe('sameEntry', () => {
  it('compares the money, account and holder of an existing document', () => {
    const [e] = ledgerEntriesForSale(paidWithCredit() as never, 0);
    expect(sameEntry(e!, { ...e!, _rev: '1-x', createdAt: 'later' })).toBe(true);
    expect(sameEntry(e!, { ...e!, amount: e!.amount - 1 })).toBe(false);
    expect(sameEntry(e!, { ...e!, holder: 'customer:mallory' })).toBe(false);
    expect(sameEntry(e!, { ...e!, type: 'customer' })).toBe(false);
  });
});

describe('PointsRateCache', () => {
  const fakeCouch = (docs: (() => unknown)[]) => {
    let calls = 0;
    const couch = {
      use: () => ({
        get: async () => {
          const next = docs[Math.min(calls++, docs.length - 1)]!;
          return next();
        }
      })
    } as unknown as Couch;
    return { couch, calls: () => calls };
  };

  it('reads settings.loyaltyPointsPerUnit once per ttl per tenant', async () => {
    const f = fakeCouch([() => ({ loyaltyPointsPerUnit: 4 }), () => ({ loyaltyPointsPerUnit: 7 })]);
    const cache = new PointsRateCache(60_000);
    expect(await cache.get(f.couch, 'acme')).toBe(4);
    expect(await cache.get(f.couch, 'acme')).toBe(4);
    expect(f.calls()).toBe(1);
    expect(await cache.get(f.couch, 'other')).toBe(7);
    const fresh = new PointsRateCache(0);
    expect(await fresh.get(f.couch, 'acme')).toBe(7);
  });

  it('falls back to the schema default (1) when the setting or the document is missing', async () => {
    expect(await new PointsRateCache().get(fakeCouch([() => ({})]).couch, 'acme')).toBe(1);
    const missing = fakeCouch([
      () => {
        throw Object.assign(new Error('missing'), { statusCode: 404 });
      }
    ]);
    expect(await new PointsRateCache().get(missing.couch, 'acme')).toBe(1);
    const down = fakeCouch([
      () => {
        throw Object.assign(new Error('down'), { statusCode: 500 });
      }
    ]);
    await expect(new PointsRateCache().get(down.couch, 'acme')).rejects.toThrow('down');
  });
});

describe('sync rule: ledger entries are the server’s', () => {
  const customers = parseDbName('t-acme-customers') as ParsedDbName;
  const register: Principal = { kind: 'device', deviceId: 'd1', tenantId: 'acme', locationCode: 'GM', deviceKind: 'register' };
  const manager: Principal = { kind: 'user', userId: 'user:m', tenantId: 'acme', role: 'manager', locations: ['GM'] };
  const cashier: Principal = { kind: 'user', userId: 'user:c', tenantId: 'acme', role: 'cashier', locations: ['GM'] };

  it('a register cannot write any ledger entry; nobody writes one named after a sale; staff with sale:refund can adjust', () => {
    const [forged] = ledgerEntriesForSale(paidWithCredit() as never, 1);
    expect(checkDocWrite(register, customers, forged, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining("written only by the server's sale-ledger worker") });
    expect(checkDocWrite(manager, customers, forged, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining("written only by the server's sale-ledger worker") });
    const adjustment = { _id: 'ledger:adj:1', type: 'ledger_entry', account: 'store_credit', holder: 'customer:ann', amount: 1000, reason: 'goodwill', createdAt: '2026-11-25T12:00:00.000Z', createdBy: 'user:m' };
    expect(checkDocWrite(register, customers, adjustment, true, SYNC_RULES)).toMatchObject({ status: 403 });
    expect(checkDocWrite(manager, customers, adjustment, true, SYNC_RULES)).toBeNull();
    expect(checkDocWrite(cashier, customers, adjustment, true, SYNC_RULES)).toMatchObject({ status: 403, reason: expect.stringContaining('sale:refund') });
  });
});
