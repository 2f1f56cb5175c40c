/**
 * Shopify products → POS catalog documents, and the import plan (pure: no I/O; the server reads both
 * catalogs and writes what this decides — server/integrations/shopify/import.ts).
 *
 * Matching a Shopify product to a POS product, in order:
 *   1. the link a previous import or webhook stored (Shopify product id → POS product id);
 *   2. SKU, then barcode, of its variants: every matched variant must belong to the same POS product
 *      (else the product is listed as a conflict and skipped), and a POS variant already linked to
 *      another Shopify product is a conflict too;
 *   3. nothing matched: a new POS product `product:sh-{id}`.
 * Variants match the same way inside the product; a Shopify variant with no match is added.
 *
 * Which side's value a matched product keeps is the connection's ownership choice, per field
 * (settings.ts). A product the import creates takes every field from Shopify. Re-running the import
 * on an unchanged store plans nothing: every document compares equal and is left alone.
 */
import { categorySchema, productSchema, type variantSchema } from '../schemas/catalog.ts';
import type { z } from 'zod';
import { isValidGtin } from '../gtin.ts';
import { parseMoney } from '../money.ts';
import { UNCATEGORISED_ID, UNCATEGORISED_NAME, collectionCategoryId, imageIdFor, newProductId, productMapId, variantIdFor } from './ids.ts';
import { ownerOf, type OwnedField, type Ownership } from './settings.ts';
import { canonicalJson } from '../canonical-json.ts';

export type ProductDoc = z.infer<typeof productSchema>;
export type CategoryDoc = z.infer<typeof categorySchema>;
type Variant = z.infer<typeof variantSchema>;

/** One Shopify variant as the integration reads it (GraphQL, bulk JSONL or webhook, normalised). */
export interface ShopifyVariant {
  id: string;
  inventoryItemId: string;
  sku: string | null;
  barcode: string | null;
  /** decimal strings in the shop's currency, as Shopify's Money scalar */
  price: string;
  compareAtPrice: string | null;
  /** undefined: not known (webhook payloads carry no cost); the POS keeps its own */
  cost?: string | null;
  taxable: boolean;
  /** option name → value, without Shopify's placeholder "Title: Default Title" */
  options: Record<string, string>;
}

export interface ShopifyProduct {
  id: string;
  title: string;
  /** plain text (tags stripped) */
  description: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  updatedAt: string;
  options: { name: string; values: string[] }[];
  variants: ShopifyVariant[];
  /** null: not known (webhook payloads carry no collections); the POS keeps its category */
  collections: { id: string; title: string }[] | null;
  /** the featured image: `key` names it stably (its URL without the query: the same from GraphQL and webhooks) */
  image: { key: string; url: string } | null;
  /** available quantity per inventory item id, per Shopify location id (import and reconcile only) */
  levels: Record<string, Record<string, number>>;
}

/**
 * The link between a POS product and its Shopify product, kept server-side (`integrations` database).
 * `syncedHash` is the hash of the POS-owned field values as Shopify last reported them: when the POS
 * document's values differ from it, the catalog push sends the POS values (and nothing otherwise, so
 * Shopify's echo of our own push ends the exchange).
 */
export interface ProductMap {
  _id: string;
  _rev?: string;
  type: 'shopify_product_map';
  tenantId: string;
  productId: string;
  shopifyProductId: string;
  /** Shopify's `updated_at` of the newest state applied; older webhooks arriving late are ignored */
  shopifyUpdatedAt: string;
  variants: { shopifyVariantId: string; inventoryItemId: string; variantId: string; created: boolean }[];
  syncedHash: string | null;
  updatedAt: string;
}

