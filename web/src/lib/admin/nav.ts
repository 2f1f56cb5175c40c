import type { Permission } from '../domain/permissions.ts';

/**
 * The admin portal's sections, in menu order. A section shows only to users holding its permission
 * (the UI hides what the server would refuse; every API call checks again).
 */
export interface NavSection {
  href: string;
  label: string;
  permission: Permission;
}

export const ADMIN_SECTIONS: readonly NavSection[] = [
  { href: '/admin', label: 'Dashboard', permission: 'report:view' },
  { href: '/admin/setup', label: 'Setup', permission: 'settings:manage' },
  { href: '/admin/sales', label: 'Sales', permission: 'report:view' },
  { href: '/admin/reports', label: 'Reports', permission: 'report:view' },
  { href: '/admin/catalog', label: 'Catalog', permission: 'catalog:edit' },
  { href: '/admin/inventory', label: 'Inventory', permission: 'inventory:adjust' },
  { href: '/admin/customers', label: 'Customers', permission: 'customer:manage' },
  { href: '/admin/staff', label: 'Staff', permission: 'staff:manage' },
  // Settings → Messages, open to managers too (they see their stores' messages and resend them)
  { href: '/admin/settings/messages', label: 'Messages', permission: 'report:view' },
  { href: '/admin/settings', label: 'Settings', permission: 'settings:manage' }
];

export function sectionsFor(permissions: readonly string[]): NavSection[] {
  return ADMIN_SECTIONS.filter((s) => permissions.includes(s.permission));
}

/** The section a path belongs to: the longest matching prefix (`/admin` only for itself). */
export function currentSection(path: string): NavSection | undefined {
  return ADMIN_SECTIONS.filter((s) => (s.href === '/admin' ? path === '/admin' || path === '/admin/' : path === s.href || path.startsWith(`${s.href}/`))).sort(
    (a, b) => b.href.length - a.href.length
  )[0];
}
