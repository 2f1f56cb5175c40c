import type { TagClass } from '../domain/epc.ts';
import type { TagRead } from '../peripherals/rfid/reader.ts';
import type { TagRow } from './raptag-db.ts';

/**
 * The batch processor between the reader and the scan buffer. Reads arrive in bursts (hundreds a
 * second, each tag many times); this
 *  - dedupes by EPC per session in memory (reads, first/last seen, strongest RSSI, zone);
 *  - resolves each *new* EPC once (EPC → GTIN → variant, or foreign/raw), never per read;
 *  - works in slices of at most `sliceMs`, yielding to the main thread between them, so a burst never
 *    blocks input or rendering for long (the 50 ms long-task budget);
 *  - writes the rows a period changed to Dexie in one `bulkPut` every `flushMs`;
 *  - and only then tells the UI (`onFlush`): what the clerk sees counted is already durable, so a
 *    crash or a reload loses nothing that was shown. The UI therefore updates at most 1000/flushMs
 *    times a second however fast tags stream in.
 */

export interface Resolved {
  cls: TagClass;
  variantId?: string;
  gtin?: string;
}

export interface ProcessorStore {
  putTags(rows: readonly TagRow[]): Promise<unknown>;
  tagsOf(sessionId: string): Promise<TagRow[]>;
}

export interface FlushTick {
  sessionId: string;
  /** distinct tags persisted in this session */
  tags: number;
  /** replies received, duplicates included */
  reads: number;
  byClass: Record<TagClass, number>;
  /** rows first persisted in this flush (e.g. to publish to other phones) */
  added: TagRow[];
}

/** Flushes (and UI ticks) per second at most: 1000 / FLUSH_MS. */
export const FLUSH_MS = 200;
/** Longest stretch of work before yielding to the main thread. */
export const SLICE_MS = 8;
/**
 * Rows per IndexedDB write. Each row is a `put` request set up (its value cloned) on the main thread:
 * a trace of 10,000 tags read at 8–10k replies/s showed one `bulkPut` of a flush's ~2,000 rows as a
 * single 0.3–1 s task (and pieces of 200 still 50–70 ms at times). Written in pieces, each piece’s
 * completion is a task boundary.
 */
export const WRITE_ROWS = 100;
/**
 * Tags already in the buffer that were read again (only their read count, last-seen time and RSSI
 * change) rewritten per flush at most: at full speed every tag is re-read every second or two, and
 * rewriting them all is most of the writing. The rest wait for later flushes (all of them on settle);
 * what is shown — the tags and units counted — never waits on these.
 */
export const REWRITE_ROWS = 200;

const emptyClasses = (): Record<TagClass, number> => ({ item: 0, unknown_item: 0, foreign: 0, other: 0, raw: 0 });

export class BatchProcessor {
  private rows = new Map<string, TagRow>();
  private persisted = new Set<string>();
  private dirty = new Set<string>();
  private queue: TagRead[][] = [];
  private draining: Promise<void> = Promise.resolve();
  /** set synchronously inside drain(): a burst of pushes in one task must not start a second drain */
  private running = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private sessionId: string | null = null;
  private zone = 'floor';
  private readsTotal = 0;
  private classes = emptyClasses();
  /** units per variant among persisted tags, overall and per zone: kept up to date at each flush, so a
   * UI tick on a 10,000-tag count does not walk every row */
  private units = new Map<string, number>();
  private unitsByZone = new Map<string, Map<string, number>>();
  private listeners = new Set<(t: FlushTick) => void>();
  /** last write failure (storage full…): reads stay in memory and are retried at the next flush */
  lastError: string | null = null;

  constructor(
    private readonly store: ProcessorStore,
    private readonly resolve: (epc: string) => Resolved,
    private readonly opts: { flushMs?: number; sliceMs?: number; writeRows?: number; rewriteRows?: number; now?: () => number; yieldToMain?: () => Promise<void> } = {}
  ) {}

  /** replies applied so far in this session (duplicates included) */
  get readsSeen(): number {
    return this.readsTotal;
  }

  get session(): string | null {
    return this.sessionId;
  }

