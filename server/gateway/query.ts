import type { Endpoint } from './classify.ts';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from './json-limits.ts';
import { textProblem } from '#domain/schemas/text.ts';

/**
 * The query string of a `/db` request, parsed once, checked against an allow-list of parameter
 * **names and value shapes** per endpoint, and rebuilt by the gateway: the upstream never sees the
 * client's raw query. Pure, so every accepted and refused shape is a table test.
 *
 * Why rebuild: express-pouchdb parses queries with `qs`, which reads `doc_ids[]=a`, `selector[type]=x`
 * or `filter[0]=_doc_ids` as arrays and objects (and percent-encoded brackets the same way), while a
 * plain `URLSearchParams` check sees unknown names. CouchDB's parser (mochiweb) also splits on `;`.
 * So: names are plain lowercase words from the list below, each at most once; anything else (brackets,
 * dots, repeats, `;`) is a 400 before it can be read two ways.
 */
export type Shape =
  | 'bool'
  | 'uint'
  | 'since'
  | 'feed'
  | 'style'
  | 'heartbeat'
  | 'timeout'
  | 'rev'
  | 'local_rev'
  | 'revs_json'
  | 'open_revs'
  | 'json'
  | 'json_array'
  | 'docid'
  | 'update';

/** Parameters that would make the store run code or filters the sync rules do not name (DESIGN.md §1). */
export const FORBIDDEN_PARAMS: ReadonlySet<string> = new Set(['filter', 'selector', 'doc_ids', 'view']);

/** Browsers' cache busting (PouchDB adds it for old Edge/IE): accepted anywhere, never forwarded. */
const DROPPED = new Set(['_nonce']);

/** Longest value accepted for any parameter (a cluster's opaque `since` is the longest legitimate one). */
export const MAX_PARAM_CHARS = 8_192;
/** A JSON key (`key`, `startkey`, `keys`…): view keys are small arrays; `keys` lists ids. */
export const MAX_JSON_PARAM_CHARS = 64 * 1024;
/** A feed's heartbeat: often enough to keep proxies from cutting it, never a flood. */
export const HEARTBEAT_MS = { min: 1_000, max: 60_000 };
/** Longest `timeout` a feed may ask for; the gateway's own idle limit follows it. */
export const MAX_FEED_TIMEOUT_MS = 300_000;

const VIEW_PARAMS: Record<string, Shape> = {
  conflicts: 'bool',
  descending: 'bool',
  endkey: 'json',
  end_key: 'json',
  endkey_docid: 'docid',
  end_key_doc_id: 'docid',
  group: 'bool',
  group_level: 'uint',
  include_docs: 'bool',
  attachments: 'bool',
  att_encoding_info: 'bool',
  inclusive_end: 'bool',
  key: 'json',
  keys: 'json_array',
  limit: 'uint',
  reduce: 'bool',
  skip: 'uint',
  sorted: 'bool',
  stable: 'bool',
  startkey: 'json',
  start_key: 'json',
  startkey_docid: 'docid',
  start_key_doc_id: 'docid',
  update: 'update',
  update_seq: 'bool'
};

const { group: _g, group_level: _gl, reduce: _r, sorted: _s, stable: _st, update: _u, ...ALL_DOCS_PARAMS } = VIEW_PARAMS;

/**
 * What each endpoint accepts. Read from what the apps and PouchDB 9's HTTP adapter send (replication:
 * `_changes` since/limit/feed/heartbeat/timeout/style/seq_interval/include_docs/conflicts…, `_bulk_get`
 * revs/latest/attachments, document GETs with revs/open_revs/latest/rev; the bootstrap's
 * `_changes?include_docs=true&style=main_only&since&limit`) and CouchDB 3's documented view options.
 */
export const ENDPOINT_PARAMS: Readonly<Record<Endpoint, Readonly<Record<string, Shape>>>> = {
  db_info: {},
  doc_create: {},
  changes: {
    since: 'since',
    limit: 'uint',
    feed: 'feed',
    heartbeat: 'heartbeat',
    timeout: 'timeout',
    style: 'style',
    seq_interval: 'uint',
    include_docs: 'bool',
    conflicts: 'bool',
    descending: 'bool',
    attachments: 'bool',
    att_encoding_info: 'bool',
    update_seq: 'bool'
  },
  all_docs: ALL_DOCS_PARAMS,
  bulk_get: { revs: 'bool', latest: 'bool', attachments: 'bool', att_encoding_info: 'bool' },
  revs_diff: {},
  bulk_docs: {},
  local: { rev: 'local_rev' },
  doc_read: {
    rev: 'rev',
    revs: 'bool',
    revs_info: 'bool',
    open_revs: 'open_revs',
    latest: 'bool',
    conflicts: 'bool',
    deleted_conflicts: 'bool',
    attachments: 'bool',
    att_encoding_info: 'bool',
    atts_since: 'revs_json',
    local_seq: 'bool',
    meta: 'bool',
    update_seq: 'bool'
  },
  doc_write: { rev: 'rev', new_edits: 'bool' },
  find: {},
  explain: {},
  view: VIEW_PARAMS,
  ddoc_read: { rev: 'rev' },
  index_list: { limit: 'uint', skip: 'uint' }
};

export type ParsedQuery =
  | { ok: true; params: ReadonlyMap<string, string>; search: string }
  | { ok: false; status: 400 | 403; error: 'bad_request' | 'forbidden'; reason: string };

const bad = (reason: string): ParsedQuery => ({ ok: false, status: 400, error: 'bad_request', reason });

