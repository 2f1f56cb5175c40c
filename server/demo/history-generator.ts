/**
 * Months of trade for the demo tenant, as the documents registers and the back office write: shifts
 * opened and closed with a counted drawer and the Z report, sales priced by `priceCart` (the register's
 * own pricing), tenders settled as `paymentState` settles them, returns and exchanges through
 * `returnLine`, voids with a manager's approval, staff clock punches, and weekly purchase orders
 * received through the purchase-order use case's pure steps. Pure and deterministic: the same input
 * gives the same documents (ids included), dated relative to `now` in each store's time zone.
 * Every document is parsed by the schema the gateway checks it with before it is returned.
 */
import type { z } from 'zod';
import { priceCart, returnLine, type CartLine, type CartTax, type Discount, type PricedLine } from '#domain/cart.ts';
import { DENOMINATIONS } from '#domain/money.ts';
import { applyReceipt, makePurchaseOrder, markSent, planReceipt, type VariantFacts } from '#domain/purchase-orders.ts';
import { formatReceiptNo } from '#domain/receipt-number.ts';
import {
  DOC_SCHEMAS,
  supplierSchema,
  type DocType,
  type SaleDoc,
  type ShiftCloseDoc,
  type ShiftDoc,
  type TimeEntryDoc,
  type VoidDoc,
  type customerSchema,
  type productSchema,
  type stockMovementSchema
} from '#domain/schemas/index.ts';
import { shiftReport } from '#domain/shift-report.ts';
import { paymentState, quickCashAmounts, voidRefundTenders, type Tender } from '#domain/tender.ts';
import type { PurchaseOrder, Supplier } from '#domain/purchase-orders.ts';
import { prng } from '#domain/prng.ts';

type ProductDoc = z.infer<typeof productSchema>;
type CustomerDoc = z.infer<typeof customerSchema>;
type StockMovementDoc = z.infer<typeof stockMovementSchema>;

export interface HistoryStaff {
  /** `user:{id}` */
  id: string;
  name: string;
  /** a cashier needs a manager's approval for a discount over the limit; managers and above do not */
  approvesOwnDiscounts: boolean;
}

export interface HistoryRegister {
  /** the device id in document ids: `sale:{key}:{ulid}`, `registerId: device:{key}` */
  key: string;
  /** starts its receipt numbers: GM1-20261201-0042 */
  shortCode: string;
  /** who works this register */
  staff: HistoryStaff;
}

export interface HistoryLocation {
  code: string;
  timeZone: string;
  currency: string;
  /** the location's tax exactly as its registers price with it (register/reference-data.ts taxConfigOf) */
  tax: CartTax;
  registers: HistoryRegister[];
  /** approves voids and over-limit discounts at this store */
  manager: HistoryStaff;
}

export interface HistoryInput {
  seed: number;
  /** "today": history covers the `days` store-local days before today's date, and today until shortly before `now` */
  now: string;
  days: number;
  /** sales volume multiplier (1 = a mall store's normal trade; the benchmarks pass more) */
  scale?: number;
  locations: HistoryLocation[];
  products: ProductDoc[];
  customers: CustomerDoc[];
  /** the opening stock already written, per location code (history keeps stock on hand from it) */
  openingStock: Record<string, StockMovementDoc[]>;
  /** who books the purchase orders (`user:{id}`) */
  buyer: string;
}

export type HistoryDoc = { _id: string; type: string };

export interface History {
  /** documents of each location database, in the order they happened */
  locations: Record<string, HistoryDoc[]>;
  /** documents of the catalog database (the supplier the orders name) */
  catalog: Supplier[];
  /** stock on hand per location and variant after the history (opening stock + every movement) */
  onHand: Record<string, Map<string, number>>;
}

// --- deterministic randomness and ids ----------------------------------------------------------------


const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ulid of time `ms` with seeded randomness: sorts by time as the registers' ids do. */
function ulidAt(ms: number, rand: () => number): string {
  let time = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[Math.floor(rand() * 32)]!;
  return time + tail;
}

