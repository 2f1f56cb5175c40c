import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { locationDb } from '#domain/db-names.ts';
import { makeSale } from '../support/fixtures.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';

/**
 * The gateway in front of a store that misbehaves (issue 11 §4, §6, §9): the real gateway code
 * (`createApp` with the real server's context, so tokens and sync rules are real) pointed at a stub
 * upstream that answers 500 with an HTML stack, hangs, drops a kept-alive socket as it is reused, or
 * is not there at all. Then the real store under 50 concurrent clients.
 */
type Mode = 'ok' | 'html500' | 'json500' | 'html404' | 'hang' | 'reset-on-reuse';

let s: TestServer;
let t = '';
let owner = '';
let register = '';
let registerId = '';
let mode: Mode = 'ok';
let resets = 0;
const served = new WeakSet<Socket>();
let stub: http.Server;
let gateway: http.Server;
let gatewayUrl = '';
const PW = 'correct-horse-battery';

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  s = await startTestServer({ API_RATE_LIMIT: '100000' });
  t = (await createTenant({ couch: s.couch }, { name: 'Upstream Co', adminEmail: 'o@upstream.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  owner = await login(s, 'o@upstream.test', PW);
  const till = await enrol(s, owner, 'register', 'GM');
  register = till.deviceToken;
  registerId = till.device.id;

  stub = http.createServer((req, res) => {
    if (mode === 'reset-on-reuse' && served.has(req.socket)) {
      resets++;
      req.socket.destroy(); // the store closing a kept-alive socket just as the gateway reuses it
      return;
    }
    served.add(req.socket);
    req.resume();
    req.on('end', () => {
      if (mode === 'hang') return;
      if (mode === 'html500') {
        res.writeHead(500, { 'content-type': 'text/html' }).end('<html><pre>TypeError: boom\n    at Object.handler (/srv/node_modules/express-pouchdb/lib/routes/db.js:12:3)</pre></html>');
        return;
      }
      if (mode === 'json500') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"unknown_error","reason":"function_clause at couch_db:open/2"}');
        return;
      }
      if (mode === 'html404') {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Cannot GET /x</html>');
        return;
      }
      const body = req.url?.includes('_bulk_docs') ? '[]' : req.url?.includes('_all_docs') ? '{"total_rows":0,"offset":0,"rows":[]}' : '{"db_name":"x","doc_count":0}';
      res.writeHead(req.url?.includes('_bulk_docs') ? 201 : 200, { 'content-type': 'application/json', connection: 'keep-alive', 'keep-alive': 'timeout=30' }).end(body);
    });
  });
  stub.keepAliveTimeout = 30_000;
  const stubUrl = await listen(stub);
  const app = createApp(s.ctx, { upstream: () => ({ url: stubUrl, authHeader: 'Basic c3R1YjpzdHVi', timeoutMs: 1_000 }) });
  gateway = http.createServer(app);
  gatewayUrl = await listen(gateway);
});

afterAll(async () => {
  gateway?.closeAllConnections();
  gateway?.close();
  stub?.closeAllConnections();
  stub?.close();
  await s?.stop();
});

async function get(path: string, token = owner) {
  const res = await fetch(gatewayUrl + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describe('a misbehaving store never shows through', () => {
  it.each([
    ['html500', 502, 'upstream_error'],
    ['json500', 502, 'upstream_error'],
    ['html404', 404, 'not_found'],
    ['hang', 504, 'timeout']
  ] as [Mode, number, string][])('%s → %i %s, as clean JSON', async (m, status, error) => {
    mode = m;
    const r = await get(`/db/${locationDb(t, 'GM')}`);
    expect(r.status).toBe(status);
    expect(r.type).toMatch(/^application\/json/);
    expect(JSON.parse(r.text)).toMatchObject({ error });
    expect(r.text).not.toMatch(/<html|TypeError|node_modules|couch_db|function_clause/);
  });

  it('a write whose answer is an upstream 5xx is a clean 502 too', async () => {
    mode = 'html500';
    const res = await fetch(`${gatewayUrl}/db/${locationDb(t, 'GM')}/_bulk_docs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${register}`, 'content-type': 'application/json' },
      body: JSON.stringify({ docs: [makeSale('GM', registerId)] })
    });
    expect(res.status).toBe(502);
    expect(await res.text()).not.toMatch(/TypeError|node_modules/);
  });
});

describe('keep-alive: a socket the store closes as it is reused is retried once, not answered 503', () => {
  it('reads', async () => {
    mode = 'ok';
    expect((await get(`/db/${locationDb(t, 'GM')}`)).status).toBe(200); // leaves a kept-alive socket in the pool
    mode = 'reset-on-reuse';
    const before = resets;
    for (let i = 0; i < 5; i++) expect((await get(`/db/${locationDb(t, 'GM')}/_all_docs?limit=1`)).status).toBe(200);
    expect(resets).toBeGreaterThan(before); // the race really happened, and was absorbed
  });

  it('replication writes', async () => {
    mode = 'ok';
    expect((await get(`/db/${locationDb(t, 'GM')}`, register)).status).toBe(200);
    mode = 'reset-on-reuse';
    const before = resets;
    const res = await fetch(`${gatewayUrl}/db/${locationDb(t, 'GM')}/_bulk_docs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${register}`, 'content-type': 'application/json' },
      body: JSON.stringify({ docs: [makeSale('GM', registerId)] })
    });
    expect(res.status).toBe(201);
    expect(resets).toBeGreaterThan(before);
  });

  it('503 means the store is really not there', async () => {
    mode = 'ok';
    await new Promise<void>((resolve) => {
      stub.closeAllConnections();
      stub.close(() => resolve());
    });
    const r = await get(`/db/${locationDb(t, 'GM')}`);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toMatchObject({ error: 'unavailable' });
  });
});

describe('the real store under 50 concurrent clients', () => {
  it('answers every request without a 5xx, across the store\'s keep-alive timeout', async () => {
    const db = locationDb(t, 'GM');
    for (let i = 0; i < 20; i++) {
      const sale = makeSale('GM', registerId);
      await s.call('PUT', `/db/${db}/${encodeURIComponent(sale._id)}`, { token: register, body: sale });
    }
    const paths = [`/db/${db}`, `/db/${db}/_all_docs?limit=5&include_docs=true`, `/db/${db}/_changes?since=0&limit=5`, `/db/t-${t}-catalog/settings%3Atenant`];
    const statuses = new Map<number, number>();
    const client = async (k: number) => {
      // bursts, then a pause just around the embedded store's 5 s keep-alive timeout, then bursts again
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 12; i++) {
          const res = await fetch(s.url + paths[(k + i) % paths.length]!, { headers: { authorization: `Bearer ${register}` } });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
        if (round < 2) await new Promise((r) => setTimeout(r, 4_700 + ((k * 37) % 600)));
      }
    };
    await Promise.all(Array.from({ length: 50 }, (_, k) => client(k)));
    expect([...statuses.keys()].filter((st) => st >= 500)).toEqual([]);
    expect(statuses.get(200)).toBe(50 * 3 * 12);
  }, 120_000);
});
