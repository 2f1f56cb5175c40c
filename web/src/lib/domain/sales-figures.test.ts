import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceCart, returnLine, type CartLine, type Discount, type TaxConfig } from './cart.ts';
import { cashRound, divRound } from './money.ts';
import { receiptLayout, type ReceiptContext } from './receipt.ts';
import { buildReport, COLUMNS, REPORTS, reportCsv, type ReportTable, type Row } from './report-tables.ts';
import { dashboardOf, reversalFact, saleFact, totals, type CatalogLookup, type LayawayMoneyDoc, type SaleFact } from './sales-analytics.ts';
import { ADDITIVE_KEYS, figureProblems, lineFigures, receiptTotals, saleFigures, type SalesFigures } from './sales-figures.ts';
import {
  layawayCloseSchema,
  layawayPaymentSchema,
  layawaySchema,
  saleSchema,
  shiftCloseSchema,
  shiftSchema,
  TENDER_KINDS,
  voidSchema,
  type LayawayCloseDoc,
  type LayawayDoc,
  type LayawayPaymentDoc,
  type SaleDoc,
  type ShiftDoc,
  type VoidDoc
} from './schemas/index.ts';
import { shiftReport, shiftReportRows, type ShiftReport } from './shift-report.ts';
import { storeFormat } from './store-format.ts';
import { paymentState, voidRefundTenders, type Tender } from './tender.ts';

/**
 * One definition per figure, every surface: a generated store day — sales with line and order
 * discounts, returns and exchanges, voids, layaways (deposit, payments, pickup, cancellation with its
 * fee), split tenders, cash rounding — is read by the receipt's totals, the X/Z report (on screen and
 * on paper), the dashboard, every report (JSON and CSV) and the Z-reports report, and they must all
 * show the same figures, each report's rows adding up to its totals to the cent.
 */

