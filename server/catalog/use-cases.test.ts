import { describe, expect, it } from 'vitest';
import { cashier, failure, gmManager as manager, register, untouchable } from '../../tests/support/use-cases.ts';
import { exportCatalog, importCatalogCsv } from './csv-import.ts';
import { storeImage } from './images.ts';
import { categoriesFor, imageFor, newBarcodes, priceRulesFor, productFor, productsFor, taxCategoriesFor } from './queries.ts';
import { createPriceRule, deletePriceRule, updatePriceRule } from './price-rules.ts';
import { createCategory, createProduct, deleteCategory, setProductStatus, updateCategory, updateProduct } from './products.ts';

describe('catalog writes check their own caller, whoever calls them', () => {
  it('refuses a caller without catalog:edit before reading the input or the store', async () => {
    for (const principal of [cashier, register]) {
      const caller = { principal };
      const refusals = [
        createProduct(untouchable, caller, { nonsense: true }),
        updateProduct(untouchable, caller, 'product:x', {}),
        setProductStatus(untouchable, caller, 'product:x', 'archived', {}),
        createCategory(untouchable, caller, {}),
        updateCategory(untouchable, caller, 'category:x', {}),
        deleteCategory(untouchable, caller, 'category:x', {}),
        createPriceRule(untouchable, caller, {}),
        updatePriceRule(untouchable, caller, 'price_rule:x', {}),
        deletePriceRule(untouchable, caller, 'price_rule:x', {}),
        storeImage(untouchable, caller, Buffer.alloc(0), 'image/png'),
        importCatalogCsv(untouchable, caller, 'not,a,catalog', { dryRun: false }),
        exportCatalog(untouchable, caller),
        productsFor(untouchable, principal, { page: 1, pageSize: 25 } as never),
        productFor(untouchable, principal, 'product:x'),
        newBarcodes(untouchable, principal, 1, []),
        taxCategoriesFor(untouchable, principal),
        categoriesFor(untouchable, principal),
        imageFor(untouchable, principal, 'image:x'),
        priceRulesFor(untouchable, principal)
      ];
      for (const r of refusals) expect((await failure(r)).status).toBe(403);
    }
    expect((await failure(createProduct(untouchable, { principal: cashier }, {}))).message).toBe('Creating a product needs the catalog:edit permission');
  });

  it('a permitted caller with bad input gets a 400 naming the problem, without touching the store', async () => {
    const err = await failure(deleteCategory(untouchable, { principal: manager }, 'category:x', {}));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/rev/);
  });
});
