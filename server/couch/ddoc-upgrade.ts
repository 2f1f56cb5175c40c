import { designDocsFor, type DesignDoc, type DesignKind } from '../../couch-design-docs/index.ts';
import type { Logger } from '../log.ts';
import { statusOf, type Couch, type Db } from './client.ts';
import { deployMangoIndexes, designKindOf, getDesignDoc, planDesignDoc, settleDesignDocConflicts, viewFunctionProblem, writeDesignDoc, type LiveDesignDoc, type PlanOptions } from './design-docs.ts';

/**
 * Zero-downtime design-document upgrades (CouchDB's documented pattern, "Deploying a view change in a
 * live environment"). A changed view makes the store rebuild its index on the next query, which takes
 * minutes on a big tenant. So for an existing database whose design doc has changed views:
 *
 *   1. stage: PUT the new views as `_design/{name}-next` (views only: its validate_doc_update is not
 *      in force until the swap, and it is not part of the index signature);
 *   2. build: query each of its views until the store answers (the index is then built), while the
 *      old `_design/{name}` keeps serving every query;
 *   3. swap: PUT the new document onto `_design/{name}` over the live revision. Same views, same
 *      signature: CouchDB uses the index built under `-next` (its files are named by signature), and
 *      so does PouchDB (each view's index database is named by a hash of its map and reduce);
 *   4. delete `_design/{name}-next`.
 *
 * The swap is a PUT of the full document rather than an HTTP COPY of the staged one, because the
 * staged copy lacks the validate_doc_update; CouchDB documents both ("re-upload … or copy").
 *
 * Several server copies may start at once: every write is made over the revision just read, a 409 is
 * re-read and re-decided, two copies staging the same version share the `-next` document and its
 * index, and no copy writes over a document (live or staged) of a higher generation. A staged build
 * that fails leaves the old document serving, is logged and counted, and is tried again on the next
 * start. New databases do not come here: provisioning deploys their design docs directly.
 */

export const STAGING_SUFFIX = '-next';
export const stagingId = (id: string) => `${id}${STAGING_SUFFIX}`;

export interface DesignDocStatus {
  /** `upgrading` while databases are checked or staged views build; then `current`, or `failed` if any did */
  state: 'upgrading' | 'current' | 'failed';
  /** databases to check, and checked so far */
  databases: number;
  checked: number;
  /** staged upgrades waiting, building, finished, failed */
  pending: number;
  building: number;
  done: number;
  failed: number;
}

export interface UpgradeJob {
  db: string;
  ddoc: string;
}

export interface UpgradeRecord extends UpgradeJob {
  outcome: 'swapped' | 'current' | 'newer' | 'failed';
  /** from staging to built */
  buildMs?: number;
  error?: string;
}

export interface DesignDocUpgradeOptions extends PlanOptions {
  /** staged builds at once (each keeps the store's view server busy) */
  concurrency?: number;
  /** databases checked at once */
  checkConcurrency?: number;
  /** the databases to look at (default: every database of this deployment we own) */
  databases?: string[];
  /** the design docs a kind should have (default: couch-design-docs) */
  designDocsFor?: (kind: DesignKind) => DesignDoc[];
  /** called when a staged index is built, just before the swap (tests hold an upgrade here) */
  beforeSwap?: (job: UpgradeJob) => Promise<void>;
}

interface Job extends UpgradeJob {
  target: DesignDoc;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A view query that may be worth repeating: the store timed out, or the connection broke. */
function retryable(err: unknown): boolean {
  const status = statusOf(err);
  if (status === undefined) return true;
  const e = err as { error?: unknown; reason?: unknown; message?: unknown };
  return (status === 500 || status === 503 || status === 504) && /timeout/i.test(`${String(e.error)} ${String(e.reason)} ${String(e.message)}`);
}

/** Removing a staged copy is ours to do when it holds our version or an older generation's. */
function mayRemoveStaged(staged: LiveDesignDoc, target: DesignDoc): boolean {
  return staged.version === target.version || (staged.generation ?? 0) < target.generation;
}

export class DesignDocUpgrades {
  private counts: DesignDocStatus = { state: 'upgrading', databases: 0, checked: 0, pending: 0, building: 0, done: 0, failed: 0 };
  private running: Promise<DesignDocStatus> | null = null;
  private stopped = false;
  private readonly records: UpgradeRecord[] = [];

  constructor(
    private readonly couch: Couch,
    private readonly log: Logger,
    private readonly opts: DesignDocUpgradeOptions = {}
  ) {}

  /** Counts only: /readyz is public, and database names would name tenants. */
  status(): DesignDocStatus {
    return { ...this.counts };
  }

  /** What each staged upgrade came to, in the order they finished (tests, and the log). */
  results(): UpgradeRecord[] {
    return [...this.records];
  }

  /** Checks every database and runs the staged upgrades; one run per instance (later calls share it). */
  run(): Promise<DesignDocStatus> {
    this.running ??= this.execute();
    return this.running;
  }