  onFlush(fn: (t: FlushTick) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Binds to a session, loading what was already buffered for it (resume after a reload or a crash). */
  async open(sessionId: string, zone: string): Promise<FlushTick> {
    await this.close();
    const rows = await this.store.tagsOf(sessionId);
    this.sessionId = sessionId;
    this.zone = zone;
    this.rows = new Map(rows.map((r) => [r.epc, r]));
    this.persisted = new Set(this.rows.keys());
    this.readsTotal = rows.reduce((n, r) => n + r.reads, 0);
    this.classes = emptyClasses();
    this.units = new Map();
    this.unitsByZone = new Map();
    for (const r of rows) this.countPersisted(r);
    return this.tick([]);
  }

  setZone(zone: string): void {
    this.zone = zone;
  }

  /** Stops taking reads for the session after writing everything already received. */
  async close(): Promise<void> {
    await this.settle();
    this.sessionId = null;
    this.rows = new Map();
    this.persisted = new Set();
    this.dirty = new Set();
  }

  /** Reads from the reader (any batch size). Ignored when no session is open. */
  push(reads: readonly TagRead[]): void {
    if (!this.sessionId || reads.length === 0) return;
    this.queue.push(reads as TagRead[]);
    if (this.running) return;
    // drain after the current task's pushes: one reader event may hand over many batches, sliced together
    this.running = true;
    this.draining = Promise.resolve().then(() => this.drain());
  }

  /** Rows another phone read in the same session: merged as reads of theirs (an EPC counts once). */
  merge(rows: readonly Omit<TagRow, 'sessionId' | 'published'>[]): void {
    if (!this.sessionId) return;
    for (const r of rows) {
      const mine = this.rows.get(r.epc);
      if (mine) {
        // the tag is counted already; keep the earliest sighting and the strongest signal
        mine.firstSeen = Math.min(mine.firstSeen, r.firstSeen);
        if (r.maxRssi !== undefined && (mine.maxRssi === undefined || r.maxRssi > mine.maxRssi)) mine.maxRssi = r.maxRssi;
        continue;
      }
      const row: TagRow = { ...r, sessionId: this.sessionId, published: 1 };
      this.rows.set(r.epc, row);
      this.dirty.add(r.epc);
    }
    this.scheduleFlush();
  }

  /**
   * Rows published as count_scan batches (a shared count). The flag lives in these rows too: a re-read
   * rewrites the row from memory, and a stale `published: 0` there would publish the tag again.
   */
  markPublished(epcs: readonly string[]): void {
    for (const e of epcs) {
      const row = this.rows.get(e);
      if (row) row.published = 1;
    }
  }

  private now(): number {
    return this.opts.now?.() ?? (typeof performance !== 'undefined' ? performance.now() : Date.now());
  }

  private yieldToMain(): Promise<void> {
    if (this.opts.yieldToMain) return this.opts.yieldToMain();
    // a macrotask: lets input, rendering and IndexedDB callbacks run between slices
    return new Promise((r) => setTimeout(r, 0));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      await this.drainQueue();
    } finally {
      this.running = false;
    }
  }

  private async drainQueue(): Promise<void> {
    const sliceMs = this.opts.sliceMs ?? SLICE_MS;
    let started = this.now();
    let sinceCheck = 0;
    while (this.queue.length) {
      const batch = this.queue.shift()!;
      for (let i = 0; i < batch.length; i++) {
        this.apply(batch[i]!);
        // the clock is read every 64 reads (reading it is not free either)
        if (++sinceCheck < 64) continue;
        sinceCheck = 0;
        if (this.now() - started > sliceMs) {
          this.queue.unshift(batch.slice(i + 1));
          this.scheduleFlush();
          await this.yieldToMain();
          started = this.now();
          break;
        }
      }
    }
    this.scheduleFlush();
  }

