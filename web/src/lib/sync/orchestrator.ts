import { BATCH_SIZE, HEARTBEAT_MS, PENDING_POLL_MS } from './constants.ts';
import { backoffDelay, isAuthError, isOffline, nextBatchSize, type ErrorLike } from './retry.ts';
import { describeError, summarise, type DbSyncState, type SyncState } from './state.ts';
import { openRemote, type TokenSource } from './transport.ts';
import { bootstrapReplica, markHandedOver, needsBootstrap, readBootstrapState } from './bootstrap.ts';

/**
 * One sync service for all three apps (DESIGN.md §3): opens the local replica of each database the
 * sync rules give this device, replicates it live through the gateway (pull, or both ways), restarts
 * failed replications with backoff (shrinking the batch on 413/timeouts), and publishes one state.
 * Replication is always whole-database with no filter or selector, so the checkpoint id depends only
 * on the two database names and never changes between builds.
 */
export interface SyncTarget {
  name: string;
  kind: string;
  direction: 'pull' | 'both';
}

export interface SyncServiceOptions {
  PouchDB: PouchDB.Static;
  baseUrl: string;
  targets: SyncTarget[];
  auth: TokenSource;
  /** PouchDB adapter for local replicas (browsers: 'indexeddb'); default: PouchDB's own choice */
  localAdapter?: string;
  /** local database name for a remote one (browsers: the name; node tests: a path) */
  localName?: (remoteName: string) => string;
  random?: () => number;
  /** retry delays (ms); default BACKOFF_MS */
  backoff?: readonly number[];
  /** load an empty replica with the fast bootstrap before live replication (default true) */
  bootstrap?: boolean;
  /** for local indexes built from replicated documents (e.g. the register's compact catalog) */
  hooks?: SyncHooks;
  /** the network, for tests that cut it (default: PouchDB's fetch) */
  fetch?: (url: string | Request, opts?: RequestInit) => Promise<Response>;
}

export interface SyncHooks {
  onBootstrapPage?(db: string, page: number, docs: Record<string, unknown>[], deletedIds: string[]): Promise<void>;
  /** the replica is complete (bootstrapped now or earlier) and live replication is about to start */
  onReplicaReady?(db: string, local: PouchDB.Database): Promise<void>;
  /** documents live replication just pulled in */
  onPulled?(db: string, docs: Record<string, unknown>[]): void;
}

type Listener = (s: SyncState) => void;
/** per replica: the local sequence known to be on the server, and the last time it was all in sync */
const SYNC_MARK_ID = '_local/pos-sync-mark';
type Handle = PouchDB.Replication.Replication<object>;

class DbRunner {
  readonly local: PouchDB.Database;
  private readonly remote: PouchDB.Database;
  private pull: Handle | null = null;
  private push: Handle | null = null;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingTimer: ReturnType<typeof setInterval> | undefined;
  private pushedSeq: number | string = 0;
  /**
   * `${id}@${rev}` the server has: pulled since the last push pause, or found on the server by the
   * last online count. Offline nothing can be asked, and a revision pulled just before the network
   * went was counted as the device's to send ("2 to send" for one sale in CI). Bounded: each push
   * pause forgets what it covered.
   */
  private pulledRevs = new Set<string>();

  private idle = { pull: false, push: false };
  private running = false;
  private connecting = false;
  /** first pull after a bootstrap starts at the bootstrap's sequence */
  private pullSince: string | number | undefined;
  /** what the last failure said, offline ones included (the state shows none for those): for diagnostics */
  lastFailure: string | null = null;
  state: DbSyncState;