const NY = 'America/New_York';
const DAY = '2026-11-24';
const REG = 'GM-1';
const US: TaxConfig = { ratePpm: 88_750, exemptCategories: ['food'], pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up' };
const INCL: TaxConfig = { ratePpm: 200_000, exemptCategories: ['food'], pricesIncludeTax: true, rounding: 'invoice', roundingMode: 'half_even' };

// The register's layaway rules (register/layaway.ts, kept out of this domain test's imports): a
// pickup sells the layaway's lines at the amounts agreed, paid first by one `layaway` tender for
// what was paid; a cancellation keeps a fee of what was paid.
const pickupCartLines = (layaway: LayawayDoc, newLineId: () => string): CartLine[] =>
  layaway.lines.map((l) => ({ lineId: newLineId(), productId: l.productId, variantId: l.variantId, sku: l.sku, name: l.name, taxCategory: l.taxCategory ?? '', qty: l.qty, unitPrice: l.unitPrice, listPrice: l.listPrice ?? l.unitPrice, fixed: { net: l.qty * l.unitPrice - l.discount, tax: l.tax } }));
const cancellationFee = (paid: number, bp: number) => Math.min(paid, divRound(paid * bp, 10_000, 'half_up'));

/** Deterministic PRNG (mulberry32), so a failing seed replays. */
function rng(seed: number) {
  let t = seed >>> 0;
  const next = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function makeIds() {
  let n = 1;
  const ulid = () => {
    let x = n++;
    let s = '';
    for (let i = 0; i < 26; i++) {
      s = CROCKFORD[x % 32] + s;
      x = Math.floor(x / 32);
    }
    return s;
  };
  return { id: (prefix: string) => `${prefix}:${REG}:${ulid()}`, ulid };
}

const PRODUCTS = [
  { id: 'product:jacket', name: 'Jacket', category: 'category:outer', categoryName: 'Outerwear', variants: ['L / Burgundy', 'L / Grey', 'M / Sand'], price: 8999, tax: 'standard' },
  { id: 'product:tee', name: 'Tee', category: 'category:tops', categoryName: 'Tops', variants: ['S / Black', 'M / White'], price: 1999, tax: 'standard' },
  { id: 'product:socks', name: 'Socks', category: 'category:tops', categoryName: 'Tops', variants: ['One size'], price: 499, tax: 'standard' },
  { id: 'product:snack', name: 'Snack bar', category: 'category:food', categoryName: 'Food', variants: ['Oat'], price: 250, tax: 'food' }
] as const;
const catalog: CatalogLookup = {
  categoryOf: (id) => {
    const p = PRODUCTS.find((x) => x.id === id);
    return p ? { id: p.category, name: p.categoryName } : undefined;
  },
  productName: (id) => PRODUCTS.find((x) => x.id === id)?.name,
  taxRateOf: (_loc, cat) => (cat === 'food' ? undefined : { id: 'tax_rate:std', name: 'Standard', ratePpm: 88_750 })
};
const CASHIERS = [
  ['user:ann', 'Ann'],
  ['user:bob', 'Bob']
] as const;

interface Day {
  tax: TaxConfig;
  inc: number;
  shift: ShiftDoc;
  sales: SaleDoc[];
  voids: VoidDoc[];
  layaways: LayawayDoc[];
  layawayPayments: LayawayPaymentDoc[];
  layawayCloses: LayawayCloseDoc[];
}

/** A store's day through one register: every document goes through the schema the gateway checks. */
function generateDay(seed: number, events: number, tax: TaxConfig, inc: number): Day {
  const r = rng(seed);
  const { id } = makeIds();
  const incl = tax.pricesIncludeTax;
  let minute = 0;
  // 09:00 local (14:00Z in November) to 19:00 at the latest: all one business day
  const at = () => new Date(Date.parse(`${DAY}T14:00:00.000Z`) + (minute = Math.min(minute + r.int(0, 1), 600)) * 60_000).toISOString();
  const shift = shiftSchema.parse({ _id: id('shift'), type: 'shift', locationCode: 'GM', registerId: `device:${REG}`, openedBy: 'user:ann', openingFloat: r.int(0, 30_000), openedAt: at() });
  const day: Day = { tax, inc, shift, sales: [], voids: [], layaways: [], layawayPayments: [], layawayCloses: [] };
  const returnable: { sale: SaleDoc; lineIdx: number; returned: number }[] = [];
  const voidable: SaleDoc[] = [];
  const open: { layaway: LayawayDoc; paid: number }[] = [];
  let lineSeq = 0;

  const item = (): CartLine => {
    const p = r.pick(PRODUCTS);
    const v = r.int(0, p.variants.length - 1);
    const price = r.next() < 0.2 ? r.int(1, 20_000) : p.price;
    const disc = r.next();
    const discount: Discount | undefined = disc < 0.15 ? { kind: 'percent', value: r.pick([500, 1000, 2500, 5000]) } : disc < 0.25 ? { kind: 'amount', value: r.int(1, 4500) } : undefined;
    return {
      lineId: `L${++lineSeq}`,
      productId: p.id,
      variantId: `${p.id.slice(8)}-${v}`,
      sku: `${p.id.slice(8).toUpperCase()}-${v}`,
      name: `${p.name} · ${p.variants[v]}`,
      taxCategory: p.tax,
      qty: r.int(1, 3),
      unitPrice: price,
      listPrice: p.price,
      ...(discount ? { discount } : {})
    };
  };

  /** Tenders settling `total` (cash rounded, change, a split with a card, a refund), as the payment dialog would take them. */
  const pay = (total: number, before: Tender[] = []): { tenders: Tender[]; rounding: number; change: number } => {
    const remaining = total - before.reduce((a, t) => a + t.amount, 0);
    const style = r.int(0, 9);
    let tenders: Tender[];
    if (remaining === 0) tenders = before;
    else if (remaining < 0) tenders = [...before, style < 6 ? { kind: 'cash', amount: cashRound(remaining, inc) || remaining } : { kind: 'card_external', amount: remaining }];
    else if (style < 3) tenders = [...before, { kind: 'cash', amount: cashRound(remaining, inc) || remaining }];
    else if (style < 5) tenders = [...before, { kind: 'cash', amount: Math.ceil(remaining / 2000) * 2000 }]; // a note, change back
    else if (style < 8 || remaining < 2) tenders = [...before, { kind: r.pick(['card_external', 'card_stripe'] as const), amount: remaining, reference: 'VISA 4242' }];
    else {
      const card = r.int(1, remaining - 1); // split: part on the card, the rest in cash
      const rest = remaining - card;
      tenders = [...before, { kind: 'card_external', amount: card, reference: 'VISA 4242' }, { kind: 'cash', amount: cashRound(rest, inc) || rest }];
    }
    const st = paymentState(total, tenders, inc);
    if (!st.complete) throw new Error(`generated tenders do not settle ${total}: ${JSON.stringify({ tenders, st })}`);
    return { tenders, rounding: st.rounding, change: st.change };
  };

  const recordSale = (lines: CartLine[], order: Discount | undefined, payment: (total: number) => { tenders: Tender[]; rounding: number; change: number }, extra: Partial<SaleDoc> = {}): SaleDoc => {
    const [cashierId, cashierName] = r.pick(CASHIERS);
    const t = priceCart(lines, order, tax);
    const p = payment(t.total);
    const hasReturn = t.lines.some((l) => l.qty < 0);
    const hasSale = t.lines.some((l) => l.qty > 0);
    const approvals = t.lines.some((l) => l.listPrice !== undefined) ? [{ action: 'price_override' as const, staffId: 'user:maria', staffName: 'Maria Manager', at: at() }] : [];
    const sale = saleSchema.parse({
      _id: id('sale'),
      type: 'sale',
      kind: hasReturn ? (hasSale ? 'exchange' : 'return') : 'sale',
      locationCode: 'GM',
      registerId: `device:${REG}`,
      shiftId: shift._id,
      cashierId,
      cashierName,
      currency: 'USD',
      lines: t.lines,
      ...(order ? { orderDiscount: order } : {}),
      subtotal: t.subtotal,
      discountTotal: t.discountTotal,
      taxTotal: t.taxTotal,
      pricesIncludeTax: incl,
      total: t.total,
      rounding: p.rounding,
      tenders: p.tenders,
      change: p.change,
      approvals,
      createdAt: at(),
      ...extra
    });
    day.sales.push(sale);
    return sale;
  };

  for (let n = 0; n < events; n++) {
    const roll = r.next();
    if (roll < 0.45 || day.sales.length === 0) {
      // a sale: 1–4 lines, sometimes an order discount
      const lines = Array.from({ length: r.int(1, 4) }, item);
      const order: Discount | undefined = r.next() < 0.2 ? (r.next() < 0.5 ? { kind: 'percent', value: r.pick([1000, 1500]) } : { kind: 'amount', value: r.int(100, 3000) }) : undefined;
      if (priceCart(lines, order, tax).total === 0) continue;
      const sale = recordSale(lines, order, (total) => pay(total));
      sale.lines.forEach((_, i) => returnable.push({ sale, lineIdx: i, returned: 0 }));
      if (!sale.tenders.some((t) => t.kind === 'store_credit' || t.kind === 'gift_card')) voidable.push(sale);
    } else if (roll < 0.6) {
      // a return (sometimes an exchange for something new)
      const candidates = returnable.filter((x) => x.returned < x.sale.lines[x.lineIdx]!.qty && !day.voids.some((v) => v.saleId === x.sale._id));
      if (!candidates.length) continue;
      const src = r.pick(candidates);
      const line = src.sale.lines[src.lineIdx]!;
      const k = r.int(1, line.qty - src.returned);
      const lines = [returnLine(src.sale._id, line, src.returned, k, incl, `R${++lineSeq}`)];
      if (r.next() < 0.4) lines.push(item());
      if (priceCart(lines, undefined, tax).total === 0) continue;
      src.returned += k;
      // a sale something came back from cannot be voided any more (register/returns.ts voidBlocker)
      voidable.splice(voidable.indexOf(src.sale), voidable.indexOf(src.sale) >= 0 ? 1 : 0);
      recordSale(lines, undefined, (total) => pay(total));
    } else if (roll < 0.7) {
      // a void of a sale of the day nothing came back from
      if (!voidable.length) continue;
      const sale = voidable.splice(r.int(0, voidable.length - 1), 1)[0]!;
      for (const x of returnable) if (x.sale === sale) x.returned = Number.POSITIVE_INFINITY;
      day.voids.push(
        voidSchema.parse({
          _id: `void:${sale._id.slice('sale:'.length)}`,
          type: 'void',
          locationCode: 'GM',
          registerId: `device:${REG}`,
          shiftId: shift._id,
          saleId: sale._id,
          reason: 'Rang up the wrong size',
          lines: sale.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
          tenders: voidRefundTenders(sale),
          total: -sale.total,
          cashierId: sale.cashierId,
          approvals: [{ action: 'void', staffId: 'user:maria', staffName: 'Maria Manager', at: at() }],
          createdAt: at()
        })
      );
    } else if (roll < 0.8) {
      // a layaway opened with a deposit
      const priced = priceCart(Array.from({ length: r.int(1, 2) }, item), undefined, tax);
      if (priced.total <= 0) continue;
      const deposit = r.int(Math.ceil(priced.total / 5), priced.total);
      const cash = r.next() < 0.5;
      const handed = cash ? Math.ceil(deposit / 500) * 500 : deposit;
      const layaway = layawaySchema.parse({
        _id: id('layaway'),
        type: 'layaway',
        locationCode: 'GM',
        registerId: `device:${REG}`,
        shiftId: shift._id,
        cashierId: 'user:ann',
        customerId: 'customer:c1',
        currency: 'USD',
        lines: priced.lines,
        total: priced.total,
        tenders: [cash ? { kind: 'cash', amount: handed } : { kind: 'card_external', amount: deposit }],
        change: handed - deposit,
        cancellationFeeBp: 1000,
        pricesIncludeTax: incl,
        createdAt: at()
      });
      day.layaways.push(layaway);
      open.push({ layaway, paid: deposit });
    } else if (roll < 0.87) {
      // a layaway payment
      const lay = open.find((l) => l.paid < l.layaway.total);
      if (!lay) continue;
      const amount = r.int(1, lay.layaway.total - lay.paid);
      day.layawayPayments.push(
        layawayPaymentSchema.parse({
          _id: id('layaway_payment'),
          type: 'layaway_payment',
          locationCode: 'GM',
          registerId: `device:${REG}`,
          shiftId: shift._id,
          cashierId: 'user:bob',
          layawayId: lay.layaway._id,
          tenders: [{ kind: r.pick(['cash', 'card_external'] as const), amount }],
          createdAt: at()
        })
      );
      lay.paid += amount;
    } else {
      // a layaway picked up (the balance paid) or cancelled (what was paid back, less the 10 % fee)
      if (!open.length) continue;
      const lay = open.splice(r.int(0, open.length - 1), 1)[0]!;
      if (r.next() < 0.6) {
        const lines = pickupCartLines(lay.layaway, () => `P${++lineSeq}`);
        const sale = recordSale(
          lines,
          undefined,
          (total) => {
            if (total !== lay.layaway.total) throw new Error('a pickup sells the layaway at its agreed total');
            // what was paid comes off as one `layaway` tender, the balance is paid now
            return pay(total, [{ kind: 'layaway', amount: lay.paid, reference: lay.layaway._id }]);
          },
          { layawayId: lay.layaway._id, customerId: 'customer:c1' }
        );
        day.layawayCloses.push(
          layawayCloseSchema.parse({
            _id: `layaway_close:${lay.layaway._id.slice('layaway:'.length)}`,
            type: 'layaway_close',
            locationCode: 'GM',
            registerId: `device:${REG}`,
            shiftId: shift._id,
            cashierId: 'user:ann',
            layawayId: lay.layaway._id,
            outcome: 'picked_up',
            lines: lay.layaway.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
            saleId: sale._id,
            createdAt: at()
          })
        );
        sale.lines.forEach((_, i) => returnable.push({ sale, lineIdx: i, returned: 0 }));
      } else {
        const fee = cancellationFee(lay.paid, 1000);
        day.layawayCloses.push(
          layawayCloseSchema.parse({
            _id: `layaway_close:${lay.layaway._id.slice('layaway:'.length)}`,
            type: 'layaway_close',
            locationCode: 'GM',
            registerId: `device:${REG}`,
            shiftId: shift._id,
            cashierId: 'user:ann',
            layawayId: lay.layaway._id,
            outcome: 'cancelled',
            lines: lay.layaway.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
            tenders: lay.paid - fee > 0 ? [{ kind: 'cash', amount: -(lay.paid - fee) }] : [],
            feeKept: fee,
            createdAt: at()
          })
        );
      }
    }
  }
  return day;
}

// --- reading every surface --------------------------------------------------------------------------

const usd = storeFormat({ locale: 'en-US', timeZone: NY, currency: 'USD' }, { plain: true });
/** "$1,234.56" / "-$0.05" → minor units */
const minorOf = (text: string) => {
  const m = /^(-)?\$([\d,]+)\.(\d\d)$/.exec(text.trim());
  if (!m) throw new Error(`not an amount: ${text}`);
  return (m[1] ? -1 : 1) * (Number(m[2]!.replace(/,/g, '')) * 100 + Number(m[3]));
};

/** CSV (RFC 4180, as report-tables writes it) → cells. */
function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && csv[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

const pickFigures = (f: Pick<SalesFigures, (typeof ADDITIVE_KEYS)[number]>) => Object.fromEntries(ADDITIVE_KEYS.map((k) => [k, f[k]]));
const LINE_KEYS = ['units', 'gross', 'discounts', 'returns', 'net', 'tax', 'total'] as const;

function readDay(day: Day) {
  const input = {
    shift: day.shift,
    sales: day.sales,
    voids: day.voids,
    cashMovements: [],
    layaways: day.layaways,
    layawayPayments: day.layawayPayments,
    layawayCloses: day.layawayCloses
  };
  const z: ShiftReport = shiftReport(input);
  const voidBySale = new Map(day.voids.map((v) => [v.saleId, v]));
  const byId = new Map(day.sales.map((s) => [s._id, s]));
  const facts: SaleFact[] = [...day.sales.map((s) => saleFact(s, NY, catalog, voidBySale.get(s._id))), ...day.voids.map((v) => reversalFact(v, byId.get(v.saleId), NY, catalog))];
  const close = shiftCloseSchema.parse({
    _id: `shift_close:${day.shift._id.slice('shift:'.length)}`,
    type: 'shift_close',
    locationCode: 'GM',
    registerId: day.shift.registerId,
    shiftId: day.shift._id,
    closedBy: 'user:ann',
    closedByName: 'Ann',
    denominations: {},
    countedCash: 0,
    expectedCash: z.expectedCash,
    overShort: -z.expectedCash,
    report: JSON.parse(JSON.stringify(z)),
    closedAt: `${DAY}T23:30:00.000Z`
  });
  const layawayMoney: LayawayMoneyDoc[] = [...day.layaways, ...day.layawayPayments, ...day.layawayCloses];
  const reports = Object.fromEntries(
    REPORTS.map((report) => [
      report,
      buildReport({ report, facts, closes: [close], layaways: layawayMoney, catalog, timeZoneOf: () => NY, formatOf: () => usd, registerName: () => 'Front till', days: [DAY] })
    ])
  ) as Record<(typeof REPORTS)[number], ReportTable>;
  const dashboard = dashboardOf(facts, [{ code: 'GM', name: 'Grand Mall', currency: 'USD', timeZone: NY }], new Date(`${DAY}T23:59:00.000Z`));
  return { z, facts, reports, dashboard };
}

function expectSameEverywhere(day: Day) {
  const { z, facts, reports, dashboard } = readDay(day);
  const f = z.figures;
  const expected = pickFigures(f);

  // the register's X/Z: its own identities, and the figures of the sales not voided
  expect(figureProblems(f)).toEqual([]);
  const voided = new Set(day.voids.map((v) => v.saleId));
  const kept = day.sales.filter((s) => !voided.has(s._id));
  let sum = { gross: 0, discounts: 0, returns: 0, net: 0, tax: 0, rounding: 0, collected: 0 };
  for (const s of kept) {
    const sf = saleFigures(s);
    expect(figureProblems(sf)).toEqual([]);
    sum = { gross: sum.gross + sf.gross, discounts: sum.discounts + sf.discounts, returns: sum.returns + sf.returns, net: sum.net + sf.net, tax: sum.tax + sf.tax, rounding: sum.rounding + sf.rounding, collected: sum.collected + sf.collected };
  }
  expect(f).toMatchObject({ ...sum, transactions: kept.length });
  // net sales never carry tax
  expect(f.net).toBe(kept.reduce((a, s) => a + s.total - s.taxTotal, 0));
  // Σ tenders = total collected + layaway money
  expect(TENDER_KINDS.reduce((a, k) => a + z.tenders[k], 0)).toBe(f.collected + z.layawayNet);

  // the Z report as printed and shown: each block adds up and carries the same figures
  const rows = shiftReportRows(z, usd.money, usd.number);
  const v = (label: string) => minorOf(rows.find((x) => x.label === label || x.label.startsWith(`${label} (`))!.value);
  const neg = (n: number) => -n || 0;
  expect([v('Gross sales'), neg(v('Discounts')), neg(v('Returns')), v('Net sales'), v('Tax'), v('Total collected')]).toEqual([f.gross, f.discounts, f.returns, f.net, f.tax, f.collected]);
  expect(v('Gross sales') + v('Discounts') + v('Returns')).toBe(v('Net sales'));
  expect(v('Net sales') + v('Tax') + (f.rounding ? v('Cash rounding') : 0)).toBe(v('Total collected'));
  const tenderRows = rows.slice(rows.findIndex((x) => x.label === 'Tenders') + 1, rows.findIndex((x) => x.label === 'Total tendered'));
  expect(tenderRows.reduce((a, x) => a + minorOf(x.value), 0)).toBe(v('Total tendered'));
  expect(v('Total tendered')).toBe(f.collected + z.layawayNet);

  // receipts: each receipt's totals add up; over the day's sales (voided ones out) they are the day's figures
  const ctx: ReceiptContext = { storeName: 'Nexus', timeZone: NY, locale: 'en-US' };
  const receiptSum: Record<string, number> = {};
  for (const s of kept) {
    const blocks = receiptLayout(s, ctx).blocks.filter((b) => b.kind === 'total' && b.label !== 'Change') as { label: string; amount: string }[];
    const amounts = Object.fromEntries(blocks.map((b) => [b.label.replace('TOTAL REFUND', 'TOTAL').replace('Amount refunded', 'Amount paid'), minorOf(b.amount)]));
    expect(Object.keys(amounts).length).toBe(receiptTotals(s).length);
    const a = (k: string) => amounts[k] ?? 0;
    if (!s.pricesIncludeTax) expect(a('Subtotal') + a('Discounts') + a('Returns') + a('Tax')).toBe(a('TOTAL'));
    else expect(a('Subtotal') + a('Discounts') + a('Returns')).toBe(a('TOTAL'));
    if (s.rounding) expect(a('TOTAL') + a('Rounding')).toBe(a('Amount paid'));
    amounts['Amount paid'] = s.rounding ? a('Amount paid') : a('TOTAL');
    for (const [k, n] of Object.entries(amounts)) receiptSum[k] = (receiptSum[k] ?? 0) + n;
  }
  const r = (k: string) => receiptSum[k] ?? 0;
  expect([r('TOTAL'), r('Rounding'), r('Amount paid')]).toEqual([f.total, f.rounding, f.collected]);
  if (!day.tax.pricesIncludeTax) expect([r('Subtotal'), neg(r('Discounts')), neg(r('Returns')), r('Tax')]).toEqual([f.gross, f.discounts, f.returns, f.tax]);
  else expect(r('Incl. tax')).toBe(f.tax);

  // the dashboard: today and this week are the day
  expect(pickFigures(dashboard.total.today)).toEqual(expected);
  expect(pickFigures(dashboard.locations[0]!.figures.week)).toEqual(expected);
  expect(dashboard.total.today.averageBasket).toBe(f.averageBasket);
  expect(dashboard.hourly.reduce((a, h) => a + h.net, 0)).toBe(f.net);
  expect(pickFigures(totals(facts))).toEqual(expected);

  // every report: rows add up to the totals row, each row keeps the identities, CSV = JSON
  for (const report of REPORTS) {
    const t = reports[report];
    for (const c of t.columns.filter((c) => c.sum)) {
      expect(t.totals[c.key], `${report} ${c.key}`).toBe(t.rows.reduce((a, row) => a + Number(row[c.key] ?? 0), 0));
    }
    if (t.columns.some((c) => c.key === 'gross')) {
      for (const row of [...t.rows, t.totals]) {
        const n = (k: string) => Number(row[k] ?? 0);
        expect(n('net'), `${report} net`).toBe(n('gross') - n('discounts') - n('returns'));
        if (t.columns.some((c) => c.key === 'collected')) expect(n('collected')).toBe(n('net') + n('tax') + n('rounding'));
        else expect(n('total')).toBe(n('net') + n('tax'));
      }
    }
    const csv = parseCsv(reportCsv(t, 'USD', () => NY));
    expect(csv[0]).toEqual(t.columns.map((c) => c.label));
    const body = t.rows.length ? [...t.rows, t.totals] : [];
    expect(csv.slice(1)).toHaveLength(body.length);
    body.forEach((row: Row, i) => {
      t.columns.forEach((c, j) => {
        const cell = csv[i + 1]![j]!;
        const value = row[c.key];
        if (c.kind === 'money' && typeof value === 'number') expect(Math.round(Number(cell) * 100), `${report} ${c.key} CSV`).toBe(value);
        else if (c.kind === 'int' && typeof value === 'number') expect(Number(cell)).toBe(value);
      });
    });
  }
  for (const report of ['sales-by-day', 'sales-by-hour', 'sales-by-location', 'sales-by-employee'] as const) {
    // sale-level reports show net + tax + rounding = total collected (no separate net + tax column)
    const { total: _t, ...rest } = expected;
    expect(Object.fromEntries(Object.keys(rest).map((k) => [k, reports[report].totals[k]])), report).toEqual(rest);
  }
  for (const report of ['sales-by-category', 'sales-by-product', 'sales-by-variant'] as const) {
    for (const k of LINE_KEYS) expect(reports[report].totals[k], `${report} ${k}`).toBe(k === 'total' ? f.total : f[k]);
  }
  expect(reports['sales-by-day'].rows.find((x) => x.key === DAY) ?? { net: 0 }).toMatchObject({ net: f.net, gross: f.gross, collected: f.collected });
  expect(reports.tax.totals).toMatchObject({ taxable: f.net, tax: f.tax });
  expect(reports.tenders.totals).toMatchObject({ sales: f.collected, layaways: z.layawayNet, net: f.collected + z.layawayNet });
  for (const row of reports.tenders.rows) {
    const kind = TENDER_KINDS.find((k) => COLUMNS.tenders && row.kind === ({ cash: 'Cash', card_external: 'Card (external terminal)', card_stripe: 'Card (Stripe)', store_credit: 'Store credit', gift_card: 'Gift card', layaway: 'Layaway deposits used' } as const)[k])!;
    expect(row.net, String(row.kind)).toBe(z.tenders[kind]);
  }
  expect(reports.discounts.totals.discount).toBe(f.discounts);
  const rv = reports['refunds-voids'];
  expect(rv.rows.filter((x) => x.kind === 'return').reduce((a, x) => a + Number(x.net), 0)).toBe(kept.reduce((a, s) => a + saleFigures(s).returns, 0));
  expect(rv.rows.filter((x) => x.kind === 'void').reduce((a, x) => a + Number(x.amount), 0)).toBe(z.voidRefunds);
  // the Z-reports report shows the Z's figures, the shift by its register and opening time
  const zRow = reports['z-reports'].rows[0]!;
  const { total: _zt, ...zExpected } = expected;
  expect(Object.fromEntries(Object.keys(zExpected).map((k) => [k, zRow[k]]))).toEqual(zExpected);
  expect(zRow.shift).toBe(`Front till · ${usd.shortDateTime(day.shift.openedAt)}`);
  // product rows carry the product's name, never one variant's
  for (const row of reports['sales-by-product'].rows) expect(PRODUCTS.map((p) => p.name)).toContain(row.label);
}

describe('one definition per figure, on every surface', () => {
  it('a line: gross before discounts, net without tax, either way prices read', () => {
    expect(lineFigures({ qty: 3, unitPrice: 8999, discount: 4500, tax: 1997 }, false)).toEqual({ qty: 3, gross: 26_997, discounts: 4500, returns: 0, net: 22_497, tax: 1997 });
    expect(lineFigures({ qty: 1, unitPrice: 11_000, discount: 1100, tax: 900 }, true)).toEqual({ qty: 1, gross: 10_000, discounts: 1000, returns: 0, net: 9000, tax: 900 });
    expect(lineFigures({ qty: -1, unitPrice: 1999, discount: -200, tax: -160 }, false)).toEqual({ qty: -1, gross: 0, discounts: 0, returns: 1799, net: -1799, tax: -160 });
    expect(lineFigures({ qty: 1, unitPrice: 500, discount: 500, tax: 0 }, true)).toMatchObject({ gross: 500, discounts: 500, net: 0 });
  });

  it('the issue’s jacket: $269.97 gross, $45.00 discount, $224.97 net; the Z report’s lines add up', () => {
    const day = generateDay(1, 0, US, 1);
    const priced = priceCart(
      ['Burgundy', 'Grey', 'Sand'].map((c, i) => ({ lineId: `J${i}`, productId: 'product:jacket', variantId: `jacket-${i}`, sku: `J-${i}`, name: `Jacket · L / ${c}`, taxCategory: 'standard', qty: 1, unitPrice: 8999, listPrice: 8999, ...(i === 0 ? { discount: { kind: 'amount' as const, value: 4500 } } : {}) })),
      undefined,
      US
    );
    const sale = saleSchema.parse({
      _id: `sale:${REG}:01ARZ3NDEKTSV4RRFFQ69G5FAV`, type: 'sale', kind: 'sale', locationCode: 'GM', registerId: `device:${REG}`, shiftId: day.shift._id, cashierId: 'user:ann', currency: 'USD',
      lines: priced.lines, subtotal: priced.subtotal, discountTotal: priced.discountTotal, taxTotal: priced.taxTotal, pricesIncludeTax: false, total: priced.total, rounding: 0,
      tenders: [{ kind: 'card_external', amount: priced.total }], change: 0, approvals: [], createdAt: `${DAY}T15:00:00.000Z`
    });
    day.sales.push(sale);
    const { z, reports } = readDay(day);
    expect(z.figures).toMatchObject({ gross: 26_997, discounts: 4500, returns: 0, net: 22_497, tax: 1997, collected: 24_494 });
    expect(reports['sales-by-product'].rows).toEqual([expect.objectContaining({ label: 'Jacket', units: 3, gross: 26_997, discounts: 4500, net: 22_497 })]);
    expect(reports['sales-by-variant'].rows.map((x) => x.label)).toEqual(['Jacket · L / Grey', 'Jacket · L / Sand', 'Jacket · L / Burgundy']);
    expectSameEverywhere(day);
  });

  it('a busy day agrees everywhere (tax on top, pennies; tax inside, cash to 0.05)', () => {
    for (const [tax, inc, seed] of [
      [US, 1, 7],
      [INCL, 5, 11]
    ] as const) {
      const day = generateDay(seed, 300, tax, inc);
      expect(day.voids.length).toBeGreaterThan(3);
      expect(day.sales.some((s) => s.kind === 'return')).toBe(true);
      expect(day.sales.some((s) => s.kind === 'exchange')).toBe(true);
      expect(day.sales.some((s) => s.layawayId)).toBe(true);
      expect(day.layawayCloses.some((c) => c.outcome === 'cancelled' && c.feeKept > 0)).toBe(true);
      expect(day.sales.some((s) => s.tenders.length > 1)).toBe(true);
      expect(day.sales.some((s) => s.orderDiscount)).toBe(true);
      if (inc > 1) expect(day.sales.some((s) => s.rounding !== 0)).toBe(true);
      expectSameEverywhere(day);
    }
  });

  it('any generated day agrees everywhere, to the cent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 1, max: 60 }), fc.constantFrom(US, INCL), fc.constantFrom(1, 5, 10), (seed, events, tax, inc) => {
        expectSameEverywhere(generateDay(seed, events, tax, inc));
      }),
      { numRuns: 80 }
    );
  });
});
