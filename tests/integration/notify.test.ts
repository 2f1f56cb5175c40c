import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_DB, catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createStaffUser, createTenant } from '../../server/tenants/provision.ts';
import type { DeliveryDoc, SuppressionDoc } from '../../server/notify/types.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';
import { makeSale } from '../support/fixtures.ts';
import { MailSink, type CapturedMail } from '../support/mail-sink.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';

/**
 * Email and SMS delivery against a real SMTP server (smtp-server, messages parsed with mailparser)
 * and a local server speaking Twilio's Messages API, both reached only through the official clients'
 * configuration (SMTP_URL for nodemailer, TWILIO_API_BASE for twilio's request client).
 */
const PW = 'correct-horse-battery';
const FROM = 'Corner Shop POS <pos@corner.test>';
const PUBLIC_URL = 'https://pos.corner.test';
const sink = new MailSink();
const twilio = new FakeTwilio();
let s: TestServer;
let t = '';
let owner = '';
let gm: Awaited<ReturnType<typeof enrol>>;

async function delivery(id: string): Promise<DeliveryDoc | null> {
  return (await s.couch
    .use(PLATFORM_DB)
    .get(id)
    .catch(() => null)) as DeliveryDoc | null;
}

/** Waits until the delivery of an outbox document reaches one of `statuses` (the worker is asynchronous). */
async function settled(id: string, statuses: DeliveryDoc['status'][], ms = 60_000): Promise<DeliveryDoc> {
  const deadline = Date.now() + ms;
  let last: DeliveryDoc | null = null;
  while (Date.now() < deadline) {
    last = await delivery(id);
    if (last && statuses.includes(last.status)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`delivery ${id} did not reach ${statuses.join('/')}: ${JSON.stringify(last)}`);
}

const platformDelivery = (outboxId: string) => `delivery:${PLATFORM_DB}:${outboxId}`;
const gmDelivery = (outboxId: string) => `delivery:${locationDb(t, 'GM')}:${outboxId}`;

/** Pushes documents as the register does (through the gateway, as the enrolled device). */
async function push(...docs: object[]): Promise<void> {
  const res = await s.call('POST', `/db/${locationDb(t, 'GM')}/_bulk_docs`, { token: gm.deviceToken, body: { docs } });
  expect(res.status).toBe(201);
  const out = (await res.json()) as { id: string; error?: string; reason?: string }[];
  expect(out.filter((r) => r.error)).toEqual([]);
}

function receiptOutbox(saleId: string, channel: 'email' | 'sms', to: string) {
  return { _id: `outbox:${gm.device.id}:${newUlid()}`, type: 'outbox', locationCode: 'GM', channel, to, template: 'receipt', ref: saleId, createdBy: 'user:cashier', createdAt: new Date().toISOString() };
}

/** A platform outbox document as the server's use cases write them. */
async function queuePlatform(template: string, to: string, data: Record<string, string>, extra: Record<string, unknown> = {}): Promise<string> {
  const id = `outbox:${template}:${t}:${newUlid()}`;
  await s.couch.use(PLATFORM_DB).insert({ _id: id, type: 'email_outbox', tenantId: t, to, template, data, status: 'pending', attempts: 0, createdAt: new Date().toISOString(), ...extra });
  return id;
}

// jsqr is CommonJS with a default export: node's ESM and vite's interop hand it over differently
type JsQr = (typeof import('jsqr'))['default'];
const jsQR: JsQr = (jsqrModule as unknown as { default?: JsQr }).default ?? (jsqrModule as unknown as JsQr);

function decodeQr(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length), img.width, img.height)?.data ?? null;
}

const lastTo = async (to: string, n = 1): Promise<CapturedMail> => (await sink.waitFor(to, n)).at(-1)!;

