import { z } from 'zod';
import { catalogDb } from '#domain/db-names.ts';
import { locationSchema } from '#domain/schemas/index.ts';
import { recordAudit } from '../../audit.ts';
import { authorize, hasPermission, mayUseLocation, principalId, type Principal } from '../../auth/principal.ts';
import type { Ctx } from '../../context.ts';
import { getOr404, getOrNull, statusOf, type Db } from '../../couch/client.ts';
import { conflict, forbidden, notFound } from '../../errors.ts';
import { advanceDoc, insertOnce } from '../../inventory/store.ts';
import { integrationsDb, secretBoxOf } from '../store.ts';
import { PaymentGatewayError, type GatewayPayment, type PaymentGateway } from './gateway.ts';
import { cardIntentId, cardPaymentId, META, PAYMENT_ID, stripeConnectionId, stripeReaderId, stripeReaderPrefix } from './ids.ts';
import { cardPaymentDoc, stripeConnectionDoc, stripeReaderDoc, type CardPaymentDoc, type StripeConnectionDoc, type StripeReaderDoc } from './docs.ts';
import { applyRefunded, applySnapshot, type PaymentProgress, type PaymentSnapshot } from './state.ts';
import { StripeGateway, stripeEndpoint } from './stripe-gateway.ts';

/**
 * Card-present payments with Stripe Terminal (issue 17, first slice): the admin connects the tenant's
 * Stripe account and registers readers per location; a register asks for connection tokens, creates a
 * PaymentIntent for a sale, hands it to a reader (server-driven) or collects it with the SDK, reads its
 * status to reconcile after a lost connection, cancels, captures (manual capture) and refunds. Each use
 * case checks its own caller.
 */

// ---- callers ------------------------------------------------------------------------------------

/** A register (its device token, or a staff PIN session on it): card payments are taken at a till. */
function registerOf(p: Principal, action: string): { locationCode: string; deviceId: string } {
  if ((p.kind === 'device' || p.kind === 'staff') && p.deviceKind === 'register') return { locationCode: p.locationCode, deviceId: p.deviceId };
  throw forbidden(`${action} is done from a register`);
}

function adminOf(p: Principal, action: string): Principal & { kind: 'user' } {
  if (p.kind !== 'user') throw forbidden(`${action} needs a signed-in admin`);
  return authorize(p, 'settings:manage', action);
}

// ---- connection ---------------------------------------------------------------------------------

const sealContext = (tenantId: string, field: 'secretKey' | 'webhookSecret') => `stripe:${tenantId}:${field}`;

export const connectBody = z
  .object({
    /** a secret key (sk_) or a restricted key (rk_) with PaymentIntents, Refunds and Terminal write access */
    secretKey: z.string().trim().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{8,250}$/, 'must be a Stripe secret key (sk_test_…, sk_live_…) or restricted key (rk_…)'),
    /** the signing secret of the webhook endpoint the admin added in Stripe for this server */
    webhookSecret: z.string().trim().regex(/^whsec_[A-Za-z0-9+/=]{8,250}$/, 'must be a webhook signing secret (whsec_…)'),
    captureMethod: z.enum(['automatic', 'manual']).default('automatic')
  })
  .strict();

function readConnection(db: Db, tenantId: string): Promise<StripeConnectionDoc | null> {
  return getOrNull(db, stripeConnectionId(tenantId), (raw) => stripeConnectionDoc.parse(raw));
}

function publicConnection(c: StripeConnectionDoc | null) {
  if (!c) return { connected: false as const };
  return { connected: true as const, keyHint: c.keyHint, livemode: c.livemode, captureMethod: c.captureMethod, locations: c.locations, connectedAt: c.connectedAt, updatedAt: c.updatedAt };
}

