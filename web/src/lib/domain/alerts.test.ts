import { describe, expect, it } from 'vitest';
import { computeAlerts, formatAge, openShiftIds, stockAlertsFor, type DeviceFact, type OpenShiftFact } from './alerts.ts';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const ago = (min: number) => new Date(NOW.getTime() - min * 60_000).toISOString();

const device = (over: Partial<DeviceFact> = {}): DeviceFact => ({
  id: 'D1',
  name: 'Till 1',
  kind: 'register',
  locationCode: 'GM',
  enrolledAt: ago(600),
  lastSyncAt: ago(5),
  revokedAt: null,
  ...over
});
const shift = (over: Partial<OpenShiftFact> = {}): OpenShiftFact => ({ id: 'shift:D1:01J', registerId: 'device:D1', locationCode: 'GM', openedAt: ago(120), openedByName: 'Ana', ...over });

describe('computeAlerts', () => {
  it('raises nothing for a device that synced recently with a shift opened today', () => {
    expect(computeAlerts({ devices: [device()], conflicts: [], openShifts: [shift()] }, NOW)).toEqual([]);
  });

  it('flags a device not synced for more than an hour, not one at exactly an hour', () => {
    expect(computeAlerts({ devices: [device({ lastSyncAt: ago(60) })], conflicts: [], openShifts: [] }, NOW)).toEqual([]);
    const [a] = computeAlerts({ devices: [device({ lastSyncAt: ago(61) })], conflicts: [], openShifts: [] }, NOW);
    expect(a).toMatchObject({ kind: 'device_not_synced', severity: 'warning', locationCode: 'GM', since: ago(61) });
    expect(a?.message).toBe('Register "Till 1" at GM has not synced for 1 h');
  });

  it('counts a never-synced device from its enrolment, and ignores revoked devices', () => {
    const [a] = computeAlerts({ devices: [device({ kind: 'rfid_phone', name: 'Phone', lastSyncAt: null, enrolledAt: ago(180) })], conflicts: [], openShifts: [] }, NOW);
    expect(a?.message).toBe('RFID phone "Phone" at GM has never synced since it was enrolled 3 h ago');
    expect(computeAlerts({ devices: [device({ lastSyncAt: null, enrolledAt: ago(30) })], conflicts: [], openShifts: [] }, NOW)).toEqual([]);
    expect(computeAlerts({ devices: [device({ lastSyncAt: ago(999), revokedAt: ago(900) })], conflicts: [], openShifts: [] }, NOW)).toEqual([]);
  });

  it('flags a shift open for more than 16 hours', () => {
    const alerts = computeAlerts({ devices: [device()], conflicts: [], openShifts: [shift({ openedAt: ago(16 * 60 + 1) })] }, NOW);
    expect(alerts.map((a) => a.kind)).toEqual(['shift_long_open']);
    expect(alerts[0]?.message).toBe('Shift on register "Till 1" at GM opened by Ana 16 h ago is still open; close it with a Z report');
    expect(computeAlerts({ devices: [device()], conflicts: [], openShifts: [shift({ openedAt: ago(16 * 60) })] }, NOW)).toEqual([]);
  });

  it('flags an open shift on a silent, revoked or unknown register as critical, first', () => {
    const silent = computeAlerts({ devices: [device({ lastSyncAt: ago(90) })], conflicts: [], openShifts: [shift()] }, NOW);
    expect(silent.map((a) => [a.kind, a.severity])).toEqual([
      ['shift_unsynced', 'critical'],
      ['device_not_synced', 'warning']
    ]);
    expect(silent[0]?.message).toContain('has an open shift and has not synced for 1 h');
    const revoked = computeAlerts({ devices: [device({ revokedAt: ago(10) })], conflicts: [], openShifts: [shift()] }, NOW);
    expect(revoked.map((a) => a.kind)).toEqual(['shift_unsynced']);
    expect(revoked[0]?.message).toContain('was revoked with a shift still open');
    const unknown = computeAlerts({ devices: [], conflicts: [], openShifts: [shift({ registerId: 'device:GONE' })] }, NOW);
    expect(unknown[0]).toMatchObject({ kind: 'shift_unsynced', since: null });
  });

  it('lists open conflicts with their location (or database when tenant-wide)', () => {
    const alerts = computeAlerts(
      {
        devices: [],
        conflicts: [
          { db: 't-x-loc-gm', id: 'parked:D1:01J', type: 'parked_sale', locationCode: 'GM' },
          { db: 't-x-catalog', id: 'product:p1', type: 'product', locationCode: null }
        ],
        openShifts: []
      },
      NOW
    );
    expect(alerts.map((a) => a.id)).toEqual(['conflict:t-x-catalog:product:p1', 'conflict:t-x-loc-gm:parked:D1:01J']);
    expect(alerts[0]?.message).toContain('product product:p1 (t-x-catalog)');
    expect(alerts[1]?.locationCode).toBe('GM');
  });

  it('sorts warnings oldest first', () => {
    const alerts = computeAlerts({ devices: [device({ id: 'A', lastSyncAt: ago(100) }), device({ id: 'B', lastSyncAt: ago(300) })], conflicts: [], openShifts: [] }, NOW);
    expect(alerts.map((a) => a.id)).toEqual(['device_not_synced:B', 'device_not_synced:A']);
  });
});

describe('openShiftIds', () => {
  it('keeps shifts without a close document of the same register and ulid', () => {
    expect(openShiftIds(['shift:D1:A', 'shift:D1:B', 'shift:D2:A'], ['shift_close:D1:A', 'shift_close:D2:B'])).toEqual(['shift:D1:B', 'shift:D2:A']);
  });
});

describe('formatAge', () => {
  it.each([
    [59_000, '0 min'],
    [45 * 60_000, '45 min'],
    [61 * 60_000, '1 h'],
    [47 * 3_600_000, '47 h'],
    [50 * 3_600_000, '2 d']
  ])('%i ms → %s', (ms, text) => expect(formatAge(ms)).toBe(text));
});

describe('stock alerts', () => {
  const item = (name: string, onHand: number) => ({ variantId: name, name, onHand });

  it('makes one alert per location and kind, naming the first three and counting the rest', () => {
    const out = stockAlertsFor('GM', [item('Tee S', -2)], [item('Cap', 1), item('Mug', 2), item('Hat', 0), item('Scarf', 3)]);
    expect(out).toEqual([
      { id: 'negative_stock:GM', kind: 'negative_stock', severity: 'critical', locationCode: 'GM', since: null, href: '/admin/inventory?location=GM&filter=attention', message: '1 variant below zero at GM: Tee S (-2)' },
      {
        id: 'low_stock:GM',
        kind: 'low_stock',
        severity: 'warning',
        locationCode: 'GM',
        since: null,
        href: '/admin/inventory?location=GM&filter=attention',
        message: '4 variants at or under the low-stock level at GM: Cap (1), Mug (2), Hat (0) and 1 more'
      }
    ]);
  });

  it('says nothing when nothing is low or negative', () => {
    expect(stockAlertsFor('HM', [], [])).toEqual([]);
  });
});
