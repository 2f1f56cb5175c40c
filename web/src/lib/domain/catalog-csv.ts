/**
 * Catalog CSV import and export (docs/CSV.md). Pure: the server loads the catalog, calls
 * `planCatalogImport` and writes what the plan says; the admin portal can run the same code for a
 * preview. One row per variant; rows with the same `handle` form one product (`product:{handle}`);
 * the SKU is the idempotency key (an existing SKU keeps its variant id, so stock history follows it).
 * Either every row is valid and a plan comes back, or the row-level errors do and nothing is written.
 */
import { z } from 'zod';
import { isValidGtin } from './gtin.ts';
import { parseMoney, toDecimalString } from './money.ts';
import { categorySchema, productIdSuffix, productSchema } from './schemas/catalog.ts';
import { humanText } from './schemas/text.ts';
import { canonicalJson } from './canonical-json.ts';

export type ProductDoc = z.infer<typeof productSchema>;
export type CategoryDoc = z.infer<typeof categorySchema>;
type Variant = ProductDoc['variants'][number];

/** A problem with one row (1 = the header record) and, where it applies, one column. */
export interface CsvRowError {
  row: number;
  column: string | null;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// RFC 4180

export interface CsvRecord {
  /** 1-based record number: what a spreadsheet shows as the row (a quoted newline stays in its row) */
  row: number;
  fields: string[];
}

/**
 * RFC 4180 records: fields separated by commas, records by CRLF (a bare LF or CR is accepted too),
 * double-quoted fields may hold commas, quotes (doubled) and line breaks. A leading UTF-8 BOM is
 * dropped. A quote inside an unquoted field, text after a closing quote or an unterminated quote is
 * an error naming the row.
 */
export function parseCsv(text: string): { records: CsvRecord[]; errors: CsvRowError[] } {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const errors: CsvRowError[] = [];
  let fields: string[] = [];
  let field = '';
  let row = 1;
  let i = 0;
  const n = s.length;
  const endRecord = () => {
    fields.push(field);
    records.push({ row, fields });
    fields = [];
    field = '';
    row++;
  };
  while (i < n) {
    const c = s[i]!;
    if (c === '"' && field === '') {
      // quoted field
      let j = i + 1;
      let out = '';
      for (;;) {
        const q = s.indexOf('"', j);
        if (q === -1) {
          errors.push({ row, column: null, message: 'a quoted field is never closed (missing ")' });
          return { records, errors };
        }
        out += s.slice(j, q);
        if (s[q + 1] === '"') {
          out += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      field = out;
      i = j;
      const next = s[i];
      if (i < n && next !== ',' && next !== '\n' && next !== '\r') {
        errors.push({ row, column: null, message: 'text after a closing quote (a quote inside a field must be doubled: "")' });
        // skip to the end of this field so the rest of the file is still checked
        while (i < n && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') i++;
      }
      // mark as quoted-and-done: fall through to separators below
      if (i >= n) break;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    // unquoted run up to the next separator
    let j = i;
    while (j < n && s[j] !== ',' && s[j] !== '\n' && s[j] !== '\r') j++;
    const chunk = s.slice(i, j);
    if (chunk.includes('"')) errors.push({ row, column: null, message: 'a quote inside an unquoted field (quote the whole field and double the quote)' });
    field += chunk;
    i = j;
  }
  // last record without a trailing line break
  if (field !== '' || fields.length > 0 || (n > 0 && s[n - 1] === '"')) endRecord();
  return { records, errors };
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// Columns

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

interface Row {
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

// ---------------------------------------------------------------------------------------------
// Planning

export interface ExistingCatalog {
  products: ProductDoc[];
  categories: CategoryDoc[];
}

export interface ImportOptions {
  now: string;
  actor: string;
  /** minor-unit digits of the tenant's currency (2 for USD, 0 for JPY) */
  fractionDigits?: number;
  /** stop collecting errors after this many (the count still covers all) */
  maxErrors?: number;
}

export type Action = 'create' | 'update' | 'unchanged';
export interface Counts {
  create: number;
  update: number;
  unchanged: number;
}

export interface ProductChange {
  handle: string;
  action: Action;
  /** the document to write (for unchanged: the existing one) */
  doc: ProductDoc;
  variants: Counts;
  /** top-level fields that changed (update only) */
  fields: string[];
}

export interface ImportPlan {
  products: ProductChange[];
  categories: CategoryDoc[];
  counts: { products: Counts; variants: Counts; categories: { create: number }; rows: number };
}

export type ImportResult = { ok: true; plan: ImportPlan } | { ok: false; errors: CsvRowError[]; errorCount: number };

const BOOKKEEPING = new Set(['_rev', '_revisions', '_conflicts', '_deleted', 'updatedAt', 'updatedBy', 'fieldTimes']);

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return s || 'category';
}

function header(records: CsvRecord[], errors: CsvRowError[]) {
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
 * Validates `csv` against the current catalog and works out what an import would write: products
 * to create or update (with `_rev`, `updatedAt`, `updatedBy` and `fieldTimes` set), the ones that
 * would stay as they are, and categories named in the file that do not exist yet.
 *
 * A column left out of the file leaves that field as it is on existing variants (e.g. a file
 * without `barcode` keeps the barcodes); a column present but empty clears an optional field
 * (`barcode`, `cost`). Variants of an existing product that the file does not list are kept as they
 * are: an import never deletes (set `active` to false to retire one).
 */
export function planCatalogImport(csv: string, existing: ExistingCatalog, opts: ImportOptions): ImportResult {
  const digits = opts.fractionDigits ?? 2;
  const maxErrors = opts.maxErrors ?? 500;
  const errors: CsvRowError[] = [];
  const fail = (): ImportResult => {
    errors.sort((a, b) => a.row - b.row || (a.column ?? '').localeCompare(b.column ?? ''));
    return { ok: false, errors: errors.slice(0, maxErrors), errorCount: errors.length };
  };

  // one spelling per character (schemas/text.ts): a file saved with decomposed accents imports as NFC
  const parsed = parseCsv(csv.normalize('NFC'));
  errors.push(...parsed.errors);
  const head = header(parsed.records, errors);
  if (!head || errors.length) return fail();
  const schema = rowSchema(head.optionIndexes, digits);
  const has = (c: string) => head.index.has(c);

  // 1. each row on its own (SKUs are checked for duplicates even on rows with other problems)
  const rows: Row[] = [];
  const skuRow = new Map<string, number>();
  for (const rec of parsed.records.slice(1)) {
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

  // 2. across rows: barcodes unique in the file
  const barcodeRow = new Map<string, { row: number; sku: string }>();
  for (const r of rows) {
    if (r.barcode) {
      const b = barcodeRow.get(r.barcode);
      if (b) errors.push({ row: r.row, column: 'barcode', message: `${r.barcode} is already used on row ${b.row} (SKU ${b.sku})` });
      else barcodeRow.set(r.barcode, { row: r.row, sku: r.sku });
    }
  }

  // 3. against the catalog
  const productsById = new Map(existing.products.map((p) => [p._id, p]));
  const skuOwner = new Map<string, { productId: string; variant: Variant }>();
  const variantIds = new Set<string>();
  for (const p of existing.products) {
    for (const v of p.variants) {
      skuOwner.set(v.sku.toLowerCase(), { productId: p._id, variant: v });
      variantIds.add(v.id);
    }
  }
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const owner = skuOwner.get(r.sku.toLowerCase());
    if (owner && owner.productId !== `product:${r.handle}`) {
      errors.push({ row: r.row, column: 'sku', message: `"${r.sku}" belongs to product ${productIdSuffix(owner.productId)} in the catalog; an import cannot move a variant to another product` });
    }
    const g = groups.get(r.handle);
    if (g) g.push(r);
    else groups.set(r.handle, [r]);
  }
  // a barcode in the file that an existing variant the file does not mention already carries
  if (has('barcode')) {
    for (const p of existing.products) {
      for (const v of p.variants) {
        if (!v.barcode || skuRow.has(v.sku.toLowerCase())) continue;
        const b = barcodeRow.get(v.barcode);
        if (b) errors.push({ row: b.row, column: 'barcode', message: `${v.barcode} is already the barcode of SKU ${v.sku} (product ${productIdSuffix(p._id)})` });
      }
    }
  }

  // categories: by name (any case), else by id slug; new names get a new category document
  const categoryByKey = new Map<string, string>();
  const categoryIds = new Set<string>();
  for (const c of existing.categories) {
    categoryIds.add(c._id);
    categoryByKey.set(c.name.trim().toLowerCase(), c._id);
  }
  for (const c of existing.categories) {
    const slug = c._id.slice('category:'.length).toLowerCase();
    if (!categoryByKey.has(slug)) categoryByKey.set(slug, c._id);
  }
  const newCategories: CategoryDoc[] = [];
  const categoryIdFor = (name: string): string => {
    const key = name.trim().toLowerCase();
    const found = categoryByKey.get(key);
    if (found) return found;
    let id = `category:${slugify(name)}`;
    for (let k = 2; categoryIds.has(id); k++) id = `category:${slugify(name)}-${k}`;
    categoryIds.add(id);
    categoryByKey.set(key, id);
    newCategories.push({ _id: id, type: 'category', name: name.trim(), updatedAt: opts.now, updatedBy: opts.actor });
    return id;
  };

  // 4. per product
  const changes: ProductChange[] = [];
  for (const [handle, group] of groups) {
    const productId = `product:${handle}`;
    const prev = productsById.get(productId);
    const first = group[0]!;
    const errorsBefore = errors.length;

    // product-level fields: the first non-empty value; a later different one is an error
    const productField = (col: 'name' | 'category' | 'tax_category' | 'status'): string => {
      let val = '';
      let at = 0;
      for (const r of group) {
        const v = r[col];
        if (v === '') continue;
        if (val === '') {
          val = v;
          at = r.row;
        } else if (v !== val) {
          errors.push({ row: r.row, column: col, message: `"${v}" differs from "${val}" on row ${at}, the same product (handle ${handle})` });
        }
      }
      return val;
    };
    const name = productField('name');
    const category = productField('category');
    const taxCategory = productField('tax_category');
    const status = productField('status') as Row['status'];
    if (!prev) {
      if (!name) errors.push({ row: first.row, column: 'name', message: `is required for a new product (handle ${handle})` });
      if (!category) errors.push({ row: first.row, column: 'category', message: `is required for a new product (handle ${handle})` });
      if (!taxCategory) errors.push({ row: first.row, column: 'tax_category', message: `is required for a new product (handle ${handle})` });
    }

    // options: one name per optionN column per product (first non-empty); values per row
    const optionNames: string[] = [];
    const optionAt: number[] = [];
    head.optionIndexes.forEach((k, j) => {
      let nm = '';
      let at = 0;
      for (const r of group) {
        const v = r.options[j]![0];
        if (v === '') continue;
        if (nm === '') {
          nm = v;
          at = r.row;
        } else if (v !== nm) errors.push({ row: r.row, column: `option${k}_name`, message: `"${v}" differs from "${nm}" on row ${at} (one option name per column per product)` });
      }
      optionNames[j] = nm;
      optionAt[j] = at;
    });
    const seenNames = new Map<string, number>();
    head.optionIndexes.forEach((k, j) => {
      const nm = optionNames[j]!;
      if (!nm) return;
      const other = seenNames.get(nm.toLowerCase());
      if (other !== undefined) errors.push({ row: optionAt[j]!, column: `option${k}_name`, message: `"${nm}" is already option${other}_name of this product` });
      else seenNames.set(nm.toLowerCase(), k);
    });
    const combos = new Map<string, number>();
    const rowOptions = new Map<Row, Record<string, string>>();
    for (const r of group) {
      const opts: Record<string, string> = {};
      head.optionIndexes.forEach((k, j) => {
        const value = r.options[j]![1];
        if (value === '') return;
        const nm = optionNames[j]!;
        if (!nm) {
          errors.push({ row: r.row, column: `option${k}_value`, message: `has a value but the product (handle ${handle}) has no option${k}_name` });
          return;
        }
        opts[nm] = value;
      });
      rowOptions.set(r, opts);
      if (head.optionIndexes.length > 0) {
        const key = canonicalJson(opts);
        const other = combos.get(key);
        if (other !== undefined) {
          const what = Object.keys(opts).length ? Object.entries(opts).map(([k, v]) => `${k} ${v}`).join(', ') : 'no options';
          errors.push({ row: r.row, column: null, message: `same options (${what}) as row ${other} of product ${handle}: each variant needs its own combination` });
        } else combos.set(key, r.row);
      }
    }
    if (errors.length !== errorsBefore) continue;

    // variants: existing ones in their order (replaced where the file lists them), then new ones
    const fileBySku = new Map(group.map((r) => [r.sku.toLowerCase(), r]));
    const usedIds = new Set((prev?.variants ?? []).map((v) => v.id));
    let nextN = 1;
    const newId = () => {
      let id: string;
      do id = `${handle}-${nextN++}`;
      while (usedIds.has(id) || variantIds.has(id));
      usedIds.add(id);
      return id;
    };
    const vcounts: Counts = { create: 0, update: 0, unchanged: 0 };
    const fromRow = (r: Row, old: Variant | undefined): Variant => {
      const v: Record<string, unknown> = old ? { ...old } : { id: newId() };
      v.sku = r.sku;
      v.price = r.price;
      if (head.optionIndexes.length > 0 || !old) v.options = head.optionIndexes.length > 0 ? rowOptions.get(r)! : {};
      if (has('barcode')) {
        if (r.barcode) v.barcode = r.barcode;
        else delete v.barcode;
      }
      if (has('cost')) {
        if (r.cost !== undefined) v.cost = r.cost;
        else delete v.cost;
      }
      if (has('active') || !old) {
        const active = r.active ?? true;
        // a stored variant without `active` is active (the schema's default): keep it that way
        if (old && old.active === undefined && active) delete v.active;
        else v.active = active;
      }
      return v as Variant;
    };
    const variants: Variant[] = [];
    for (const old of prev?.variants ?? []) {
      const r = fileBySku.get(old.sku.toLowerCase());
      if (!r) {
        variants.push(old);
        continue;
      }
      const v = fromRow(r, old);
      if (canonicalJson(v) === canonicalJson(old)) vcounts.unchanged++;
      else vcounts.update++;
      variants.push(v);
    }
    const prevSkus = new Set((prev?.variants ?? []).map((v) => v.sku.toLowerCase()));
    for (const r of group) {
      if (prevSkus.has(r.sku.toLowerCase())) continue;
      variants.push(fromRow(r, undefined));
      vcounts.create++;
    }

    // the product's option list: names from the file (then any the kept variants carry); values in
    // the existing order, new ones in the order they appear
    let options: ProductDoc['options'];
    if (head.optionIndexes.length === 0 && prev) options = prev.options;
    else {
      const names = optionNames.filter(Boolean);
      for (const v of variants) for (const k of Object.keys(v.options)) if (!names.includes(k)) names.push(k);
      options = names
        .map((nm) => {
          const used = new Set(variants.map((v) => v.options[nm]).filter((x): x is string => !!x));
          const before = prev?.options.find((o) => o.name === nm)?.values.filter((x) => used.has(x)) ?? [];
          const values = [...before];
          for (const v of variants) {
            const x = v.options[nm];
            if (x && !values.includes(x)) values.push(x);
          }
          return { name: nm, values };
        })
        .filter((o) => o.values.length > 0);
    }

    const body: Record<string, unknown> = {
      ...(prev ?? {}),
      _id: productId,
      type: 'product',
      name: name || prev!.name,
      categoryId: category ? categoryIdFor(category) : prev!.categoryId,
      taxCategory: taxCategory || prev!.taxCategory,
      options,
      variants,
      status: status || (has('status') ? 'active' : (prev?.status ?? 'active'))
    };
    for (const k of BOOKKEEPING) delete body[k];

    let action: Action;
    let fields: string[] = [];
    let doc: ProductDoc;
    if (!prev) {
      action = 'create';
      doc = { ...body, updatedAt: opts.now, updatedBy: opts.actor } as ProductDoc;
    } else {
      const prevBody = Object.fromEntries(Object.entries(prev).filter(([k]) => !BOOKKEEPING.has(k)));
      fields = [...new Set([...Object.keys(body), ...Object.keys(prevBody)])].filter((k) => canonicalJson(body[k]) !== canonicalJson(prevBody[k])).sort();
      if (fields.length === 0) {
        action = 'unchanged';
        doc = prev;
      } else {
        action = 'update';
        // fieldTimes: keep the stamps; a document without them stood for every field at updatedAt
        const times: Record<string, string> = { ...(prev.fieldTimes ?? Object.fromEntries(Object.keys(prevBody).filter((k) => k !== '_id').map((k) => [k, prev.updatedAt]))) };
        for (const f of fields) times[f] = opts.now;
        doc = { ...body, ...(prev._rev ? { _rev: prev._rev } : {}), updatedAt: opts.now, updatedBy: opts.actor, fieldTimes: times } as ProductDoc;
      }
    }
    if (action !== 'unchanged') {
      const check = productSchema.safeParse(doc);
      if (!check.success) {
        for (const issue of check.error.issues.slice(0, 5)) {
          errors.push({ row: first.row, column: null, message: `product ${handle}: ${issue.path.join('.') || '(document)'}: ${issue.message}` });
        }
        continue;
      }
      doc = check.data;
    }
    changes.push({ handle, action, doc, variants: vcounts, fields });
  }
  if (errors.length) return fail();

  const counts = {
    products: { create: 0, update: 0, unchanged: 0 },
    variants: { create: 0, update: 0, unchanged: 0 },
    categories: { create: 0 },
    rows: rows.length
  };
  for (const c of changes) {
    counts.products[c.action]++;
    counts.variants.create += c.variants.create;
    counts.variants.update += c.variants.update;
    counts.variants.unchanged += c.variants.unchanged;
  }
  // only the categories a written product actually uses
  const usedCategories = new Set(changes.filter((c) => c.action !== 'unchanged').map((c) => c.doc.categoryId));
  const categories = newCategories.filter((c) => usedCategories.has(c._id)).map((c) => categorySchema.parse(c));
  counts.categories.create = categories.length;
  return { ok: true, plan: { products: changes, categories, counts } };
}

// ---------------------------------------------------------------------------------------------
// Export

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