  constructor(
    private readonly opts: SyncServiceOptions,
    target: SyncTarget,
    private readonly emit: () => void
  ) {
    const localName = opts.localName ? opts.localName(target.name) : target.name;
    this.local = opts.localAdapter ? new opts.PouchDB(localName, { adapter: opts.localAdapter }) : new opts.PouchDB(localName);
    this.remote = openRemote(opts.PouchDB, opts.baseUrl, target.name, opts.auth, opts.fetch);
    // Each replication and changes feed holds a 'destroyed' listener on its databases; during a burst
    // of reconnects cancelled feeds overlap new ones for a moment (measured: back to 4 once idle), which
    // trips Node's default warning at 10 without being a leak.
    for (const db of [this.local, this.remote]) (db as unknown as { setMaxListeners?(n: number): void }).setMaxListeners?.(64);
    this.state = { name: target.name, kind: target.kind, direction: target.direction, phase: 'stopped', pending: 0, moved: 0, lastSyncedAt: null, error: null, denied: [], batchSize: BATCH_SIZE, progress: null };
  }

  private set(patch: Partial<DbSyncState>) {
    this.state = { ...this.state, ...patch };
    this.emit();
  }

  start() {
    if (this.running) return;
    this.running = true;
    // What was on the server and when it last synced survive a reload or a crash: without them a
    // register restarted offline would count its whole replica as unsynced and say "never synced".
    const mark = this.readMark().then((m) => {
      if (!m) return;
      if (this.pushedSeq === 0) this.pushedSeq = m.pushedSeq;
      if (!this.state.lastSyncedAt && m.lastSyncedAt) this.set({ lastSyncedAt: m.lastSyncedAt });
    });
    void this.connect();
    if (this.state.direction === 'both') {
      this.pendingTimer = setInterval(() => void this.countPending(), PENDING_POLL_MS);
      void mark.finally(() => this.countPending());
    }
  }

  private async readMark(): Promise<{ pushedSeq: number | string; lastSyncedAt: string | null } | null> {
    try {
      const doc = (await this.local.get(SYNC_MARK_ID)) as unknown as { pushedSeq: number | string; lastSyncedAt: string | null };
      return doc;
    } catch {
      return null;
    }
  }

