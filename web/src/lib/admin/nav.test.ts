import { describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS } from '../domain/permissions.ts';
import { landingFor, sectionsFor } from './nav.ts';

describe('admin landing page by role', () => {
  it('opens the first page a role has: the Dashboard for managers, Inventory for a stock clerk, nothing for a cashier', () => {
    expect(landingFor(ROLE_PERMISSIONS.owner)).toBe('/admin');
    expect(landingFor(ROLE_PERMISSIONS.manager)).toBe('/admin');
    expect(landingFor(ROLE_PERMISSIONS.stock_clerk)).toBe('/admin/inventory');
    expect(landingFor(ROLE_PERMISSIONS.cashier)).toBeNull();
    // every role's landing page is one of its own sections
    for (const perms of Object.values(ROLE_PERMISSIONS)) {
      const to = landingFor(perms);
      if (to) expect(sectionsFor(perms).map((s) => s.href)).toContain(to);
    }
  });
});
