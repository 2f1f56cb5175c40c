import { afterEach, describe, expect, it } from 'vitest';
import type { CartSnapshot } from '../cart.svelte.ts';
import { LOCKED_CART } from '../cart.svelte.ts';
import { listParked } from '../register-db.ts';
import { parkCart, resumeParked } from './park.ts';
import { testRegister, type TestRegister } from './register.fixture.ts';

const snapshot: CartSnapshot = {
  lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', taxCategory: '', qty: 2, unitPrice: 1_500, listPrice: 1_500 }],
  orderDiscount: null,
  customer: null,
  approvals: []
};
const cart = (over: { locked?: boolean } = {}) => ({ locked: over.locked ?? false, snapshot: () => structuredClone(snapshot) });

let reg: TestRegister;
afterEach(() => reg?.close());

describe('park and resume', () => {
  it('parks a cart under its name and resumes it once; a second register finds it gone', async () => {
    reg = await testRegister();
    const parked = await parkCart(reg, cart(), '  Blue jacket lady ');
    expect(parked).toMatchObject({ label: 'Blue jacket lady', parkedBy: reg.staff!.id, lines: [{ qty: 2 }] });
    expect((await listParked(reg.locationDb)).map((p) => p._id)).toEqual([parked._id]);
    const doc = await resumeParked(reg, { isEmpty: true }, parked._id);
    expect(doc.lines).toEqual(snapshot.lines);
    expect(await listParked(reg.locationDb)).toEqual([]);
    await expect(resumeParked(reg, { isEmpty: true }, parked._id)).rejects.toThrow('Another register already resumed this sale.');
    expect(reg.nudges).toBe(2);
  });

  it('refuses to park a cart with money taken, and to resume over a cart in progress', async () => {
    reg = await testRegister();
    await expect(parkCart(reg, cart({ locked: true }), 'x')).rejects.toThrow(LOCKED_CART);
    const parked = await parkCart(reg, cart(), 'x');
    await expect(resumeParked(reg, { isEmpty: false }, parked._id)).rejects.toThrow('Finish or park the current sale first.');
    expect((await listParked(reg.locationDb)).length).toBe(1);
  });
});
