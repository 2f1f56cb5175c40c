import type { NextFunction, Request, RequestHandler, Response } from 'express';
import getRawBody from 'raw-body';
import type { SyncRules } from '../../sync-rules/schema.ts';
import type { Principal } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { apiKeyToken, resolvePrincipal } from '../http/authenticate.ts';
import { apiKeyRefusal } from './api-key-access.ts';
import { dbAccess, type DbAccess } from './access.ts';
import { DeviceActivity } from '../settings/device-activity.ts';
import { classifyDbRequest } from './classify.ts';
import { callCouch, pipeToCouch, unavailable, type Upstream } from './proxy.ts';
import type { StaffLookup } from './staff-directory.ts';
import { approvalsOf, checkDocWrite, type Rejection } from './validate-docs.ts';

/** Largest write body accepted; PouchDB's push batches stay far below this. */
const MAX_WRITE_BYTES = 16 * 1024 * 1024;
const MAX_CHECKPOINT_BYTES = 256 * 1024;

function couchError(res: Response, status: number, error: string, reason: string): void {
  res.status(status).json({ error, reason });
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

async function readJson(req: Request, limit: number): Promise<unknown> {
  const buf = await getRawBody(req, { limit, encoding: 'utf8' });
  return buf ? JSON.parse(buf) : {};
}

/**
 * The CouchDB gateway at `/db/*` (DESIGN.md §4): authenticate → classify the endpoint (default-deny)
 * → check the database against the sync rules → validate every written document → proxy with the
 * service credentials. Mounted before any body parser so reads stream untouched.
 */
export function gateway(ctx: Ctx, rules: SyncRules, upstream: () => Upstream): RequestHandler {
  const activity = new DeviceActivity(ctx.couch, ctx.log);
  return (req: Request, res: Response, next: NextFunction) => {
    handle(ctx, rules, upstream(), req, res, activity).catch((err: unknown) => {
      const e = err as { type?: string; status?: number; code?: string };
      if (e.type === 'entity.too.large') return couchError(res, 413, 'too_large', 'request body is too large; send smaller batches');
      if (err instanceof SyntaxError) return couchError(res, 400, 'bad_request', 'invalid JSON body');
      if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') return unavailable(res);
      next(err);
    });
  };
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

  const q = req.url.indexOf('?');
  const rawPath = q === -1 ? req.url : req.url.slice(0, q);
  const search = q === -1 ? '' : req.url.slice(q);
  const c = classifyDbRequest(req.method, rawPath, new URLSearchParams(search));
  if (!c.ok) return couchError(res, c.status, c.error, c.reason);

  const access = dbAccess(principal, c.db, rules);
  if (!access) return couchError(res, 403, 'forbidden', `no access to database ${c.db}`);
  if (c.need === 'write' && !access.write) return couchError(res, 403, 'forbidden', `database ${c.db} is read-only for this ${principal.kind}`);
  req.principal = principal;

  if (c.need === 'checkpoint' && req.method === 'PUT') {
    // Replication checkpoints only; bounded so `_local` cannot become a side channel for bulk data.
    const body = await getRawBody(req, { limit: MAX_CHECKPOINT_BYTES });
    return pipeToCouch(up, req, res, c.upstreamPath, search, body);
  }
  if (c.need !== 'write') return pipeToCouch(up, req, res, c.upstreamPath, search);

  const newEdits = new URLSearchParams(search).get('new_edits') !== 'false';
  switch (c.endpoint) {
    case 'bulk_docs':
      return bulkDocs(ctx, rules, up, principal, access, req, res, c.upstreamPath, search);
    case 'doc_create':
    case 'doc_write': {
      let doc: Record<string, unknown>;
      if (req.method === 'DELETE') {
        const rev = new URLSearchParams(search).get('rev') ?? req.headers['if-match'];
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
      if (req.method === 'DELETE') return pipeToCouch(up, req, res, c.upstreamPath, search);
      return pipeToCouch(up, req, res, c.upstreamPath, search, Buffer.from(JSON.stringify(doc)));
    }
    default:
      return couchError(res, 403, 'forbidden', 'unsupported write');
  }
}

/**
 * An API key's request: the same endpoint allow-list, then reads only, of the databases its scopes
 * name (api-key-access.ts). Nothing a key sends is ever written.
 */
async function handleApiKey(ctx: Ctx, up: Upstream, token: string, req: Request, res: Response): Promise<void> {
  const key = await ctx.apiKeys.resolve(token);
  if (!key) return couchError(res, 401, 'unauthorized', 'this API key is unknown or revoked, or the plan no longer includes API keys');
  const q = req.url.indexOf('?');
  const rawPath = q === -1 ? req.url : req.url.slice(0, q);
  const search = q === -1 ? '' : req.url.slice(q);
  const c = classifyDbRequest(req.method, rawPath, new URLSearchParams(search));
  if (!c.ok) return couchError(res, c.status, c.error, c.reason);
  const refusal = apiKeyRefusal(key, c.db, c.need);
  if (refusal) return couchError(res, refusal.status, refusal.error, refusal.reason);
  return pipeToCouch(up, req, res, c.upstreamPath, search);
}

/**
 * `_bulk_docs`: valid documents go through; each rejected one comes back as a per-document
 * `forbidden` error, as CouchDB's validate_doc_update would answer. PouchDB replication counts those
 * as doc_write_failures and carries on, so one bad document cannot wedge a register's sync.
 */
async function bulkDocs(
  ctx: Ctx,
  rules: SyncRules,
  up: Upstream,
  p: Principal,
  access: DbAccess,
  req: Request,
  res: Response,
  path: string,
  search: string
): Promise<void> {
  const body = (await readJson(req, MAX_WRITE_BYTES)) as { docs?: unknown; new_edits?: unknown };
  if (!body || !Array.isArray(body.docs)) return couchError(res, 400, 'bad_request', 'docs: must be an array');
  const newEdits = body.new_edits !== false;
  const staff = await staffFor(ctx, p, body.docs);
  const verdicts: (Rejection | null)[] = body.docs.map((d) => checkDocWrite(p, access.db, d, newEdits, rules, staff));
  const accepted = body.docs.filter((_, i) => verdicts[i] === null);
  const rejections = body.docs.flatMap((d, i) => {
    const v = verdicts[i];
    return v ? [{ id: (d as { _id?: unknown })?._id ?? null, error: 'forbidden', reason: v.reason }] : [];
  });
  if (rejections.length) ctx.log.warn({ reqId: req.id, db: access.db, rejected: rejections.slice(0, 5) }, 'gateway rejected documents');

  let upstream: unknown[] = [];
  let status = 201;
  if (accepted.length) {
    const r = await callCouch(up, req, path, search, Buffer.from(JSON.stringify({ ...body, docs: accepted })));
    if (r.status >= 300 || !Array.isArray(r.json)) {
      res.status(r.status).json(r.json);
      return;
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