  /** Stops starting work (server shutdown); requests already sent finish or fail unreported. */
  stop(): void {
    this.stopped = true;
  }

  private async execute(): Promise<DesignDocStatus> {
    const started = Date.now();
    try {
      const names = (this.opts.databases ?? (await this.couch.listDbs())).filter((n) => designKindOf(n) !== null);
      this.counts.databases = names.length;
      const queue: Job[] = [];
      let checking = true;
      let waiters: (() => void)[] = [];
      const wake = () => {
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      };

      let next = 0;
      const checker = async () => {
        while (next < names.length && !this.stopped) {
          const name = names[next++]!;
          try {
            const jobs = await this.check(name);
            queue.push(...jobs);
            this.counts.pending += jobs.length;
          } catch (err) {
            if (this.stopped) return;
            this.counts.failed++;
            this.log.error({ err, db: name }, 'design docs of a database could not be checked; it keeps its current views until the next start');
          }
          this.counts.checked++;
          wake();
        }
      };
      const builder = async () => {
        for (;;) {
          if (this.stopped) return;
          const job = queue.shift();
          if (job) {
            this.counts.pending--;
            this.counts.building++;
            await this.upgrade(job);
            this.counts.building--;
            continue;
          }
          if (!checking) return;
          await new Promise<void>((r) => waiters.push(r));
        }
      };
      const checkers = Promise.all(Array.from({ length: Math.max(1, Math.min(this.opts.checkConcurrency ?? 4, names.length)) }, checker)).finally(() => {
        checking = false;
        wake();
      });
      await Promise.all([checkers, ...Array.from({ length: Math.max(1, this.opts.concurrency ?? 2) }, builder)]);
    } catch (err) {
      if (!this.stopped) {
        this.counts.failed++;
        this.log.error({ err }, 'design doc check failed; databases keep their current views until the next start');
      }
    }
    if (this.stopped) return this.status();
    this.counts.state = this.counts.failed > 0 ? 'failed' : 'current';
    const { databases, done, failed } = this.counts;
    this.log.info({ databases, upgraded: done, failed, ms: Date.now() - started }, 'design docs checked');
    return this.status();
  }

  private targets(kind: DesignKind): DesignDoc[] {
    return (this.opts.designDocsFor ?? designDocsFor)(kind);
  }

  /**
   * One database: reads its design docs in one request, writes directly what needs no index build
   * (a new document, or one whose views are unchanged), removes `-next` copies left by an upgrade
   * that swapped but stopped before deleting, ensures the Mango indexes, and returns the documents
   * whose views changed: those are staged.
   */
  private async check(name: string): Promise<Job[]> {
    const kind = designKindOf(name)!;
    const db = this.couch.use(name);
    const res = await db.list({ startkey: '_design/', endkey: '_design0', include_docs: true, conflicts: true });
    const live = new Map(res.rows.flatMap((r) => (r.doc ? [[r.id, r.doc as unknown as LiveDesignDoc & { _conflicts?: string[] }] as const] : [])));
    const jobs: Job[] = [];
    for (const target of this.targets(kind)) {
      let current: LiveDesignDoc | null = live.get(target._id) ?? null;
      if (live.get(target._id)?._conflicts?.length) {
        const removed = await settleDesignDocConflicts(db, target._id, target, this.opts);
        if (removed) this.log.warn({ db: name, ddoc: target._id, removed }, 'design doc had conflicting revisions (two copies wrote at once); kept the newest release');
        current = await getDesignDoc(db, target._id);
      }
      const action = planDesignDoc(current, target, this.opts);
      if (action === 'stage') {
        jobs.push({ db: name, ddoc: target._id, target });
        continue;
      }
      if (action === 'create' || action === 'replace') {
        // re-read inside: what _all_docs showed may be a moment old on a cluster
        const outcome = await writeDesignDoc(db, target, { ...this.opts, changed: 'leave' });
        if (outcome === 'deployed') this.log.info({ db: name, ddoc: target._id, action }, 'design doc written (no index to build)');
        if (outcome === 'deferred') jobs.push({ db: name, ddoc: target._id, target });
        continue;
      }
      if (action === 'newer') {
        this.log.warn({ db: name, ddoc: target._id }, 'design doc left as a newer release wrote it');
        continue;
      }
      const staged = live.get(stagingId(target._id));
      if (staged && mayRemoveStaged(staged, target)) await this.removeStaged(db, target);
    }
    await deployMangoIndexes(db, kind);
    return jobs;
  }

  private record(r: UpgradeRecord): void {
    this.records.push(r);
    if (this.records.length > 1_000) this.records.shift();
  }

