import type { z } from 'zod';
import { describeIssues } from '#domain/schemas/index.ts';

/**
 * One error type for use cases and the API: a status, a stable code and a message a person can act
 * on. Free of HTTP plumbing: the Express funnel (http/errors.ts) turns it into a JSON answer; a worker
 * or the CLI reads it as it is.
 */
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

/** Checks input against its schema: the data, or a 400 naming what is wrong. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw badRequest(describeIssues(r.error));
  return r.data;
}
