import type { CartLine } from '../../domain/cart.ts';
import type { IndexEntry } from '../../catalog-index/entries.ts';
import type { ReturnReason } from '../../domain/schemas/location.ts';
import { LOCKED_CART, lineName, newLineId, type Approval } from '../cart.svelte.ts';
import { restockByDefault, returnLines, type ReturnableLine, type ReturnPick } from '../returns.ts';
import type { SaleDoc } from '../register-db.ts';
import { FlowRefused } from './register-context.ts';

/**
 * Returns and exchanges at the register. A return is not a document of its own: the returned units
 * become negative cart lines (fixed at what the sale charged, or today's price for a blind return), and
 * the sale that pays or refunds them is the one write (RegisterSession.completeSale). These decide
 * which lines go into the cart; ReturnsDialog asks and shows.
 */

/** The cart the returned lines go into. */
export interface ReturnCart {
  readonly locked: boolean;
  readonly layawayId: string | null | undefined;
  readonly approvals: readonly Approval[];
  addLine(line: CartLine): void;
  approve(a: Approval): void;
}

/** Why nothing can be returned into this cart right now, or null. */
export function returnCartBlocker(cart: Pick<ReturnCart, 'locked' | 'layawayId'>): string | null {
  if (cart.locked) return LOCKED_CART;
  if (cart.layawayId) return 'The cart holds a layaway pickup: finish it before taking a return.';
  return null;
}

/** What the cashier picked on screen, per original line id. */
export interface ReturnChoice {
  qty: Record<string, number | null>;
  reason: Record<string, ReturnReason | ''>;
  /** per line, back on the shelf; unset: by the reason (damaged and defective stay off) */
  restock: Record<string, boolean>;
}

/** Checks the picks against what can still come back; the refusal names the line to fix. */
export function chooseReturns(lines: readonly ReturnableLine[], choice: ReturnChoice): ReturnPick[] {
  const chosen: ReturnPick[] = [];
  for (const l of lines) {
    const raw = choice.qty[l.line.lineId] ?? 0;
    const q = Math.trunc(raw);
    if (!Number.isFinite(raw) || q !== raw || q < 0) throw new FlowRefused(`Enter a whole number of ${l.line.name} to return.`);
    if (q > l.returnable) throw new FlowRefused(`Only ${l.returnable} of ${l.line.name} can still be returned.`);
    if (q === 0) continue;
    const reason = choice.reason[l.line.lineId];
    if (!reason) throw new FlowRefused(`Choose why ${l.line.name} is coming back.`);
    chosen.push({ lineId: l.line.lineId, qty: q, reason, restock: choice.restock[l.line.lineId] ?? restockByDefault(reason) });
  }
  if (chosen.length === 0) throw new FlowRefused('Choose how many of which items are coming back.');
  return chosen;
}

/**
 * Puts the picked units of `sale` into the cart as return lines, refunded at what the sale charged.
 * `returned` counts what came back before, including return lines of this sale already in the cart.
 */
export function addReturnsToCart(cart: ReturnCart, sale: SaleDoc, lines: readonly ReturnableLine[], returned: ReadonlyMap<string, number>, choice: ReturnChoice): CartLine[] {
  const blocked = returnCartBlocker(cart);
  if (blocked) throw new FlowRefused(blocked);
  const added = returnLines(sale, chooseReturns(lines, choice), returned, newLineId);
  for (const line of added) cart.addLine(line);
  return added;
}

/** A catalog hit for a blind return (no receipt). */
export type BlindItem = Pick<IndexEntry, 'productId' | 'variantId' | 'sku' | 'name' | 'options' | 'taxCategory' | 'price'>;

/**
 * A return without a receipt: one unit at today's price. It needs sale:refund or a manager's approval;
 * the approval goes on the sale that refunds it, once.
 */
export function addBlindReturn(cart: ReturnCart, item: BlindItem | undefined, code: string, reason: ReturnReason | '', restock: boolean, approval: Approval | null): CartLine {
  const blocked = returnCartBlocker(cart);
  if (blocked) throw new FlowRefused(blocked);
  if (!code.trim()) throw new FlowRefused('Scan or type the barcode or SKU of the item coming back.');
  if (!reason) throw new FlowRefused('Choose why the item is coming back.');
  if (!item) throw new FlowRefused(`Unknown barcode or SKU “${code.trim()}”: nothing was added.`);
  const line: CartLine = {
    lineId: newLineId(),
    productId: item.productId,
    variantId: item.variantId,
    sku: item.sku,
    name: lineName(item),
    taxCategory: item.taxCategory,
    qty: -1,
    unitPrice: item.price,
    listPrice: item.price,
    returnReason: reason,
    restock
  };
  cart.addLine(line);
  if (approval && !cart.approvals.some((a) => a.action === 'refund_without_receipt' && a.staffId === approval.staffId && a.at === approval.at)) cart.approve(approval);
  return line;
}
