import { parseDbQuery } from './query.ts';

/**
 * Classifies a `/db/*` request into one of the CouchDB endpoints replication and the apps need.
 * Default-deny: anything not named here is refused before it can reach CouchDB (DESIGN.md §1, §4;
 * STYLE.md §7). Pure, so each allowed and denied shape is a table test.
 */
export type Endpoint =
  | 'db_info'
  | 'changes'
  | 'all_docs'
  | 'bulk_get'
  | 'revs_diff'
  | 'bulk_docs'
  | 'local'
  | 'doc_read'
  | 'doc_write'
  | 'doc_create'
  | 'find'
  | 'explain'
  | 'view'
  | 'ddoc_read'
  | 'index_list';

/** read: needs read access; write: document writes, validated; checkpoint: replication bookkeeping (_local). */
export type AccessNeed = 'read' | 'write' | 'checkpoint';

export type Classified =
  | {
      ok: true;
      db: string;
      endpoint: Endpoint;
      need: AccessNeed;
      docId?: string;
      upstreamPath: string;
      /** the query string the gateway rebuilt from the allowed parameters ('' or '?…'): what goes upstream */
      search: string;
      params: ReadonlyMap<string, string>;
    }
  | { ok: false; status: number; error: string; reason: string };

const deny = (status: number, reason: string, error = status === 404 ? 'not_found' : 'forbidden'): Extract<Classified, { ok: false }> => ({
  ok: false,
  status,
  error,
  reason
});

function decodeSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * `rawQuery` is the query string without `?`, as the client sent it; it is parsed against the
 * endpoint's allow-list (query.ts) and only the rebuilt `search` ever goes upstream.
 */
export function classifyDbRequest(method: string, rawPath: string, rawQuery = ''): Classified {
  const c = classifyPath(method, rawPath);
  if (!c.ok) return c;
  const q = parseDbQuery(c.endpoint, rawQuery);
  if (!q.ok) return deny(q.status, q.reason, q.error);
  return { ...c, search: q.search, params: q.params };
}

type PathClass = { ok: true; db: string; endpoint: Endpoint; need: AccessNeed; docId?: string; upstreamPath: string } | Extract<Classified, { ok: false }>;

function classifyPath(method: string, rawPath: string): PathClass {
  // rawPath is everything after `/db`, still percent-encoded. Refuse encodings that change the
  // path's shape once decoded (%2F, %5C, dot segments): they are how proxies get confused.
  if (/%2f|%5c|\\/i.test(rawPath)) return deny(400, 'encoded slashes are not allowed in database paths', 'bad_request');
  const parts = rawPath.split('/').filter((s, i) => i > 0 || s !== '');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const segs: string[] = [];
  for (const p of parts) {
    const d = decodeSegment(p);
    if (d === null || d === '' || d === '.' || d === '..') return deny(400, 'malformed database path', 'bad_request');
    segs.push(d);
  }
  if (segs.length === 0) return deny(403, 'server-level endpoints are not available');
  const db = segs[0]!;
  if (db.startsWith('_')) return deny(403, `${db} is not available`);
  const m = method.toUpperCase();
  const isRead = m === 'GET' || m === 'HEAD';
  const enc = (s: string) => encodeURIComponent(s);
  const rest = segs.slice(1);
  const upstream = '/' + segs.map(enc).join('/');
  const ok = (endpoint: Endpoint, need: AccessNeed, docId?: string): PathClass => ({
    ok: true,
    db,
    endpoint,
    need,
    upstreamPath: upstream,
    ...(docId !== undefined ? { docId } : {})
  });

  if (rest.length === 0) {
    if (isRead) return ok('db_info', 'read');
    if (m === 'POST') return ok('doc_create', 'write');
    return deny(403, 'creating or deleting databases is not allowed');
  }
  const [first, second, third, fourth] = rest as [string, string | undefined, string | undefined, string | undefined];
  switch (first) {
    case '_changes':
      // POST _changes carries doc_ids/selector filters in the body; replication uses GET.
      return rest.length === 1 && isRead ? ok('changes', 'read') : deny(403, '_changes supports GET only');
    case '_all_docs':
      return rest.length === 1 && (isRead || m === 'POST') ? ok('all_docs', 'read') : deny(403, 'unsupported _all_docs request');
    case '_bulk_get':
      return rest.length === 1 && m === 'POST' ? ok('bulk_get', 'read') : deny(403, '_bulk_get supports POST only');
    case '_revs_diff':
      return rest.length === 1 && m === 'POST' ? ok('revs_diff', 'read') : deny(403, '_revs_diff supports POST only');
    case '_bulk_docs':
      return rest.length === 1 && m === 'POST' ? ok('bulk_docs', 'write') : deny(403, '_bulk_docs supports POST only');
    case '_find':
      return rest.length === 1 && m === 'POST' ? ok('find', 'read') : deny(403, '_find supports POST only');
    case '_explain':
      return rest.length === 1 && m === 'POST' ? ok('explain', 'read') : deny(403, '_explain supports POST only');
    case '_index':
      // Listing indexes is harmless; creating one is a design-document write.
      return rest.length === 1 && isRead ? ok('index_list', 'read') : deny(403, 'indexes are deployed by the server');
    case '_local':
      if (rest.length !== 2 || !second) return deny(403, 'malformed _local path');
      if (isRead || m === 'PUT' || m === 'DELETE') return ok('local', isRead ? 'read' : 'checkpoint', `_local/${second}`);
      return deny(403, 'unsupported _local request');
    case '_design':
      if (!second) return deny(403, 'malformed design path');
      if (rest.length === 2) return isRead ? ok('ddoc_read', 'read', `_design/${second}`) : deny(403, 'design documents are deployed by the server');
      if (rest.length === 4 && third === '_view' && fourth && (isRead || m === 'POST')) return ok('view', 'read');
      return deny(403, 'only view queries are allowed under _design');
    default:
      if (first.startsWith('_')) return deny(403, `${first} is not available`);
      if (rest.length === 1) {
        if (isRead) return ok('doc_read', 'read', first);
        if (m === 'PUT' || m === 'DELETE') return ok('doc_write', 'write', first);
        return deny(405, `${m} is not allowed on a document`, 'method_not_allowed');
      }
      // Attachments: readable; written only by the server for now.
      if (rest.length === 2 && isRead) return ok('doc_read', 'read', first);
      return deny(403, 'attachment writes are not allowed');
  }
}
