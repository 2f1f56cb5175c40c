/**
 * Bulk catalog CSV import (admin issue goal: a 10,000-row import completes in ≤ 30 s).
 *
 * Data: a generated 10,000-row CSV, 2,000 products × 5 variants (Size × Colour, EAN-13 barcodes,
 * prices and costs), ~1.6 MB.
 *
 * - csv-import-10k: POST /api/v1/catalog/import of the file (text/csv) into a fresh tenant on a real
 *   test server (API only, embedded store): parse + validate every row against the catalog, then
 *   `_bulk_docs` in batches of 500. Wall time of the request, client side.
 *   Baseline, same run, another fresh tenant: the same file parsed into the same product documents
 *   (our parser, so both sides do the same validation), then written the naive way: one nano PUT
 *   per product (2,000 requests), in sequence.
 * - csv-reimport-10k: the same file again (every product compared, nothing written).
 */
import { catalogDb } from '#domain/db-names.ts';
import { ean13 } from '#domain/gtin.ts';
import { planCatalogImport } from '#domain/catalog-csv-plan.ts';
import { createTenant } from '../server/tenants/provision.ts';
import { login, startTestServer } from '../tests/integration/support/server.ts';
import { report, type Benchmark } from './lib.ts';

const PRODUCTS = 2000;
const SIZES = ['S', 'M', 'L', 'XL', 'XXL'];
const COLOURS = ['Black', 'White', 'Navy', 'Olive', 'Sand'];
const PW = 'bench-password-123';

function generateCsv(): string {
  const rows = ['handle,name,category,tax_category,status,option1_name,option1_value,option2_name,option2_value,sku,barcode,price,cost,active'];
  let seq = 0;
  for (let p = 1; p <= PRODUCTS; p++) {
    const handle = `bench-${String(p).padStart(5, '0')}`;
    const name = p % 7 === 0 ? `"Relaxed Tee, ${p}"` : `Relaxed Tee ${p}`;
    const price = (1499 + (p % 20) * 100) / 100;
    for (let v = 0; v < 5; v++) {
      seq++;
      const size = SIZES[v]!;
      const colour = COLOURS[p % COLOURS.length]!;
      rows.push([handle, name, `Category ${p % 12}`, 'clothing', 'active', 'Size', size, 'Colour', colour, `B-${p}-${size}`, ean13(`2${String(seq).padStart(11, '0')}`), price.toFixed(2), (price * 0.4).toFixed(2), 'true'].join(','));
    }
  }
  return rows.join('\r\n') + '\r\n';
}

const bench: Benchmark = {
  name: 'csv-import-10k',
  async run() {
    const csv = generateCsv();
    console.error(`  file: ${PRODUCTS * 5} rows, ${(csv.length / 1e6).toFixed(2)} MB`);
    const s = await startTestServer();
    try {
      const ours = await createTenant({ couch: s.couch }, { name: 'Bench Import', adminEmail: 'o@bench-import.test', adminPassword: PW, locations: [{ code: 'GM' }] });
      const base = await createTenant({ couch: s.couch }, { name: 'Bench Naive', adminEmail: 'o@bench-naive.test', adminPassword: PW, locations: [{ code: 'GM' }] });
      const token = await login(s, 'o@bench-import.test', PW);

      const post = async () => {
        const t0 = performance.now();
        const res = await fetch(`${s.url}/api/v1/catalog/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: csv });
        const body = (await res.json()) as { counts?: { products: Record<string, number>; variants: Record<string, number> }; written?: { products: number } };
        const secs = (performance.now() - t0) / 1000;
        if (res.status !== 200) throw new Error(`import failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
        return { secs, body };
      };

      const first = await post();
      if (first.body.written?.products !== PRODUCTS) throw new Error(`expected ${PRODUCTS} products written, got ${JSON.stringify(first.body)}`);
      const info = (await s.couch.use(catalogDb(ours.tenantId)).info()) as { doc_count: number };
      console.error(`  ours: ${first.secs.toFixed(2)} s, catalog now ${info.doc_count} documents`);

      // baseline: parse the same file into the same documents, then one PUT per product
      const t0 = performance.now();
      const plan = planCatalogImport(csv, { products: [], categories: [] }, { now: new Date().toISOString(), actor: 'user:bench' });
      if (!plan.ok) throw new Error('baseline plan failed');
      const db = s.couch.use(catalogDb(base.tenantId));
      for (const c of plan.plan.categories) await db.insert(c);
      for (const c of plan.plan.products) await db.insert(c.doc);
      const naive = (performance.now() - t0) / 1000;
      console.error(`  baseline: ${naive.toFixed(2)} s`);
      report({ name: 'csv-import-10k', metric: 'seconds', value: first.secs, baseline: 'nano-put-per-product', baseline_value: naive });

      const again = await post();
      if (again.body.written?.products !== 0) throw new Error(`re-import wrote ${again.body.written?.products} products`);
      report({ name: 'csv-reimport-10k', metric: 'seconds', value: again.secs });
    } finally {
      await s.stop();
    }
  }
};
export default bench;
