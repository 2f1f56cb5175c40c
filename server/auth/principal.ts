import type { Permission, Role } from '#domain/permissions.ts';
import { ROLE_PERMISSIONS, can, hasAllLocations } from '#domain/permissions.ts';
import type { DeviceKind } from '../../sync-rules/schema.ts';
import type { Actor } from '#domain/actor.ts';
import { forbidden } from '../errors.ts';
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

/**
 * The one permission check of a use case: throws 403 unless `p` holds every permission in `needs`
 * (a device holds none) and may use every location in `at`. `action` starts the message ("Creating an
 * order needs the inventory:adjust permission"). Returns `p` for chaining.
 */
export function authorize<P extends Principal>(p: P, needs: Permission | readonly Permission[], action: string, at: string | readonly string[] = []): P {
  for (const permission of typeof needs === 'string' ? [needs] : needs) {
    if (!hasPermission(p, permission)) throw forbidden(`${action} needs the ${permission} permission`);
  }
  for (const code of typeof at === 'string' ? [at] : at) {
    if (!mayUseLocation(p, code)) throw forbidden(`${action}: no access to location ${code}`);
  }
  return p;
}

/** Who calls a use case, and the request it came with (for the audit trail). */
export interface Caller {
  principal: Principal;
  requestId?: string;
}

/** The actor a use case records for `p`, now. */
export function actorOf(p: Principal, requestId?: string): Actor {
  return { by: principalId(p), now: new Date().toISOString(), ...(requestId === undefined ? {} : { requestId }) };
}
