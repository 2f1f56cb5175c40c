import { describe, expect, it } from 'vitest';
import { newUlid } from '../domain/ids.ts';
import { shiftCloseSchema } from '../domain/schemas/index.ts';
import type { ShiftReport } from '../domain/shift-report.ts';
import { storeFormat } from '../domain/store-format.ts';
import type { Staff } from './reference-data.ts';
import type { SaleDoc, ShiftDoc } from './register-db.ts';
import {
  ApprovalRequiredError,
  buildShiftClose,
  closeShiftNow,
  needsApproval,
  recordCashInOut,
  recordNoSale,
  reportLines,
  reportRows,
  UnsyncedShiftError,
  xReport,
  type Approval,
  type ShiftContext
} from './shift.ts';

/**
 * PouchDB does not run on fake-indexeddb in node (transactions abort), and unit tests do not use
 * pouchdb-node; this map-backed stand-in implements the two calls register-db.ts makes here
 * (`put` with 409 on an existing id, `allDocs` by key range), so the use cases run end to end.
 * The real storage path is covered by bench/z-report.bench.ts (pouchdb-node) and the e2e suite.
 */
function memoryDb() {
  const docs = new Map<string, Record<string, unknown>>();
  const db = {
    docs,
    async put(doc: { _id: string }) {
      if (docs.has(doc._id)) throw Object.assign(new Error('Document update conflict'), { status: 409 });
      docs.set(doc._id, structuredClone(doc) as Record<string, unknown>);
      return { ok: true, id: doc._id, rev: '1-abc' };
    },
    async allDocs(o: { startkey: string; endkey: string; descending?: boolean; limit?: number }) {
      const [lo, hi] = o.descending ? [o.endkey, o.startkey] : [o.startkey, o.endkey];
      let ids = [...docs.keys()].filter((id) => id >= lo && id <= hi).sort();
      if (o.descending) ids.reverse();
      if (o.limit) ids = ids.slice(0, o.limit);
      return { rows: ids.map((id) => ({ id, key: id, doc: structuredClone(docs.get(id)) })) };
    }
  };
  return db;
}

const cashier: Staff = { id: 'user:cash1', name: 'Casey Cashier', role: 'cashier' };
const manager: Staff = { id: 'user:mgr1', name: 'Morgan Manager', role: 'manager' };
const approval = (action: Approval['action']): Approval => ({ action, staffId: manager.id, staffName: manager.name, at: '2026-03-02T12:00:00.000Z' });

function setup(staff: Staff = cashier) {
  const db = memoryDb();
  const shift: ShiftDoc = {
    _id: `shift:R1:${newUlid()}`,
    type: 'shift',
    locationCode: 'GM',
    registerId: 'device:R1',
    openedBy: staff.id,
    openedByName: staff.name,
    openingFloat: 15000,
    openedAt: '2026-03-02T09:00:00.000Z'
  };
  db.docs.set(shift._id, shift as unknown as Record<string, unknown>);
  const ctx: ShiftContext = { db: db as unknown as PouchDB.Database, registerKey: 'R1', registerId: 'device:R1', locationCode: 'GM', shift, staff, now: () => new Date('2026-03-02T18:00:00.000Z') };
  return { db, shift, ctx };
}