export interface PlanIssue {
  shopifyProductId: string;
  title: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Normalising Shopify values

const PLACEHOLDER_OPTION = 'Title';
const PLACEHOLDER_VALUE = 'Default Title';

/** Shopify's single-variant products carry a "Title: Default Title" option; the POS has none. */
export function realOptions(options: { name: string; values: string[] }[]): { name: string; values: string[] }[] {
  return options.filter((o) => !(o.name === PLACEHOLDER_OPTION && o.values.length === 1 && o.values[0] === PLACEHOLDER_VALUE));
}
export function realSelectedOptions(selected: { name: string; value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of selected) if (!(s.name === PLACEHOLDER_OPTION && s.value === PLACEHOLDER_VALUE)) out[s.name.slice(0, 40)] = s.value.slice(0, 40);
  return out;
}

/** The stable part of an image URL (CDN URLs carry a changing `?v=` query). */
export const imageKey = (url: string) => url.split(/[?#]/)[0]!;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };
/** HTML description → the POS's plain text (tags dropped, entities decoded, whitespace collapsed). */
export function htmlToText(html: string | null | undefined): string {
  if (!html) return '';
  return html
    .replace(/<(br|\/p|\/div|\/li)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e: string) => ENTITIES[e] ?? '')
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n')
    .slice(0, 4000);
}
/** Plain text → the HTML Shopify stores (one paragraph per line), so `htmlToText` gives it back. */
export function textToHtml(text: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => `<p>${esc(l.trim())}</p>`)
    .join('');
}

/** Shopify Money ("19.99", "20.0", "5.000") → minor units; null when it is not a plain amount. */
export function moneyToMinor(value: string | null | undefined, digits: number): number | null {
  if (value === null || value === undefined) return null;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return null;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > digits) return null;
  return parseMoney(`${m[1]}${frac ? `.${frac}` : ''}`, digits);
}

// ---------------------------------------------------------------------------------------------
// Building documents

/** Everything Shopify says about a product, in POS form; what "Shopify owns it" writes. */
export interface ShopifyFields {
  name: string;
  description: string;
  status: 'active' | 'archived';
  /** undefined when Shopify's collections are not known */
  categoryId: string | undefined;
  imageId: string | undefined;
  options: { name: string; values: string[] }[];
  variants: Map<string, { sku: string | null; barcode: string | undefined; price: number; compareAtPrice: number | undefined; cost: number | undefined; costKnown: boolean; options: Record<string, string>; taxable: boolean }>;
}

export function shopifyFields(p: ShopifyProduct, digits: number, issues: string[]): ShopifyFields | null {
  const variants: ShopifyFields['variants'] = new Map();
  for (const v of p.variants) {
    const price = moneyToMinor(v.price, digits);
    if (price === null) {
      issues.push(`variant ${v.sku ?? v.id}: price "${v.price}" is not an amount in the store currency`);
      return null;
    }
    let barcode: string | undefined;
    if (v.barcode && v.barcode.trim()) {
      if (isValidGtin(v.barcode.trim())) barcode = v.barcode.trim();
      else issues.push(`variant ${v.sku ?? v.id}: barcode "${v.barcode}" is not a valid GTIN and was left out`);
    }
    const compareAt = moneyToMinor(v.compareAtPrice, digits);
    const cost = moneyToMinor(v.cost, digits);
    variants.set(v.id, {
      sku: v.sku && v.sku.trim() ? v.sku.trim().slice(0, 64) : null,
      barcode,
      price,
      compareAtPrice: compareAt !== null && compareAt > 0 ? compareAt : undefined,
      cost: cost ?? undefined,
      costKnown: v.cost !== undefined,
      options: v.options,
      taxable: v.taxable
    });
  }
  const firstCollection = p.collections?.[0];
  return {
    name: p.title.trim().slice(0, 200) || 'Untitled product',
    description: p.description.slice(0, 4000),
    status: p.status === 'ACTIVE' ? 'active' : 'archived',
    categoryId: p.collections === null ? undefined : firstCollection ? collectionCategoryId(firstCollection.id) : UNCATEGORISED_ID,
    imageId: p.image ? imageIdFor(p.image.key) : undefined,
    options: realOptions(p.options).map((o) => ({ name: o.name.slice(0, 40), values: [...new Set(o.values.map((v) => v.slice(0, 40)))].filter(Boolean) })).filter((o) => o.values.length > 0),
    variants
  };
}