export async function connectStripe(ctx: Ctx, p: Principal, body: z.infer<typeof connectBody>) {
  const admin = adminOf(p, 'Connecting Stripe');
  const db = await integrationsDb(ctx.couch);
  const box = secretBoxOf(ctx.config);
  const now = new Date().toISOString();
  const fields = {
    secretKey: box.seal(body.secretKey, sealContext(admin.tenantId, 'secretKey')),
    webhookSecret: box.seal(body.webhookSecret, sealContext(admin.tenantId, 'webhookSecret')),
    keyHint: `${body.secretKey.slice(0, 8)}…${body.secretKey.slice(-4)}`,
    livemode: body.secretKey.includes('_live_'),
    captureMethod: body.captureMethod,
    updatedAt: now,
    updatedBy: principalId(admin)
  };
  const id = stripeConnectionId(admin.tenantId);
  let saved: StripeConnectionDoc;
  if (await readConnection(db, admin.tenantId)) {
    // a new key may be another Stripe account: its Terminal Locations are not ours, so links are kept
    // only when the mode is unchanged (the admin re-links otherwise)
    saved = (await advanceDoc(db, id, (raw) => stripeConnectionDoc.parse(raw), (d) => ({ ...d, ...fields, locations: d.livemode === fields.livemode ? d.locations : {} }))).doc;
  } else {
    const doc: StripeConnectionDoc = { _id: id, type: 'stripe_connection', tenantId: admin.tenantId, ...fields, locations: {}, connectedAt: now };
    saved = (await insertOnce(db, doc, () => true, 'Stripe connection')).doc;
  }
  await recordAudit(ctx.couch, admin.tenantId, { action: 'payments.stripe_connected', actor: principalId(admin), target: id, details: { keyHint: fields.keyHint, captureMethod: fields.captureMethod } });
  return publicConnection(saved);
}

export async function getStripeConnection(ctx: Ctx, p: Principal) {
  const admin = adminOf(p, 'Reading the Stripe connection');
  return publicConnection(await readConnection(await integrationsDb(ctx.couch), admin.tenantId));
}

/** The tenant's gateway: its sealed key opened for this request only. Tests reach it through STRIPE_API_BASE. */
export async function connected(ctx: Ctx, tenantId: string): Promise<{ db: Db; conn: StripeConnectionDoc; gateway: PaymentGateway }> {
  const db = await integrationsDb(ctx.couch);
  const conn = await readConnection(db, tenantId);
  if (!conn) throw conflict('Card payments with Stripe are not set up for this business; an admin connects Stripe under Settings → Payments.');
  const key = secretBoxOf(ctx.config).open(conn.secretKey, sealContext(tenantId, 'secretKey'));
  return { db, conn, gateway: new StripeGateway(key, stripeEndpoint(ctx.config.STRIPE_API_BASE)) };
}

/** The webhook signing secret of a tenant, or null when it has no Stripe connection. */
export async function webhookSecretOf(ctx: Ctx, tenantId: string): Promise<string | null> {
  const conn = await readConnection(await integrationsDb(ctx.couch), tenantId);
  return conn ? secretBoxOf(ctx.config).open(conn.webhookSecret, sealContext(tenantId, 'webhookSecret')) : null;
}

// ---- locations and readers ----------------------------------------------------------------------

export const terminalLocationBody = z
  .object({
    displayName: z.string().trim().min(1).max(100),
    address: z
      .object({
        line1: z.string().trim().min(1).max(200),
        line2: z.string().trim().max(200).optional(),
        city: z.string().trim().min(1).max(100),
        state: z.string().trim().max(100).optional(),
        postalCode: z.string().trim().min(1).max(20),
        country: z.string().trim().regex(/^[A-Z]{2}$/, 'must be a two-letter country code like US')
      })
      .strict()
  })
  .strict();

/** Links a POS location to a Stripe Terminal Location (created once; linking again answers the same one). */
export async function linkTerminalLocation(ctx: Ctx, p: Principal, code: string, body: z.infer<typeof terminalLocationBody>) {
  const admin = adminOf(p, 'Setting up card readers');
  authorize(admin, 'settings:manage', 'Setting up card readers', code);
  await locationOf(ctx, admin.tenantId, code);
  const { db, conn, gateway } = await connected(ctx, admin.tenantId);
  const linked = conn.locations[code];
  if (linked) return { locationCode: code, terminalLocation: linked.terminalLocation, created: false };
  const terminalLocation = await gateway.createReaderLocation({
    displayName: body.displayName,
    address: body.address,
    // one Terminal Location per POS location, however often the admin submits (keys are per Stripe account)
    idempotencyKey: `terminal-location:${admin.tenantId}:${code}`,
    metadata: { [META.tenant]: admin.tenantId, [META.location]: code }
  });
  await advanceDoc(db, conn._id, (raw) => stripeConnectionDoc.parse(raw), (d) => (d.locations[code] ? null : { ...d, locations: { ...d.locations, [code]: { terminalLocation } }, updatedAt: new Date().toISOString(), updatedBy: principalId(admin) }));
  await recordAudit(ctx.couch, admin.tenantId, { action: 'payments.terminal_location_linked', actor: principalId(admin), target: `location:${code}`, details: { terminalLocation } });
  return { locationCode: code, terminalLocation, created: true };
}

