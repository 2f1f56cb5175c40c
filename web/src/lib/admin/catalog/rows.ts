import { barcodeProblem } from '../../domain/catalog-edit.ts';
import { parseMoney, toDecimalString } from '../../domain/money.ts';
import type { MatrixVariant } from '../../domain/variant-matrix.ts';

/**
 * The editor's variant rows: a variant plus the text the manager is typing (prices stay text until
 * saved, so "12." is not rewritten under their cursor). Pure helpers; the page holds the state.
 */
export interface Row extends MatrixVariant {
  priceText: string;
  costText: string;
}

export function toRow(v: MatrixVariant & Partial<Pick<Row, 'priceText' | 'costText'>>): Row {
  return {
    ...v,
    barcode: v.barcode ?? '',
    priceText: v.priceText ?? toDecimalString(v.price),
    costText: v.costText ?? (v.cost !== undefined ? toDecimalString(v.cost) : '')
  };
}

export interface RowProblem {
  row: number;
  field: 'sku' | 'barcode' | 'price' | 'cost';
  message: string;
}

export function rowProblems(rows: readonly Row[]): RowProblem[] {
  const out: RowProblem[] = [];
  rows.forEach((r, i) => {
    if (!r.sku.trim()) out.push({ row: i, field: 'sku', message: 'SKU is required' });
    const b = barcodeProblem(r.barcode ?? '');
    if (b) out.push({ row: i, field: 'barcode', message: b });
    const p = parseMoney(r.priceText);
    if (p === null || p < 0) out.push({ row: i, field: 'price', message: 'Price must be an amount like 19.99' });
    if (r.costText.trim()) {
      const c = parseMoney(r.costText);
      if (c === null || c < 0) out.push({ row: i, field: 'cost', message: 'Cost must be an amount like 7.50, or empty' });
    }
  });
  return out;
}

/** Rows as the API takes them (call only when rowProblems is empty). */
export function rowsToVariants(rows: readonly Row[], keepIds: boolean) {
  return rows.map((r) => {
    const cost = r.costText.trim() ? parseMoney(r.costText) : null;
    return {
      ...(keepIds ? { id: r.id } : {}),
      sku: r.sku.trim(),
      ...(r.barcode?.trim() ? { barcode: r.barcode.trim() } : {}),
      options: r.options,
      price: parseMoney(r.priceText) ?? 0,
      ...(cost !== null ? { cost } : {}),
      active: r.active
    };
  });
}

/** Row prices parsed where they parse (buildVariants carries the rest through unchanged). */
export function withParsedPrices(rows: readonly Row[]): Row[] {
  return rows.map((r) => ({ ...r, price: parseMoney(r.priceText) ?? r.price }));
}
