/**
 * Cart pricing: lines, discounts and tax → the money fields of a sale (saleLineSchema). Pure and
 * exact: all arithmetic is on integer minor units, rounding through money.ts.
 */
import { allocate, divRoundBig, floorDivMod, type RoundingMode } from './money.ts';
import type { ReturnReason } from './schemas/location.ts';

/** The original sale line a returned item came from (and that sale's receipt number, for the receipt). */
export interface ReturnOf {
  saleId: string;
  lineId: string;
  receiptNo?: string;
}

export interface TaxConfig {
  /** the location's rate, parts per million: 8.875 % = 88_750 */
  ratePpm: number;
  /** product tax categories this rate does not apply to */
  exemptCategories: readonly string[];
  pricesIncludeTax: boolean;
  /**
   * 'line': round each line's tax. 'invoice': round the invoice's exact tax once and give each line
   * the floor or ceiling of its exact tax so the lines sum to it (largest remainder).
   */
  rounding: 'line' | 'invoice';
  roundingMode: RoundingMode;
}

/** percent is in basis points: 10 % = 1000 */
export type Discount = { kind: 'amount'; value: number } | { kind: 'percent'; value: number };

/** A cart line as the register holds it (cartLineSchema). */
export interface CartLine {
  lineId: string;
  productId: string;
  variantId: string;
  sku: string;
  name: string;
  taxCategory: string;
  /** non-zero integer; negative = an item coming back (return/exchange) */
  qty: number;
  /** ≥ 0, the price charged per unit (after any override) */
  unitPrice: number;
  /** catalog price */
  listPrice: number;
  /** line discount; an amount is for the whole line, not per unit */
  discount?: Discount;
  note?: string;
  returnOf?: ReturnOf;
  /** returned lines: why it came back, and whether it goes back into stock (false: kept off the shelf) */
  returnReason?: ReturnReason;
  restock?: boolean;
  /** returned lines: refund exactly these (negative) amounts, no re-pricing, no order discount */
  fixed?: { net: number; tax: number };
}

/** A priced line: exactly the shape of saleLineSchema. */
export interface PricedLine {
  lineId: string;
  productId: string;
  variantId: string;
  sku: string;
  name: string;
  taxCategory: string;
  qty: number;
  unitPrice: number;
  /** only present when it differs from unitPrice (a price override) */
  listPrice?: number;
  /** line discount + share of the order discount; same sign as qty */
  discount: number;
  tax: number;
  /** net (= qty × unitPrice − discount), plus tax when prices exclude tax */
  total: number;
  note?: string;
  returnOf?: ReturnOf;
  returnReason?: ReturnReason;
  restock?: boolean;
}

export interface CartTotals {
  lines: PricedLine[];
  /** Σ gross (qty × unitPrice) */
  subtotal: number;
  /** Σ line discount */
  discountTotal: number;
  taxTotal: number;
  /** Σ line total */
  total: number;
}

const PPM = 1_000_000n;

/** -0 (e.g. -1 × 0) would survive into documents and break Object.is comparisons. */
const z = (n: number) => n || 0;

