import { describe, expect, it } from 'vitest';
import { apiKeyRefusal } from './api-key-access.ts';

const key = { tenantId: 'acme', scopes: ['catalog:read', 'sales:read'] as const };

describe('apiKeyRefusal', () => {
  it.each([
    ['t-acme-catalog', 'read'],
    ['t-acme-loc-gm', 'read'],
    ['t-acme-loc-hm', 'read']
  ] as const)('lets a key read %s', (db, need) => {
    expect(apiKeyRefusal(key, db, need)).toBeNull();
  });

  it.each([
    ['t-acme-customers', 'read', /scopes: catalog:read, sales:read/],
    ['t-acme-audit', 'read', /no access/],
    ['t-other-catalog', 'read', /no access/],
    ['platform', 'read', /no access/],
    ['t-acme-catalog', 'write', /read-only/],
    ['t-acme-loc-gm', 'checkpoint', /read-only/]
  ] as const)('refuses %s for %s', (db, need, reason) => {
    const r = apiKeyRefusal(key, db, need);
    expect(r?.status).toBe(403);
    expect(r?.reason).toMatch(reason);
  });

  it('a key without scopes reads nothing', () => {
    expect(apiKeyRefusal({ tenantId: 'acme', scopes: [] }, 't-acme-catalog', 'read')?.reason).toMatch(/scopes: none/);
  });
});