  private apply(read: TagRead): void {
    const sessionId = this.sessionId;
    if (!sessionId) return;
    this.readsTotal++;
    const row = this.rows.get(read.epc);
    if (row) {
      row.reads++;
      row.lastSeen = read.at;
      if (read.rssi !== undefined && (row.maxRssi === undefined || read.rssi > row.maxRssi)) row.maxRssi = read.rssi;
      this.dirty.add(read.epc);
      return;
    }
    const r = this.resolve(read.epc);
    const fresh: TagRow = { sessionId, epc: read.epc, cls: r.cls, reads: 1, firstSeen: read.at, lastSeen: read.at, zone: this.zone, by: 'local', published: 0 };
    if (r.variantId) fresh.variantId = r.variantId;
    if (r.gtin) fresh.gtin = r.gtin;
    if (read.rssi !== undefined) fresh.maxRssi = read.rssi;
    this.rows.set(read.epc, fresh);
    this.dirty.add(read.epc);
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.dirty.size === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushing = (this.flushing ?? Promise.resolve()).then(() => this.flush());
    }, this.opts.flushMs ?? FLUSH_MS);
  }

  /**
   * Writes the changed rows now — every new tag, and up to `REWRITE_ROWS` re-read ones (`all`: every
   * one) — `WRITE_ROWS` at a time (each piece one transaction: all of it durable or none); resolves
   * once they are durable. Only durable rows are shown.
   */
  async flush(all = false): Promise<void> {
    if (this.dirty.size === 0 || !this.sessionId) return;
    const epcs: string[] = [];
    const again: string[] = [];
    for (const e of this.dirty) (this.persisted.has(e) ? again : epcs).push(e);
    const budget = all ? again.length : (this.opts.rewriteRows ?? REWRITE_ROWS);
    this.dirty.clear();
    for (let i = 0; i < again.length; i++) {
      if (i < budget) epcs.push(again[i]!);
      else this.dirty.add(again[i]!); // the longest waiting come first next time (a Set keeps insertion order)
    }
    const size = this.opts.writeRows ?? WRITE_ROWS;
    const written: TagRow[] = [];
    for (let i = 0; i < epcs.length; i += size) {
      // copied when its piece is written: a read applied meanwhile is in the copy, and marks the row dirty again anyway
      const rows = epcs.slice(i, i + size).map((e) => ({ ...this.rows.get(e)! }));
      try {
        await this.store.putTags(rows);
        this.lastError = null;
      } catch (err) {
        // keep the rest dirty: the next flush retries; nothing is shown as counted until it is durable
        for (const e of epcs.slice(i)) this.dirty.add(e);
        this.lastError = err instanceof Error ? err.message : String(err);
        this.scheduleFlush();
        break;
      }
      for (const r of rows) written.push(r);
    }
    if (this.dirty.size) this.scheduleFlush();
    if (written.length === 0) return;
    const added = written.filter((r) => !this.persisted.has(r.epc));
    for (const r of added) {
      this.persisted.add(r.epc);
      this.countPersisted(r);
    }
    this.tick(added);
  }

  private countPersisted(r: TagRow): void {
    this.classes[r.cls]++;
    if (!r.variantId) return;
    this.units.set(r.variantId, (this.units.get(r.variantId) ?? 0) + 1);
    let zone = this.unitsByZone.get(r.zone);
    if (!zone) this.unitsByZone.set(r.zone, (zone = new Map()));
    zone.set(r.variantId, (zone.get(r.variantId) ?? 0) + 1);
  }

  /** Waits for queued reads to be applied and written. */
  async settle(): Promise<void> {
    while (this.running || this.queue.length || this.flushing || this.flushTimer || this.dirty.size) {
      if (!this.running && this.queue.length) this.draining = this.drain();
      await this.draining;
      if (this.flushTimer) {
        clearTimeout(this.flushTimer);
        this.flushTimer = null;
      }
      await this.flushing;
      this.flushing = null;
      await this.flush(true);
      if (this.lastError) return;
    }
  }

  private tick(added: TagRow[]): FlushTick {
    const t: FlushTick = { sessionId: this.sessionId ?? '', tags: this.persisted.size, reads: this.readsTotal, byClass: { ...this.classes }, added };
    for (const fn of this.listeners) fn(t);
    return t;
  }

  /** Persisted tags of the session (what the UI and the variance use). */
  persistedRows(): TagRow[] {
    const out: TagRow[] = [];
    for (const e of this.persisted) out.push(this.rows.get(e)!);
    return out;
  }

  /** Units per variant among the persisted tags, optionally of one zone (a copy: callers may keep it). */
  counted(zone?: string): Map<string, number> {
    return new Map(zone === undefined ? this.units : (this.unitsByZone.get(zone) ?? []));
  }

  /** The same units without a copy, for a caller that reads them at once and keeps nothing (the live variance). */
  countedNow(): ReadonlyMap<string, number> {
    return this.units;
  }

  row(epc: string): TagRow | undefined {
    return this.persisted.has(epc) ? this.rows.get(epc) : undefined;
  }
}
