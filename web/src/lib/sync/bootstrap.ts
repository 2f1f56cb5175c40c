/**
 * Fast bootstrap of a fresh replica (sync-engine issue). Stock replication moves a batch through
 * four round trips (`_changes` → `_revs_diff` → `_bulk_get` → write, plus two checkpoint writes);
 * a fresh device has nothing to diff, so this reads the changes feed with the documents in large
 * batches and writes them as they are (`new_edits: false`, so revisions stay the server's). Progress
 * is kept in a local document after every batch: an interrupted bootstrap resumes from its last
 * sequence without refetching, and live replication then starts from the final sequence, so a
 * document changed during the bootstrap is fetched again and nothing is missed or fetched twice.
 */
/** Documents per page; pages are fetched one ahead of the write, so fetch and write overlap. */
export const BOOTSTRAP_BATCH = 2_000;
export const BOOTSTRAP_STATE_ID = '_local/pos-bootstrap';

export interface BootstrapState {
  _id: string;
  _rev?: string;
  /** changes-feed sequence everything before which is in the replica */
  since: string | number;
  written: number;
  total: number;
  complete: boolean;
  /** live replication has started from `since` (its own checkpoint now rules) */
  handedOver: boolean;
  /** pages written so far; numbers the pages handed to `onPage` across resumes */
  pages: number;
}

export interface BootstrapProgress {
  written: number;
  total: number;
  percent: number;
}

interface ChangesPage {
  results: { id: string; seq: string | number; deleted?: boolean; doc?: Record<string, unknown> }[];
  last_seq: string | number;
}

type RemoteFetch = { fetch(path: string, opts?: RequestInit): Promise<Response> };

export async function readBootstrapState(local: PouchDB.Database): Promise<BootstrapState | null> {
  try {
    return (await local.get(BOOTSTRAP_STATE_ID)) as unknown as BootstrapState;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}

async function saveState(local: PouchDB.Database, state: BootstrapState): Promise<BootstrapState> {
  const res = await local.put(state as unknown as PouchDB.Core.PutDocument<object>);
  return { ...state, _rev: res.rev };
}

export async function markHandedOver(local: PouchDB.Database): Promise<void> {
  const state = await readBootstrapState(local);
  if (state && !state.handedOver) await saveState(local, { ...state, handedOver: true });
}

/** Needed when the replica is empty (fresh device) or an earlier bootstrap did not finish. */
export async function needsBootstrap(local: PouchDB.Database): Promise<boolean> {
  const state = await readBootstrapState(local);
  if (state) return !state.complete;
  return (await local.info()).doc_count === 0;
}

export async function bootstrapReplica(
  local: PouchDB.Database,
  remote: PouchDB.Database,
  opts: {
    batchSize?: number;
    onProgress?: (p: BootstrapProgress) => void;
    /** each page's documents, after they are in the replica and before the resume point moves past them */
    onPage?: (page: number, docs: Record<string, unknown>[], deletedIds: string[]) => Promise<void>;
  } = {}
): Promise<BootstrapState> {
  const batch = opts.batchSize ?? BOOTSTRAP_BATCH;
  let state = await readBootstrapState(local);
  if (state?.complete) return state;
  if (!state) {
    const info = await remote.info();
    state = await saveState(local, { _id: BOOTSTRAP_STATE_ID, since: 0, written: 0, total: info.doc_count, complete: false, handedOver: false, pages: 0 });
  }
  const report = () => opts.onProgress?.({ written: state!.written, total: state!.total, percent: state!.total ? Math.min(100, Math.floor((100 * state!.written) / state!.total)) : 100 });
  report();
  const fetchPage = async (since: string | number): Promise<ChangesPage> => {
    const path = `_changes?include_docs=true&style=main_only&since=${encodeURIComponent(String(since))}&limit=${batch}`;
    const res = await (remote as unknown as RemoteFetch).fetch(path);
    if (!res.ok) throw Object.assign(new Error(`bootstrap: server answered ${res.status}`), { status: res.status });
    return (await res.json()) as ChangesPage;
  };
  let next: Promise<ChangesPage> | null = fetchPage(state.since);
  while (next) {
    const page: ChangesPage = await next;
    // Ask for the following page before writing this one; its failure is seen when awaited.
    next = page.results.length < batch ? null : fetchPage(page.last_seq);
    next?.catch(() => undefined);
    // Deleted documents are skipped: a fresh replica has nothing for a tombstone to delete.
    const docs = page.results.filter((r) => r.doc && !r.deleted).map((r) => r.doc!);
    if (docs.length) await local.bulkDocs(docs as PouchDB.Core.PutDocument<object>[], { new_edits: false });
    // A crash after this and before the state is saved refetches the page; onPage must be idempotent per page number.
    await opts.onPage?.(state.pages ?? 0, docs, page.results.filter((r) => r.deleted).map((r) => r.id));
    state = await saveState(local, { ...state, since: page.last_seq, written: state.written + docs.length, total: Math.max(state.total, state.written + docs.length), pages: (state.pages ?? 0) + 1 });
    report();
  }
  return saveState(local, { ...state, complete: true });
}
