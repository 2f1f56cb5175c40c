import { afterEach, describe, expect, it } from 'vitest';
import { findSale, recordSale } from '../register-db.ts';
import { loadReturnable } from '../returns.ts';
import type { Approval } from '../shift.ts';
import { FlowRefused } from './register-context.ts';
import { SaleAlreadyVoidedError, voidRequestProblem, voidSale } from './void.ts';
import { cashSale, manager, testRegister, type TestRegister } from './register.fixture.ts';

const approval: Approval = { action: 'void', staffId: manager.id, staffName: manager.name, at: new Date().toISOString() };

let reg: TestRegister;
afterEach(() => reg?.close());

const returnable = async (id: string) => (await loadReturnable(reg.locationDb, id, async () => new Map()))!;

describe('void flow', () => {
  it('voids a sale once with the manager’s approval: every tender back, sync nudged', async () => {
    reg = await testRegister();
    const sale = cashSale(reg, { tenders: [{ kind: 'cash', amount: 2_500 }], change: 500 });
    await recordSale(reg.locationDb, sale);
    const found = await returnable(sale._id);
    const doc = await voidSale(reg, found, 'rang the wrong coat', approval);
    expect(doc).toMatchObject({ saleId: sale._id, total: -2_000, tenders: [{ kind: 'cash', amount: -2_000 }], approvals: [{ action: 'void', staffId: manager.id }] });
    expect(reg.nudges).toBe(1);
    // the screen still shows the sale as not voided: the second void is refused by the store, not by the screen
    await expect(voidSale(reg, found, 'again', approval)).rejects.toBeInstanceOf(SaleAlreadyVoidedError);
    expect(voidRequestProblem(await returnable(sale._id), 'again')).toBe('This sale has already been voided.');
    expect(await findSale(reg.locationDb, sale._id)).toMatchObject({ total: 2_000 });
  });

  it('refuses without a reason, and for sales a void cannot settle (store credit)', async () => {
    reg = await testRegister();
    const sale = cashSale(reg);
    const credit = cashSale(reg, { tenders: [{ kind: 'store_credit', amount: 2_000, reference: 'customer:ada' }], customerId: 'customer:ada' });
    await recordSale(reg.locationDb, sale);
    await recordSale(reg.locationDb, credit);
    await expect(voidSale(reg, await returnable(sale._id), '  ', approval)).rejects.toThrow(new FlowRefused('Enter the reason for the void.'));
    await expect(voidSale(reg, await returnable(credit._id), 'mistake', approval)).rejects.toThrow(/store credit or a gift card/);
    expect(await reg.ids('void:')).toEqual([]);
  });
});