beforeAll(async () => {
  await sink.start();
  await twilio.start();
  s = await startTestServer({
    SMTP_URL: sink.url,
    MAIL_FROM: FROM,
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+15550100',
    TWILIO_API_BASE: twilio.url,
    NOTIFY_RETRY_BASE_S: '1',
    PUBLIC_URL
  });
  t = (await createTenant({ couch: s.couch }, { name: 'Corner Shop', adminEmail: 'o@corner.test', adminPassword: PW, locations: [{ code: 'GM', name: 'Main Street', address: '1 Main St\nSpringfield', timeZone: 'America/New_York' }] })).tenantId;
  await createStaffUser({ couch: s.couch }, t, { email: 'm@corner.test', name: 'Mia Manager', role: 'manager', locations: ['GM'], password: PW });
  owner = await login(s, 'o@corner.test', PW);
  gm = await enrol(s, owner, 'register', 'GM', 'Till 1');
  const catalog = s.couch.use(catalogDb(t));
  const settings = await catalog.get('settings:tenant');
  await catalog.insert({ ...settings, receiptHeader: 'Open 9-6 every day', receiptFooter: 'Returns within 30 days with this receipt' });
});

afterAll(async () => {
  await s?.stop();
  await sink.stop();
  await twilio.stop();
});

describe('receipts', () => {
  it('emails a register receipt: the printed lines, tax, total, tender, return policy and the returns QR code inline', async () => {
    const sale = makeSale('GM', gm.device.id, {
      cashierName: 'Casey',
      lines: [
        { lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Linen shirt', qty: 2, unitPrice: 2500, discount: 0, tax: 400, total: 5400 },
        { lineId: 'l2', productId: 'product:p2', variantId: 'p2-v01', sku: 'S-1', name: 'Wool socks', qty: 1, unitPrice: 900, discount: 100, tax: 64, total: 864 }
      ],
      subtotal: 5900,
      discountTotal: 100,
      taxTotal: 464,
      total: 6264,
      tenders: [{ kind: 'card_external', amount: 6264, reference: '4242' }]
    });
    const outbox = receiptOutbox(sale._id, 'email', 'ann@example.test');
    await push(sale, outbox);
    const mail = await lastTo('ann@example.test');
    const d = await settled(gmDelivery(outbox._id), ['sent']);

    expect(mail.parsed.subject).toBe('Your receipt from Corner Shop');
    expect(mail.parsed.from?.text).toBe('"Corner Shop POS" <pos@corner.test>');
    const text = mail.parsed.text ?? '';
    for (const want of ['Corner Shop', 'Main Street', '1 Main St', 'Open 9-6 every day', 'Cashier: Casey', 'Register: Till 1', 'Linen shirt', '2 x $25.00', '$50.00', 'Wool socks', '1 x $9.00', '$9.00', '-$1.00', 'Subtotal', '$59.00', 'Tax', '$4.64', 'TOTAL', '$62.64', 'Card', 'Ref 4242', 'Returns within 30 days with this receipt']) {
      expect(text).toContain(want);
    }
    const html = String(mail.parsed.html);
    expect(html).toContain('Linen shirt');
    expect(html).toContain('$62.64');
    expect(html).toContain('Returns within 30 days with this receipt');
    const qr = mail.parsed.attachments.find((a) => a.contentType === 'image/png');
    expect(qr?.contentId).toBeTruthy();
    expect(html).toContain(`cid:${qr!.contentId!.replace(/[<>]/g, '')}`);
    expect(decodeQr(qr!.content)).toBe(sale._id);

    // one Message-ID per outbox document, recorded as the provider's id
    expect(mail.parsed.messageId).toMatch(/^<1\.[0-9a-f]{32}@corner\.test>$/);
    expect(mail.parsed.headers.get('x-outbox-id')).toBe(outbox._id);
    expect(d).toMatchObject({ status: 'sent', attempts: 1, channel: 'email', template: 'receipt', tenantId: t, locationCode: 'GM' });
    expect(d.providerId).toContain(mail.parsed.messageId);
    // the outbox event itself is never edited
    const ev = await s.couch.use(locationDb(t, 'GM')).get(outbox._id);
    expect(ev._rev.startsWith('1-')).toBe(true);
  });

  it('texts a receipt through the Twilio client: lines, total and the receipt number, to the number as typed', async () => {
    const sale = makeSale('GM', gm.device.id);
    const outbox = receiptOutbox(sale._id, 'sms', '+1 (555) 010-0199');
    await push(sale, outbox);
    const d = await settled(gmDelivery(outbox._id), ['sent']);
    const sent = twilio.to('+15550100199');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.from).toBe('+15550100');
    // the line reads qty × unit price = amount; tax only in the totals (the printed receipt's rule)
    expect(sent[0]!.body).toContain('1 x Tee $10.00');
    expect(sent[0]!.body).toContain('Tax $0.89');
    expect(sent[0]!.body).toContain('TOTAL $10.89');
    expect(sent[0]!.body).toContain('Cash $10.89');
    expect(sent[0]!.body).toContain(`Receipt ${sale._id}`);
    expect(sent[0]!.body).toContain('Returns within 30 days with this receipt');
    expect(d.providerId).toBe(sent[0]!.sid);
  });

  it('waits for a sale that reaches the server after its outbox document (replication keeps no order)', async () => {
    const sale = makeSale('GM', gm.device.id);
    const outbox = receiptOutbox(sale._id, 'email', 'late@example.test');
    await push(outbox);
    const waiting = await settled(gmDelivery(outbox._id), ['retrying']);
    expect(waiting.lastError).toMatchObject({ code: 'COMPOSE', permanent: false });
    expect(waiting.lastError!.message).toContain('is not on the server yet');
    await push(sale);
    const mail = await lastTo('late@example.test');
    expect(mail.parsed.text).toContain('TOTAL');
    await settled(gmDelivery(outbox._id), ['sent']);
  });
});