function sale(shift: ShiftDoc, over: { total: number; cash?: number; card?: number; change?: number; cashierId?: string; cashierName?: string; qty?: number }): SaleDoc {
  const qty = over.qty ?? 1;
  const tax = Math.round(over.total * 0.08);
  const tenders = [
    ...(over.cash ? [{ kind: 'cash' as const, amount: over.cash }] : []),
    ...(over.card ? [{ kind: 'card_external' as const, amount: over.card }] : [])
  ];
  return {
    _id: `sale:R1:${newUlid()}`,
    type: 'sale',
    kind: qty < 0 ? 'return' : 'sale',
    pricesIncludeTax: false,
    locationCode: 'GM',
    registerId: 'device:R1',
    shiftId: shift._id,
    cashierId: over.cashierId ?? cashier.id,
    cashierName: over.cashierName ?? cashier.name,
    currency: 'USD',
    lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty, unitPrice: Math.abs(over.total - tax) / Math.abs(qty), discount: 0, tax, total: over.total }],
    subtotal: over.total - tax,
    discountTotal: 0,
    taxTotal: tax,
    total: over.total,
    rounding: 0,
    tenders,
    change: over.change ?? 0,
    approvals: [],
    createdAt: '2026-03-02T10:00:00.000Z'
  };
}

