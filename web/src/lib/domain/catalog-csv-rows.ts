/**
 * Catalog CSV, the rows (docs/CSV.md): the columns a file may have, the header check, and each data
 * row read on its own against the row schema (then SKUs and barcodes unique within the file). What the
 * rows mean for the catalog is catalog-csv-plan.ts.
 */
import { z } from 'zod';
import type { CsvRecord, CsvRowError } from './csv-read.ts';
import { isValidGtin } from './gtin.ts';
import { parseMoney, toDecimalString } from './money.ts';
import { humanText } from './schemas/text.ts';

export const BASE_COLUMNS = ['handle', 'name', 'category', 'tax_category', 'status', 'sku', 'barcode', 'price', 'cost', 'active'] as const;
export const REQUIRED_COLUMNS = ['handle', 'name', 'category', 'tax_category', 'sku', 'price'] as const;
type BaseColumn = (typeof BASE_COLUMNS)[number];
const OPTION_COLUMN = /^option([1-9][0-9]?)_(name|value)$/;

/** "Tax Category" / "tax-category" / " TAX_CATEGORY " → "tax_category". */
export function normaliseHeader(h: string): string {
  return h.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** Handles become ids (`product:{handle}`, variants `{handle}-{n}` ≤ 40 characters). */
export const HANDLE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,33}$/;

