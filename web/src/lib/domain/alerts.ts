/**
 * Operational alerts for the admin dashboard (issue 5): pure rules over facts the server gathers
 * (server/alerts/collect.ts). No I/O; `now` is passed in so the rules are testable to the minute.
 *
 * The rules (docs/ADMIN.md "Alerts"):
 * - `conflict`: a document has competing revisions the conflict worker has not settled yet.
 * - `device_not_synced`: an enrolled, unrevoked device whose last successful replication (or, if it
 *   never replicated, its enrolment) is more than 1 h ago.
 * - `shift_long_open`: a register shift open for more than 16 h (a forgotten Z report: the next
 *   day's sales land in yesterday's shift).
 * - `shift_unsynced` (critical): a register with an open shift that has not synced for more than
 *   1 h, or that was revoked: its sales may be sitting on the device only.
 */
export const DEVICE_STALE_MS = 3_600_000;
export const SHIFT_LONG_OPEN_MS = 16 * 3_600_000;
export const SHIFT_DEVICE_SILENT_MS = 3_600_000;

export type AlertKind = 'conflict' | 'device_not_synced' | 'shift_long_open' | 'shift_unsynced' | 'negative_stock' | 'low_stock';
export type AlertSeverity = 'critical' | 'warning';

export interface Alert {
  /** stable across calls, so a UI can key and dismiss by it */
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** null for tenant-wide things (catalog or customer conflicts) */
  locationCode: string | null;
  message: string;
  /** when the condition started (last sync, shift opened), ISO; null when unknown */
  since: string | null;
  /** the admin page where it is dealt with, when there is one */
  href?: string;
}

export interface DeviceFact {
  id: string;
  name: string;
  kind: 'register' | 'rfid_phone';
  locationCode: string;
  enrolledAt: string;
  lastSyncAt: string | null;
  revokedAt: string | null;
}

export interface ConflictFact {
  db: string;
  id: string;
  type: string | null;
  /** the location the database belongs to, null for tenant-wide databases */
  locationCode: string | null;
}

export interface OpenShiftFact {
  id: string;
  /** `device:{id}` as the register writes it */
  registerId: string;
  locationCode: string;
  openedAt: string;
  openedByName?: string | undefined;
}

export interface AlertFacts {
  devices: readonly DeviceFact[];
  conflicts: readonly ConflictFact[];
  openShifts: readonly OpenShiftFact[];
}

