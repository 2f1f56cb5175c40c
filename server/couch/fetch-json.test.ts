import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJson } from './fetch-json.ts';

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/hang') return; // a long poll that never answers
    if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ last_seq: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('fetchJson', () => {
  it('leaves no listener on the stop signal, however many requests it made', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 300; i++) expect((await fetchJson(stop.signal, `${base}/${i}`)).body).toEqual({ last_seq: `/${i}` });
    expect(await fetchJson(stop.signal, `${base}/missing`)).toEqual({ ok: false, status: 404, body: null });
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('a stop cuts a waiting request short, and one already stopped does not start', async () => {
    const stop = new AbortController();
    const waiting = fetchJson(stop.signal, `${base}/hang`);
    await new Promise((r) => setTimeout(r, 50));
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow();
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    await expect(fetchJson(stop.signal, `${base}/1`)).rejects.toThrow();
  });
});