describe('shift use cases', () => {
  it('X report sums the shift’s sales, payouts and cash in; expected cash = float + cash − change + in − out', async () => {
    const { db, shift, ctx } = setup(manager);
    for (const s of [sale(shift, { total: 1080, cash: 2000, change: 920 }), sale(shift, { total: 2160, card: 2160, cashierId: manager.id, cashierName: manager.name })]) db.docs.set(s._id, s as unknown as Record<string, unknown>);
    // another shift's sale on this register is not counted
    const other = sale({ ...shift, _id: `shift:R1:${newUlid()}` }, { total: 999, cash: 999 });
    db.docs.set(other._id, other as unknown as Record<string, unknown>);
    await recordCashInOut(ctx, { kind: 'in', amount: 5000, reason: 'float top-up' });
    await recordCashInOut(ctx, { kind: 'out', amount: 1200, reason: 'window cleaner' });
    await recordNoSale(ctx);

    const r = await xReport(ctx.db, 'R1', shift);
    expect(r).toMatchObject({ cashIn: 5000, cashOut: 1200, noSaleCount: 1 });
    // net sales without tax; with the tax, what the sales brought in
    expect(r.figures).toMatchObject({ transactions: 2, net: 3240 - 86 - 173, tax: 86 + 173, total: 3240, collected: 3240 });
    expect(r.tenders.cash).toBe(1080);
    expect(r.tenders.card_external).toBe(2160);
    expect(r.expectedCash).toBe(15000 + 1080 + 5000 - 1200);
    expect(r.byCashier.map((c) => c.cashierId)).toEqual([cashier.id, manager.id]);
  });

  it('a payout or no-sale by a cashier without sale:void needs a manager approval, recorded with both identities', async () => {
    const { db, ctx } = setup(cashier);
    expect(needsApproval(cashier, 'payout')).toBe(true);
    expect(needsApproval(manager, 'no_sale')).toBe(false);
    await expect(recordCashInOut(ctx, { kind: 'out', amount: 500, reason: 'milk' })).rejects.toBeInstanceOf(ApprovalRequiredError);
    await expect(recordNoSale(ctx)).rejects.toMatchObject({ name: 'ApprovalRequiredError', action: 'no_sale' });
    // an approval for another action does not count
    await expect(recordCashInOut(ctx, { kind: 'out', amount: 500, reason: 'milk', approvals: [approval('no_sale')] })).rejects.toBeInstanceOf(ApprovalRequiredError);
    expect(db.docs.size).toBe(1); // only the shift

    const out = await recordCashInOut(ctx, { kind: 'out', amount: 500, reason: ' milk ', approvals: [approval('payout')] });
    expect(out).toMatchObject({ type: 'cash_movement', kind: 'out', amount: 500, reason: 'milk', staffId: cashier.id, approvals: [{ action: 'payout', staffId: manager.id }] });
    expect(out._id).toMatch(/^cash:R1:[0-9A-Z]{26}$/);
    const ns = await recordNoSale(ctx, { approvals: [approval('no_sale')] });
    expect(ns).toMatchObject({ kind: 'no_sale', amount: 0, reason: 'No sale', staffId: cashier.id, approvals: [{ action: 'no_sale', staffId: manager.id }] });
    // cash in needs no approval
    await expect(recordCashInOut(ctx, { kind: 'in', amount: 100, reason: 'coins' })).resolves.toMatchObject({ kind: 'in' });
  });

  it('refuses bad amounts and empty reasons', async () => {
    const { ctx } = setup(manager);
    await expect(recordCashInOut(ctx, { kind: 'in', amount: 0, reason: 'x' })).rejects.toThrow(/greater than zero/);
    await expect(recordCashInOut(ctx, { kind: 'in', amount: 10.5, reason: 'x' })).rejects.toThrow(/greater than zero/);
    await expect(recordCashInOut(ctx, { kind: 'out', amount: 100, reason: '   ' })).rejects.toThrow(/paid out for/);
  });

  it('closing is refused while changes are unsynced, unless a manager overrides (close_unsynced, audited on the close)', async () => {
    const { db, shift, ctx } = setup(cashier);
    const s = sale(shift, { total: 1080, cash: 1080 });
    db.docs.set(s._id, s as unknown as Record<string, unknown>);
    const denominations = { '10000': 1, '2000': 2, '500': 1, '25': 3, '1': 0 };
    await expect(closeShiftNow(ctx, { denominations, unsynced: 3 })).rejects.toBeInstanceOf(UnsyncedShiftError);
    await expect(closeShiftNow(ctx, { denominations, unsynced: 3 })).rejects.toThrow(/3 changes .* not on the server yet/);
    await expect(closeShiftNow(ctx, { denominations, unsynced: 3, approvals: [approval('payout')] })).rejects.toBeInstanceOf(UnsyncedShiftError);

    const { close, report } = await closeShiftNow(ctx, { denominations, unsynced: 3, approvals: [approval('close_unsynced')] });
    expect(close._id).toBe(`shift_close:${shift._id.slice('shift:'.length)}`);
    expect(close).toMatchObject({
      shiftId: shift._id,
      closedBy: cashier.id,
      denominations: { '10000': 1, '2000': 2, '500': 1, '25': 3 },
      countedCash: 14575,
      expectedCash: 15000 + 1080,
      overShort: 14575 - 16080,
      unsyncedAtClose: 3,
      approvals: [{ action: 'close_unsynced', staffId: manager.id }],
      closedAt: '2026-03-02T18:00:00.000Z'
    });
    expect(close.report).toMatchObject({ version: 2, figures: expect.objectContaining({ transactions: 1, net: 994, tax: 86, collected: 1080 }), expectedCash: 16080 });
    expect(report.expectedCash).toBe(16080);
    expect(shiftCloseSchema.safeParse(close).success).toBe(true);
    // a second close of the same shift is refused
    await expect(closeShiftNow(ctx, { denominations, unsynced: 0 })).rejects.toThrow(/already closed/);
  });

  it('closes without approval when everything is synced; rejects nonsense counts', async () => {
    const { ctx } = setup(cashier);
    await expect(closeShiftNow(ctx, { denominations: { '2000': -1 }, unsynced: 0 })).rejects.toThrow(RangeError);
    const { close } = await closeShiftNow(ctx, { denominations: { '5000': 3 }, unsynced: 0 });
    expect(close).toMatchObject({ countedCash: 15000, expectedCash: 15000, overShort: 0, unsyncedAtClose: 0, approvals: [] });
  });
});

