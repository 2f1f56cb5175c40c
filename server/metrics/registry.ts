import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { casRaces } from '../couch/cas.ts';
import type { Couch } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import { DeviceSyncAges, SYNC_AGES } from './device-sync.ts';
import type { GatewayDecision } from './gateway.ts';

/** Upstream failures by kind (proxy.ts `upstreamErrorKind`); listed so each series exists from the start at 0. */
export const UPSTREAM_ERROR_KINDS = ['timeout', 'connect', 'reset', 'status_5xx', 'other'] as const;
export type UpstreamErrorKind = (typeof UPSTREAM_ERROR_KINDS)[number];

/** Latency buckets (seconds): the defaults plus 30 s and 60 s for the slow report and import requests. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Each background worker's lag: how long its oldest change not yet worked on has waited (0 when it
 * has none; workers follow database updates, tenant-worker.ts). Read at scrape time, so a stuck
 * worker's lag keeps growing even though the worker itself records nothing.
 */
export class WorkerLag {
  private readonly sources = new Map<string, () => number>();

  register(name: string, lagSeconds: () => number): void {
    this.sources.set(name, lagSeconds);
  }

  lagSeconds(): [string, number][] {
    return [...this.sources].map(([name, lag]) => [name, lag()]);
  }
}

export interface MetricsOptions {
  couch: Couch;
  log: Logger;
  /** the embedded store's supervisor when there is one (its restarts are reported) */
  embedded?: { readonly restartCount: number } | null;
  /** how long device last-sync counts are reused (default 60 s) */
  deviceCacheMs?: number;
}

/**
 * One server copy's metrics: its own registry (never prom-client's global one, so several servers in
 * one process, as in the tests, each count their own), and the few calls the HTTP layer, the gateway
 * and the workers record through. Gauges that describe state (worker lag, device sync ages, store
 * restarts) are computed when scraped.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly workers = new WorkerLag();
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly httpDuration: Histogram<'route' | 'method'>;
  private readonly gatewayRequests: Counter<'class' | 'decision'>;
  private readonly openFeeds: Gauge;
  private readonly upstreamErrors: Counter<'kind'>;
  private readonly upstreamRetries: Counter;

  constructor(opts: MetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({ name: 'pos_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status', labelNames: ['route', 'method', 'status'], registers });
    this.httpDuration = new Histogram({ name: 'pos_http_request_duration_seconds', help: 'HTTP request duration in seconds, by route pattern and method', labelNames: ['route', 'method'], buckets: DURATION_BUCKETS, registers });
    this.gatewayRequests = new Counter({ name: 'pos_gateway_requests_total', help: 'Gateway (/db) requests by endpoint class and decision', labelNames: ['class', 'decision'], registers });
    this.openFeeds = new Gauge({ name: 'pos_gateway_open_changes_feeds', help: 'Longpoll and continuous _changes feeds open through the gateway', registers });
    this.upstreamErrors = new Counter({ name: 'pos_upstream_errors_total', help: 'Gateway requests to CouchDB that failed, by kind', labelNames: ['kind'], registers });
    for (const kind of UPSTREAM_ERROR_KINDS) this.upstreamErrors.inc({ kind }, 0);
    this.upstreamRetries = new Counter({ name: 'pos_upstream_retries_total', help: 'Gateway requests sent to CouchDB a second time after a reused socket was reset', registers });

    const workers = this.workers;
    new Gauge({
      name: 'pos_worker_lag_seconds',
      help: 'Seconds the oldest database change a background worker has not yet worked on has waited (0: none)',
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        for (const [worker, lag] of workers.lagSeconds()) this.set({ worker }, lag);
      }
    });

    const ages = new DeviceSyncAges(opts.couch, opts.log, opts.deviceCacheMs);
    new Gauge({
      name: 'pos_devices_last_sync',
      help: 'Active devices by time since their last successful sync (lt_1h, lt_1d, lt_7d, ge_7d, never)',
      labelNames: ['age'],
      registers,
      async collect() {
        const counts = await ages.counts();
        this.reset();
        if (counts) for (const age of SYNC_AGES) this.set({ age }, counts[age]);
      }
    });

    // read at scrape time from the process-wide counts kept by couch/cas.ts
    new Gauge({
      name: 'pos_couch_write_races',
      help: 'Server writes of one document that raced on a CouchDB cluster: answered 202 (accepted), of those kept because every racer agreed on them (agreed) or lost to a concurrent write (yielded), since start',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.set({ outcome: 'accepted' }, casRaces.accepted);
        this.set({ outcome: 'agreed' }, casRaces.agreed);
        this.set({ outcome: 'yielded' }, casRaces.yielded);
      }
    });

    const embedded = opts.embedded;
    if (embedded) {
      new Gauge({
        name: 'pos_embedded_store_restarts',
        help: 'Times the embedded store process was restarted after it exited',
        registers,
        collect() {
          this.set(embedded.restartCount);
        }
      });
    }
  }

  http(route: string, method: string, status: number, seconds: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
    this.httpDuration.observe({ route, method }, seconds);
  }

  gateway(cls: string, decision: GatewayDecision): void {
    this.gatewayRequests.inc({ class: cls, decision });
  }

  /** A feed opened; the returned function closes it (once, however often it is called). */
  feedOpened(): () => void {
    this.openFeeds.inc();
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.openFeeds.dec();
    };
  }

  /** Handed to the gateway's upstream calls (proxy.ts). */
  readonly upstream = {
    error: (kind: UpstreamErrorKind) => this.upstreamErrors.inc({ kind }),
    retried: () => this.upstreamRetries.inc()
  };
}