export const registerReaderBody = z
  .object({
    /** the code the reader shows (Stripe's simulated readers: simulated-wpe, simulated-s700) */
    registrationCode: z.string().trim().min(3).max(100),
    label: z.string().trim().min(1).max(60),
    locationCode: z.string().trim().toUpperCase()
  })
  .strict();

function publicReader(r: StripeReaderDoc) {
  return { readerId: r.readerId, label: r.label, locationCode: r.locationCode, deviceType: r.deviceType, serialNumber: r.serialNumber, registerId: r.registerId ?? null, registeredAt: r.registeredAt };
}

export async function registerReader(ctx: Ctx, p: Principal, body: z.infer<typeof registerReaderBody>) {
  const admin = adminOf(p, 'Registering a card reader');
  authorize(admin, 'settings:manage', 'Registering a card reader', body.locationCode);
  const { db, conn, gateway } = await connected(ctx, admin.tenantId);
  const link = conn.locations[body.locationCode];
  if (!link) throw conflict(`Location ${body.locationCode} has no Stripe Terminal location yet; set up its address for card readers first.`);
  const reader = await gateway.registerReader({ registrationCode: body.registrationCode, label: body.label, location: link.terminalLocation, metadata: { [META.tenant]: admin.tenantId, [META.location]: body.locationCode } });
  const doc: StripeReaderDoc = {
    _id: stripeReaderId(admin.tenantId, reader.id),
    type: 'stripe_reader',
    tenantId: admin.tenantId,
    locationCode: body.locationCode,
    readerId: reader.id,
    label: reader.label,
    deviceType: reader.deviceType,
    serialNumber: reader.serialNumber,
    terminalLocation: link.terminalLocation,
    registeredAt: new Date().toISOString(),
    registeredBy: principalId(admin)
  };
  await insertOnce(db, doc, (s) => s.readerId === doc.readerId, 'Reader');
  await recordAudit(ctx.couch, admin.tenantId, { action: 'payments.reader_registered', actor: principalId(admin), target: doc._id, details: { label: doc.label, location: doc.locationCode } });
  return publicReader(doc);
}

/** Readers a register may use (its location's) or an admin may see (their locations'). */
export async function listReaders(ctx: Ctx, p: Principal, locationCode?: string) {
  if (p.kind === 'user') adminOf(p, 'Listing card readers');
  else registerOf(p, 'Listing card readers');
  const db = await integrationsDb(ctx.couch);
  const res = await db.list({ startkey: stripeReaderPrefix(p.tenantId), endkey: `${stripeReaderPrefix(p.tenantId)}\ufff0`, include_docs: true });
  return res.rows
    .map((r) => stripeReaderDoc.parse(r.doc))
    .filter((r) => mayUseLocation(p, r.locationCode) && (locationCode === undefined || r.locationCode === locationCode))
    // the latest assignment first: a register given two readers uses the newer one
    .sort((x, y) => (y.assignedAt ?? '').localeCompare(x.assignedAt ?? ''))
    .map(publicReader);
}

export const assignReaderBody = z
  .object({
    /** the register (`device:{id}`) that takes card payments on this reader; null: none */
    registerId: z.string().regex(/^device:[A-Za-z0-9_-]{1,40}$/, 'must be a register id like device:abc').nullable()
  })
  .strict();

/**
 * Assigns a reader to one register of its location (or unassigns it): that register offers "Card
 * (reader)" and sends its payments there. One register per reader, so two tills never drive the same
 * reader; a register given a second reader uses the one assigned last (listed first).
 */
