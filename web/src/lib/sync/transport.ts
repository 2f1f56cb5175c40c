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
  return new PouchDB(`${baseUrl.replace(/\/$/, '')}/db/${dbName}`, {
    skip_setup: true,
    fetch: fetchWithAuth
  } as PouchDB.Configuration.RemoteDatabaseConfiguration);
}
