/**
 * Layaways at the register: the pure rules (minimum deposit, cancellation fee, pickup tenders) and
 * the documents (layaway, layaway_payment, layaway_close). Nothing here writes: the flows in
 * flows/layaway.ts do, through register-db.ts inside the session's storage guard.
 *
 * Money, drawer and Z report (domain/shift-report.ts):
 * - A deposit (`layaway`) and each payment (`layaway_payment`) is money taken in the shift where it
 *   is written: its tenders count in that shift's tender totals (cash less change goes into the
 *   drawer's expected cash) and in `layawayNet`, but NOT in net sales. It is a customer deposit (a
 *   liability), not revenue; the goods have not left.
 * - The pickup is an ordinary sale (revenue, tax, stock out) paid with one `layaway` tender for
 *   everything already paid, plus real tenders for any balance. The `layaway` tender is not money
 *   in the drawer: it draws down the deposit. In the pickup shift, tenders.layaway + real tenders =
 *   the sale total, so "Σ tenders = netSales + rounding + layawayNet" still holds, and expected cash
 *   only moves by the balance paid in cash. Across the layaway's life the deposit shows once as
 *   money in (layawayNet) and once as revenue (the pickup sale), which is what the books want:
 *   layawayNet (deposits taken) − tenders.layaway (deposits used) is the change in deposits held.
 * - A cancellation (`layaway_close`, outcome cancelled) refunds what was paid minus the fee with
 *   negative tenders: cash out of this drawer, counted in this shift's layawayNet. The fee kept
 *   stays in the deposits taken earlier; it is recorded as feeKept (income for the back office).
 * - Reservations: the stock/reserved view counts a layaway's lines until its layaway_close, and the
 *   pickup sale then takes them off on hand, so the units are never sellable twice.
 */
import type { CartLine, PricedLine } from '../domain/cart.ts';
import { newUlid } from '../domain/ids.ts';
import { divRoundBig } from '../domain/money.ts';
import type { Tender } from '../domain/tender.ts';
import type { LayawayCloseDoc, LayawayDoc, LayawayPaymentDoc, LayawayStatus } from './register-db.ts';
import type { RegisterBits } from './returns.ts';

export type { RegisterBits };

export interface Payment {
  tenders: Tender[];
  change: number;
  rounding: number;
}

const cleanTenders = (ts: readonly Tender[]): Tender[] => ts.map((t) => ({ kind: t.kind, amount: t.amount, ...(t.reference ? { reference: t.reference } : {}) }));

/** The smallest deposit the rule allows: total × bp / 10 000, rounded up (never under the rule), at least one minor unit. */
export function minimumDeposit(total: number, minDepositBp: number): number {
  if (total <= 0) return 0;
  const exact = BigInt(total) * BigInt(minDepositBp);
  const up = Number((exact + 9_999n) / 10_000n);
  return Math.min(total, Math.max(1, up));
}

/** What is kept on cancellation: paid × bp / 10 000, half up; never more than was paid. */
export function cancellationFee(paid: number, feeBp: number): number {
  if (paid <= 0) return 0;
  return Math.min(paid, Number(divRoundBig(BigInt(paid) * BigInt(feeBp), 10_000n, 'half_up')));
}

/** Why this cart cannot become a layaway, or null when it can. */
export function layawayBlocker(cart: { lines: readonly Pick<CartLine, 'qty'>[]; customerId: string | null | undefined; layawayId: string | null | undefined; total: number }): string | null {
  if (cart.lines.length === 0) return 'The cart is empty: add the items to put on layaway first.';
  if (cart.layawayId) return 'This cart is a layaway pickup.';
  if (cart.lines.some((l) => l.qty < 0)) return 'A layaway cannot include returns: take the returned items out of the cart first.';
  if (!cart.customerId) return 'A layaway needs a customer: attach one to the cart first.';
  if (cart.total <= 0) return 'A layaway needs a total above zero.';
  return null;
}

