import type { APPROVAL_ACTIONS } from './schemas/location.ts';

/** Roles and the permissions they carry (DESIGN.md §4). Shared: the server enforces, the UI hides. */
export const ROLES = ['owner', 'admin', 'manager', 'cashier', 'stock_clerk'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'sale:create',
  'sale:void',
  'sale:refund',
  'discount:override',
  'report:view',
  'inventory:adjust',
  'inventory:count',
  'catalog:edit',
  'customer:manage',
  'staff:manage',
  'settings:manage'
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: ALL,
  admin: ALL,
  manager: [
    'sale:create',
    'sale:void',
    'sale:refund',
    'discount:override',
    'report:view',
    'inventory:adjust',
    'inventory:count',
    'catalog:edit',
    'customer:manage'
  ],
  cashier: ['sale:create'],
  stock_clerk: ['inventory:count', 'inventory:adjust']
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Owners and admins see every location of their tenant; other roles only the ones they are given. */
export function hasAllLocations(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

/**
 * The permission the approving staff member must hold for each manager-approval action recorded on a
 * register document (schemas/location.ts `approvals`). Drawer and override actions without a
 * permission of their own need `sale:void`: manager level, which cashiers do not have.
 */
export const APPROVAL_PERMISSION: Readonly<Record<(typeof APPROVAL_ACTIONS)[number], Permission>> = {
  void: 'sale:void',
  refund_without_receipt: 'sale:refund',
  discount_over_limit: 'discount:override',
  price_override: 'discount:override',
  no_sale: 'sale:void',
  payout: 'sale:void',
  close_unsynced: 'sale:void',
  credit_over_limit: 'sale:void'
};