  private async upgrade(job: Job): Promise<void> {
    const db = this.couch.use(job.db);
    const where = { db: job.db, ddoc: job.ddoc };
    const started = Date.now();
    try {
      const problem = viewFunctionProblem(job.target);
      if (problem) throw new Error(problem);
      const staged = await this.stage(db, job.target);
      if (staged !== 'staged') {
        if (staged === 'newer') this.log.warn(where, 'design doc left as a newer release wrote or staged it');
        this.counts.done++;
        this.record({ ...where, outcome: staged });
        return;
      }
      this.log.info(where, 'design doc staged; building its views while the old ones serve');
      await this.build(db, job.target);
      const buildMs = Date.now() - started;
      if (this.stopped) return;
      await this.opts.beforeSwap?.(where);
      if (this.stopped) return;
      const outcome = await this.swap(db, job.target);
      // two copies swapping at once on a cluster can both be accepted: settle what shows already
      // (what shows later is settled by the next start's check)
      await settleDesignDocConflicts(db, job.ddoc, job.target, this.opts);
      await this.removeStaged(db, job.target);
      this.counts.done++;
      this.record({ ...where, outcome, buildMs });
      this.log.info({ ...where, outcome, buildMs }, outcome === 'swapped' ? 'design doc swapped in: its views were built under -next' : 'design doc upgrade settled by another server copy');
    } catch (err) {
      if (this.stopped) return;
      // another copy may have swapped it meanwhile (deleting `-next` under our build query)
      const live = await getDesignDoc(db, job.ddoc).catch(() => null);
      if (live?.version === job.target.version) {
        this.counts.done++;
        this.record({ ...where, outcome: 'current' });
        return;
      }
      await this.removeStaged(db, job.target).catch(() => {});
      this.counts.failed++;
      this.record({ ...where, outcome: 'failed', error: messageOf(err) });
      this.log.error({ err, ...where }, 'design doc upgrade failed; the old views keep serving; it is tried again on the next start');
    }
  }

  /** PUTs the views under `-next`, or finds them there already (another copy, an earlier run). */
  private async stage(db: Db, target: DesignDoc): Promise<'staged' | 'current' | 'newer'> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const live = await getDesignDoc(db, target._id);
      const action = planDesignDoc(live, target, this.opts);
      if (action === 'current' || action === 'newer') return action;
      if (action !== 'stage') {
        // deleted meanwhile, or another copy wrote something with our views: nothing to build
        const outcome = await writeDesignDoc(db, target, this.opts);
        return outcome === 'newer' ? 'newer' : 'current';
      }
      const staged = await getDesignDoc(db, stagingId(target._id));
      if (staged?.version === target.version) return 'staged';
      if (staged && !this.opts.allowDowngrade && (staged.generation ?? 0) > target.generation) return 'newer';
      const doc = { _id: stagingId(target._id), language: target.language, views: target.views, version: target.version, generation: target.generation, stagingFor: target._id };
      try {
        await db.insert(staged ? { ...doc, _rev: staged._rev } : doc);
        return 'staged';
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
    }
    throw new Error(`${stagingId(target._id)} kept changing under us`);
  }

  /** Queries every staged view until the store answers: then its index is built. */
  private async build(db: Db, target: DesignDoc): Promise<void> {
    const name = stagingId(target._id).slice('_design/'.length);
    for (const [view, def] of Object.entries(target.views ?? {})) {
      for (let attempt = 1; ; attempt++) {
        if (this.stopped) return;
        try {
          // reduce=false: a full reduce over a whole view is a scan on the embedded store
          await db.view(name, view, def.reduce ? { reduce: false, limit: 1 } : { limit: 1 });
          break;
        } catch (err) {
          if (this.stopped || !retryable(err) || attempt >= 5) throw err;
          await sleep(1_000 * attempt);
        }
      }
    }
  }

  /** Writes the new document over the live one; a 409 is re-read (another copy may have swapped). */
  private async swap(db: Db, target: DesignDoc): Promise<'swapped' | 'current' | 'newer'> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const live = await getDesignDoc(db, target._id);
      if (live?.version === target.version) return 'current';
      if (live && planDesignDoc(live, target, this.opts) === 'newer') return 'newer';
      try {
        await db.insert(live ? { ...target, _rev: live._rev } : target);
        return 'swapped';
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
    }
    throw new Error(`${target._id} kept changing under us`);
  }

  /** Deletes the staged copy, every revision of it (two copies staging at once can leave two). */
  private async removeStaged(db: Db, target: DesignDoc): Promise<void> {
    const id = stagingId(target._id);
    let staged: (LiveDesignDoc & { _conflicts?: string[] }) | null;
    try {
      staged = (await db.get(id, { conflicts: true })) as LiveDesignDoc & { _conflicts?: string[] };
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw err;
    }
    const revs: LiveDesignDoc[] = [staged, ...(await Promise.all((staged._conflicts ?? []).map((rev) => db.get(id, { rev }) as Promise<LiveDesignDoc>)))];
    for (const rev of revs) {
      if (!mayRemoveStaged(rev, target)) continue;
      try {
        await db.destroy(id, rev._rev);
      } catch (err) {
        // 404/409: another copy removed or rewrote it
        if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
      }
    }
  }
}
