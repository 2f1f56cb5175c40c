import { describe, expect, it } from 'vitest';
import { componentsOf, idFromName, rowsOf, rulesText } from './describe.ts';
import type { TaxComponent } from './types.ts';

const ny: TaxComponent[] = [
  { id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: { clothing: { kind: 'exempt_under', threshold: 11_000 } } },
  { id: 'de-vat', name: 'MwSt', kind: 'country', ratePpm: 190_000, rules: { food: { kind: 'reduced', ratePpm: 70_000 }, books: { kind: 'exempt' } } }
];

describe('tax rules as text and editor rows', () => {
  it('describes rules in the store’s money', () => {
    expect(rulesText(ny[0]!.rules, 'USD')).toBe('clothing: exempt under $110.00 an item');
    expect(rulesText(ny[1]!.rules, 'EUR')).toBe('food: reduced 7 %; books: exempt');
    expect(rulesText({ shoes: { kind: 'taxed_over', threshold: 17_500 } }, 'USD')).toBe('shoes: taxed over $175.00 an item');
    expect(rulesText(undefined, 'USD')).toBe('');
  });
  it('round-trips components through rows', () => {
    expect(componentsOf(rowsOf(ny, 'USD'), 'USD')).toEqual({ ok: true, components: ny });
    const jpy = rowsOf([{ ...ny[0]!, rules: { clothing: { kind: 'exempt_under', threshold: 11_000 } } }], 'JPY');
    expect(jpy[0]!.rules[0]!.value).toBe('11000');
  });
  it('names what cannot be read', () => {
    const rows = rowsOf(ny, 'USD');
    expect(componentsOf([{ ...rows[0]!, rate: 'abc' }], 'USD')).toMatchObject({ ok: false, message: expect.stringMatching(/^New York State: rate must be a percentage/) });
    expect(componentsOf([{ ...rows[0]!, rules: [{ category: 'clothing', kind: 'exempt_under', value: '1.234' }] }], 'USD')).toMatchObject({ ok: false, message: expect.stringMatching(/clothing: the price/) });
    expect(componentsOf([{ ...rows[0]!, rules: [{ category: ' ', kind: 'exempt', value: '' }] }], 'USD')).toMatchObject({ ok: false });
    expect(idFromName('New York City')).toBe('new-york-city');
  });
});