const PRODUCT_FIELDS = ['name', 'description', 'categoryId', 'taxCategory', 'options', 'variants', 'status', 'imageId'] as const;

/** The POS-owned values of a product (what the catalog push compares and sends), canonical text. */
export function posOwnedSnapshot(doc: Pick<ProductDoc, 'name' | 'description' | 'status' | 'variants'>, ownership: Ownership, variantIds?: ReadonlySet<string>): string {
  const own = (f: OwnedField) => ownerOf(ownership, f) === 'pos';
  const product: Record<string, unknown> = {};
  if (own('name')) product.name = doc.name;
  if (own('description')) product.description = doc.description ?? '';
  if (own('status')) product.status = doc.status;
  const variants = doc.variants
    .filter((v) => !variantIds || variantIds.has(v.id))
    .map((v) => {
      const out: Record<string, unknown> = { id: v.id };
      if (own('price')) out.price = v.price;
      if (own('compareAtPrice')) out.compareAtPrice = v.compareAtPrice ?? null;
      if (own('cost')) out.cost = v.cost ?? null;
      if (own('sku')) out.sku = v.sku;
      if (own('barcode')) out.barcode = v.barcode ?? null;
      return out;
    })
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return canonicalJson({ product, variants });
}

export interface BuildResult {
  doc: ProductDoc;
  map: Omit<ProductMap, '_id' | '_rev' | 'tenantId' | 'updatedAt' | 'type' | 'shopifyUpdatedAt' | 'syncedHash'>;
  /** POS-owned values as Shopify has them (for ProductMap.syncedHash) */
  shopifySnapshot: string;
  changed: boolean;
  createdVariants: number;
  updatedVariants: number;
}

/**
 * The POS product for a Shopify product: `existing` updated by the ownership rule, or a new product.
 * `variantLinks` are the Shopify variant → POS variant pairs already known (stored map, SKU/barcode
 * matches); unlinked Shopify variants are added. Returns null (with `issues`) when it cannot be built.
 */
