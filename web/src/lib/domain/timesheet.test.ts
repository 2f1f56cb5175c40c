import { describe, expect, it } from 'vitest';
import { businessDay, pairPunches, timesheet, timesheetCsv, type Punch } from './timesheet.ts';

let n = 0;
const punch = (staffId: string, kind: 'in' | 'out', at: string, staffName = staffId): Punch => ({ _id: `time_entry:r1:${String(n++).padStart(26, '0')}`, staffId, staffName, kind, at });
const NOW = '2026-03-20T12:00:00.000Z';

describe('businessDay', () => {
  it('is the local calendar day of the location, not the UTC one', () => {
    // 03:30 UTC is still the evening before in New York, and already morning in Tokyo
    expect(businessDay('2026-03-10T03:30:00Z', 'America/New_York')).toBe('2026-03-09');
    expect(businessDay('2026-03-10T03:30:00Z', 'Asia/Tokyo')).toBe('2026-03-10');
    expect(businessDay('2026-03-10T03:30:00Z', 'UTC')).toBe('2026-03-10');
  });
});

describe('pairPunches', () => {
  it('pairs in → out and counts minutes', () => {
    const p = pairPunches([punch('a', 'in', '2026-03-10T13:00:00Z'), punch('a', 'out', '2026-03-10T21:30:00Z')], 'America/New_York', NOW);
    expect(p.spans).toMatchObject([{ staffId: 'a', day: '2026-03-10', minutes: 510 }]);
    expect(p.unmatched).toEqual([]);
  });

  it('pairs whatever order the punches replicated in', () => {
    const p = pairPunches([punch('a', 'out', '2026-03-10T21:00:00Z'), punch('a', 'in', '2026-03-10T13:00:00Z')], 'UTC', NOW);
    expect(p.spans).toHaveLength(1);
    expect(p.spans[0]!.minutes).toBe(480);
  });

  it('a shift across midnight counts on the business day of its clock-in', () => {
    // 22:00 → 02:00 New York time (EST, UTC−5) on 9/10 March
    const p = pairPunches([punch('a', 'in', '2026-03-10T03:00:00Z'), punch('a', 'out', '2026-03-10T07:00:00Z')], 'America/New_York', NOW);
    expect(p.spans).toMatchObject([{ day: '2026-03-09', minutes: 240 }]);
  });

  it('counts real elapsed time across a DST change (2 a.m. jumps to 3 a.m.)', () => {
    // New York, 8 March 2026: 00:00 EST (05:00Z) → 06:00 EDT (10:00Z) is 5 hours, not 6
    const p = pairPunches([punch('a', 'in', '2026-03-08T05:00:00Z'), punch('a', 'out', '2026-03-08T10:00:00Z')], 'America/New_York', NOW);
    expect(p.spans[0]).toMatchObject({ day: '2026-03-08', minutes: 300 });
  });

  it('flags a double clock-in and a clock-out without a clock-in, and keeps the good pair', () => {
    const p = pairPunches(
      [punch('a', 'out', '2026-03-10T08:00:00Z'), punch('a', 'in', '2026-03-10T09:00:00Z'), punch('a', 'in', '2026-03-10T10:00:00Z'), punch('a', 'out', '2026-03-10T17:00:00Z')],
      'UTC',
      NOW
    );
    expect(p.unmatched.map((u) => [u.kind, u.at, u.reason])).toEqual([
      ['out', '2026-03-10T08:00:00Z', 'no_clock_in'],
      ['in', '2026-03-10T09:00:00Z', 'no_clock_out']
    ]);
    expect(p.spans).toMatchObject([{ in: '2026-03-10T10:00:00Z', out: '2026-03-10T17:00:00Z', minutes: 420 }]);
  });

  it('does not pay a forgotten clock-out: a span over 16 h is flagged on both ends', () => {
    const p = pairPunches([punch('a', 'in', '2026-03-10T09:00:00Z'), punch('a', 'out', '2026-03-11T17:00:00Z')], 'UTC', NOW);
    expect(p.spans).toEqual([]);
    expect(p.unmatched.map((u) => u.reason)).toEqual(['too_long', 'too_long']);
  });

  it('a recent last clock-in is someone still at work; an old one is a missing clock-out', () => {
    const recent = pairPunches([punch('a', 'in', '2026-03-20T09:00:00Z')], 'UTC', NOW);
    expect(recent.open).toMatchObject([{ staffId: 'a', at: '2026-03-20T09:00:00Z' }]);
    expect(recent.unmatched).toEqual([]);
    const old = pairPunches([punch('a', 'in', '2026-03-18T09:00:00Z')], 'UTC', NOW);
    expect(old.open).toEqual([]);
    expect(old.unmatched).toMatchObject([{ reason: 'no_clock_out' }]);
  });

  it('keeps each staff member’s punches apart', () => {
    const p = pairPunches(
      [punch('a', 'in', '2026-03-10T09:00:00Z'), punch('b', 'in', '2026-03-10T10:00:00Z'), punch('a', 'out', '2026-03-10T11:00:00Z'), punch('b', 'out', '2026-03-10T14:00:00Z')],
      'UTC',
      NOW
    );
    expect(p.spans.map((s) => [s.staffId, s.minutes]).sort()).toEqual([['a', 120], ['b', 240]]);
  });
});

describe('timesheet', () => {
  const punches = [
    punch('a', 'in', '2026-03-09T14:00:00Z', 'Ann'),
    punch('a', 'out', '2026-03-09T18:00:00Z', 'Ann'),
    punch('a', 'in', '2026-03-09T19:00:00Z', 'Ann'),
    punch('a', 'out', '2026-03-09T22:15:00Z', 'Ann'),
    punch('b', 'out', '2026-03-10T16:00:00Z', 'Bob'),
    punch('a', 'in', '2026-03-12T14:00:00Z', 'Ann'),
    punch('a', 'out', '2026-03-12T15:00:00Z', 'Ann')
  ];

  it('sums spans per staff member per business day within the range, with unmatched punches on their day', () => {
    const rows = timesheet(punches, { timeZone: 'America/New_York', from: '2026-03-09', to: '2026-03-10', now: NOW });
    expect(rows.map((r) => [r.day, r.staffName, r.minutes, r.spans.length, r.unmatched.length])).toEqual([
      ['2026-03-09', 'Ann', 435, 2, 0],
      ['2026-03-10', 'Bob', 0, 0, 1]
    ]);
  });

  it('exports one CSV line per row with hours to two decimals', () => {
    const rows = timesheet(punches, { timeZone: 'America/New_York', from: '2026-03-09', to: '2026-03-12', now: NOW });
    const lines = timesheetCsv(rows, 'GM').trim().split('\r\n');
    expect(lines[0]).toBe('location,business_day,staff_id,staff_name,hours,minutes,first_in,last_out,unmatched_punches,clocked_in_since');
    expect(lines[1]).toBe('GM,2026-03-09,a,Ann,7.25,435,2026-03-09T14:00:00Z,2026-03-09T22:15:00Z,0,');
    expect(lines).toHaveLength(4);
  });
});
