import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_DB, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import type { DeliveryDoc } from '../../server/notify/types.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';
import { makeSale } from '../support/fixtures.ts';
import { MailSink } from '../support/mail-sink.ts';
import { couchEnv, enrol, login, ON_COUCHDB, startTestServer, type TestServer } from './support/server.ts';

/**
 * Exactly once across a crash between sending and recording it. The server runs as its own process
 * (`node server/main.ts`) and is killed with SIGKILL at the moment the provider has the message: the
 * SMTP server has received the whole email, the Twilio-shaped server has stored the text message, and
 * neither answer reaches the server. Then the server starts again on the same data and finds the
 * attempt it recorded before sending:
 * - the text message is looked up at the provider, found, and recorded as sent: one message;
 * - the email cannot be looked up (SMTP has no such query), so it is marked unconfirmed and not sent
 *   again: one message, and a manager sees that it may not have arrived.
 */
const PW = 'correct-horse-battery';
const sink = new MailSink();
const twilio = new FakeTwilio();
let dataDir = '';
let t = '';
let emailOutbox = '';
let smsOutbox = '';

const env = () => ({
  SMTP_URL: sink.url,
  MAIL_FROM: 'Crash Test <pos@crash.test>',
  TWILIO_ACCOUNT_SID: twilio.accountSid,
  TWILIO_AUTH_TOKEN: twilio.authToken,
  TWILIO_FROM: '+15550100',
  TWILIO_API_BASE: twilio.url,
  NOTIFY_RETRY_BASE_S: '1',
  // an attempt counts as interrupted 3 s after it started (the default is 2 minutes)
  NOTIFY_CLAIM_TTL_S: '3'
});

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The real server as its own process on the data dir. Both messages are due when it starts and are
 * sent side by side; each provider keeps its message and holds its answer, and once both hold one
 * the server is killed: both attempts are interrupted after the provider has the message.
 */
async function runUntilKilled(): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...couchEnv(dataDir), ...env(), PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SEED_DEMO: '0', SKIP_WEB: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit']
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const hold = () => {
    if (sink.messages.length === 1 && twilio.messages.length === 1) child.kill('SIGKILL');
    return false; // no answer: the server is gone before it could read one
  };
  sink.onMessage = hold;
  twilio.onCreate = hold;
  await Promise.race([exited, new Promise((_, rej) => setTimeout(() => rej(new Error('the server was never killed')), 90_000))]);
  sink.onMessage = null;
  twilio.onCreate = null;
  // its embedded store follows it (IPC disconnect); wait for it to let go of the LevelDB files
  if (ON_COUCHDB) return;
  const runtime = JSON.parse(fs.readFileSync(path.join(dataDir, 'couch', 'runtime.json'), 'utf8')) as { pid: number };
  await until('the embedded store to exit', async () => !alive(runtime.pid));
}

let s: TestServer | null = null;
const delivery = (id: string) => s!.couch.use(PLATFORM_DB).get(id) as Promise<DeliveryDoc>;

beforeAll(async () => {
  await sink.start();
  await twilio.start();
  // Set up with delivery not configured: the messages are recorded and stay queued.
  s = await startTestServer({});
  dataDir = s.dataDir;
  t = (await createTenant({ couch: s.couch }, { name: 'Crash Co', adminEmail: 'o@crash.test', adminPassword: PW, locations: [{ code: 'GM' }] })).tenantId;
  const owner = await login(s, 'o@crash.test', PW);
  const gm = await enrol(s, owner, 'register', 'GM', 'Till 1');
  const sale = makeSale('GM', gm.device.id);
  emailOutbox = `outbox:${gm.device.id}:${newUlid()}`;
  smsOutbox = `outbox:${gm.device.id}:${newUlid()}`;
  const base = { type: 'outbox', locationCode: 'GM', template: 'receipt', ref: sale._id, createdBy: 'user:c', createdAt: new Date().toISOString() };
  const res = await s.call('POST', `/db/${locationDb(t, 'GM')}/_bulk_docs`, {
    token: gm.deviceToken,
    body: { docs: [sale, { _id: emailOutbox, ...base, channel: 'email', to: 'crash@example.test' }, { _id: smsOutbox, ...base, channel: 'sms', to: '+15550100123' }] }
  });
  expect(res.status).toBe(201);
  await until('both deliveries recorded', async () => (await Promise.all([emailOutbox, smsOutbox].map((o) => delivery(`delivery:${locationDb(t, 'GM')}:${o}`).catch(() => null)))).every((d) => d?.status === 'queued'));
  await s.stop({ keepData: true });
  s = null;
}, 120_000);

afterAll(async () => {
  await s?.stop();
  await sink.stop();
  await twilio.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a crash between sending and recording', () => {
  it('sends each outbox document once: the text is found at the provider, the email is marked unconfirmed', async () => {
    const emailId = `delivery:${locationDb(t, 'GM')}:${emailOutbox}`;
    const smsId = `delivery:${locationDb(t, 'GM')}:${smsOutbox}`;

    // First start with delivery configured: killed when both providers hold their message.
    await runUntilKilled();
    expect(sink.to('crash@example.test')).toHaveLength(1);
    expect(twilio.to('+15550100123')).toHaveLength(1);

    // Second start: both attempts are found recorded, and expire (3 s) into their recovery.
    s = await startTestServer(env(), dataDir);
    const sms = await until('the text message recovered', async () => {
      const d = await delivery(smsId);
      return d.status === 'sent' ? d : null;
    });
    expect(sms.providerId).toBe(twilio.to('+15550100123')[0]!.sid);
    expect(sms.history.at(-1)).toMatchObject({ outcome: 'recovered' });
    const email = await until('the email marked unconfirmed', async () => {
      const d = await delivery(emailId);
      return d.status === 'unconfirmed' ? d : null;
    });
    expect(email.attempts).toBe(1);
    expect(email.lastError?.message).toContain('may or may not have been delivered');

    // Nothing is sent again, however long it runs (well past another claim expiry and retry).
    await new Promise((r) => setTimeout(r, 5_000));
    expect(sink.to('crash@example.test')).toHaveLength(1);
    expect(twilio.to('+15550100123')).toHaveLength(1);
    expect((await delivery(smsId)).status).toBe('sent');
    expect((await delivery(emailId)).status).toBe('unconfirmed');
  }, 240_000);
});