export function buildProduct(
  p: ShopifyProduct,
  existing: ProductDoc | null,
  variantLinks: ReadonlyMap<string, string>,
  opts: { ownership: Ownership; digits: number; now: string; actor: string; productId?: string },
  issues: string[]
): BuildResult | null {
  const s = shopifyFields(p, opts.digits, issues);
  if (!s) return null;
  const productId = existing?._id ?? opts.productId ?? newProductId(p.id);
  const takeShopify = (f: OwnedField) => !existing || ownerOf(opts.ownership, f) === 'shopify';

  const variants: Variant[] = existing ? existing.variants.map((v) => ({ ...v })) : [];
  const byId = new Map(variants.map((v) => [v.id, v]));
  const mapVariants: BuildResult['map']['variants'] = [];
  let createdVariants = 0;
  let updatedVariants = 0;
  const shopifyAsPos: Variant[] = [];
  for (const sv of p.variants) {
    const f = s.variants.get(sv.id)!;
    const linked = variantLinks.get(sv.id);
    const current = linked ? byId.get(linked) : undefined;
    const shopifyVariant: Variant = {
      id: current?.id ?? variantIdFor(productId, sv.id),
      sku: f.sku ?? current?.sku ?? `SH-${sv.id}`,
      ...(f.barcode ? { barcode: f.barcode } : {}),
      options: f.options,
      price: f.price,
      ...(f.compareAtPrice !== undefined ? { compareAtPrice: f.compareAtPrice } : {}),
      ...(f.cost !== undefined ? { cost: f.cost } : {}),
      active: true
    };
    shopifyAsPos.push(shopifyVariant);
    if (!current) {
      if (!f.sku) issues.push(`variant ${sv.id} has no SKU: it gets ${shopifyVariant.sku}`);
      variants.push(shopifyVariant);
      byId.set(shopifyVariant.id, shopifyVariant);
      createdVariants++;
      mapVariants.push({ shopifyVariantId: sv.id, inventoryItemId: sv.inventoryItemId, variantId: shopifyVariant.id, created: true });
      continue;
    }
    const next: Variant = { ...current };
    const set = <K extends keyof Variant>(field: OwnedField, key: K, value: Variant[K] | undefined) => {
      if (ownerOf(opts.ownership, field) !== 'shopify') return;
      if (value === undefined) delete next[key];
      else next[key] = value;
    };
    set('price', 'price', f.price);
    set('compareAtPrice', 'compareAtPrice', f.compareAtPrice);
    if (f.costKnown) set('cost', 'cost', f.cost);
    if (f.sku) set('sku', 'sku', f.sku);
    set('barcode', 'barcode', f.barcode);
    if (canonicalJson(next) !== canonicalJson(current)) {
      updatedVariants++;
      Object.assign(current, next);
      for (const k of Object.keys(current) as (keyof Variant)[]) if (!(k in next)) delete current[k];
    }
    mapVariants.push({ shopifyVariantId: sv.id, inventoryItemId: sv.inventoryItemId, variantId: current.id, created: false });
  }

  // A product's option list covers every variant's options (new variants may bring new values).
  const options = existing ? mergeOptions(existing.options, s.options, createdVariants > 0) : s.options;
  const fields = {
    name: takeShopify('name') ? s.name : existing!.name,
    ...(takeShopify('description') ? (s.description ? { description: s.description } : {}) : existing!.description !== undefined ? { description: existing!.description } : {}),
    categoryId: (takeShopify('category') ? s.categoryId : undefined) ?? existing?.categoryId ?? UNCATEGORISED_ID,
    taxCategory: existing?.taxCategory ?? (p.variants.some((v) => v.taxable) ? 'standard' : 'exempt'),
    options,
    variants,
    status: takeShopify('status') ? s.status : existing!.status,
    ...(takeShopify('image') ? (s.imageId ? { imageId: s.imageId } : {}) : existing!.imageId ? { imageId: existing!.imageId } : {})
  };
  const before = existing ? canonicalJson(Object.fromEntries(PRODUCT_FIELDS.map((k) => [k, (existing as Record<string, unknown>)[k]]))) : null;
  const changed = before !== canonicalJson(Object.fromEntries(PRODUCT_FIELDS.map((k) => [k, (fields as Record<string, unknown>)[k]])));
  const fieldTimes: Record<string, string> = { ...(existing?.fieldTimes ?? {}) };
  for (const k of PRODUCT_FIELDS) {
    if (!existing || canonicalJson((existing as Record<string, unknown>)[k]) !== canonicalJson((fields as Record<string, unknown>)[k])) fieldTimes[k] = opts.now;
  }
  const candidate = {
    _id: productId,
    ...(existing?._rev ? { _rev: existing._rev } : {}),
    type: 'product' as const,
    ...fields,
    updatedAt: changed ? opts.now : existing!.updatedAt,
    updatedBy: changed ? opts.actor : existing!.updatedBy,
    ...(changed || existing?.fieldTimes ? { fieldTimes: changed ? fieldTimes : existing!.fieldTimes } : {})
  };
  const parsed = productSchema.safeParse(candidate);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    issues.push(`${i.path.join('.') || 'product'}: ${i.message}`);
    return null;
  }
  const shopifyDoc = { name: s.name, description: s.description, status: s.status, variants: shopifyAsPos };
  return {
    doc: parsed.data,
    map: { productId, shopifyProductId: p.id, variants: mapVariants },
    shopifySnapshot: posOwnedSnapshot(shopifyDoc, opts.ownership, new Set(mapVariants.map((m) => m.variantId))),
    changed,
    createdVariants,
    updatedVariants
  };
}

