import type { IndexEntry } from '../../catalog-index/entries.ts';
import type { TagRead } from '../../peripherals/rfid/reader.ts';
import type { StockAcross } from '../raptag-api.ts';
import type { VariantCatalog } from '../tag-resolver.ts';

/**
 * Quick count and lookup: the clerk scans one item (its tag, its barcode, or types a SKU) and sees
 * what it is, how many tags of it are around right now (distinct EPCs while reading), stock here
 * (the phone's own ledger, offline) and at the other stores (the server, when online).
 */
export interface LookupDeps {
  catalog(): VariantCatalog | null;
  resolve(epc: string): { variantId?: string };
  onHand(variantId: string): number;
  elsewhere(variantId: string): Promise<StockAcross>;
}

export interface LookupState {
  item: IndexEntry | null;
  /** distinct tags of the item heard since it was picked */
  tagsAround: number;
  here: number | null;
  elsewhere: StockAcross | null;
  /** why the other stores are not shown (offline…) */
  elsewhereError: string | null;
  /** the code or tag that did not match any item */
  unknown: string | null;
}

export class Lookup {
  state: LookupState = { item: null, tagsAround: 0, here: null, elsewhere: null, elsewhereError: null, unknown: null };
  private seen = new Set<string>();

  constructor(private readonly deps: LookupDeps) {}

  /** A barcode, SKU or EPC typed or scanned. */
  async identify(code: string): Promise<LookupState> {
    const c = code.trim();
    const byCode = this.deps.catalog()?.find(c);
    const variantId = byCode?.variantId ?? (/^[0-9A-Fa-f]{24,}$/.test(c) ? this.deps.resolve(c.toUpperCase()).variantId : undefined);
    const item = variantId ? (this.deps.catalog()?.variant(variantId) ?? null) : null;
    if (!item) {
      this.state = { ...this.state, unknown: c };
      return this.state;
    }
    return this.pick(item);
  }

  async pick(item: IndexEntry): Promise<LookupState> {
    this.seen = new Set();
    this.state = { item, tagsAround: 0, here: this.deps.onHand(item.variantId), elsewhere: null, elsewhereError: null, unknown: null };
    try {
      this.state = { ...this.state, elsewhere: await this.deps.elsewhere(item.variantId) };
    } catch (err) {
      this.state = { ...this.state, elsewhereError: (err as Error).message };
    }
    return this.state;
  }

  /**
   * Reads while looking up: with no item yet, the strongest tag that is a catalog item is picked (the
   * one held to the reader); then each distinct tag of that item adds to the quick count.
   */
  async push(reads: readonly TagRead[]): Promise<boolean> {
    if (!this.state.item) {
      const best = [...reads].filter((r) => this.deps.resolve(r.epc).variantId).sort((a, b) => (b.rssi ?? -999) - (a.rssi ?? -999))[0];
      const item = best ? this.deps.catalog()?.variant(this.deps.resolve(best.epc).variantId!) : undefined;
      if (!item) return false;
      await this.pick(item);
    }
    const v = this.state.item?.variantId;
    let changed = false;
    for (const r of reads) {
      if (this.seen.has(r.epc) || this.deps.resolve(r.epc).variantId !== v) continue;
      this.seen.add(r.epc);
      changed = true;
    }
    if (changed) this.state = { ...this.state, tagsAround: this.seen.size };
    return changed;
  }

  clear(): void {
    this.seen = new Set();
    this.state = { item: null, tagsAround: 0, here: null, elsewhere: null, elsewhereError: null, unknown: null };
  }
}
