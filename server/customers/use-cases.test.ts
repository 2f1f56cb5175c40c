import { describe, expect, it } from 'vitest';
import type { Couch } from '../couch/client.ts';
import { AppError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { customerFor, customerLedgerFor, findCustomers, giftCardFor, loyaltyRulesFor, purchasesFor } from './queries.ts';
import { adjustBalance, issueGiftCard, mergeCustomers, previewMerge, setLoyaltyRules, updateProfile } from './service.ts';

/** A store that fails the test if a refused call reaches it. */
const untouchable = new Proxy({}, { get: () => { throw new Error('the store was reached before the permission check'); } }) as unknown as Couch;
const cashier: Principal = { kind: 'user', userId: 'user:c1', tenantId: 't', role: 'cashier', locations: ['GM'], sid: 's' } as Principal;
const manager: Principal = { kind: 'user', userId: 'user:m1', tenantId: 't', role: 'manager', locations: ['GM'], sid: 's' } as Principal;
const register: Principal = { kind: 'device', deviceId: 'GM-1', tenantId: 't', locationCode: 'GM', deviceKind: 'register' };

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(403);
  return (err as AppError).message;
}

describe('customer use cases check their own caller, whoever calls them', () => {
  it('refuses a caller without the permission before reading the input or the store', async () => {
    for (const principal of [cashier, register]) {
      const caller = { principal };
      // the input is not even valid: the permission answers first, so a refused caller learns nothing about the schema
      expect(await refusal(adjustBalance(untouchable, caller, { nonsense: true }))).toBe('Adjusting a balance needs the customer:manage permission');
      expect(await refusal(issueGiftCard(untouchable, caller, {}))).toBe('Issuing a gift card needs the customer:manage permission');
      expect(await refusal(updateProfile(untouchable, caller, 'not-an-id', {}))).toBe('Editing a customer needs the customer:manage permission');
      expect(await refusal(previewMerge(untouchable, caller, {}))).toBe('Merging customers needs the customer:manage permission');
      expect(await refusal(mergeCustomers(untouchable, caller, {}))).toBe('Merging customers needs the customer:manage permission');
      // the reads too
      expect(await refusal(findCustomers(untouchable, principal, { q: '', page: 1, pageSize: 25, includeMerged: false }))).toBe('Searching customers needs the customer:manage permission');
      expect(await refusal(loyaltyRulesFor(untouchable, principal))).toBe('Viewing the loyalty rules needs the customer:manage permission');
      expect(await refusal(giftCardFor(untouchable, principal, '6000000000000000'))).toBe('Looking up a gift card needs the customer:manage permission');
      for (const r of [customerFor(untouchable, principal, 'customer:x'), customerLedgerFor(untouchable, principal, 'customer:x', 'loyalty'), purchasesFor(untouchable, principal, 'customer:x', { page: 1, pageSize: 20 })]) {
        expect(await refusal(r)).toBe('Viewing a customer needs the customer:manage permission');
      }
    }
    // the loyalty rules are a setting: a manager manages customers but not settings
    expect(await refusal(setLoyaltyRules(untouchable, { principal: manager }, { pointsPerUnit: 2, pointsPerRedeemUnit: 50 }))).toBe('Changing the loyalty rules needs the settings:manage permission');
  });

  it('a permitted caller with bad input gets a 400 naming the problem, still without touching the store', async () => {
    const err = await adjustBalance(untouchable, { principal: manager }, { account: 'loyalty' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
  });
});