function mergeOptions(pos: ProductDoc['options'], shop: ProductDoc['options'], grow: boolean): ProductDoc['options'] {
  if (!grow) return pos;
  const out = pos.map((o) => ({ name: o.name, values: [...o.values] }));
  for (const o of shop) {
    const have = out.find((x) => x.name === o.name);
    if (!have) out.push({ name: o.name, values: [...o.values] });
    else for (const v of o.values) if (!have.values.includes(v)) have.values.push(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The import plan

export interface ImportInput {
  shopify: readonly ShopifyProduct[];
  products: readonly ProductDoc[];
  categories: readonly CategoryDoc[];
  maps: readonly ProductMap[];
  ownership: Ownership;
  digits: number;
  now: string;
  actor: string;
  tenantId: string;
  /** the stores whose stock is imported, with their Shopify location */
  locations: readonly { code: string; shopifyLocationId: string }[];
}

export interface ImportCounts {
  products: { create: number; update: number; unchanged: number; skipped: number };
  variants: { create: number; update: number; unchanged: number };
  categories: { create: number };
  images: number;
  /** opening-stock lines (variant × store) the import would write for the variants it creates */
  stockLevels: number;
}

export interface ImportPlan {
  counts: ImportCounts;
  categories: CategoryDoc[];
  /** products to write (created or changed) */
  products: ProductDoc[];
  /** links to write (new or changed) */
  maps: ProductMap[];
  images: { productId: string; imageId: string; url: string }[];
  /** opening stock of every variant the integration created, per store; the server skips those already written */
  openings: { locationCode: string; variantId: string; qty: number }[];
  conflicts: PlanIssue[];
  warnings: PlanIssue[];
}

export function planShopifyImport(input: ImportInput): ImportPlan {
  const counts: ImportCounts = { products: { create: 0, update: 0, unchanged: 0, skipped: 0 }, variants: { create: 0, update: 0, unchanged: 0 }, categories: { create: 0 }, images: 0, stockLevels: 0 };
  const conflicts: PlanIssue[] = [];
  const warnings: PlanIssue[] = [];
  const productsById = new Map(input.products.map((p) => [p._id, p]));
  const mapsByShopify = new Map(input.maps.map((m) => [m.shopifyProductId, m]));
  const linkedPosVariant = new Map<string, string>(); // POS variant id → Shopify product id it is linked to
  for (const m of input.maps) for (const v of m.variants) linkedPosVariant.set(v.variantId, m.shopifyProductId);
  const bySku = new Map<string, { productId: string; variantId: string }[]>();
  const byBarcode = new Map<string, { productId: string; variantId: string }[]>();
  for (const p of input.products) {
    for (const v of p.variants) {
      bySku.set(v.sku, [...(bySku.get(v.sku) ?? []), { productId: p._id, variantId: v.id }]);
      if (v.barcode) byBarcode.set(v.barcode, [...(byBarcode.get(v.barcode) ?? []), { productId: p._id, variantId: v.id }]);
    }
  }
  const categoryIds = new Set(input.categories.map((c) => c._id));
  const newCategories = new Map<string, CategoryDoc>();
  const addCategory = (id: string, name: string) => {
    if (categoryIds.has(id) || newCategories.has(id)) return;
    newCategories.set(id, categorySchema.parse({ _id: id, type: 'category', name: name.trim().slice(0, 80) || 'Collection', updatedAt: input.now, updatedBy: input.actor }));
  };
  const claimedPosProducts = new Map<string, string>(); // POS product → Shopify product matched in this run
  const plan: ImportPlan = { counts, categories: [], products: [], maps: [], images: [], openings: [], conflicts, warnings };

  for (const sp of input.shopify) {
    const issue = (list: PlanIssue[], message: string) => list.push({ shopifyProductId: sp.id, title: sp.title, message });
    const stored = mapsByShopify.get(sp.id);
    let target: ProductDoc | null = null;
    const links = new Map<string, string>();
    if (stored) {
      target = productsById.get(stored.productId) ?? null;
      for (const v of stored.variants) links.set(v.shopifyVariantId, v.variantId);
    } else {
      // Match by SKU, then barcode: all matched variants must point at one POS product.
      const found = new Map<string, string>(); // Shopify variant → POS variant
      const owners = new Set<string>();
      let clash: string | null = null;
      for (const v of sp.variants) {
        const key = v.sku?.trim() ? bySku.get(v.sku.trim()) : undefined;
        const hits = key?.length ? key : v.barcode?.trim() ? byBarcode.get(v.barcode.trim()) : undefined;
        if (!hits?.length) continue;
        if (hits.length > 1) clash = `${v.sku ? `SKU ${v.sku}` : `barcode ${v.barcode}`} belongs to ${hits.length} POS variants`;
        const hit = hits[0]!;
        const linkedTo = linkedPosVariant.get(hit.variantId);
        if (linkedTo && linkedTo !== sp.id) clash = `POS variant ${hit.variantId} (${v.sku ?? v.barcode}) is already linked to Shopify product ${linkedTo}`;
        owners.add(hit.productId);
        found.set(v.id, hit.variantId);
      }
      if (!clash && owners.size > 1) clash = `its variants match ${owners.size} different POS products (${[...owners].slice(0, 3).join(', ')})`;
      const owner = [...owners][0];
      if (!clash && owner && claimedPosProducts.has(owner)) clash = `POS product ${owner} also matches Shopify product ${claimedPosProducts.get(owner)}`;
      if (clash) {
        issue(conflicts, clash);
        counts.products.skipped++;
        continue;
      }
      if (owner) {
        target = productsById.get(owner)!;
        claimedPosProducts.set(owner, sp.id);
        for (const [k, v] of found) links.set(k, v);
      }
    }
    const problems: string[] = [];
    const built = buildProduct(sp, target, links, { ownership: input.ownership, digits: input.digits, now: input.now, actor: input.actor, ...(stored && !target ? { productId: stored.productId } : {}) }, problems);
    if (!built) {
      issue(conflicts, problems.join('; '));
      counts.products.skipped++;
      continue;
    }
    for (const w of problems) issue(warnings, w);
    const categoryId = built.doc.categoryId;
    if (categoryId === UNCATEGORISED_ID) addCategory(UNCATEGORISED_ID, UNCATEGORISED_NAME);
    else {
      const c = sp.collections?.find((x) => collectionCategoryId(x.id) === categoryId);
      if (c) addCategory(categoryId, c.title);
    }
    if (!target) counts.products.create++;
    else if (built.changed) counts.products.update++;
    else counts.products.unchanged++;
    counts.variants.create += built.createdVariants;
    counts.variants.update += built.updatedVariants;
    counts.variants.unchanged += sp.variants.length - built.createdVariants - built.updatedVariants;
    if (built.changed) plan.products.push(built.doc);
    // every image the catalog names from Shopify; the server fetches those the media database lacks
    if (sp.image && built.doc.imageId === imageIdFor(sp.image.key)) plan.images.push({ productId: built.doc._id, imageId: built.doc.imageId, url: sp.image.url });

    const map: ProductMap = {
      _id: productMapId(input.tenantId, built.doc._id),
      ...(stored?._rev && stored.productId === built.doc._id ? { _rev: stored._rev } : {}),
      type: 'shopify_product_map',
      tenantId: input.tenantId,
      productId: built.doc._id,
      shopifyProductId: sp.id,
      shopifyUpdatedAt: sp.updatedAt,
      // a variant created by an earlier import stays "created" (its opening stock is ours to write)
      variants: built.map.variants.map((v) => ({ ...v, created: v.created || Boolean(stored?.variants.find((s) => s.shopifyVariantId === v.shopifyVariantId)?.created) })),
      syncedHash: built.shopifySnapshot,
      updatedAt: input.now
    };
    const same = stored && canonicalJson({ ...stored, _rev: undefined, updatedAt: undefined }) === canonicalJson({ ...map, _rev: undefined, updatedAt: undefined });
    if (!same) plan.maps.push(map);
    for (const v of map.variants) {
      if (!v.created) continue;
      for (const l of input.locations) {
        const qty = sp.levels[v.inventoryItemId]?.[l.shopifyLocationId] ?? 0;
        if (qty !== 0) plan.openings.push({ locationCode: l.code, variantId: v.variantId, qty });
      }
    }
  }
  plan.categories = [...newCategories.values()];
  counts.categories.create = plan.categories.length;
  counts.images = plan.images.length;
  counts.stockLevels = plan.openings.length;
  return plan;
}
