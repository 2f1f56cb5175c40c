import { priceCart, type CartLine, type CartTotals, type Discount, type TaxConfig } from '$lib/domain/cart';
import { applyPriceRules, type PricingContext } from '$lib/domain/price-rules';
import type { IndexEntry } from '$lib/catalog-index/entries';
import type { CustomerDoc } from './customers-db.ts';

export type Approval = { action: 'void' | 'refund_without_receipt' | 'discount_over_limit' | 'price_override' | 'no_sale' | 'close_unsynced' | 'payout' | 'credit_over_limit'; staffId: string; staffName: string; at: string };

/** What a cart holds, as plain data: parked, restored on cashier switch, or kept across a reload. */
export interface CartSnapshot {
  lines: CartLine[];
  orderDiscount: Discount | null;
  customer: CustomerDoc | null;
  approvals: Approval[];
  layawayId?: string | null;
}

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
  /** the line the cashier last touched (scroll into view, focus for quantity) */
  lastLineId = $state<string | null>(null);
  totals: CartTotals;

  /**
   * `pricing` gives the live price rules (from the catalog replica) and the sale time; the lines keep
   * their catalog price and the rules are applied on every re-pricing, so a customer of a group
   * added after the items still gets the group's price.
   */
  constructor(tax: () => TaxConfig, pricing: () => Omit<PricingContext, 'customerGroup'> | null = () => null) {
    this.totals = $derived.by(() => {
      const p = pricing();
      const lines = p ? applyPriceRules(this.lines, { ...p, customerGroup: this.customer?.group ?? null }) : this.lines;
      return priceCart(lines, this.orderDiscount, tax());
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

  /** Adds one unit of a catalog item; a plain line of the same variant just counts up. */
  add(entry: IndexEntry, qty = 1): string {
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
    this.lines.push(line);
    this.lastLineId = line.lineId;
  }

  line(lineId: string): CartLine | undefined {
    return this.lines.find((l) => l.lineId === lineId);
  }

  setQty(lineId: string, qty: number): void {
    const l = this.line(lineId);
    if (!l || l.fixed || !Number.isInteger(qty)) return;
    if (qty === 0) this.remove(lineId);
    else l.qty = qty;
  }

  remove(lineId: string): void {
    this.lines = this.lines.filter((l) => l.lineId !== lineId);
    if (this.lastLineId === lineId) this.lastLineId = this.lines.at(-1)?.lineId ?? null;
  }

  setLineDiscount(lineId: string, discount: Discount | null): void {
    const l = this.line(lineId);
    if (!l || l.fixed) return;
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
    if (l && !l.fixed) l.unitPrice = unitPrice;
  }

  approve(a: Approval): void {
    this.approvals.push(a);
  }

  snapshot(): CartSnapshot {
    return $state.snapshot({ lines: this.lines, orderDiscount: this.orderDiscount, customer: this.customer, approvals: this.approvals, layawayId: this.layawayId }) as CartSnapshot;
  }

  restore(s: CartSnapshot): void {
    this.lines = s.lines;
    this.orderDiscount = s.orderDiscount;
    this.customer = s.customer;
    this.approvals = s.approvals;
    this.layawayId = s.layawayId ?? null;
    this.lastLineId = s.lines.at(-1)?.lineId ?? null;
  }

  clear(): void {
    this.restore({ lines: [], orderDiscount: null, customer: null, approvals: [], layawayId: null });
  }
}

/** "Crew Tee · M / Black": the product name plus its option values, as the receipt shows it. */
export function lineName(e: Pick<IndexEntry, 'name' | 'options'>): string {
  const opts = Object.values(e.options).filter(Boolean);
  return (opts.length ? `${e.name} · ${opts.join(' / ')}` : e.name).slice(0, 200);
}
