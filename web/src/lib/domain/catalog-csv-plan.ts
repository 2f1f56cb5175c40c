/**
 * Catalog CSV, the plan (docs/CSV.md): what an import of checked rows would write against the current
 * catalog — products to create or update, variants kept, replaced or added, categories to create —
 * or the row-level errors and nothing. The rows themselves are read in catalog-csv-rows.ts.
 */
import { parseCsv, type CsvRowError } from './csv-read.ts';
import { canonicalJson } from './canonical-json.ts';
import { readHeader, readRows, type Header, type Row } from './catalog-csv-rows.ts';
import { categorySchema, productIdSuffix, productSchema } from './schemas/catalog.ts';
import type { z } from 'zod';

export type ProductDoc = z.infer<typeof productSchema>;
export type CategoryDoc = z.infer<typeof categorySchema>;
type Variant = ProductDoc['variants'][number];

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

/** Errors sorted by row then column, at most `maxErrors` of them, with the full count. */
function failure(errors: CsvRowError[], maxErrors: number): ImportResult {
  errors.sort((a, b) => a.row - b.row || (a.column ?? '').localeCompare(b.column ?? ''));
  return { ok: false, errors: errors.slice(0, maxErrors), errorCount: errors.length };
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

  // one spelling per character (schemas/text.ts): a file saved with decomposed accents imports as NFC
  const parsed = parseCsv(csv.normalize('NFC'));
  errors.push(...parsed.errors);
  const head = readHeader(parsed.records, errors);
  if (!head || errors.length) return failure(errors, maxErrors);
  const { rows, skuRow, barcodeRow } = readRows(parsed.records, head, digits, errors);
  const { groups, variantIds } = againstCatalog(rows, head, existing, skuRow, barcodeRow, errors);
  const categories = new CategoryNames(existing.categories, opts);

  const changes: ProductChange[] = [];
  const productsById = new Map(existing.products.map((p) => [p._id, p]));
  for (const [handle, group] of groups) {
    const change = planProduct(handle, group, productsById.get(`product:${handle}`), head, categories, variantIds, opts, errors);
    if (change) changes.push(change);
  }
  if (errors.length) return failure(errors, maxErrors);
  return { ok: true, plan: summarize(changes, categories.created, rows.length) };
}

/**
 * The rows against the catalog: a SKU that belongs to another product, a barcode another variant
 * already carries. Returns the rows by handle, and every variant id in use.
 */
function againstCatalog(
  rows: readonly Row[],
  head: Header,
  existing: ExistingCatalog,
  skuRow: ReadonlyMap<string, number>,
  barcodeRow: ReadonlyMap<string, { row: number; sku: string }>,
  errors: CsvRowError[]
) {
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
  if (head.index.has('barcode')) {
    for (const p of existing.products) {
      for (const v of p.variants) {
        if (!v.barcode || skuRow.has(v.sku.toLowerCase())) continue;
        const b = barcodeRow.get(v.barcode);
        if (b) errors.push({ row: b.row, column: 'barcode', message: `${v.barcode} is already the barcode of SKU ${v.sku} (product ${productIdSuffix(p._id)})` });
      }
    }
  }
  return { groups, variantIds };
}

/** Categories by name (any case), else by id slug; a new name gets a new category document. */
class CategoryNames {
  private readonly byKey = new Map<string, string>();
  private readonly ids = new Set<string>();
  readonly created: CategoryDoc[] = [];

  constructor(
    existing: readonly CategoryDoc[],
    private readonly opts: Pick<ImportOptions, 'now' | 'actor'>
  ) {
    for (const c of existing) {
      this.ids.add(c._id);
      this.byKey.set(c.name.trim().toLowerCase(), c._id);
    }
    for (const c of existing) {
      const slug = c._id.slice('category:'.length).toLowerCase();
      if (!this.byKey.has(slug)) this.byKey.set(slug, c._id);
    }
  }

  idFor(name: string): string {
    const key = name.trim().toLowerCase();
    const found = this.byKey.get(key);
    if (found) return found;
    let id = `category:${slugify(name)}`;
    for (let k = 2; this.ids.has(id); k++) id = `category:${slugify(name)}-${k}`;
    this.ids.add(id);
    this.byKey.set(key, id);
    this.created.push({ _id: id, type: 'category', name: name.trim(), updatedAt: this.opts.now, updatedBy: this.opts.actor });
    return id;
  }
}

