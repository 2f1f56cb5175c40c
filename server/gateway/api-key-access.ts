import { scopedDbKinds, type ApiKeyScope } from '#domain/api-keys.ts';
import { parseDbName } from '#domain/db-names.ts';
import type { AccessNeed } from './classify.ts';

/**
 * What an API key may do with a classified `/db` request: read (never write, never a checkpoint
 * write) a database of its own tenant whose kind one of its scopes names. Pure; null = allowed,
 * otherwise the CouchDB-shaped refusal. The endpoint allow-list (classify.ts) has already run.
 */
export function apiKeyRefusal(
  key: { tenantId: string; scopes: readonly ApiKeyScope[] },
  dbName: string,
  need: AccessNeed
): { status: number; error: string; reason: string } | null {
  const db = parseDbName(dbName);
  const kinds = scopedDbKinds(key.scopes);
  if (!db || db.tenantId !== key.tenantId || !kinds.has(db.kind)) {
    return { status: 403, error: 'forbidden', reason: `no access to database ${dbName} with this API key (scopes: ${key.scopes.join(', ') || 'none'})` };
  }
  if (need !== 'read') return { status: 403, error: 'forbidden', reason: 'API keys are read-only' };
  return null;
}
