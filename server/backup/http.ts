import type { Couch } from '../couch/client.ts';

/**
 * Plain CouchDB HTTP for backups (the same requests on CouchDB 3 and the embedded store): bodies go
 * out as ready JSON text (a restore sends lines of the backup file without re-serialising them) and
 * every failure becomes one line naming the request.
 */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
  }
}

export interface StoreRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** path after the database, e.g. `_changes` */
  path?: string;
  /** a document id (encoded here) */
  doc?: string;
  /** query parameters: strings as they are (JSON-encode keys yourself), numbers and booleans as JSON */
  qs?: Record<string, string | number | boolean>;
  /** JSON text or a value to serialise */
  body?: string | unknown;
}

const encodeDocId = (id: string) => (id.startsWith('_design/') || id.startsWith('_local/') ? `${id.slice(0, id.indexOf('/'))}/${encodeURIComponent(id.slice(id.indexOf('/') + 1))}` : encodeURIComponent(id));

export async function storeRequest<T>(couch: Couch, db: string, req: StoreRequest = {}): Promise<T> {
  const method = req.method ?? (req.body === undefined ? 'GET' : 'POST');
  const base = couch.creds.url.replace(/\/+$/, '');
  const rest = req.doc !== undefined ? `/${encodeDocId(req.doc)}` : req.path ? `/${req.path}` : '';
  const url = new URL(`${base}/${encodeURIComponent(couch.physical(db))}${rest}`);
  for (const [k, v] of Object.entries(req.qs ?? {})) url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const headers: Record<string, string> = { authorization: couch.authHeader, accept: 'application/json' };
  let body: string | undefined;
  if (req.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  }
  const what = `${method} ${db}${rest}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  } catch (err) {
    throw new StoreError(`${what}: ${(err as Error).message}`, 0);
  }
  const text = method === 'HEAD' ? '' : await res.text();
  if (!res.ok) {
    let reason = text.slice(0, 200);
    try {
      const j = JSON.parse(text) as { error?: string; reason?: string };
      reason = [j.error, j.reason].filter(Boolean).join(': ') || reason;
    } catch {
      /* not JSON: the text as it is */
    }
    throw new StoreError(`${what} answered ${res.status}${reason ? ` (${reason})` : ''}`, res.status);
  }
  return (text ? JSON.parse(text) : null) as T;
}

/** The database's info, or null when it does not exist. */
export async function dbInfo(couch: Couch, db: string): Promise<{ doc_count: number; doc_del_count: number; update_seq: string | number } | null> {
  try {
    return await storeRequest(couch, db);
  } catch (err) {
    if (err instanceof StoreError && err.status === 404) return null;
    throw err;
  }
}

/** Documents that are not design documents: what "the database has documents" means for a restore. */
export async function liveDocCount(couch: Couch, db: string): Promise<number | null> {
  const info = await dbInfo(couch, db);
  if (!info) return null;
  const design = await storeRequest<{ rows: unknown[] }>(couch, db, { path: '_all_docs', qs: { startkey: JSON.stringify('_design/'), endkey: JSON.stringify('_design0') } });
  return info.doc_count - design.rows.length;
}
