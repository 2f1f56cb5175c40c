import { BACKOFF_MS, BATCH_SIZE, MIN_BATCH_SIZE } from './constants.ts';

/** Delay before retry number `attempt` (0-based); `random` is injectable so tests are deterministic. */
export function backoffDelay(attempt: number, random: () => number = Math.random, schedule: readonly number[] = BACKOFF_MS): number {
  const base = schedule[Math.min(attempt, schedule.length - 1)]!;
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface ErrorLike {
  status?: number;
  name?: string;
  message?: string;
  code?: string;
}

/** Errors a smaller batch can fix: the body was too large, or the request took too long. */
export function isBatchTooLarge(err: ErrorLike | null | undefined): boolean {
  if (!err) return false;
  return err.status === 413 || err.code === 'ETIMEDOUT' || err.name === 'TimeoutError' || /timed? ?out/i.test(err.message ?? '');
}

export function isAuthError(err: ErrorLike | null | undefined): boolean {
  return err?.status === 401;
}

/** Being offline is not an error the user must act on: the network will come back. */
export function isOffline(err: ErrorLike | null | undefined): boolean {
  if (!err) return false;
  return err.status === undefined || err.status === 0 || err.status === 502 || err.status === 503 || err.status === 504 || /fetch|network|ECONNREFUSED|ECONNRESET|socket/i.test(err.message ?? '');
}

export function nextBatchSize(current: number, err: ErrorLike | null | undefined): number {
  return isBatchTooLarge(err) ? Math.max(MIN_BATCH_SIZE, Math.floor(current / 2)) : current;
}

export { BATCH_SIZE };
