import { z } from 'zod';
import { PLATFORM_DB, catalogDb } from '#domain/db-names.ts';
import { hasAllLocations } from '#domain/permissions.ts';
import { recordAudit } from '../audit.ts';
import { hasPermission, mayUseLocation, principalId, type Principal } from '../auth/principal.ts';
import type { Config } from '../config.ts';
import { casPut } from '../couch/cas.ts';
import { statusOf, type Couch } from '../couch/client.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type { Logger } from '../log.ts';
import { getTenant } from '../tenants/provision.ts';
import { maskAddress, normaliseAddress } from './addresses.ts';
import { addSuppression, removeSuppression, suppressionId } from './suppressions.ts';
import { fromDomain, smtpTransport } from './transports/email.ts';
import { twilioTransport } from './transports/sms.ts';
import { DELIVERY_STATUSES, TEMPLATE_LABEL, type Channel, type DeliveryDoc, type SuppressionDoc } from './types.ts';
import { readUnsubscribeToken, unsubscribeKey } from './unsubscribe.ts';
import { OutboxWorker } from './worker.ts';

/**
 * Email and SMS as the rest of the server sees them (docs/INTEGRATIONS.md "Email and SMS"): the
 * outbox worker, what is configured, and the use cases behind the Messages page (list, resend,
 * suppression list) and the public unsubscribe link. Each use case checks its own caller.
 */
export interface ChannelStatus {
  configured: boolean;
  /** the sender, when configured (MAIL_FROM, TWILIO_FROM) */
  from: string | null;
  /** what to set when not configured */
  missing: string[];
}

export const messagesQuery = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    cursor: z.string().max(400).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50)
  })
  .strict();

export const suppressionBody = z.object({ channel: z.enum(['email', 'sms']), address: z.string().trim().min(3).max(200) }).strict();

export interface MessageView {
  id: string;
  createdAt: string;
  queuedAt: string;
  channel: Channel;
  template: string;
  templateLabel: string;
  to: string;
  locationCode: string | null;
  status: DeliveryDoc['status'];
  attempts: number;
  generation: number;
  nextAttemptAt: string | null;
  providerId: string | null;
  sentAt: string | null;
  error: { code: string; message: string; permanent: boolean; at: string } | null;
  history: DeliveryDoc['history'];
}

function view(d: DeliveryDoc): MessageView {
  return {
    id: d._id,
    createdAt: d.createdAt,
    queuedAt: d.queuedAt,
    channel: d.channel,
    template: d.template,
    templateLabel: TEMPLATE_LABEL[d.template] ?? d.template,
    to: d.to,
    locationCode: d.locationCode ?? null,
    status: d.status,
    attempts: d.attempts,
    generation: d.generation,
    nextAttemptAt: d.status === 'queued' || d.status === 'retrying' ? (d.nextAttemptAt ?? null) : null,
    providerId: d.providerId ?? null,
    sentAt: d.sentAt ?? null,
    error: d.lastError ?? null,
    history: d.history.slice(-10)
  };
}

/** Messages about one store are that store's; tenant-wide ones (welcome, staff) are for all-location roles. */
function maySee(p: Principal, d: Pick<DeliveryDoc, 'tenantId' | 'locationCode'>): boolean {
  if (d.tenantId !== p.tenantId) return false;
  if (d.locationCode) return mayUseLocation(p, d.locationCode);
  return p.kind === 'user' && hasAllLocations(p.role);
}

function viewer(p: Principal): Principal {
  if (!hasPermission(p, 'report:view')) throw forbidden('Messages need the report:view permission');
  return p;
}

/** How long after an intake or a worker run on a CouchDB cluster it is repeated once (see settleMs). */
export const SETTLE_MS = 2_000;

export class Notify {
  readonly worker: OutboxWorker;
  private readonly key: Uint8Array;

