/**
 * Database naming (DESIGN.md §2). CouchDB names must start with a lowercase letter and contain only
 * [a-z0-9_$()+/-]; we use a narrower alphabet so a name can never smuggle a path segment.
 */
export const TENANT_ID_PATTERN = /^[a-z][a-z0-9]{2,29}$/;
export const LOCATION_CODE_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;

export type DbKind = 'catalog' | 'customers' | 'audit' | 'location';

export const PLATFORM_DB = 'platform';
/** Server-only: integration connections (sealed secrets), webhook queue, cursors. Never replicated: no
 * tenant database name, so the gateway (default-deny) has no route to it. */
export const INTEGRATIONS_DB = 'integrations';

export function catalogDb(tenantId: string): string {
  return `t-${tenantId}-catalog`;
}
export function customersDb(tenantId: string): string {
  return `t-${tenantId}-customers`;
}
export function auditDb(tenantId: string): string {
  return `t-${tenantId}-audit`;
}
export function locationDb(tenantId: string, locationCode: string): string {
  return `t-${tenantId}-loc-${locationCode.toLowerCase()}`;
}

export type ParsedDbName =
  | { tenantId: string; kind: 'catalog' | 'customers' | 'audit' }
  | { tenantId: string; kind: 'location'; locationCode: string };

const DB_NAME = /^t-([a-z][a-z0-9]{2,29})-(catalog|customers|audit|loc-([a-z][a-z0-9]{1,9}))$/;

/** Parses a tenant database name; anything else (platform, _users, odd spellings) yields null. */
export function parseDbName(name: string): ParsedDbName | null {
  const m = DB_NAME.exec(name);
  if (!m) return null;
  const tenantId = m[1]!;
  if (m[3]) return { tenantId, kind: 'location', locationCode: m[3].toUpperCase() };
  return { tenantId, kind: m[2] as 'catalog' | 'customers' | 'audit' };
}