const REV = /^[1-9]\d{0,8}-[0-9a-f]{1,64}$/;
/** `now`, an integer (PouchDB, express-pouchdb) or CouchDB 3's opaque `{n}-{base64url}` sequence. */
const SINCE = /^(now|0|[1-9]\d{0,15}|[1-9]\d{0,15}-[A-Za-z0-9_-]+)$/;
const UINT = /^(0|[1-9]\d{0,8})$/;

function parseJson(value: string, max = MAX_JSON_PARAM_CHARS): { ok: true; value: unknown } | { ok: false } {
  if (value.length > max || jsonDepthExceeds(value, MAX_JSON_DEPTH)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { ok: false };
  }
}

function isRevList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= 1_000 && v.every((r) => typeof r === 'string' && REV.test(r));
}

/** The value as the gateway forwards it, or the reason it is refused. */
export function checkValue(shape: Shape, value: string): { ok: true; value: string } | { ok: false; why: string } {
  const ok = (v: string = value) => ({ ok: true as const, value: v });
  const no = (why: string) => ({ ok: false as const, why });
  switch (shape) {
    case 'bool':
      return value === 'true' || value === 'false' ? ok() : no('must be true or false');
    case 'uint':
      return UINT.test(value) ? ok() : no('must be a whole number');
    case 'since':
      return SINCE.test(value) ? ok() : no('must be "now" or a sequence from this database');
    case 'feed':
      return ['normal', 'longpoll', 'continuous'].includes(value) ? ok() : no('must be normal, longpoll or continuous');
    case 'style':
      return value === 'main_only' || value === 'all_docs' ? ok() : no('must be main_only or all_docs');
    case 'heartbeat': {
      if (value === 'true') return ok(String(HEARTBEAT_MS.max));
      const n = UINT.test(value) ? Number(value) : NaN;
      return n >= HEARTBEAT_MS.min && n <= HEARTBEAT_MS.max ? ok() : no(`must be between ${HEARTBEAT_MS.min} and ${HEARTBEAT_MS.max} ms`);
    }
    case 'timeout': {
      const n = UINT.test(value) ? Number(value) : NaN;
      return n >= 0 && n <= MAX_FEED_TIMEOUT_MS ? ok() : no(`must be a whole number of ms up to ${MAX_FEED_TIMEOUT_MS}`);
    }
    case 'rev':
      return REV.test(value) ? ok() : no('must be a document revision like 1-abc…');
    case 'local_rev':
      return /^0-\d{1,12}$/.test(value) || REV.test(value) ? ok() : no('must be a checkpoint revision like 0-1');
    case 'revs_json': {
      const j = parseJson(value);
      return j.ok && isRevList(j.value) ? ok(JSON.stringify(j.value)) : no('must be a JSON array of revisions');
    }
    case 'open_revs': {
      if (value === 'all') return ok();
      const j = parseJson(value);
      return j.ok && isRevList(j.value) ? ok(JSON.stringify(j.value)) : no('must be "all" or a JSON array of revisions');
    }
    case 'json': {
      const j = parseJson(value);
      if (!j.ok) return no('must be a JSON value (view key)');
      const text = textProblem(j.value);
      return text ? no(text) : ok(JSON.stringify(j.value));
    }
    case 'json_array': {
      const j = parseJson(value);
      if (!j.ok || !Array.isArray(j.value)) return no('must be a JSON array of keys');
      const text = textProblem(j.value);
      return text ? no(text) : ok(JSON.stringify(j.value));
    }
    case 'docid': {
      const text = textProblem(value);
      return value.length <= 1_000 && !text ? ok() : no(text ?? 'is too long');
    }
    case 'update':
      return ['true', 'false', 'lazy'].includes(value) ? ok() : no('must be true, false or lazy');
  }
}

function decode(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * Parses `raw` (the query string without `?`) for `endpoint` and rebuilds it. Refuses (400) unknown,
 * repeated and bracketed names, `;` separators, malformed encodings and values of the wrong shape;
 * `filter`, `selector`, `doc_ids` and `view` are 403 (the sync rules name no filters).
 */
export function parseDbQuery(endpoint: Endpoint, raw: string): ParsedQuery {
  const allowed = ENDPOINT_PARAMS[endpoint];
  const params = new Map<string, string>();
  if (raw.length > MAX_JSON_PARAM_CHARS * 2) return bad('the query string is too long');
  if (raw.includes(';')) return bad('";" is not a query separator here; encode it as %3B');
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    const value = decode(eq === -1 ? '' : part.slice(eq + 1));
    if (name === null || value === null) return bad('malformed percent-encoding in the query string');
    if (FORBIDDEN_PARAMS.has(name)) return { ok: false, status: 403, error: 'forbidden', reason: `the "${name}" parameter is not allowed by the sync rules` };
    if (/[[\].]/.test(name)) return bad(`query parameter "${name.slice(0, 60)}": bracketed or dotted names are not accepted`);
    if (DROPPED.has(name)) continue;
    const shape = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    if (!shape) return bad(`query parameter "${name.slice(0, 60)}" is not accepted on this endpoint${Object.keys(allowed).length ? ` (accepted: ${Object.keys(allowed).join(', ')})` : ''}`);
    if (params.has(name)) return bad(`query parameter "${name}" is repeated`);
    if (value.length > MAX_PARAM_CHARS && shape !== 'json' && shape !== 'json_array') return bad(`query parameter "${name}" is too long`);
    const checked = checkValue(shape, value);
    if (!checked.ok) return bad(`query parameter "${name}": ${checked.why}`);
    params.set(name, checked.value);
  }
  const search = params.size === 0 ? '' : '?' + [...params].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return { ok: true, params, search };
}
