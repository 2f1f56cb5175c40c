import { PLATFORM_DB, catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { computeAlerts, openShiftIds, stockAlertsFor, type Alert, type ConflictFact, type DeviceFact, type OpenShiftFact } from '#domain/alerts.ts';
import { catalogVariants, stockAlertsAt, type NamedAlert } from '../inventory/stock-admin.ts';
import { mayUseLocation, type Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import type { DeviceDoc } from '../platform/types.ts';
import { getTenant } from '../tenants/provision.ts';
import { listOpenConflicts } from '../workers/conflicts.ts';

async function ids(couch: Couch, db: string, prefix: string): Promise<string[]> {
  const res = await couch.use(db).list({ startkey: `${prefix}:`, endkey: `${prefix}:\ufff0` });
  return res.rows.map((r) => r.id);
}

async function openShifts(couch: Couch, tenantId: string, code: string): Promise<OpenShiftFact[]> {
  const db = locationDb(tenantId, code);
  const [shifts, closes] = await Promise.all([ids(couch, db, 'shift'), ids(couch, db, 'shift_close')]);
  const open = openShiftIds(shifts, closes);
  if (open.length === 0) return [];
  const res = await couch.use(db).fetch({ keys: open });
  return res.rows.flatMap((r) => {
    const d = 'doc' in r ? (r.doc as unknown as { _id: string; registerId: string; openedAt: string; openedByName?: string } | null) : null;
    return d ? [{ id: d._id, registerId: d.registerId, locationCode: code, openedAt: d.openedAt, openedByName: d.openedByName }] : [];
  });
}

/**
 * The facts behind the operational alerts, for the locations the caller may see: the tenant's
 * devices (with the last sync the gateway recorded), open conflicts in every database, open shifts
 * and negative or low stock per location. The rules themselves are pure (#domain/alerts.ts,
 * domain/stock-levels.ts).
 */
export async function collectAlerts(couch: Couch, p: Principal, now = new Date()): Promise<Alert[]> {
  const tenant = await getTenant(couch, p.tenantId);
  if (!tenant) return [];
  const locations = tenant.locations.filter((c) => mayUseLocation(p, c));
  const deviceRows = await couch.use(PLATFORM_DB).list({ startkey: 'device:', endkey: 'device:\ufff0', include_docs: true });
  const devices: DeviceFact[] = deviceRows.rows
    .map((r) => r.doc as unknown as DeviceDoc)
    .filter((d) => d && d.tenantId === p.tenantId && locations.includes(d.locationCode))
    .map((d) => ({
      id: d._id.slice('device:'.length),
      name: d.name,
      kind: d.kind,
      locationCode: d.locationCode,
      enrolledAt: d.enrolledAt,
      lastSyncAt: d.lastSyncAt ?? null,
      revokedAt: d.revokedAt ?? null
    }));
  const dbs: { name: string; locationCode: string | null }[] = [
    { name: catalogDb(p.tenantId), locationCode: null },
    { name: customersDb(p.tenantId), locationCode: null },
    ...locations.map((c) => ({ name: locationDb(p.tenantId, c), locationCode: c }))
  ];
  const conflicts: ConflictFact[] = (
    await Promise.all(dbs.map(async (db) => (await listOpenConflicts(couch.use(db.name))).map((row) => ({ db: db.name, id: row.id, type: row.key, locationCode: db.locationCode }))))
  ).flat();
  const shifts = (await Promise.all(locations.map((c) => openShifts(couch, p.tenantId, c)))).flat();
  const variants = await catalogVariants(couch, p.tenantId);
  const named = (a: NamedAlert) => ({ variantId: a.variantId, onHand: a.onHand, name: [a.productName ?? a.variantId, a.label].filter(Boolean).join(' ') });
  const stock = (
    await Promise.all(
      locations.map(async (code) => {
        const s = await stockAlertsAt(couch, p.tenantId, code, variants);
        return stockAlertsFor(code, s.negative.map(named), s.low.map(named));
      })
    )
  ).flat();
  return [...computeAlerts({ devices, conflicts, openShifts: shifts }, now), ...stock].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1));
}