export async function assignReader(ctx: Ctx, p: Principal, readerId: string, body: z.infer<typeof assignReaderBody>) {
  const admin = adminOf(p, 'Assigning a card reader');
  if (!/^tmr_[A-Za-z0-9]{4,60}$/.test(readerId)) throw notFound(`No card reader ${readerId}`);
  const db = await integrationsDb(ctx.couch);
  const id = stripeReaderId(admin.tenantId, readerId);
  const current: StripeReaderDoc = await getOr404(db, id, `No card reader ${readerId}`, (raw) => stripeReaderDoc.parse(raw));
  authorize(admin, 'settings:manage', 'Assigning a card reader', current.locationCode);
  if (body.registerId) {
    const device = await ctx.devices.get(body.registerId.slice('device:'.length), true);
    if (!device || device.tenantId !== admin.tenantId || device.revokedAt || device.kind !== 'register') throw notFound(`No register ${body.registerId}`);
    if (device.locationCode !== current.locationCode) throw conflict(`Register ${device.name} is at ${device.locationCode}; this reader is at ${current.locationCode}.`);
  }
  const now = new Date().toISOString();
  const saved = await advanceDoc(db, id, (raw) => stripeReaderDoc.parse(raw), (d) => {
    if ((d.registerId ?? null) === body.registerId) return null;
    const { registerId: _old, ...rest } = d;
    return { ...rest, ...(body.registerId ? { registerId: body.registerId } : {}), assignedAt: now };
  });
  await recordAudit(ctx.couch, admin.tenantId, { action: 'payments.reader_assigned', actor: principalId(admin), target: id, details: { registerId: body.registerId } });
  return publicReader(saved.doc);
}

