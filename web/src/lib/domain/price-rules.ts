/**
 * Price rules at the register: the best applicable active rule gives a line its price at the sale
 * time. Pure and offline (rules come with the catalog replica). A line a cashier re-priced by hand
 * (unitPrice ≠ listPrice), a returned line and a fixed refund line are left alone; a line discount
 * and the order discount still apply on top of the rule's price. No rules: the lines come back as
 * they were (the same array), so a tenant without rules prices exactly as before.
 */
import type { CartLine } from './cart.ts';
import { mulDivRound } from './money.ts';
import type { PriceRuleDoc } from './schemas/pricing.ts';

export type PriceRule = Pick<PriceRuleDoc, '_id' | 'name' | 'discount' | 'target' | 'startsAt' | 'endsAt' | 'active'>;

export interface PricingContext {
  rules: readonly PriceRule[];
  /** the sale time, ISO-8601 */
  at: string;
  /** the sale's customer's group; group rules apply only with a customer of that group */
  customerGroup?: string | null;
  /** a product's category (the register's catalog index knows it; cart lines do not carry it) */
  categoryOf: (productId: string) => string | undefined;
}

/** Active, and `at` within [startsAt, endsAt). */
export function ruleIsLive(rule: PriceRule, at: string): boolean {
  if (!rule.active) return false;
  const t = Date.parse(at);
  if (rule.startsAt && t < Date.parse(rule.startsAt)) return false;
  if (rule.endsAt && t >= Date.parse(rule.endsAt)) return false;
  return true;
}

export function ruleTargets(rule: PriceRule, item: { productId: string; categoryId?: string | undefined }, customerGroup?: string | null): boolean {
  switch (rule.target.kind) {
    case 'product':
      return rule.target.productId === item.productId;
    case 'category':
      return item.categoryId !== undefined && rule.target.categoryId === item.categoryId;
    case 'customer_group':
      return !!customerGroup && rule.target.group.toLowerCase() === customerGroup.toLowerCase();
  }
}

/** Minor units off one unit at `unitPrice`: a percentage rounds half up; never more than the price. */
export function unitDiscount(rule: PriceRule, unitPrice: number): number {
  const off = rule.discount.kind === 'percent' ? mulDivRound(unitPrice, rule.discount.value, 10_000, 'half_up') : rule.discount.value;
  return Math.max(0, Math.min(unitPrice, off));
}

/** The rule giving the lowest price (ties: the smaller id, so every register picks the same one), or null. */
export function bestRule(
  rules: readonly PriceRule[],
  item: { productId: string; categoryId?: string | undefined; listPrice: number },
  at: string,
  customerGroup?: string | null
): { rule: PriceRule; unitPrice: number } | null {
  let best: { rule: PriceRule; unitPrice: number } | null = null;
  for (const rule of rules) {
    if (!ruleIsLive(rule, at) || !ruleTargets(rule, item, customerGroup)) continue;
    const unitPrice = item.listPrice - unitDiscount(rule, item.listPrice);
    if (unitPrice >= item.listPrice) continue;
    if (!best || unitPrice < best.unitPrice || (unitPrice === best.unitPrice && rule._id < best.rule._id)) best = { rule, unitPrice };
  }
  return best;
}

/** Lines priced by the rules (see the header for which lines a rule may touch). */
export function applyPriceRules(lines: readonly CartLine[], ctx: PricingContext): readonly CartLine[] {
  if (ctx.rules.length === 0) return lines;
  const live = ctx.rules.filter((r) => ruleIsLive(r, ctx.at));
  if (live.length === 0) return lines;
  return lines.map((l) => {
    if (l.qty <= 0 || l.fixed || l.returnOf || l.unitPrice !== l.listPrice) return l;
    const hit = bestRule(live, { productId: l.productId, categoryId: ctx.categoryOf(l.productId), listPrice: l.listPrice }, ctx.at, ctx.customerGroup);
    return hit ? { ...l, unitPrice: hit.unitPrice } : l;
  });
}

/** Where a rule stands at `at`, for the admin list. */
export function ruleState(rule: PriceRule, at: string): 'live' | 'scheduled' | 'ended' | 'inactive' {
  if (!rule.active) return 'inactive';
  const t = Date.parse(at);
  if (rule.startsAt && t < Date.parse(rule.startsAt)) return 'scheduled';
  if (rule.endsAt && t >= Date.parse(rule.endsAt)) return 'ended';
  return 'live';
}