describe('failures, suppression and unsubscribe', () => {
  it('retries a temporary SMTP failure (4xx) with backoff, then sends once', async () => {
    sink.failNext.push(451, 451);
    const id = await queuePlatform('password_reset', 'retry@example.test', { name: 'Rita', signInUrl: '/admin' });
    const retrying = await settled(platformDelivery(id), ['retrying']);
    expect(retrying.lastError).toMatchObject({ code: '451', permanent: false });
    expect(Date.parse(retrying.nextAttemptAt!)).toBeGreaterThan(Date.parse(retrying.lastError!.at));
    const d = await settled(platformDelivery(id), ['sent']);
    expect(d.attempts).toBe(3);
    expect(d.history.map((h) => h.outcome)).toEqual(['temporary', 'temporary', 'sent']);
    // the second wait is longer than the first (exponential, with jitter of ±20 %)
    const [a, b, c] = d.history.map((h) => Date.parse(h.at));
    expect(c! - b!).toBeGreaterThan((b! - a!) * 1.1);
    expect(sink.to('retry@example.test')).toHaveLength(1);
  });

  it('marks a bad address (550 at RCPT TO) failed permanently, lists it as a bounce, and suppresses the next message to it', async () => {
    sink.rejectRecipients.set('nobody@example.test', 550);
    const first = await queuePlatform('password_reset', 'nobody@example.test', { name: 'No One', signInUrl: '/admin' });
    const d = await settled(platformDelivery(first), ['failed']);
    expect(d.lastError).toMatchObject({ code: '550', permanent: true });
    expect(d.attempts).toBe(1);
    const s1 = (await s.couch.use(PLATFORM_DB).get(`suppression:${t}:email:nobody@example.test`)) as SuppressionDoc;
    expect(s1).toMatchObject({ reason: 'bounce', scope: 'all' });
    const before = sink.messages.length;
    const second = await queuePlatform('password_reset', 'Nobody@Example.test', { name: 'No One', signInUrl: '/admin' });
    const d2 = await settled(platformDelivery(second), ['suppressed']);
    expect(d2.attempts).toBe(0);
    expect(sink.messages.length).toBe(before);
  });

  it('marks Twilio 21211 (invalid number) failed and 21610 (replied STOP) suppressed', async () => {
    const sale = makeSale('GM', gm.device.id);
    const bad = receiptOutbox(sale._id, 'sms', '555 0100');
    twilio.stopped.add('+15550100777');
    const stopped = receiptOutbox(sale._id, 'sms', '+1 555 010 0777');
    await push(sale, bad, stopped);
    const d1 = await settled(gmDelivery(bad._id), ['failed']);
    expect(d1.lastError).toMatchObject({ code: '21211', permanent: true });
    expect(d1.lastError!.message).toContain('is not a valid phone number');
    const d2 = await settled(gmDelivery(stopped._id), ['suppressed']);
    expect(d2.lastError).toMatchObject({ code: '21610' });
    expect(await s.couch.use(PLATFORM_DB).get(`suppression:${t}:sms:+15550100777`)).toMatchObject({ reason: 'unsubscribe', scope: 'all' });
  });

  it('a notification carries a one-click unsubscribe; after it, notifications to that address are suppressed but receipts still go', async () => {
    const digest = await queuePlatform('low_stock_digest', 'boss@example.test', {
      asOf: 'Dec 1, 2026',
      items: JSON.stringify([{ location: 'GM', name: 'Linen shirt M Blue', sku: 'LS-M-B', onHand: 1, threshold: 5 }])
    });
    const mail = await lastTo('boss@example.test');
    await settled(platformDelivery(digest), ['sent']);
    expect(mail.parsed.subject).toBe('Low stock at Corner Shop: 1 item');
    expect(mail.parsed.text).toContain('GM  Linen shirt M Blue (LS-M-B): 1 on hand, reorder at 5');
    // mailparser reads List-* headers into `list`
    const list = mail.parsed.headers.get('list') as { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } };
    const oneClick = list.unsubscribe?.url ?? '';
    expect(oneClick.startsWith(`${PUBLIC_URL}/api/v1/unsubscribe?token=`)).toBe(true);
    expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
    expect(String(mail.parsed.html)).toContain(`${PUBLIC_URL}/unsubscribe?token=`);

    // the mail client's one-click POST (RFC 8058), sent to our server instead of the public host
    const path = oneClick.slice(PUBLIC_URL.length);
    const about = await fetch(s.url + path);
    expect(await about.json()).toEqual({ tenantName: 'Corner Shop', channel: 'email', address: 'b…@example.test' });
    const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    expect(await s.couch.use(PLATFORM_DB).get(`suppression:${t}:email:boss@example.test`)).toMatchObject({ reason: 'unsubscribe', scope: 'notification' });
    // a forged token is refused
    expect((await fetch(`${s.url}/api/v1/unsubscribe?token=${path.split('token=')[1]!.replace(/.$/, 'x')}`, { method: 'POST' })).status).toBe(400);

    const again = await queuePlatform('low_stock_digest', 'boss@example.test', { asOf: 'Dec 2, 2026', items: '[]' });
    await settled(platformDelivery(again), ['suppressed']);
    const sale = makeSale('GM', gm.device.id);
    const receipt = receiptOutbox(sale._id, 'email', 'boss@example.test');
    await push(sale, receipt);
    await settled(gmDelivery(receipt._id), ['sent']);
    expect(sink.to('boss@example.test')).toHaveLength(2);
  });
});

