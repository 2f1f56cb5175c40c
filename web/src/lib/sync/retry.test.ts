import { describe, expect, it } from 'vitest';
import { BACKOFF_MS, MIN_BATCH_SIZE } from './constants.ts';
import { backoffDelay, isOffline, nextBatchSize } from './retry.ts';
import { summarise, type DbSyncState } from './state.ts';

describe('retry policy', () => {
  it('backs off along the schedule with ±20 % jitter and stays at the last step', () => {
    expect(backoffDelay(0, () => 0.5)).toBe(BACKOFF_MS[0]);
    expect(backoffDelay(0, () => 0)).toBe(Math.round(BACKOFF_MS[0]! * 0.8));
    expect(backoffDelay(99, () => 1)).toBe(Math.round(BACKOFF_MS.at(-1)! * 1.2));
  });
  it('halves the batch on 413 or a timeout, never below the minimum, and keeps it otherwise', () => {
    expect(nextBatchSize(500, { status: 413 })).toBe(250);
    expect(nextBatchSize(500, { name: 'TimeoutError' })).toBe(250);
    expect(nextBatchSize(MIN_BATCH_SIZE + 1, { status: 413 })).toBe(MIN_BATCH_SIZE);
    expect(nextBatchSize(500, { status: 500 })).toBe(500);
  });
  it('tells being offline from a real error', () => {
    expect(isOffline({ message: 'fetch failed' })).toBe(true);
    expect(isOffline({ status: 503 })).toBe(true);
    expect(isOffline({ status: 403, message: 'forbidden' })).toBe(false);
  });
});

describe('summarise', () => {
  const db = (over: Partial<DbSyncState>): DbSyncState => ({ name: 'x', kind: 'location', direction: 'both', phase: 'up-to-date', pending: 0, moved: 0, lastSyncedAt: '2026-11-24T10:00:00Z', error: null, denied: [], batchSize: 500, progress: null, ...over });
  it('adds pending, takes the oldest sync time, and is offline if any database is', () => {
    const s = summarise([db({ pending: 2 }), db({ pending: 3, lastSyncedAt: '2026-11-24T09:00:00Z', phase: 'offline' })]);
    expect(s).toMatchObject({ pending: 5, lastSyncedAt: '2026-11-24T09:00:00Z', online: false });
    expect(summarise([db({}), db({ lastSyncedAt: null })]).lastSyncedAt).toBeNull();
  });
});
