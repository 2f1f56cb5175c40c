import { statusOf, type Couch } from '../couch/client.ts';
import { fetchJson } from '../couch/fetch-json.ts';
import type { Logger } from '../log.ts';

/**
 * One follower of the store's database-updates feed (`/_db_updates`: CouchDB 3's, or the embedded
 * store's equivalent) for every background worker, so their cost follows what changed instead of the
 * number of tenants: an idle tenant costs nothing. Subscribers get logical database names (the
 * deployment's prefix removed; other deployments' databases are ignored) and read what changed from
 * their own checkpoints, so a signal may be late, repeated or spurious without harm.
 *
 * What cannot be known from the feed is swept instead: at start, and whenever the feed lost its place
 * (the store forgot the sequence, e.g. the embedded store restarted), `onSweep` handlers visit every
 * database once. Nothing runs on a timer.
 */
export type DbChanged = (db: string) => void;

const LONGPOLL_MS = 55_000;
const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

interface FeedPage {
  results: { db_name: string; type: string; seq?: unknown }[];
  last_seq: unknown;
}

export class DbUpdates {
  private readonly handlers: DbChanged[] = [];
  private readonly sweepers: (() => void)[] = [];
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  /** updates seen (tests and metrics) */
  seen = 0;

  constructor(
    private readonly couch: Couch,
    private readonly log: Logger,
    private readonly opts: { longpollMs?: number; onCouchDb?: boolean } = {}
  ) {}

  subscribe(fn: DbChanged): void {
    this.handlers.push(fn);
  }

  /** Called at start and after the feed lost its place: visit everything once. */
  onSweep(fn: () => void): void {
    this.sweepers.push(fn);
  }

  start(): void {
    this.running ??= this.follow();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => {});
  }

  private sweep(why: string): void {
    this.log.info({ why }, 'database updates: visiting every database once');
    for (const s of this.sweepers) s();
  }

  /** The logical name of a store database of this deployment, or null. */
  private logical(name: string): string | null {
    const p = this.couch.prefix;
    if (p && !name.startsWith(p)) return null;
    const n = name.slice(p.length);
    return n.startsWith('_') ? null : n;
  }

  private async follow(): Promise<void> {
    // CouchDB records database updates in `_global_changes`, a system database a cluster's setup
    // creates; without it `_db_updates` stays silent. Creating it is idempotent (412 = exists).
    if (this.opts.onCouchDb) {
      await this.couch.server.db.create('_global_changes').catch((err: unknown) => {
        if (statusOf(err) !== 412) this.log.warn({ err: (err as Error).message }, 'could not create _global_changes; database updates may not be reported');
      });
    }
    const base = this.couch.creds.url.replace(/\/$/, '');
    let since: string | null = null;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (since === null) {
          // the feed's position first, then the sweep: an update between the two is seen twice, never missed
          since = await this.position(base);
          this.sweep(failures ? 'the store no longer knew the feed position' : 'start');
        }
        const q = new URLSearchParams({ feed: 'longpoll', since, timeout: String(this.opts.longpollMs ?? LONGPOLL_MS) });
        const res = await fetchJson(this.abort.signal, `${base}/_db_updates?${q}`, { headers: { authorization: this.couch.authHeader } });
        if (res.status === 400) {
          since = null;
          failures = 1;
          continue;
        }
        if (!res.ok) throw new Error(`_db_updates answered ${res.status}`);
        const page = res.body as FeedPage;
        failures = 0;
        since = String(page.last_seq);
        for (const r of page.results) {
          if (r.type === 'deleted') continue;
          const db = this.logical(r.db_name);
          if (!db) continue;
          this.seen++;
          for (const h of this.handlers) h(db);
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        // a store without the feed still gets the start-up visit (and the gateway's write signals)
        if (since === null && failures === 2) this.sweep('the database updates feed is unavailable');
        const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!;
        this.log.warn({ err: (err as Error).message, retryMs: wait }, 'database updates feed interrupted; following it again');
        await this.pause(wait);
      }
    }
  }

  /** The feed's current position (a normal, not longpoll, request answers at once). */
  private async position(base: string): Promise<string> {
    const res = await fetchJson(this.abort.signal, `${base}/_db_updates?since=now`, { headers: { authorization: this.couch.authHeader } });
    if (!res.ok) throw new Error(`_db_updates answered ${res.status}`);
    return String((res.body as FeedPage).last_seq);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}
