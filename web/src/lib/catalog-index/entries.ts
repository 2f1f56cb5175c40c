import { toGtin14 } from '../domain/gtin.ts';

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
  taxCategory: string;
  categoryId: string;
  options: Record<string, string>;
}

interface ProductLike {
  _id: string;
  _deleted?: boolean;
  type?: string;
  name?: string;
  status?: string;
  taxCategory?: string;
  categoryId?: string;
  variants?: { id: string; sku: string; barcode?: string; price: number; options: Record<string, string>; active?: boolean }[];
}

/** Sellable entries of a product document; archived, deleted or inactive ones yield nothing. */
export function entriesFromDoc(doc: ProductLike): IndexEntry[] {
  if (doc._deleted || doc.type !== 'product' || doc.status !== 'active' || !doc.variants) return [];
  return doc.variants
    .filter((v) => v.active !== false)
    .map((v) => ({
      productId: doc._id,
      variantId: v.id,
      name: doc.name ?? '',
      sku: v.sku,
      ...(v.barcode ? { barcode: v.barcode } : {}),
      price: v.price,
      taxCategory: doc.taxCategory ?? '',
      categoryId: doc.categoryId ?? '',
      options: v.options
    }));
}

/** In-memory lookups over the entries: barcode (any GTIN length) and SKU (case-insensitive) in O(1). */
export class CatalogLookup {
  private byProduct = new Map<string, IndexEntry[]>();
  private byBarcode = new Map<string, IndexEntry>();
  private bySku = new Map<string, IndexEntry>();

  get size(): number {
    return this.bySku.size;
  }

  /** Replaces everything known about a product (an update, or a deletion when entries is empty). */
  setProduct(productId: string, entries: IndexEntry[]): void {
    for (const old of this.byProduct.get(productId) ?? []) {
      if (old.barcode && this.byBarcode.get(toGtin14(old.barcode)) === old) this.byBarcode.delete(toGtin14(old.barcode));
      if (this.bySku.get(old.sku.toUpperCase()) === old) this.bySku.delete(old.sku.toUpperCase());
    }
    if (entries.length === 0) this.byProduct.delete(productId);
    else this.byProduct.set(productId, entries);
    for (const e of entries) {
      if (e.barcode) this.byBarcode.set(toGtin14(e.barcode), e);
      this.bySku.set(e.sku.toUpperCase(), e);
    }
  }

  applyDocs(docs: ProductLike[]): void {
    for (const d of docs) if (d._id.startsWith('product:')) this.setProduct(d._id, entriesFromDoc(d));
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
