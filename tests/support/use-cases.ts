import { expect } from 'vitest';
import type { Principal } from '../../server/auth/principal.ts';
import { AppError } from '../../server/errors.ts';

/**
 * For the use cases' own permission tests (server/<area>/use-cases.test.ts): a store that fails the
 * test if a refused call reaches it, the principals they are called as, and the refusal they answer.
 */
export const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('the store was reached before the permission check');
    }
  }
) as never;

export const cashier = { kind: 'user', userId: 'user:c1', tenantId: 't', role: 'cashier', locations: ['GM'], sid: 's' } as Principal;
/** a manager of GM only */
export const gmManager = { kind: 'user', userId: 'user:m1', tenantId: 't', role: 'manager', locations: ['GM'], sid: 's' } as Principal;
export const owner = { kind: 'user', userId: 'user:o1', tenantId: 't', role: 'owner', locations: ['*'], sid: 's' } as Principal;
export const register: Principal = { kind: 'device', deviceId: 'GM-1', tenantId: 't', locationCode: 'GM', deviceKind: 'register' };
export const phone: Principal = { kind: 'device', deviceId: 'GM-P1', tenantId: 't', locationCode: 'GM', deviceKind: 'rfid_phone' };

/** The AppError `p` was refused with (the test fails if it succeeded or threw anything else). */
export async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}
