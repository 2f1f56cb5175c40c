import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import getRawBody from 'raw-body';
import { auditDb } from '#domain/db-names.ts';
import { textProblem } from '#domain/schemas/text.ts';
import type { SyncRules } from '../../sync-rules/schema.ts';
import { principalId, type Principal } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { statusOf, storeUnavailable } from '../couch/client.ts';
import { apiKeyToken, resolvePrincipal } from '../http/authenticate.ts';
import { apiKeyRefusal } from './api-key-access.ts';
import { dbAccess, type DbAccess } from './access.ts';
import { DeviceActivity } from '../settings/device-activity.ts';
import { classifyDbRequest, type Classified } from './classify.ts';
import { isCreateOnce, judgeEvent, type StoredRow } from './event-once.ts';
import { JsonTooDeepError, MAX_JSON_DEPTH, jsonDepthExceeds } from './json-limits.ts';
import { callCouch, cleanUpstreamError, feedIdleMs, pipeToCouch, upstreamFailure, writeSearch, type Upstream, type UpstreamCall } from './proxy.ts';
import { MAX_READ_BODY_BYTES, READ_BODY_SCHEMAS } from './read-bodies.ts';
import type { StaffLookup } from './staff-directory.ts';
import { approvalsOf, checkDocWrite, type Rejection } from './validate-docs.ts';
import { describeIssues } from '#domain/schemas/index.ts';
import { decide, decisionForStatus, finalDecision, gatewayMark } from '../metrics/gateway.ts';

/** Largest write body accepted; PouchDB's push batches stay far below this. */
export const MAX_WRITE_BYTES = 16 * 1024 * 1024;
export const MAX_CHECKPOINT_BYTES = 256 * 1024;

type Ok = Extract<Classified, { ok: true }>;

function couchError(res: Response, status: number, error: string, reason: string): void {
  decide(res, decisionForStatus(status));
  res.status(status).json({ error, reason });
}

/** A refusal raised while reading or checking a request: answered as `{error, reason}` with its status. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string
  ) {
    super(reason);
  }
}

/**
 * The tenant's staff directory, read only when some document carries manager approvals (most writes
 * do not, so ordinary replication never pays for it).
 */
async function staffFor(ctx: Ctx, p: Principal, docs: readonly unknown[]): Promise<StaffLookup | undefined> {
  const ids = docs.flatMap((d) => approvalsOf(d).map((a) => (a as { staffId?: unknown }).staffId)).filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) return undefined;
  return ctx.staff.forTenant(p.tenantId, ids);
}

/**
 * Reads a JSON body: bounded in size and nesting depth (checked on the text, before parsing), and
 * every string well-formed and free of control characters. Empty body = `{}`.
 */
async function readJson(req: Request, limit: number): Promise<unknown> {
  const text = await getRawBody(req, { limit, encoding: 'utf8' });
  if (!text) return {};
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw new JsonTooDeepError();
  const value: unknown = JSON.parse(text);
  return value;
}

/**
 * The CouchDB gateway at `/db/*` (DESIGN.md §4): authenticate → classify the endpoint and its query
 * parameters (default-deny; the upstream gets a query the gateway rebuilt) → check the database
 * against the sync rules → read and check any body (shape, depth, text; every written document
 * validated, events judged against what is stored) → proxy with the service credentials and a time
 * limit. Mounted before any body parser so reads stream untouched.
 */
export function gateway(ctx: Ctx, rules: SyncRules, upstream: () => Upstream): RequestHandler {
  const activity = new DeviceActivity(ctx.couch, ctx.log);
  return (req: Request, res: Response, next: NextFunction) => {
    const mark = gatewayMark(res);
    res.once('close', () => ctx.metrics.gateway(mark.cls, finalDecision(mark, res)));
    handle(ctx, rules, { ...upstream(), observer: ctx.metrics.upstream }, req, res, activity).catch((err: unknown) => {
      const e = err as { type?: string; status?: number; code?: string };
      if (res.headersSent) return res.destroy();
      if (err instanceof Refusal) return couchError(res, err.status, err.error, err.reason);
      if (err instanceof JsonTooDeepError) return couchError(res, 400, 'bad_request', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
      if (e.type === 'entity.too.large') return couchError(res, 413, 'too_large', 'request body is too large; send smaller batches');
      if (err instanceof SyntaxError) return couchError(res, 400, 'bad_request', 'invalid JSON body');
      if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return couchError(res, 415, 'bad_request', 'the body must be UTF-8 JSON');
      if (e.type === 'request.aborted' || e.type === 'request.size.invalid' || e.type === 'stream.encoding.set') return couchError(res, 400, 'bad_request', 'the request body was incomplete');
      // the proxy's own socket, or a lookup before it (the principal's session, staff, stored events)
      // through the store client, found the store down or failing: 503/504, the client retries
      if ((typeof e.code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|UPSTREAM_TIMEOUT)/.test(e.code)) || storeUnavailable(err)) {
        const f = upstreamFailure(err as NodeJS.ErrnoException);
        return couchError(res, f.status, f.error, f.reason);
      }
      next(err);
    });
  };
}

