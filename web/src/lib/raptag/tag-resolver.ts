import { classifyTag, decodeEpc } from '../domain/epc.ts';
import type { IndexEntry } from '../catalog-index/entries.ts';
import type { Resolved } from './batch-processor.ts';

/** The part of the compact catalog the RFID app reads (catalog-index/entries.ts `CatalogLookup`). */
export interface VariantCatalog {
  byGtin14(gtin14: string): IndexEntry | undefined;
  variant(variantId: string): IndexEntry | undefined;
  find(code: string): IndexEntry | undefined;
  entries(): IterableIterator<IndexEntry>;
  readonly size: number;
}

/**
 * EPC → what it is to this store: decoded by the GS1 Tag Data Standard (domain/epc.ts), its GTIN
 * looked up in the compact catalog the register also uses (O(1) by GTIN-14), classified against the
 * tenant's company prefixes. Called once per new EPC by the batch processor, never per read.
 */
export function tagResolver(catalog: () => VariantCatalog | null, companyPrefixes: () => readonly string[]): (epc: string) => Resolved {
  return (epc) => {
    const decoded = decodeEpc(epc, { uris: false });
    const lookup = catalog();
    const entry = decoded.gtin ? lookup?.byGtin14(decoded.gtin) : undefined;
    const cls = classifyTag(decoded, companyPrefixes(), (g) => (g === decoded.gtin ? !!entry : !!lookup?.byGtin14(g)));
    const out: Resolved = { cls };
    if (entry && cls === 'item') out.variantId = entry.variantId;
    if (decoded.gtin) out.gtin = decoded.gtin;
    return out;
  };
}

/** "Blue Oxford shirt · M / Blue" */
export function variantLabel(e: Pick<IndexEntry, 'name' | 'options'> | undefined, fallback = '(not in the catalog)'): string {
  if (!e) return fallback;
  const opts = Object.values(e.options ?? {}).filter(Boolean).join(' / ');
  return opts ? `${e.name} · ${opts}` : e.name;
}