function checkInt(n: number, what: string, min = Number.MIN_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${what} must be a whole number${min === 0 ? ' ≥ 0' : ''}, got ${n}`);
}

function checkDiscount(d: Discount, what: string): void {
  checkInt(d.value, `${what} value`, 0);
  if (d.kind === 'percent' && d.value > 10_000) throw new RangeError(`${what} cannot be more than 100 %`);
}

/** Discount on an amount, same sign as it and never larger: percent rounds half away from zero. */
function discountOn(base: number, d: Discount): number {
  if (d.kind === 'percent') return z(Number(divRoundBig(BigInt(base) * BigInt(d.value), 10_000n, 'half_up')));
  const capped = Math.min(d.value, Math.abs(base));
  return base < 0 ? z(-capped) : capped;
}

/**
 * Prices a cart. Fixed (returned) lines keep their recorded net and tax; every other line is
 * gross − line discount − its share of the order discount, taxed at the location's rate unless
 * its category is exempt. The order discount applies to positive-qty, non-fixed lines only, in
 * proportion to their net after line discounts, and an amount is capped at that net. Invalid input
 * (zero or fractional qty, negative price, percent over 100 %, bad rate) throws a RangeError.
 */
export function priceCart(lines: readonly CartLine[], orderDiscount: Discount | null | undefined, tax: TaxConfig): CartTotals {
  checkInt(tax.ratePpm, 'ratePpm', 0);
  if (tax.ratePpm > 1_000_000) throw new RangeError('ratePpm cannot be more than 100 %');
  if (orderDiscount) checkDiscount(orderDiscount, 'order discount');
  const exempt = new Set(tax.exemptCategories);
  const rate = BigInt(tax.ratePpm);
  // exact tax of a line = net × rate / denominator
  const denominator = tax.pricesIncludeTax ? PPM + rate : PPM;

  const gross: number[] = [];
  const discount: number[] = [];
  for (const l of lines) {
    checkInt(l.qty, 'qty');
    if (l.qty === 0) throw new RangeError(`line ${l.lineId}: qty must not be zero`);
    checkInt(l.unitPrice, 'unitPrice', 0);
    const g = z(l.qty * l.unitPrice);
    checkInt(g, 'line gross');
    gross.push(g);
    if (l.fixed) {
      checkInt(l.fixed.net, 'fixed net');
      checkInt(l.fixed.tax, 'fixed tax');
      discount.push(g - l.fixed.net);
    } else if (l.discount) {
      checkDiscount(l.discount, `line ${l.lineId} discount`);
      discount.push(discountOn(g, l.discount));
    } else discount.push(0);
  }

  if (orderDiscount && orderDiscount.value > 0) {
    const eligible: number[] = [];
    lines.forEach((l, i) => {
      if (!l.fixed && l.qty > 0) eligible.push(i);
    });
    const bases = eligible.map((i) => gross[i]! - discount[i]!);
    const base = bases.reduce((a, b) => a + b, 0);
    if (base > 0) {
      const amount = discountOn(base, orderDiscount);
      allocate(amount, bases).forEach((share, k) => {
        const i = eligible[k]!;
        discount[i] = discount[i]! + share;
      });
    }
  }

  const net = lines.map((_, i) => gross[i]! - discount[i]!);
  const taxes = lines.map((l, i) => {
    if (l.fixed) return l.fixed.tax;
    if (exempt.has(l.taxCategory) || rate === 0n) return 0;
    return tax.rounding === 'line' ? Number(divRoundBig(BigInt(net[i]!) * rate, denominator, tax.roundingMode)) : 0;
  });

  if (tax.rounding === 'invoice' && rate > 0n) {
    // Round the invoice once, then give each taxed line floor(exact) and hand the units left over to
    // the largest fractional remainders (ties to the lower index). Every line ends within one cent of
    // its exact tax, never of the opposite sign, and the lines sum to the invoice figure.
    const taxed: number[] = [];
    const floors: bigint[] = [];
    const rems: bigint[] = [];
    let exactSum = 0n;
    lines.forEach((l, i) => {
      if (l.fixed || exempt.has(l.taxCategory)) return;
      const numerator = BigInt(net[i]!) * rate;
      const [q, r] = floorDivMod(numerator, denominator);
      taxed.push(i);
      floors.push(q);
      rems.push(r);
      exactSum += numerator;
    });
    const invoiceTax = divRoundBig(exactSum, denominator, tax.roundingMode);
    let leftover = Number(invoiceTax - floors.reduce((a, b) => a + b, 0n)); // 0 ≤ leftover ≤ taxed.length
    const order = taxed.map((_, k) => k).sort((a, b) => (rems[a] === rems[b] ? a - b : rems[a]! > rems[b]! ? -1 : 1));
    for (const k of order) {
      if (leftover <= 0) break;
      floors[k] = floors[k]! + 1n;
      leftover--;
    }
    taxed.forEach((i, k) => {
      taxes[i] = Number(floors[k]!);
    });
  }

  let subtotal = 0;
  let discountTotal = 0;
  let taxTotal = 0;
  let total = 0;
  const priced = lines.map((l, i): PricedLine => {
    const lineTax = taxes[i]!;
    const lineNet = l.fixed ? l.fixed.net : net[i]!;
    const lineTotal = tax.pricesIncludeTax ? lineNet : lineNet + lineTax;
    subtotal += gross[i]!;
    discountTotal += discount[i]!;
    taxTotal += lineTax;
    total += lineTotal;
    const out: PricedLine = {
      lineId: l.lineId,
      productId: l.productId,
      variantId: l.variantId,
      sku: l.sku,
      name: l.name,
      taxCategory: l.taxCategory,
      qty: l.qty,
      unitPrice: l.unitPrice,
      discount: z(discount[i]!),
      tax: z(lineTax),
      total: z(lineTotal)
    };
    if (l.listPrice !== l.unitPrice) out.listPrice = l.listPrice;
    if (l.note !== undefined) out.note = l.note;
    if (l.returnOf) out.returnOf = { saleId: l.returnOf.saleId, lineId: l.returnOf.lineId, ...(l.returnOf.receiptNo ? { receiptNo: l.returnOf.receiptNo } : {}) };
    if (l.qty < 0 && l.returnReason) out.returnReason = l.returnReason;
    if (l.qty < 0 && l.restock !== undefined) out.restock = l.restock;
    return out;
  });
  return { lines: priced, subtotal, discountTotal, taxTotal, total };
}

/**
 * Refund for returning `qty` more units of an original (positive) sale line when `alreadyReturned`
 * units came back before. Net (what was paid for the line before tax: total, minus tax when prices
 * exclude it) and tax are each apportioned as amount(k) = round(x × k / originalQty), and the refund
 * is amount(alreadyReturned + qty) − amount(alreadyReturned): partial returns sum exactly to the
 * original, and no unit refunds more than its unit price. Returns negative net and tax.
 */
export function refundForReturn(
  original: { qty: number; discount: number; unitPrice: number; tax: number; total: number },
  alreadyReturned: number,
  qty: number,
  pricesIncludeTax: boolean
): { net: number; tax: number } {
  checkInt(original.qty, 'original qty', 1);
  checkInt(alreadyReturned, 'alreadyReturned', 0);
  checkInt(qty, 'qty to return', 1);
  if (alreadyReturned + qty > original.qty) {
    throw new RangeError(`only ${original.qty - alreadyReturned} of ${original.qty} can still be returned`);
  }
  const originalNet = pricesIncludeTax ? original.total : original.total - original.tax;
  const q = BigInt(original.qty);
  const amount = (x: number, k: number) => divRoundBig(BigInt(x) * BigInt(k), q, 'half_up');
  const part = (x: number) => Number(amount(x, alreadyReturned + qty) - amount(x, alreadyReturned));
  return { net: z(-part(originalNet)), tax: z(-part(original.tax)) };
}

/**
 * A cart line that returns `qty` (positive) units of an original sale line: negative qty, the
 * original unit price, the refund fixed by refundForReturn, and returnOf pointing at the original.
 */
export function returnLine(
  originalSaleId: string,
  original: Omit<PricedLine, 'taxCategory'> & { taxCategory?: string },
  alreadyReturned: number,
  qty: number,
  pricesIncludeTax: boolean,
  newLineId: string
): CartLine {
  const fixed = refundForReturn(original, alreadyReturned, qty, pricesIncludeTax);
  const line: CartLine = {
    lineId: newLineId,
    productId: original.productId,
    variantId: original.variantId,
    sku: original.sku,
    name: original.name,
    taxCategory: original.taxCategory ?? '',
    qty: -qty,
    unitPrice: original.unitPrice,
    listPrice: original.listPrice ?? original.unitPrice,
    returnOf: { saleId: originalSaleId, lineId: original.lineId },
    fixed
  };
  return line;
}
