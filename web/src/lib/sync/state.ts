/** The one observable sync state every app shows (pos, admin, raptag). */
export type DbPhase = 'bootstrapping' | 'connecting' | 'pulling' | 'pushing' | 'up-to-date' | 'offline' | 'error' | 'stopped';

export interface DbSyncState {
  name: string;
  kind: string;
  direction: 'pull' | 'both';
  phase: DbPhase;
  /** local changes not yet confirmed on the server */
  pending: number;
  /** documents moved in the current burst (pulled or pushed) */
  moved: number;
  /** last time both directions were caught up (ISO) */
  lastSyncedAt: string | null;
  /** why the last attempt failed, in words a cashier can read */
  error: string | null;
  /** documents the server refused (validation/permission), with reasons */
  denied: { id: string; reason: string }[];
  batchSize: number;
  /** while bootstrapping: documents loaded of the total */
  progress: { written: number; total: number; percent: number } | null;
}

export interface SyncState {
  databases: DbSyncState[];
  /** total local changes waiting for the server */
  pending: number;
  /** the oldest lastSyncedAt of all databases (null until each has synced once) */
  lastSyncedAt: string | null;
  online: boolean;
}

export function summarise(dbs: DbSyncState[]): SyncState {
  const synced = dbs.map((d) => d.lastSyncedAt);
  return {
    databases: dbs,
    pending: dbs.reduce((n, d) => n + d.pending, 0),
    lastSyncedAt: synced.some((s) => s === null) ? null : (synced as string[]).sort()[0] ?? null,
    online: dbs.every((d) => d.phase !== 'offline')
  };
}

export function describeError(err: { status?: number; message?: string; reason?: string } | null | undefined): string {
  if (!err) return 'unknown error';
  if (err.status === 401) return 'the device credential was refused; re-enrol or sign in again';
  if (err.status === 403) return `not allowed: ${err.reason ?? err.message ?? 'forbidden'}`;
  if (err.status === 413) return 'a batch was too large; retrying with smaller batches';
  return err.reason ?? err.message ?? `server answered ${err.status}`;
}
