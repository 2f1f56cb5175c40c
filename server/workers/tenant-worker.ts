import { parseDbName, type DbKind } from '#domain/db-names.ts';
import type { Couch } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import { allTenantIds } from './conflicts.ts';
import type { DbUpdates } from './db-updates.ts';
import type { Leases } from './lease.ts';

/**
 * The schedule every background worker shares: a tenant is worked on when one of its databases the
 * worker reads has changed (DbUpdates), and once at start (the sweep). A queue keeps each tenant at
 * most once; a change that arrives while its tenant is being worked on runs it once more afterwards,
 * so nothing is missed. A failure is logged and retried after a delay without holding up the others.
 * With leases, one server copy does a tenant's work at a time (lease.ts).
 */
export interface TenantWorkerOptions {
  /** for logs and metrics, e.g. 'sale ledger' */
  name: string;
  /** the kinds of tenant database whose changes concern this worker */
  kinds: readonly DbKind[];
  perTenant: (tenantId: string) => Promise<void>;
  leases?: Leases | undefined;
  /** wait after a failure before trying the tenant again */
  retryMs?: number;
  /** at most one run per tenant in this time: changes during it are worked on together afterwards */
  minGapMs?: number;
  /**
   * On a CouchDB cluster: run a tenant once more this long after a run. The worker reads `_changes`
   * from one copy of each shard, which may not yet have the write it was told about; nothing else
   * would make it look again.
   */
  settleMs?: number;
}

const RETRY_MS = 10_000;

/** What a worker is started with: the updates feed it follows, the leases it takes (if any), and settleMs on a cluster. */
export interface WorkerWiring {
  updates: DbUpdates;
  leases?: Leases | undefined;
  settleMs?: number;
}

export class TenantWorker {
  /** tenant → when its oldest unhandled change was heard */
  private readonly pending = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private current: { tenantId: string; since: number } | null = null;
  private again = new Map<string, number>();
  private readonly lastRun = new Map<string, number>();
  /** tenants with a settle run pending, and those whose current run is one */
  private readonly settleAt = new Set<string>();
  private readonly settling = new Set<string>();
  private loop: Promise<void> | null = null;
  private stopped = false;
  /** runs per tenant (tests, logs) */
  readonly ran = new Map<string, number>();

  constructor(
    private readonly couch: Couch,
    private readonly log: Logger,
    private readonly opts: TenantWorkerOptions
  ) {}

  /** Follows `updates` (its changes and its sweeps). */
  attach(updates: DbUpdates): this {
    updates.subscribe((db) => this.changed(db));
    updates.onSweep(() => void this.sweep());
    return this;
  }

  changed(db: string): void {
    const parsed = parseDbName(db);
    if (parsed && this.opts.kinds.includes(parsed.kind)) this.enqueue(parsed.tenantId);
  }

  async sweep(): Promise<void> {
    try {
      for (const t of await allTenantIds(this.couch)) this.enqueue(t);
    } catch (err) {
      this.log.error({ err }, `${this.opts.name}: could not list the tenants to visit; changes still trigger work`);
    }
  }

  enqueue(tenantId: string, at = Date.now(), settle = false): void {
    if (this.stopped) return;
    if (settle) this.settling.add(tenantId);
    if (this.current?.tenantId === tenantId) {
      if (!this.again.has(tenantId)) this.again.set(tenantId, at);
      return;
    }
    if (!this.pending.has(tenantId)) this.pending.set(tenantId, at);
    this.kick();
  }

  /**
   * Starts the drain unless one runs. A change heard after the drain's last look at the queue (it
   * returns, then its `finally` runs a few microtasks later) starts the next one from that `finally`:
   * every drain clears `loop` when it ends, or the worker would take no more work and `idle()` spin.
   */
  private kick(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.drain().finally(() => {
      this.loop = null;
      if (this.pending.size) this.kick();
    });
  }

  /** Seconds since the oldest change not yet worked on was heard (0 when there is none). */
  lagSeconds(now = Date.now()): number {
    let oldest = this.current?.since ?? Infinity;
    for (const at of this.pending.values()) oldest = Math.min(oldest, at);
    for (const at of this.again.values()) oldest = Math.min(oldest, at);
    return oldest === Infinity ? 0 : Math.max(0, (now - oldest) / 1000);
  }

  /** Nothing queued, running or waiting to be retried. */
  quiet(): boolean {
    return !this.current && this.pending.size === 0 && this.again.size === 0 && this.timers.size === 0;
  }

  /** Resolves when nothing is queued or running (tests). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    this.again.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.settleAt.clear();
    await this.loop?.catch(() => {});
  }

  private later(tenantId: string, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(tenantId);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const next = this.pending.entries().next();
      if (next.done) return;
      const [tenantId, since] = next.value;
      this.pending.delete(tenantId);
      const gap = (this.lastRun.get(tenantId) ?? -Infinity) + (this.opts.minGapMs ?? 0) - Date.now();
      if (gap > 0) {
        this.later(tenantId, gap);
        continue;
      }
      this.current = { tenantId, since };
      try {
        const lease = this.opts.leases ? await this.opts.leases.acquire(this.opts.name.replace(/\W+/g, '-'), tenantId) : { ok: true as const };
        if (lease.ok) {
          this.ran.set(tenantId, (this.ran.get(tenantId) ?? 0) + 1);
          if (this.opts.minGapMs) this.lastRun.set(tenantId, Date.now());
          const wasSettle = this.settling.delete(tenantId);
          await this.opts.perTenant(tenantId);
          if (this.opts.settleMs && !wasSettle && !this.settleAt.has(tenantId)) {
            this.settleAt.add(tenantId);
            const t = setTimeout(() => {
              this.timers.delete(t);
              this.settleAt.delete(tenantId);
              this.enqueue(tenantId, Date.now(), true);
            }, this.opts.settleMs);
            t.unref();
            this.timers.add(t);
          }
        } else {
          // another copy works on this tenant; if it stops, its lease runs out and this copy takes over
          this.later(tenantId, Math.max(100, lease.until - Date.now() + 100));
        }
      } catch (err) {
        this.log.error({ err, tenantId }, `${this.opts.name} failed for a tenant; retrying`);
        this.later(tenantId, this.opts.retryMs ?? RETRY_MS);
      } finally {
        this.current = null;
        const again = this.again.get(tenantId);
        this.again.delete(tenantId);
        if (again !== undefined && !this.stopped && !this.pending.has(tenantId)) this.pending.set(tenantId, again);
      }
    }
  }
}
