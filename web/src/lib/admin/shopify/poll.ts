/**
 * Asks `read` again every `everyMs` until `done` says so or `signal` aborts; resolves with the last
 * answer (or null when aborted). Used by the Shopify page for jobs the server runs in the background
 * (the import, a stock correction): it waits on their state, never on a guess of how long they take.
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, onValue: (value: T) => void, opts: { everyMs?: number; signal?: AbortSignal } = {}): Promise<T | null> {
  const every = opts.everyMs ?? 1000;
  for (;;) {
    if (opts.signal?.aborted) return null;
    const value = await read();
    if (opts.signal?.aborted) return null;
    onValue(value);
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, every));
  }
}
