import type { Role } from '../domain/permissions.ts';

/** How the staff pages name roles and account states. */
export const ROLE_LABELS: Readonly<Record<Role, string>> = { owner: 'Owner', admin: 'Admin', manager: 'Manager', cashier: 'Cashier', stock_clerk: 'Stock clerk' };

export const roleLabel = (role: string): string => ROLE_LABELS[role as Role] ?? role;

export function locationsLabel(locations: readonly string[]): string {
  return locations.includes('*') ? 'All locations' : locations.join(', ') || '—';
}

export function statusLabel(m: { active: boolean; mustChangePassword: boolean }): string {
  if (!m.active) return 'Locked';
  return m.mustChangePassword ? 'Invited (temporary password)' : 'Active';
}

/** `YYYY-MM-DD` of today in the browser's zone, and n days before. */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
export const daysAgo = (n: number): string => isoDay(new Date(Date.now() - n * 86_400_000));
