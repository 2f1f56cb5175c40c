import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDb, customersDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { isValidGiftCardNumber, luhnCheckDigit } from '#domain/customers.ts';
import { CustomerLedger, LocationLedger, spendableBalance } from '../../web/src/lib/register/local-ledger.ts';
import { searchCustomers as registerSearch } from '../../web/src/lib/register/register-db.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import { enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';
import { ledgerWrittenUntil } from './support/ledger.ts';
import { localDb, remoteDb } from './support/pouch.ts';
import { makeApproval, makeSale, makeVoid } from '../support/fixtures.ts';

/**
 * The customers API against the real server and store: permissions, adjustments written once, gift
 * cards, merges moving balances through transfer entries, and what a register then sees (its
 * replica's search and balances).
 */
let s: TestServer;
let t = '';
let owner = '';
let manager = '';
let cashier = '';
let managerId = '';
let gm: Awaited<ReturnType<typeof enrol>>;
const PW = 'correct-horse-battery';
const now = new Date().toISOString();
const customer = (id: string, firstName: string, lastName: string, extra: Record<string, unknown> = {}) => ({ _id: id, type: 'customer', firstName, lastName, tags: [], updatedAt: now, updatedBy: 'system', ...extra });

const json = async <T>(res: Response) => (await res.json()) as T;
const get = (path: string, token = manager) => s.call('GET', `/api/v1/customers${path}`, { token });
const post = (path: string, body: unknown, token = manager) => s.call('POST', `/api/v1/customers${path}`, { token, body });
const enc = encodeURIComponent;

async function viewBalance(account: string, holder: string): Promise<number> {
  const res = await s.couch.use(customersDb(t)).view('ledger', 'balance', { group: true, key: [account, holder] });
  return (res.rows[0]?.value as number | undefined) ?? 0;
}
async function auditCount(action: string, target?: string): Promise<number> {
  const res = await s.couch.use(auditDb(t)).list({ include_docs: true });
  return res.rows.filter((r) => (r.doc as { action?: string; target?: string }).action === action && (!target || (r.doc as { target?: string }).target === target)).length;
}

let sale: ReturnType<typeof makeSale>;
let voidedSale: ReturnType<typeof makeSale>;

