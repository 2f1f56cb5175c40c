import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeUnavailable } from '../couch/client.ts';
import { errorHandler, forbidden, route } from './errors.ts';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A store that answers every request with a 500 and a stack-like body, as a failing node might. */
const failing = http.createServer((_req, res) => {
  res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'unknown_error', reason: 'function_clause at /opt/couchdb/lib/x.erl:12' }));
});
let app: http.Server;
let base = '';
let downUrl = '';
let failingUrl = '';

beforeAll(async () => {
  downUrl = `http://127.0.0.1:${await closedPort()}`;
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
  failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
  const a = express();
  a.get('/down', route(async () => nano(downUrl).use('db').get('doc')));
  a.get('/failing', route(async () => nano(failingUrl).use('db').get('doc')));
  a.get('/missing', route(async () => {
    throw Object.assign(new Error('missing'), { request: {}, statusCode: 404 }); // as nano reports a 404
  }));
  a.get('/bug', route(async () => {
    throw new TypeError(`cannot read properties of undefined at ${import.meta.filename}`);
  }));
  a.get('/refused', route(async () => {
    throw forbidden('Only a manager may do this');
  }));
  a.use(errorHandler);
  app = a.listen(0, '127.0.0.1');
  await new Promise<void>((r) => app.once('listening', r));
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => app.close(() => r()));
  await new Promise<void>((r) => failing.close(() => r()));
});

describe('the error funnel', () => {
  it('a store that cannot be reached is a 503 to retry, not a 500', async () => {
    const res = await fetch(`${base}/down`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ error: 'unavailable', message: 'The database is restarting or unreachable; retry shortly.' });
  });

  it('a store answering 5xx is a 503 too, and none of its body reaches the client', async () => {
    const res = await fetch(`${base}/failing`);
    expect(res.status).toBe(503);
    expect(await res.text()).not.toMatch(/erl|opt|function_clause/);
  });

  it('a bug is a 500 with a generic message: no stack, no file path', async () => {
    const res = await fetch(`${base}/bug`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain(import.meta.filename);
    expect(JSON.parse(text)).toEqual({ error: 'internal', message: 'Something went wrong on the server; it has been logged.' });
  });

  it('a store 404 is a 404 and a use case refusal keeps its status and message', async () => {
    expect((await fetch(`${base}/missing`)).status).toBe(404);
    const res = await fetch(`${base}/refused`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ message: 'Only a manager may do this' });
  });
});

describe('storeUnavailable', () => {
  it('is true for socket codes, nano connection failures and store 5xx; false for 4xx and bugs', () => {
    expect(storeUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(storeUnavailable(new Error('error happened in your connection. Reason: fetch failed'))).toBe(true);
    expect(storeUnavailable(Object.assign(new Error('x'), { request: {}, statusCode: 503 }))).toBe(true);
    expect(storeUnavailable(Object.assign(new Error('x'), { request: {}, statusCode: 409 }))).toBe(false);
    expect(storeUnavailable(Object.assign(new Error('x'), { statusCode: 500 }))).toBe(false);
    expect(storeUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(storeUnavailable('ECONNREFUSED')).toBe(false);
  });
});
