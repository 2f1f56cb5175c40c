import http from 'node:http';
import https from 'node:https';
import type { Request, Response } from 'express';
import type { UpstreamErrorKind } from '../metrics/registry.ts';

/** Request headers passed to CouchDB; everything else (cookies, the caller's Authorization…) is dropped. */
const PASS_REQUEST_HEADERS = ['accept', 'content-type', 'if-none-match', 'if-match', 'accept-encoding'];
/** Response headers never passed back: CouchDB's auth and server details stay behind the gateway. */
const DROP_RESPONSE_HEADERS = new Set(['set-cookie', 'www-authenticate', 'server', 'x-couch-request-id', 'x-couchdb-body-time', 'connection', 'keep-alive']);

/**
 * Time limits on every upstream request (the socket may sit idle this long before the request is
 * aborted and answered 504). Streaming feeds are the exception by design: they get their own limit
 * from their heartbeat/timeout (`feedIdleMs`).
 */
export const UPSTREAM_TIMEOUT_MS = 60_000;
/** Slack on top of a feed's heartbeat or timeout before the gateway gives up on a silent feed. */
const FEED_SLACK_MS = 30_000;
/** A longpoll/continuous feed with neither heartbeat nor timeout: CouchDB's default changes timeout is 60 s. */
const FEED_DEFAULT_MS = 60_000;
/**
 * Idle kept-alive sockets are closed after this long, below the store's own keep-alive timeout (the
 * embedded store's is 5 s, CouchDB's much longer; Node also honours a shorter `Keep-Alive: timeout=`
 * hint, minus a second). Reusing a socket the store is closing at that very moment was what turned
 * into spurious "restarting" 503s under load; the one retry below covers the race that remains.
 */
export const FREE_SOCKET_TIMEOUT_MS = 4_000;

export interface Upstream {
  /** counts upstream failures and retries (server/metrics); absent where nothing is measured */
  observer?: UpstreamObserver;
  url: string;
  authHeader: string;
  /** per-request time limit (config UPSTREAM_TIMEOUT_S); default UPSTREAM_TIMEOUT_MS */
  timeoutMs?: number;
  /** COUCH_DB_PREFIX: the store's names are the logical ones with this in front */
  dbPrefix?: string;
  /** copies a device's write waits for on a cluster (`w`; couch/client.ts detectWriteCopies) */
  writeCopies?: number;
}

/** A write's rebuilt query string with the deployment's `w` added (the client never chooses it). */
export function writeSearch(search: string, up: Upstream): string {
  if (!up.writeCopies) return search;
  return `${search}${search ? '&' : '?'}w=${up.writeCopies}`;
}

/** `/t-acme-loc-gm/_changes` → `/{prefix}t-acme-loc-gm/_changes`; server-level paths (`/_…`) unchanged. */
export function storePath(path: string, prefix = ''): string {
  return prefix && path.startsWith('/') && !path.startsWith('/_') ? `/${prefix}${path.slice(1)}` : path;
}

/** One upstream request as the gateway rebuilt it. */
export interface UpstreamCall {
  /** default: the client's method */
  method?: string;
  path: string;
  /** the rebuilt query string ('' or '?…'), never the client's */
  search: string;
  body?: Buffer;
  /** a `_changes` longpoll/continuous feed: its idle limit in ms (see feedIdleMs) */
  feedIdleMs?: number;
}

export interface UpstreamObserver {
  error(kind: UpstreamErrorKind): void;
  retried(): void;
}

/** CouchDB (3.5+) takes a caller's `X-Couch-Request-ID` as its own request id when it looks like this. */
const COUCH_REQUEST_ID = /^[A-Za-z0-9_-]{1,36}$/;

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: FREE_SOCKET_TIMEOUT_MS });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256, timeout: FREE_SOCKET_TIMEOUT_MS });

/** How long a streaming feed may stay silent: its heartbeat or timeout plus slack. */
export function feedIdleMs(params: ReadonlyMap<string, string>): number {
  const heartbeat = Number(params.get('heartbeat') ?? 0);
  const timeout = Number(params.get('timeout') ?? 0);
  return (heartbeat > 0 ? heartbeat : timeout > 0 ? timeout : FEED_DEFAULT_MS) + FEED_SLACK_MS;
}

