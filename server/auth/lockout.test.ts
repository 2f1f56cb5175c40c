import { describe, expect, it } from 'vitest';
import { LOCK_MS, MAX_FAILURES, afterFailure, afterSuccess, isLocked } from './lockout.ts';

describe('lockout', () => {
  const t0 = new Date('2026-11-24T10:00:00Z');
  it(`locks after ${MAX_FAILURES} failures and unlocks after the lock period`, () => {
    let s = afterSuccess();
    for (let i = 1; i < MAX_FAILURES; i++) {
      s = afterFailure(s, t0);
      expect(isLocked(s, t0)).toBe(false);
    }
    s = afterFailure(s, t0);
    expect(isLocked(s, t0)).toBe(true);
    expect(isLocked(s, new Date(t0.getTime() + LOCK_MS + 1))).toBe(false);
    // after an expired lock the count starts again
    const later = new Date(t0.getTime() + LOCK_MS + 1);
    expect(afterFailure(s, later)).toEqual({ failures: 1, lockedUntil: undefined });
  });
});
