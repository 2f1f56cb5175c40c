import { describe, expect, it } from 'vitest';
import { formatMoney } from '../domain/money.ts';
import { paymentVoidSchema } from '../domain/schemas/index.ts';
import type { CartSnapshot } from './cart.svelte.ts';
import { buildPaymentVoid, giveBackText, OPEN_SALES_ID, OpenSales, paymentVoidSlipLines, tendersStillHeld } from './open-sales.ts';
import { InvalidDocumentError, StorageError } from './register-db.ts';

import { localDb, asPouch as asDb } from './local-db.fixture.ts';


const line = (lineId: string, qty = 1, unitPrice = 11_430) => ({ lineId, productId: `product:${lineId}`, variantId: `${lineId}-v01`, sku: `S-${lineId}`, name: `Item ${lineId}`, taxCategory: 'general', qty, unitPrice, listPrice: unitPrice });
const cart = (over: Partial<CartSnapshot> = {}): CartSnapshot => ({ lines: [line('a')], orderDiscount: null, customer: null, approvals: [], layawayId: null, tenders: [], saleId: null, ...over });
const SALE = 'sale:REG1:01JCDEFGHJKMNPQRSTVWXYZ000';

describe('OpenSales (the sales in progress, durable with the location replica)', () => {
  it('keeps a cart with the tenders taken toward it, per cashier, across a new instance (a reload)', async () => {
    const db = localDb();
    const a = new OpenSales(asDb(db));
    await a.save('user:carla', cart({ tenders: [{ kind: 'cash', amount: 2000 }], saleId: SALE }));
    await a.save('user:maria', cart({ lines: [line('b', 2, 500)] }));

    const reloaded = new OpenSales(asDb(db));
    const carla = await reloaded.get('user:carla');
    expect(carla?.tenders).toEqual([{ kind: 'cash', amount: 2000 }]);
    expect(carla?.saleId).toBe(SALE);
    expect((await reloaded.get('user:maria'))?.lines).toHaveLength(1);
    expect([...db.store.keys()]).toEqual([OPEN_SALES_ID]);

    await reloaded.save('user:carla', null);
    expect(await new OpenSales(asDb(db)).get('user:carla')).toBeNull();
    expect(await new OpenSales(asDb(db)).get('user:maria')).not.toBeNull();
  });

  it('coalesces a burst of changes into few writes, the last state winning', async () => {
    const db = localDb();
    const s = new OpenSales(asDb(db));
    const saves = [];
    for (let i = 1; i <= 20; i++) saves.push(s.save('user:carla', cart({ lines: Array.from({ length: i }, (_, k) => line(`l${k}`)) })));
    await Promise.all(saves);
    expect((await s.get('user:carla'))?.lines).toHaveLength(20);
    expect(db.puts).toBeLessThanOrEqual(3);
  });

  it('two tabs of one register with different cashiers do not undo each other (409 → re-read and re-apply)', async () => {
    const store = new Map();
    const tab1 = new OpenSales(asDb(localDb(store)));
    const tab2 = new OpenSales(asDb(localDb(store)));
    await Promise.all([
      tab1.save('user:carla', cart({ tenders: [{ kind: 'cash', amount: 2000 }], saleId: SALE })),
      tab2.save('user:maria', cart({ tenders: [{ kind: 'card_external', amount: 1500 }], saleId: 'sale:REG1:01JCDEFGHJKMNPQRSTVWXYZ001' }))
    ]);
    const all = await new OpenSales(asDb(localDb(store))).all();
    expect([...all.keys()].sort()).toEqual(['user:carla', 'user:maria']);
    expect(all.get('user:carla')?.tenders?.[0]?.amount).toBe(2000);
    expect(all.get('user:maria')?.tenders?.[0]?.amount).toBe(1500);
  });

  it('a reload before the durable write lands gives back the latest cart from the pending mirror; a durable write clears it', async () => {
    const kv = new Map<string, string>();
    const storage = { getItem: (k: string) => kv.get(k) ?? null, setItem: (k: string, v: string) => void kv.set(k, v), removeItem: (k: string) => void kv.delete(k) };
    const store = new Map();
    const s = new OpenSales(asDb(localDb(store)), storage);
    await s.save('user:carla', cart());
    expect(kv.size).toBe(0); // durable: nothing pending
    // the second scan's write has not landed when the page goes away
    const lost = s.save('user:carla', cart({ lines: [line('a'), line('b')] }));
    const reloaded = new OpenSales(asDb(localDb(store)), storage);
    expect((await reloaded.get('user:carla'))?.lines.map((l) => l.lineId)).toEqual(['a', 'b']);
    await lost;
    expect(kv.size).toBe(0);
    // a removal pending is a removal too; a mirror entry that is not a cart is ignored
    void s.save('user:carla', null);
    expect(await new OpenSales(asDb(localDb(store)), storage).get('user:carla')).toBeNull();
    await s.flush();
    kv.set('pos.openSales.pending:location-test', JSON.stringify({ 'user:maria': { token: 'x', cart: { lines: 'nope' } } }));
    expect(await new OpenSales(asDb(localDb(store)), storage).get('user:maria')).toBeNull();
    kv.set('pos.openSales.pending:location-test', '{broken');
    expect(await new OpenSales(asDb(localDb(store)), storage).all()).toEqual(new Map());
  });

  it('refuses a cart that is not one, and reports a failed write as a storage error to every waiter', async () => {
    const db = localDb();
    const s = new OpenSales(asDb(db));
    await expect(s.save('user:carla', cart({ tenders: [{ kind: 'cash', amount: 0 }] }))).rejects.toBeInstanceOf(InvalidDocumentError);
    db.failNextPut(Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' }));
    await expect(s.save('user:carla', cart())).rejects.toBeInstanceOf(StorageError);
    await s.save('user:carla', cart());
    expect(await s.get('user:carla')).not.toBeNull();
  });
});

describe('tenders given back', () => {
  const bits = { id: 'payment_void:REG1:01JCDEFGHJKMNPQRSTVWXYZ100', registerId: 'device:REG1', locationCode: 'GM', shiftId: 'shift:REG1:01JCDEFGHJKMNPQRSTVWXYZ0AA', cashierId: 'user:carla', cashierName: 'Carlos Cashier' };
  const sale = { saleId: SALE, currency: 'USD', total: 11_430, items: [{ name: 'Item a', qty: 1 }] };

  it('a payment void gives back exactly what was taken, and is a valid document', () => {
    const v = buildPaymentVoid(bits, sale, [{ kind: 'cash', amount: 2000 }, { kind: 'gift_card', amount: 1000, reference: '6012345678901234' }], 'Customer left', new Date('2026-12-01T15:00:00Z'));
    expect(v.returned).toEqual([{ kind: 'cash', amount: -2000 }, { kind: 'gift_card', amount: -1000, reference: '6012345678901234' }]);
    expect(paymentVoidSchema.safeParse(v).success).toBe(true);
    expect(paymentVoidSchema.safeParse({ ...v, returned: [{ kind: 'cash', amount: -1000 }] }).success).toBe(false);
    expect(() => buildPaymentVoid(bits, sale, [], 'x')).toThrow(RangeError);

    const money = (n: number) => formatMoney(n, 'USD');
    const slip = paymentVoidSlipLines(v, money, () => 'Dec 1, 2026, 10:00 AM').join('\n');
    expect(slip).toContain('Payment cancelled: no sale was made');
    expect(slip).toContain('Give back $20.00 in cash');
    expect(slip).toContain('$10.00 stays on the gift card (****1234)');
    expect(slip).not.toContain('6012345678901234');
  });

  it('says what to do for each kind, and the reverse for a refund already paid out', () => {
    const money = (n: number) => formatMoney(n, 'USD');
    expect(giveBackText({ kind: 'card_external', amount: 4999 }, money)).toBe('Refund $49.99 to the card on the terminal');
    expect(giveBackText({ kind: 'cash', amount: -500 }, money)).toBe('Take $5.00 in cash back from the customer');
  });

  it('a crash between the void and the cart save does not hold the voided tender again', () => {
    const tenders = [
      { kind: 'cash' as const, amount: 2000 },
      { kind: 'cash' as const, amount: 2000 },
      { kind: 'card_external' as const, amount: 500, reference: 'A1' }
    ];
    expect(tendersStillHeld(tenders, [])).toEqual(tenders);
    expect(tendersStillHeld(tenders, [{ taken: [{ kind: 'cash', amount: 2000 }] }])).toEqual([tenders[1], tenders[2]]);
    expect(tendersStillHeld(tenders, [{ taken: [{ kind: 'card_external', amount: 500 }] }])).toEqual(tenders); // another card
    expect(tendersStillHeld(tenders, [{ taken: tenders }])).toEqual([]);
  });
});
