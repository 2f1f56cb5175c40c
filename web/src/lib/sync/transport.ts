/**
 * The remote end of a replication: PouchDB's HTTP adapter pointed at the gateway (`/db/{name}`), with
 * the bearer token added to every request. A 401 asks the token source for a fresh token and retries
 * that request once, so a token refresh never restarts replication from scratch.
 */
export interface TokenSource {
  token(): string;
  /** returns a new token, or null when the credential is gone (revoked device, signed out) */
  refresh?(): Promise<string | null>;
}

export type FetchFn = (url: string | Request, opts?: RequestInit) => Promise<Response>;

export function openRemote(PouchDB: PouchDB.Static, baseUrl: string, dbName: string, auth: TokenSource, network?: FetchFn): PouchDB.Database {
  const pouchFetch = network ?? (PouchDB as unknown as { fetch: FetchFn }).fetch;
  const withToken = (opts: RequestInit | undefined, token: string): RequestInit => {
    const headers = new Headers(opts?.headers);
    headers.set('Authorization', `Bearer ${token}`);
    return { ...opts, headers };
  };
  const fetchWithAuth: FetchFn = async (url, opts) => {
    const res = await pouchFetch(url, withToken(opts, auth.token()));
    if (res.status !== 401 || !auth.refresh) return res;
    const fresh = await auth.refresh();
    return fresh ? pouchFetch(url, withToken(opts, fresh)) : res;
  };
  const remote = new PouchDB(`${baseUrl.replace(/\/$/, '')}/db/${dbName}`, {
    skip_setup: true,
    fetch: fetchWithAuth
  } as PouchDB.Configuration.RemoteDatabaseConfiguration);
  const info = remote.info.bind(remote);
  remote.info = ((...args: Parameters<typeof info>) => quietThen(info(...args))) as typeof remote.info;
  return remote;
}

/**
 * PouchDB 9's replication asks the source for `info()` after every batch, for its progress counter
 * only, as `src.info().then(…)` with no handler: when the link drops at that moment (a server restart
 * in the fault suite) the rejection is unhandled. Every promise derived from this one by `then` gets
 * a no-op handler, so a rejection nobody waits for is dropped; anyone who does wait (our own
 * `await remote.info()`, a chained `.then`) still gets it.
 */
export function quietThen<T>(p: Promise<T>): Promise<T> {
  const then = p.then.bind(p) as Promise<T>['then'];
  p.then = ((onFulfilled, onRejected) => {
    const derived = then(onFulfilled, onRejected);
    derived.catch(() => undefined);
    return derived;
  }) as Promise<T>['then'];
  return p;
}
