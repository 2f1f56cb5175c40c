import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { createTaxRate, deleteTaxRate, renameDevice, updateLocation, updateSettings, updateTaxRate } from './service.ts';

/** A context that fails the test if a refused call reaches the store or the device registry. */
const untouchable = new Proxy({}, { get: () => { throw new Error('the store was reached before the permission check'); } }) as unknown as Ctx;
const manager: Principal = { kind: 'user', userId: 'user:m1', tenantId: 't', role: 'manager', locations: ['GM'], sid: 's' } as Principal;
const register: Principal = { kind: 'device', deviceId: 'GM-1', tenantId: 't', locationCode: 'GM', deviceKind: 'register' };

describe('settings writes check their own caller, whoever calls them', () => {
  it('refuses devices and users without settings:manage before the store', async () => {
    for (const p of [manager, register]) {
      for (const r of [
        updateLocation(untouchable, p, 'GM', {}),
        renameDevice(untouchable, p, '01J00000000000000000000000', 'Till'),
        updateSettings(untouchable, p, {}),
        createTaxRate(untouchable, p, {} as never),
        updateTaxRate(untouchable, p, 'tax_rate:x', {} as never),
        deleteTaxRate(untouchable, p, 'tax_rate:x')
      ]) {
        const err = await r.then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).status).toBe(403);
      }
    }
  });
});
