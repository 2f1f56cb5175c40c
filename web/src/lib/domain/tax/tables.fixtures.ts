import type { TaxComponent, TaxTable } from './types.ts';

/**
 * Tax tables the tests share (engine, cart, report). New York City (rates as of 2026, illustrative):
 * the state's 4 %, the city's 4.5 % and the MCTD's 0.375 % all exempt clothing and footwear under
 * $110 an item, so such an item is tax-free there.
 */
export const UNDER_110 = { clothing: { kind: 'exempt_under', threshold: 11_000 } } as const;

export const NYC_COMPONENTS: TaxComponent[] = [
  { id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: UNDER_110 },
  { id: 'nyc', name: 'New York City', kind: 'city', ratePpm: 45_000, rules: UNDER_110 },
  { id: 'ny-mctd', name: 'MCTD', kind: 'special', ratePpm: 3_750, rules: UNDER_110 }
];

export const NYC: TaxTable = { versions: [{ components: NYC_COMPONENTS }] };
