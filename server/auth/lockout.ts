/** Lockout after repeated failures (password or PIN). Pure, so the rule is unit-tested on its own. */
export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;

export interface LockState {
  failures: number;
  lockedUntil?: string | undefined;
}

export function isLocked(s: LockState, now: Date): boolean {
  return s.lockedUntil !== undefined && new Date(s.lockedUntil).getTime() > now.getTime();
}

export function afterFailure(s: LockState, now: Date): LockState {
  // A lock that has expired starts a fresh count.
  const failures = s.lockedUntil && !isLocked(s, now) ? 1 : s.failures + 1;
  return failures >= MAX_FAILURES
    ? { failures, lockedUntil: new Date(now.getTime() + LOCK_MS).toISOString() }
    : { failures, lockedUntil: undefined };
}

export function afterSuccess(): LockState {
  return { failures: 0, lockedUntil: undefined };
}

export function lockedMessage(s: LockState, what: 'account' | 'PIN sign-in on this device'): string {
  const until = s.lockedUntil ? new Date(s.lockedUntil).toISOString().slice(11, 16) : '';
  return `Too many failed attempts: ${what} is locked until ${until} UTC. Try again later or ask an admin to unlock it.`;
}
