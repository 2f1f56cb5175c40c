import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_DB, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import type { DeliveryDoc } from '../../server/notify/types.ts';
import { makeSale } from '../support/fixtures.ts';
import { MailSink } from '../support/mail-sink.ts';
import { enrol, login, startTestServer, type TestServer } from './support/server.ts';

/**
 * Limits and configuration: each tenant sends at most NOTIFY_RATE_PER_MIN messages a minute per
 * channel (one tenant's burst waits, another tenant's message does not); a channel that is not
 * configured keeps its messages queued and says what is missing.
 */
const PW = 'correct-horse-battery';
const sink = new MailSink();
let s: TestServer;
let a = '';
let b = '';

async function queue(tenantId: string, to: string): Promise<string> {
  const id = `outbox:password_reset:${tenantId}:${newUlid()}`;
  await s.couch.use(PLATFORM_DB).insert({ _id: id, type: 'email_outbox', tenantId, to, template: 'password_reset', data: { name: 'N', signInUrl: '/admin' }, status: 'pending', attempts: 0, createdAt: new Date().toISOString() });
  return `delivery:${PLATFORM_DB}:${id}`;
}

beforeAll(async () => {
  await sink.start();
  s = await startTestServer({ SMTP_URL: sink.url, MAIL_FROM: 'pos@limits.test', NOTIFY_RATE_PER_MIN: '6' });
  a = (await createTenant({ couch: s.couch }, { name: 'Busy Shop', adminEmail: 'o@busy.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  b = (await createTenant({ couch: s.couch }, { name: 'Quiet Shop', adminEmail: 'o@quiet.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
});

afterAll(async () => {
  await s?.stop();
  await sink.stop();
});

describe('rate limit per tenant', () => {
  it('sends a burst up to the limit, then one per interval; another tenant is not held up', async () => {
    const started = Date.now();
    for (let i = 0; i < 8; i++) await queue(a, `busy${i}@example.test`);
    const quiet = await queue(b, 'quiet@example.test');
    await sink.waitFor('quiet@example.test');
    const burstDone = await (async () => {
      while (sink.messages.filter((m) => m.envelope.to[0]!.startsWith('busy')).length < 6) await new Promise((r) => setTimeout(r, 100));
      return Date.now();
    })();
    // 6 a minute = one token every 10 s once the burst is spent
    await new Promise((r) => setTimeout(r, 3_000));
    expect(sink.messages.filter((m) => m.envelope.to[0]!.startsWith('busy'))).toHaveLength(6);
    const waiting = await Promise.all(
      (await s.couch.use(PLATFORM_DB).view('deliveries', 'by_tenant', { startkey: [a], endkey: [a, {}], include_docs: true })).rows
        .map((r) => r.doc as unknown as DeliveryDoc)
        .filter((d) => d.template === 'password_reset' && d.status !== 'sent')
    );
    expect(waiting.map((d) => d.status)).toEqual(['queued', 'queued']);
    while (sink.messages.filter((m) => m.envelope.to[0]!.startsWith('busy')).length < 7) await new Promise((r) => setTimeout(r, 200));
    expect(Date.now() - burstDone).toBeGreaterThan(5_000);
    expect((await s.couch.use(PLATFORM_DB).get(quiet)) as DeliveryDoc).toMatchObject({ status: 'sent' });
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

describe('a channel that is not configured', () => {
  it('keeps text messages queued and says which settings are missing', async () => {
    const owner = await login(s, 'o@quiet.test', PW);
    const reg = await enrol(s, owner, 'register', 'GM', 'Till');
    const sale = makeSale('GM', reg.device.id);
    const outbox = { _id: `outbox:${reg.device.id}:${newUlid()}`, type: 'outbox', locationCode: 'GM', channel: 'sms', to: '+15550100999', template: 'receipt', ref: sale._id, createdBy: 'user:c', createdAt: new Date().toISOString() };
    expect((await s.call('POST', `/db/${locationDb(b, 'GM')}/_bulk_docs`, { token: reg.deviceToken, body: { docs: [sale, outbox] } })).status).toBe(201);
    const id = `delivery:${locationDb(b, 'GM')}:${outbox._id}`;
    const deadline = Date.now() + 30_000;
    type Listed = { messages: { id: string; status: string }[]; channels: { sms: { configured: boolean; missing: string[] }; email: { configured: boolean } } };
    let listed: Listed | null = null;
    while (Date.now() < deadline) {
      const page = (await (await s.call('GET', '/api/v1/messages', { token: owner })).json()) as Listed;
      listed = page;
      if (page.messages.some((m) => m.id === id)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed!.channels.email.configured).toBe(true);
    expect(listed!.channels.sms).toEqual({ configured: false, from: null, missing: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(((await s.couch.use(PLATFORM_DB).get(id)) as DeliveryDoc).status).toBe('queued');
  });
});
