import { describe, expect, it } from 'vitest';
import { API_KEY_SCOPES, formatApiKey, parseApiKey, scopedDbKinds } from './api-keys.ts';
import { PLANS, PLAN_LIST, checkPlanFeature, checkPlanLimit, planHighlights, planOf } from './plans.ts';

describe('plans', () => {
  it('are the three priced plans, cheapest first, limits growing', () => {
    expect(PLAN_LIST.map((p) => [p.id, p.priceMonthly])).toEqual([
      ['starter', 4900],
      ['pro', 14900],
      ['enterprise', 49900]
    ]);
    expect(PLANS.starter.limits).toEqual({ stores: 1, registers: 2 });
    expect(PLANS.pro.limits).toEqual({ stores: 5, registers: 20 });
    expect(PLANS.enterprise.limits).toEqual({ stores: null, registers: null });
    expect(PLAN_LIST.map((p) => p.features.apiKeys)).toEqual([false, false, true]);
  });

  it.each([
    ['starter', 'stores', 0, null],
    ['starter', 'stores', 1, 'Your Starter plan includes 1 store; upgrade to add more'],
    ['starter', 'registers', 1, null],
    ['starter', 'registers', 2, 'Your Starter plan includes 2 registers; upgrade to enrol more'],
    ['pro', 'stores', 4, null],
    ['pro', 'stores', 5, 'Your Pro plan includes 5 stores; upgrade to add more'],
    ['pro', 'registers', 20, 'Your Pro plan includes 20 registers; upgrade to enrol more'],
    ['enterprise', 'stores', 10_000, null],
    ['enterprise', 'registers', 10_000, null]
  ] as const)('%s with %s = %i: %s', (plan, kind, current, message) => {
    const v = checkPlanLimit(PLANS[plan], kind, current);
    expect(v.ok ? null : v.message).toBe(message);
  });

  it('API keys are an Enterprise feature, and the refusal names the plan to upgrade to', () => {
    expect(checkPlanFeature(PLANS.enterprise, 'apiKeys')).toEqual({ ok: true });
    expect(checkPlanFeature(PLANS.pro, 'apiKeys')).toEqual({
      ok: false,
      message: 'API keys come with the Enterprise plan; your Pro plan does not include them. Upgrade to use them'
    });
  });

  it('an unknown plan id gets the smallest plan', () => {
    expect(planOf('gold').id).toBe('starter');
    expect(planOf('pro').id).toBe('pro');
  });

  it('highlights read as a card', () => {
    expect(planHighlights(PLANS.starter)).toEqual(['1 store', '2 registers', 'Offline registers, stock counts and transfers, reports', 'No API keys']);
    expect(planHighlights(PLANS.enterprise).slice(0, 2)).toEqual(['Unlimited stores', 'Unlimited registers']);
  });
});

describe('API key tokens and scopes', () => {
  const id = '01JD0000000000000000000000';
  const secret = 'a'.repeat(43);

  it('round-trips the key id and refuses anything else', () => {
    expect(parseApiKey(formatApiKey(id, secret))).toEqual({ keyId: id });
    for (const bad of ['', 'pk_', `pk_${id}`, `pk_${id}_short`, `sk_${id}_${secret}`, `pk_${id.toLowerCase()}_${secret}`, `pk_${id}_${secret}x`]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it('scopes open read access to named database kinds only', () => {
    expect([...scopedDbKinds(['catalog:read'])]).toEqual(['catalog']);
    expect(scopedDbKinds([...API_KEY_SCOPES])).toEqual(new Set(['catalog', 'location', 'customers']));
    expect(scopedDbKinds([]).size).toBe(0);
  });
});
