import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { PLATFORM_DB } from '#domain/db-names.ts';
import { casPut } from '../couch/cas.ts';
import { statusOf, type Couch } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import { maskAddress, normaliseAddress } from './addresses.ts';
import { MAX_ATTEMPTS, backoffMs } from './backoff.ts';
import { ComposeError, compose, type Composed } from './compose.ts';
import { deliveryId, newDelivery, outboxIntakeCheckpointId, readSource, type SourceDoc } from './outbox-docs.ts';
import { smtpOutcome, twilioOutcome, type Outcome } from './outcome.ts';
import { TenantRateLimiter } from './rate-limit.ts';
import { addSuppression, findSuppression, suppresses } from './suppressions.ts';
import type { EmailTransport } from './transports/email.ts';
import type { SmsTransport } from './transports/sms.ts';
import type { Channel, DeliveryAttempt, DeliveryDoc } from './types.ts';
import { unsubscribeToken } from './unsubscribe.ts';
import { fetchJson } from '../couch/fetch-json.ts';

/**
 * The outbox worker (docs/INTEGRATIONS.md "Email and SMS"). Two halves:
 *
 * Intake, change-driven: `changed(db)` says a database may hold new outbox documents; the worker reads
 * that database's `_changes` from the sequence it stored (`_local/outbox-intake-{db}` in platform),
 * and for each outbox document creates its `delivery:{db}:{outbox id}` record. The id is the outbox
 * id, so however often a change is read (restart, second server copy, lost checkpoint) there is one
 * record per outbox document: CouchDB refuses the second create. The platform database is followed
 * with a long-poll `_changes` feed; location databases are signalled by whatever saw them written
 * (triggers.ts). Nothing visits tenants on a timer.
 *
 * Dispatch: a delivery is sent at most one attempt at a time, and every attempt is recorded before
 * anything reaches the provider: the worker writes the claim (status `sending`, attempt n, key
 * `{delivery}#{generation}.{n}`, expiry) with the document's revision, so of two copies only one wins,
 * then sends, then records the answer. A claim found expired means its server died mid-attempt:
 * - a text message is looked up at the provider (same number, same body fingerprint, created after the
 *   claim): found, it is marked sent with the provider's id and never sent again; not found, retried;
 * - an email cannot be looked up (SMTP has no such query and no idempotency key), so it is marked
 *   `unconfirmed` and not sent again by itself: at most once, and a manager sees it and can resend.
 * Timers exist only for known work: the earliest due retry or expiring claim (the `deliveries/due`
 * view, one query, whatever the number of tenants), never a sweep.
 */
export interface OutboxWorkerOptions {
  email: EmailTransport | null;
  sms: SmsTransport | null;
  /** messages per minute per tenant and channel (this server copy) */
  ratePerMinute: number;
  retryBaseMs: number;
  /** how long an attempt may take before its claim counts as abandoned */
  claimTtlMs: number;
  /** absolute base for links in messages (PUBLIC_URL, else this server's own address once it listens) */
  publicUrl: () => string;
  unsubscribeKey: Uint8Array;
  mailDomain: string;
  /**
   * On a CouchDB cluster: read a database's changes once more this long after each intake. A
   * cluster answers `_changes` from one copy of each shard, which may not have the write the
   * notification was about yet; without a later write nothing would make the worker look again.
   */
  settleMs?: number;
}

/** Changes read per page; outbox documents are a small share of a location database's changes. */
const PAGE = 500;
/** A burst of replicated writes is one intake, not one per request. */
const INTAKE_DELAY_MS = 150;
const SEND_CONCURRENCY = 2;
const INTAKE_CONCURRENCY = 2;
const HISTORY_KEPT = 20;
/** Long-poll timeout for the platform feed (CouchDB answers an empty page then; we ask again). */
const FEED_TIMEOUT_MS = 55_000;
const FEED_RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