/** "45 min", "3 h", "2 d": how long ago, rounded down, for alert messages. */
export function formatAge(ms: number): string {
  const min = Math.max(0, Math.floor(ms / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

const KIND_LABEL: Record<DeviceFact['kind'], string> = { register: 'Register', rfid_phone: 'RFID phone' };
const SEVERITY_ORDER: Record<AlertSeverity, number> = { critical: 0, warning: 1 };

/** When a device last replicated, or was enrolled if it never has. */
function lastContact(d: DeviceFact): string {
  return d.lastSyncAt ?? d.enrolledAt;
}

export function computeAlerts(facts: AlertFacts, now: Date): Alert[] {
  const t = now.getTime();
  const age = (iso: string) => t - new Date(iso).getTime();
  const alerts: Alert[] = [];
  const byRegister = new Map(facts.devices.map((d) => [`device:${d.id}`, d]));

  for (const c of facts.conflicts) {
    alerts.push({
      id: `conflict:${c.db}:${c.id}`,
      kind: 'conflict',
      severity: 'warning',
      locationCode: c.locationCode,
      message: `Conflicting versions of ${c.type ?? 'document'} ${c.id} (${c.locationCode ? `location ${c.locationCode}` : c.db}) wait for the conflict worker or an admin`,
      since: null
    });
  }

  for (const d of facts.devices) {
    if (d.revokedAt) continue;
    const since = lastContact(d);
    if (age(since) <= DEVICE_STALE_MS) continue;
    alerts.push({
      id: `device_not_synced:${d.id}`,
      kind: 'device_not_synced',
      severity: 'warning',
      locationCode: d.locationCode,
      message: d.lastSyncAt
        ? `${KIND_LABEL[d.kind]} "${d.name}" at ${d.locationCode} has not synced for ${formatAge(age(since))}`
        : `${KIND_LABEL[d.kind]} "${d.name}" at ${d.locationCode} has never synced since it was enrolled ${formatAge(age(since))} ago`,
      since
    });
  }

  for (const s of facts.openShifts) {
    const device = byRegister.get(s.registerId);
    const name = device ? `"${device.name}"` : s.registerId;
    const who = s.openedByName ? ` by ${s.openedByName}` : '';
    if (age(s.openedAt) > SHIFT_LONG_OPEN_MS) {
      alerts.push({
        id: `shift_long_open:${s.id}`,
        kind: 'shift_long_open',
        severity: 'warning',
        locationCode: s.locationCode,
        message: `Shift on register ${name} at ${s.locationCode} opened${who} ${formatAge(age(s.openedAt))} ago is still open; close it with a Z report`,
        since: s.openedAt
      });
    }
    if (device?.revokedAt) {
      alerts.push({
        id: `shift_unsynced:${s.id}`,
        kind: 'shift_unsynced',
        severity: 'critical',
        locationCode: s.locationCode,
        message: `Register ${name} at ${s.locationCode} was revoked with a shift still open; sales made on it after its last sync never reached the server`,
        since: device.lastSyncAt ?? s.openedAt
      });
      continue;
    }
    const last = device ? lastContact(device) : null;
    if (last === null || age(last) > SHIFT_DEVICE_SILENT_MS) {
      alerts.push({
        id: `shift_unsynced:${s.id}`,
        kind: 'shift_unsynced',
        severity: 'critical',
        locationCode: s.locationCode,
        message: last
          ? `Register ${name} at ${s.locationCode} has an open shift and has not synced for ${formatAge(age(last))}; its sales may be on the device only`
          : `Register ${name} at ${s.locationCode} has an open shift but is not an enrolled device`,
        since: last
      });
    }
  }

  // Critical first, then the oldest condition first (unknown start last).
  return alerts.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.since === null ? 1 : 0) - (b.since === null ? 1 : 0) ||
      (a.since ?? '').localeCompare(b.since ?? '') ||
      a.id.localeCompare(b.id)
  );
}

/**
 * Open shifts from the ids of a location database's `shift:` and `shift_close:` documents: a shift is
 * open until a `shift_close:{register}:{ulid}` with its ulid exists (schemas/location.ts).
 */
export function openShiftIds(shiftIds: readonly string[], closeIds: readonly string[]): string[] {
  const closed = new Set(closeIds.map((id) => `shift:${id.slice('shift_close:'.length)}`));
  return shiftIds.filter((id) => !closed.has(id));
}

/** A variant at or under its low-stock threshold, or below zero, with the name a manager knows it by. */
export interface StockFact {
  variantId: string;
  name: string;
  onHand: number;
}

/** How many variants a stock alert names before it says "and N more". */
export const STOCK_ALERT_NAMES = 3;

function listed(items: readonly StockFact[]): string {
  const named = items.slice(0, STOCK_ALERT_NAMES).map((i) => `${i.name} (${i.onHand})`);
  const more = items.length - named.length;
  return named.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/**
 * One alert per location and kind, not one per variant: a store with forty low lines needs one
 * line on the dashboard that opens the stock list filtered to them. Negative stock is critical
 * (sales or counts recorded more than was there); low stock is a reorder warning.
 */
export function stockAlertsFor(locationCode: string, negative: readonly StockFact[], low: readonly StockFact[]): Alert[] {
  const href = `/admin/inventory?location=${encodeURIComponent(locationCode)}&filter=attention`;
  const out: Alert[] = [];
  const n = (k: number) => `${k} variant${k === 1 ? '' : 's'}`;
  if (negative.length > 0) {
    out.push({ id: `negative_stock:${locationCode}`, kind: 'negative_stock', severity: 'critical', locationCode, since: null, href, message: `${n(negative.length)} below zero at ${locationCode}: ${listed(negative)}` });
  }
  if (low.length > 0) {
    out.push({ id: `low_stock:${locationCode}`, kind: 'low_stock', severity: 'warning', locationCode, since: null, href, message: `${n(low.length)} at or under the low-stock level at ${locationCode}: ${listed(low)}` });
  }
  return out;
}
