/**
 * One JSON request that `stop` cuts short (a feed's long poll at shutdown). Each request gets its own
 * AbortController linked to `stop` and unlinked when the answer is read: handing `stop` itself to
 * every fetch left one listener per request on it (undici drops its own only when the request is
 * garbage-collected), and a feed that answers often piled up thousands of them.
 */
export async function fetchJson(stop: AbortSignal, url: string, init: Omit<RequestInit, 'signal'> = {}): Promise<{ ok: boolean; status: number; body: unknown }> {
  const ac = new AbortController();
  const onStop = () => ac.abort(stop.reason);
  if (stop.aborted) ac.abort(stop.reason);
  else stop.addEventListener('abort', onStop, { once: true });
  try {
    const res = await fetch(url, { ...init, signal: ac.signal });
    if (!res.ok) {
      await res.body?.cancel();
      return { ok: false, status: res.status, body: null };
    }
    return { ok: true, status: res.status, body: await res.json() };
  } finally {
    stop.removeEventListener('abort', onStop);
  }
}
