import type { SalesRow } from './sales-analytics.ts';

/**
 * What a chart draws, worked out with the figures (pure; the dashboard and the reports get it from
 * the server with their tables): x labels and one or more series of values. The chart component only
 * draws; the table beside it holds the same figures for reading and for screen readers.
 */
export interface ChartSeries {
  name: string;
  values: number[];
}

export interface ChartData {
  /** how the x axis reads: business days (ISO dates), hours of the day ("09:00"), or named bars */
  x: 'day' | 'hour' | 'category';
  labels: string[];
  series: ChartSeries[];
  /** money in minor units, or a count */
  unit: 'money' | 'count';
}

/**
 * Net sales over days or hours: `xRows` are the filled x keys (every day of the range, every hour) in
 * order; each series brings its own rows by key (sales-analytics.ts `netSeries`), missing keys are 0.
 */
export function netOverTime(by: 'day' | 'hour', xRows: readonly Pick<SalesRow, 'key' | 'label'>[], series: readonly { name: string; rows: readonly Pick<SalesRow, 'key' | 'net'>[] }[]): ChartData {
  const keys = xRows.map((r) => r.key);
  return {
    x: by,
    labels: xRows.map((r) => (by === 'day' ? r.key : r.label)),
    series: series.map((s) => {
      const net = new Map(s.rows.map((r) => [r.key, r.net]));
      return { name: s.name, values: keys.map((k) => net.get(k) ?? 0) };
    }),
    unit: 'money'
  };
}

/**
 * One bar per row, the largest `limit` by value and the rest summed as "Other" (a chart of 300
 * products reads as nothing), in the rows' order when they all fit. `other: false` leaves the rest
 * out instead: for a long tail (thousands of variants) whose sum would dwarf the bars worth seeing.
 */
export function barsOf<R>(rows: readonly R[], label: (r: R) => string, value: (r: R) => number, name: string, opts: { limit?: number; unit?: ChartData['unit']; other?: boolean } = {}): ChartData {
  const limit = opts.limit ?? 12;
  let picked: { label: string; value: number }[] = rows.map((r) => ({ label: label(r), value: value(r) }));
  if (picked.length > limit) {
    const sorted = [...picked].sort((a, b) => b.value - a.value);
    if (opts.other === false) picked = sorted.slice(0, limit);
    else {
      const rest = sorted.slice(limit - 1).reduce((a, r) => a + r.value, 0);
      picked = [...sorted.slice(0, limit - 1), { label: `Other (${sorted.length - limit + 1})`, value: rest }];
    }
  }
  return { x: 'category', labels: picked.map((p) => p.label), series: [{ name, values: picked.map((p) => p.value) }], unit: opts.unit ?? 'money' };
}

/**
 * A figure summed per business day over every day of the range, one line per location and "All
 * locations" when there are several (as `netOverTime`): for reports whose rows are single events
 * (returns and voids, discounts), where the day that stands out is what the reader looks for.
 * Rows on a day outside `days` are left out.
 */
export function dailyByLocation<R>(
  days: readonly string[],
  rows: readonly R[],
  pick: { day: (r: R) => string; location: (r: R) => string; value: (r: R) => number },
  unit: ChartData['unit'] = 'money'
): ChartData {
  const at = new Map(days.map((d, i) => [d, i]));
  const sum = (keep: (r: R) => boolean) => {
    const values = days.map(() => 0);
    for (const r of rows) {
      const i = at.get(pick.day(r));
      if (i !== undefined && keep(r)) values[i]! += pick.value(r);
    }
    return values;
  };
  const locations = [...new Set(rows.map(pick.location))].sort();
  const series = locations.map((code) => ({ name: code, values: sum((r) => pick.location(r) === code) }));
  return { x: 'day', labels: [...days], series: series.length > 1 ? [...series, { name: 'All locations', values: sum(() => true) }] : series, unit };
}

/** "Net sales: highest GM on Tue 2026-12-01 at $1,204.00" — the chart's one-line summary for a screen reader. */
export function chartSummary(title: string, data: ChartData, formatValue: (n: number) => string, formatLabel: (label: string) => string = (l) => l): string {
  let best: { series: string; label: string; value: number } | null = null;
  for (const s of data.series) {
    if (data.series.length > 1 && s.name === 'All locations') continue;
    s.values.forEach((v, i) => {
      if (!best || v > best.value) best = { series: s.name, label: data.labels[i]!, value: v };
    });
  }
  const b = best as { series: string; label: string; value: number } | null;
  if (!b || b.value <= 0) return `${title}: nothing yet`;
  const who = data.series.length > 1 ? `${b.series} ` : '';
  return `${title}: highest ${who}${data.x === 'category' ? '' : 'on '}${formatLabel(b.label)} at ${formatValue(b.value)}`;
}