function weighted<T>(rand: () => number, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rand() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i]!;
    if (r < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

// --- store-local time --------------------------------------------------------------------------------

interface Day {
  y: number;
  m: number;
  d: number;
  /** 0 = Sunday */
  dow: number;
  /** YYYYMMDD */
  ymd: string;
  /** UTC ms of the store's local midnight (the zone's offset at noon: DST changes happen at night) */
  midnight: number;
}

const offsetCache = new Map<string, Intl.DateTimeFormat>();
function zoneOffsetMs(ms: number, timeZone: string): number {
  let f = offsetCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    offsetCache.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - (ms - (ms % 1000));
}

function localDay(y: number, m: number, d: number, timeZone: string): Day {
  const noonUtc = Date.UTC(y, m - 1, d, 12);
  const offset = zoneOffsetMs(noonUtc, timeZone);
  const date = new Date(Date.UTC(y, m - 1, d));
  const ymd = `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
  return { y, m, d, dow: date.getUTCDay(), ymd, midnight: Date.UTC(y, m - 1, d) - offset };
}

/** The `days` store-local days before the local date of `now`, then that date itself; oldest first. */
function pastDays(now: string, days: number, timeZone: string): Day[] {
  const nowMs = Date.parse(now);
  const local = new Date(nowMs + zoneOffsetMs(nowMs, timeZone));
  const out: Day[] = [];
  for (let k = days; k >= 0; k--) {
    const dt = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - k));
    out.push(localDay(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate(), timeZone));
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

// --- the shape of trade ------------------------------------------------------------------------------

/** Mall hours 10:00–21:00; the shift runs 09:45–21:10. */
const HOURS = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
/** busier over lunch and late afternoon */
const HOUR_WEIGHTS = [4, 6, 9, 8, 7, 8, 11, 13, 12, 9, 5];
/** Sunday first: weekends busiest */
const DOW_WEIGHTS = [1.3, 0.75, 0.7, 0.8, 0.95, 1.25, 1.6];
/** sales per register on an average day at scale 1 */
const BASE_SALES = 13;
const BASKET_SIZES = [1, 2, 3, 4, 5, 6];
const BASKET_WEIGHTS = [34, 28, 18, 11, 6, 3];
/** sizes people buy most */
const SIZE_WEIGHT: Record<string, number> = { XS: 0.5, S: 1.3, M: 2, L: 1.8, XL: 1, XXL: 0.4, '28': 0.6, '30': 1.2, '32': 1.8, '34': 1.6, '36': 0.9, '38': 0.4, '6': 0.4, '7': 0.9, '8': 1.4, '9': 1.6, '10': 1.4, '11': 0.9, '12': 0.4 };
const FLOAT = 20_000;
export const PROMOTION = { name: 'Mid-season sale', discountBp: 2000 } as const;
/** the promotion runs for 7 days starting this many days before today (when the history reaches back that far) */
const PROMOTION_STARTS_DAYS_AGO = 24;
const VOID_REASONS = ['Wrong item scanned', 'Customer changed their mind at the till', 'Rang up twice'];
const RETURN_REASONS = ['wrong_size', 'changed_mind', 'defective', 'not_as_described'] as const;

interface Picked {
  product: ProductDoc;
  variant: ProductDoc['variants'][number];
}

interface Sold {
  sale: SaleDoc;
  /** units of each line already returned */
  returned: Map<string, number>;
  day: number;
}

/** Builds the history. Throws only on a bug (a document its own schema refuses). */
export function generateHistory(input: HistoryInput): History {
  const out: History = { locations: {}, catalog: [], onHand: {} };
  for (const part of historyInParts(input)) {
    if (part.kind === 'catalog') out.catalog = part.docs;
    else {
      out.locations[part.code] = part.docs;
      out.onHand[part.code] = part.onHand;
    }
  }
  return out;
}

/** One part of the history: the catalog's documents, then each location's in turn. */
export type HistoryPart = { kind: 'catalog'; docs: Supplier[] } | { kind: 'location'; code: string; docs: HistoryDoc[]; onHand: Map<string, number> };

/**
 * The same history as `generateHistory`, handed out a part at a time (the catalog's documents, then
 * one location after another, from one random sequence): the seed writes a location while the next
 * is being generated.
 */
export function* historyInParts(input: HistoryInput): Generator<HistoryPart, void, undefined> {
  const rand = prng(input.seed);
  const scale = input.scale ?? 1;
  const parse = <T extends HistoryDoc>(doc: T): T => DOC_SCHEMAS[doc.type as DocType].parse(doc) as unknown as T;

  // Popularity: a Zipf curve over the products in a seeded order; within a product, sizes by SIZE_WEIGHT.
  const products = input.products.filter((p) => p.status === 'active' && p.variants.some((v) => v.active));
  const order = products.map((p) => ({ p, k: rand() })).sort((a, b) => a.k - b.k).map((x) => x.p);
  const productWeights = order.map((_, rank) => 1 / Math.pow(rank + 3, 0.9));
  const customerWeights = input.customers.map((_, i) => 1 / (i + 2));
  const pickCustomer = (): CustomerDoc | undefined => (input.customers.length ? weighted(rand, input.customers, customerWeights) : undefined);
  const variantOf = (product: ProductDoc, exclude?: string): ProductDoc['variants'][number] | undefined => {
    const vs = product.variants.filter((v) => v.active && v.id !== exclude);
    if (!vs.length) return undefined;
    return weighted(rand, vs, vs.map((v) => SIZE_WEIGHT[v.options.Size ?? ''] ?? 1));
  };
  const facts = new Map<string, VariantFacts & { product: ProductDoc; cost: number }>();
  for (const p of input.products) for (const v of p.variants) facts.set(v.id, { sku: v.sku, name: `${p.name} ${Object.values(v.options).join(' / ')}`, product: p, cost: v.cost ?? Math.round(v.price * 0.45) });

  const startMs = Date.parse(input.now) - 400 * 86_400_000;
  const supplier: Supplier = supplierSchema.parse({
    _id: `supplier:${ulidAt(startMs, rand)}`,
    type: 'supplier',
    name: 'Harbor Apparel Supply Co.',
    email: 'orders@harbor-apparel.example',
    leadTimeDays: 2,
    active: true,
    createdAt: iso(startMs),
    updatedAt: iso(startMs),
    updatedBy: input.buyer
  });

  yield { kind: 'catalog', docs: [supplier] };
  for (const loc of input.locations) {
    const docs: HistoryDoc[] = [];
    const stock = new Map<string, number>();
    for (const m of input.openingStock[loc.code] ?? []) for (const l of m.lines) stock.set(l.variantId, (stock.get(l.variantId) ?? 0) + l.qty);
    const move = (variantId: string, qty: number) => stock.set(variantId, (stock.get(variantId) ?? 0) + qty);
    const lastSold = new Map<string, number>();
    const days = pastDays(input.now, input.days, loc.timeZone);
    // nothing at or after `now`: today's trade stops a couple of minutes before it
    const cutoff = Date.parse(input.now) - 2 * MIN;
    const promoFirst = input.days - PROMOTION_STARTS_DAYS_AGO;
    const recent: Sold[] = [];
    const pendingPos: { po: PurchaseOrder; arrives: number }[] = [];

    const pickItem = (): Picked | undefined => {
      for (let attempt = 0; attempt < 6; attempt++) {
        const product = weighted(rand, order, productWeights);
        const variant = variantOf(product);
        if (variant && (stock.get(variant.id) ?? 0) > 0) return { product, variant };
      }
      return undefined;
    };
    const cartLine = (p: Picked, lineNo: number, qty: number, discount?: Discount): CartLine => ({
      lineId: `l${lineNo}`,
      productId: p.product._id,
      variantId: p.variant.id,
      sku: p.variant.sku,
      name: p.product.name,
      taxCategory: p.product.taxCategory,
      qty,
      unitPrice: p.variant.price,
      listPrice: p.variant.price,
      ...(discount ? { discount } : {})
    });

    days.forEach((day, dayIndex) => {
      // Deliveries due today arrive before opening (10:00 → 08:30 receipt).
      for (let i = pendingPos.length - 1; i >= 0; i--) {
        const due = pendingPos[i]!;
        if (due.arrives !== dayIndex || day.midnight + 8.5 * 60 * MIN > cutoff) continue;
        pendingPos.splice(i, 1);
        const at = { by: input.buyer, now: iso(day.midnight + 8.5 * 60 * MIN) };
        const plan = planReceipt(due.po, { n: 1, lines: due.po.lines.map((l) => ({ variantId: l.variantId, qty: l.ordered })) }, at);
        if (plan.kind !== 'write') continue;
        docs.push(parse(plan.movement), parse(applyReceipt(due.po, 1, plan.movement, at)));
        for (const l of plan.movement.lines) move(l.variantId, l.qty);
      }
      // Mondays the buyer reorders what sold lately and is running out; it arrives two days later.
      if (day.dow === 1 && day.midnight + 8 * 60 * MIN <= cutoff) orderStock(day, dayIndex);

      const promo = dayIndex >= promoFirst && dayIndex < promoFirst + 7;
      const clockedIn = new Set<string>();
      for (const reg of loc.registers) {
        const staff = reg.staff;
        const openMs = day.midnight + (9 * 60 + 45) * MIN + Math.floor(rand() * 5) * MIN;
        // today: the shift closes just before `now` (a register's morning shift), or has not opened yet
        const closeMs = Math.min(day.midnight + (21 * 60 + 8) * MIN + Math.floor(rand() * 6) * MIN, cutoff);
        if (openMs > closeMs - 30 * MIN) continue;
        if (!clockedIn.has(staff.id)) {
          clockedIn.add(staff.id);
          docs.push(parse(timeEntry(reg, staff, 'in', openMs - 12 * MIN)));
        }
        const shiftUlid = ulidAt(openMs, rand);
        const shift: ShiftDoc = parse({
          _id: `shift:${reg.key}:${shiftUlid}`,
          type: 'shift',
          locationCode: loc.code,
          registerId: `device:${reg.key}`,
          openedBy: staff.id,
          openedByName: staff.name,
          openingFloat: FLOAT,
          openedAt: iso(openMs)
        } satisfies ShiftDoc);
        docs.push(shift);

        const count = Math.max(1, Math.round(BASE_SALES * scale * DOW_WEIGHTS[day.dow]! * (promo ? 1.45 : 1) * (0.8 + rand() * 0.4)));
        const times = Array.from({ length: count }, () => {
          const hour = weighted(rand, HOURS, HOUR_WEIGHTS);
          return day.midnight + hour * 60 * MIN + Math.floor(rand() * 60 * MIN);
        })
          .filter((t) => t < closeMs - 10 * MIN)
          .sort((a, b) => a - b);

        const sales: SaleDoc[] = [];
        const voids: VoidDoc[] = [];
        let receiptN = 0;
        const base = { locationCode: loc.code, registerId: `device:${reg.key}`, shiftId: shift._id, cashierId: staff.id, cashierName: staff.name, currency: loc.currency };
        const write = (at: number, lines: CartLine[], extra: { orderDiscount?: Discount; customerId?: string; approvals?: SaleDoc['approvals']; tenders: (total: number) => { tenders: Tender[]; change: number } }): SaleDoc => {
          const priced = priceCart(lines, extra.orderDiscount, loc.tax);
          const pay = extra.tenders(priced.total);
          const state = paymentState(priced.total, pay.tenders, 0);
          if (!state.complete || state.change !== pay.change) throw new Error(`history: tenders do not settle ${priced.total}`);
          const kind = lines.some((l) => l.qty < 0) ? (lines.some((l) => l.qty > 0) ? 'exchange' : 'return') : 'sale';
          receiptN++;
          const sale: SaleDoc = parse({
            _id: `sale:${reg.key}:${ulidAt(at, rand)}`,
            type: 'sale',
            kind,
            receiptNo: formatReceiptNo(reg.shortCode, day.ymd, receiptN),
            ...base,
            ...(extra.customerId ? { customerId: extra.customerId } : {}),
            lines: priced.lines,
            ...(extra.orderDiscount ? { orderDiscount: extra.orderDiscount } : {}),
            subtotal: priced.subtotal,
            discountTotal: priced.discountTotal,
            taxTotal: priced.taxTotal,
            pricesIncludeTax: loc.tax.pricesIncludeTax,
            total: priced.total,
            rounding: state.rounding,
            tenders: pay.tenders,
            change: pay.change,
            approvals: extra.approvals ?? [],
            createdAt: iso(at)
          } satisfies SaleDoc);
          for (const l of sale.lines) if (l.qty > 0 || l.restock !== false) move(l.variantId, -l.qty);
          sales.push(sale);
          docs.push(sale);
          return sale;
        };

        for (const at of times) {
          const r = rand();
          // A return or an exchange of something bought here in the last four weeks.
          if (r < 0.045 && recent.length) {
            const done = returnOrExchange(at, r < 0.015);
            if (done) continue;
          }
          const size = weighted(rand, BASKET_SIZES, BASKET_WEIGHTS);
          const lines: CartLine[] = [];
          for (let i = 0; i < size; i++) {
            const p = pickItem();
            if (!p) continue;
            const existing = lines.find((l) => l.variantId === p.variant.id);
            const have = stock.get(p.variant.id) ?? 0;
            if (existing) {
              if (have > existing.qty) existing.qty++;
              continue;
            }
            const qty = p.product.categoryId === 'category:socks' && have >= 2 && rand() < 0.4 ? 2 : 1;
            // now and then a cashier's 10 % courtesy discount on a line (within the cashier's limit)
            lines.push(cartLine(p, lines.length + 1, qty, !promo && rand() < 0.04 ? { kind: 'percent', value: 1000 } : undefined));
          }
          if (!lines.length) continue;
          const orderDiscount: Discount | undefined = promo ? { kind: 'percent', value: PROMOTION.discountBp } : undefined;
          const approvals = promo && !staff.approvesOwnDiscounts ? [approval('discount_over_limit', at)] : [];
          const customer = rand() < 0.3 ? pickCustomer() : undefined;
          const sale = write(at, lines, { ...(orderDiscount ? { orderDiscount } : {}), ...(customer ? { customerId: customer._id } : {}), approvals, tenders: payFor });
          for (const l of sale.lines) lastSold.set(l.variantId, dayIndex);
          // A few sales are voided at the till minutes later, with a manager's approval.
          if (rand() < 0.006) {
            const voidAt = at + (2 + Math.floor(rand() * 6)) * MIN;
            const v: VoidDoc = parse({
              _id: `void:${sale._id.slice('sale:'.length)}`,
              type: 'void',
              locationCode: loc.code,
              registerId: base.registerId,
              shiftId: shift._id,
              saleId: sale._id,
              reason: VOID_REASONS[Math.floor(rand() * VOID_REASONS.length)]!,
              lines: sale.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
              tenders: voidRefundTenders(sale),
              total: -sale.total,
              cashierId: staff.id,
              approvals: [approval('void', voidAt)],
              createdAt: iso(voidAt)
            } satisfies VoidDoc);
            for (const l of v.lines) move(l.variantId, l.qty);
            voids.push(v);
            docs.push(v);
          } else if (sale.kind === 'sale') recent.push({ sale, returned: new Map(), day: dayIndex });
        }

        // Close: the Z report from the shift's documents, the drawer counted (now and then a little off).
        const report = shiftReport({ shift, sales, voids, cashMovements: [] });
        const off = rand() < 0.12 ? (rand() < 0.5 ? -1 : 1) * [25, 100, 200, 500][Math.floor(rand() * 4)]! : 0;
        const countedCash = Math.max(0, report.expectedCash + off);
        const close: ShiftCloseDoc = parse({
          _id: `shift_close:${reg.key}:${shiftUlid}`,
          type: 'shift_close',
          locationCode: loc.code,
          registerId: base.registerId,
          shiftId: shift._id,
          closedBy: staff.id,
          closedByName: staff.name,
          denominations: denominations(countedCash, loc.currency),
          countedCash,
          expectedCash: report.expectedCash,
          overShort: countedCash - report.expectedCash,
          report: report as unknown as Record<string, unknown>,
          unsyncedAtClose: 0,
          approvals: [],
          closedAt: iso(closeMs)
        } satisfies ShiftCloseDoc);
        docs.push(close);
        // still at work today (their shift closed at `now`): no punch out yet
        if (closeMs < cutoff && reg === loc.registers.findLast((x) => x.staff.id === staff.id)) docs.push(parse(timeEntry(reg, staff, 'out', closeMs + 7 * MIN)));

        function approval(action: 'void' | 'discount_over_limit', at: number) {
          return { action, staffId: loc.manager.id, staffName: loc.manager.name, at: iso(at) };
        }

        /** How the customer pays: card mostly, cash with change, now and then part cash part card. */
        function payFor(total: number): { tenders: Tender[]; change: number } {
          if (total === 0) return { tenders: [], change: 0 };
          if (total < 0) return { tenders: [{ kind: 'card_external', amount: total }], change: 0 };
          const r2 = rand();
          if (r2 < 0.34) {
            const options = quickCashAmounts(total, loc.currency);
            const handed = options[Math.floor(rand() * options.length)] ?? total;
            return { tenders: [{ kind: 'cash', amount: handed }], change: handed - total };
          }
          if (r2 < 0.9 || total <= 2000) return { tenders: [{ kind: 'card_external', amount: total }], change: 0 };
          const cash = Math.min(total - 100, [2000, 4000, 5000][Math.floor(rand() * 3)]!);
          return { tenders: [{ kind: 'cash', amount: cash }, { kind: 'card_external', amount: total - cash }], change: 0 };
        }

        /** Brings back one unit of a recent sale; an exchange takes another size of it in its place. */
        function returnOrExchange(at: number, exchange: boolean): boolean {
          const candidates = recent.filter((s) => s.day < dayIndex && s.day >= dayIndex - 28);
          if (!candidates.length) return false;
          const original = candidates[Math.floor(rand() * candidates.length)]!;
          const line = original.sale.lines.find((l) => l.qty > (original.returned.get(l.lineId) ?? 0));
          if (!line) return false;
          const reason = RETURN_REASONS[Math.floor(rand() * RETURN_REASONS.length)]!;
          const back = returnLine(original.sale._id, line as PricedLine, original.returned.get(line.lineId) ?? 0, 1, original.sale.pricesIncludeTax, 'r1');
          back.returnOf = { ...back.returnOf!, ...(original.sale.receiptNo ? { receiptNo: original.sale.receiptNo } : {}) };
          back.returnReason = exchange ? 'wrong_size' : reason;
          back.restock = back.returnReason !== 'defective';
          const lines: CartLine[] = [back];
          if (exchange) {
            const product = facts.get(line.variantId)?.product;
            const other = product ? variantOf(product, line.variantId) : undefined;
            if (!product || !other || (stock.get(other.id) ?? 0) <= 0) return false;
            lines.push(cartLine({ product, variant: other }, 2, 1));
          }
          original.returned.set(line.lineId, (original.returned.get(line.lineId) ?? 0) + 1);
          const paidCash = original.sale.tenders.length === 1 && original.sale.tenders[0]!.kind === 'cash';
          const customerId = original.sale.customerId;
          write(at, lines, {
            ...(customerId ? { customerId } : {}),
            tenders: (total) => (total < 0 ? { tenders: [{ kind: paidCash ? 'cash' : 'card_external', amount: total }], change: 0 } : payFor(total))
          });
          return true;
        }
      }
      // forget sales too old to come back
      while (recent.length && recent[0]!.day < dayIndex - 28) recent.shift();
    });

    function timeEntry(reg: HistoryRegister, staff: HistoryStaff, kind: 'in' | 'out', at: number): TimeEntryDoc {
      return { _id: `time_entry:${reg.key}:${ulidAt(at, rand)}`, type: 'time_entry', locationCode: loc.code, registerId: `device:${reg.key}`, staffId: staff.id, staffName: staff.name, kind, at: iso(at) };
    }

    function orderStock(day: Day, dayIndex: number): void {
      const lines = [...lastSold]
        .filter(([variantId, d]) => d >= dayIndex - 28 && (stock.get(variantId) ?? 0) <= 2)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .slice(0, 400)
        .map(([variantId]) => ({ variantId, ordered: 6 + Math.floor(rand() * 7) - Math.min(2, Math.max(0, stock.get(variantId) ?? 0)), unitCost: facts.get(variantId)!.cost }));
      if (!lines.length) return;
      const at = day.midnight + 8 * 60 * MIN;
      const actor = { by: input.buyer, now: iso(at) };
      const draft = makePurchaseOrder({ id: ulidAt(at, rand), location: loc.code, supplierId: supplier._id, lines, note: 'Weekly replenishment' }, facts, actor);
      const sent = markSent(draft, actor)!;
      const arrives = dayIndex + 2;
      // an order still on its way today stays sent (open on the purchase orders page)
      if (arrives >= days.length || days[arrives]!.midnight + 8.5 * 60 * MIN > cutoff) docs.push(parse(sent));
      else pendingPos.push({ po: sent, arrives });
    }

    yield { kind: 'location', code: loc.code, docs, onHand: stock };
  }
}

/** A counted drawer as notes and coins, largest first (what the close dialog records). */
function denominations(amount: number, currency: string): Record<string, number> {
  const out: Record<string, number> = {};
  let left = amount;
  for (const v of DENOMINATIONS[currency] ?? [1]) {
    const n = Math.floor(left / v);
    if (n > 0) {
      out[String(v)] = n;
      left -= n * v;
    }
  }
  return out;
}
