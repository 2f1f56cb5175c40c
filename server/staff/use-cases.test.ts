import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import { AppError } from '../errors.ts';
import { inviteStaff, resetPassword, resetPin, setLocked, updateMember } from './accounts.ts';

/** A store that fails the test if a refused call reaches it. */
const untouchable = new Proxy({}, { get: () => { throw new Error('the store was reached before the permission check'); } }) as unknown as Couch;
const cashier: Principal = { kind: 'user', userId: 'user:c1', tenantId: 't', role: 'cashier', locations: ['GM'], sid: 's' } as Principal;
const owner: Principal = { kind: 'user', userId: 'user:o1', tenantId: 't', role: 'owner', locations: ['*'], sid: 's' } as Principal;
const register: Principal = { kind: 'device', deviceId: 'GM-1', tenantId: 't', locationCode: 'GM', deviceKind: 'register' };
const id = 'user:01J00000000000000000000000';

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('staff account writes check their own caller, whoever calls them', () => {
  it('refuses devices and users without staff:manage before reading the input or the store', async () => {
    for (const principal of [cashier, register]) {
      const caller = { principal };
      for (const r of [inviteStaff(untouchable, caller, { nonsense: true }), updateMember(untouchable, caller, id, {}), setLocked(untouchable, caller, id, true), resetPin(untouchable, caller, id, {}), resetPassword(untouchable, caller, id)]) {
        expect((await failure(r)).status).toBe(403);
      }
    }
    expect((await failure(inviteStaff(untouchable, { principal: register }, {}))).message).toBe('Inviting staff needs a signed-in admin account');
  });

  it('an owner with a malformed member id or input gets a 400, before the store', async () => {
    expect((await failure(resetPassword(untouchable, { principal: owner }, 'nope'))).status).toBe(400);
    expect((await failure(inviteStaff(untouchable, { principal: owner }, { email: 'not an email' }))).status).toBe(400);
  });
});