describe('every template, queued by its own flow', () => {
  const json = async <T>(res: Response, status = 200): Promise<T> => {
    const body = await res.text();
    expect(res.status, body).toBe(status);
    return JSON.parse(body) as T;
  };

  it('welcome (sign-up): platform-branded, the sign-in link absolute, no password', async () => {
    const out = await json<{ tenantId: string; temporaryPassword: string }>(
      await s.call('POST', '/api/v1/signup', {
        body: { businessName: 'Blue Door Books', ownerName: 'Bea', ownerEmail: 'bea@bluedoor.test', plan: 'starter', location: { code: 'BD', name: 'Blue Door', timeZone: 'Europe/London', currency: 'GBP' } }
      }),
      201
    );
    const mail = await lastTo('bea@bluedoor.test');
    expect(mail.parsed.subject).toBe('Welcome to POS Platform: Blue Door Books is ready');
    expect(mail.parsed.text).toContain('Hello Bea,');
    expect(mail.parsed.text).toContain('Blue Door Books is set up on the Starter plan');
    expect(mail.parsed.text).toContain(`${PUBLIC_URL}/admin/setup`);
    expect(mail.raw.toString()).not.toContain(out.temporaryPassword);
    await settled(platformDelivery(`outbox:welcome:${out.tenantId}`), ['sent']);
  });

  it('staff invitation and password reset: tenant-branded, no secret', async () => {
    const invited = await json<{ member: { id: string }; temporaryPassword: string }>(
      await s.call('POST', '/api/v1/staff', { token: owner, body: { email: 'cass@corner.test', name: 'Cass Cashier', role: 'cashier', locations: ['GM'] } }),
      201
    );
    const invite = await lastTo('cass@corner.test');
    expect(invite.parsed.subject).toBe('You have been added to Corner Shop');
    expect(invite.parsed.text).toContain('Hello Cass Cashier,');
    expect(invite.parsed.text).toContain('as cashier');
    expect(invite.parsed.text).toContain(`${PUBLIC_URL}/admin`);
    expect(invite.raw.toString()).not.toContain(invited.temporaryPassword);
    const reset = await json<{ temporaryPassword: string }>(await s.call('POST', `/api/v1/staff/${encodeURIComponent(invited.member.id)}/password`, { token: owner }));
    const mail = await lastTo('cass@corner.test', 2);
    expect(mail.parsed.subject).toBe('Your Corner Shop password was reset');
    expect(mail.parsed.text).toContain('signed out everywhere');
    expect(mail.raw.toString()).not.toContain(reset.temporaryPassword);
  });

  it('purchase order: the order in the body and a CSV attachment with every line', async () => {
    const product = { ...makeProductWith('product:01M9PO0000000000000000000A', 'Canvas tote', 'TOTE-1') };
    await s.couch.use(catalogDb(t)).insert(product);
    const supplier = await json<{ supplier: { _id: string } }>(await s.call('POST', '/api/v1/inventory/suppliers', { token: owner, body: { name: 'Acme Bags', email: 'orders@acme.test' } }), 201);
    const po = await json<{ order: { _id: string; number: string } }>(
      await s.call('POST', '/api/v1/inventory/purchase-orders', { token: owner, body: { location: 'GM', supplierId: supplier.supplier._id, lines: [{ variantId: product.variants[0]!.id, ordered: 12, unitCost: 450 }], note: 'Deliver to the back door' } }),
      201
    );
    await json(await s.call('POST', `/api/v1/inventory/purchase-orders/${encodeURIComponent(po.order._id)}/send`, { token: owner }));
    const mail = await lastTo('orders@acme.test');
    expect(mail.parsed.subject).toBe(`Purchase order ${po.order.number} from Corner Shop`);
    expect(mail.parsed.text).toContain('Main Street\n1 Main St\nSpringfield');
    expect(mail.parsed.text).toContain('12 x TOTE-1 Canvas tote · One @ 4.50 = 54.00');
    expect(mail.parsed.text).toContain('Total (USD): 54.00');
    expect(mail.parsed.text).toContain('Note: Deliver to the back door');
    // supplier mail carries the shop's name, not its receipt header and return policy
    expect(mail.parsed.text).not.toContain('Returns within 30 days');
    const csv = mail.parsed.attachments.find((a) => a.filename === `purchase-order-${po.order.number}.csv`);
    expect(csv?.contentType).toBe('text/csv');
    expect(csv!.content.toString('utf8')).toBe(`order,sku,description,quantity,unit_cost_usd,line_total_usd\r\n${po.order.number},TOTE-1,Canvas tote · One,12,4.50,54.00\r\n`);
  });

  it('gift card issued to a customer: amount and the last four digits only', async () => {
    await s.couch.use(customersDb(t)).insert({ _id: 'customer:gina', type: 'customer', firstName: 'Gina', lastName: 'Green', email: 'gina@example.test', phone: '+15550100555', tags: [], updatedAt: new Date().toISOString(), updatedBy: 'user:x' });
    const card = await json<{ number: string }>(await s.call('POST', '/api/v1/customers/gift-cards', { token: owner, body: { amount: 5000, customerId: 'customer:gina' } }), 201);
    const mail = await lastTo('gina@example.test');
    expect(mail.parsed.subject).toBe('Your Corner Shop gift card: $50.00');
    expect(mail.parsed.text).toContain(`card ending ${card.number.slice(-4)}`);
    expect(mail.raw.toString()).not.toContain(card.number);
    // customer mail carries the receipt header and footer
    expect(mail.parsed.text).toContain('Returns within 30 days with this receipt');
  });

  it('sync and device alerts digest, on request, to the manager who asked', async () => {
    const manager = await login(s, 'm@corner.test', PW);
    const out = await json<{ id: string; to: string }>(await s.call('POST', '/api/v1/messages/digest', { token: manager, body: { kind: 'sync' } }), 202);
    expect(out.to).toBe('m@corner.test');
    const mail = await lastTo('m@corner.test');
    expect(mail.parsed.subject).toMatch(/^Corner Shop: \d+ sync and device alerts?$/);
    expect(String(mail.parsed.html)).toContain('/unsubscribe?token=');
    const low = await json<{ id: string; items: number }>(await s.call('POST', '/api/v1/messages/digest', { token: manager, body: { kind: 'low_stock' } }), 202);
    const digest = await lastTo('m@corner.test', 2);
    expect(digest.parsed.subject).toBe(`Low stock at Corner Shop: ${low.items} item${low.items === 1 ? '' : 's'}`);
  });

  it('layaway reminder by text: what is left to pay, from the layaway and its payments', async () => {
    const layawayId = `layaway:${gm.device.id}:${newUlid()}`;
    const line = { lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Wool coat', qty: 1, unitPrice: 20000, discount: 0, tax: 0, total: 20000 };
    await push(
      { _id: layawayId, type: 'layaway', locationCode: 'GM', registerId: `device:${gm.device.id}`, cashierId: 'user:c', customerId: 'customer:gina', currency: 'USD', lines: [line], total: 20000, tenders: [{ kind: 'cash', amount: 4000 }], change: 0, createdAt: new Date().toISOString() },
      { _id: `layaway_payment:${gm.device.id}:${newUlid()}`, type: 'layaway_payment', locationCode: 'GM', registerId: `device:${gm.device.id}`, cashierId: 'user:c', layawayId, tenders: [{ kind: 'cash', amount: 6000 }], change: 0, createdAt: new Date().toISOString() }
    );
    const out = await json<{ id: string; balance: number }>(await s.call('POST', '/api/v1/messages/layaway-reminder', { token: owner, body: { location: 'GM', layawayId, channel: 'sms' } }), 202);
    expect(out.balance).toBe(10000);
    const d = await settled(platformDelivery(out.id), ['sent']);
    const sms = twilio.messages.find((m) => m.sid === d.providerId)!;
    expect(sms.to).toBe('+15550100555');
    expect(sms.body).toBe(`Corner Shop: your layaway ${layawayId.slice(-8)} at Main Street has $100.00 left to pay (total $200.00). Reply STOP to opt out.`);
  });
});

function makeProductWith(id: string, name: string, sku: string) {
  const suffix = id.slice('product:'.length);
  return {
    _id: id,
    type: 'product',
    name,
    categoryId: 'category:bags',
    taxCategory: 'general',
    options: [{ name: 'Size', values: ['One'] }],
    variants: [{ id: `${suffix}-v01`, sku, options: { Size: 'One' }, price: 1200, active: true }],
    status: 'active',
    updatedAt: new Date().toISOString(),
    updatedBy: 'user:test'
  };
}

describe('the Messages API', () => {
  type Listed = { messages: { id: string; status: string; template: string; locationCode: string | null; providerId: string | null; error: { code: string } | null; generation: number }[]; nextCursor: string | null; channels: Record<string, { configured: boolean }> };

  it('lists messages newest first with status and provider id; a manager sees only their store’s', async () => {
    const all = (await (await s.call('GET', '/api/v1/messages?limit=100', { token: owner })).json()) as Listed;
    expect(all.channels).toMatchObject({ email: { configured: true }, sms: { configured: true } });
    expect(all.messages.length).toBeGreaterThan(10);
    expect(all.messages.some((m) => m.template === 'staff_invite')).toBe(true);
    const sent = all.messages.find((m) => m.status === 'sent' && m.template === 'receipt')!;
    expect(sent.providerId).toBeTruthy();
    const manager = await login(s, 'm@corner.test', PW);
    const mine = (await (await s.call('GET', '/api/v1/messages?limit=100', { token: manager })).json()) as Listed;
    expect(mine.messages.length).toBeGreaterThan(0);
    expect(mine.messages.every((m) => m.locationCode === 'GM')).toBe(true);
    // paging by cursor covers the same rows
    const page1 = (await (await s.call('GET', '/api/v1/messages?limit=3', { token: owner })).json()) as Listed;
    const page2 = (await (await s.call('GET', `/api/v1/messages?limit=3&cursor=${page1.nextCursor}`, { token: owner })).json()) as Listed;
    expect([...page1.messages, ...page2.messages].map((m) => m.id)).toEqual(all.messages.slice(0, 6).map((m) => m.id));
    const failed = (await (await s.call('GET', '/api/v1/messages?status=failed', { token: owner })).json()) as Listed;
    expect(failed.messages.length).toBeGreaterThan(0);
    expect(failed.messages.every((m) => m.status === 'failed')).toBe(true);
    // a cashier may not
    const cashier = await createStaffUser({ couch: s.couch }, t, { email: 'c2@corner.test', name: 'C', role: 'cashier', locations: ['GM'], password: PW });
    expect(cashier).toBeTruthy();
    expect((await s.call('GET', '/api/v1/messages', { token: await login(s, 'c2@corner.test', PW) })).status).toBe(403);
  });

  it('resends a failed message once its address is off the suppression list, as a new generation', async () => {
    sink.rejectRecipients.set('fixme@example.test', 550);
    const id = await queuePlatform('password_reset', 'fixme@example.test', { name: 'Fix', signInUrl: '/admin' });
    await settled(platformDelivery(id), ['failed']);
    const refused = await s.call('POST', `/api/v1/messages/${encodeURIComponent(platformDelivery(id))}/resend`, { token: owner });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe('suppressed');
    sink.rejectRecipients.delete('fixme@example.test');
    const removed = await s.call('POST', '/api/v1/messages/suppressions/remove', { token: owner, body: { channel: 'email', address: 'FIXME@example.test' } });
    expect(await removed.json()).toEqual({ removed: true });
    const res = await s.call('POST', `/api/v1/messages/${encodeURIComponent(platformDelivery(id))}/resend`, { token: owner });
    expect(res.status).toBe(200);
    const d = await settled(platformDelivery(id), ['sent']);
    expect(d.generation).toBe(2);
    expect(d.history.map((h) => h.outcome)).toEqual(['permanent', 'resend', 'sent']);
    const mail = await lastTo('fixme@example.test');
    expect(mail.parsed.messageId).toMatch(/^<2\.[0-9a-f]{32}@corner\.test>$/);
  });
});
