import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { CatalogLookup } from '../../catalog-index/entries.ts';
import { RaptagStore } from '../raptag-db.ts';
import { Locator, QUIET_MS } from './locate.ts';
import { Lookup } from './lookup.ts';
import { enqueueCall, flushOutbox } from './outbox.ts';
import { newTransferSession, receivedLines, receiveScanned, shipPicked, transferProgress } from './transfer.ts';

const store = () => new RaptagStore(`f${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
const now = () => '2026-11-24T10:00:00.000Z';

describe('transfers by scanning', () => {
  const lines = [{ variantId: 'a', qty: 3 }, { variantId: 'b', qty: 2 }];
  it('shows what is left, what is over, and what is not on the transfer', () => {
    expect(transferProgress(lines, new Map([['a', 3], ['b', 1], ['c', 2]]))).toEqual({
      lines: [{ variantId: 'a', expected: 3, scanned: 3 }, { variantId: 'b', expected: 2, scanned: 1 }],
      extras: [{ variantId: 'c', scanned: 2 }],
      expectedUnits: 5,
      matchedUnits: 4,
      short: 1,
      over: 2
    });
    expect(receivedLines(lines, new Map([['a', 2]]))).toEqual([{ variantId: 'a', qty: 2 }, { variantId: 'b', qty: 0 }]);
  });

  it('ship and receive are queued, survive being offline, and are sent in order when the network is back', async () => {
    const s = store();
    const sent: [string, unknown][] = [];
    let online = false;
    const outbox = { store: s, now, send: async (path: string, body: unknown) => (online ? sent.push([path, body]) : Promise.reject(Object.assign(new Error('offline'), { status: 0 }))) };
    const t = { _id: 'transfer:GM:01JTRANSFER00000000000001', lines, locationCode: 'GM', toLocationCode: 'HM' };
    const pick = newTransferSession('pick', t, { id: 'user:k', name: 'K' }, now());
    await shipPicked({ store: s, outbox, now }, pick, 'GM → HM');
    const recv = newTransferSession('receive', t, { id: 'user:k', name: 'K' }, now());
    await receiveScanned({ store: s, outbox, now }, recv, new Map([['a', 3], ['b', 1]]), 'GM → HM');
    expect(await flushOutbox(outbox)).toEqual({ sent: 0, failed: 0, offline: true });
    expect((await s.queued()).map((q) => [q.label, q.attempts])).toEqual([['Ship GM → HM', 1], ['Receive GM → HM', 0]]);
    online = true;
    expect(await flushOutbox(outbox)).toMatchObject({ sent: 2 });
    expect(sent).toEqual([
      ['/inventory/transfers/transfer%3AGM%3A01JTRANSFER00000000000001/ship', undefined],
      ['/inventory/transfers/transfer%3AGM%3A01JTRANSFER00000000000001/receive', { lines: [{ variantId: 'a', qty: 3 }, { variantId: 'b', qty: 1 }] }]
    ]);
    expect(await s.queued()).toEqual([]);
    expect((await s.getSession(pick.id))?.status).toBe('submitted');
  });

  it('a refusal stays queued with its reason; the rest still go', async () => {
    const s = store();
    const outbox = { store: s, now, send: async (path: string) => (path === '/bad' ? Promise.reject(Object.assign(new Error('Transfer was received already with other lines'), { status: 409 })) : undefined) };
    await enqueueCall(outbox, { label: 'bad', path: '/bad', body: {} });
    await enqueueCall(outbox, { label: 'good', path: '/good', body: {} });
    expect(await flushOutbox(outbox)).toEqual({ sent: 1, failed: 1, offline: false });
    expect(await s.queued()).toMatchObject([{ label: 'bad', lastError: 'Transfer was received already with other lines' }]);
  });
});

describe('locating', () => {
  it('the meter follows matching reads only and falls when the tag goes quiet', () => {
    const l = new Locator({ variantId: 'v1' }, (epc) => (epc.startsWith('A') ? 'v1' : 'v2'));
    expect(l.push([{ epc: 'B1', rssi: -40, at: 0 }])).toBe(false);
    expect(l.value).toBeNull();
    l.push([{ epc: 'A1', rssi: -70, at: 0 }]);
    const far = l.value!;
    for (let i = 1; i < 10; i++) l.push([{ epc: 'A2', rssi: -40, at: i }]);
    expect(l.value!).toBeGreaterThan(far + 50);
    expect(l.interval!).toBeLessThan(300);
    const near = l.value!;
    l.tick(10 + QUIET_MS + 1);
    expect(l.value!).toBeLessThan(near);
    expect(new Locator({ epc: 'A9' }, () => undefined).matches('A9')).toBe(true);
  });
});

describe('lookup and quick count', () => {
  it('identifies by barcode, SKU or the strongest tag, counts distinct tags of it, shows stock here and elsewhere', async () => {
    const catalog = new CatalogLookup();
    catalog.applyDocs([{ _id: 'product:p1', _rev: '1', type: 'product', status: 'active', name: 'Shirt', taxCategory: 's', categoryId: 'c', variants: [{ id: 'p1-a', sku: 'SH-A', barcode: '4006381333931', price: 1000, options: {} }] }]);
    const lookup = new Lookup({
      catalog: () => catalog,
      resolve: (epc) => (epc.startsWith('30') ? { variantId: 'p1-a' } : {}),
      onHand: () => 4,
      elsewhere: async () => [{ location: 'HM', name: 'Harbour', stock: [{ variantId: 'p1-a', onHand: 7 }] }]
    });
    expect((await lookup.identify('sh-a')).item?.variantId).toBe('p1-a');
    expect((await lookup.identify('nope')).unknown).toBe('nope');
    lookup.clear();
    await lookup.push([{ epc: 'E200', rssi: -30, at: 0 }, { epc: '3001', rssi: -60, at: 0 }, { epc: '3002', rssi: -45, at: 0 }]);
    expect(lookup.state).toMatchObject({ item: { sku: 'SH-A' }, tagsAround: 2, here: 4, elsewhere: [{ location: 'HM' }] });
    await lookup.push([{ epc: '3002', rssi: -45, at: 1 }, { epc: '3003', at: 1 }]);
    expect(lookup.state.tagsAround).toBe(3);
    const offline = new Lookup({ catalog: () => catalog, resolve: () => ({}), onHand: () => 0, elsewhere: async () => Promise.reject(new Error('Cannot reach the server')) });
    expect((await offline.identify('4006381333931')).elsewhereError).toMatch(/Cannot reach/);
  });
});
