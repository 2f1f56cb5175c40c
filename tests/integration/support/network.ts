import PouchDB from 'pouchdb-node';

type FetchFn = (url: string | Request, opts?: RequestInit) => Promise<Response>;

/** A device's network that a test can cut: while down, every request fails as a dropped link would. */
export class FlakyNetwork {
  down = false;
  requests = 0;
  failures = 0;
  readonly fetch: FetchFn = async (url, opts) => {
    this.requests++;
    if (this.down) {
      this.failures++;
      throw new TypeError('fetch failed: network is down');
    }
    return (PouchDB as unknown as { fetch: FetchFn }).fetch(url, opts);
  };
}
