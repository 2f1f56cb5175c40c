import { describe, expect, it } from 'vitest';
import { barsOf, chartSummary, dailyByLocation, netOverTime } from './chart-data.ts';

const money = (n: number) => `$${(n / 100).toFixed(2)}`;

describe('chart data', () => {
  it('lines up each series on the x keys, missing keys as zero', () => {
    const days = [
      { key: '2026-12-01', label: '2026-12-01' },
      { key: '2026-12-02', label: '2026-12-02' },
      { key: '2026-12-03', label: '2026-12-03' }
    ];
    const c = netOverTime('day', days, [
      { name: 'GM', rows: [{ key: '2026-12-02', net: 500 }] },
      { name: 'HM', rows: [{ key: '2026-12-01', net: 100 }, { key: '2026-12-03', net: -50 }] },
      { name: 'All locations', rows: [{ key: '2026-12-01', net: 100 }, { key: '2026-12-02', net: 500 }, { key: '2026-12-03', net: -50 }] }
    ]);
    expect(c.labels).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(c.series.map((s) => [s.name, s.values])).toEqual([
      ['GM', [0, 500, 0]],
      ['HM', [100, 0, -50]],
      ['All locations', [100, 500, -50]]
    ]);
    // hours are labelled as the table labels them
    expect(netOverTime('hour', [{ key: '09', label: '09:00' }], [{ name: 'GM', rows: [] }]).labels).toEqual(['09:00']);
  });

  it('sums single events per day and location over every day of the range, with All locations when several', () => {
    const events = [
      { day: '2026-12-01', loc: 'HM', amount: 300 },
      { day: '2026-12-03', loc: 'GM', amount: 1000 },
      { day: '2026-12-03', loc: 'GM', amount: 250 },
      { day: '2026-11-30', loc: 'GM', amount: 9999 } // outside the range
    ];
    const pick = { day: (e: (typeof events)[number]) => e.day, location: (e: (typeof events)[number]) => e.loc, value: (e: (typeof events)[number]) => e.amount };
    const c = dailyByLocation(['2026-12-01', '2026-12-02', '2026-12-03'], events, pick);
    expect(c).toEqual({
      x: 'day',
      labels: ['2026-12-01', '2026-12-02', '2026-12-03'],
      series: [
        { name: 'GM', values: [0, 0, 1250] },
        { name: 'HM', values: [300, 0, 0] },
        { name: 'All locations', values: [300, 0, 1250] }
      ],
      unit: 'money'
    });
    // one location: its line only
    expect(dailyByLocation(['2026-12-03'], events.slice(1, 3), pick, 'count').series).toEqual([{ name: 'GM', values: [1250] }]);
  });

  it('a long tail keeps only the largest bars when told to leave Other out', () => {
    const rows = Array.from({ length: 15 }, (_, i) => ({ name: `v${i}`, net: (i + 1) * 100 }));
    const c = barsOf(rows, (r) => r.name, (r) => r.net, 'Net sales', { limit: 3, other: false });
    expect(c.labels).toEqual(['v14', 'v13', 'v12']);
    expect(c.series[0]!.values).toEqual([1500, 1400, 1300]);
  });

  it('keeps the largest bars and sums the rest as Other', () => {
    const rows = Array.from({ length: 15 }, (_, i) => ({ name: `c${i}`, net: (i + 1) * 100 }));
    const c = barsOf(rows, (r) => r.name, (r) => r.net, 'Net sales', { limit: 5 });
    expect(c.labels).toEqual(['c14', 'c13', 'c12', 'c11', 'Other (11)']);
    expect(c.series[0]!.values).toEqual([1500, 1400, 1300, 1200, (1 + 11) * 11 * 50]);
    // few enough: the rows' own order
    expect(barsOf(rows.slice(0, 3), (r) => r.name, (r) => r.net, 'Net sales').labels).toEqual(['c0', 'c1', 'c2']);
  });

  it('says in one line what a screen reader cannot see', () => {
    const c = netOverTime('day', [{ key: '2026-12-01', label: '' }, { key: '2026-12-02', label: '' }], [
      { name: 'GM', rows: [{ key: '2026-12-02', net: 900 }] },
      { name: 'HM', rows: [{ key: '2026-12-01', net: 1200 }] },
      { name: 'All locations', rows: [{ key: '2026-12-01', net: 1200 }, { key: '2026-12-02', net: 900 }] }
    ]);
    expect(chartSummary('Net sales per day', c, money, (d) => `day ${d.slice(-2)}`)).toBe('Net sales per day: highest HM on day 01 at $12.00');
    expect(chartSummary('Tenders', barsOf([{ k: 'Cash', v: 300 }], (r) => r.k, (r) => r.v, 'Net'), money)).toBe('Tenders: highest Cash at $3.00');
    expect(chartSummary('Net sales', { ...c, series: [{ name: 'GM', values: [0, 0] }] }, money)).toBe('Net sales: nothing yet');
  });
});
