import { describe, expect, it } from 'vitest';
import type { CartLine } from './cart.ts';
import { priceCart } from './cart.ts';
import { applyPriceRules, bestRule, ruleIsLive, unitDiscount, type PriceRule, type PricingContext } from './price-rules.ts';
import { priceRuleSchema } from './schemas/pricing.ts';

const rule = (over: Partial<PriceRule> & Pick<PriceRule, '_id'>): PriceRule => ({
  name: over._id,
  discount: { kind: 'percent', value: 1000 },
  target: { kind: 'category', categoryId: 'category:tops' },
  active: true,
  ...over
});
const line = (over: Partial<CartLine> = {}): CartLine => ({
  lineId: 'l1',
  productId: 'product:tee',
  variantId: 'tee-v01',
  sku: 'TEE',
  name: 'Tee',
  taxCategory: 'clothing',
  qty: 2,
  unitPrice: 2000,
  listPrice: 2000,
  ...over
});
const ctx = (rules: PriceRule[], over: Partial<PricingContext> = {}): PricingContext => ({
  rules,
  at: '2026-06-01T12:00:00.000Z',
  categoryOf: (p) => (p === 'product:tee' ? 'category:tops' : 'category:other'),
  ...over
});
const TAX = { ratePpm: 0, exemptCategories: [], pricesIncludeTax: false, rounding: 'line' as const, roundingMode: 'half_up' as const };

describe('scheduling', () => {
  const r = rule({ _id: 'price_rule:a', startsAt: '2026-06-01T00:00:00.000Z', endsAt: '2026-06-08T00:00:00.000Z' });
  it('starts inclusive, ends exclusive; inactive never', () => {
    expect(ruleIsLive(r, '2026-05-31T23:59:59.999Z')).toBe(false);
    expect(ruleIsLive(r, '2026-06-01T00:00:00.000Z')).toBe(true);
    expect(ruleIsLive(r, '2026-06-07T23:59:59.999Z')).toBe(true);
    expect(ruleIsLive(r, '2026-06-08T00:00:00.000Z')).toBe(false);
    expect(ruleIsLive({ ...r, active: false }, '2026-06-02T00:00:00.000Z')).toBe(false);
    expect(ruleIsLive(rule({ _id: 'price_rule:open' }), '1999-01-01T00:00:00.000Z')).toBe(true);
  });
  it('offsets in the timestamps count (a sale at 01:30+02:00 is before a 00:00Z start)', () => {
    expect(ruleIsLive(r, '2026-06-01T01:30:00.000+02:00')).toBe(false);
  });
});

describe('best rule', () => {
  it('category vs product: the lower price wins, ties by id', () => {
    const cat = rule({ _id: 'price_rule:cat', discount: { kind: 'percent', value: 1000 } }); // 10 % of 20.00 = 2.00
    const prod = rule({ _id: 'price_rule:prod', discount: { kind: 'amount', value: 500 }, target: { kind: 'product', productId: 'product:tee' } });
    expect(bestRule([cat, prod], { productId: 'product:tee', categoryId: 'category:tops', listPrice: 2000 }, '2026-06-01T00:00:00Z')).toMatchObject({ rule: { _id: 'price_rule:prod' }, unitPrice: 1500 });
    const tie = rule({ _id: 'price_rule:aaa', discount: { kind: 'amount', value: 200 } });
    expect(bestRule([cat, tie], { productId: 'product:tee', categoryId: 'category:tops', listPrice: 2000 }, '2026-06-01T00:00:00Z')!.rule._id).toBe('price_rule:aaa');
    expect(bestRule([cat], { productId: 'product:x', categoryId: 'category:other', listPrice: 2000 }, '2026-06-01T00:00:00Z')).toBeNull();
  });

  it('a customer-group rule applies only with a customer of that group', () => {
    const vip = rule({ _id: 'price_rule:vip', discount: { kind: 'percent', value: 1500 }, target: { kind: 'customer_group', group: 'VIP' } });
    const item = { productId: 'product:tee', categoryId: 'category:tops', listPrice: 2000 };
    expect(bestRule([vip], item, '2026-06-01T00:00:00Z')).toBeNull();
    expect(bestRule([vip], item, '2026-06-01T00:00:00Z', 'staff')).toBeNull();
    expect(bestRule([vip], item, '2026-06-01T00:00:00Z', 'vip')).toMatchObject({ unitPrice: 1700 });
  });

  it('percent rounds half up; an amount never takes the price below zero', () => {
    expect(unitDiscount(rule({ _id: 'p', discount: { kind: 'percent', value: 1250 } }), 999)).toBe(125); // 124.875
    expect(unitDiscount(rule({ _id: 'p', discount: { kind: 'amount', value: 5000 } }), 999)).toBe(999);
  });
});

describe('applyPriceRules', () => {
  const sale = rule({ _id: 'price_rule:sale', discount: { kind: 'percent', value: 2500 } });

  it('no rules, or none live: the very same lines (the register prices as before)', () => {
    const lines = [line()];
    expect(applyPriceRules(lines, ctx([]))).toBe(lines);
    expect(applyPriceRules(lines, ctx([{ ...sale, active: false }]))).toBe(lines);
    expect(applyPriceRules(lines, ctx([{ ...sale, startsAt: '2026-06-02T00:00:00.000Z' }]))).toBe(lines);
  });

  it('re-prices eligible lines; leaves overrides, returns and fixed lines alone; discounts stack on top', () => {
    const lines = [
      line(),
      line({ lineId: 'l2', unitPrice: 1800 }), // cashier override
      line({ lineId: 'l3', qty: -1 }), // return
      line({ lineId: 'l4', productId: 'product:mug' }), // another category
      line({ lineId: 'l5', discount: { kind: 'percent', value: 1000 } })
    ];
    const out = applyPriceRules(lines, ctx([sale]));
    expect(out.map((l) => l.unitPrice)).toEqual([1500, 1800, 2000, 2000, 1500]);
    const totals = priceCart(out, null, TAX);
    // the sale line keeps the catalog price next to the rule's
    expect(totals.lines[0]).toMatchObject({ unitPrice: 1500, listPrice: 2000, total: 3000 });
    expect(totals.lines[4]).toMatchObject({ unitPrice: 1500, discount: 300, total: 2700 });
  });
});

describe('price_rule schema', () => {
  const doc = {
    _id: 'price_rule:01',
    type: 'price_rule',
    name: 'Summer',
    discount: { kind: 'percent', value: 2000 },
    target: { kind: 'category', categoryId: 'category:tops' },
    startsAt: '2026-06-01T00:00:00.000Z',
    endsAt: '2026-07-01T00:00:00.000Z',
    active: true,
    updatedAt: '2026-05-01T00:00:00.000Z',
    updatedBy: 'user:u'
  };
  it('accepts a rule and refuses an end before its start, a 0 or >100 % discount, an unknown target', () => {
    expect(priceRuleSchema.safeParse(doc).success).toBe(true);
    expect(priceRuleSchema.safeParse({ ...doc, endsAt: '2026-05-01T00:00:00.000Z' }).error?.issues[0]?.path).toEqual(['endsAt']);
    expect(priceRuleSchema.safeParse({ ...doc, discount: { kind: 'percent', value: 0 } }).success).toBe(false);
    expect(priceRuleSchema.safeParse({ ...doc, discount: { kind: 'percent', value: 10_001 } }).success).toBe(false);
    expect(priceRuleSchema.safeParse({ ...doc, target: { kind: 'brand', brand: 'x' } }).success).toBe(false);
  });
});
