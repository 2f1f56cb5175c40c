import { describe, expect, it } from 'vitest';
import { cashier, gmManager, phone, register, untouchable } from '../../tests/support/use-cases.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import { cancelScheduledTaxVersion, locationTaxTable, saveLocationTaxVersion } from './tax-tables.ts';

describe('tax table use cases check their own caller, whoever calls them', () => {
  it('refuses devices and users without settings:manage before the store', async () => {
    const calls = (p: Principal) => [
      locationTaxTable(untouchable, p, 'GM'),
      saveLocationTaxVersion(untouchable, p, 'GM', { components: [] }),
      cancelScheduledTaxVersion(untouchable, p, 'GM', '2099-01-01')
    ];
    for (const r of [cashier, gmManager, register, phone].flatMap(calls)) {
      const err = await r.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(403);
    }
  });
});
