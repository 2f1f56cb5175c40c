import { Dexie, type Table } from 'dexie';
import type { z } from 'zod';
import { countSessionSchema, describeIssues, type CountScope, type CountSession } from '../domain/schemas/index.ts';
import type { TagClass } from '../domain/epc.ts';

/**
 * The RFID app's one data module (STYLE.md §3): every IndexedDB (Dexie) and PouchDB access of /raptag
 * goes through the verb-named functions here; flows and components never touch a table or call `put`.
 *
 * Dexie (device-local, never replicated, DESIGN.md §5) holds what must survive a crash or a reload
 * and is nobody else's business: the scan buffer (one row per tag per session, thousands a minute),
 * the sessions in progress, the paired reader, and the queue of API calls made offline.
 * PouchDB (the location replica) receives what the store must see: the submitted `count_session`,
 * checked against the same zod schema the gateway applies, so a count that would be refused on sync
 * is never stored.
 */

// --- device-local rows ---------------------------------------------------------------------------

export type SessionKind = 'count' | 'pick' | 'receive';

export interface LocalSession {
  /** `count:{location}:{ulid}` for counts (the future count_session id), `transfer:…` for pick/receive */
  id: string;
  kind: SessionKind;
  status: 'active' | 'submitted';
  locationCode: string;
  scope?: CountScope;
  /** the zone reads go to now (counts): `floor` or `backroom` */
  zone: string;
  startedAt: string;
  startedBy: { id: string; name: string };
  /** on hand per variant when counting started (the ledger's answer then) */
  expectedAtStart?: [string, number][];
  submittedAt?: string;
  /** pick/receive: the transfer's lines */
  lines?: { variantId: string; qty: number }[];
  toLocationCode?: string;
  /** a count several phones share: reads are published as count_scan batches and theirs merged */
  shared?: boolean;
  /** the other phones' read batches already merged */
  merged?: string[];
  note?: string;
}

/** One tag in one session: the scan buffer's row. Dedupe is by [sessionId, epc]. */
export interface TagRow {
  sessionId: string;
  epc: string;
  cls: TagClass;
  variantId?: string;
  gtin?: string;
  /** replies received (a tag in the field answers many times) */
  reads: number;
  firstSeen: number;
  lastSeen: number;
  maxRssi?: number;
  zone: string;
  /** `local` for this phone's reads, else the phone (device id) whose reads were merged in */
  by: string;
  /** 1 once this phone's read has gone out to the other phones of a shared count */
  published: 0 | 1;
}

export interface OutboxItem {
  seq?: number;
  /** what it does, shown to the clerk while it waits */
  label: string;
  method: 'POST';
  path: string;
  body: unknown;
  createdAt: string;
  attempts: number;
  lastError?: string;
}

interface Pref {
  key: string;
  value: unknown;
}

class RaptagDexie extends Dexie {
  sessions!: Table<LocalSession, string>;
  tags!: Table<TagRow, [string, string]>;
  outbox!: Table<OutboxItem, number>;
  prefs!: Table<Pref, string>;
  constructor(name: string, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }) {
    super(name, deps);
    this.version(1).stores({ sessions: 'id, status', tags: '[sessionId+epc], sessionId, [sessionId+published]', outbox: '++seq', prefs: 'key' });
  }
}

/** Device-local storage of one enrolled phone (its own database, dropped when the phone is forgotten). */
export class RaptagStore {
  private readonly db: RaptagDexie;