  /** Saves the sync mark; _local documents never replicate. Concurrent saves: the later one wins. */
  private async saveMark(): Promise<void> {
    const body = { pushedSeq: this.pushedSeq, lastSyncedAt: this.state.lastSyncedAt };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const old = await this.local.get(SYNC_MARK_ID).catch(() => null);
        await this.local.put({ _id: SYNC_MARK_ID, ...(old ? { _rev: old._rev } : {}), ...body });
        return;
      } catch (err) {
        if ((err as { status?: number }).status !== 409) return; // a closed database while stopping
      }
    }
  }

  stop() {
    this.running = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.pendingTimer);
    this.pull?.cancel();
    this.push?.cancel();
    this.pull = this.push = null;
    this.set({ phase: 'stopped' });
  }

  /** Retry now (e.g. the browser says it is back online). */
  nudge() {
    if (!this.running || this.pull || this.connecting) return;
    clearTimeout(this.retryTimer);
    void this.connect();
  }

  private async connect() {
    this.connecting = true;
    this.set({ phase: 'connecting' });
    try {
      if (this.opts.bootstrap !== false && (await needsBootstrap(this.local))) {
        this.set({ phase: 'bootstrapping' });
        const hook = this.opts.hooks?.onBootstrapPage;
        await bootstrapReplica(this.local, this.remote, {
          onProgress: (progress) => this.set({ progress }),
          onPage: async (page, docs, deletedIds) => {
            // documents the bootstrap brought are the server's, not local changes waiting to be sent
            if (this.state.direction === 'both') for (const d of docs) if (typeof d._rev === 'string') this.pulledRevs.add(`${String(d._id)}@${d._rev}`);
            await hook?.(this.state.name, page, docs, deletedIds);
          }
        });
        this.set({ progress: null });
      }
      await this.opts.hooks?.onReplicaReady?.(this.state.name, this.local);
      const boot = await readBootstrapState(this.local);
      this.pullSince = boot && boot.complete && !boot.handedOver ? boot.since : undefined;
    } catch (err) {
      this.connecting = false;
      return this.fail(err as ErrorLike);
    }
    this.connecting = false;
    if (!this.running) return;
    this.idle = { pull: false, push: this.state.direction !== 'both' };
    const common = { live: true, retry: false, batch_size: this.state.batchSize, batches_limit: 5, heartbeat: HEARTBEAT_MS };
    const pullOpts = this.pullSince === undefined ? common : { ...common, since: this.pullSince };
    this.pull = this.watch(this.local.replicate.from(this.remote, pullOpts), 'pull');
    if (this.state.direction === 'both') this.push = this.watch(this.local.replicate.to(this.remote, common), 'push');
  }

  private watch(h: Handle, dir: 'pull' | 'push'): Handle {
    // A replication is also a promise that rejects on error; errors are handled through the events
    // below, so the promise's rejection must not surface as an unhandled rejection.
    (h as unknown as Promise<unknown>).catch(() => undefined);
    h.on('active', () => {
      this.idle[dir] = false;
      this.set({ phase: dir === 'pull' ? 'pulling' : 'pushing', error: null });
    });
    h.on('change', (info: PouchDB.Replication.ReplicationResult<object>) => {
      this.attempts = 0;
      if (dir === 'pull' && info.docs?.length) {
        // What came from the server is not "pending" even before the push has walked past it.
        for (const d of info.docs) if (d._rev) this.pulledRevs.add(`${d._id}@${d._rev}`);
        this.opts.hooks?.onPulled?.(this.state.name, info.docs as unknown as Record<string, unknown>[]);
      }
      this.set({ moved: this.state.moved + info.docs_written });
      if (dir === 'push') void this.countPending();
    });
    h.on('paused', (err: unknown) => {
      if (err) return this.fail(err as ErrorLike);
      this.idle[dir] = true;
      this.attempts = 0;
      if (dir === 'pull' && this.pullSince !== undefined) {
        // The pull has written its own checkpoint from the bootstrap's sequence; from now on it rules.
        this.pullSince = undefined;
        void markHandedOver(this.local);
      }
      if (dir === 'push') {
        // A live push pauses only when it has carried every local change, so everything up to the
        // current sequence is on the server. (PouchDB emits 'change' only for batches that wrote
        // documents, so its last_seq cannot be used for this.) A write racing this read makes the
        // push active again and the next pause corrects the count.
        // Only what was known before the sequence is read is covered by it: a revision pulled while
        // info() runs may lie beyond update_seq and must stay known.
        const covered = [...this.pulledRevs];
        void this.local.info().then((info) => {
          this.pushedSeq = info.update_seq;
          for (const r of covered) this.pulledRevs.delete(r);
          void this.saveMark();
          return this.countPending();
        });
      }
      if (this.idle.pull && this.idle.push) {
        this.set({ phase: 'up-to-date', moved: 0, lastSyncedAt: new Date().toISOString(), error: null });
        void this.saveMark();
      }
    });
    h.on('denied', (err: unknown) => {
      const e = err as { id?: string; reason?: string; message?: string };
      this.set({ denied: [...this.state.denied.slice(-49), { id: e.id ?? '?', reason: e.reason ?? e.message ?? 'refused' }] });
    });
    h.on('error', (err: unknown) => this.fail(err as ErrorLike));
    return h;
  }

  /**
   * The browser says the link is gone. An open longpoll feed can sit there unaware (heartbeats were
   * flowing), so stop now, show offline, and let the backoff retry find the way back.
   */
  markOffline() {
    if (this.running) this.fail({ message: 'network offline' });
  }

  private fail(err: ErrorLike) {
    if (!this.running) return;
    this.lastFailure = `${err.status ?? 'no status'}: ${err.message ?? err.name ?? 'unknown'}`.slice(0, 300);
    this.pull?.cancel();
    this.push?.cancel();
    this.pull = this.push = null;
    const batchSize = nextBatchSize(this.state.batchSize, err);
    const phase = isOffline(err) ? 'offline' : 'error';
    this.set({ phase, batchSize, error: isOffline(err) ? null : describeError(err) });
    // A refused credential will not fix itself by retrying fast.
    const delay = backoffDelay(isAuthError(err) ? Math.max(this.attempts, 4) : this.attempts, this.opts.random, this.opts.backoff);
    this.attempts++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.running) void this.connect();
    }, delay);
  }

  /**
   * How many of these local changes the server does not have (one _revs_diff, as replication asks).
   * Counting by sequence alone, a brand-new register showed "Sending · 520 pending" while its pull
   * wrote the store's opening stock: those documents came from the server.
   */
  private async missingOnServer(changes: PouchDB.Core.ChangesResponseChange<object>[]): Promise<number> {
    const diff = await this.remote.revsDiff(Object.fromEntries(changes.map((c) => [c.id, c.changes.map((x) => x.rev)])));
    // what the server has stays known, so an offline count does not count it again
    for (const c of changes) if (!(c.id in diff) && c.changes[0]) this.pulledRevs.add(`${c.id}@${c.changes[0].rev}`);
    return Object.keys(diff).length;
  }

  private counting: Promise<number> | null = null;
  private recount = false;

  /**
   * Local changes the push has not yet carried to the server. Calls while a count runs are coalesced
   * into one more count afterwards: every changes() call holds a listener on the database, so
   * overlapping counts would pile them up during a busy push.
   */
  countPending(): Promise<number> {
    if (this.state.direction !== 'both') return Promise.resolve(0);
    if (this.counting) {
      this.recount = true;
      return this.counting;
    }
    this.counting = (async () => {
      let pending = this.state.pending;
      do {
        this.recount = false;
        try {
          const res = await this.local.changes({ since: this.pushedSeq, limit: 10_000 });
          const candidates = res.results.filter((r) => !r.id.startsWith('_design/') && !this.pulledRevs.has(`${r.id}@${r.changes[0]?.rev}`));
          pending = candidates.length;
          // Online, the server says which it lacks: documents the pull wrote a moment ago (before its
          // 'change' event names them) or before a reload (pulledRevs is gone) are not the device's to send.
          if (pending > 0 && this.state.phase !== 'offline') pending = await this.missingOnServer(candidates).catch(() => pending);
          if (pending !== this.state.pending) this.set({ pending });
        } catch {
          // a closed or busy database: keep the last count
        }
      } while (this.recount);
      this.counting = null;
      return pending;
    })();
    return this.counting;
  }
}

