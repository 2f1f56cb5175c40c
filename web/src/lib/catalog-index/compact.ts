/**
 * The compact catalog wire format (server snapshot → register), one row per active product. Pure;
 * shared by the server that builds it and the register that loads it.
 */
import { z } from 'zod';
import type { IndexEntry } from './entries.ts';

/** `cost` (minor units) is last and optional: an RFID count values its variance at cost; snapshots from before it lack it. */
export type CompactVariant = [variantId: string, sku: string, barcode: string | null, price: number, options: Record<string, string>, cost?: number];
export type CompactProduct = [id: string, rev: string, name: string, taxCategory: string, categoryId: string, variants: CompactVariant[]];

/** The wire check of a row, for the register reading a snapshot (zod 4 checks 100k rows in well under a second). */
export const compactVariantSchema = z.tuple([z.string(), z.string(), z.string().nullable(), z.number(), z.record(z.string(), z.string()), z.number().optional()]);
export const compactProductSchema = z.tuple([z.string(), z.string(), z.string(), z.string(), z.string(), z.array(compactVariantSchema)]);

export interface ProductDoc {
  _id: string;
  _rev: string;
  type?: string;
  status?: string;
  name?: string;
  taxCategory?: string;
  categoryId?: string;
  variants?: { id: string; sku: string; barcode?: string; price: number; cost?: number; options: Record<string, string>; active?: boolean }[];
}

export function compactProduct(doc: ProductDoc): CompactProduct | null {
  if (doc.type !== 'product' || doc.status !== 'active' || !doc.variants) return null;
  const variants = doc.variants.filter((v) => v.active !== false).map((v): CompactVariant => (v.cost !== undefined ? [v.id, v.sku, v.barcode ?? null, v.price, v.options, v.cost] : [v.id, v.sku, v.barcode ?? null, v.price, v.options]));
  return [doc._id, doc._rev, doc.name ?? '', doc.taxCategory ?? '', doc.categoryId ?? '', variants];
}


export function entriesFromCompact(row: CompactProduct): IndexEntry[] {
  const [productId, , name, taxCategory, categoryId, variants] = row;
  return variants.map(([variantId, sku, barcode, price, options, cost]) => ({
    productId,
    variantId,
    name,
    sku,
    ...(barcode ? { barcode } : {}),
    price,
    ...(cost !== undefined ? { cost } : {}),
    taxCategory,
    categoryId,
    options
  }));
}
