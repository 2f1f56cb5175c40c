import type { DbKind } from './db-names.ts';

/**
 * API keys (Enterprise): a fixed list of read scopes, each naming the database kinds it opens through
 * the gateway. Pure so the admin UI can list the scopes and the server can check them the same way.
 */
export const API_KEY_SCOPES = ['catalog:read', 'sales:read', 'customers:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const SCOPE_DATABASES: Readonly<Record<ApiKeyScope, readonly DbKind[]>> = {
  /** products, variants, categories, prices, tax rates, locations */
  'catalog:read': ['catalog'],
  /** every location database: sales, voids, shifts, stock movements */
  'sales:read': ['location'],
  /** customer profiles and loyalty / credit / gift-card ledger */
  'customers:read': ['customers']
};

export const SCOPE_DESCRIPTIONS: Readonly<Record<ApiKeyScope, string>> = {
  'catalog:read': 'Read products, categories, prices, tax rates and locations',
  'sales:read': 'Read sales, shifts and stock movements of every store',
  'customers:read': 'Read customers and their loyalty, store-credit and gift-card ledger'
};

/** Which database kinds a key with these scopes may read (never write). */
export function scopedDbKinds(scopes: readonly ApiKeyScope[]): Set<DbKind> {
  return new Set(scopes.flatMap((s) => SCOPE_DATABASES[s]));
}

/**
 * `pk_{keyId}_{secret}`: the key id (a ULID) finds the stored document in one read; the whole token's
 * SHA-256 is what is stored and compared. The secret is 32 random bytes, base64url (43 characters).
 */
const TOKEN = /^pk_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;

export const API_KEY_PREFIX = 'pk_';

export function parseApiKey(token: string): { keyId: string } | null {
  const m = TOKEN.exec(token);
  return m ? { keyId: m[1]! } : null;
}

export function formatApiKey(keyId: string, secret: string): string {
  return `${API_KEY_PREFIX}${keyId}_${secret}`;
}
