import { describe, expect, it } from 'vitest';
import { cashier, failure, gmManager, phone, register, untouchable } from '../../tests/support/use-cases.ts';
import { approve, countFor, listCounts, recordCounts, reject, startCount, submit } from './counts.ts';
import { cancelPurchaseOrder, createPurchaseOrder, listPurchaseOrders, listSuppliers, orderFor, receivePurchaseOrder, saveSupplier, sendPurchaseOrder, updatePurchaseOrder, variantForOrder } from './purchase-orders.ts';
import { createTransfer, receiveTransfer, recordAdjustment, shipTransfer, transferFor } from './service.ts';
import { setThresholds } from './stock-admin.ts';
import { adjustmentsAt, inventoryLocations, lookupVariantAt, stockAlertsFor, stockLevelsAt, valuationFor, variantNames } from './stock-queries.ts';

const adjustment = { location: 'HM', reason: 'damage', lines: [{ variantId: 'p1-v01', qty: -1 }] };

describe('inventory use cases check their own caller, whoever calls them', () => {
  it('refuses a caller who may not adjust or move stock anywhere before reading the input or the store', async () => {
    for (const principal of [cashier, register, phone]) {
      // the input is nonsense: the permission answers first, so a refused caller learns nothing about the schema
      expect((await failure(recordAdjustment(untouchable, { principal }, { nonsense: true }))).status).toBe(403);
    }
    for (const principal of [cashier, register]) expect((await failure(shipTransfer(untouchable, { principal }, 'transfer:GM:01J00000000000000000000000'))).status).toBe(403);
    // an RFID phone may ship its store's transfers: it gets as far as reading the transfer
    await expect(shipTransfer(untouchable, { principal: phone }, 'transfer:GM:01J00000000000000000000000')).rejects.toThrow('the store was reached');
    for (const principal of [cashier, register]) {
      expect((await failure(createTransfer(untouchable, { principal }, {}))).status).toBe(403);
      expect((await failure(receiveTransfer(untouchable, { principal }, 'transfer:GM:01J00000000000000000000000', {}))).status).toBe(403);
      expect((await failure(transferFor(untouchable, { principal }, 'transfer:view', 'transfer:GM:01J00000000000000000000000'))).status).toBe(403);
    }
  });

  it('refuses a permitted caller at a store it has no access to, before touching the store', async () => {
    const err = await failure(recordAdjustment(untouchable, { principal: gmManager }, adjustment));
    expect(err.status).toBe(403);
    expect(err.message, err.message).toMatch(/no access to location HM/);
    const t = await failure(createTransfer(untouchable, { principal: gmManager }, { from: 'HM', to: 'GM', lines: [{ variantId: 'p1-v01', qty: 1 }] }));
    expect(t.status, t.message).toBe(403);
  });

  it('a permitted caller with bad input gets a 400 naming the problem, without touching the store', async () => {
    const err = await failure(recordAdjustment(untouchable, { principal: gmManager }, { ...adjustment, location: 'GM', lines: [] }));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/at least one line/);
  });

  it('stock thresholds need inventory:adjust at their store, checked before the input or the store', async () => {
    for (const principal of [cashier, register, phone]) expect((await failure(setThresholds(untouchable, { principal }, { nonsense: true }))).status).toBe(403);
    const other = await failure(setThresholds(untouchable, { principal: gmManager }, { location: 'HM', variantIds: ['p1-v01'], lowStock: 2, reorderPoint: 4 }));
    expect(other.status, other.message).toBe(403);
    expect(other.message).toMatch(/no access to location HM/);
    expect((await failure(setThresholds(untouchable, { principal: gmManager }, { location: 'GM' }))).status).toBe(400);
  });

  it('stock reads need inventory:adjust (valuation also report:view) and the store, checked before the store', async () => {
    for (const principal of [cashier, register, phone]) {
      for (const r of [
        inventoryLocations(untouchable, principal),
        stockLevelsAt(untouchable, principal, { location: 'GM', q: '', filter: 'all', page: 1, pageSize: 50 }),
        lookupVariantAt(untouchable, principal, 'GM', '123'),
        variantNames(untouchable, principal, ['p1-v01']),
        adjustmentsAt(untouchable, principal, 'GM', 10),
        stockAlertsFor(untouchable, principal),
        valuationFor(untouchable, principal, 'GM')
      ])
        expect((await failure(r)).status).toBe(403);
    }
    for (const r of [stockLevelsAt(untouchable, gmManager, { location: 'HM', q: '', filter: 'all', page: 1, pageSize: 50 }), adjustmentsAt(untouchable, gmManager, 'HM', 10), stockAlertsFor(untouchable, gmManager, 'HM')]) {
      expect((await failure(r)).message).toMatch(/no access to location HM/);
    }
  });

  it('count sessions: counting needs inventory:count, reviewing inventory:adjust, each checked before the store', async () => {
    const id = 'count:GM:01J00000000000000000000000';
    for (const principal of [cashier, register]) {
      const caller = { principal };
      expect((await failure(startCount(untouchable, caller, { nonsense: true }))).status).toBe(403);
      expect((await failure(recordCounts(untouchable, caller, id, {}))).status).toBe(403);
      expect((await failure(submit(untouchable, caller, id))).status).toBe(403);
      expect((await failure(approve(untouchable, caller, id))).status).toBe(403);
      expect((await failure(reject(untouchable, caller, id, {}))).status).toBe(403);
      expect((await failure(countFor(untouchable, caller, 'inventory:adjust', 'Viewing counts', id))).status).toBe(403);
      expect((await failure(listCounts(untouchable, caller, 'GM'))).status).toBe(403);
    }
    // a manager may review: a rejection without a reason is a 400 before anything is read
    expect((await failure(reject(untouchable, { principal: gmManager }, id, {}))).status).toBe(400);
  });

  it('suppliers and purchase orders need inventory:adjust (and the order’s store), checked before the store', async () => {
    const id = 'po:GM:01J00000000000000000000000';
    for (const principal of [cashier, register, phone]) {
      const caller = { principal };
      expect((await failure(saveSupplier(untouchable, caller, { nonsense: true }))).status).toBe(403);
      expect((await failure(createPurchaseOrder(untouchable, caller, {}))).status).toBe(403);
      expect((await failure(updatePurchaseOrder(untouchable, caller, id, {}))).status).toBe(403);
      expect((await failure(sendPurchaseOrder(untouchable, caller, id))).status).toBe(403);
      expect((await failure(cancelPurchaseOrder(untouchable, caller, id))).status).toBe(403);
      expect((await failure(receivePurchaseOrder(untouchable, caller, id, {}))).status).toBe(403);
      expect((await failure(orderFor(untouchable, caller, 'Viewing purchase orders', id))).status).toBe(403);
      expect((await failure(listSuppliers(untouchable, caller))).status).toBe(403);
      expect((await failure(variantForOrder(untouchable, caller, '123'))).status).toBe(403);
      expect((await failure(listPurchaseOrders(untouchable, caller, 'GM'))).status).toBe(403);
    }
    expect((await failure(listPurchaseOrders(untouchable, { principal: gmManager }, 'HM'))).message).toMatch(/no access to location HM/);
    expect((await failure(listCounts(untouchable, { principal: gmManager }, 'HM'))).message).toMatch(/no access to location HM/);
    const other = await failure(createPurchaseOrder(untouchable, { principal: gmManager }, { location: 'HM', supplierId: 'supplier:x', lines: [{ variantId: 'p1-v01', qty: 1, unitCost: 100 }] }));
    expect([400, 403]).toContain(other.status);
  });
});
