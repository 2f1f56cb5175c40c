import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { textProblem } from '#domain/schemas/text.ts';
import { JsonTooDeepError, jsonDepthExceeds } from '../gateway/json-limits.ts';
import { storeUnavailable } from '../couch/client.ts';
import { AppError, badRequest } from '../errors.ts';

// The HTTP side of the errors: use cases throw these without importing Express (server/errors.ts).
export { AppError, badRequest, conflict, forbidden, notFound, parseBody, unauthorized } from '../errors.ts';

/** Async handlers: a rejected promise reaches the error funnel instead of being lost. */
export function route(fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    fn(req, res, next).catch(next);
  };
}

/**
 * The error funnel: known errors keep their message; a client error raised by Express or a body
 * parser keeps its 4xx status with a generic message; a document or database the store does not have
 * is a 404; the store unreachable or failing (restart, node down) is a 503 to retry; anything else
 * is logged and answered as 500. Always JSON: never a stack, a file path or
 * an HTML page.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) {
    req.log?.error({ err }, 'error after the answer started');
    res.destroy();
    return;
  }
  if (err instanceof AppError) {
    res.status(err.status).json({ ...err.details, error: err.code, message: err.message });
    return;
  }
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string; error?: unknown; reason?: unknown; request?: unknown };
  if (e.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid_json', message: 'Request body is not valid JSON' });
    return;
  }
  if (e.type === 'entity.too.large') {
    res.status(413).json({ error: 'too_large', message: 'Request body is too large' });
    return;
  }
  if (e.type === 'entity.too.deep') {
    res.status(400).json({ error: 'invalid_json', message: e.message ?? 'Request body nests too deeply' });
    return;
  }
  // nano: the store answered 404 (a database or document that does not exist, e.g. an unknown location)
  if (e.request !== undefined && e.statusCode === 404) {
    res.status(404).json({ error: 'not_found', message: 'Not found' });
    return;
  }
  const status = e.request === undefined ? (e.status ?? e.statusCode) : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ error: status === 404 ? 'not_found' : 'invalid_request', message: status === 404 ? 'Not found' : 'The request could not be understood' });
    return;
  }
  // the store is restarting or a node is down: the client retries (503), never a 500 for our bug
  if (storeUnavailable(err)) {
    // a failed connection is the store restarting (warn); a 5xx answer may be a request it choked on (error)
    if (e.request !== undefined) req.log?.error({ err }, 'the store answered with a server error');
    else req.log?.warn({ err: { message: (err as Error).message } }, 'the store could not be reached');
    res.status(503).set('Retry-After', '2').json({ error: 'unavailable', message: 'The database is restarting or unreachable; retry shortly.' });
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json({ error: 'internal', message: 'Something went wrong on the server; it has been logged.' });
};

/**
 * After `express.json`: every string of a JSON body must be well-formed text without control
 * characters (tab, newline and carriage return excepted); strings were NFC-normalised by the parser's
 * reviver (`normaliseJsonText`). Field schemas add the human-text rule on top.
 */
export const checkBodyText: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined && typeof req.body === 'object') {
    const why = textProblem(req.body);
    if (why) return next(badRequest(why));
  }
  next();
};

/** `express.json` reviver: strings arrive NFC-normalised, so people never see the NFC rule. */
export function normaliseJsonText(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.normalize('NFC') : value;
}

/** Largest JSON body `/api/v1` takes (CSV imports and images have their own, larger limits). */
export const API_JSON_LIMIT = '1mb';

/** `express.json` verify hook: refuses a body nested deeper than MAX_JSON_DEPTH before it is parsed. */
export function refuseDeepJson(_req: unknown, _res: unknown, buf: Buffer): void {
  if (jsonDepthExceeds(buf.toString('utf8'))) throw new JsonTooDeepError();
}
