import { afterEach, describe, expect, it } from 'vitest';
import type { PricedLine } from '../../domain/cart.ts';
import { StorageError, type LayawayStatus } from '../register-db.ts';
import { FlowRefused } from './register-context.ts';
import { cancelLayaway, cancellationRefund, closePickedUp, currentLayaway, depositCheck, LayawayClosedError, openLayaways, payLayaway, paymentCheck, startLayaway } from './layaway.ts';
import { testRegister, type TestRegister } from './register.fixture.ts';

const lines: PricedLine[] = [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Coat', taxCategory: '', qty: 1, unitPrice: 10_000, listPrice: 10_000, discount: 0, tax: 0, total: 10_000 }];
const cash = (amount: number, change = 0) => ({ tenders: [{ kind: 'cash' as const, amount }], change, rounding: 0 });
const input = (over: Partial<Parameters<typeof startLayaway>[1]> = {}) => ({
  customer: { _id: 'customer:ada' },
  currency: 'USD',
  lines,
  total: 10_000,
  deposit: cash(2_000),
  cancellationFeeBp: 1_000,
  pricesIncludeTax: false,
  approvals: [],
  ...over
});

let reg: TestRegister;
afterEach(() => reg?.close());

async function opened(deposit = cash(2_000)): Promise<LayawayStatus> {
  await startLayaway(reg, input({ deposit }));
  const [s] = await openLayaways(reg);
  return s!;
}

describe('layaway flows', () => {
  it('opens a layaway with its deposit: stored once, sync nudged, what was paid returned', async () => {
    reg = await testRegister();
    const { doc, paid } = await startLayaway(reg, input({ deposit: cash(2_500, 500) }));
    expect(paid).toBe(2_000);
    expect(doc._id).toMatch(/^layaway:R1:/);
    expect(doc.shiftId).toBe(reg.shift!._id);
    expect(reg.nudges).toBe(1);
    const [s] = await openLayaways(reg);
    expect(s).toMatchObject({ paid: 2_000, balance: 8_000, close: null });
  });

  it('refuses, writing nothing: no shift, no customer, a store-credit deposit, a storage failure', async () => {
    reg = await testRegister({ shift: false });
    await expect(startLayaway(reg, input())).rejects.toThrow(new FlowRefused('Open a shift first: layaway money goes through the drawer.'));
    await reg.close();

    reg = await testRegister();
    await expect(startLayaway(reg, input({ customer: null }))).rejects.toThrow('A layaway needs a customer');
    await expect(startLayaway(reg, input({ deposit: { tenders: [{ kind: 'store_credit', amount: 2_000 }], change: 0, rounding: 0 } }))).rejects.toThrow('Store credit and gift cards cannot be used');
    expect(await reg.ids('layaway')).toEqual([]);
    expect(reg.nudges).toBe(0);

    const put = reg.locationDb.put.bind(reg.locationDb);
    reg.locationDb.put = (() => Promise.reject(Object.assign(new Error('QuotaExceededError'), { name: 'QuotaExceededError' }))) as typeof put;
    await expect(startLayaway(reg, input())).rejects.toBeInstanceOf(StorageError);
    expect(reg.storageError).toMatch(/storage is full/);
    // and money-taking stops until the cashier acknowledges it
    expect(depositCheck(reg, 2_000, 10_000, 2_000)).toMatch(/storage is full/);
    reg.locationDb.put = put;
    expect(await reg.ids('layaway')).toEqual([]);
  });

  it('checks a deposit against the rule before the payment dialog opens', async () => {
    reg = await testRegister();
    expect(depositCheck(reg, 1_999, 10_000, 2_000)).toBe('The deposit must be at least the minimum deposit.');
    expect(depositCheck(reg, 10_001, 10_000, 2_000)).toBe('The deposit cannot be more than the layaway total.');
    expect(depositCheck(reg, null, 10_000, 2_000)).toBe('Enter the deposit amount.');
    expect(depositCheck(reg, 2_000, 10_000, 2_000)).toBeNull();
  });

  it('takes payments against the balance as stored now, never more than it', async () => {
    reg = await testRegister();
    const s = await opened();
    const now = await paymentCheck(reg, s, 3_000);
    const { balance } = await payLayaway(reg, now, cash(3_000));
    expect(balance).toBe(5_000);
    // the list the cashier still has on screen says 8,000 is due; the stored layaway says 5,000
    await expect(paymentCheck(reg, s, 6_000)).rejects.toThrow('A payment cannot be more than the balance.');
    expect((await currentLayaway(reg, s)).balance).toBe(5_000);
    await expect(payLayaway(reg, now, { tenders: [{ kind: 'gift_card', amount: 100, reference: 'G1' }], change: 0, rounding: 0 })).rejects.toBeInstanceOf(FlowRefused);
  });

  it('a pickup closes the layaway once; a second close finds it closed and says a manager must look', async () => {
    reg = await testRegister();
    const s = await opened();
    expect(await closePickedUp(reg, s.layaway, 'sale:R1:01J0000000000000000000000A')).toEqual({ ok: true });
    expect(await openLayaways(reg)).toEqual([]);
    await expect(currentLayaway(reg, s)).rejects.toThrow(new LayawayClosedError('picked_up'));
    const again = await closePickedUp(reg, s.layaway, 'sale:R1:01J0000000000000000000000B');
    expect(again).toMatchObject({ ok: false, retry: null });
    expect(again.ok ? '' : again.message).toMatch(/already been closed at another register/);
  });

  it('a pickup close that fails to store is kept for a retry', async () => {
    reg = await testRegister();
    const s = await opened();
    const put = reg.locationDb.put.bind(reg.locationDb);
    reg.locationDb.put = (() => Promise.reject(new Error('disk I/O error'))) as typeof put;
    const res = await closePickedUp(reg, s.layaway, 'sale:R1:01J0000000000000000000000A');
    expect(res.ok).toBe(false);
    expect(res.ok ? null : res.retry?.layawayId).toBe(s.layaway._id);
  });

  it('cancels with the fee kept; cash rounding of the refund stays with the store; twice is refused', async () => {
    reg = await testRegister();
    const s = await opened();
    expect(cancellationRefund(s)).toEqual({ fee: 200, refund: 1_800 });
    const { back, feeKept, close } = await cancelLayaway(reg, s, [{ kind: 'cash', amount: -1_800 }]);
    expect({ back, feeKept }).toEqual({ back: 1_800, feeKept: 200 });
    expect(close).toMatchObject({ outcome: 'cancelled', feeKept: 200, tenders: [{ kind: 'cash', amount: -1_800 }] });
    await expect(cancelLayaway(reg, s, [{ kind: 'cash', amount: -1_800 }])).rejects.toThrow('This layaway was already closed at another register: nothing was refunded.');
  });
});