class UpstreamTimeout extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
}

function upstreamOptions(up: Upstream, req: Request, call: UpstreamCall): http.RequestOptions {
  const target = new URL(up.url);
  const headers: Record<string, string> = { authorization: up.authHeader, 'x-request-id': String(req.id ?? '') };
  // the same id in CouchDB's log as in ours (a random UUID unless the client sent its own X-Request-Id)
  if (COUCH_REQUEST_ID.test(String(req.id ?? ''))) headers['x-couch-request-id'] = String(req.id);
  // a request the gateway makes on its own behalf (e.g. the event-once lookup) carries none of the client's headers
  if (!call.method) for (const h of PASS_REQUEST_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  if (call.body) {
    headers['content-length'] = String(call.body.length);
    headers['content-type'] = 'application/json';
    delete headers['accept-encoding'];
  } else delete headers['content-type'];
  const basePath = target.pathname.replace(/\/$/, '');
  const secure = target.protocol === 'https:';
  return {
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: call.method ?? req.method,
    path: basePath + storePath(call.path, up.dbPrefix) + call.search,
    headers,
    agent: secure ? httpsAgent : httpAgent
  };
}

/**
 * Sends one request upstream. A kept-alive socket the store closed just as it was reused fails with
 * ECONNRESET before any answer: that request never reached the store, so it is sent once more on a
 * fresh socket (every body is buffered, and every write the gateway forwards carries its ids, so a
 * repeat can never create a second document). Anything else is reported to `onError`.
 */
function send(up: Upstream, req: Request, call: UpstreamCall, onResponse: (r: http.IncomingMessage) => void, onError: (err: NodeJS.ErrnoException) => void): () => void {
  let current: http.ClientRequest | null = null;
  let attempts = 0;
  /** the client went away: whatever the upstream request does now is nobody's business */
  let abandoned = false;
  const start = () => {
    attempts++;
    let answered = false;
    const opts = upstreamOptions(up, req, call);
    const mod = opts.protocol === 'https:' ? https : http;
    const r = mod.request(opts, (upRes) => {
      answered = true;
      const couchId = upRes.headers['x-couch-request-id'];
      // an older CouchDB names the request itself: keep its id for our request log (app.ts)
      if (typeof couchId === 'string' && couchId !== String(req.id) && req.res) req.res.locals.couchRequestId = couchId.slice(0, 64);
      if ((upRes.statusCode ?? 0) >= 500) up.observer?.error('status_5xx');
      onResponse(upRes);
    });
    current = r;
    r.setTimeout(call.feedIdleMs ?? up.timeoutMs ?? UPSTREAM_TIMEOUT_MS, () => r.destroy(new UpstreamTimeout('upstream timed out')));
    r.on('error', (err: NodeJS.ErrnoException) => {
      if (abandoned) return;
      if (!answered && attempts === 1 && r.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
        up.observer?.retried();
        return start();
      }
      if (!answered) {
        up.observer?.error(upstreamErrorKind(err));
        onError(err);
      }
    });
    r.end(call.body);
  };
  start();
  return () => {
    abandoned = true;
    current?.destroy();
  };
}

/** A failed upstream request by kind, for the `pos_upstream_errors_total` counter. */
export function upstreamErrorKind(err: NodeJS.ErrnoException): UpstreamErrorKind {
  if (err.code === 'UPSTREAM_TIMEOUT' || err.code === 'ETIMEDOUT') return 'timeout';
  if (err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'connect';
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return 'reset';
  return 'other';
}

/** Status and CouchDB-shaped body for an upstream failure. 503 only when the store is really unreachable. */
export function upstreamFailure(err: NodeJS.ErrnoException): { status: number; error: string; reason: string } {
  if (err.code === 'UPSTREAM_TIMEOUT') return { status: 504, error: 'timeout', reason: 'the database did not answer in time; retry' };
  return { status: 503, error: 'unavailable', reason: 'the database is restarting or unreachable; retry shortly' };
}

function fail(res: Response, status: number, error: string, reason: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({ error, reason });
}

export function unavailable(res: Response): void {
  fail(res, 503, 'unavailable', 'the database is restarting or unreachable; retry shortly');
}

function copyResponseHeaders(from: http.IncomingMessage, res: Response): void {
  for (const [k, v] of Object.entries(from.headers)) {
    if (v !== undefined && !DROP_RESPONSE_HEADERS.has(k)) res.setHeader(k, v);
  }
}

/**
 * An upstream error body as the client may see it: CouchDB's `{error, reason}` strings only, never an
 * HTML page, a stack trace or anything else the store put there; 5xx become 502 (logged).
 */
export function cleanUpstreamError(status: number, json: unknown): { status: number; body: { error: string; reason: string } } {
  if (status >= 500) return { status: 502, body: { error: 'upstream_error', reason: 'the database could not answer this request; it has been logged' } };
  const j = (json ?? {}) as { error?: unknown; reason?: unknown };
  const error = typeof j.error === 'string' && /^[a-z_]{1,40}$/.test(j.error) ? j.error : status === 404 ? 'not_found' : 'bad_request';
  const reason = typeof j.reason === 'string' && j.reason.length <= 300 && !/[\n<]|\bat\s|\/[a-z]+\//i.test(j.reason) ? j.reason : 'the database refused this request';
  return { status, body: { error, reason } };
}

function readAll(m: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    m.setEncoding('utf8');
    m.on('data', (c: string) => {
      if (text.length < limit) text += c;
    });
    m.on('end', () => resolve(text));
    m.on('error', () => resolve(text));
    m.on('aborted', () => resolve(text));
  });
}

