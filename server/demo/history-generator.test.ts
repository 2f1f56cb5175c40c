import { describe, expect, it } from 'vitest';
import { DOC_SCHEMAS, docTypeOfId, type DocType, type SaleDoc, type ShiftCloseDoc, type ShiftDoc, type VoidDoc } from '#domain/schemas/index.ts';
import { storeDate } from '#domain/receipt-number.ts';
import { shiftReport } from '#domain/shift-report.ts';
import { countedTotal } from '#domain/money.ts';
import { designDocsFor } from '../../couch-design-docs/index.ts';
import { generateDemoCatalog } from './catalog-generator.ts';
import { generateHistory, PROMOTION, type HistoryInput, type HistoryLocation, type HistoryStaff } from './history-generator.ts';

// 15:00 in New York, 12:00 in Oakland: today is part-traded
const NOW = '2026-12-07T20:00:00.000Z';
const codes = ['GM', 'HM', 'LM'];
const catalog = generateDemoCatalog({ seed: 2026, locationCodes: codes, now: '2026-08-01T00:00:00.000Z', actor: 'system' });
const cashier: HistoryStaff = { id: 'user:carlos', name: 'Carlos Cashier', approvesOwnDiscounts: false };
const manager: HistoryStaff = { id: 'user:maria', name: 'Maria Manager', approvesOwnDiscounts: true };
const admin: HistoryStaff = { id: 'user:adam', name: 'Adam Admin', approvesOwnDiscounts: true };
const tax = (ratePpm: number) => ({ ratePpm, exemptCategories: [], pricesIncludeTax: false, rounding: 'line' as const, roundingMode: 'half_up' as const });
const locations: HistoryLocation[] = [
  { code: 'GM', timeZone: 'America/New_York', currency: 'USD', tax: tax(88_750), manager, registers: [{ key: 'GM-1', shortCode: 'GM1', staff: cashier }, { key: 'GM-2', shortCode: 'GM2', staff: manager }] },
  { code: 'HM', timeZone: 'America/Chicago', currency: 'USD', tax: tax(62_500), manager: admin, registers: [{ key: 'HM-1', shortCode: 'HM1', staff: admin }, { key: 'HM-2', shortCode: 'HM2', staff: admin }] },
  { code: 'LM', timeZone: 'America/Los_Angeles', currency: 'USD', tax: tax(72_500), manager: admin, registers: [{ key: 'LM-1', shortCode: 'LM1', staff: admin }] }
];
const input: HistoryInput = { seed: 7, now: NOW, days: 35, locations, products: catalog.products, customers: catalog.customers, openingStock: catalog.openingMovements, buyer: 'user:olivia' };
const history = generateHistory(input); // its time is measured by bench/first-start.bench.ts
const all = Object.values(history.locations).flat();
const ofType = <T>(type: string, loc?: string) => (loc ? history.locations[loc]! : all).filter((d) => d.type === type) as unknown as T[];
const sales = ofType<SaleDoc>('sale');
const voids = ofType<VoidDoc>('void');

