import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import type { Couch } from '../couch/client.ts';
import { AppError } from '../errors.ts';
import { storeImage } from './images.ts';
import { createPriceRule, deletePriceRule, updatePriceRule } from './price-rules.ts';
import { createCategory, createProduct, deleteCategory, setProductStatus, updateCategory, updateProduct } from './products.ts';

/** A store that fails the test if a refused call reaches it. */
const untouchable = new Proxy({}, { get: () => { throw new Error('the store was reached before the permission check'); } }) as unknown as Couch;
const cashier: Principal = { kind: 'user', userId: 'user:c1', tenantId: 't', role: 'cashier', locations: ['GM'], sid: 's' } as Principal;
const manager: Principal = { kind: 'user', userId: 'user:m1', tenantId: 't', role: 'manager', locations: ['GM'], sid: 's' } as Principal;
const register: Principal = { kind: 'device', deviceId: 'GM-1', tenantId: 't', locationCode: 'GM', deviceKind: 'register' };

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('catalog writes check their own caller, whoever calls them', () => {
  it('refuses a caller without catalog:edit before reading the input or the store', async () => {
    for (const principal of [cashier, register]) {
      const caller = { principal };
      const refusals = [
        createProduct(untouchable, caller, { nonsense: true }),
        updateProduct(untouchable, caller, 'product:x', {}),
        setProductStatus(untouchable, caller, 'product:x', 'archived', {}),
        createCategory(untouchable, caller, {}),
        updateCategory(untouchable, caller, 'category:x', {}),
        deleteCategory(untouchable, caller, 'category:x', {}),
        createPriceRule(untouchable, caller, {}),
        updatePriceRule(untouchable, caller, 'price_rule:x', {}),
        deletePriceRule(untouchable, caller, 'price_rule:x', {}),
        storeImage(untouchable, caller, Buffer.alloc(0), 'image/png')
      ];
      for (const r of refusals) expect((await failure(r)).status).toBe(403);
    }
    expect((await failure(createProduct(untouchable, { principal: cashier }, {}))).message).toBe('Creating a product needs the catalog:edit permission');
  });

  it('a permitted caller with bad input gets a 400 naming the problem, without touching the store', async () => {
    const err = await failure(deleteCategory(untouchable, { principal: manager }, 'category:x', {}));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/rev/);
  });
});
