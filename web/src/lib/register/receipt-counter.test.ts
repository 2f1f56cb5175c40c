import { describe, expect, it } from 'vitest';
import { allocateReceiptNo, RECEIPT_COUNTER_ID } from './receipt-counter.ts';
import { asPouch, localDb, type Store } from './local-db.fixture.ts';

describe('allocateReceiptNo (the register’s daily counter)', () => {
  it('counts up per day and starts again at 1 the next day', async () => {
    const db = asPouch(localDb());
    expect(await allocateReceiptNo(db, 'D1', 'GM1', '20261201')).toBe('GM1-20261201-0001');
    expect(await allocateReceiptNo(db, 'D1', 'GM1', '20261201')).toBe('GM1-20261201-0002');
    expect(await allocateReceiptNo(db, 'D1', 'GM1', '20261202')).toBe('GM1-20261202-0001');
  });

  it('two tabs of one register never hand out the same number', async () => {
    const store: Store = new Map();
    const tabs = [asPouch(localDb(store)), asPouch(localDb(store))];
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => allocateReceiptNo(tabs[i % 2]!, 'D1', 'GM1', '20261201')));
    expect(new Set(got).size).toBe(20);
    expect(store.get(RECEIPT_COUNTER_ID)?.body).toMatchObject({ date: '20261201', last: 20 });
  });

  it('a lost counter resumes after the register’s own latest sale of the day', async () => {
    const raw = localDb();
    raw.store.set('sale:D1:01JABCDEFGHJKMNPQRSTVWXYZ0', { rev: 1, body: { type: 'sale', receiptNo: 'GM1-20261201-0041' } });
    raw.store.set('sale:D1:01JABCDEFGHJKMNPQRSTVWXYZ1', { rev: 1, body: { type: 'sale', receiptNo: 'GM1-20261201-0042' } });
    raw.store.set('sale:D2:01JABCDEFGHJKMNPQRSTVWXYZ9', { rev: 1, body: { type: 'sale', receiptNo: 'GM2-20261201-0099' } });
    expect(await allocateReceiptNo(asPouch(raw), 'D1', 'GM1', '20261201')).toBe('GM1-20261201-0043');
  });
});
