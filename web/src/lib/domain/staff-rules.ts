import { ROLE_PERMISSIONS, hasAllLocations, type Role } from './permissions.ts';

/**
 * Who may give which role and locations to whom (issue 5, Staff). Pure and shared: the server refuses
 * with these messages, the staff pages offer only what passes. Returns null when allowed, else why not.
 */
export interface Grantor {
  userId: string;
  role: Role;
  locations: readonly string[];
}

export interface Member {
  userId: string;
  role: Role;
  active: boolean;
}

const coversAll = (g: Pick<Grantor, 'role' | 'locations'>) => hasAllLocations(g.role) || g.locations.includes('*');

/** Owners and admins work everywhere: their location list is always ["*"]. */
export function effectiveLocations(role: Role, locations: readonly string[]): string[] {
  return hasAllLocations(role) ? ['*'] : [...new Set(locations)].sort();
}

/** Nobody grants more than they hold: every permission of the role, every location; only owners make owners. */
export function grantProblem(by: Grantor, role: Role, locations: readonly string[]): string | null {
  if (role === 'owner' && by.role !== 'owner') return 'Only an owner can make someone an owner';
  const mine = new Set(ROLE_PERMISSIONS[by.role]);
  const extra = ROLE_PERMISSIONS[role].filter((p) => !mine.has(p));
  if (extra.length) return `You cannot grant the ${role} role: it has permissions you do not (${extra.join(', ')})`;
  const locs = effectiveLocations(role, locations);
  if (locs.length === 0) return `A ${role} needs at least one location`;
  if (!coversAll(by)) {
    const outside = locs.filter((l) => !by.locations.includes(l));
    if (outside.length) return `You cannot grant access to ${outside.includes('*') ? 'every location' : outside.join(', ')}: you do not have it yourself`;
  }
  return null;
}

/** May `by` change (role, locations, PIN, password, lock) the member `target` at all? */
export function manageProblem(by: Grantor, target: Member): string | null {
  if (target.role === 'owner' && by.role !== 'owner') return 'Only an owner can change an owner’s account';
  return null;
}

/** The tenant must keep an active owner: refuses demoting or locking the last one. */
export function lastOwnerProblem(members: readonly Member[], targetId: string, after: { role: Role; active: boolean }): string | null {
  const target = members.find((m) => m.userId === targetId);
  if (!target || target.role !== 'owner' || !target.active) return null;
  if (after.role === 'owner' && after.active) return null;
  const others = members.filter((m) => m.userId !== targetId && m.role === 'owner' && m.active);
  return others.length ? null : 'This is the last active owner: make someone else an owner first';
}
