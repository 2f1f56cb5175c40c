import { priceCart, withExemption, type CartLine, type CartTax, type CartTotals, type Discount } from '$lib/domain/cart';
import { applyPriceRules, type PricingContext } from '$lib/domain/price-rules';
import type { IndexEntry } from '$lib/catalog-index/entries';
import type { Tender } from '$lib/domain/tender';
import type { CustomerDoc } from './register-db.ts';

export type Approval = { action: 'void' | 'refund_without_receipt' | 'discount_over_limit' | 'price_override' | 'no_sale' | 'close_unsynced' | 'payout' | 'credit_over_limit'; staffId: string; staffName: string; at: string };

/** What a cart holds, as plain data: parked, restored on cashier switch, or kept across a reload. */
export interface CartSnapshot {
  lines: CartLine[];
  orderDiscount: Discount | null;
  customer: CustomerDoc | null;
  approvals: Approval[];
  layawayId?: string | null;
  /** tenders already taken toward this sale (cash in the drawer, a card approved): kept with the cart */
  tenders?: Tender[];
  /** the id the sale is written under, fixed when the first tender is taken */
  saleId?: string | null;
}

/** Why the cart cannot change right now (tenders taken: Cart.locked). */
export const LOCKED_CART = 'A payment has started on this sale: finish it (Pay) or cancel the payment before changing the cart.';

let seq = 0;
/** Line ids only need to be unique within one sale; time + counter keeps them short and ordered. */
export const newLineId = () => `l${Date.now().toString(36)}${(seq++ % 1296).toString(36).padStart(2, '0')}`;

/**
 * The register's current cart: reactive state over the pure pricing in domain/cart.ts. Every change
 * re-prices the whole cart (a few lines: microseconds), so totals can never drift from the lines.
 */
export class Cart {
  lines = $state<CartLine[]>([]);
  orderDiscount = $state<Discount | null>(null);
  customer = $state<CustomerDoc | null>(null);
  approvals = $state<Approval[]>([]);
  /** set when this cart is a layaway pickup */
  layawayId = $state<string | null>(null);
  /**
   * Tenders taken so far. Money in the drawer belongs to this sale until it completes or the payment
   * is cancelled (a payment void), so while there are any the lines and discounts are locked.
   */
  tenders = $state<Tender[]>([]);
  saleId = $state<string | null>(null);
  /** the line the cashier last touched (scroll into view, focus for quantity) */
  lastLineId = $state<string | null>(null);
  totals: CartTotals;

  /**
   * `pricing` gives the live price rules (from the catalog replica) and the sale time; the lines keep
   * their catalog price and the rules are applied on every re-pricing, so a customer of a group
   * added after the items still gets the group's price.
   */
  constructor(tax: () => CartTax, pricing: () => Omit<PricingContext, 'customerGroup'> | null = () => null) {
    this.totals = $derived.by(() => {
      const p = pricing();
      const lines = p ? applyPriceRules(this.lines, { ...p, customerGroup: this.customer?.group ?? null }) : this.lines;
      // a customer's exemption certificate applies while valid on the sale's local date (domain/tax)
      return priceCart(lines, this.orderDiscount, withExemption(tax(), this.customer?.taxExemption));
    });
  }

  get isEmpty(): boolean {
    return this.lines.length === 0;
  }

  get hasReturns(): boolean {
    return this.lines.some((l) => l.qty < 0);
  }

  get hasSales(): boolean {
    return this.lines.some((l) => l.qty > 0);
  }

  /** A payment has started: the cart cannot change until it completes or is cancelled. */
  get locked(): boolean {
    return this.tenders.length > 0;
  }

  /** Adds one unit of a catalog item; a plain line of the same variant just counts up. Null while locked. */
  add(entry: IndexEntry, qty = 1): string | null {
    if (this.locked) return null;
    const same = this.lines.find((l) => l.variantId === entry.variantId && l.qty > 0 && !l.discount && !l.note && l.unitPrice === entry.price);
    if (same) {
      same.qty += qty;
      this.lastLineId = same.lineId;
      return same.lineId;
    }
    const line: CartLine = {
      lineId: newLineId(),
      productId: entry.productId,
      variantId: entry.variantId,
      sku: entry.sku,
      name: lineName(entry),
      taxCategory: entry.taxCategory,
      qty,
      unitPrice: entry.price,
      listPrice: entry.price
    };
    this.lines.push(line);
    this.lastLineId = line.lineId;
    return line.lineId;
  }

  addLine(line: CartLine): void {
    if (this.locked) return;
    this.lines.push(line);
    this.lastLineId = line.lineId;
  }

  line(lineId: string): CartLine | undefined {
    return this.lines.find((l) => l.lineId === lineId);
  }

  setQty(lineId: string, qty: number): void {
    const l = this.line(lineId);
    if (!l || l.fixed || !Number.isInteger(qty) || this.locked) return;
    if (qty === 0) this.remove(lineId);
    else l.qty = qty;
  }

  remove(lineId: string): void {
    if (this.locked) return;
    this.lines = this.lines.filter((l) => l.lineId !== lineId);
    if (this.lastLineId === lineId) this.lastLineId = this.lines.at(-1)?.lineId ?? null;
  }

  setLineDiscount(lineId: string, discount: Discount | null): void {
    const l = this.line(lineId);
    if (!l || l.fixed || this.locked) return;
    if (discount && discount.value > 0) l.discount = discount;
    else delete l.discount;
  }

  setNote(lineId: string, note: string): void {
    const l = this.line(lineId);
    if (!l) return;
    if (note.trim()) l.note = note.trim();
    else delete l.note;
  }

  setPrice(lineId: string, unitPrice: number): void {
    const l = this.line(lineId);
    if (l && !l.fixed && !this.locked) l.unitPrice = unitPrice;
  }

  approve(a: Approval): void {
    this.approvals.push(a);
  }

  /** Sets the order discount; false while a payment is in progress. */
  setOrderDiscount(d: Discount | null): boolean {
    if (this.locked) return false;
    this.orderDiscount = d;
    return true;
  }

  snapshot(): CartSnapshot {
    return $state.snapshot({
      lines: this.lines,
      orderDiscount: this.orderDiscount,
      customer: this.customer,
      approvals: this.approvals,
      layawayId: this.layawayId,
      tenders: this.tenders,
      saleId: this.saleId
    }) as CartSnapshot;
  }

  restore(s: CartSnapshot): void {
    this.lines = s.lines;
    this.orderDiscount = s.orderDiscount;
    this.customer = s.customer;
    this.approvals = s.approvals;
    this.layawayId = s.layawayId ?? null;
    this.tenders = s.tenders ?? [];
    this.saleId = s.saleId ?? null;
    this.lastLineId = s.lines.at(-1)?.lineId ?? null;
  }

  /** Empties the cart. Only for a cart whose tenders went into a sale or a payment void. */
  clear(): void {
    this.restore({ lines: [], orderDiscount: null, customer: null, approvals: [], layawayId: null, tenders: [], saleId: null });
  }
}

/** "Crew Tee · M / Black": the product name plus its option values, as the receipt shows it. */
export function lineName(e: Pick<IndexEntry, 'name' | 'options'>): string {
  const opts = Object.values(e.options).filter(Boolean);
  return (opts.length ? `${e.name} · ${opts.join(' / ')}` : e.name).slice(0, 200);
}
