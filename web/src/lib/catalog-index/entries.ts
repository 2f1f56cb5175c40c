import { toGtin14 } from '../domain/gtin.ts';
import { compactProduct, entriesFromCompact, type ProductDoc } from './compact.ts';

/**
 * The register's compact catalog: one small record per sellable variant, enough to scan, show and
 * price an item (sync-engine issue: sell before the full PouchDB replica has finished loading).
 * Pure: built from product documents, no I/O.
 */
export interface IndexEntry {
  productId: string;
  variantId: string;
  name: string;
  sku: string;
  barcode?: string;
  price: number;
  /** unit cost, minor units, when the catalog has one */
  cost?: number;
  taxCategory: string;
  categoryId: string;
  options: Record<string, string>;
}

type ProductLike = Omit<ProductDoc, '_rev'> & { _rev?: string; _deleted?: boolean };

/** Sellable entries of a product document; archived, deleted or inactive ones yield nothing. */
export function entriesFromDoc(doc: ProductLike): IndexEntry[] {
  if (doc._deleted) return [];
  const row = compactProduct({ ...doc, _rev: doc._rev ?? '' });
  return row ? entriesFromCompact(row) : [];
}

/** In-memory lookups over the entries: barcode (any GTIN length) and SKU (case-insensitive) in O(1). */
export class CatalogLookup {
  private byProduct = new Map<string, IndexEntry[]>();
  /** revision each product's entries came from, to tell later copies of it apart */
  private revs = new Map<string, string>();
  private byBarcode = new Map<string, IndexEntry>();
  private bySku = new Map<string, IndexEntry>();
  private byVariant = new Map<string, IndexEntry>();

  get size(): number {
    return this.bySku.size;
  }

  /** Replaces everything known about a product (an update, or a deletion when entries is empty). */
  revOf(productId: string): string | undefined {
    return this.revs.get(productId);
  }

  setProduct(productId: string, entries: IndexEntry[], rev?: string): void {
    if (rev) this.revs.set(productId, rev);
    else this.revs.delete(productId);
    for (const old of this.byProduct.get(productId) ?? []) {
      if (old.barcode && this.byBarcode.get(toGtin14(old.barcode)) === old) this.byBarcode.delete(toGtin14(old.barcode));
      if (this.bySku.get(old.sku.toUpperCase()) === old) this.bySku.delete(old.sku.toUpperCase());
      if (this.byVariant.get(old.variantId) === old) this.byVariant.delete(old.variantId);
    }
    if (entries.length === 0) this.byProduct.delete(productId);
    else this.byProduct.set(productId, entries);
    for (const e of entries) {
      if (e.barcode) this.byBarcode.set(toGtin14(e.barcode), e);
      this.bySku.set(e.sku.toUpperCase(), e);
      this.byVariant.set(e.variantId, e);
    }
  }

  applyDocs(docs: ProductLike[]): void {
    for (const d of docs) if (d._id.startsWith('product:')) this.setProduct(d._id, entriesFromDoc(d), d._deleted ? undefined : d._rev);
  }

  /** Every variant of a product (the register's size × colour picker). */
  variantsOf(productId: string): readonly IndexEntry[] {
    return this.byProduct.get(productId) ?? [];
  }

  /** First variant of each product in a category, by name: the register's product grid. */
  productsIn(categoryId: string, limit = 60): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (const entries of this.byProduct.values()) {
      const first = entries[0];
      if (first && first.categoryId === categoryId) out.push(first);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name)).slice(0, limit);
  }

  /**
   * Name/SKU/barcode search for the register's search box: exact code first, then products whose name
   * contains every word. A linear pass (≈ 20k products for 100k variants takes a few ms), run on input.
   */
  search(query: string, limit = 30): IndexEntry[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const exact = this.find(q);
    const words = q.split(/\s+/);
    const out: IndexEntry[] = exact ? [exact] : [];
    for (const entries of this.byProduct.values()) {
      const first = entries[0];
      if (!first || first.productId === exact?.productId) continue;
      const name = first.name.toLowerCase();
      if (words.every((w) => name.includes(w)) || first.sku.toLowerCase().startsWith(q)) out.push(first);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** One variant by id (an RFID count's lines, a transfer's lines). */
  variant(variantId: string): IndexEntry | undefined {
    return this.byVariant.get(variantId);
  }

  /** The variant a GTIN-14 names (an SGTIN tag's item), without the SKU fallback of `find`. */
  byGtin14(gtin14: string): IndexEntry | undefined {
    return this.byBarcode.get(gtin14);
  }

  /** Every variant (RFID counts scope by category; the demo tags the catalog). */
  *entries(): IterableIterator<IndexEntry> {
    yield* this.byVariant.values();
  }

  /** What a scanner or the manual entry field typed: a barcode or a SKU. */
  find(code: string): IndexEntry | undefined {
    const c = code.trim();
    if (/^\d{8,14}$/.test(c)) {
      const hit = this.byBarcode.get(toGtin14(c));
      if (hit) return hit;
    }
    return this.bySku.get(c.toUpperCase());
  }
}
