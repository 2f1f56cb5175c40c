/**
 * Cart pricing: lines, discounts and tax → the money fields of a sale (saleLineSchema). Pure and
 * exact: all arithmetic is on integer minor units, rounding through money.ts.
 */
import { allocate, divRoundBig, type RoundingMode } from './money.ts';
import type { ReturnReason } from './schemas/location.ts';
import { computeTax, tableFromSingleRate, type ComponentTax, type CustomerExemption, type TaxContext } from './tax/index.ts';

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

/**
 * How a cart is taxed: a single-rate location's TaxConfig (its lines record no components, exactly
 * as before tax tables), or a tax-table context for the engine (domain/tax), whose lines record
 * their tax by jurisdiction component.
 */
export type CartTax = TaxConfig | TaxContext;

const isTableTax = (tax: CartTax): tax is TaxContext => 'table' in tax;

/**
 * A single-rate TaxConfig as the engine's input: a one-component table. The time and zone do not
 * matter (one version, no exemption); the engine prices it to the cent as the single rate always did.
 */
export function taxContextOfConfig(tax: TaxConfig, id = 'rate', name = 'Tax'): TaxContext {
  return {
    table: tableFromSingleRate({ id, name, ratePpm: tax.ratePpm, exemptCategories: tax.exemptCategories }),
    pricesIncludeTax: tax.pricesIncludeTax,
    rounding: tax.rounding,
    roundingMode: tax.roundingMode,
    at: '1970-01-01T00:00:00Z',
    timeZone: 'UTC'
  };
}

/** The cart's tax with its customer's exemption certificate (a table context only: a single rate knows no exemptions). */
export function withExemption(tax: CartTax, exemption: CustomerExemption | null | undefined): CartTax {
  return isTableTax(tax) && exemption ? { ...tax, exemption } : tax;
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
  fixed?: { net: number; tax: number; taxes?: ComponentTax[] };
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
  /** the tax by jurisdiction component, summing to tax (tax-table locations only) */
  taxes?: ComponentTax[];
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
  /** the customer's exemption certificate, when it took tax off this cart (recorded on the sale, printed on the receipt) */
  taxExemption?: { certificateNo: string; expiresOn: string; jurisdictions?: string[] };
}

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
 * gross − line discount − its share of the order discount, taxed by the tax engine (domain/tax):
 * at the location's single rate unless its category is exempt, or by its tax table. The order
 * discount applies to positive-qty, non-fixed lines only, in proportion to their net after line
 * discounts, and an amount is capped at that net. Invalid input (zero or fractional qty, negative
 * price, percent over 100 %, bad rate) throws a RangeError.
 */
export function priceCart(lines: readonly CartLine[], orderDiscount: Discount | null | undefined, tax: CartTax): CartTotals {
  const table = isTableTax(tax);
  if (!table) {
    checkInt(tax.ratePpm, 'ratePpm', 0);
    if (tax.ratePpm > 1_000_000) throw new RangeError('ratePpm cannot be more than 100 %');
  }
  if (orderDiscount) checkDiscount(orderDiscount, 'order discount');

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
  // Line or invoice rounding as the engine documents it: per invoice, each component is rounded once
  // and its units left over go to the lines with the largest remainders, so the lines sum to it.
  const taxed = computeTax(
    lines.map((l, i) => ({ taxCategory: l.taxCategory, qty: l.qty, net: l.fixed ? l.fixed.net : net[i]!, ...(l.fixed ? { fixed: l.fixed } : {}) })),
    table ? tax : taxContextOfConfig(tax)
  );

  let subtotal = 0;
  let discountTotal = 0;
  let taxTotal = 0;
  let total = 0;
  const priced = lines.map((l, i): PricedLine => {
    const lineTax = taxed.lines[i]!.tax;
    const components = table ? taxed.lines[i]!.taxes : undefined;
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
      ...(components ? { taxes: components } : {}),
      total: z(lineTotal)
    };
    if (l.listPrice !== l.unitPrice) out.listPrice = l.listPrice;
    if (l.note !== undefined) out.note = l.note;
    if (l.returnOf) out.returnOf = { saleId: l.returnOf.saleId, lineId: l.returnOf.lineId, ...(l.returnOf.receiptNo ? { receiptNo: l.returnOf.receiptNo } : {}) };
    if (l.qty < 0 && l.returnReason) out.returnReason = l.returnReason;
    if (l.qty < 0 && l.restock !== undefined) out.restock = l.restock;
    return out;
  });
  const exemption = table && taxed.customerExempt ? tax.exemption : null;
  return { lines: priced, subtotal, discountTotal, taxTotal, total, ...(exemption ? { taxExemption: { certificateNo: exemption.certificateNo, expiresOn: exemption.expiresOn, ...(exemption.jurisdictions?.length ? { jurisdictions: [...exemption.jurisdictions] } : {}) } } : {}) };
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
 * The refund's tax by component, when the original line recorded components: after k units came
 * back, each component has refunded its largest-remainder share of the tax refunded so far
 * (round(tax × k / qty), as refundForReturn), so a return's components sum to its tax and all the
 * returns of a line give back exactly each component it charged. Negative, like the refund.
 */
export function refundTaxes(original: { qty: number; tax: number; taxes: readonly ComponentTax[] }, alreadyReturned: number, qty: number): ComponentTax[] | undefined {
  if (original.taxes.some((t) => t.amount < 0) || original.taxes.reduce((a, t) => a + t.amount, 0) !== original.tax) return undefined;
  const q = BigInt(original.qty);
  const weights = original.taxes.map((t) => t.amount);
  const refunded = (k: number) => allocate(Number(divRoundBig(BigInt(original.tax) * BigInt(k), q, 'half_up')), weights);
  const before = refunded(alreadyReturned);
  const after = refunded(alreadyReturned + qty);
  return original.taxes.map((t, i) => ({ jurisdictionId: t.jurisdictionId, name: t.name, ratePpm: t.ratePpm, amount: z(before[i]! - after[i]!) }));
}

/**
 * A cart line that returns `qty` (positive) units of an original sale line: negative qty, the
 * original unit price, the refund fixed by refundForReturn (with its tax components when the
 * original had them), and returnOf pointing at the original.
 */
export function returnLine(
  originalSaleId: string,
  original: Omit<PricedLine, 'taxCategory'> & { taxCategory?: string },
  alreadyReturned: number,
  qty: number,
  pricesIncludeTax: boolean,
  newLineId: string
): CartLine {
  const refund = refundForReturn(original, alreadyReturned, qty, pricesIncludeTax);
  const taxes = original.taxes ? refundTaxes({ qty: original.qty, tax: original.tax, taxes: original.taxes }, alreadyReturned, qty) : undefined;
  const fixed = taxes ? { ...refund, taxes } : refund;
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
