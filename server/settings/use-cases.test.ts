import { describe, expect, it } from 'vitest';
import { gmManager as manager, register, untouchable } from '../../tests/support/use-cases.ts';
import { AppError } from '../errors.ts';
import { createEnrolmentCode, listDevices, revokeDevice } from '../auth/flows.ts';
import { conflictsOverview, resolveConflictsNow } from '../sync/conflicts-admin.ts';
import { addTenantLocation, createTaxRate, deleteTaxRate, renameDevice, updateLocation, updateSettings, updateTaxRate } from './service.ts';

describe('settings writes check their own caller, whoever calls them', () => {
  it('refuses devices and users without settings:manage before the store', async () => {
    for (const p of [manager, register]) {
      for (const r of [
        updateLocation(untouchable, p, 'GM', {}),
        renameDevice(untouchable, p, '01J00000000000000000000000', 'Till'),
        updateSettings(untouchable, p, {}),
        createTaxRate(untouchable, p, {} as never),
        updateTaxRate(untouchable, p, 'tax_rate:x', {} as never),
        deleteTaxRate(untouchable, p, 'tax_rate:x'),
        addTenantLocation(untouchable, p, { nonsense: true }),
        createEnrolmentCode(untouchable, p, { nonsense: true }),
        revokeDevice(untouchable, p, '01J00000000000000000000000'),
        listDevices(untouchable, p),
        conflictsOverview(untouchable, p),
        resolveConflictsNow(untouchable, p)
      ]) {
        const err = await r.then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).status).toBe(403);
      }
    }
  });
});