describe('report presentation', () => {
  const { shift, ctx } = setup(manager);
  const report: ShiftReport = {
    version: 2,
    shiftId: shift._id,
    registerId: 'device:R1',
    openedAt: '2026-03-02T09:00:00.000Z',
    openingFloat: 15000,
    figures: { transactions: 3, units: 4, gross: 5000, discounts: 250, returns: 920, net: 3830, tax: 300, total: 4130, rounding: 0, collected: 4130, averageBasket: 1277 },
    returnsCount: 1,
    itemsSold: 5,
    itemsReturned: 1,
    voidCount: 1,
    voidRefunds: 540,
    tenders: { cash: 2000, card_external: 2130, card_stripe: 0, store_credit: 0, gift_card: 0, layaway: 0 },
    salesTenders: { cash: 2000, card_external: 2130, card_stripe: 0, store_credit: 0, gift_card: 0, layaway: 0 },
    layawayTaken: 0,
    layawayRefunded: 0,
    layawayNet: 0,
    layawayFeesKept: 0,
    duplicateVoidRefunds: 0,
    cashIn: 1000,
    cashOut: 300,
    noSaleCount: 2,
    expectedCash: 17700,
    byCashier: [{ cashierId: cashier.id, cashierName: cashier.name, transactions: 3, returns: 920, net: 3830 }],
    approvals: 2
  };
  const fmt = storeFormat({ locale: 'en-US', timeZone: 'America/New_York', currency: 'USD' }, { plain: true });

  it('rows show every figure the X report needs, tenders without zero kinds', () => {
    const rows = reportRows(report, fmt);
    const get = (label: string) => rows.find((r) => r.label === label)?.value;
    expect(get('Transactions')).toBe('3');
    expect(get('Gross sales')).toBe('$50.00');
    expect(get('Discounts')).toBe('-$2.50');
    expect(get('Returns (1)')).toBe('-$9.20');
    expect(get('Net sales')).toBe('$38.30'); // 50.00 − 2.50 − 9.20, no tax in it
    expect(get('Tax')).toBe('$3.00');
    expect(get('Total collected')).toBe('$41.30');
    expect(get('Voids (1), refunded')).toBe('-$5.40');
    expect(get('Cash')).toBe('$20.00');
    expect(get('Card (terminal)')).toBe('$21.30');
    expect(get('Total tendered')).toBe('$41.30');
    expect(get('Card (Stripe)')).toBeUndefined();
    expect(get('Cash in')).toBe('$10.00');
    expect(get('Cash out (payouts)')).toBe('-$3.00');
    expect(get('Expected cash')).toBe('$177.00');
  });

  it('printed Z report fits the paper and carries the count, over/short, cashiers and approvals', () => {
    const close = buildShiftClose(ctx, report, { denominations: { '10000': 1, '2000': 3, '500': 2, '25': 4 }, unsynced: 2, approvals: [approval('close_unsynced')] });
    const lines = reportLines(report, { title: 'Z REPORT', format: fmt, printedAt: new Date('2026-03-02T18:00:00.000Z'), close: { ...close, approvals: close.approvals } });
    expect(lines[0]).toBe('Z REPORT');
    expect(lines.every((l) => l.length <= 42)).toBe(true);
    // the store's locale and time zone (New York, en-US), not a day-first date from another locale
    expect(lines).toContain('Shift opened: Mar 2, 2026, 4:00 AM');
    expect(lines).toContain(`Net sales${' '.repeat(42 - 'Net sales'.length - '$38.30'.length)}$38.30`);
    // and in another store's: Paris writes day first, 24-hour, euros after the amount
    const paris = reportLines(report, { title: 'X REPORT', format: storeFormat({ locale: 'fr-FR', timeZone: 'Europe/Paris', currency: 'EUR' }, { plain: true }), printedAt: new Date('2026-03-02T18:00:00.000Z') });
    expect(paris).toContain('Shift opened: 2 mars 2026, 10:00');
    expect(paris.join('\n')).toMatch(/Net sales +38,30 €/);
    expect(lines.join('\n')).toMatch(/Counted cash +\$171\.00/);
    expect(lines.join('\n')).toMatch(/Over\/short +Short \$6\.00/);
    expect(lines).toContain('Casey Cashier');
    expect(lines).toContain('Approved close unsynced: Morgan Manager');
    expect(lines).toContain('Closed with 2 unsynced change(s)');
  });
});
