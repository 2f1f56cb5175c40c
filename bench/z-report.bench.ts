/**
 * Closing a busy shift on the register (issue goal: a shift with 1,000 sales closes in ≤ 2 s), in
 * node on a LevelDB PouchDB (pouchdb-node; the register uses IndexedDB, same PouchDB API).
 *
 * Data: one location replica holding this register's current shift (1,000 sales of 1–4 lines,
 * cash with change / card, ~3 % returns, order discounts, 8 voids, 8 cash movements incl. no-sales),
 * three earlier closed shifts of this register (3,000 sales) and another register's 3,000 sales.
 *
 * - z-report-close-1000: `closeShiftNow` = shiftActivity (one key range per document kind, from the
 *   shift's ulid on) + shiftReport + building and writing the shift_close. Median of 5 closes (the
 *   close is deleted between runs). Baseline: the naive way, `allDocs({include_docs})` of the whole
 *   database filtered by type and shiftId, then the same report and the same write.
 * - x-report-1000: p50 of 20 X reports (read + report), same baseline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-node';
import { newUlid } from '#domain/ids.ts';
import { saleSchema } from '#domain/schemas/index.ts';
import { shiftReport, type ShiftReportInput } from '#domain/shift-report.ts';
import { closeShift, type CashMovementDoc, type SaleDoc, type ShiftDoc, type VoidDoc } from '../web/src/lib/register/register-db.ts';
import { buildShiftClose, closeShiftNow, xReport, type ShiftContext } from '../web/src/lib/register/shift.ts';
import { percentile, report, type Benchmark } from './lib.ts';

const SALES = 1000;
const RUNS = 5;
const X_RUNS = 20;
const LOC = 'GM';
const REG = 'R1';

/** Deterministic pseudo-random numbers, so every run benchmarks the same shift. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRICES = [499, 899, 1250, 1999, 2499, 3450, 4999, 7900];
const CASHIERS = [
  { id: 'user:ana', name: 'Ana' },
  { id: 'user:ben', name: 'Ben' },
  { id: 'user:cho', name: 'Cho' }
];
const taxOf = (net: number) => Math.round((net * 88_750) / 1_000_000); // 8.875 %, prices exclude tax

function makeShift(register: string, at: Date): ShiftDoc {
  return { _id: `shift:${register}:${newUlid(at.getTime())}`, type: 'shift', locationCode: LOC, registerId: `device:${register}`, openedBy: 'user:ana', openedByName: 'Ana', openingFloat: 20_000, openedAt: at.toISOString() };
}

function makeSales(register: string, shift: ShiftDoc, n: number, rand: () => number): SaleDoc[] {
  const out: SaleDoc[] = [];
  for (let i = 0; i < n; i++) {
    const isReturn = rand() < 0.03;
    const nLines = isReturn ? 1 : 1 + Math.floor(rand() * 4);
    const lines: SaleDoc['lines'] = [];
    for (let j = 0; j < nLines; j++) {
      const unitPrice = PRICES[Math.floor(rand() * PRICES.length)]!;
      const qty = (isReturn ? -1 : 1) * (1 + Math.floor(rand() * 2));
      const discount = !isReturn && rand() < 0.15 ? Math.round(unitPrice * Math.abs(qty) * 0.1) : 0;
      const net = qty * unitPrice - (qty > 0 ? discount : 0);
      const tax = qty > 0 ? taxOf(net) : -taxOf(-net);
      const v = Math.floor(rand() * 500);
      lines.push({ lineId: `l${j + 1}`, productId: `product:p${v}`, variantId: `p${v}-v01`, sku: `SKU-${v}`, name: `Product ${v}`, taxCategory: 'standard', qty, unitPrice, discount, tax, total: net + tax });
    }
    const total = lines.reduce((a, l) => a + l.total, 0);
    const subtotal = lines.reduce((a, l) => a + l.qty * l.unitPrice, 0);
    const discountTotal = lines.reduce((a, l) => a + l.discount, 0);
    const taxTotal = lines.reduce((a, l) => a + l.tax, 0);
    const cash = rand() < 0.4;
    const tendered = cash && total > 0 ? Math.ceil(total / 500) * 500 : total;
    const c = CASHIERS[Math.floor(rand() * CASHIERS.length)]!;
    out.push({
      _id: `sale:${register}:${newUlid()}`,
      type: 'sale',
      kind: isReturn ? 'return' : 'sale',
      locationCode: LOC,
      registerId: `device:${register}`,
      shiftId: shift._id,
      cashierId: c.id,
      cashierName: c.name,
      currency: 'USD',
      lines,
      subtotal,
      discountTotal,
      taxTotal,
      pricesIncludeTax: false,
      total,
      rounding: 0,
      tenders: [{ kind: cash ? 'cash' : 'card_external', amount: tendered, ...(cash ? {} : { reference: `slip-${i}` }) }],
      change: tendered - total,
      approvals: isReturn ? [{ action: 'refund_without_receipt', staffId: 'user:mgr', staffName: 'Manager', at: shift.openedAt }] : [],
      createdAt: shift.openedAt
    });
  }
  return out;
}

function makeVoid(register: string, sale: SaleDoc): VoidDoc {
  return {
    _id: `void:${register}:${newUlid()}`,
    type: 'void',
    locationCode: LOC,
    registerId: sale.registerId,
    ...(sale.shiftId ? { shiftId: sale.shiftId } : {}),
    saleId: sale._id,
    reason: 'wrong item rung up',
    lines: sale.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
    tenders: sale.tenders.map((t) => ({ ...t, amount: -t.amount })),
    total: sale.total,
    cashierId: sale.cashierId,
    approvals: [{ action: 'void', staffId: 'user:mgr', staffName: 'Manager', at: sale.createdAt }],
    createdAt: sale.createdAt
  };
}

function makeCash(register: string, shift: ShiftDoc, kind: 'in' | 'out' | 'no_sale', amount: number): CashMovementDoc {
  return { _id: `cash:${register}:${newUlid()}`, type: 'cash_movement', locationCode: LOC, registerId: `device:${register}`, shiftId: shift._id, kind, amount, reason: kind === 'no_sale' ? 'No sale' : 'bench', staffId: 'user:ana', approvals: [], createdAt: shift.openedAt };
}

async function putAll(db: PouchDB.Database, docs: object[]) {
  for (let i = 0; i < docs.length; i += 1000) {
    const res = await db.bulkDocs(docs.slice(i, i + 1000) as PouchDB.Core.PutDocument<object>[]);
    const failed = res.find((r) => 'error' in r && r.error);
    if (failed) throw new Error(`setup write failed: ${JSON.stringify(failed)}`);
  }
}

/** The naive read: every document of the location, filtered in memory. */
async function naiveActivity(db: PouchDB.Database, shift: ShiftDoc): Promise<ShiftReportInput> {
  const res = await db.allDocs({ include_docs: true });
  const input: Required<ShiftReportInput> = { shift, sales: [], voids: [], cashMovements: [], layawayPayments: [], layaways: [], layawayCloses: [], voidedSales: [] };
  for (const row of res.rows) {
    const d = row.doc as unknown as { type?: string; shiftId?: string };
    if (d.shiftId !== shift._id) continue;
    if (d.type === 'sale') input.sales.push(d as SaleDoc);
    else if (d.type === 'void') input.voids.push(d as VoidDoc);
    else if (d.type === 'cash_movement') input.cashMovements.push(d as CashMovementDoc);
    else if (d.type === 'layaway') input.layaways.push(d as never);
    else if (d.type === 'layaway_payment') input.layawayPayments.push(d as never);
    else if (d.type === 'layaway_close') input.layawayCloses.push(d as never);
  }
  return input;
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

const bench: Benchmark = {
  name: 'z-report',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-bench-z-'));
    const db = new PouchDB(path.join(dir, 'loc'));
    try {
      const rand = rng(42);
      const day = 86_400_000;
      const start = Date.now() - 4 * day;
      // history first (ulids ascend with time): three closed shifts of this register, another register's day
      for (let k = 0; k < 3; k++) {
        const old = makeShift(REG, new Date(start + k * day));
        await putAll(db, [old, ...makeSales(REG, old, SALES, rand)]);
      }
      const other = makeShift('R2', new Date(start + 3 * day));
      await putAll(db, [other, ...makeSales('R2', other, 3 * SALES, rand)]);

      const shift = makeShift(REG, new Date());
      const sales = makeSales(REG, shift, SALES, rand);
      for (const s of sales) {
        const ok = saleSchema.safeParse(s);
        if (!ok.success) throw new Error(`generated sale is invalid: ${ok.error.message}`);
      }
      const voids = [50, 150, 250, 400, 550, 700, 850, 950].map((i) => makeVoid(REG, sales[i]!));
      const cash = [makeCash(REG, shift, 'in', 5000), makeCash(REG, shift, 'out', 1250), makeCash(REG, shift, 'no_sale', 0), makeCash(REG, shift, 'out', 800), makeCash(REG, shift, 'in', 2000), makeCash(REG, shift, 'no_sale', 0), makeCash(REG, shift, 'out', 300), makeCash(REG, shift, 'in', 1000)];
      await putAll(db, [shift, ...sales, ...voids, ...cash]);
      const docCount = (await db.info()).doc_count;
      console.error(`  location replica: ${docCount} documents; shift: ${sales.length} sales, ${voids.length} voids, ${cash.length} cash movements`);

      const ctx: ShiftContext = { db, registerKey: REG, registerId: `device:${REG}`, locationCode: LOC, shift, staff: { id: 'user:ana', name: 'Ana', role: 'cashier' } };
      const denominations = { '10000': 3, '5000': 4, '2000': 10, '1000': 12, '500': 9, '100': 30, '25': 40, '10': 25, '5': 20, '1': 37 };
      const removeClose = async () => {
        const c = await db.get(`shift_close:${shift._id.slice('shift:'.length)}`);
        await db.remove(c);
      };

      // sanity: both reads see the same shift
      const ours0 = await xReport(db, REG, shift);
      const naive0 = shiftReport(await naiveActivity(db, shift));
      if (JSON.stringify(ours0) !== JSON.stringify(naive0)) throw new Error('key-range and full-scan reports differ');
      if (ours0.figures.transactions !== SALES - voids.length) throw new Error(`expected ${SALES - voids.length} sales in the report, got ${ours0.figures.transactions}`);

      const closeOurs: number[] = [];
      const closeNaive: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        let t0 = performance.now();
        await closeShiftNow(ctx, { denominations, unsynced: 0 });
        closeOurs.push((performance.now() - t0) / 1000);
        await removeClose();

        t0 = performance.now();
        const r = shiftReport(await naiveActivity(db, shift));
        await closeShift(db, buildShiftClose(ctx, r, { denominations, unsynced: 0 }));
        closeNaive.push((performance.now() - t0) / 1000);
        await removeClose();
      }
      report({ name: 'z-report-close-1000', metric: 'seconds', value: median(closeOurs), baseline: 'alldocs-scan-filter', baseline_value: median(closeNaive) });

      const xOurs: number[] = [];
      const xNaive: number[] = [];
      for (let i = 0; i < X_RUNS; i++) {
        let t0 = performance.now();
        await xReport(db, REG, shift);
        xOurs.push(performance.now() - t0);
        t0 = performance.now();
        shiftReport(await naiveActivity(db, shift));
        xNaive.push(performance.now() - t0);
      }
      report({ name: 'x-report-1000', metric: 'p50_ms', value: median(xOurs), baseline: 'alldocs-scan-filter', baseline_value: median(xNaive) });
    } finally {
      await db.destroy().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
};
export default bench;