  constructor(deviceId: string, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }) {
    this.db = new RaptagDexie(`raptag:${deviceId}`, deps);
  }

  // sessions
  saveSession(s: LocalSession): Promise<string> {
    return this.db.sessions.put(s);
  }
  getSession(id: string): Promise<LocalSession | undefined> {
    return this.db.sessions.get(id);
  }
  activeSessions(): Promise<LocalSession[]> {
    return this.db.sessions.where('status').equals('active').toArray();
  }
  recentSessions(limit = 20): Promise<LocalSession[]> {
    return this.db.sessions
      .toArray()
      .then((all) => all.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit));
  }
  async discardSession(id: string): Promise<void> {
    await this.db.transaction('rw', this.db.sessions, this.db.tags, async () => {
      await this.db.tags.where('sessionId').equals(id).delete();
      await this.db.sessions.delete(id);
    });
  }

  // scan buffer
  /** Writes the rows a batch changed, in one transaction: either all of the batch is durable or none. */
  putTags(rows: readonly TagRow[]): Promise<unknown> {
    return this.db.tags.bulkPut(rows as TagRow[]);
  }
  tagsOf(sessionId: string): Promise<TagRow[]> {
    return this.db.tags.where('sessionId').equals(sessionId).toArray();
  }
  unpublishedTags(sessionId: string): Promise<TagRow[]> {
    return this.db.tags.where('[sessionId+published]').equals([sessionId, 0]).toArray();
  }
  async markPublished(sessionId: string, epcs: readonly string[]): Promise<void> {
    await this.db.tags.where('[sessionId+epc]').anyOf(epcs.map((e) => [sessionId, e])).modify({ published: 1 });
  }

  // offline queue of API calls
  enqueue(item: Omit<OutboxItem, 'seq' | 'attempts' | 'createdAt'>, now: string): Promise<number> {
    return this.db.outbox.add({ ...item, attempts: 0, createdAt: now });
  }
  queued(): Promise<OutboxItem[]> {
    return this.db.outbox.orderBy('seq').toArray();
  }
  async dequeue(seq: number): Promise<void> {
    await this.db.outbox.delete(seq);
  }
  async noteAttempt(seq: number, error: string): Promise<void> {
    await this.db.outbox.where('seq').equals(seq).modify((i) => {
      i.attempts += 1;
      i.lastError = error;
    });
  }

  // preferences (the paired reader, its power)
  async pref<T>(key: string): Promise<T | undefined> {
    return (await this.db.prefs.get(key))?.value as T | undefined;
  }
  async setPref(key: string, value: unknown): Promise<void> {
    await this.db.prefs.put({ key, value });
  }

  close(): void {
    this.db.close();
  }

  /** Forgetting the phone drops its buffer too. */
  async destroy(): Promise<void> {
    await this.db.delete();
  }
}

// --- the location replica (PouchDB) ------------------------------------------------------------

export class InvalidDocumentError extends Error {
  override name = 'InvalidDocumentError';
}

/** Minimal PouchDB surface used here, so flows can be tested with an in-memory stand-in. */
export interface DocDb {
  put(doc: object): Promise<{ rev: string }>;
  get(id: string): Promise<unknown>;
  allDocs(opts: { include_docs: true; startkey: string; endkey: string; limit?: number; descending?: boolean }): Promise<{ rows: { id: string; doc?: unknown }[] }>;
}

async function write<S extends z.ZodType>(db: DocDb, schema: S, doc: unknown): Promise<z.infer<S>> {
  const parsed = schema.safeParse(doc);
  if (!parsed.success) throw new InvalidDocumentError(describeIssues(parsed.error));
  try {
    await db.put(parsed.data as object);
  } catch (err) {
    // written before (a retry after a crash between the put and the local status change): it stands
    if ((err as { status?: number }).status !== 409) throw err;
  }
  return parsed.data;
}

/** The submitted count, into the location replica (it syncs when the phone is online). */
export const recordCountSession = (db: DocDb, doc: CountSession) => write(db, countSessionSchema, doc);

export async function findDoc<T>(db: DocDb, id: string): Promise<T | null> {
  try {
    return (await db.get(id)) as T;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}

export async function docsByPrefix<T>(db: DocDb, prefix: string, limit?: number): Promise<T[]> {
  const res = await db.allDocs({ include_docs: true, startkey: prefix, endkey: `${prefix}\ufff0`, ...(limit ? { limit } : {}) });
  return res.rows.map((r) => r.doc as T).filter(Boolean);
}