const trimmed = z.string().transform((v) => v.trim());
const money = (what: string, digits: number) =>
  trimmed.transform((v, ctx) => {
    if (v === '') return undefined;
    const m = parseMoney(v, digits);
    if (m === null) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not ${what} (e.g. ${toDecimalString(1999, digits)}, at most ${digits} decimals)` });
      return z.NEVER;
    }
    if (m < 0) {
      ctx.addIssue({ code: 'custom', message: 'must not be negative' });
      return z.NEVER;
    }
    return m;
  });

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

/** One data row, column by column; every issue's path is its column. */
export function rowSchema(optionIndexes: number[], digits: number) {
  const shape: Record<string, z.ZodType> = {
    handle: trimmed.pipe(z.string().min(1, 'is required').regex(HANDLE_PATTERN, 'must be letters, digits, "-" or "_" (at most 34 characters), starting with a letter or digit')),
    name: trimmed.pipe(z.string().max(200, 'is longer than 200 characters')).pipe(humanText(200)),
    category: trimmed.pipe(z.string().max(80, 'is longer than 80 characters')).pipe(humanText(80)),
    tax_category: trimmed.pipe(z.string().max(40, 'is longer than 40 characters')).pipe(humanText(40)),
    status: trimmed.transform((v) => v.toLowerCase()).pipe(z.enum(['', 'active', 'archived'], { message: 'must be active or archived' })),
    sku: trimmed.pipe(z.string().min(1, 'is required').max(64, 'is longer than 64 characters')).pipe(humanText(64)),
    barcode: trimmed.refine((v) => v === '' || isValidGtin(v), {
      message: 'must be a GTIN-8/12/13/14 (digits only) with a valid check digit'
    }),
    price: money('a price', digits).refine((v) => v !== undefined, 'is required'),
    cost: money('a cost', digits),
    active: trimmed.transform((v, ctx) => {
      const l = v.toLowerCase();
      if (l === '') return undefined;
      if (TRUE.has(l)) return true;
      if (FALSE.has(l)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    })
  };
  for (const k of optionIndexes) {
    shape[`option${k}_name`] = trimmed.pipe(z.string().max(40, 'is longer than 40 characters')).pipe(humanText(40));
    shape[`option${k}_value`] = trimmed.pipe(z.string().max(40, 'is longer than 40 characters')).pipe(humanText(40));
  }
  return z.object(shape);
}

export interface Row {
  row: number;
  handle: string;
  name: string;
  category: string;
  tax_category: string;
  status: '' | 'active' | 'archived';
  sku: string;
  barcode: string;
  price: number;
  cost: number | undefined;
  active: boolean | undefined;
  /** [name, value] per option index present in the header, in index order */
  options: [string, string][];
}

export interface Header {
  index: Map<string, number>;
  optionIndexes: number[];
  width: number;
}

/** The header record's columns; problems go to `errors` (null: no header at all). */
export function readHeader(records: CsvRecord[], errors: CsvRowError[]): Header | null {
  const head = records[0];
  if (!head || (head.fields.length === 1 && head.fields[0]!.trim() === '')) {
    errors.push({ row: 1, column: null, message: `the file is empty: the first row must be the header (${REQUIRED_COLUMNS.join(', ')}, …)` });
    return null;
  }
  const cols = head.fields.map(normaliseHeader);
  const index = new Map<string, number>();
  const optionIndexes = new Set<number>();
  cols.forEach((c, i) => {
    if (index.has(c)) {
      errors.push({ row: 1, column: c, message: 'column appears twice' });
      return;
    }
    const m = OPTION_COLUMN.exec(c);
    if (m) optionIndexes.add(Number(m[1]));
    else if (!(BASE_COLUMNS as readonly string[]).includes(c)) {
      errors.push({ row: 1, column: head.fields[i]!, message: `unknown column (known: ${BASE_COLUMNS.join(', ')}, optionN_name, optionN_value)` });
      return;
    }
    index.set(c, i);
  });
  for (const c of REQUIRED_COLUMNS) if (!index.has(c)) errors.push({ row: 1, column: c, message: 'required column is missing' });
  for (const k of optionIndexes) {
    for (const part of ['name', 'value']) {
      if (!index.has(`option${k}_${part}`)) errors.push({ row: 1, column: `option${k}_${part}`, message: `column is missing (option${k}_name and option${k}_value go together)` });
    }
  }
  return { index, optionIndexes: [...optionIndexes].sort((a, b) => a - b), width: cols.length };
}

/**
 * The data rows, each checked on its own (SKUs are checked for duplicates even on rows with other
 * problems), then barcodes unique within the file. Problems go to `errors`; `skuRow` maps each SKU
 * (lower case) to its first row, `barcodeRow` each barcode.
 */
export function readRows(records: readonly CsvRecord[], head: Header, digits: number, errors: CsvRowError[]) {
  const schema = rowSchema(head.optionIndexes, digits);
  const rows: Row[] = [];
  const skuRow = new Map<string, number>();
  for (const rec of records.slice(1)) {
    if (rec.fields.every((f) => f.trim() === '')) continue; // blank line
    if (rec.fields.length !== head.width) {
      errors.push({ row: rec.row, column: null, message: `has ${rec.fields.length} fields; the header has ${head.width}` });
      continue;
    }
    const raw: Record<string, string> = {};
    for (const c of [...BASE_COLUMNS, ...head.optionIndexes.flatMap((k) => [`option${k}_name`, `option${k}_value`])]) {
      const i = head.index.get(c);
      raw[c] = i === undefined ? '' : rec.fields[i]!;
    }
    const sku = raw.sku!.trim().toLowerCase();
    if (sku) {
      const prev = skuRow.get(sku);
      if (prev !== undefined) errors.push({ row: rec.row, column: 'sku', message: `"${raw.sku!.trim()}" is already used on row ${prev} (SKUs are unique)` });
      else skuRow.set(sku, rec.row);
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) errors.push({ row: rec.row, column: String(issue.path[0] ?? '') || null, message: issue.message });
      continue;
    }
    const d = r.data as Record<string, unknown>;
    rows.push({
      row: rec.row,
      handle: d.handle as string,
      name: d.name as string,
      category: d.category as string,
      tax_category: d.tax_category as string,
      status: d.status as Row['status'],
      sku: d.sku as string,
      barcode: d.barcode as string,
      price: d.price as number,
      cost: d.cost as number | undefined,
      active: d.active as boolean | undefined,
      options: head.optionIndexes.map((k) => [d[`option${k}_name`] as string, d[`option${k}_value`] as string])
    });
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ row: 2, column: null, message: 'the file has a header but no rows' });

  // across rows: barcodes unique in the file
  const barcodeRow = new Map<string, { row: number; sku: string }>();
  for (const r of rows) {
    if (r.barcode) {
      const b = barcodeRow.get(r.barcode);
      if (b) errors.push({ row: r.row, column: 'barcode', message: `${r.barcode} is already used on row ${b.row} (SKU ${b.sku})` });
      else barcodeRow.set(r.barcode, { row: r.row, sku: r.sku });
    }
  }

  return { rows, skuRow, barcodeRow };
}
