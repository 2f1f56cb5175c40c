/**
 * When to try a message again after a temporary failure: exponential (base · 2^(attempt−1)), capped,
 * with ±20 % jitter so messages that failed together (a mail server down for a minute) do not all
 * come back in the same second. Pure: the random draw is a parameter.
 */
export const MAX_ATTEMPTS = 8;
export const MAX_BACKOFF_MS = 60 * 60_000;

export function backoffMs(attempt: number, baseMs: number, random = Math.random()): number {
  const exp = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.4 * random));
}