beforeAll(async () => {
  s = await startTestServer({ SALE_LEDGER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', CONFLICT_WORKER_INTERVAL_S: '0' });
  t = (await createTenant({ couch: s.couch }, { name: 'Cust Co', plan: 'pro', adminEmail: 'o@cust.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  managerId = (await createStaffUser({ couch: s.couch }, t, { email: 'm@cust.test', name: 'GM manager', role: 'manager', locations: ['GM'], password: PW }))._id;
  await createStaffUser({ couch: s.couch }, t, { email: 'c@cust.test', name: 'Cashier', role: 'cashier', locations: ['GM'], password: PW });
  owner = await login(s, 'o@cust.test', PW);
  manager = await login(s, 'm@cust.test', PW);
  cashier = await login(s, 'c@cust.test', PW);
  gm = await enrol(s, owner, 'register', 'GM', 'Till 1');
  await s.couch.use(customersDb(t)).bulk({
    docs: [
      customer('customer:ann', 'Ann', 'Lee', { email: 'ann@example.com', phone: '+1 555 123 4567', tags: ['vip'] }),
      customer('customer:ann2', 'Ann', 'Lee', { email: 'ann.lee@example.com' }),
      customer('customer:bob', 'Bob', 'Stone', { email: 'bob@example.com' }),
      ...Array.from({ length: 12 }, (_, i) => customer(`customer:z${i}`, `Zed${i}`, 'Zulu'))
    ]
  });
  // the duplicate bought at GM (points earned by the worker) and had one sale voided; one sale at HM
  sale = makeSale('GM', gm.device.id, { customerId: 'customer:ann2' });
  voidedSale = makeSale('GM', gm.device.id, { customerId: 'customer:ann2' });
  const hmSale = makeSale('HM', 'HM-1', { customerId: 'customer:ann2' });
  await s.couch.use(locationDb(t, 'GM')).bulk({ docs: [sale, voidedSale, makeVoid(voidedSale, [makeApproval(managerId)])] });
  await s.couch.use(locationDb(t, 'HM')).insert(hmSale);
  // the points of three sales and the reversal of the voided one
  expect(await ledgerWrittenUntil(s.couch, t, 4)).toBe(4);
});

afterAll(async () => {
  await s?.stop();
});

describe('customers API', () => {
  it('a cashier is refused every customers endpoint; a manager is allowed', async () => {
    expect((await get('?q=ann', cashier)).status).toBe(403);
    expect((await get(`/${enc('customer:ann')}`, cashier)).status).toBe(403);
    expect((await post('/adjustments', { account: 'loyalty', holder: 'customer:ann', amount: 10, reason: 'nope' }, cashier)).status).toBe(403);
    expect((await post('/gift-cards', { amount: 1000 }, cashier)).status).toBe(403);
    expect((await post('/merge', { keep: 'customer:ann', duplicate: 'customer:ann2' }, cashier)).status).toBe(403);
    expect((await get('?q=ann')).status).toBe(200);
    expect((await get('')).status).toBe(200);
    expect((await s.call('GET', '/api/v1/customers')).status).toBe(401);
  });

  it('search matches name, email and phone digits and paginates', async () => {
    const byName = await json<{ customers: { id: string }[]; total: number }>(await get('?q=ann'));
    expect(byName.customers.map((c) => c.id).sort()).toEqual(['customer:ann', 'customer:ann2']);
    expect((await json<{ customers: { id: string }[] }>(await get('?q=bob%40example'))).customers.map((c) => c.id)).toEqual(['customer:bob']);
    expect((await json<{ customers: { id: string }[] }>(await get('?q=123-45'))).customers.map((c) => c.id)).toEqual(['customer:ann']);
    const p1 = await json<{ customers: { id: string }[]; total: number }>(await get('?q=zulu&pageSize=5&page=1'));
    const p3 = await json<{ customers: { id: string }[]; total: number }>(await get('?q=zulu&pageSize=5&page=3'));
    expect(p1.total).toBe(12);
    expect(p1.customers).toHaveLength(5);
    expect(p3.customers).toHaveLength(2);
    expect((await get('?pageSize=1000')).status).toBe(400);
  });

  it('edits a profile on top of its revision (phone, tags, addresses), audited; a stale revision is 409', async () => {
    const { customer: c } = await json<{ customer: { _rev: string } }>(await get(`/${enc('customer:bob')}`));
    const body = { rev: c._rev, phone: '+1 555 999 0000', tags: ['wholesale'], addresses: [{ label: 'home', line1: '1 Main St', city: 'Springfield', country: 'US' }] };
    const res = await s.call('PATCH', `/api/v1/customers/${enc('customer:bob')}`, { token: manager, body });
    expect(res.status).toBe(200);
    const stored = (await s.couch.use(customersDb(t)).get('customer:bob')) as unknown as Record<string, unknown>;
    expect(stored).toMatchObject({ phone: '+1 555 999 0000', tags: ['wholesale'], addresses: [{ line1: '1 Main St', city: 'Springfield', country: 'US', line2: '', region: '', postalCode: '' }] });
    await expect.poll(() => auditCount('customer.updated', 'customer:bob'), VIEW_SETTLES).toBe(1);
    const stale = await s.call('PATCH', `/api/v1/customers/${enc('customer:bob')}`, { token: manager, body: { rev: c._rev, phone: '+1 555 000 1111' } });
    expect(stale.status).toBe(409);
    const bad = await s.call('PATCH', `/api/v1/customers/${enc('customer:bob')}`, { token: manager, body: { rev: c._rev, email: 'not-an-email' } });
    expect(bad.status).toBe(400);
  });

  it('an adjustment writes one server-only ledger entry, however often it is retried; never below zero', async () => {
    const id = newUlid();
    const body = { id, account: 'store_credit', holder: 'customer:ann2', amount: 2500, reason: 'goodwill credit' };
    const first = await post('/adjustments', body);
    expect(first.status).toBe(201);
    expect(await json(first)).toMatchObject({ created: true, balance: 2500, entry: { _id: `ledger:adm:${id}`, amount: 2500, reason: 'adjustment: goodwill credit' } });
    const retry = await post('/adjustments', body);
    expect(retry.status).toBe(200);
    expect(await json(retry)).toMatchObject({ created: false });
    await expect.poll(() => viewBalance('store_credit', 'customer:ann2'), VIEW_SETTLES).toBe(2500);
    await expect.poll(() => auditCount('customer.balance_adjusted', `ledger:adm:${id}`), VIEW_SETTLES).toBe(1);
    // the same id with other money is refused
    expect((await post('/adjustments', { ...body, amount: 9999 })).status).toBe(409);
    // below zero, unknown customer, missing reason
    expect((await post('/adjustments', { account: 'store_credit', holder: 'customer:ann2', amount: -2501, reason: 'too much' })).status).toBe(400);
    expect((await post('/adjustments', { account: 'loyalty', holder: 'customer:nobody', amount: 5, reason: 'typo' })).status).toBe(404);
    expect((await post('/adjustments', { account: 'loyalty', holder: 'customer:ann2', amount: 5 })).status).toBe(400);
    // nobody writes a server-only id through the gateway, not even the owner
    const forged = { _id: `ledger:adm:${newUlid()}`, type: 'ledger_entry', account: 'store_credit', holder: 'customer:ann', amount: 100_000, reason: 'forged', createdAt: now, createdBy: 'user:x' };
    const put = await s.call('PUT', `/db/${customersDb(t)}/${enc(forged._id)}`, { token: owner, body: forged });
    expect(put.status).toBe(403);
  });

  it('issues a gift card with a check-digit number (once per request id), looks it up and adjusts it', async () => {
    const id = newUlid();
    const res = await post('/gift-cards', { id, amount: 5000, customerId: 'customer:bob' });
    expect(res.status).toBe(201);
    const card = await json<{ number: string; balance: number; customerId: string; entries: unknown[] }>(res);
    expect(isValidGiftCardNumber(card.number)).toBe(true);
    expect(card).toMatchObject({ balance: 5000, customerId: 'customer:bob' });
    const again = await post('/gift-cards', { id, amount: 5000, customerId: 'customer:bob' });
    expect(again.status).toBe(200);
    expect((await json<{ number: string }>(again)).number).toBe(card.number);
    const spaced = card.number.replace(/(\d{4})(?=\d)/g, '$1 ');
    const adj = await post('/adjustments', { account: 'gift_card', holder: spaced, amount: -1200, reason: 'partial refund correction' });
    expect(adj.status).toBe(201);
    // the lookup reads the ledger view: on a cluster one copy of the shard, which may be a moment behind
    let looked = { balance: 0, entries: [] as { amount: number; balance: number }[] };
    await expect.poll(async () => (looked = await json<typeof looked>(await get(`/gift-cards/${card.number}`))).balance, VIEW_SETTLES).toBe(3800);
    expect(looked.entries.map((e) => [e.amount, e.balance])).toEqual([
      [-1200, 3800],
      [5000, 5000]
    ]);
    await expect.poll(() => viewBalance('gift_card', card.number), VIEW_SETTLES).toBe(3800);
    // the profile lists it
    const profile = await json<{ giftCards: { number: string; balance: number }[] }>(await get(`/${enc('customer:bob')}`));
    expect(profile.giftCards).toEqual([expect.objectContaining({ number: card.number, balance: 3800 })]);
    // a wrong check digit is 400, an unissued valid number 404
    const wrong = card.number.slice(0, 15) + String((Number(card.number[15]) + 1) % 10);
    expect((await get(`/gift-cards/${wrong}`)).status).toBe(400);
    expect((await get(`/gift-cards/800000000000000${luhnCheckDigit('800000000000000')}`)).status).toBe(404);
    await expect.poll(() => auditCount('gift_card.issued', card.number), VIEW_SETTLES).toBe(1);
  });

  it('adjustments of one account sent at once take turns: never below zero, and a retry after a drain is the same adjustment', async () => {
    const holder = 'customer:bob';
    const opened = await post('/adjustments', { account: 'store_credit', holder, amount: 100, reason: 'opening credit' });
    expect(opened.status).toBe(201);
    // five managers take 30 each from 100 at the same moment: three fit, two are refused
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('/adjustments', { id: newUlid(), account: 'store_credit', holder, amount: -30, reason: 'correction' })));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 201, 201, 400, 400]);
    const balances = await Promise.all(answers.filter((r) => r.status === 201).map((r) => json<{ balance: number }>(r)));
    expect(balances.map((b) => b.balance).sort((a, b) => a - b)).toEqual([10, 40, 70]);
    expect(await viewBalance('store_credit', holder)).toBe(10);
    // the last 10 taken out; the same request again (a lost answer) is that adjustment, not a new one refused
    const drain = { id: newUlid(), account: 'store_credit', holder, amount: -10, reason: 'closing the credit' };
    expect((await post('/adjustments', drain)).status).toBe(201);
    const again = await post('/adjustments', drain);
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ created: false, balance: 0 });
    expect(await viewBalance('store_credit', holder)).toBe(0);
  });

  it('merges a duplicate: preview, balances move via transfer entries exactly once, search and registers find the kept one', async () => {
    const earned = await viewBalance('loyalty', 'customer:ann2');
    expect(earned).toBeGreaterThan(0); // the worker gave the duplicate points for its sales
    await post('/adjustments', { account: 'loyalty', holder: 'customer:ann', amount: 7, reason: 'welcome bonus' });
    const preview = await json<{ plan: { before: unknown; after: { loyalty: number; store_credit: number }; entries: unknown[] } }>(await post('/merge/preview', { keep: 'customer:ann', duplicate: 'customer:ann2' }));
    expect(preview.plan.after).toEqual({ loyalty: 7 + earned, store_credit: 2500 });
    expect(preview.plan.entries).toHaveLength(4);
    await expect.poll(() => viewBalance('loyalty', 'customer:ann'), VIEW_SETTLES).toBe(7); // the preview wrote nothing

    const ledgerBefore = (await s.couch.use(customersDb(t)).list({ startkey: 'ledger:', endkey: 'ledger:\ufff0' })).rows.length;
    const merged = await post('/merge', { keep: 'customer:ann', duplicate: 'customer:ann2' });
    expect(merged.status).toBe(200);
    expect(await json(merged)).toMatchObject({ written: 4, changed: true, duplicate: { mergedInto: 'customer:ann' } });
    const again = await json<{ written: number; changed: boolean }>(await post('/merge', { keep: 'customer:ann', duplicate: 'customer:ann2' }));
    expect(again).toMatchObject({ written: 0, changed: false });
    expect((await s.couch.use(customersDb(t)).list({ startkey: 'ledger:', endkey: 'ledger:\ufff0' })).rows.length).toBe(ledgerBefore + 4);
    await expect.poll(() => viewBalance('loyalty', 'customer:ann'), VIEW_SETTLES).toBe(7 + earned);
    await expect.poll(() => viewBalance('store_credit', 'customer:ann'), VIEW_SETTLES).toBe(2500);
    await expect.poll(() => viewBalance('loyalty', 'customer:ann2'), VIEW_SETTLES).toBe(0);
    await expect.poll(() => viewBalance('store_credit', 'customer:ann2'), VIEW_SETTLES).toBe(0);
    await expect.poll(() => auditCount('customer.merged', 'customer:ann2'), VIEW_SETTLES).toBe(1);
    // the reverse merge and edits of the merged profile are refused
    expect((await post('/merge', { keep: 'customer:ann2', duplicate: 'customer:ann' })).status).toBe(409);
    expect((await post('/adjustments', { account: 'loyalty', holder: 'customer:ann2', amount: 1, reason: 'late' })).status).toBe(409);

    // search leaves the duplicate out unless asked
    expect((await json<{ customers: { id: string }[] }>(await get('?q=ann'))).customers.map((c) => c.id)).toEqual(['customer:ann']);
    expect((await json<{ customers: { id: string }[] }>(await get('?q=ann&includeMerged=true'))).customers.map((c) => c.id).sort()).toEqual(['customer:ann', 'customer:ann2']);

    // history shows both: the duplicate's sales (GM only for a GM manager, with the void) and its ledger entries
    const gmHistory = await json<{ locations: string[]; purchases: { saleId: string; customerId: string; voided: unknown }[] }>(await get(`/${enc('customer:ann')}/purchases`));
    expect(gmHistory.locations).toEqual(['GM']);
    expect(gmHistory.purchases.map((p) => p.saleId).sort()).toEqual([sale._id, voidedSale._id].sort());
    expect(gmHistory.purchases.find((p) => p.saleId === voidedSale._id)?.voided).toMatchObject({ id: `void:${voidedSale._id.slice('sale:'.length)}` });
    const ownerHistory = await json<{ locations: string[]; total: number }>(await get(`/${enc('customer:ann')}/purchases`, owner));
    expect(ownerHistory.locations).toEqual(['GM', 'HM']);
    expect(ownerHistory.total).toBe(3);
    const ledger = await json<{ balance: number; entries: { holder: string; reason: string }[] }>(await get(`/${enc('customer:ann')}/ledger?account=loyalty`));
    expect(ledger.balance).toBe(7 + earned);
    expect(new Set(ledger.entries.map((e) => e.holder))).toEqual(new Set(['customer:ann', 'customer:ann2']));
    const profile = await json<{ mergedFrom: { id: string }[] }>(await get(`/${enc('customer:ann')}`));
    expect(profile.mergedFrom.map((m) => m.id)).toEqual(['customer:ann2']);

    // a register replicating the customers database finds the kept profile and its moved balances
    const replica = localDb('customers-till');
    await replica.replicate.from(remoteDb(s.url, customersDb(t), gm.deviceToken));
    expect((await registerSearch(replica, 'ann lee')).map((c) => c._id)).toEqual(['customer:ann']);
    const ledgerOnTill = new CustomerLedger();
    for (const r of (await replica.allDocs({ include_docs: true, startkey: 'ledger:', endkey: 'ledger:\ufff0' })).rows) ledgerOnTill.apply(r.doc as never);
    expect(spendableBalance(ledgerOnTill, new LocationLedger(), 'store_credit', 'customer:ann')).toBe(2500);
    expect(spendableBalance(ledgerOnTill, new LocationLedger(), 'loyalty', 'customer:ann')).toBe(7 + earned);
    expect(spendableBalance(ledgerOnTill, new LocationLedger(), 'store_credit', 'customer:ann2')).toBe(0);
    await replica.destroy();
  });

  it('loyalty rules: managers read them, only settings:manage changes them, validated together; the worker earns at the new rate', async () => {
    expect(await json(await get('/loyalty-rules'))).toEqual({ rules: { pointsPerUnit: 1, pointsPerRedeemUnit: 100 }, currency: 'USD', mayEdit: false });
    expect((await s.call('PUT', '/api/v1/customers/loyalty-rules', { token: manager, body: { pointsPerUnit: 2, pointsPerRedeemUnit: 50 } })).status).toBe(403);
    expect((await s.call('PUT', '/api/v1/customers/loyalty-rules', { token: owner, body: { pointsPerUnit: 20, pointsPerRedeemUnit: 10 } })).status).toBe(400);
    const ok = await s.call('PUT', '/api/v1/customers/loyalty-rules', { token: owner, body: { pointsPerUnit: 3, pointsPerRedeemUnit: 50 } });
    expect(ok.status).toBe(200);
    expect(await json(await get('/loyalty-rules'))).toMatchObject({ rules: { pointsPerUnit: 3, pointsPerRedeemUnit: 50 } });
    const profile = await json<{ balances: { loyalty: number; loyaltyValue: number } }>(await get(`/${enc('customer:ann')}`));
    expect(profile.balances.loyaltyValue).toBe(Math.floor((profile.balances.loyalty * 100) / 50));
    // a new sale to the kept customer earns at 3 points per unit (10.89 → 10 units → 30 points)
    const before = await viewBalance('loyalty', 'customer:ann');
    await s.couch.use(locationDb(t, 'GM')).insert(makeSale('GM', gm.device.id, { customerId: 'customer:ann' }));
    expect(await ledgerWrittenUntil(s.couch, t, 1)).toBe(1);
    await expect.poll(() => viewBalance('loyalty', 'customer:ann'), VIEW_SETTLES).toBe(before + 30);
    await expect.poll(() => auditCount('loyalty.rules_changed'), VIEW_SETTLES).toBe(1);
  });
});
