import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCouch, detectWriteCopies } from './client.ts';

/**
 * What the server sends a CouchDB cluster for its writes (`w`) and how it learns the number, against a
 * local HTTP server that answers like CouchDB and records each request. The effect on a real cluster
 * (no stale view read right after a write) is measured in tests/integration/read-your-writes.test.ts.
 */
let seen: { method: string; url: string }[] = [];
let membership: unknown = { all_nodes: ['a', 'b', 'c'], cluster_nodes: ['a', 'b', 'c'] };
let n: string | null = '"3"';
let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url! });
    req.resume();
    res.setHeader('content-type', 'application/json');
    if (req.url === '/_membership') return membership ? res.end(JSON.stringify(membership)) : void res.writeHead(404).end('{"error":"not_found","reason":"missing"}');
    if (req.url === '/_node/_local/_config/cluster/n') return n ? res.end(n) : void res.writeHead(404).end('{"error":"not_found","reason":"unknown_config_value"}');
    if (req.method === 'GET') return res.end('{"_id":"a","_rev":"1-x"}');
    res.writeHead(201).end(req.url!.includes('_bulk_docs') ? '[{"ok":true,"id":"a","rev":"1-x"}]' : '{"ok":true,"id":"a","rev":"1-x"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const couch = () => connectCouch({ url, user: 'u', password: 'p' }, { prefix: 'p_' });

describe('writes on a cluster wait for every copy', () => {
  it('learns w from the cluster: n, never more than the nodes there are; none on one copy or the embedded store', async () => {
    expect(await detectWriteCopies(couch())).toBe(3);
    membership = { cluster_nodes: ['a', 'b'] };
    expect(await detectWriteCopies(couch())).toBe(2);
    n = null; // the setting absent: CouchDB's default n=3, capped by the two nodes
    expect(await detectWriteCopies(couch())).toBe(2);
    membership = { cluster_nodes: ['a'] };
    expect(await detectWriteCopies(couch())).toBeUndefined();
    membership = null; // the embedded store has no cluster endpoints
    expect(await detectWriteCopies(couch())).toBeUndefined();
    membership = { cluster_nodes: ['a', 'b', 'c'] };
    n = '"3"';
    expect(await detectWriteCopies(couch(), 'quorum')).toBeUndefined();
  });

  it('sends w with insert (POST and PUT), bulk and destroy, and not with reads', async () => {
    const c = couch();
    await detectWriteCopies(c);
    const db = c.use('t-x');
    seen = [];
    await db.insert({ a: 1 });
    await db.insert({ a: 1 }, 'doc:1');
    await db.insert({ _id: 'doc:2', a: 1 }, { new_edits: false } as never);
    await db.bulk({ docs: [{ _id: 'a' }] });
    await db.destroy('doc:1', '1-x');
    await db.get('doc:1');
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /p_t-x?w=3',
      'PUT /p_t-x/doc%3A1?w=3',
      'POST /p_t-x?new_edits=false&w=3',
      'POST /p_t-x/_bulk_docs?w=3',
      'DELETE /p_t-x/doc%3A1?rev=1-x&w=3',
      'GET /p_t-x/doc%3A1'
    ]);
  });

  it('leaves writes as they were where the store has one copy', async () => {
    const db = couch().use('t-x');
    seen = [];
    await db.insert({ a: 1 }, 'doc:1');
    await db.destroy('doc:1', '1-x');
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /p_t-x/doc%3A1', 'DELETE /p_t-x/doc%3A1?rev=1-x']);
  });
});
