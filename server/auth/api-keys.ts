import { randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_SCOPES, formatApiKey, parseApiKey, type ApiKeyScope } from '#domain/api-keys.ts';
import { PLATFORM_DB } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { planOf } from '#domain/plans.ts';
import { recordAudit } from '../audit.ts';
import { statusOf, updateDoc, type Couch } from '../couch/client.ts';
import { forbidden, notFound } from '../errors.ts';
import type { ApiKeyDoc, TenantDoc } from '../platform/types.ts';
import { assertPlanFeature } from '../tenants/plan-limits.ts';
import { getTenant } from '../tenants/provision.ts';
import { principalId, type Principal } from './principal.ts';
import { sha256 } from './tokens.ts';

/**
 * API keys (Enterprise): long-lived, read-only credentials for a tenant's own systems. Kept apart
 * from `Principal` on purpose: a key is never a user or a device, so no permission check, write
 * validation or `/api/v1` route can mistake it for one. It reaches only the gateway's read path,
 * limited to the database kinds its scopes name (`SCOPE_DATABASES`).
 */
export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyId: string;
  tenantId: string;
  scopes: ApiKeyScope[];
}

export interface PublicApiKey {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  /** what the owner sees to recognise a key: `pk_{id}_…` */
  hint: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

function publicKey(d: ApiKeyDoc): PublicApiKey {
  const id = d._id.slice('apikey:'.length);
  return { id, name: d.name, scopes: d.scopes, hint: `pk_${id}_…`, createdAt: d.createdAt, createdBy: d.createdBy, revokedAt: d.revokedAt ?? null };
}

type Ctx = { couch: Couch; apiKeys: ApiKeyRegistry };

function requireUser(p: Principal): asserts p is Principal & { kind: 'user' } {
  if (p.kind !== 'user') throw forbidden('Only signed-in admins manage API keys');
}

async function tenantOf(couch: Couch, tenantId: string): Promise<TenantDoc> {
  const tenant = await getTenant(couch, tenantId);
  if (!tenant) throw notFound(`Tenant ${tenantId} does not exist`);
  return tenant;
}

/** Creates a key; the token is in the answer only, shown once. Non-Enterprise → `403 plan_limit`. */
export async function createApiKey(ctx: Ctx, p: Principal, input: { name: string; scopes: ApiKeyScope[] }): Promise<{ token: string; apiKey: PublicApiKey }> {
  requireUser(p);
  assertPlanFeature(await tenantOf(ctx.couch, p.tenantId), 'apiKeys');
  const keyId = newUlid();
  const token = formatApiKey(keyId, randomBytes(32).toString('base64url'));
  const doc: ApiKeyDoc = {
    _id: `apikey:${keyId}`,
    type: 'api_key',
    tenantId: p.tenantId,
    name: input.name,
    // stored in the fixed list's order, without duplicates
    scopes: API_KEY_SCOPES.filter((s) => input.scopes.includes(s)),
    tokenHash: sha256(token),
    createdBy: principalId(p),
    createdAt: new Date().toISOString()
  };
  await ctx.couch.use(PLATFORM_DB).insert(doc);
  await recordAudit(ctx.couch, p.tenantId, { action: 'api_key.created', actor: principalId(p), target: doc._id, details: { name: doc.name, scopes: doc.scopes } });
  return { token, apiKey: publicKey(doc) };
}

/** Every key of the caller's tenant, newest first, without secrets (any plan: a downgraded tenant still sees and revokes its keys). */
export async function listApiKeys(ctx: Ctx, p: Principal): Promise<PublicApiKey[]> {
  requireUser(p);
  const res = await ctx.couch
    .use(PLATFORM_DB)
    .view('apikeys', 'by_tenant', { startkey: [p.tenantId, {}], endkey: [p.tenantId], descending: true, include_docs: true });
  return res.rows.map((r) => publicKey(r.doc as unknown as ApiKeyDoc));
}

export async function revokeApiKey(ctx: Ctx, p: Principal, keyId: string): Promise<void> {
  requireUser(p);
  const id = `apikey:${keyId}`;
  const doc = await ctx.apiKeys.load(keyId);
  if (!doc || doc.tenantId !== p.tenantId) throw notFound('No such API key');
  await updateDoc<ApiKeyDoc>(ctx.couch.use(PLATFORM_DB), id, (d) => (d.revokedAt ? null : { ...d, revokedAt: new Date().toISOString() }));
  ctx.apiKeys.forget(keyId);
  await recordAudit(ctx.couch, p.tenantId, { action: 'api_key.revoked', actor: principalId(p), target: id });
}

/**
 * Resolves `pk_…` tokens, caching each key (and its tenant's plan) for 5 s per server copy, like
 * device revocation: a revoked key, or a tenant that left Enterprise, stops working within seconds
 * on every copy and at once on the one that revoked it. The token is compared by its SHA-256 in
 * constant time; the key id in the token only says which document to read.
 */
const CACHE_MS = 5_000;

export class ApiKeyRegistry {
  private cache = new Map<string, { doc: ApiKeyDoc | null; apiKeysAllowed: boolean; at: number }>();

  constructor(private readonly couch: Couch) {}

  async load(keyId: string): Promise<ApiKeyDoc | null> {
    try {
      return (await this.couch.use(PLATFORM_DB).get(`apikey:${keyId}`)) as ApiKeyDoc;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  private async entry(keyId: string) {
    const hit = this.cache.get(keyId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit;
    const doc = await this.load(keyId);
    const tenant = doc ? await getTenant(this.couch, doc.tenantId) : null;
    const entry = { doc, apiKeysAllowed: !!tenant && tenant.status === 'active' && planOf(tenant.plan).features.apiKeys, at: Date.now() };
    this.cache.set(keyId, entry);
    if (this.cache.size > 10_000) this.cache.clear();
    return entry;
  }

  /** The key's principal, or null for a malformed, unknown, wrong, revoked or no-longer-allowed token. */
  async resolve(token: string): Promise<ApiKeyPrincipal | null> {
    const parsed = parseApiKey(token);
    if (!parsed) return null;
    const { doc, apiKeysAllowed } = await this.entry(parsed.keyId);
    if (!doc || doc.revokedAt || !apiKeysAllowed) return null;
    const given = new TextEncoder().encode(sha256(token));
    const stored = new TextEncoder().encode(doc.tokenHash);
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
    return { kind: 'api_key', keyId: parsed.keyId, tenantId: doc.tenantId, scopes: doc.scopes };
  }

  forget(keyId: string): void {
    this.cache.delete(keyId);
  }
}