  constructor(
    private readonly couch: Couch,
    private readonly log: Logger,
    private readonly config: Config,
    jwtSecret: string,
    publicUrl: () => string
  ) {
    this.key = unsubscribeKey(jwtSecret);
    const email = config.SMTP_URL && config.MAIL_FROM ? smtpTransport(config.SMTP_URL, config.MAIL_FROM) : null;
    const sms =
      config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM
        ? twilioTransport({ accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, from: config.TWILIO_FROM, apiBase: config.TWILIO_API_BASE })
        : null;
    this.worker = new OutboxWorker(couch, log, {
      email,
      sms,
      ratePerMinute: config.NOTIFY_RATE_PER_MIN,
      retryBaseMs: config.NOTIFY_RETRY_BASE_S * 1000,
      claimTtlMs: config.NOTIFY_CLAIM_TTL_S * 1000,
      publicUrl,
      unsubscribeKey: this.key,
      mailDomain: fromDomain(config.MAIL_FROM ?? ''),
      // a cluster's _changes may be a moment behind the write it was told about (worker.ts, settleMs)
      settleMs: config.COUCH_URL ? SETTLE_MS : 0
    });
  }

  status(): Record<Channel, ChannelStatus> {
    const c = this.config;
    return {
      email: { configured: this.worker.configured.email, from: c.MAIL_FROM ?? null, missing: this.worker.configured.email ? [] : ['SMTP_URL', 'MAIL_FROM'].filter((k) => !c[k as 'SMTP_URL']) },
      sms: {
        configured: this.worker.configured.sms,
        from: c.TWILIO_FROM ?? null,
        missing: this.worker.configured.sms ? [] : ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'].filter((k) => !c[k as 'TWILIO_FROM'])
      }
    };
  }

  /** A database may hold new outbox documents (see triggers.ts). */
  changed(db: string): void {
    this.worker.changed(db);
  }

  async list(p: Principal, q: z.output<typeof messagesQuery>): Promise<{ messages: MessageView[]; nextCursor: string | null }> {
    viewer(p);
    const platform = this.couch.use(PLATFORM_DB);
    let after: [string, string] | null = null;
    if (q.cursor) {
      try {
        const c = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as unknown;
        if (!Array.isArray(c) || c.length !== 2 || !c.every((x) => typeof x === 'string')) throw new Error('shape');
        after = c as [string, string];
      } catch {
        throw badRequest('cursor: not a cursor this API gave out');
      }
    }
    const prefix = q.status ? [p.tenantId, q.status] : [p.tenantId];
    const out: MessageView[] = [];
    let startkey: unknown[] = after ? [...prefix, after[0]] : [...prefix, {}];
    let startkeyDocid = after?.[1];
    let skip = after ? 1 : 0;
    let last: [string, string] | null = null;
    // keyed paging, newest first; rows the caller may not see are skipped, so read on until the page is full
    for (let round = 0; round < 10 && out.length < q.limit; round++) {
      const res = await platform.view('deliveries', q.status ? 'by_tenant_status' : 'by_tenant', {
        startkey,
        endkey: prefix,
        descending: true,
        include_docs: true,
        limit: q.limit + 1,
        skip,
        ...(startkeyDocid ? { startkey_docid: startkeyDocid } : {})
      });
      for (const row of res.rows) {
        const d = row.doc as unknown as DeliveryDoc | undefined;
        const key = row.key as unknown as string[];
        last = [key[key.length - 1]!, row.id];
        if (d && maySee(p, d)) out.push(view(d));
        if (out.length === q.limit) break;
      }
      if (res.rows.length <= q.limit && out.length < q.limit) return { messages: out, nextCursor: null };
      if (!last) break;
      startkey = [...prefix, last[0]];
      startkeyDocid = last[1];
      skip = 1;
    }
    return { messages: out, nextCursor: last && out.length === q.limit ? Buffer.from(JSON.stringify(last)).toString('base64url') : null };
  }

  private async visible(p: Principal, id: string): Promise<DeliveryDoc> {
    if (!/^delivery:[^\s]{3,300}$/.test(id)) throw badRequest('id: not a message id');
    let d: DeliveryDoc;
    try {
      d = (await this.couch.use(PLATFORM_DB).get(id)) as DeliveryDoc;
    } catch (err) {
      if (statusOf(err) === 404) throw notFound(`No message ${id}`);
      throw err;
    }
    if (d.type !== 'delivery' || !maySee(p, d)) throw notFound(`No message ${id}`);
    return d;
  }

