export interface Benchmark {
  name: string;
  run(): Promise<void>;
}

export interface Figure {
  name: string;
  metric: string;
  value: number;
  baseline?: string;
  baseline_value?: number;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Run against a real CouchDB (COUCH_URL): every figure is named `…-couchdb3`, beside the embedded ones. */
export const STORE_SUFFIX = process.env.COUCH_URL ? '-couchdb3' : '';
/** What a "straight to the store" baseline is called. */
export const STORE_DIRECT = process.env.COUCH_URL ? 'couchdb3-direct' : 'embedded-store-direct';

/** Prints one BENCH line; `speedup` = baseline time ÷ our time (for time metrics), rate ÷ rate otherwise. */
export function report(f: Figure): void {
  const out: Record<string, unknown> = { name: f.name + STORE_SUFFIX, metric: f.metric, value: round(f.value) };
  if (f.baseline !== undefined && f.baseline_value !== undefined) {
    out.baseline = f.baseline;
    out.baseline_value = round(f.baseline_value);
    const higherIsBetter = f.metric.endsWith('_per_s');
    out.speedup = round(higherIsBetter ? f.value / f.baseline_value : f.baseline_value / f.value);
  }
  console.log(`BENCH ${JSON.stringify(out)}`);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