/** Product-level fields: the first non-empty value of the group; a later different one is an error. */
function productFields(handle: string, group: readonly Row[], prev: ProductDoc | undefined, errors: CsvRowError[]) {
  const first = group[0]!;
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
  return { name, category, taxCategory, status };
}

/**
 * Options: one name per optionN column per product (the first non-empty), a value per row, each
 * variant its own combination. Returns the names (by column) and each row's options.
 */
function variantOptions(handle: string, group: readonly Row[], head: Header, errors: CsvRowError[]) {
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
  return { optionNames, rowOptions };
}

/** Variants: existing ones in their order (replaced where the file lists them), then new ones. */
function mergeVariants(handle: string, group: readonly Row[], prev: ProductDoc | undefined, head: Header, rowOptions: ReadonlyMap<Row, Record<string, string>>, variantIds: ReadonlySet<string>) {
  const has = (c: string) => head.index.has(c);
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
  const counts: Counts = { create: 0, update: 0, unchanged: 0 };
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
    if (canonicalJson(v) === canonicalJson(old)) counts.unchanged++;
    else counts.update++;
    variants.push(v);
  }
  const prevSkus = new Set((prev?.variants ?? []).map((v) => v.sku.toLowerCase()));
  for (const r of group) {
    if (prevSkus.has(r.sku.toLowerCase())) continue;
    variants.push(fromRow(r, undefined));
    counts.create++;
  }
  return { variants, counts };
}

/**
 * The product's option list: names from the file (then any the kept variants carry); values in the
 * existing order, new ones in the order they appear. A file without option columns keeps the list.
 */
function optionList(prev: ProductDoc | undefined, head: Header, optionNames: readonly string[], variants: readonly Variant[]): ProductDoc['options'] {
  if (head.optionIndexes.length === 0 && prev) return prev.options;
  const names = optionNames.filter(Boolean);
  for (const v of variants) for (const k of Object.keys(v.options)) if (!names.includes(k)) names.push(k);
  return names
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

/** One product's change (create, update with the changed fields stamped, or unchanged), or null after errors. */
function planProduct(
  handle: string,
  group: readonly Row[],
  prev: ProductDoc | undefined,
  head: Header,
  categories: CategoryNames,
  variantIds: ReadonlySet<string>,
  opts: ImportOptions,
  errors: CsvRowError[]
): ProductChange | null {
  const errorsBefore = errors.length;
  const { name, category, taxCategory, status } = productFields(handle, group, prev, errors);
  const { optionNames, rowOptions } = variantOptions(handle, group, head, errors);
  if (errors.length !== errorsBefore) return null;
  const { variants, counts } = mergeVariants(handle, group, prev, head, rowOptions, variantIds);

  const body: Record<string, unknown> = {
    ...(prev ?? {}),
    _id: `product:${handle}`,
    type: 'product',
    name: name || prev!.name,
    categoryId: category ? categories.idFor(category) : prev!.categoryId,
    taxCategory: taxCategory || prev!.taxCategory,
    options: optionList(prev, head, optionNames, variants),
    variants,
    status: status || (head.index.has('status') ? 'active' : (prev?.status ?? 'active'))
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
        errors.push({ row: group[0]!.row, column: null, message: `product ${handle}: ${issue.path.join('.') || '(document)'}: ${issue.message}` });
      }
      return null;
    }
    doc = check.data;
  }
  return { handle, action, doc, variants: counts, fields };
}

/** The plan with its counts; only the new categories a written product actually uses. */
function summarize(changes: ProductChange[], newCategories: readonly CategoryDoc[], rows: number): ImportPlan {
  const counts = {
    products: { create: 0, update: 0, unchanged: 0 },
    variants: { create: 0, update: 0, unchanged: 0 },
    categories: { create: 0 },
    rows
  };
  for (const c of changes) {
    counts.products[c.action]++;
    counts.variants.create += c.variants.create;
    counts.variants.update += c.variants.update;
    counts.variants.unchanged += c.variants.unchanged;
  }
  const usedCategories = new Set(changes.filter((c) => c.action !== 'unchanged').map((c) => c.doc.categoryId));
  const categories = newCategories.filter((c) => usedCategories.has(c._id)).map((c) => categorySchema.parse(c));
  counts.categories.create = categories.length;
  return { products: changes, categories, counts };
}