interface Checkpoint {
  _id: string;
  _rev?: string;
  since: string | number;
}

type ChangesPage = { results: { id: string; deleted?: boolean }[]; last_seq: string | number };

export class OutboxWorker {
  /** this copy's name on the claims it writes */
  readonly holder = `copy-${ulid()}`;
  private readonly limiter: TenantRateLimiter;
  private stopped = false;
  private readonly feedAbort = new AbortController();
  private feed: Promise<void> | null = null;

  // intake: one run per database at a time, coalesced
  // `queued`: waiting in intakeQueue (at most once per database: a queued run reads every change anyway)
  private readonly intakeState = new Map<string, { timer?: NodeJS.Timeout; running: boolean; again: boolean; queued?: boolean }>();
  /** databases with a settle read pending (opts.settleMs), and those whose current intake is one */
  private readonly settleTimers = new Map<string, NodeJS.Timeout>();
  private readonly settling = new Set<string>();
  private readonly intakeQueue: string[] = [];
  private intakeActive = 0;

  // dispatch
  private readonly sendQueue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly inFlight = new Set<string>();
  private sendActive = 0;
  /** deliveries this copy knows are due at a time (its own retries, rate-limit waits, claims it saw) */
  private readonly scheduled = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private planning: Promise<void> | null = null;
  private replan = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly couch: Couch,
    private readonly log: Logger,
    private readonly opts: OutboxWorkerOptions
  ) {
    this.limiter = new TenantRateLimiter(opts.ratePerMinute);
  }

  get configured(): Record<Channel, boolean> {
    return { email: this.opts.email !== null, sms: this.opts.sms !== null };
  }

  /** Follows the platform outbox and looks once for work left from before this start (due view). */
  start(): void {
    this.changed(PLATFORM_DB);
    this.feed = this.followPlatform();
    this.plan();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.feedAbort.abort();
    clearTimeout(this.timer);
    for (const s of this.intakeState.values()) clearTimeout(s.timer);
    for (const t of this.settleTimers.values()) clearTimeout(t);
    await this.feed?.catch(() => {});
    const deadline = Date.now() + 10_000;
    while ((this.sendActive > 0 || this.intakeActive > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.opts.email?.close();
  }

  /** A database may hold new outbox documents (a write was seen, or a catch-up): read its changes soon. */
  changed(db: string): void {
    if (this.stopped) return;
    let s = this.intakeState.get(db);
    if (!s) {
      s = { running: false, again: false };
      this.intakeState.set(db, s);
    }
    if (s.running) {
      s.again = true;
      return;
    }
    if (s.timer || s.queued) return;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.queued = true;
      this.intakeQueue.push(db);
      this.pumpIntake();
    }, INTAKE_DELAY_MS);
    s.timer.unref();
  }

  /** Send this delivery now (a manager's resend). */
  kick(id: string): void {
    this.scheduled.delete(id);
    this.enqueue(id);
  }

  /** Nothing read, queued or being sent (tests wait for this after a trigger). */
  get idle(): boolean {
    return this.sendActive === 0 && this.sendQueue.length === 0 && this.intakeActive === 0 && this.intakeQueue.length === 0 && [...this.intakeState.values()].every((s) => !s.timer && !s.running) && !this.planning;
  }

  // ---- intake ---------------------------------------------------------------------------------------

  private pumpIntake(): void {
    while (!this.stopped && this.intakeActive < INTAKE_CONCURRENCY && this.intakeQueue.length) {
      const db = this.intakeQueue.shift()!;
      const s = this.intakeState.get(db) ?? { running: false, again: false };
      this.intakeState.set(db, s);
      s.queued = false;
      s.running = true;
      this.intakeActive++;
      void this.intake(db)
        .catch((err: unknown) => {
          this.log.error({ err, db }, 'outbox intake failed; the next change of this database retries it');
        })
        .finally(() => {
          this.intakeActive--;
          s.running = false;
          this.settleLater(db);
          if (s.again) {
            s.again = false;
            this.changed(db);
          } else if (!s.timer && !s.queued) this.intakeState.delete(db);
          this.pumpIntake();
          this.notifyIdle();
        });
    }
  }

  /** One more intake of `db` after opts.settleMs, unless this intake was that one (see settleMs). */
  private settleLater(db: string): void {
    if (this.settling.delete(db) || !this.opts.settleMs || this.stopped || this.settleTimers.has(db)) return;
    const t = setTimeout(() => {
      this.settleTimers.delete(db);
      this.settling.add(db);
      this.changed(db);
    }, this.opts.settleMs);
    t.unref();
    this.settleTimers.set(db, t);
  }

  /** Reads `db`'s changes since its checkpoint and records a delivery for every outbox document. Returns how many were new. */
  async intake(db: string): Promise<number> {
    const platform = this.couch.use(PLATFORM_DB);
    const cpId = outboxIntakeCheckpointId(db);
    let cp: Checkpoint | null = null;
    try {
      cp = (await platform.get(cpId)) as Checkpoint;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    let since: string | number = cp?.since ?? 0;
    let created = 0;
    for (;;) {
      let page: ChangesPage;
      try {
        page = (await this.couch.use(db).changes({ since: String(since), limit: PAGE })) as unknown as ChangesPage;
      } catch (err) {
        if (statusOf(err) === 404) return created; // a database removed with its tenant
        throw err;
      }
      const ids = page.results.filter((r) => !r.deleted && r.id.startsWith('outbox:')).map((r) => r.id);
      if (ids.length) created += await this.takeIn(db, ids);
      if (String(page.last_seq) !== String(since)) {
        since = page.last_seq;
        cp = await saveCheckpoint(platform, cpId, cp, since);
      }
      if (page.results.length < PAGE) return created;
    }
  }

  private async takeIn(db: string, ids: string[]): Promise<number> {
    const res = (await this.couch.use(db).fetch({ keys: ids })) as unknown as { rows: { id: string; doc?: unknown }[] };
    const now = new Date().toISOString();
    const fresh: DeliveryDoc[] = [];
    for (const row of res.rows) {
      if (!row.doc) continue;
      const r = readSource(db, row.doc);
      if (!r.ok) {
        this.log.warn({ db, id: row.id, reason: r.reason }, 'outbox document skipped: it does not match its schema');
        continue;
      }
      fresh.push(newDelivery(db, r.source, now));
    }
    if (!fresh.length) return 0;
    const out = (await this.couch.use(PLATFORM_DB).bulk({ docs: fresh })) as { id: string; error?: string; reason?: string }[];
    let created = 0;
    for (const r of out) {
      if (!r.error) {
        created++;
        this.enqueue(r.id);
      } else if (r.error !== 'conflict') throw new Error(`delivery record ${r.id} not written: ${r.error} ${r.reason ?? ''}`);
    }
    if (created) this.log.info({ db, created }, 'outbox messages queued for delivery');
    return created;
  }

  /** The platform database's outbox, followed with a long-poll feed (one connection, whatever the tenants). */
  private async followPlatform(): Promise<void> {
    let since: string | number = 'now';
    let failures = 0;
    const url = `${this.couch.creds.url.replace(/\/$/, '')}/${this.couch.physical(PLATFORM_DB)}/_changes`;
    while (!this.stopped) {
      try {
        const q = new URLSearchParams({ feed: 'longpoll', since: String(since), timeout: String(FEED_TIMEOUT_MS), heartbeat: '20000', limit: String(PAGE) });
        const res = await fetchJson(this.feedAbort.signal, `${url}?${q}`, { headers: { Authorization: this.couch.authHeader } });
        if (!res.ok) throw new Error(`platform _changes answered ${res.status}`);
        const page = res.body as ChangesPage;
        failures = 0;
        if (page.results.some((r) => r.id.startsWith('outbox:'))) this.changed(PLATFORM_DB);
        since = page.last_seq;
      } catch (err) {
        if (this.stopped) return;
        const wait = FEED_RETRY_MS[Math.min(failures++, FEED_RETRY_MS.length - 1)]!;
        this.log.warn({ err: (err as Error).message, retryMs: wait }, 'platform outbox feed interrupted; following it again');
        // what arrived while the feed was down is read from the stored checkpoint
        this.changed(PLATFORM_DB);
        await this.pause(wait);
      }
    }
  }

  /** A wait that stop() cuts short: a feed backing off must not hold up a shutdown for its full delay. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.feedAbort.signal;
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener('abort', done, { once: true });
    });
  }

  // ---- dispatch -------------------------------------------------------------------------------------

  private enqueue(id: string): void {
    if (this.stopped || this.queued.has(id) || this.inFlight.has(id)) return;
    this.queued.add(id);
    this.sendQueue.push(id);
    this.pumpSend();
  }

  private pumpSend(): void {
    while (!this.stopped && this.sendActive < SEND_CONCURRENCY && this.sendQueue.length) {
      const id = this.sendQueue.shift()!;
      this.queued.delete(id);
      this.inFlight.add(id);
      this.sendActive++;
      void this.process(id)
        .catch((err: unknown) => {
          // a store error (not a provider's answer): look again shortly
          this.log.error({ err, id }, 'outbox delivery step failed; trying again shortly');
          this.at(id, Date.now() + this.opts.retryBaseMs);
        })
        .finally(() => {
          this.sendActive--;
          this.inFlight.delete(id);
          this.pumpSend();
          this.notifyIdle();
        });
    }
  }

  /** Remember that `id` is due at `when` and wake then. */
  private at(id: string, when: number): void {
    const prev = this.scheduled.get(id);
    if (prev === undefined || when < prev) this.scheduled.set(id, when);
    this.wakeAt(when);
  }

  private wakeAt(when: number): void {
    if (this.stopped || when >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = when;
    this.timer = setTimeout(() => {
      this.timerAt = Infinity;
      this.plan();
    }, Math.max(0, when - Date.now()));
    this.timer.unref();
  }

  /** Enqueues what is due now (own schedule + the due view) and sets the timer for the next. */
  private plan(): void {
    if (this.planning) {
      this.replan = true;
      return;
    }
    this.planning = (async () => {
      const now = Date.now();
      for (const [id, when] of this.scheduled) {
        if (when <= now) {
          this.scheduled.delete(id);
          this.enqueue(id);
        }
      }
      let next = Math.min(...this.scheduled.values());
      for (const channel of ['email', 'sms'] as const) {
        if (!this.configured[channel]) continue; // stays queued until configured
        const due = await this.couch.use(PLATFORM_DB).view('deliveries', 'due', { startkey: [channel], endkey: [channel, new Date(now).toISOString()], limit: 200 });
        for (const row of due.rows) if (!this.scheduled.has(row.id)) this.enqueue(row.id);
        const later = await this.couch.use(PLATFORM_DB).view('deliveries', 'due', { startkey: [channel, new Date(now + 1).toISOString()], endkey: [channel, {}], limit: 1 });
        const key = later.rows[0]?.key as [string, string] | undefined;
        if (key) next = Math.min(next, Date.parse(key[1]));
        if (due.rows.length === 200) next = Math.min(next, now + 1_000);
      }
      if (Number.isFinite(next)) this.wakeAt(next);
    })()
      .catch((err: unknown) => {
        this.log.error({ err }, 'outbox planning failed; looking again in a minute');
        this.wakeAt(Date.now() + 60_000);
      })
      .finally(() => {
        this.planning = null;
        if (this.replan) {
          this.replan = false;
          this.plan();
        }
        this.notifyIdle();
      });
  }

  private async getDelivery(id: string): Promise<DeliveryDoc | null> {
    try {
      return (await this.couch.use(PLATFORM_DB).get(id)) as DeliveryDoc;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** Writes the next state with the revision read; null when someone else wrote first (409, or a cluster race lost: couch/cas.ts). */
  private async write(doc: DeliveryDoc): Promise<DeliveryDoc | null> {
    const r = await casPut(this.couch.use(PLATFORM_DB), doc);
    return r.ok ? { ...doc, _rev: r.rev } : null;
  }

  private async sourceOf(d: DeliveryDoc): Promise<SourceDoc | null> {
    let raw: unknown;
    try {
      raw = await this.couch.use(d.source.db).get(d.source.id);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
    const r = readSource(d.source.db, raw);
    return r.ok ? r.source : null;
  }

  /** The unsubscribe page (a person clicks it); the API form of the same link takes RFC 8058's one-click POST. */
  private unsubscribeUrl = (tenantId: string, channel: Channel, address: string) =>
    `${this.opts.publicUrl().replace(/\/$/, '')}/unsubscribe?token=${unsubscribeToken(this.opts.unsubscribeKey, { tenantId, channel, address: normaliseAddress(channel, address) })}`;

  private async process(id: string): Promise<void> {
    let d = await this.getDelivery(id);
    if (!d) return;
    const now = Date.now();
    if (d.status === 'sending') {
      const expires = Date.parse(d.claim?.expiresAt ?? '');
      if (expires > now) return this.at(id, expires + 250);
      return this.recover(d);
    }
    if (d.status !== 'queued' && d.status !== 'retrying') return;
    const due = Date.parse(d.nextAttemptAt ?? d.queuedAt);
    if (due > now) return this.at(id, due);
    if (!this.configured[d.channel]) return; // kept queued; the Messages page says why

    const src = await this.sourceOf(d);
    if (!src) return void (await this.finish(d, null, { kind: 'permanent', code: 'NO_SOURCE', message: 'the outbox document is missing or no longer valid' }));

    const suppression = await findSuppression(this.couch, d.tenantId, d.channel, d.to);
    if (suppresses(suppression, d.category)) {
      await this.write({ ...d, status: 'suppressed', nextAttemptAt: undefined, history: pushHistory(d, { outcome: 'suppressed', code: suppression!.reason, message: `on the suppression list (${suppression!.reason})` }) } as DeliveryDoc);
      return;
    }

    const slot = this.limiter.take(d.tenantId, d.channel, now);
    if (!slot.ok) return this.at(id, slot.nextAt);

    let composed: Composed;
    try {
      composed = await compose(this.couch, src, d.channel, { publicUrl: this.opts.publicUrl(), unsubscribeUrl: this.unsubscribeUrl });
    } catch (err) {
      if (!(err instanceof ComposeError)) throw err;
      // counted as an attempt, so a message whose sale never arrives ends as failed, not queued forever
      d = (await this.write({ ...d, attempts: d.attempts + 1 })) ?? d;
      return void (await this.finish(d, null, { kind: err.permanent ? 'permanent' : 'temporary', code: 'COMPOSE', message: err.message }));
    }

    // The attempt is recorded before anything reaches the provider.
    const attempt = d.attempts + 1;
    const key = `${d._id}#${d.generation}.${attempt}`;
    const fingerprint = composed.channel === 'sms' ? sha256(composed.sms.body) : undefined;
    const claimed = await this.write({
      ...d,
      status: 'sending',
      attempts: attempt,
      claim: { attempt, at: new Date().toISOString(), expiresAt: new Date(Date.now() + this.opts.claimTtlMs).toISOString(), by: this.holder, key, ...(fingerprint ? { fingerprint } : {}) }
    } as DeliveryDoc);
    if (!claimed) return; // another copy took it

    let providerId: string | null = null;
    let outcome: Outcome | null = null;
    try {
      if (composed.channel === 'email') {
        const headers: Record<string, string> = { 'X-Outbox-Id': d.source.id, 'X-Attempt-Key': key };
        if (composed.unsubscribeUrl) {
          headers['List-Unsubscribe'] = `<${composed.unsubscribeUrl.replace('/unsubscribe?', '/api/v1/unsubscribe?')}>`;
          headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
          headers['Auto-Submitted'] = 'auto-generated';
        }
        providerId = (await this.opts.email!.send({ ...composed.email, to: d.to, messageId: this.messageId(d), headers })).providerId;
      } else {
        providerId = (await this.opts.sms!.send(normaliseAddress('sms', d.to), composed.sms.body)).providerId;
      }
    } catch (err) {
      outcome = d.channel === 'email' ? smtpOutcome(err) : twilioOutcome(err);
    }
    await this.finish(claimed, providerId, outcome);
  }

  /** Message-ID: the same for every attempt of a generation, derived from the outbox id. */
  messageId(d: Pick<DeliveryDoc, '_id' | 'generation'>): string {
    return `<${d.generation}.${sha256(d._id).slice(0, 32)}@${this.opts.mailDomain}>`;
  }

  /** Records an attempt's answer on the document the claim was written to (re-reading on a 409). */
  private async finish(claimed: DeliveryDoc, providerId: string | null, outcome: Outcome | null): Promise<void> {
    const key = claimed.claim?.key;
    // the address is suppressed before the delivery says so: whoever reads "suppressed" or "bounced"
    // finds the suppression, and a crash in between leaves it in place (adding it again changes nothing)
    await this.suppressAfter(claimed, outcome);
    let d: DeliveryDoc | null = claimed;
    for (let i = 0; i < 5 && d; i++) {
      // a claim we wrote must still be ours (a manager's resend in between starts a new generation)
      if (key && d.claim?.key !== key) return;
      const next = this.outcomeState(d, providerId, outcome);
      const written = await this.write(next);
      if (written) {
        if (written.status === 'retrying' && written.nextAttemptAt) this.at(written._id, Date.parse(written.nextAttemptAt));
        return;
      }
      d = await this.getDelivery(claimed._id);
    }
  }

  private outcomeState(d: DeliveryDoc, providerId: string | null, outcome: Outcome | null): DeliveryDoc {
    const at = new Date().toISOString();
    const { claim: _claim, nextAttemptAt: _next, ...rest } = d;
    if (!outcome) {
      this.log.info({ id: d._id, channel: d.channel, to: maskAddress(d.channel, d.to), template: d.template, providerId }, 'message sent');
      return { ...rest, status: 'sent', providerId: providerId ?? '', sentAt: at, lastError: undefined, history: pushHistory(d, { outcome: 'sent', providerId: providerId ?? '' }) } as DeliveryDoc;
    }
    const lastError = { code: outcome.code, message: outcome.message, permanent: outcome.kind !== 'temporary', at };
    if (outcome.kind === 'unsubscribed') return { ...rest, status: 'suppressed', lastError, history: pushHistory(d, { outcome: 'suppressed', code: outcome.code, message: outcome.message }) };
    if (outcome.kind === 'temporary' && d.attempts < MAX_ATTEMPTS) {
      const when = new Date(Date.now() + backoffMs(d.attempts, this.opts.retryBaseMs)).toISOString();
      this.log.warn({ id: d._id, channel: d.channel, code: outcome.code, attempts: d.attempts, next: when }, 'message not sent; retrying later');
      return { ...rest, status: 'retrying', nextAttemptAt: when, lastError, history: pushHistory(d, { outcome: 'temporary', code: outcome.code, message: outcome.message }) };
    }
    const gaveUp = outcome.kind === 'temporary';
    const message = gaveUp ? `gave up after ${d.attempts} attempts: ${outcome.message}` : outcome.message;
    this.log.warn({ id: d._id, channel: d.channel, code: outcome.code }, 'message failed permanently');
    return {
      ...rest,
      status: 'failed',
      lastError: { ...lastError, message, permanent: true },
      history: pushHistory(d, { outcome: 'permanent', code: outcome.code, message })
    };
  }

  /** A bounce or a carrier opt-out suppresses the address for everything (idempotent). */
  private async suppressAfter(d: DeliveryDoc, outcome: Outcome | null): Promise<void> {
    if (outcome?.kind === 'bounce' || outcome?.kind === 'unsubscribed') {
      await addSuppression(this.couch, {
        tenantId: d.tenantId,
        channel: d.channel,
        address: d.to,
        reason: outcome.kind === 'bounce' ? 'bounce' : 'unsubscribe',
        scope: 'all',
        detail: `${outcome.code} ${outcome.message}`.slice(0, 300)
      });
    }
  }

  /** A claim outlived its expiry: its server stopped mid-attempt. See the class comment for the rules. */
  private async recover(d: DeliveryDoc): Promise<void> {
    const claim = d.claim!;
    const { claim: _c, ...rest } = d;
    if (d.channel === 'sms') {
      if (!this.opts.sms) return;
      const fingerprint = claim.fingerprint;
      const found = fingerprint ? await this.opts.sms.find(normaliseAddress('sms', d.to), (body) => sha256(body) === fingerprint, new Date(claim.at)) : null;
      if (found) {
        this.log.info({ id: d._id, providerId: found.providerId }, 'interrupted text message found at the provider: recorded as sent, not sent again');
        await this.write({ ...rest, status: 'sent', providerId: found.providerId, sentAt: claim.at, history: pushHistory(d, { outcome: 'recovered', providerId: found.providerId, message: 'found at the provider after an interrupted attempt' }) });
        return;
      }
      const written = await this.write({ ...rest, status: 'retrying', nextAttemptAt: new Date().toISOString(), history: pushHistory(d, { outcome: 'temporary', code: 'INTERRUPTED', message: 'the attempt was interrupted and the provider has no such message: sending again' }) });
      if (written) this.enqueue(d._id);
      return;
    }
    this.log.warn({ id: d._id }, 'an email attempt was interrupted after it may have reached the mail server: marked unconfirmed, not sent again');
    await this.write({
      ...rest,
      status: 'unconfirmed',
      lastError: {
        code: 'UNCONFIRMED',
        message: 'The server stopped while handing this email to the mail server, so it may or may not have been delivered. It is not sent again by itself; resend it if the recipient did not get it.',
        permanent: true,
        at: new Date().toISOString()
      },
      history: pushHistory(d, { outcome: 'unconfirmed', code: 'UNCONFIRMED', message: 'attempt interrupted; delivery unknown' })
    });
  }

  /** Resolves when nothing is queued, read or sent (tests). */
  waitIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.add(r));
  }

  private notifyIdle(): void {
    if (!this.idle) return;
    for (const r of this.idleWaiters) r();
    this.idleWaiters.clear();
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function pushHistory(d: DeliveryDoc, a: Omit<DeliveryAttempt, 'n' | 'generation' | 'at'> & { at?: string }): DeliveryAttempt[] {
  const entry: DeliveryAttempt = { n: d.attempts, generation: d.generation, at: a.at ?? new Date().toISOString(), ...a };
  return [...d.history, entry].slice(-HISTORY_KEPT);
}

async function saveCheckpoint(db: ReturnType<Couch['use']>, id: string, cp: Checkpoint | null, since: string | number): Promise<Checkpoint> {
  const doc = { _id: id, ...(cp?._rev ? { _rev: cp._rev } : {}), since };
  try {
    const r = await db.insert(doc);
    return { ...doc, _rev: r.rev };
  } catch (err) {
    // another copy moved it: take its revision; at worst a few changes are read again (no-ops)
    if (statusOf(err) !== 409) throw err;
    return (await db.get(id)) as Checkpoint;
  }
}

export { deliveryId };