describe('demo history generator', () => {
  it('is deterministic: the same input gives the same documents, ids included; another seed differs', () => {
    expect(generateHistory(input)).toEqual(history);
    expect(generateHistory({ ...input, seed: 8 }).locations.GM![0]).not.toEqual(history.locations.GM![0]);
  });

  it('writes every document as the gateway accepts it: its schema, its id kind, its location', () => {
    const ids = new Set<string>();
    for (const [code, docs] of Object.entries(history.locations)) {
      for (const d of docs) {
        const type = docTypeOfId(d._id) as DocType;
        expect(type, d._id).toBe(d.type);
        const parsed = DOC_SCHEMAS[type].safeParse(d);
        expect(parsed.success, `${d._id}: ${parsed.error?.message}`).toBe(true);
        expect((d as unknown as { locationCode: string }).locationCode).toBe(code);
        expect(ids.has(d._id), d._id).toBe(false);
        ids.add(d._id);
      }
    }
    for (const s of history.catalog) expect(DOC_SCHEMAS.supplier.safeParse(s).success).toBe(true);
    // register documents are named after the register they name (gateway: a register writes only as itself)
    for (const d of all) {
      const reg = (d as { registerId?: string }).registerId;
      if (reg) expect(d._id.split(':')[1]).toBe(reg.replace('device:', ''));
    }
  });

  it('has the volume of a trading store: every day, every register, a shift opened and closed', () => {
    expect(sales.length).toBeGreaterThan(35 * 5 * 8);
    const shifts = ofType<ShiftDoc>('shift');
    const closes = ofType<ShiftCloseDoc>('shift_close');
    expect(shifts).toHaveLength(36 * 5); // 35 days and today
    expect(closes.map((c) => c.shiftId).sort()).toEqual(shifts.map((s) => s._id).sort());
    expect(all.every((d) => JSON.stringify(d).match(/"(createdAt|openedAt|closedAt|at)":"([^"]+)"/g)!.every((m) => m.slice(m.indexOf(':') + 2, -1) < NOW))).toBe(true);
    expect(sales.every((s) => Date.parse(s.createdAt) > Date.parse(NOW) - 36 * 86_400_000)).toBe(true);
    const gmDays = new Set(sales.filter((s) => s.locationCode === 'GM').map((s) => storeDate(s.createdAt, 'America/New_York')));
    expect(gmDays.size).toBe(36);
    expect(gmDays.has('20261207')).toBe(true); // today, until now
  });

  it('adds up: Σ line totals = sale total = tenders − change, and each shift close is its Z report of its own documents', () => {
    for (const s of sales) {
      expect(s.lines.reduce((a, l) => a + l.total, 0)).toBe(s.total);
      expect(s.tenders.reduce((a, t) => a + t.amount, 0) - s.change).toBe(s.total + s.rounding);
    }
    const total = sales.reduce((a, s) => a + s.total, 0);
    const paid = sales.reduce((a, s) => a + s.tenders.reduce((b, t) => b + t.amount, 0) - s.change, 0);
    expect(paid).toBe(total);
    for (const close of ofType<ShiftCloseDoc>('shift_close')) {
      const shift = all.find((d) => d._id === close.shiftId) as unknown as ShiftDoc;
      const report = shiftReport({ shift, sales: sales.filter((s) => s.shiftId === shift._id), voids: voids.filter((v) => v.shiftId === shift._id), cashMovements: [] });
      expect(close.report).toEqual(JSON.parse(JSON.stringify(report)));
      expect(countedTotal(close.denominations)).toBe(close.countedCash);
      expect(close.overShort).toBe(close.countedCash - close.expectedCash);
    }
  });

  it('has the shape of retail: weekends and late afternoons busier, the promotion week discounted with approvals', () => {
    const gm = sales.filter((s) => s.locationCode === 'GM' && s.kind === 'sale' && !s.orderDiscount);
    const byDow = new Array(7).fill(0);
    const byHour = new Array(24).fill(0);
    const dow = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short' });
    const hour = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' });
    for (const s of gm) {
      byDow[['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(dow.format(new Date(s.createdAt)))]++;
      byHour[Number(hour.format(new Date(s.createdAt)))]++;
    }
    expect(byDow[6]).toBeGreaterThan(byDow[2] * 1.5); // Saturday vs Tuesday
    expect(byHour[17]).toBeGreaterThan(byHour[10] * 1.5);
    expect(byHour.slice(0, 10).concat(byHour.slice(21)).every((n) => n === 0)).toBe(true); // only in opening hours
    const promo = sales.filter((s) => s.orderDiscount);
    expect(promo.length).toBeGreaterThan(50);
    expect(promo.every((s) => s.orderDiscount!.kind === 'percent' && s.orderDiscount!.value === PROMOTION.discountBp && s.discountTotal > 0)).toBe(true);
    // Carlos (a cashier) needs a manager for 20 % off; Maria approves her own
    expect(promo.filter((s) => s.cashierId === cashier.id).every((s) => s.approvals.some((a) => a.action === 'discount_over_limit' && a.staffId === manager.id))).toBe(true);
    expect(new Set(promo.map((s) => storeDate(s.createdAt, 'America/New_York'))).size).toBe(7);
    expect(sales.some((s) => s.customerId)).toBe(true);
    expect(sales.some((s) => s.tenders.length === 2)).toBe(true);
    expect(sales.some((s) => s.change > 0)).toBe(true);
    const sizes = new Set(sales.filter((s) => s.kind === 'sale').map((s) => s.lines.length));
    expect([...sizes].every((n) => n >= 1 && n <= 6)).toBe(true);
  });

  it('returns and exchanges refer to real earlier lines and never return more than was sold; voids mirror their sale', () => {
    const byId = new Map(sales.map((s) => [s._id, s]));
    const returned = new Map<string, number>();
    const returns = sales.filter((s) => s.kind !== 'sale');
    expect(returns.some((s) => s.kind === 'return')).toBe(true);
    expect(returns.some((s) => s.kind === 'exchange')).toBe(true);
    for (const s of returns) {
      for (const l of s.lines.filter((x) => x.qty < 0)) {
        const original = byId.get(l.returnOf!.saleId)!;
        expect(original.createdAt < s.createdAt).toBe(true);
        expect(l.returnOf!.receiptNo).toBe(original.receiptNo);
        const line = original.lines.find((x) => x.lineId === l.returnOf!.lineId)!;
        expect(line.variantId).toBe(l.variantId);
        const key = `${original._id}/${line.lineId}`;
        returned.set(key, (returned.get(key) ?? 0) - l.qty);
        expect(returned.get(key)).toBeLessThanOrEqual(line.qty);
      }
    }
    expect(voids.length).toBeGreaterThan(0);
    for (const v of voids) {
      const sale = byId.get(v.saleId)!;
      expect(v.total).toBe(-sale.total);
      expect(v.approvals[0]!.action).toBe('void');
      expect([...returned.keys()].some((k) => k.startsWith(`${sale._id}/`))).toBe(false);
    }
  });

  it('keeps stock on hand from the ledger: the real stock view over the documents gives what the generator tracked, replenished by received orders', () => {
    const ddoc = designDocsFor('location').find((d) => d._id === '_design/stock')!;
    const sums = new Map<string, number>();
    const map = new Function('emit', `return (${ddoc.views!.on_hand!.map});`)((k: unknown, v: number) => sums.set(JSON.stringify(k), (sums.get(JSON.stringify(k)) ?? 0) + v)) as (d: object) => void;
    for (const m of catalog.openingMovements.GM!) map(m);
    for (const d of history.locations.GM!) map(d);
    for (const [variantId, qty] of history.onHand.GM!) expect(sums.get(JSON.stringify(['GM', variantId])) ?? 0, variantId).toBe(qty);
    const values = [...history.onHand.GM!.values()];
    expect(values.every((q) => q >= 0)).toBe(true);
    expect(values.filter((q) => q > 0 && q <= 2).length).toBeGreaterThan(5); // a few items low
    const pos = ofType<{ status: string; receipts: unknown[] }>('purchase_order', 'GM');
    expect(pos.filter((p) => p.status === 'received').length).toBeGreaterThanOrEqual(3);
    expect(ofType<{ reason: string }>('stock_movement', 'GM').every((m) => m.reason === 'receive')).toBe(true);
  });

  it('clocks staff in and out once a day per store', () => {
    const entries = ofType<{ staffId: string; kind: string; at: string }>('time_entry', 'GM');
    expect(entries.filter((e) => e.kind === 'in')).toHaveLength(36 * 2);
    expect(entries.filter((e) => e.kind === 'out')).toHaveLength(35 * 2); // today's staff are still at work
    const hm = ofType<{ kind: string }>('time_entry', 'HM');
    expect(hm).toHaveLength(36 + 35); // one person on both registers: one punch in, one out a day
  });
});