/** Why `deposit` is not acceptable for a layaway of `total`, or null. */
export function depositProblem(deposit: number | null, total: number, minimum: number): string | null {
  if (deposit === null || !Number.isSafeInteger(deposit) || deposit <= 0) return 'Enter the deposit amount.';
  if (deposit < minimum) return 'The deposit must be at least the minimum deposit.';
  if (deposit > total) return 'The deposit cannot be more than the layaway total.';
  return null;
}

/** Why `amount` is not acceptable as a payment on a layaway with `balance` left, or null. */
export function paymentProblem(amount: number | null, balance: number): string | null {
  if (balance <= 0) return 'Nothing is left to pay on this layaway.';
  if (amount === null || !Number.isSafeInteger(amount) || amount <= 0) return 'Enter the payment amount.';
  if (amount > balance) return 'A payment cannot be more than the balance.';
  return null;
}

/** The layaway opened from a priced cart, with its deposit. Priced lines are copied as the sale would record them. */
export function buildLayaway(
  bits: RegisterBits,
  input: { customerId: string; currency: string; lines: readonly PricedLine[]; total: number; deposit: Payment; cancellationFeeBp: number; pricesIncludeTax: boolean; approvals: LayawayDoc['approvals'] },
  now: Date = new Date()
): LayawayDoc {
  return {
    _id: `layaway:${bits.registerKey}:${newUlid(now.getTime())}`,
    type: 'layaway',
    locationCode: bits.locationCode,
    registerId: bits.registerId,
    ...(bits.shiftId ? { shiftId: bits.shiftId } : {}),
    cashierId: bits.cashierId,
    customerId: input.customerId,
    currency: input.currency,
    lines: JSON.parse(JSON.stringify(input.lines)) as LayawayDoc['lines'],
    total: input.total,
    tenders: cleanTenders(input.deposit.tenders),
    change: input.deposit.change,
    cancellationFeeBp: input.cancellationFeeBp,
    pricesIncludeTax: input.pricesIncludeTax,
    approvals: input.approvals,
    createdAt: now.toISOString()
  };
}

export function buildLayawayPayment(bits: RegisterBits, layawayId: string, payment: Payment, now: Date = new Date()): LayawayPaymentDoc {
  return {
    _id: `layaway_payment:${bits.registerKey}:${newUlid(now.getTime())}`,
    type: 'layaway_payment',
    locationCode: bits.locationCode,
    registerId: bits.registerId,
    ...(bits.shiftId ? { shiftId: bits.shiftId } : {}),
    cashierId: bits.cashierId,
    layawayId,
    tenders: cleanTenders(payment.tenders),
    change: payment.change,
    createdAt: now.toISOString()
  };
}

/** `layaway_close:{the layaway's register}:{its ulid}`: one close per layaway, whichever register writes it. */
export const layawayCloseId = (layawayId: string) => `layaway_close:${layawayId.slice('layaway:'.length)}`;

export function buildLayawayClose(
  bits: RegisterBits,
  layaway: Pick<LayawayDoc, '_id' | 'lines'>,
  outcome: { kind: 'picked_up'; saleId: string } | { kind: 'cancelled'; refund: readonly Tender[]; feeKept: number },
  now: Date = new Date()
): LayawayCloseDoc {
  return {
    _id: layawayCloseId(layaway._id),
    type: 'layaway_close',
    locationCode: bits.locationCode,
    registerId: bits.registerId,
    ...(bits.shiftId ? { shiftId: bits.shiftId } : {}),
    cashierId: bits.cashierId,
    layawayId: layaway._id,
    outcome: outcome.kind,
    // exactly what the layaway reserved, so stock/reserved goes back to zero
    lines: layaway.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
    ...(outcome.kind === 'picked_up' ? { saleId: outcome.saleId, tenders: [], feeKept: 0 } : { tenders: cleanTenders(outcome.refund), feeKept: outcome.feeKept }),
    createdAt: now.toISOString()
  };
}

/**
 * The layaway's priced lines as cart lines for its pickup sale: fixed at what was agreed when it
 * opened (net = qty × unitPrice − discount, and its tax), so today's prices, discounts and tax
 * rate do not change the sale, and the cashier cannot edit them. Throws if the location's tax mode
 * changed since (the totals would no longer match the layaway).
 */
