import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { PLATFORM_DB, auditDb, locationDb } from '#domain/db-names.ts';
import { enrol, login, ON_COUCHDB, startTestServer, type TestServer } from './support/server.ts';

/**
 * `GET /metrics` (issue 13): who may scrape it, and that what the server does moves the right series
 * with bounded labels. The server runs with a token and an allow-list of one address the tests reach
 * through the trusted loopback proxy (X-Forwarded-For); the conflict worker is off.
 */
const TOKEN = 'metrics-token-for-the-integration-tests';
const ALLOWED_IP = '10.9.8.7';
const PW = 'correct-horse-battery';

let s: TestServer;
let t = '';
let owner = '';
let till = '';
let locDb = '';

async function scrape(): Promise<string> {
  const res = await s.call('GET', '/metrics', { token: TOKEN });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** One sample's value, 0 when the series does not exist (yet). Labels in prom-client's order. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  s = await startTestServer({ METRICS_TOKEN: TOKEN, METRICS_ALLOW: ALLOWED_IP, CONFLICT_WORKER_INTERVAL_S: '0', API_RATE_LIMIT: '100000' });
  t = (await createTenant({ couch: s.couch }, { name: 'Metrics Co', adminEmail: 'o@metrics.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  owner = await login(s, 'o@metrics.test', PW);
  const synced = await enrol(s, owner, 'register', 'GM', 'Till 1');
  await enrol(s, owner, 'register', 'GM', 'Till 2'); // never syncs
  till = synced.deviceToken;
  locDb = locationDb(t, 'GM');
  expect((await s.call('GET', `/db/${locDb}`, { token: till })).status).toBe(200);
  // the gateway records the sync on the device document (fire-and-forget)
  await until('the last sync on the device document', async () => {
    const d = (await s.couch.use(PLATFORM_DB).get(`device:${synced.device.id}`)) as { lastSyncAt?: string };
    return d.lastSyncAt;
  });
});

afterAll(async () => {
  await s?.stop();
});

describe('who may scrape', () => {
  it('without the token, from an address not on the list, it is answered like any unknown path', async () => {
    const unknown = await s.call('GET', '/no-such-page');
    const expected = { status: unknown.status, error: ((await unknown.json()) as { error: string }).error };
    const variants: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-metrics-token-at-all' }, { authorization: `Basic ${TOKEN}` }, { 'x-forwarded-for': '10.9.8.8' }];
    for (const headers of variants) {
      const res = await s.call('GET', '/metrics', { headers });
      const text = await res.text();
      expect({ status: res.status, error: (JSON.parse(text) as { error: string }).error }).toEqual(expected);
      expect(text).not.toContain('pos_');
      expect(text).not.toMatch(/\bat .*\.ts:\d+/); // no stack
    }
  });

  it('the token opens it; so does an allowed address (as the trusted proxy reports it)', async () => {
    expect(await scrape()).toContain('# TYPE pos_http_requests_total counter');
    const viaProxy = await s.call('GET', '/metrics', { headers: { 'x-forwarded-for': ALLOWED_IP } });
    expect(viaProxy.status).toBe(200);
    expect(await viaProxy.text()).toContain('pos_gateway_requests_total');
  });
});

describe('what is measured', () => {
  it('devices by time since their last sync, as counts per bucket', async () => {
    const text = await scrape();
    expect(sample(text, 'pos_devices_last_sync{age="lt_1h"}')).toBe(1);
    expect(sample(text, 'pos_devices_last_sync{age="never"}')).toBe(1);
    for (const age of ['lt_1d', 'lt_7d', 'ge_7d']) expect(text).toContain(`pos_devices_last_sync{age="${age}"} 0`);
  });

  it('HTTP and gateway requests move the series they belong to, labelled by pattern and class', async () => {
    const before = await scrape();
    const product = `/api/v1/catalog/products/${encodeURIComponent(`product:${t}-nope`)}`;
    expect((await s.call('GET', '/api/v1/catalog/products', { token: owner })).status).toBe(200);
    expect((await s.call('GET', product, { token: owner })).status).toBe(404); // an error unwinds the router: still its pattern
    expect((await s.call('GET', `/db/${locDb}`, { token: till })).status).toBe(200); // allowed
    expect((await s.call('GET', `/db/${auditDb(t)}`, { token: till })).status).toBe(403); // sync rules: denied
    expect((await s.call('GET', `/db/${locDb}/_security`, { token: till })).status).toBe(403); // default-deny
    expect((await s.call('GET', `/db/${locDb}`)).status).toBe(401);
    expect((await s.call('POST', `/db/${locDb}/_bulk_docs`, { token: till, body: { docs: 'x' } })).status).toBe(400);
    const after = await scrape();
    const delta = (series: string) => sample(after, series) - sample(before, series);

    expect(delta('pos_http_requests_total{route="/api/v1/catalog/products",method="GET",status="200"}')).toBe(1);
    expect(delta('pos_http_requests_total{route="/api/v1/catalog/products/:id",method="GET",status="404"}')).toBe(1);
    expect(delta('pos_http_request_duration_seconds_count{route="/api/v1/catalog/products/:id",method="GET"}')).toBe(1);
    expect(delta('pos_http_requests_total{route="/db",method="GET",status="200"}')).toBe(1);
    expect(delta('pos_http_requests_total{route="/db",method="GET",status="403"}')).toBe(2);
    expect(delta('pos_http_requests_total{route="/db",method="GET",status="401"}')).toBe(1);
    expect(delta('pos_http_requests_total{route="/db",method="POST",status="400"}')).toBe(1);
    // the scrape before is counted too, under its own route
    expect(delta('pos_http_requests_total{route="/metrics",method="GET",status="200"}')).toBe(1);

    expect(delta('pos_gateway_requests_total{class="db_info",decision="allowed"}')).toBe(1);
    expect(delta('pos_gateway_requests_total{class="db_info",decision="denied"}')).toBe(1);
    expect(delta('pos_gateway_requests_total{class="unclassified",decision="denied"}')).toBe(1);
    expect(delta('pos_gateway_requests_total{class="unknown",decision="unauthenticated"}')).toBe(1);
    expect(delta('pos_gateway_requests_total{class="bulk_docs",decision="invalid"}')).toBe(1);
  });

  it('no label value carries a URL, a tenant or a database name', async () => {
    const text = await scrape();
    const values = [...text.matchAll(/="([^"]*)"/g)].map((m) => m[1]!);
    expect(values.length).toBeGreaterThan(20);
    for (const v of values) {
      expect(v).not.toContain(t);
      expect(v).not.toMatch(/^\/db\/|product:|_security/);
    }
  });

  it('open _changes feeds, while they are open', async () => {
    const open = () => scrape().then((x) => sample(x, 'pos_gateway_open_changes_feeds'));
    expect(await open()).toBe(0);
    const abort = new AbortController();
    const feed = fetch(`${s.url}/db/${locDb}/_changes?feed=longpoll&since=now&timeout=20000`, { headers: { authorization: `Bearer ${till}` }, signal: abort.signal }).catch(() => null);
    await until('the feed to be counted', async () => ((await open()) === 1 ? true : undefined));
    abort.abort();
    await feed;
    await until('the feed to be closed', async () => ((await open()) === 0 ? true : undefined));
    const text = await scrape();
    expect(sample(text, 'pos_gateway_requests_total{class="changes",decision="allowed"}')).toBeGreaterThanOrEqual(1);
    // a feed is timed under its own label, apart from ordinary /db requests
    expect(text).toMatch(/pos_http_request_duration_seconds_count\{route="\/db \(feed\)",method="GET"\} 1/);
  });

  it('background workers: lag per enabled worker; the embedded store: its restarts', async () => {
    const text = await scrape();
    for (const w of ['approvals_audit', 'sale_ledger']) expect(sample(text, `pos_worker_lag_seconds{worker="${w}"}`)).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^pos_worker_lag_seconds\{worker="sale_ledger"\} \d/m);
    expect(text).not.toContain('worker="conflicts"'); // off on this server
    // only a server with the embedded store has its restarts to count
    if (ON_COUCHDB) expect(text).not.toContain('pos_embedded_store_restarts');
    else expect(text).toMatch(/^pos_embedded_store_restarts 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});

describe('upstream failures and the request id', () => {
  let stub: http.Server;
  let gw: http.Server;
  let gwUrl = '';
  let mode: 'ok' | 'reset-on-reuse' = 'ok';
  const seen: http.IncomingHttpHeaders[] = [];
  const served = new WeakSet<Socket>();
  let deadUrl = '';
  /** where the gateway under test sends its requests (read per request) */
  let target = '';

  beforeAll(async () => {
    stub = http.createServer((req, res) => {
      if (mode === 'reset-on-reuse' && served.has(req.socket)) return void req.socket.destroy();
      served.add(req.socket);
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-couch-request-id': 'abc123def4' }).end('{"db_name":"x"}'));
    });
    const stubUrl = await listen(stub);
    const dead = http.createServer();
    deadUrl = await listen(dead);
    await new Promise((r) => dead.close(r));
    target = stubUrl;
    // the real gateway with the real server's context (so its metrics), in front of a stub or nothing
    const app = createApp(s.ctx, { upstream: () => ({ url: target, authHeader: 'Basic c3R1YjpzdHVi', timeoutMs: 2_000 }) });
    gw = http.createServer(app);
    gwUrl = await listen(gw);
  });

  afterAll(async () => {
    gw?.closeAllConnections();
    stub?.closeAllConnections();
    await Promise.all([new Promise((r) => gw?.close(r)), new Promise((r) => stub?.close(r))]);
  });

  const get = (headers: Record<string, string> = {}) => fetch(`${gwUrl}/db/${locDb}`, { headers: { authorization: `Bearer ${till}`, ...headers } });

  it('CouchDB gets our request id as its own (X-Couch-Request-ID) when it fits its pattern', async () => {
    seen.length = 0;
    const res = await get({ 'x-request-id': 'metrics-test-0001' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-couch-request-id')).toBeNull(); // the store's own headers stay behind the gateway
    expect(seen[0]).toMatchObject({ 'x-request-id': 'metrics-test-0001', 'x-couch-request-id': 'metrics-test-0001' });
    const generated = await get();
    const id = generated.headers.get('x-request-id')!;
    expect(seen[1]).toMatchObject({ 'x-request-id': id, 'x-couch-request-id': id });
    // an id of ours CouchDB would not take (dots, colons): CouchDB names the request itself
    await get({ 'x-request-id': 'lb.1234:5678' });
    expect(seen[2]!['x-request-id']).toBe('lb.1234:5678');
    expect(seen[2]!['x-couch-request-id']).toBeUndefined();
  });

  it('a reused socket the store reset is sent again once, and counted as a retry', async () => {
    const before = await scrape();
    mode = 'reset-on-reuse';
    try {
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200); // the kept-alive socket is reset: sent again on a fresh one
    } finally {
      mode = 'ok';
    }
    const after = await scrape();
    expect(sample(after, 'pos_upstream_retries_total') - sample(before, 'pos_upstream_retries_total')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'pos_upstream_errors_total{kind="reset"}')).toBe(sample(before, 'pos_upstream_errors_total{kind="reset"}'));
  });

  it('an unreachable store is an upstream error of kind connect; the request itself was allowed', async () => {
    const before = await scrape();
    target = deadUrl;
    const res = await get();
    expect(res.status).toBe(503);
    expect(await res.text()).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const after = await scrape();
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect(delta('pos_upstream_errors_total{kind="connect"}')).toBe(1);
    expect(delta('pos_gateway_requests_total{class="db_info",decision="allowed"}')).toBe(1);
    expect(delta('pos_http_requests_total{route="/db",method="GET",status="503"}')).toBe(1);
  });
});
