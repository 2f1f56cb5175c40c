/**
 * Sync tunables, in one place (STYLE.md §10).
 */
/** Documents per replication batch. DESIGN.md §1: PouchDB pulls ~2× faster at 1000 than at 100. */
export const BATCH_SIZE = 500;
/** A 413 or a timeout halves the batch down to this, instead of failing the same way forever. */
export const MIN_BATCH_SIZE = 25;
/** Retry delays after a failed replication (ms); the last one repeats. Jittered ±20 %. */
export const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];
/**
 * `_changes` heartbeat (ms). A heartbeat keeps idle longpoll feeds alive through proxies; note a
 * feed can answer 200 and still fail later, so "connected" is only claimed after a batch completes.
 */
export const HEARTBEAT_MS = 10_000;
/** How often pending local changes are recounted while idle (ms). */
export const PENDING_POLL_MS = 5_000;