export function pickupCartLines(layaway: Pick<LayawayDoc, 'lines' | 'total'>, pricesIncludeTax: boolean, newLineId: () => string): CartLine[] {
  const lines = layaway.lines.map((l): CartLine => {
    const line: CartLine = {
      lineId: newLineId(),
      productId: l.productId,
      variantId: l.variantId,
      sku: l.sku,
      name: l.name,
      taxCategory: l.taxCategory ?? '',
      qty: l.qty,
      unitPrice: l.unitPrice,
      listPrice: l.listPrice ?? l.unitPrice,
      // the tax components recorded when it was opened, so the pickup sale reports them unchanged
      fixed: { net: l.qty * l.unitPrice - l.discount, tax: l.tax, ...(l.taxes ? { taxes: l.taxes } : {}) }
    };
    if (l.note !== undefined) line.note = l.note;
    return line;
  });
  const total = lines.reduce((a, l) => a + l.fixed!.net + (pricesIncludeTax ? 0 : l.fixed!.tax), 0);
  if (total !== layaway.total) throw new RangeError('The store’s tax setting changed since this layaway was opened, so its pickup cannot be priced; ask a manager.');
  return lines;
}

/**
 * The pickup sale's tenders: one `layaway` tender for everything already paid (reference: the
 * layaway), then whatever settled the balance (positive when the customer paid the rest, negative
 * when more had been paid than the total and the difference went back). The sale then satisfies
 * tenders − change = total + rounding with the balance payment's change and rounding.
 */
export function pickupPayment(status: Pick<LayawayStatus, 'paid' | 'balance'> & { layaway: Pick<LayawayDoc, '_id'> }, balancePayment: Payment | null): Payment {
  if (status.balance !== 0 && !balancePayment) throw new RangeError('the balance must be settled first');
  const tenders: Tender[] = status.paid !== 0 ? [{ kind: 'layaway', amount: status.paid, reference: status.layaway._id }] : [];
  if (balancePayment) tenders.push(...cleanTenders(balancePayment.tenders));
  return { tenders, change: balancePayment?.change ?? 0, rounding: balancePayment?.rounding ?? 0 };
}

const TENDER_NAMES: Record<Tender['kind'], string> = { cash: 'Cash', card_external: 'Card', card_stripe: 'Card', store_credit: 'Store credit', gift_card: 'Gift card', layaway: 'Layaway' };

/**
 * A layaway slip (deposit, payment or cancellation refund), printed through the session's
 * plain-text printer: these are not sales, so there is no sale receipt for them.
 */
export function layawaySlipLines(
  input: { layawayId: string; customer: string; total: number; paidBefore: number; tenders: readonly Tender[]; change: number; feeKept?: number; when: string },
  money: (minor: number) => string
): string[] {
  const moved = input.tenders.reduce((a, t) => a + t.amount, 0) - input.change;
  const paid = input.paidBefore + moved;
  const out = [`Layaway ${input.layawayId.slice(-8)}`, input.when, `Customer: ${input.customer}`, `Layaway total: ${money(input.total)}`, ''];
  for (const t of input.tenders) out.push(`${TENDER_NAMES[t.kind]}${t.amount < 0 ? ' refunded' : ''}: ${money(Math.abs(t.amount))}`);
  if (input.change > 0) out.push(`Change: ${money(input.change)}`);
  out.push('');
  if (input.feeKept !== undefined) {
    out.push(`Paid before: ${money(input.paidBefore)}`, `Cancellation fee kept: ${money(input.feeKept)}`, 'Layaway cancelled; items released.');
  } else {
    out.push(`Paid so far: ${money(paid)}`, `Balance: ${money(input.total - paid)}`);
  }
  return out;
}

/** Cash changed hands, so the drawer must open. */
export const movesCash = (tenders: readonly Tender[], change = 0) => change > 0 || tenders.some((t) => t.kind === 'cash');
