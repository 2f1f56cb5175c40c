import { describe, expect, it } from 'vitest';
import { cashier, failure, owner, register, untouchable } from '../../tests/support/use-cases.ts';
import { inviteStaff, resetPassword, resetPin, setLocked, updateMember } from './accounts.ts';

const id = 'user:01J00000000000000000000000';

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
