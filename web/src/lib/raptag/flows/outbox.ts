import type { OutboxItem, RaptagStore } from '../raptag-db.ts';

/**
 * The phone's offline queue of API calls (shipping and receiving transfers). A call is recorded in
 * Dexie first and sent when the network allows, oldest first; the server's operations are idempotent
 * (a transfer shipped or received twice answers "already done"), so a call whose answer was lost is
 * simply sent again. A refusal (4xx) stays in the queue with its reason for the clerk to see; a network
 * failure stops the round until the next try.
 */

export interface OutboxDeps {
  store: Pick<RaptagStore, 'enqueue' | 'queued' | 'dequeue' | 'noteAttempt'>;
  send(path: string, body: unknown): Promise<unknown>;
  now(): string;
}

export async function enqueueCall(deps: OutboxDeps, item: Pick<OutboxItem, 'label' | 'path' | 'body'>): Promise<void> {
  await deps.store.enqueue({ ...item, method: 'POST' }, deps.now());
}

export interface FlushResult {
  sent: number;
  failed: number;
  offline: boolean;
}

/** Sends what is queued, in order. A 4xx answer is recorded and skipped; being offline stops the round. */
export async function flushOutbox(deps: OutboxDeps): Promise<FlushResult> {
  const out: FlushResult = { sent: 0, failed: 0, offline: false };
  for (const item of await deps.store.queued()) {
    try {
      await deps.send(item.path, item.body);
      await deps.store.dequeue(item.seq!);
      out.sent++;
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      await deps.store.noteAttempt(item.seq!, (err as Error).message);
      if (status === 0 || status >= 500 || status === 401) {
        out.offline = status === 0;
        break; // try the whole queue again later, in order
      }
      out.failed++;
    }
  }
  return out;
}
