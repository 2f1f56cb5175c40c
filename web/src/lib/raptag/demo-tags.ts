import { companyPrefixFor, encodeSgtin96 } from '../domain/epc.ts';
import { normaliseGtin } from '../domain/gtin.ts';
import type { SimTag } from '../peripherals/rfid/simulator.ts';
import type { VariantCatalog } from './tag-resolver.ts';

/**
 * The simulated reader's shelf for the demo: one SGTIN-96 per unit the ledger says this store holds
 * (up to `limit`), with about 1 % of them missing, a few unexpected extra units, and two tags of
 * another company, at random distances. Company prefix: the tenant's when it has one for the GTIN,
 * else the GTIN's first seven digits (restricted-circulation demo barcodes have no real prefix).
 */
export function demoTags(catalog: VariantCatalog, onHand: ReadonlyMap<string, number>, prefixes: readonly string[], limit = 3_000): SimTag[] {
  const out: SimTag[] = [];
  let serial = 1_000_000;
  const rand = mulberry(7);
  for (const [variantId, qty] of onHand) {
    const e = catalog.variant(variantId);
    const g14 = e?.barcode ? normaliseGtin(e.barcode) : null;
    if (!g14 || qty <= 0) continue;
    const prefix = companyPrefixFor(g14, prefixes) ?? g14.slice(1, 8);
    const units = Math.min(qty, limit - out.length) + (rand() < 0.01 ? 1 : 0);
    for (let i = 0; i < units; i++) {
      if (rand() < 0.01) continue; // missing
      out.push({ epc: encodeSgtin96({ gtin: g14, companyPrefix: prefix, serial: serial++ }).epc, distance: 0.5 + rand() * 5 });
    }
    if (out.length >= limit) break;
  }
  out.push({ epc: '3074257BF7194E4000001A85', distance: 3 }, { epc: '3074257BF7194E4000001A86', distance: 4 });
  return out;
}

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
