import { catalogDb } from '#domain/db-names.ts';
import type { Couch } from '../couch/client.ts';
import { compactProduct, type CompactProduct, type ProductDoc } from '#catalog-index/compact.ts';

/**
 * The register's compact catalog, served in one response so a fresh register can scan any item in
 * seconds while its full replica loads (sync-engine issue). A map view was measured too slow on the
 * embedded store at 100k products (87 s to build, 8.4 s to read), so each server copy keeps the
 * snapshot in memory, built once from the changes feed and brought up to date incrementally on each
 * request. Nothing here is authoritative: it is always derived from CouchDB, so server copies stay
 * stateless (a new copy simply rebuilds it).
 */
interface Snapshot {
  seq: string | number;
  products: Map<string, CompactProduct>;
  /** the few documents a register needs to sign in and price (staff, settings, location, tax…) */
  reference: Map<string, Record<string, unknown>>;
}

/** Catalog documents a register reads before anything else; small, sent whole. */
const REFERENCE_PREFIXES = ['staff:', 'settings:', 'location:', 'tax_rate:', 'tax_table:', 'category:', 'register:', 'price_rule:'];
const empty = (): Snapshot => ({ seq: 0, products: new Map(), reference: new Map() });

const PAGE = 5_000;

export class CatalogSnapshots {
  private cache = new Map<string, Promise<Snapshot>>();

  constructor(private readonly couch: Couch) {}

  private async advance(tenantId: string, snap: Snapshot): Promise<Snapshot> {
    for (;;) {
      const res = (await this.couch.server.request({
        db: this.couch.physical(catalogDb(tenantId)),
        path: '_changes',
        qs: { include_docs: true, style: 'main_only', since: snap.seq, limit: PAGE }
      })) as { results: { id: string; deleted?: boolean; doc?: ProductDoc }[]; last_seq: string | number };
      for (const r of res.results) {
        if (REFERENCE_PREFIXES.some((p) => r.id.startsWith(p))) {
          if (r.deleted || !r.doc) snap.reference.delete(r.id);
          else snap.reference.set(r.id, r.doc as unknown as Record<string, unknown>);
          continue;
        }
        if (!r.id.startsWith('product:')) continue;
        const row = r.deleted || !r.doc ? null : compactProduct(r.doc);
        if (row) snap.products.set(r.id, row);
        else snap.products.delete(r.id);
      }
      snap.seq = res.last_seq;
      if (res.results.length < PAGE) return snap;
    }
  }

  /** The tenant's snapshot, current as of this call. Concurrent callers share one update. */
  async get(tenantId: string): Promise<{ seq: string | number; products: CompactProduct[]; reference: Record<string, unknown>[] }> {
    const prev = this.cache.get(tenantId) ?? Promise.resolve(empty());
    const next = prev.then((snap) => this.advance(tenantId, snap));
    // A failed update must not poison the cache: the next caller starts over from scratch.
    this.cache.set(tenantId, next.catch(() => empty()));
    const snap = await next;
    return { seq: snap.seq, products: [...snap.products.values()], reference: [...snap.reference.values()] };
  }
}
