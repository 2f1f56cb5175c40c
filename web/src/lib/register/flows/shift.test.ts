import { afterEach, describe, expect, it } from 'vitest';
import { recordSale } from '../register-db.ts';
import { ApprovalRequiredError, UnsyncedShiftError, type Approval } from '../shift.ts';
import { FlowRefused } from './register-context.ts';
import { closeOpenShift, moveCash, paymentsInProgress, recordDrawerOpen } from './shift.ts';
import { cashSale, manager, testRegister, type TestRegister } from './register.fixture.ts';

const approval = (action: Approval['action']): Approval => ({ action, staffId: manager.id, staffName: manager.name, at: new Date().toISOString() });

let reg: TestRegister;
afterEach(() => reg?.close());

describe('shift flows', () => {
  it('cash in and a payout with a manager’s approval land in the shift, each nudging sync', async () => {
    reg = await testRegister();
    await moveCash(reg, { kind: 'in', amount: 5_000, reason: ' float top-up ', approvals: [] });
    await expect(moveCash(reg, { kind: 'out', amount: 1_200, reason: 'window cleaner', approvals: [] })).rejects.toBeInstanceOf(ApprovalRequiredError);
    const out = await moveCash(reg, { kind: 'out', amount: 1_200, reason: 'window cleaner', approvals: [approval('payout')] });
    expect(out).toMatchObject({ kind: 'out', shiftId: reg.shift!._id, staffId: reg.staff!.id, approvals: [{ staffId: manager.id }] });
    expect((await reg.ids('cash:')).length).toBe(2);
    expect(reg.nudges).toBe(2);
  });

  it('refuses what the cashier must fix first, before any manager is asked', async () => {
    reg = await testRegister();
    await expect(moveCash(reg, { kind: 'in', amount: 0, reason: 'x', approvals: [] })).rejects.toThrow(new FlowRefused('Enter an amount greater than zero, like 20.00.'));
    await expect(moveCash(reg, { kind: 'in', amount: null, reason: 'x', approvals: [] })).rejects.toBeInstanceOf(FlowRefused);
    await expect(moveCash(reg, { kind: 'out', amount: 100, reason: '  ', approvals: [] })).rejects.toThrow('Say what the cash is paid out for.');
    expect(await reg.ids('cash:')).toEqual([]);
  });

  it('a no-sale is recorded before the drawer opens, and needs a manager for a cashier', async () => {
    reg = await testRegister();
    await expect(recordDrawerOpen(reg, [])).rejects.toBeInstanceOf(ApprovalRequiredError);
    expect(await recordDrawerOpen(reg, [approval('no_sale')])).toMatchObject({ kind: 'no_sale', amount: 0 });
  });

  it('without an open shift nothing is recorded', async () => {
    reg = await testRegister({ shift: false });
    await expect(moveCash(reg, { kind: 'in', amount: 100, reason: 'float', approvals: [] })).rejects.toThrow('No shift is open on this register.');
    await expect(closeOpenShift(reg, { denominations: {}, unsynced: 0, approvals: [] })).rejects.toThrow('No shift is open on this register.');
  });

  it('closing: refused over a payment in progress and over unsynced changes; then one close with the Z report', async () => {
    reg = await testRegister();
    await recordSale(reg.locationDb, cashSale(reg));
    reg.openPayments = [{ cashierName: 'Casey Cashier', taken: 500 }];
    expect(await paymentsInProgress(reg)).toBe('A sale has a payment in progress: Casey Cashier ($5.00 taken). Finish that sale, or cancel its payment, before closing the shift.');
    await expect(closeOpenShift(reg, { denominations: { '2000': 6 }, unsynced: 0, approvals: [] })).rejects.toBeInstanceOf(FlowRefused);
    reg.openPayments = [];
    await expect(closeOpenShift(reg, { denominations: { '2000': 6 }, unsynced: 3, approvals: [] })).rejects.toBeInstanceOf(UnsyncedShiftError);
    expect(await reg.ids('shift_close:')).toEqual([]);

    const { close, report } = await closeOpenShift(reg, { denominations: { '2000': 6 }, unsynced: 3, approvals: [approval('close_unsynced')] });
    // float 100.00 + a 20.00 cash sale = 120.00 expected; counted 6 × 20.00
    expect(report.expectedCash).toBe(12_000);
    expect(close).toMatchObject({ countedCash: 12_000, overShort: 0, unsyncedAtClose: 3 });
    expect(reg.nudges).toBe(1);
    await expect(closeOpenShift(reg, { denominations: {}, unsynced: 0, approvals: [] })).rejects.toThrow(/already closed/);
  });
});