function splitUrl(url: string): { rawPath: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q === -1 ? { rawPath: url, rawQuery: '' } : { rawPath: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

async function handle(ctx: Ctx, rules: SyncRules, up: Upstream, req: Request, res: Response, activity: DeviceActivity): Promise<void> {
  const key = apiKeyToken(req);
  if (key !== null) return handleApiKey(ctx, up, key, req, res);
  const principal = await resolvePrincipal(ctx, req);
  if (!principal) return couchError(res, 401, 'unauthorized', 'a valid access token or device credential is required');
  if (principal.kind === 'user' && principal.mustChangePassword) return couchError(res, 403, 'password_change_required', 'choose a new password first: you signed in with a temporary one');
  if (principal.kind !== 'user') {
    // Devices (and staff signed in on them) only replicate here: a successful answer is a sync.
    const deviceId = principal.deviceId;
    res.on('finish', () => activity.note(deviceId, res.statusCode < 400));
  }

  const { rawPath, rawQuery } = splitUrl(req.url);
  const c = classifyDbRequest(req.method, rawPath, rawQuery);
  gatewayMark(res).cls = c.ok ? c.endpoint : 'unclassified';
  if (!c.ok) return couchError(res, c.status, c.error, c.reason);

  const access = dbAccess(principal, c.db, rules);
  if (!access) return couchError(res, 403, 'forbidden', `no access to database ${c.db}`);
  if (c.need === 'write' && !access.write) return couchError(res, 403, 'forbidden', `database ${c.db} is read-only for this ${principal.kind}`);
  req.principal = principal;

  if (c.need !== 'write') return forwardRead(ctx, up, req, res, c);

  const newEdits = c.params.get('new_edits') !== 'false';
  switch (c.endpoint) {
    case 'bulk_docs':
      return bulkDocs(ctx, rules, up, principal, access, req, res, c);
    case 'doc_create':
    case 'doc_write': {
      let doc: Record<string, unknown>;
      if (req.method === 'DELETE') {
        const rev = c.params.get('rev') ?? req.headers['if-match'];
        doc = { _id: c.docId, _rev: rev, _deleted: true };
      } else {
        const body = await readJson(req, MAX_WRITE_BYTES);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return couchError(res, 400, 'invalid_document', 'a document must be a JSON object');
        doc = body as Record<string, unknown>;
        if (c.docId !== undefined) {
          if (doc._id !== undefined && doc._id !== c.docId) return couchError(res, 400, 'invalid_document', '_id: does not match the URL');
          doc._id = c.docId;
        }
      }
      const rejection = checkDocWrite(principal, access.db, doc, newEdits, rules, await staffFor(ctx, principal, [doc]));
      if (rejection) return couchError(res, rejection.status, rejection.error, rejection.reason);
      if (req.method !== 'DELETE' && !newEdits && isCreateOnce(String(doc._id), rules)) {
        const [verdict] = await judgeStoredEvents(ctx, up, req, principal, c.db, [doc]);
        if (verdict?.kind === 'refused') return couchError(res, 403, 'forbidden', verdict.reason);
        if (verdict?.kind === 'same_content') {
          decide(res, 'allowed');
          return void res.status(201).json({ ok: true, id: doc._id, rev: doc._rev });
        }
      }
      decide(res, 'allowed');
      if (req.method === 'DELETE') return pipeToCouch(up, req, res, { path: c.upstreamPath, search: writeSearch(c.search, up) });
      return pipeToCouch(up, req, res, { path: c.upstreamPath, search: writeSearch(c.search, up), body: Buffer.from(JSON.stringify(doc)) });
    }
    default:
      return couchError(res, 403, 'forbidden', 'unsupported write');
  }
}

/**
 * Reads and `_local` checkpoints: any body is read, bounded and checked by shape (read-bodies.ts),
 * then re-serialised; GET/HEAD/DELETE forward no body. Feeds get their own idle limit.
 */
async function forwardRead(ctx: Ctx, up: Upstream, req: Request, res: Response, c: Ok): Promise<void> {
  const call: UpstreamCall = { path: c.upstreamPath, search: c.search };
  const feed = c.endpoint === 'changes' ? c.params.get('feed') : undefined;
  const isFeed = feed === 'longpoll' || feed === 'continuous';
  if (isFeed) call.feedIdleMs = feedIdleMs(c.params);
  if (c.endpoint === 'local' && req.method === 'PUT') {
    // Replication checkpoints only; bounded so `_local` cannot become a side channel for bulk data.
    const body = await readJson(req, MAX_CHECKPOINT_BYTES);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Refusal(400, 'bad_request', 'a checkpoint must be a JSON object');
    const text = textProblem(body);
    if (text) throw new Refusal(400, 'bad_request', text);
    call.body = Buffer.from(JSON.stringify(body));
  } else if (req.method === 'POST') {
    const schema = READ_BODY_SCHEMAS[c.endpoint];
    if (!schema) throw new Refusal(400, 'bad_request', 'this endpoint takes no body');
    const body = await readJson(req, MAX_READ_BODY_BYTES);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new Refusal(400, 'bad_request', describeIssues(parsed.error));
    const text = textProblem(parsed.data);
    if (text) throw new Refusal(400, 'bad_request', text);
    call.body = Buffer.from(JSON.stringify(parsed.data));
  }
  decide(res, 'allowed');
  if (isFeed) {
    gatewayMark(res).feed = true;
    res.once('close', ctx.metrics.feedOpened());
  }
  pipeToCouch(up, req, res, call);
}

/**
 * An API key's request: the same endpoint and parameter allow-lists, then reads only, of the
 * databases its scopes name (api-key-access.ts). Nothing a key sends is ever written.
 */
async function handleApiKey(ctx: Ctx, up: Upstream, token: string, req: Request, res: Response): Promise<void> {
  const key = await ctx.apiKeys.resolve(token);
  if (!key) return couchError(res, 401, 'unauthorized', 'this API key is unknown or revoked, or the plan no longer includes API keys');
  const { rawPath, rawQuery } = splitUrl(req.url);
  const c = classifyDbRequest(req.method, rawPath, rawQuery);
  gatewayMark(res).cls = c.ok ? c.endpoint : 'unclassified';
  if (!c.ok) return couchError(res, c.status, c.error, c.reason);
  const refusal = apiKeyRefusal(key, c.db, c.need);
  if (refusal) return couchError(res, refusal.status, refusal.error, refusal.reason);
  return forwardRead(ctx, up, req, res, c);
}

/**
 * Judges create-once documents against what is stored under their ids: one `_all_docs` request for the
 * whole batch (keys, winning bodies and their conflicts). A refusal is audited once per forged
 * revision (the audit id is derived from database, id and revision, so a device retrying its push
 * does not flood the trail).
 */
async function judgeStoredEvents(ctx: Ctx, up: Upstream, req: Request, p: Principal, dbName: string, docs: Record<string, unknown>[]) {
  const ids = [...new Set(docs.map((d) => String(d._id)))];
  const r = await callCouch(up, req, {
    method: 'POST',
    path: `/${encodeURIComponent(dbName)}/_all_docs`,
    search: '?include_docs=true&conflicts=true',
    body: Buffer.from(JSON.stringify({ keys: ids }))
  });
  if (r.status !== 200 || !Array.isArray((r.json as { rows?: unknown })?.rows)) {
    const clean = cleanUpstreamError(r.status >= 300 ? r.status : 502, r.json);
    throw new Refusal(clean.status, clean.body.error, clean.body.reason);
  }
  const stored = new Map<string, StoredRow>();
  for (const row of (r.json as { rows: { key: string; value?: { rev: string; deleted?: boolean }; doc?: Record<string, unknown> | null }[] }).rows) {
    if (row.value) stored.set(row.key, { rev: row.value.rev, deleted: row.value.deleted === true, doc: row.doc ?? null });
  }
  // two bodies under one id in the same batch: the first is judged against the store, later ones against it
  const seen = new Map<string, Record<string, unknown>>();
  const verdicts = docs.map((d) => {
    const id = String(d._id);
    const earlier = seen.get(id);
    const v = judgeEvent(d, earlier ? { rev: String(earlier._rev), doc: earlier } : stored.get(id));
    if (!earlier) seen.set(id, d);
    return v;
  });
  for (const [i, v] of verdicts.entries()) {
    if (v.kind !== 'refused') continue;
    const d = docs[i]!;
    const existing = stored.get(String(d._id));
    const hash = createHash('sha256').update(`${dbName}\n${String(d._id)}\n${String(d._rev)}`).digest('hex').slice(0, 32);
    ctx.log.warn({ reqId: req.id, db: dbName, id: d._id, rev: d._rev, existingRev: existing?.rev, actor: principalId(p) }, 'refused a replacement of an event document');
    try {
      await ctx.couch.use(auditDb(p.tenantId)).insert({
        _id: `audit:event-replace:${hash}`,
        type: 'audit_event',
        createdAt: new Date().toISOString(),
        action: 'event.replace_refused',
        actor: principalId(p),
        ...(p.kind !== 'user' ? { deviceId: p.deviceId } : {}),
        target: String(d._id),
        details: { db: dbName, rev: d._rev ?? null, existingRev: existing?.rev ?? null },
        requestId: String(req.id ?? '')
      });
    } catch (err) {
      if (statusOf(err) !== 409) ctx.log.error({ err }, 'could not audit a refused event replacement');
    }
  }
  return verdicts;
}

/**
 * `_bulk_docs`: valid documents go through; each rejected one comes back as a per-document
 * `forbidden` error, as CouchDB's validate_doc_update would answer. PouchDB replication counts those
 * as doc_write_failures and carries on, so one bad document cannot wedge a register's sync.
 * With `new_edits:false`, create-once documents are judged against the store first (event-once.ts).
 */
async function bulkDocs(ctx: Ctx, rules: SyncRules, up: Upstream, p: Principal, access: DbAccess, req: Request, res: Response, c: Ok): Promise<void> {
  const body = await readJson(req, MAX_WRITE_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return couchError(res, 400, 'bad_request', 'the body must be {"docs": [...]}');
  const { docs, new_edits: rawNewEdits, ...rest } = body as { docs?: unknown; new_edits?: unknown };
  if (!Array.isArray(docs)) return couchError(res, 400, 'bad_request', 'docs: must be an array');
  if (Object.keys(rest).length) return couchError(res, 400, 'bad_request', `unknown field ${Object.keys(rest)[0]!.slice(0, 60)}: a _bulk_docs body is {"docs": [...], "new_edits"?: false}`);
  if (rawNewEdits !== undefined && typeof rawNewEdits !== 'boolean') return couchError(res, 400, 'bad_request', 'new_edits: must be true or false');
  const newEdits = rawNewEdits !== false;
  const staff = await staffFor(ctx, p, docs);
  const verdicts: (Rejection | null)[] = docs.map((d) => checkDocWrite(p, access.db, d, newEdits, rules, staff));

  // Create-once documents under new_edits:false: judged against the stored winners (one request).
  const skip = new Set<number>();
  if (!newEdits) {
    const idx = docs.flatMap((d, i) => (verdicts[i] === null && isCreateOnce(String((d as { _id: string })._id), rules) ? [i] : []));
    if (idx.length) {
      const judged = await judgeStoredEvents(ctx, up, req, p, c.db, idx.map((i) => docs[i] as Record<string, unknown>));
      judged.forEach((v, k) => {
        const i = idx[k]!;
        if (v.kind === 'refused') verdicts[i] = { status: 403, error: 'forbidden', reason: v.reason };
        else if (v.kind === 'same_content') skip.add(i); // already stored: acknowledged, no second leaf
      });
    }
  }
  // the request is allowed; documents refused one by one are answered as per-document errors
  decide(res, 'allowed');
  const accepted = docs.filter((_, i) => verdicts[i] === null && !skip.has(i));
  const rejections = docs.flatMap((d, i) => {
    const v = verdicts[i];
    const id = (d as { _id?: unknown } | null)?._id;
    return v ? [{ id: typeof id === 'string' ? id : null, error: 'forbidden', reason: v.reason }] : [];
  });
  if (rejections.length) ctx.log.warn({ reqId: req.id, db: access.db, rejected: rejections.slice(0, 5) }, 'gateway rejected documents');

  let upstream: unknown[] = [];
  let status = 201;
  if (accepted.length) {
    const r = await callCouch(up, req, { path: c.upstreamPath, search: writeSearch(c.search, up), body: Buffer.from(JSON.stringify({ docs: accepted, ...(newEdits ? {} : { new_edits: false }) })) });
    if (r.status >= 300 || !Array.isArray(r.json)) {
      const clean = cleanUpstreamError(r.status >= 300 ? r.status : 502, r.json);
      return couchError(res, clean.status, clean.body.error, clean.body.reason);
    }
    upstream = r.json;
    status = r.status;
  }
  if (!newEdits) {
    // CouchDB lists only failures when new_edits=false.
    res.status(status).json([...upstream, ...rejections]);
    return;
  }
  // new_edits=true: one result per input document, in input order.
  let ui = 0;
  let ri = 0;
  res.status(status).json(verdicts.map((v) => (v ? rejections[ri++] : upstream[ui++])));
}
