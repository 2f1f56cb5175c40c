/**
 * The setup wizard's checklist (issue 5, "setup wizard"): each step's state is derived from the
 * tenant's data, never stored, so a step done elsewhere (a CSV import from the catalog page, a
 * register enrolled from settings) shows as done here too, and nothing can drift.
 */
export const SETUP_STEPS = ['locations', 'products', 'staff', 'taxes', 'payments', 'devices'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/** What the server counts in the tenant's databases to judge the steps. */
export interface SetupFacts {
  locations: { code: string; address: string; hasTaxRate: boolean }[];
  products: number;
  /** staff directory entries other than the owner who signed up */
  otherStaff: number;
  /** the tenant confirmed its payment settings (settings.paymentsConfirmedAt) */
  paymentsConfirmed: boolean;
  registers: number;
}

export interface StepState {
  step: SetupStep;
  done: boolean;
  /** one line a manager reads next to the step: what is there, or what is missing */
  summary: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function setupSteps(f: SetupFacts): StepState[] {
  const noAddress = f.locations.filter((l) => !l.address.trim()).map((l) => l.code);
  const noTax = f.locations.filter((l) => !l.hasTaxRate).map((l) => l.code);
  return [
    {
      step: 'locations',
      done: f.locations.length > 0 && noAddress.length === 0,
      summary:
        f.locations.length === 0
          ? 'No locations yet'
          : noAddress.length > 0
            ? `${plural(f.locations.length, 'location')}; missing an address: ${noAddress.join(', ')}`
            : plural(f.locations.length, 'location')
    },
    { step: 'products', done: f.products > 0, summary: f.products > 0 ? plural(f.products, 'product') : 'No products yet' },
    { step: 'staff', done: f.otherStaff > 0, summary: f.otherStaff > 0 ? `${plural(f.otherStaff, 'staff member')} besides you` : 'Only you so far' },
    {
      step: 'taxes',
      done: f.locations.length > 0 && noTax.length === 0,
      summary: f.locations.length === 0 ? 'Add a location first' : noTax.length > 0 ? `No tax rate at ${noTax.join(', ')}` : 'Every location has a tax rate'
    },
    { step: 'payments', done: f.paymentsConfirmed, summary: f.paymentsConfirmed ? 'Payment methods confirmed' : 'Not confirmed yet' },
    { step: 'devices', done: f.registers > 0, summary: f.registers > 0 ? plural(f.registers, 'register') + ' enrolled' : 'No register enrolled yet' }
  ];
}

/** The first step not done yet (where the wizard opens), or null when setup is complete. */
export function nextStep(steps: readonly StepState[]): SetupStep | null {
  return steps.find((s) => !s.done)?.step ?? null;
}
