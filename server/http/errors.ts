import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { describeIssues } from '../../web/src/lib/domain/schemas/index.ts';

/** One error type for the API: a status, a stable code and a message a person can act on. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** extra fields for the JSON answer (e.g. the row-level errors of a CSV import) */
    readonly details?: Record<string, unknown>
  ) {
    super(message);
  }
}

export const badRequest = (msg: string) => new AppError(400, 'invalid_request', msg);
export const unauthorized = (msg = 'Sign in first') => new AppError(401, 'unauthorized', msg);
export const forbidden = (msg: string) => new AppError(403, 'forbidden', msg);
export const notFound = (msg: string) => new AppError(404, 'not_found', msg);
export const conflict = (msg: string) => new AppError(409, 'conflict', msg);

/** Async handlers: a rejected promise reaches the error funnel instead of being lost. */
export function route(fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    fn(req, res, next).catch(next);
  };
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw badRequest(describeIssues(r.error));
  return r.data;
}

/** The error funnel: known errors keep their message; anything else is logged and answered as 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof AppError) {
    res.status(err.status).json({ ...err.details, error: err.code, message: err.message });
    return;
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid_json', message: 'Request body is not valid JSON' });
    return;
  }
  if (e.type === 'entity.too.large') {
    res.status(413).json({ error: 'too_large', message: 'Request body is too large' });
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json({ error: 'internal', message: 'Something went wrong on the server; it has been logged.' });
};
