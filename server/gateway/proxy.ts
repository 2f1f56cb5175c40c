import http from 'node:http';
import type { Request, Response } from 'express';

/** Request headers passed to CouchDB; everything else (cookies, the caller's Authorization…) is dropped. */
const PASS_REQUEST_HEADERS = ['accept', 'content-type', 'if-none-match', 'if-match', 'accept-encoding'];
/** Response headers never passed back: CouchDB's auth and server details stay behind the gateway. */
const DROP_RESPONSE_HEADERS = new Set(['set-cookie', 'www-authenticate', 'server', 'x-couch-request-id', 'x-couchdb-body-time', 'connection', 'keep-alive']);

export interface Upstream {
  url: string;
  authHeader: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function upstreamOptions(up: Upstream, req: Request, path: string, search: string, body?: Buffer): http.RequestOptions {
  const target = new URL(up.url);
  const headers: Record<string, string> = { authorization: up.authHeader, 'x-request-id': String(req.id ?? '') };
  for (const h of PASS_REQUEST_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  if (body) {
    headers['content-length'] = String(body.length);
    headers['content-type'] = 'application/json';
    delete headers['accept-encoding'];
  }
  const basePath = target.pathname.replace(/\/$/, '');
  return { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: basePath + path + search, headers, agent };
}

function copyResponseHeaders(from: http.IncomingMessage, res: Response): void {
  for (const [k, v] of Object.entries(from.headers)) {
    if (v !== undefined && !DROP_RESPONSE_HEADERS.has(k)) res.setHeader(k, v);
  }
}

export function unavailable(res: Response): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(503).json({ error: 'unavailable', reason: 'the database is restarting; retry shortly' });
}

/**
 * Streams a request to CouchDB and the answer back, so `_changes` longpoll/continuous feeds and
 * large `_all_docs`/`_bulk_get` responses pass through without buffering. If the client goes away,
 * the upstream request is aborted so no feed lingers.
 */
export function pipeToCouch(up: Upstream, req: Request, res: Response, path: string, search: string, body?: Buffer): void {
  const upReq = http.request(upstreamOptions(up, req, path, search, body), (upRes) => {
    res.status(upRes.statusCode ?? 502);
    copyResponseHeaders(upRes, res);
    upRes.pipe(res);
    upRes.on('error', () => res.destroy());
  });
  upReq.on('error', () => unavailable(res));
  res.on('close', () => {
    if (!res.writableFinished) upReq.destroy();
  });
  if (body) upReq.end(body);
  else if (req.method === 'GET' || req.method === 'HEAD') upReq.end();
  else req.pipe(upReq);
}

/** For writes the gateway must read the answer (to merge per-document rejections). */
export function callCouch(up: Upstream, req: Request, path: string, search: string, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: unknown }> {
  return new Promise((resolve, reject) => {
    const upReq = http.request(upstreamOptions(up, req, path, search, body), (upRes) => {
      let text = '';
      upRes.setEncoding('utf8');
      upRes.on('data', (c: string) => (text += c));
      upRes.on('end', () => {
        try {
          resolve({ status: upRes.statusCode ?? 502, headers: upRes.headers, json: text ? JSON.parse(text) : null });
        } catch (err) {
          reject(err);
        }
      });
      upRes.on('error', reject);
    });
    upReq.on('error', reject);
    upReq.end(body);
  });
}