export class SyncService {
  private readonly runners: DbRunner[];
  private listeners = new Set<Listener>();
  private current: SyncState;

  constructor(opts: SyncServiceOptions) {
    this.runners = opts.targets.map((t) => new DbRunner(opts, t, () => this.publish()));
    this.current = summarise(this.runners.map((r) => r.state));
  }

  get state(): SyncState {
    return this.current;
  }

  /** The local replica of a remote database, for the app's data layer. */
  local(name: string): PouchDB.Database {
    const r = this.runners.find((x) => x.state.name === name);
    if (!r) throw new Error(`${name} is not synced on this device`);
    return r.local;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.current);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    for (const r of this.runners) r.start();
  }

  stop(): void {
    for (const r of this.runners) r.stop();
  }

  nudge(): void {
    for (const r of this.runners) r.nudge();
  }

  markOffline(): void {
    for (const r of this.runners) r.markOffline();
  }

  /** Resolves once every database is up to date with nothing pending (or rejects after timeoutMs). */
  whenIdle(timeoutMs = 60_000): Promise<SyncState> {
    return new Promise((resolve, reject) => {
      const check = async () => {
        const counts = await Promise.all(this.runners.map((r) => r.countPending()));
        return this.runners.every((r) => r.state.phase === 'up-to-date') && counts.every((n) => n === 0);
      };
      const timer = setTimeout(() => {
        off();
        const dbs = this.runners.map((r) => [r.state.name, r.state.phase, r.state.pending, r.state.error, r.lastFailure]);
        reject(new Error(`sync not idle after ${timeoutMs} ms: ${JSON.stringify(dbs)} ([name, phase, pending, error, last failure])`));
      }, timeoutMs);
      const off = this.subscribe(() => {
        void check().then((idle) => {
          if (idle) {
            clearTimeout(timer);
            off();
            resolve(this.current);
          }
        });
      });
    });
  }

  private publish() {
    this.current = summarise(this.runners.map((r) => r.state));
    for (const fn of this.listeners) fn(this.current);
  }
}
