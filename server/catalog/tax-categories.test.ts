import { describe, expect, it } from 'vitest';
import { taxCategoryChoices } from './products.ts';

describe('tax category choices', () => {
  it('offers standard first, then what products use, rates exempt and tables have rules for, each once', () => {
    const tables = [
      {
        name: 'NYC',
        versions: [
          { components: [{ rules: { clothing: { kind: 'exempt_under' } } }, { rules: { clothing: {} } }] },
          { effectiveFrom: '2027-01-01', components: [{ rules: { 'kids-clothing': { kind: 'reduced' } } }] }
        ]
      }
    ];
    expect(taxCategoryChoices([{ key: 'clothing', value: 3 }, { key: 'food', value: 1 }], [{ name: 'NY 8.875%', exemptCategories: ['food'] }], tables)).toEqual([
      { id: 'standard', products: 0, exemptAt: [], ruledBy: [] },
      { id: 'clothing', products: 3, exemptAt: [], ruledBy: ['NYC'] },
      { id: 'food', products: 1, exemptAt: ['NY 8.875%'], ruledBy: [] },
      { id: 'kids-clothing', products: 0, exemptAt: [], ruledBy: ['NYC'] }
    ]);
  });
});