async function readerAt(db: Db, tenantId: string, readerId: string, locationCode: string): Promise<StripeReaderDoc> {
  try {
    const r = stripeReaderDoc.parse(await db.get(stripeReaderId(tenantId, readerId)));
    if (r.locationCode === locationCode) return r;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  throw notFound(`No card reader ${readerId} at location ${locationCode}`);
}

async function locationOf(ctx: Ctx, tenantId: string, code: string) {
  return getOr404(ctx.couch.use(catalogDb(tenantId)), `location:${code}`, `Location ${code} does not exist`, (raw) => locationSchema.parse(raw));
}

// ---- payments -----------------------------------------------------------------------------------

export async function connectionToken(ctx: Ctx, p: Principal) {
  const at = registerOf(p, 'Connecting a card reader');
  const { conn, gateway } = await connected(ctx, p.tenantId);
  // A token scoped to the store's Terminal Location discovers only that store's readers.
  return { secret: await gateway.connectionToken(conn.locations[at.locationCode]?.terminalLocation) };
}

/** Largest amount Stripe takes in one PaymentIntent (eight digits of minor units). */
const MAX_AMOUNT = 99_999_999;
export const createPaymentBody = z
  .object({
    paymentId: z.string().regex(PAYMENT_ID, 'must be payment:{register}:{ulid}'),
    saleId: z.string().regex(/^sale:[A-Za-z0-9_-]{1,40}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be sale:{register}:{ulid}'),
    amount: z.number().int().positive().max(MAX_AMOUNT),
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO-4217 code like USD').transform((c) => c.toUpperCase())
  })
  .strict();

const snapshotOf = (g: GatewayPayment, at: number): PaymentSnapshot => ({ status: g.status, amountCapturable: g.amountCapturable, amountReceived: g.amountReceived, lastError: g.lastError, at });
const progressOf = (d: CardPaymentDoc): PaymentProgress => ({ status: d.status, statusAt: d.statusAt, amountCapturable: d.amountCapturable, amountReceived: d.amountReceived, amountRefunded: d.amountRefunded, lastError: d.lastError });
const nowS = () => Math.floor(Date.now() / 1000);

/** Moves the stored payment forward by a snapshot (and a refunded total); unchanged when it tells nothing new. */
export async function recordProgress(db: Db, id: string, snap: PaymentSnapshot | null, refunded = 0, extra: (d: CardPaymentDoc) => Partial<CardPaymentDoc> = () => ({})): Promise<CardPaymentDoc> {
  const out = await advanceDoc(db, id, (raw) => cardPaymentDoc.parse(raw), (d) => {
    let progress = progressOf(d);
    let changed = false;
    if (snap) {
      const next = applySnapshot(progress, snap);
      if (next) [progress, changed] = [next, true];
    }
    const refundedNext = applyRefunded(progress, refunded);
    if (refundedNext) [progress, changed] = [refundedNext, true];
    const more = extra(d);
    if (!changed && Object.keys(more).length === 0) return null;
    return cardPaymentDoc.parse({ ...d, ...progress, ...more, updatedAt: new Date().toISOString() });
  });
  return out.doc;
}

export function publicPayment(d: CardPaymentDoc, clientSecret?: string | null) {
  return {
    paymentId: d.paymentId,
    saleId: d.saleId,
    locationCode: d.locationCode,
    provider: d.provider,
    intentId: d.intentId,
    status: d.status,
    amount: d.amount,
    currency: d.currency,
    captureMethod: d.captureMethod,
    amountCapturable: d.amountCapturable,
    amountReceived: d.amountReceived,
    amountRefunded: d.amountRefunded,
    lastError: d.lastError,
    refunds: Object.entries(d.refunds).map(([returnId, r]) => ({ returnId, ...r })),
    ...(clientSecret ? { clientSecret } : {})
  };
}

/**
 * Creates the PaymentIntent for one card attempt of a sale. The register's payment id is Stripe's
 * idempotency key, so a create retried after a lost answer returns the same PaymentIntent (never a
 * second charge); the same id with another amount or sale is refused (409).
 */
export async function createCardPayment(ctx: Ctx, p: Principal, body: z.infer<typeof createPaymentBody>) {
  const at = registerOf(p, 'Taking a card payment');
  const location = await locationOf(ctx, p.tenantId, at.locationCode);
  if (body.currency !== location.currency) throw conflict(`This store takes ${location.currency}; the payment asked for ${body.currency}.`);
  const { db, conn, gateway } = await connected(ctx, p.tenantId);
  const id = cardPaymentId(p.tenantId, body.paymentId);
  const existing = await getDoc(db, id);
  if (existing && (existing.saleId !== body.saleId || existing.amount !== body.amount || existing.currency !== body.currency || existing.locationCode !== at.locationCode)) {
    throw conflict(`Payment ${body.paymentId} was already started for another sale or amount; use a new payment id for a new payment.`);
  }
  // Recorded already: answer that PaymentIntent (Stripe keeps idempotency keys for 24 hours only, so a
  // create retried later must not reach Stripe's create again). Not recorded (the first answer was
  // lost before we wrote it): the create is sent again with the same key and Stripe answers the same one.
  const g = existing
    ? await gateway.getPayment(existing.intentId)
    : await gateway.createPayment({
    amount: body.amount,
    currency: body.currency.toLowerCase(),
    captureMethod: conn.captureMethod,
    idempotencyKey: body.paymentId,
    description: `POS sale ${body.saleId}`,
    metadata: { [META.tenant]: p.tenantId, [META.location]: at.locationCode, [META.sale]: body.saleId, [META.payment]: body.paymentId, [META.register]: at.deviceId }
  });
  const now = new Date().toISOString();
  const doc: CardPaymentDoc = {
    _id: id,
    type: 'card_payment',
    provider: 'stripe',
    tenantId: p.tenantId,
    locationCode: at.locationCode,
    deviceId: at.deviceId,
    saleId: body.saleId,
    paymentId: body.paymentId,
    intentId: g.id,
    amount: g.amount,
    currency: body.currency,
    captureMethod: g.captureMethod,
    status: g.status,
    statusAt: g.created,
    amountCapturable: g.amountCapturable,
    amountReceived: g.amountReceived,
    amountRefunded: 0,
    lastError: g.lastError,
    refunds: {},
    createdAt: now,
    updatedAt: now
  };
  if (!existing) await insertOnce(db, doc, (s) => s.intentId === doc.intentId, 'Payment');
  await insertOnce(db, { _id: cardIntentId(p.tenantId, g.id), type: 'card_intent' as const, tenantId: p.tenantId, paymentId: body.paymentId }, (s) => s.paymentId === body.paymentId, 'Payment link');
  const saved = await recordProgress(db, id, snapshotOf(g, nowS()));
  return publicPayment(saved, g.clientSecret);
}

function getDoc(db: Db, id: string): Promise<CardPaymentDoc | null> {
  return getOrNull(db, id, (raw) => cardPaymentDoc.parse(raw));
}

/**
 * The payment, if the caller may see it: the register's own location, or an admin/manager who may
 * refund at that location. Another tenant's or location's payment is "not found", never "forbidden",
 * so ids cannot be probed.
 */
async function paymentFor(db: Db, p: Principal, paymentId: string, action: string): Promise<CardPaymentDoc> {
  const missing = notFound(`No card payment ${paymentId}`);
  if (!PAYMENT_ID.test(paymentId)) throw missing;
  let location: string;
  if (p.kind === 'user') {
    if (!hasPermission(p, 'sale:refund')) throw forbidden(`${action} needs the sale:refund permission`);
    location = '';
  } else location = registerOf(p, action).locationCode;
  const d = await getDoc(db, cardPaymentId(p.tenantId, paymentId));
  if (!d || d.tenantId !== p.tenantId) throw missing;
  if (p.kind === 'user' ? !mayUseLocation(p, d.locationCode) : d.locationCode !== location) throw missing;
  return d;
}

/**
 * The payment's status, read again from Stripe: how a register reconciles a pending payment after
 * losing its connection mid-payment. When Stripe cannot be reached the stored state is answered,
 * marked `stale`.
 */
export async function getCardPayment(ctx: Ctx, p: Principal, paymentId: string) {
  const { db, gateway } = await connected(ctx, p.tenantId);
  const d = await paymentFor(db, p, paymentId, 'Reading a card payment');
  let g: GatewayPayment;
  try {
    g = await gateway.getPayment(d.intentId);
  } catch (err) {
    if (err instanceof PaymentGatewayError && err.status === 503) return { ...publicPayment(d), stale: true };
    throw err;
  }
  const saved = await recordProgress(db, d._id, snapshotOf(g, nowS()));
  return { ...publicPayment(saved, p.kind === 'user' ? null : g.status === 'requires_payment_method' ? g.clientSecret : null), stale: false };
}

export const processBody = z.object({ readerId: z.string().regex(/^tmr_[A-Za-z0-9]{4,60}$/, 'must be a reader id (tmr_…)') }).strict();

/** Server-driven: the location's reader asks for the card (kiosks and tills without the SDK). */
export async function processOnReader(ctx: Ctx, p: Principal, paymentId: string, readerId: string) {
  const at = registerOf(p, 'Sending a payment to a reader');
  const { db, gateway } = await connected(ctx, p.tenantId);
  const d = await paymentFor(db, p, paymentId, 'Sending a payment to a reader');
  await readerAt(db, p.tenantId, readerId, at.locationCode);
  if (d.status !== 'requires_payment_method') throw conflict(`Payment ${paymentId} is ${d.status}; only a payment waiting for a card can go to a reader.`);
  const reader = await gateway.processOnReader(readerId, d.intentId);
  await recordProgress(db, d._id, null, 0, (cur) => (cur.readerId === readerId ? {} : { readerId }));
  return { readerId: reader.id, action: reader.action };
}

/**
 * Cancels a payment that has not gone through: stops the reader first (a card tapped after this
 * would otherwise be charged), then cancels the PaymentIntent. A payment that succeeded is refused
 * (409): the money was taken, so it is refunded instead, never silently dropped.
 */
export async function cancelCardPayment(ctx: Ctx, p: Principal, paymentId: string) {
  registerOf(p, 'Cancelling a card payment');
  const { db, gateway } = await connected(ctx, p.tenantId);
  const d = await paymentFor(db, p, paymentId, 'Cancelling a card payment');
  if (d.status === 'canceled') return publicPayment(d);
  if (d.readerId) {
    try {
      const reader = await gateway.getReader(d.readerId);
      if (reader.action?.status === 'in_progress' && reader.action.paymentId === d.intentId) await gateway.cancelReaderAction(d.readerId);
    } catch (err) {
      // the reader finished or went away meanwhile: the PaymentIntent's own state decides below
      if (!(err instanceof PaymentGatewayError) || err.status >= 500) throw err;
    }
  }
  try {
    const g = await gateway.cancelPayment(d.intentId, `cancel:${paymentId}`);
    return publicPayment(await recordProgress(db, d._id, snapshotOf(g, nowS())));
  } catch (err) {
    if (err instanceof PaymentGatewayError && err.status === 409) {
      const g = await gateway.getPayment(d.intentId);
      const saved = await recordProgress(db, d._id, snapshotOf(g, nowS()));
      if (saved.status === 'succeeded') throw conflict(`Payment ${paymentId} went through before it could be cancelled; refund it instead.`);
      return publicPayment(saved);
    }
    throw err;
  }
}

export const captureBody = z.object({ amount: z.number().int().positive().max(MAX_AMOUNT).optional() }).strict();

/** Manual capture (when the tenant configured it): takes the authorised money, all or part of it. */
export async function captureCardPayment(ctx: Ctx, p: Principal, paymentId: string, amount?: number) {
  registerOf(p, 'Capturing a card payment');
  const { db, gateway } = await connected(ctx, p.tenantId);
  const d = await paymentFor(db, p, paymentId, 'Capturing a card payment');
  if (d.captureMethod !== 'manual') throw conflict('This business captures card payments automatically; there is nothing to capture.');
  if (d.status === 'succeeded') return publicPayment(d);
  if (amount !== undefined && amount > d.amount) throw conflict(`Cannot capture more than the ${d.amount} authorised.`);
  const g = await gateway.capturePayment(d.intentId, amount, `capture:${paymentId}`);
  return publicPayment(await recordProgress(db, d._id, snapshotOf(g, nowS())));
}

export const refundBody = z
  .object({
    /** the POS return (or void) this refund belongs to: one refund per return and payment, however often sent */
    returnId: z.string().regex(/^(sale|void):[A-Za-z0-9_-]{1,40}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be the return sale or void id'),
    /** minor units; absent: what is left to refund */
    amount: z.number().int().positive().max(MAX_AMOUNT).optional()
  })
  .strict();

/**
 * Refunds a card payment, fully or in part. Idempotent by the return's id twice over: the refund is
 * stored on the payment under the return's id (a repeat answers it without asking Stripe, even after
 * Stripe's 24-hour key expiry), and Stripe's idempotency key is `refund:{return}:{payment}` (two
 * concurrent repeats make one refund).
 */
export async function refundCardPayment(ctx: Ctx, p: Principal, paymentId: string, body: z.infer<typeof refundBody>) {
  if (p.kind !== 'user') registerOf(p, 'Refunding a card payment');
  const { db, gateway } = await connected(ctx, p.tenantId);
  const d = await paymentFor(db, p, paymentId, 'Refunding a card payment');
  const done = d.refunds[body.returnId];
  if (done) {
    if (body.amount !== undefined && body.amount !== done.amount) throw conflict(`Return ${body.returnId} already refunded ${done.amount} of this payment; a different amount needs another return.`);
    return { refund: { returnId: body.returnId, ...done }, payment: publicPayment(d) };
  }
  if (d.status !== 'succeeded') throw conflict(`Payment ${paymentId} is ${d.status}: only a payment that went through can be refunded${d.status === 'requires_capture' ? ' (cancel an uncaptured one instead)' : ''}.`);
  const left = d.amountReceived - d.amountRefunded;
  if (left <= 0) throw conflict(`Payment ${paymentId} is already fully refunded.`);
  if (body.amount !== undefined && body.amount > left) throw conflict(`Only ${left} of payment ${paymentId} is left to refund.`);
  const r = await gateway.refund({
    paymentId: d.intentId,
    amount: body.amount,
    idempotencyKey: `refund:${body.returnId}:${paymentId}`,
    metadata: { [META.tenant]: p.tenantId, [META.location]: d.locationCode, [META.payment]: paymentId, pos_return: body.returnId }
  });
  const entry = { refundId: r.id, amount: r.amount, status: r.status, at: new Date().toISOString() };
  const saved = await recordProgress(db, d._id, null, 0, (cur) => {
    if (cur.refunds[body.returnId]) return {};
    const refunds = { ...cur.refunds, [body.returnId]: entry };
    const sum = Object.values(refunds).reduce((a, x) => a + x.amount, 0);
    return { refunds, amountRefunded: Math.max(cur.amountRefunded, sum) };
  });
  await recordAudit(ctx.couch, p.tenantId, { action: 'payments.refunded', actor: principalId(p), target: d._id, details: { returnId: body.returnId, amount: r.amount, refundId: r.id } });
  return { refund: { returnId: body.returnId, ...(saved.refunds[body.returnId] ?? entry) }, payment: publicPayment(saved) };
}
