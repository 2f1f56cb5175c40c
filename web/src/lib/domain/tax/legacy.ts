/**
 * A single-rate location (a `tax_rate` document: one rate, exempt categories) as a one-component
 * tax table, so locations configured before tax tables existed price through the same engine to the
 * same cent (cart.test.ts is the judge).
 */
import type { TaxTable } from './types.ts';

export interface SingleRate {
  /** the rate's id (its tax_rate document), used as the component's jurisdiction id */
  id: string;
  name: string;
  ratePpm: number;
  exemptCategories: readonly string[];
}

export function tableFromSingleRate(rate: SingleRate): TaxTable {
  return {
    versions: [
      {
        components: [
          {
            id: rate.id,
            name: rate.name,
            // a single rate says nothing about which jurisdiction it is; 'state' is what reports group it under
            kind: 'state',
            ratePpm: rate.ratePpm,
            rules: Object.fromEntries(rate.exemptCategories.map((c) => [c, { kind: 'exempt' as const }]))
          }
        ]
      }
    ]
  };
}
