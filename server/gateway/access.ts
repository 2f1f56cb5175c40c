import { auditDb, catalogDb, customersDb, locationDb, parseDbName, type ParsedDbName } from '#domain/db-names.ts';
import type { PrincipalKind, SyncRules } from '../../sync-rules/schema.ts';
import { hasPermission, mayUseLocation, type Principal } from '../auth/principal.ts';

export interface DbAccess {
  db: ParsedDbName;
  read: boolean;
  write: boolean;
}

export function principalKindOf(p: Principal): PrincipalKind {
  return p.kind === 'user' ? 'admin_browser' : p.deviceKind;
}

/**
 * What this principal may do with this database under the sync rules; null = not at all.
 * Tenant mismatch, unknown names and databases the rules do not list are all null (default-deny).
 */
export function dbAccess(p: Principal, dbName: string, rules: SyncRules): DbAccess | null {
  const db = parseDbName(dbName);
  if (!db || db.tenantId !== p.tenantId) return null;
  const rule = (rules.principals[principalKindOf(p)] ?? []).find((r) => r.db === db.kind);
  if (!rule) return null;
  if (db.kind === 'location' && !mayUseLocation(p, db.locationCode)) return null;
  // least privilege for browser sessions: the permission /api/v1 asks for the same data
  if (p.kind === 'user' && rule.readPermission && !hasPermission(p, rule.readPermission)) return null;
  return { db, read: true, write: rule.direction === 'both' };
}

/** The databases a device replicates and in which direction: what the sync engine opens. */
export function deviceDatabases(p: Principal & { kind: 'device' }, rules: SyncRules): { name: string; kind: string; direction: 'pull' | 'both' }[] {
  return (rules.principals[p.deviceKind] ?? []).map((r) => ({
    name:
      r.db === 'catalog'
        ? catalogDb(p.tenantId)
        : r.db === 'customers'
          ? customersDb(p.tenantId)
          : r.db === 'audit'
            ? auditDb(p.tenantId)
            : locationDb(p.tenantId, p.locationCode),
    kind: r.db,
    direction: r.direction
  }));
}