function parseOrNull(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * Streams a request to CouchDB and the answer back, so `_changes` longpoll/continuous feeds and
 * large `_all_docs`/`_bulk_get` responses pass through without buffering. Error answers are read and
 * replaced by clean ones (`cleanUpstreamError`). If the client goes away, the upstream request is
 * aborted so no feed lingers.
 */
export function pipeToCouch(up: Upstream, req: Request, res: Response, call: UpstreamCall): void {
  const abort = send(
    up,
    req,
    call,
    (upRes) => {
      const status = upRes.statusCode ?? 502;
      if (status >= 400) {
        // CouchDB's error/reason strings at most: never an HTML page or a stack trace from the store
        void readAll(upRes).then((text) => {
          if (status >= 500) req.log?.error({ upstreamStatus: status, upstreamBody: text.slice(0, 500), path: call.path }, 'upstream error');
          // CouchDB answers text/plain unless asked for JSON; either way only its error/reason strings pass
          const clean = cleanUpstreamError(status, parseOrNull(text));
          fail(res, clean.status, clean.body.error, clean.body.reason);
        });
        return;
      }
      res.status(status);
      copyResponseHeaders(upRes, res);
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
      upRes.on('aborted', () => res.destroy());
    },
    (err) => {
      // (a feed or a response that goes silent after it started is cut off above: the client retries)
      if (err.code !== 'UPSTREAM_TIMEOUT') req.log?.warn({ err: { code: err.code, message: err.message }, path: call.path }, 'upstream request failed');
      const f = upstreamFailure(err);
      fail(res, f.status, f.error, f.reason);
    }
  );
  res.on('close', () => {
    if (!res.writableFinished) abort();
  });
}

/** For requests whose answer the gateway must read (writes, the event-once check): status and parsed JSON. */
export function callCouch(up: Upstream, req: Request, call: UpstreamCall): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: unknown }> {
  return new Promise((resolve, reject) => {
    send(
      up,
      req,
      call,
      (upRes) => {
        void readAll(upRes, 64 * 1024 * 1024).then((text) => {
          const status = upRes.statusCode ?? 502;
          if (status >= 500) req.log?.error({ upstreamStatus: status, upstreamBody: text.slice(0, 500), path: call.path }, 'upstream error');
          resolve({ status, headers: upRes.headers, json: parseOrNull(text) });
        });
      },
      reject
    );
  });
}