  /**
   * Sends a message again as a new generation (new Message-ID, attempts from 1), whatever happened to
   * it: a failed or unconfirmed one, or a sent one the recipient lost. The outbox event is untouched.
   */
  async resend(p: Principal, id: string, requestId?: string): Promise<MessageView> {
    viewer(p);
    const d = await this.visible(p, id);
    if (d.status === 'sending') throw conflict('This message is being sent right now; look again in a minute.');
    if (d.status === 'queued' || d.status === 'retrying') throw conflict('This message is already waiting to be sent.');
    const s = await this.couch
      .use(PLATFORM_DB)
      .get(suppressionId(d.tenantId, d.channel, d.to))
      .catch((err: unknown) => {
        if (statusOf(err) === 404) return null;
        throw err;
      });
    if (s && ((s as SuppressionDoc).scope === 'all' || d.category === 'notification')) {
      throw new AppError(409, 'suppressed', `${d.to} is on the suppression list (${(s as SuppressionDoc).reason}); remove it from the list first if the address is good again.`);
    }
    const now = new Date().toISOString();
    const { claim: _c, providerId: _p, sentAt: _s, lastError: _e, ...rest } = d;
    const next: DeliveryDoc = {
      ...rest,
      status: 'queued',
      attempts: 0,
      generation: d.generation + 1,
      nextAttemptAt: now,
      history: [...d.history, { n: 0, generation: d.generation + 1, at: now, outcome: 'resend' as const, by: principalId(p) }].slice(-20)
    };
    const r = await casPut(this.couch.use(PLATFORM_DB), next);
    if (!r.ok) throw conflict('The message changed meanwhile; reload and try again.');
    next._rev = r.rev;
    await recordAudit(this.couch, p.tenantId, { action: 'message.resent', actor: principalId(p), target: d.source.id, details: { channel: d.channel, template: d.template, generation: next.generation }, ...(requestId ? { requestId } : {}) });
    this.worker.kick(d._id);
    return view(next);
  }

  async suppressions(p: Principal): Promise<SuppressionDoc[]> {
    viewer(p);
    const prefix = `suppression:${p.tenantId}:`;
    const res = await this.couch.use(PLATFORM_DB).list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true, limit: 1000 });
    return res.rows.map((r) => r.doc as unknown as SuppressionDoc).filter(Boolean);
  }

  /** Takes an address off the list (it was fixed, or the person asked to hear from the shop again). */
  async unsuppress(p: Principal, body: z.output<typeof suppressionBody>, requestId?: string): Promise<boolean> {
    if (!hasPermission(p, 'settings:manage')) throw forbidden('Changing the suppression list needs the settings:manage permission');
    const removed = await removeSuppression(this.couch, p.tenantId, body.channel, body.address);
    if (removed) await recordAudit(this.couch, p.tenantId, { action: 'message.unsuppressed', actor: principalId(p), details: { channel: body.channel, address: normaliseAddress(body.channel, body.address) }, ...(requestId ? { requestId } : {}) });
    return removed;
  }

  /** What an unsubscribe link is about, for the page that confirms it (address masked). */
  async describeUnsubscribe(token: string): Promise<{ tenantName: string; channel: Channel; address: string }> {
    const t = readUnsubscribeToken(this.key, token);
    if (!t) throw badRequest('This unsubscribe link is not valid. Copy the whole link from the email.');
    const settings = (await this.couch
      .use(catalogDb(t.tenantId))
      .get('settings:tenant')
      .catch(() => null)) as { tenantName?: string } | null;
    const tenant = settings?.tenantName ? null : await getTenant(this.couch, t.tenantId);
    return { tenantName: settings?.tenantName ?? tenant?.name ?? 'this shop', channel: t.channel, address: maskAddress(t.channel, t.address) };
  }

  /** One click (RFC 8058) or the page's button: notifications stop for this address; receipts do not. */
  async unsubscribe(token: string): Promise<{ tenantName: string; channel: Channel; address: string }> {
    const about = await this.describeUnsubscribe(token);
    const t = readUnsubscribeToken(this.key, token)!;
    await addSuppression(this.couch, { tenantId: t.tenantId, channel: t.channel, address: t.address, reason: 'unsubscribe', scope: 'notification', detail: 'unsubscribe link' });
    this.log.info({ tenantId: t.tenantId, channel: t.channel, to: maskAddress(t.channel, t.address) }, 'unsubscribed from notifications');
    return about;
  }
}

