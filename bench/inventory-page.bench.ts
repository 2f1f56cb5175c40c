/**
 * The admin inventory page on the demo tenant (520 products, ~2,600 variants at GM): what its two
 * requests cost the server (GET /inventory/levels for the first page of the list, GET
 * /inventory/alerts), right after a write to the store (a sale or adjustment, so nothing cached
 * for the location can be reused). Issue 12 measured 7.5 s in the browser.
 *
 * - inventory-page-list: time until the list's page is answered (the page shows it at once).
 * - inventory-page-both: time until both are answered.
 * Baseline: the same two answers the way the server made them before (each request read the
 * whole location's `stock/on_hand`, grouped; the embedded store reduces such a query row by row),
 * called in the same process on the same data, after the same write. p50 of RUNS each.
 */
import { newUlid } from '#domain/ids.ts';
import { locationDb } from '#domain/db-names.ts';
import { incomingInTransit, matchesSearch, paginate, stockAlerts, stockRow } from '#domain/stock-levels.ts';
import { catalogVariants, listStock, readLimits, stockAlertsAt } from '../server/inventory/stock-admin.ts';
import { assertLocations, listTransfers, stockLevels } from '../server/inventory/service.ts';
import { startTestServer } from '../tests/integration/support/server.ts';
import { percentile, report, type Benchmark } from './lib.ts';

const RUNS = 9;
const LOC = 'GM';

export default {
  name: 'inventory-page',
  async run() {
    const s = await startTestServer({ SEED_DEMO: '1', SEED_HISTORY_DAYS: '0' });
    try {
      const tenants = await s.couch.listDbs();
      const tenantId = tenants.find((d) => d.endsWith('-catalog'))!.slice(2, -'-catalog'.length);
      const db = s.couch.use(locationDb(tenantId, LOC));
      const touch = () => db.insert({ _id: `movement:opening:${newUlid()}`, type: 'stock_movement', locationCode: LOC, reason: 'opening', lines: [{ variantId: 'nx-000001-v01', qty: 1 }], createdAt: new Date().toISOString(), createdBy: 'user:bench' });
      const query = { location: LOC, q: '', filter: 'all' as const, page: 1, pageSize: 50 };

      // before: each of the page's requests read every variant's on hand (old listStock and stockAlertsAt)
      const onHandAll = async () => new Map((await stockLevels(s.couch, tenantId, LOC, [])).map((l) => [l.variantId, l.onHand]));
      const oldList = async () => {
        await assertLocations(s.couch, tenantId, [LOC]);
        const [variants, onHand, limits, transfers] = await Promise.all([catalogVariants(s.couch, tenantId), onHandAll(), readLimits(s.couch, tenantId, LOC), listTransfers(s.couch, tenantId, LOC, 'shipped', 10_000)]);
        const transit = incomingInTransit(transfers, LOC);
        const rows = variants.filter((v) => matchesSearch(v, '')).map((v) => stockRow(v, onHand.get(v.variantId) ?? 0, transit.get(v.variantId) ?? 0, limits.get(v.variantId))).filter((r) => !r.archived || r.onHand !== 0 || r.inTransit !== 0);
        return paginate(rows, 1, 50);
      };
      const oldAlerts = async () => {
        const [onHand, limits] = await Promise.all([onHandAll(), readLimits(s.couch, tenantId, LOC)]);
        return stockAlerts(onHand, limits);
      };

      await listStock(s.couch, tenantId, query); // views built, catalog cached: both sides start warm
      await oldList();
      const ours = { list: [] as number[], both: [] as number[] };
      const base = { list: [] as number[], both: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        await touch();
        let t = performance.now();
        let listDone = 0;
        await Promise.all([listStock(s.couch, tenantId, query).then(() => (listDone = performance.now() - t)), stockAlertsAt(s.couch, tenantId, LOC)]);
        ours.both.push(performance.now() - t);
        ours.list.push(listDone);
        await touch();
        t = performance.now();
        await Promise.all([oldList().then(() => (listDone = performance.now() - t)), oldAlerts()]);
        base.both.push(performance.now() - t);
        base.list.push(listDone);
      }
      const p50 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
      report({ name: 'inventory-page-list', metric: 'p50_ms', value: p50(ours.list), baseline: 'whole-location on_hand per request', baseline_value: p50(base.list) });
      report({ name: 'inventory-page-both', metric: 'p50_ms', value: p50(ours.both), baseline: 'whole-location on_hand per request', baseline_value: p50(base.both) });
    } finally {
      await s.stop();
    }
  }
} satisfies Benchmark;
