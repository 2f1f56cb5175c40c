import { describe, expect, it } from 'vitest';
import type { Couch } from '../couch/client.ts';
import { createLogger } from '../log.ts';
import { methodLabel, routeLabel } from './http.ts';
import { Metrics, WorkerLag } from './registry.ts';

const log = createLogger('silent');
/** A platform database where the device view counts one never-synced device in every range. */
const couch = { use: () => ({ view: async () => ({ rows: [{ key: null, value: 1 }] }) }) } as unknown as Couch;

describe('Metrics', () => {
  it('several servers in one process each have their own registry', async () => {
    const a = new Metrics({ couch, log });
    const b = new Metrics({ couch, log, embedded: { restartCount: 3 } });
    a.http('/healthz', 'GET', 200, 0.01);
    a.gateway('changes', 'allowed');
    const ta = await a.registry.metrics();
    const tb = await b.registry.metrics();
    expect(ta).toContain('pos_http_requests_total{route="/healthz",method="GET",status="200"} 1');
    expect(ta).toContain('pos_gateway_requests_total{class="changes",decision="allowed"} 1');
    expect(tb).not.toContain('pos_http_requests_total{');
    // default process metrics are there too, per registry
    expect(ta).toMatch(/^process_cpu_user_seconds_total /m);
    expect(tb).toMatch(/^process_cpu_user_seconds_total /m);
    // the embedded store's restarts only where there is one
    expect(ta).not.toContain('pos_embedded_store_restarts');
    expect(tb).toMatch(/^pos_embedded_store_restarts 3$/m);
  });

  it('counts open feeds, each closed once', async () => {
    const m = new Metrics({ couch, log });
    const close1 = m.feedOpened();
    const close2 = m.feedOpened();
    expect(await m.registry.metrics()).toMatch(/^pos_gateway_open_changes_feeds 2$/m);
    close1();
    close1();
    expect(await m.registry.metrics()).toMatch(/^pos_gateway_open_changes_feeds 1$/m);
    close2();
    expect(await m.registry.metrics()).toMatch(/^pos_gateway_open_changes_feeds 0$/m);
  });

  it('reports upstream errors by kind (every kind from 0) and retries', async () => {
    const m = new Metrics({ couch, log });
    m.upstream.error('timeout');
    m.upstream.retried();
    const text = await m.registry.metrics();
    expect(text).toContain('pos_upstream_errors_total{kind="timeout"} 1');
    expect(text).toContain('pos_upstream_errors_total{kind="connect"} 0');
    expect(text).toMatch(/^pos_upstream_retries_total 1$/m);
  });

  it('device sync ages come from the view, one series per bucket', async () => {
    const text = await new Metrics({ couch, log }).registry.metrics();
    for (const age of ['lt_1h', 'lt_1d', 'lt_7d', 'ge_7d', 'never']) expect(text).toContain(`pos_devices_last_sync{age="${age}"} 1`);
  });

  it('worker lag is computed when scraped', async () => {
    const m = new Metrics({ couch, log });
    m.workers.register('sale_ledger', () => 1.5);
    expect(await m.registry.metrics()).toMatch(/^pos_worker_lag_seconds\{worker="sale_ledger"\} 1.5$/m);
  });
});

describe('WorkerLag', () => {
  it('reads each registered worker when asked', () => {
    let lag = 0;
    const l = new WorkerLag();
    l.register('conflicts', () => lag);
    l.register('approvals_audit', () => 0);
    lag = 4;
    expect(Object.fromEntries(l.lagSeconds())).toEqual({ conflicts: 4, approvals_audit: 0 });
  });
});

describe('labels', () => {
  it('route: the pattern, else a fixed label; never the URL', () => {
    expect(routeLabel('/api/v1/catalog/products/p1', '/api/v1/catalog/products/:id')).toBe('/api/v1/catalog/products/:id');
    expect(routeLabel('/db/t-acme-loc-gm/_changes?feed=longpoll', undefined, { feed: true })).toBe('/db (feed)');
    expect(routeLabel('/db/t-acme-loc-gm/doc1', undefined)).toBe('/db');
    expect(routeLabel('/api/v1/nope/t-acme', undefined)).toBe('/api/v1 (no route)');
    expect(routeLabel('/pos/t-acme', undefined, { web: true })).toBe('web');
    expect(routeLabel('/t-acme', undefined)).toBe('unmatched');
    expect(routeLabel('/dbx/t-acme', undefined)).toBe('unmatched');
  });
  it('method: the usual ones, else other', () => {
    expect(methodLabel('GET')).toBe('GET');
    expect(methodLabel('PROPFIND')).toBe('other');
  });
});
