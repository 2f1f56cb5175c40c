import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { LocalProviderServer } from './local-provider-server.ts';

/**
 * A local HTTP server speaking the shape of Twilio's Messages API that the official client uses
 * (https://www.twilio.com/docs/messaging/api/message-resource): POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json with a form-encoded To/From/Body and HTTP basic auth
 * (account SID and auth token) answers 201 with the message resource as JSON; GET on the same path
 * lists messages newest first (filters To, From, PageSize); errors are Twilio's JSON error body
 * ({code, message, more_info, status}) with the HTTP status. Tests script failures and hooks.
 */
export interface FakeMessage {
  sid: string;
  account_sid: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  direction: 'outbound-api';
  api_version: '2010-04-01';
  num_segments: string;
  num_media: '0';
  price: null;
  price_unit: 'USD';
  error_code: null;
  error_message: null;
  uri: string;
  subresource_uris: { media: string };
}

export interface TwilioError {
  status: number;
  code: number;
  message: string;
}

const E164 = /^\+[1-9]\d{7,14}$/;

export class FakeTwilio extends LocalProviderServer {
  readonly accountSid = `AC${randomBytes(16).toString('hex')}`;
  readonly authToken = randomBytes(16).toString('hex');
  readonly messages: FakeMessage[] = [];
  /** numbers that replied STOP (Twilio answers 21610) */
  readonly stopped = new Set<string>();
  /** errors for the next create requests, in order */
  readonly failNext: TwilioError[] = [];
  /** runs after a message is stored, before the answer (return false to send no answer) */
  onCreate: ((m: FakeMessage) => boolean | void) | null = null;
  requests = 0;

  to(number: string): FakeMessage[] {
    return this.messages.filter((m) => m.to === number);
  }

  private error(res: http.ServerResponse, e: TwilioError): void {
    this.json(res, e.status, { code: e.code, message: e.message, more_info: `https://www.twilio.com/docs/errors/${e.code}`, status: e.status }, 'application/json');
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.requests++;
    const url = new URL(req.url ?? '/', this.url);
    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(url.pathname);
    if (!m) return this.error(res, { status: 404, code: 20404, message: 'The requested resource was not found' });
    const auth = req.headers.authorization ?? '';
    const [user, pass] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
    if (!auth.startsWith('Basic ') || user !== this.accountSid || pass !== this.authToken || m[1] !== this.accountSid) {
      return this.error(res, { status: 401, code: 20003, message: 'Authenticate' });
    }
    if (req.method === 'GET') {
      const to = url.searchParams.get('To');
      const from = url.searchParams.get('From');
      const size = Number(url.searchParams.get('PageSize') ?? '50');
      const list = [...this.messages].reverse().filter((x) => (!to || x.to === to) && (!from || x.from === from)).slice(0, size);
      return this.json(
        res,
        200,
        {
          messages: list,
          end: list.length - 1,
          first_page_uri: `${url.pathname}?PageSize=${size}&Page=0`,
          next_page_uri: null,
          previous_page_uri: null,
          page: 0,
          page_size: size,
          start: 0,
          uri: `${url.pathname}?PageSize=${size}&Page=0`
        },
        'application/json'
      );
    }
    if (req.method !== 'POST') return this.error(res, { status: 405, code: 20004, message: 'Method not allowed' });
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) return this.error(res, { status: 400, code: 20001, message: 'Expected a form-encoded body' });
    const chunks: Uint8Array[] = [];
    for await (const c of req) chunks.push(c as Uint8Array);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To') ?? '';
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body') ?? '';
    if (!to) return this.error(res, { status: 400, code: 21604, message: "A 'To' phone number is required." });
    if (!from && !service) return this.error(res, { status: 400, code: 21603, message: "A 'From' phone number is required." });
    if (!body) return this.error(res, { status: 400, code: 21602, message: 'Message body is required.' });
    const fail = this.failNext.shift();
    if (fail) return this.error(res, fail);
    if (!E164.test(to)) return this.error(res, { status: 400, code: 21211, message: `The 'To' number ${to} is not a valid phone number.` });
    if (this.stopped.has(to)) return this.error(res, { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date().toUTCString().replace('GMT', '+0000');
    const msg: FakeMessage = {
      sid,
      account_sid: this.accountSid,
      to,
      from: from ?? null,
      messaging_service_sid: service ?? null,
      body,
      status: 'queued',
      date_created: now,
      date_updated: now,
      date_sent: null,
      direction: 'outbound-api',
      api_version: '2010-04-01',
      num_segments: String(Math.max(1, Math.ceil(body.length / 153))),
      num_media: '0',
      price: null,
      price_unit: 'USD',
      error_code: null,
      error_message: null,
      uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json`,
      subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}/Media.json` }
    };
    this.messages.push(msg);
    if (this.onCreate?.(msg) === false) return; // the caller "crashed" before it could read the answer
    this.json(res, 201, msg, 'application/json');
  }
}
