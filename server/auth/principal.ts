import type { Permission, Role } from '../../web/src/lib/domain/permissions.ts';
import { ROLE_PERMISSIONS, can, hasAllLocations } from '../../web/src/lib/domain/permissions.ts';
import type { DeviceKind } from '../../sync-rules/schema.ts';
import type { SessionClaims } from './sessions.ts';

/** Who is calling, after the token was verified. */
export type Principal =
  /** `mustChangePassword`: signed in with a temporary password; only the password change is open */
  | ({ kind: 'user'; userId: string; tenantId: string; role: Role; locations: string[]; mustChangePassword?: true } & SessionClaims)
  | { kind: 'device'; deviceId: string; tenantId: string; locationCode: string; deviceKind: DeviceKind }
  /** a staff member signed in by PIN on an enrolled device: carries the device, whose limits still apply */
  | ({ kind: 'staff'; userId: string; tenantId: string; role: Role; locationCode: string; deviceId: string; deviceKind: DeviceKind } & SessionClaims);

/** Who acted, as stored in `createdBy`/`updatedBy`/audit `actor`: a device id, or the user's own id (`user:…`). */
export function principalId(p: Principal): string {
  if (p.kind === 'device') return `device:${p.deviceId}`;
  // user ids already carry their `user:` prefix (platform/users.ts)
  return p.userId.startsWith('user:') ? p.userId : `user:${p.userId}`;
}

export function hasPermission(p: Principal, permission: Permission): boolean {
  return p.kind !== 'device' && can(p.role, permission);
}

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

/** Locations a principal may act on: a device and a staff session only their own. */
export function mayUseLocation(p: Principal, code: string): boolean {
  if (p.kind === 'user') return hasAllLocations(p.role) || p.locations.includes('*') || p.locations.includes(code);
  return p.locationCode === code;
}
