import Stripe from '#stripe-node';
import fs from 'node:fs';
import { expect, machine, test, type APIRequestContext, type Page } from './support/test.ts';
import { demoItems, enrolRegister, expectOnServer, finishSale, openShift, ownerLogin, PINS, registerKey, scan, serverDocs, signIn, type Owner } from './support/register.ts';
import { signInAdmin } from './support/admin.ts';

/**
 * Card payments at the register through Stripe Terminal, server-driven, in real Chromium against the
 * real server, which reaches the local Stripe server (tests/support/fake-stripe.ts, started by
 * playwright.config.ts) through STRIPE_API_BASE. The customer's card is presented on Stripe's simulated
 * reader with Stripe's own test helper through stripe-node, as a test against Stripe itself would.
 * A cashier sells on the reader, refunds part of it to the card, cannot refund the card offline, and
 * the admin's daily card report matches Stripe to the cent; offline, the standalone terminal works.
 */
const KEY = 'sk_test_e2eCardKey00000001';
const SHOTS = '/tmp/pay17-screens';
fs.mkdirSync(SHOTS, { recursive: true });
const TAG = Date.now().toString(36);

const url = new URL(process.env.E2E_STRIPE_URL ?? 'http://127.0.0.1:1');
const stripe = new Stripe(KEY, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });

let owner: Owner;
let readerId = '';
let before: unknown;

test.describe.configure({ mode: 'serial' });

async function api(request: APIRequestContext, method: 'put' | 'post' | 'patch', path: string, data: unknown) {
  const res = await request[method](`/api/v1${path}`, { headers: owner.auth, data });
  expect(res.ok(), `${method} ${path}: ${await res.text()}`).toBe(true);
  return res.json() as Promise<Record<string, unknown>>;
}

test.beforeAll(async ({ request }) => {
  owner = await ownerLogin(request);
  // the admin connects Stripe, gives the store a Terminal location and registers the reader
  await api(request, 'put', '/payments/stripe/connection', { secretKey: KEY, webhookSecret: 'whsec_e2eCardSigning0001' });
  await api(request, 'put', '/payments/stripe/locations/GM', { displayName: 'Nexus GM', address: { line1: '1 Main St', city: 'Springfield', postalCode: '62701', state: 'IL', country: 'US' } });
  readerId = ((await api(request, 'post', '/payments/stripe/readers', { registrationCode: 'simulated-wpe', label: `Till card ${TAG}`, locationCode: 'GM' })).reader as { readerId: string }).readerId;
  before = ((await (await request.get('/api/v1/settings', { headers: owner.auth })).json()) as { settings: { payments: unknown } }).settings.payments;
  await api(request, 'patch', '/settings', { payments: { cash: true, card: 'stripe', storeCredit: true, giftCard: true } });
});

test.afterAll(async ({ request }) => {
  if (before) await request.patch('/api/v1/settings', { headers: owner.auth, data: { payments: before } });
});

/** A register at 1280×800 with the reader assigned to it, a cashier signed in and the shift open. */
async function till(page: Page, request: APIRequestContext, name: string): Promise<string> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await enrolRegister(page, request, owner, `${name} ${TAG}`);
  const key = await registerKey(page);
  await api(request, 'put', `/payments/stripe/readers/${readerId}/assignment`, { registerId: `device:${key}` });
  await signIn(page, PINS.cashier);
  await openShift(page);
  return key;
}

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

