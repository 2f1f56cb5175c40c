/** Catalog CSV, the export (docs/CSV.md): the catalog as a file the import reads back unchanged. */
import { toCsv } from './csv.ts';
import { toDecimalString } from './money.ts';
import { productIdSuffix } from './schemas/catalog.ts';
import type { CategoryDoc, ProductDoc } from './catalog-csv-plan.ts';

/**
 * The catalog in the import format: one row per variant, products by id, variants in their order,
 * the product's fields on every row. Importing the result into the same catalog changes nothing.
 */
export function exportCatalogCsv(products: readonly ProductDoc[], categories: readonly CategoryDoc[], fractionDigits = 2): string {
  const categoryName = new Map(categories.map((c) => [c._id, c.name]));
  const sorted = [...products].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  const optionNamesOf = (p: ProductDoc) => {
    const names = p.options.map((o) => o.name);
    for (const v of p.variants) for (const k of Object.keys(v.options)) if (!names.includes(k)) names.push(k);
    return names;
  };
  const width = Math.max(3, ...sorted.map((p) => optionNamesOf(p).length));
  const optionHeader: string[] = [];
  for (let k = 1; k <= width; k++) optionHeader.push(`option${k}_name`, `option${k}_value`);
  const rows: string[][] = [['handle', 'name', 'category', 'tax_category', 'status', ...optionHeader, 'sku', 'barcode', 'price', 'cost', 'active']];
  for (const p of sorted) {
    const handle = productIdSuffix(p._id);
    const names = optionNamesOf(p);
    const category = categoryName.get(p.categoryId) ?? p.categoryId.replace(/^category:/, '');
    for (const v of p.variants) {
      const opts: string[] = [];
      for (let k = 0; k < width; k++) {
        const nm = names[k];
        opts.push(nm ?? '', nm ? (v.options[nm] ?? '') : '');
      }
      rows.push([
        handle,
        p.name,
        category,
        p.taxCategory,
        p.status,
        ...opts,
        v.sku,
        v.barcode ?? '',
        toDecimalString(v.price, fractionDigits),
        v.cost === undefined ? '' : toDecimalString(v.cost, fractionDigits),
        v.active === false ? 'false' : 'true'
      ]);
    }
  }
  return toCsv(rows);
}
