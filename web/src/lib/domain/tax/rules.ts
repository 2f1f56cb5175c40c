/**
 * One component's treatment of one line (types.ts, TaxRule, documents each rule): whether it taxes
 * the line at all, at which rate, and on which part of the net.
 */
import type { TaxComponent, TaxRule } from './types.ts';

export interface Basis {
  /** rate applied, ppm */
  ratePpm: number;
  /** the part of the net taxed, same sign as the net (all of it unless a taxed_over rule) */
  base: number;
}

const TAXABLE: TaxRule = { kind: 'taxable' };

/** The rule a component has for a category (taxable when it has none). */
export function ruleFor(component: TaxComponent, taxCategory: string): TaxRule {
  return Object.hasOwn(component.rules, taxCategory) ? component.rules[taxCategory]! : TAXABLE;
}

/** How `component` taxes a line of `qty` units whose net is `net`; null when it exempts the line. */
export function basisOf(component: TaxComponent, taxCategory: string, qty: number, net: number): Basis | null {
  const rule = ruleFor(component, taxCategory);
  // A returned (negative) line is judged by the same unit price as the sale it mirrors.
  const units = Math.abs(qty);
  const amount = Math.abs(net);
  switch (rule.kind) {
    case 'taxable':
      return { ratePpm: component.ratePpm, base: net };
    case 'exempt':
      return null;
    case 'reduced':
      return { ratePpm: rule.ratePpm, base: net };
    case 'exempt_under':
      // unit price < threshold, compared exactly as amount < threshold × units
      return amount < rule.threshold * units ? null : { ratePpm: component.ratePpm, base: net };
    case 'taxed_over': {
      const above = Math.max(0, amount - rule.threshold * units);
      return { ratePpm: component.ratePpm, base: net < 0 ? -above || 0 : above };
    }
  }
}
