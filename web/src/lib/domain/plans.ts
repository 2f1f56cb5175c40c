/**
 * Subscription plans as data (issue 5, "Tenant journey"). Pure: the sign-up page shows these cards
 * and the server enforces the same limits, so what a retailer is sold and what they get cannot drift.
 * The tenant document (`tenant:{id}` in `platform`) records the plan id.
 */
export const PLAN_IDS = ['starter', 'pro', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

/** What a plan counts. `null` = unlimited. */
export type PlanLimit = 'stores' | 'registers';
/** What a plan switches on or off. */
export type PlanFeature = 'apiKeys';

export interface Plan {
  id: PlanId;
  name: string;
  /** per month, integer minor units of `currency` (DESIGN.md §10) */
  priceMonthly: number;
  currency: 'USD';
  limits: Readonly<Record<PlanLimit, number | null>>;
  features: Readonly<Record<PlanFeature, boolean>>;
  /** one line for the plan card */
  tagline: string;
}

export const PLANS: Readonly<Record<PlanId, Plan>> = {
  starter: {
    id: 'starter',
    name: 'Starter',
    priceMonthly: 4900,
    currency: 'USD',
    limits: { stores: 1, registers: 2 },
    features: { apiKeys: false },
    tagline: 'One shop, a couple of tills.'
  },
  pro: {
    id: 'pro',
    name: 'Pro',
    priceMonthly: 14900,
    currency: 'USD',
    limits: { stores: 5, registers: 20 },
    features: { apiKeys: false },
    tagline: 'A growing chain with stock moving between stores.'
  },
  enterprise: {
    id: 'enterprise',
    name: 'Enterprise',
    priceMonthly: 49900,
    currency: 'USD',
    limits: { stores: null, registers: null },
    features: { apiKeys: true },
    tagline: 'Any number of stores, with API access for your own systems.'
  }
};

export const PLAN_LIST: readonly Plan[] = PLAN_IDS.map((id) => PLANS[id]);

export function isPlanId(id: string): id is PlanId {
  return (PLAN_IDS as readonly string[]).includes(id);
}

/** The plan a tenant document names; an unknown id (a hand-edited document) gets the smallest plan. */
export function planOf(id: string): Plan {
  return isPlanId(id) ? PLANS[id] : PLANS.starter;
}

const NOUNS: Record<PlanLimit, [one: string, many: string, verb: string]> = {
  stores: ['store', 'stores', 'add'],
  registers: ['register', 'registers', 'enrol']
};

function countOf(n: number, kind: PlanLimit): string {
  const [one, many] = NOUNS[kind];
  return `${n} ${n === 1 ? one : many}`;
}

/** Human lines for a plan card: limits first, then features. */
export function planHighlights(plan: Plan): string[] {
  const limit = (kind: PlanLimit) => {
    const n = plan.limits[kind];
    return n === null ? `Unlimited ${NOUNS[kind][1]}` : countOf(n, kind);
  };
  return [
    limit('stores'),
    limit('registers'),
    // only what works today: RFID counting arrives with the RFID app (issue: never advertise what does not work)
    'Offline registers, stock counts and transfers, reports',
    plan.features.apiKeys ? 'API keys for your own systems' : 'No API keys'
  ];
}

/**
 * Whether a tenant on `plan` that has `current` of `kind` may add one more. The message says what the
 * plan includes and what to do, e.g. "Your Starter plan includes 1 store; upgrade to add more".
 */
export function checkPlanLimit(plan: Plan, kind: PlanLimit, current: number): { ok: true } | { ok: false; message: string } {
  const max = plan.limits[kind];
  if (max === null || current < max) return { ok: true };
  return { ok: false, message: `Your ${plan.name} plan includes ${countOf(max, kind)}; upgrade to ${NOUNS[kind][2]} more` };
}

const FEATURE_NAMES: Record<PlanFeature, string> = { apiKeys: 'API keys' };

/** The cheapest plan that has a feature, for the upgrade message. */
function cheapestWith(feature: PlanFeature): Plan | undefined {
  return PLAN_LIST.find((p) => p.features[feature]);
}

export function checkPlanFeature(plan: Plan, feature: PlanFeature): { ok: true } | { ok: false; message: string } {
  if (plan.features[feature]) return { ok: true };
  const needed = cheapestWith(feature);
  return {
    ok: false,
    message: `${FEATURE_NAMES[feature]} come with the ${needed?.name ?? 'a higher'} plan; your ${plan.name} plan does not include them. Upgrade to use them`
  };
}
