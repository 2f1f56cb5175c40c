import { describe, expect, it } from 'vitest';
import { nextStep, setupSteps, type SetupFacts } from './setup.ts';

const fresh: SetupFacts = { locations: [{ code: 'MAIN', address: '', hasTaxRate: false }], products: 0, otherStaff: 0, paymentsConfirmed: false, registers: 0 };

describe('setup steps', () => {
  it('a fresh sign-up starts at locations, whose address is still missing', () => {
    const steps = setupSteps(fresh);
    expect(steps.map((s) => s.done)).toEqual([false, false, false, false, false, false]);
    expect(steps[0]!.summary).toBe('1 location; missing an address: MAIN');
    expect(nextStep(steps)).toBe('locations');
  });

  it('taxes are done only when every location has a rate', () => {
    const steps = setupSteps({
      ...fresh,
      locations: [
        { code: 'GM', address: '1 Main St', hasTaxRate: true },
        { code: 'HM', address: '2 High St', hasTaxRate: false }
      ]
    });
    const taxes = steps.find((s) => s.step === 'taxes')!;
    expect(taxes.done).toBe(false);
    expect(taxes.summary).toBe('No tax rate at HM');
    expect(steps[0]!.done).toBe(true);
    expect(nextStep(steps)).toBe('products');
  });

  it('no location means neither locations nor taxes are done', () => {
    const steps = setupSteps({ ...fresh, locations: [] });
    expect(steps[0]!.done).toBe(false);
    expect(steps.find((s) => s.step === 'taxes')!.summary).toBe('Add a location first');
  });

  it('everything in place completes setup', () => {
    const steps = setupSteps({ locations: [{ code: 'GM', address: 'x', hasTaxRate: true }], products: 3, otherStaff: 1, paymentsConfirmed: true, registers: 2 });
    expect(steps.every((s) => s.done)).toBe(true);
    expect(nextStep(steps)).toBeNull();
    expect(steps.find((s) => s.step === 'devices')!.summary).toBe('2 registers enrolled');
    expect(steps.find((s) => s.step === 'staff')!.summary).toBe('1 staff member besides you');
  });
});