test('a card sale on the reader, part of it refunded to the card (not offline), and the daily card report matches Stripe to the cent', async ({ page, request, browser }) => {
  test.setTimeout(machine(360_000));
  const key = await till(page, request, 'Card till');
  const [a, b] = await demoItems(request, owner, 2);
  await scan(page, a!.barcode);
  await scan(page, a!.barcode);
  await scan(page, b!.barcode);
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(2);

  await page.getByRole('button', { name: /^Pay / }).click();
  const pay = page.getByRole('dialog', { name: 'Payment' });
  const due = (await pay.getByLabel('Amount due', { exact: true }).textContent())!.trim();
  await pay.getByRole('button', { name: `Card (reader) ${due}`, exact: true }).click();
  const step = pay.getByRole('status', { name: 'Card payment' });
  // the server creates the PaymentIntent and hands it to the reader: two Stripe round trips
  await expect(step).toContainText('Present card on the reader', { timeout: machine(60_000) });
  await expect(step.getByRole('button', { name: 'Cancel card payment' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/card-present-1280x800.png` });

  // the customer taps: Stripe's test helper presents the card on the simulated reader
  await stripe.testHelpers.terminal.readers.presentPaymentMethod(readerId, { card_present: { number: '4242424242424242' } });
  // the register sees the payment succeed on its next status read, then records the sale
  await expect(page.getByRole('dialog', { name: 'Sale complete' })).toBeVisible({ timeout: machine(60_000) });
  const number = await finishSale(page);

  // the sale carries the card tender: the PaymentIntent and our payment id
  await expectOnServer(request, owner, `sale:${key}:`, 1);
  const [sale] = await serverDocs<{ _id: string; total: number; lines: { lineId: string; qty: number; total: number; variantId: string }[]; tenders: { kind: string; amount: number; reference?: string; paymentId?: string }[] }>(request, owner, `sale:${key}:`);
  expect(sale!.tenders).toEqual([{ kind: 'card_stripe', amount: sale!.total, reference: expect.stringMatching(/^pi_/), paymentId: expect.stringMatching(new RegExp(`^payment:${key}:`)) }]);
  const intent = await stripe.paymentIntents.retrieve(sale!.tenders[0]!.reference!);
  expect(intent).toMatchObject({ status: 'succeeded', amount_received: sale!.total, metadata: { pos_sale: sale!._id } });

  // one unit of A comes back: refunded to the same card
  await page.getByRole('button', { name: 'Return', exact: true }).click();
  const ret = page.getByRole('dialog', { name: 'Return' });
  await ret.getByLabel('Receipt barcode or sale number').fill(number);
  await ret.getByRole('button', { name: 'Find sale' }).click();
  // (the sale's lines in order: A first)
  await ret.getByLabel(/^Units to return of/).first().fill('1');
  await ret.getByLabel(/^Why is .* coming back\?/).first().selectOption({ label: 'Changed their mind' });
  await ret.getByRole('button', { name: 'Add to cart as return' }).click();
  await expect(ret).toBeHidden();
  await page.getByRole('button', { name: /^Refund / }).click();
  const refund = page.getByRole('dialog', { name: 'Refund' });
  const refundDue = (await refund.getByLabel('Amount due', { exact: true }).textContent())!.trim();
  await refund.getByRole('button', { name: `Refund to the original card ${refundDue}`, exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Refund complete' })).toBeVisible({ timeout: machine(60_000) });
  await finishSale(page);
  await expectOnServer(request, owner, `sale:${key}:`, 2);
  const ret1 = (await serverDocs<{ kind: string; total: number; tenders: { kind: string; amount: number; reference?: string; paymentId?: string }[] }>(request, owner, `sale:${key}:`)).find((s) => s.kind === 'return')!;
  const refundOne = -ret1.total;
  expect(dollars(refundOne)).toBe(refundDue);
  expect(ret1.tenders).toEqual([{ kind: 'card_stripe', amount: -refundOne, reference: expect.stringMatching(/^re_/), paymentId: sale!.tenders[0]!.paymentId }]);

  // offline, the next unit cannot go back to the card now, and the register says so; cash still works
  await page.context().setOffline(true);
  await page.getByRole('button', { name: 'Return', exact: true }).click();
  await ret.getByLabel('Receipt barcode or sale number').fill(number);
  await ret.getByRole('button', { name: 'Find sale' }).click();
  await ret.getByLabel(/^Units to return of/).first().fill('1');
  await ret.getByLabel(/^Why is .* coming back\?/).first().selectOption({ label: 'Changed their mind' });
  await ret.getByRole('button', { name: 'Add to cart as return' }).click();
  await page.getByRole('button', { name: /^Refund / }).click();
  await expect(refund.getByRole('note').filter({ hasText: 'Offline: the card cannot be refunded now' })).toBeVisible();
  await refund.getByRole('button', { name: /^Refund to the original card/ }).click();
  await expect(refund.getByRole('alert')).toContainText('The card cannot be refunded now: this register is offline.');
  await page.screenshot({ path: `${SHOTS}/card-refund-offline-1280x800.png` });
  await refund.getByRole('button', { name: /^Refund cash/ }).click();
  await finishSale(page);
  await page.context().setOffline(false);
  await expectOnServer(request, owner, `sale:${key}:`, 3);

  // the admin's daily card report: the registers' card money equals Stripe's, to the cent
  const day = new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
  const res = await request.get(`/api/v1/reports/card-payments?location=GM&from=${day}&to=${day}`, { headers: owner.auth });
  expect(res.ok(), await res.text()).toBe(true);
  const report = (await res.json()) as { rows: { locationCode: string; pos: { charges: number; refunds: number; net: number }; provider: { charges: number; refunds: number; net: number }; difference: number }[]; differences: unknown[] };
  expect(report.rows).toEqual([expect.objectContaining({ locationCode: 'GM', pos: expect.objectContaining({ charges: sale!.total, refunds: refundOne, net: sale!.total - refundOne }), provider: expect.objectContaining({ charges: sale!.total, refunds: refundOne, net: sale!.total - refundOne }), difference: 0 })]);
  expect(report.differences).toEqual([]);

  const admin = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await signInAdmin(admin, 'owner@nexus.demo');
  await admin.goto('/admin/reports/cards');
  await admin.getByLabel('Location').selectOption('GM');
  await admin.getByLabel('From').fill(day);
  await admin.getByLabel('To').fill(day);
  await admin.getByRole('button', { name: 'Run report' }).click();
  // the answer to this run (the page ran the default range on opening)
  await expect(admin.getByRole('button', { name: 'Run report' })).toBeEnabled({ timeout: machine(30_000) });
  const row = admin.getByRole('row', { name: `GM ${day}` });
  const cells = row.getByRole('cell');
  await expect(cells).toHaveText([/./, 'GM', dollars(sale!.total), dollars(refundOne), dollars(sale!.total - refundOne), dollars(sale!.total), dollars(refundOne), dollars(sale!.total - refundOne), '$0.00']);
  await expect(admin.getByRole('status').filter({ hasText: 'No differences' })).toBeVisible();
  await admin.screenshot({ path: `${SHOTS}/card-report-1440x900.png`, fullPage: true });
  await admin.context().close();
});

test('offline the card reader says it needs a connection, and the standalone terminal takes the card', async ({ page, request }) => {
  test.setTimeout(machine(180_000));
  const key = await till(page, request, 'Offline card till');
  const [, , c] = await demoItems(request, owner, 3);
  await scan(page, c!.barcode);
  // online once: the register learns which reader is its own
  await page.getByRole('button', { name: /^Pay / }).click();
  const pay = page.getByRole('dialog', { name: 'Payment' });
  await expect(pay.getByRole('button', { name: /^Card \(reader\)/ })).toBeVisible();
  await pay.getByRole('button', { name: 'Back to cart' }).click();

  await page.context().setOffline(true);
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(pay.getByRole('note').filter({ hasText: 'The card reader needs a connection' })).toBeVisible();
  await pay.getByRole('button', { name: /^Card \(reader\)/ }).click();
  await expect(pay.getByRole('alert')).toContainText('The card reader needs a connection: this register is offline.');
  await page.screenshot({ path: `${SHOTS}/card-offline-1280x800.png` });
  await pay.getByRole('button', { name: /^Card on standalone terminal/ }).click();
  await finishSale(page);
  await page.context().setOffline(false);
  await expectOnServer(request, owner, `sale:${key}:`, 1);
  const [sale] = await serverDocs<{ tenders: { kind: string }[] }>(request, owner, `sale:${key}:`);
  expect(sale!.tenders.map((t) => t.kind)).toEqual(['card_external']);
});
