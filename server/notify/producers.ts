import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PLATFORM_DB, catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { formatMoney } from '#domain/money.ts';
import { layawaySchema, type LayawayDoc } from '#domain/schemas/index.ts';
import { collectAlerts } from '../alerts/collect.ts';
import { recordAudit } from '../audit.ts';
import { hasPermission, mayUseLocation, principalId, type Principal } from '../auth/principal.ts';
import { getOrNull, statusOf, type Couch } from '../couch/client.ts';
import { badRequest, forbidden, notFound } from '../errors.ts';
import { catalogVariants, stockAlertsAt } from '../inventory/stock-admin.ts';
import type { EmailOutboxDoc, PlatformTemplate, UserDoc } from '../platform/types.ts';
import { getTenant } from '../tenants/provision.ts';
import { tenantCurrency } from '../customers/service.ts';

/**
 * The server's own outbox producers for the messages that are not part of another flow's write:
 * the gift-card notice (after an issue), digests a manager asks for (low stock, sync and device
 * alerts, to their own address), and a layaway reminder to the customer. Each writes one platform
 * outbox document, an event the delivery worker picks up from the platform feed.
 */
async function queue(couch: Couch, doc: Omit<EmailOutboxDoc, 'type' | 'status' | 'attempts' | 'createdAt'> & { template: PlatformTemplate }): Promise<{ id: string; created: boolean }> {
  try {
    await couch.use(PLATFORM_DB).insert({ ...doc, type: 'email_outbox', status: 'pending', attempts: 0, createdAt: new Date().toISOString() } satisfies EmailOutboxDoc);
    return { id: doc._id, created: true };
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
    return { id: doc._id, created: false };
  }
}


/**
 * After a gift card is issued to a customer with an email address: one notice per card
 * (`outbox:gift_card_issued:{tenant}:{sha256 of the number}`, so a retried issue queues one), with the last four
 * digits only: the number is a bearer secret and stays off email.
 */
export async function queueGiftCardIssued(couch: Couch, tenantId: string, card: { number: string; amount: number; customerId?: string | undefined }): Promise<boolean> {
  if (!card.customerId) return false;
  const customer = await getOrNull<{ firstName?: string; lastName?: string; email?: string; phone?: string }>(couch.use(customersDb(tenantId)), card.customerId);
  if (!customer?.email) return false;
  const out = await queue(couch, {
    // named after the card's hash: the id reaches the email's headers, the number must not
    _id: `outbox:gift_card_issued:${tenantId}:${createHash('sha256').update(card.number).digest('hex').slice(0, 32)}`,
    tenantId,
    to: customer.email,
    template: 'gift_card_issued',
    data: { customerName: [customer.firstName, customer.lastName].filter(Boolean).join(' ') || 'there', amount: formatMoney(card.amount, await tenantCurrency(couch, tenantId)), last4: card.number.slice(-4) },
    ref: card.customerId
  });
  return out.created;
}

export const digestInput = z.object({ kind: z.enum(['low_stock', 'sync']), location: z.string().trim().toUpperCase().optional() }).strict();

/** Emails the caller the current low-stock or sync/device alerts of their stores (a snapshot). */
export async function emailDigest(couch: Couch, p: Principal, input: z.output<typeof digestInput>, requestId?: string): Promise<{ id: string; to: string; items: number }> {
  if (p.kind !== 'user' || !hasPermission(p, 'report:view')) throw forbidden('Digests need the report:view permission');
  if (input.location && !mayUseLocation(p, input.location)) throw forbidden(`No access to location ${input.location}`);
  const user = await getOrNull<UserDoc>(couch.use(PLATFORM_DB), p.userId.startsWith('user:') ? p.userId : `user:${p.userId}`);
  if (!user) throw notFound('Your account was not found');
  const asOf = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const id = `outbox:${input.kind === 'low_stock' ? 'low_stock_digest' : 'sync_alerts'}:${p.tenantId}:${newUlid()}`;
  let data: Record<string, string>;
  let items: number;
  if (input.kind === 'low_stock') {
    const tenant = await getTenant(couch, p.tenantId);
    const codes = (tenant?.locations ?? []).filter((c) => mayUseLocation(p, c) && (!input.location || c === input.location));
    const variants = await catalogVariants(couch, p.tenantId);
    const rows = (await Promise.all(codes.map((c) => stockAlertsAt(couch, p.tenantId, c, variants)))).flatMap((s) =>
      [...s.negative, ...s.low].map((a) => ({ location: s.location, name: [a.productName ?? a.variantId, a.label].filter(Boolean).join(' '), ...(a.sku ? { sku: a.sku } : {}), onHand: a.onHand, ...(a.lowStock !== null ? { threshold: a.lowStock } : {}) }))
    );
    data = { asOf, items: JSON.stringify(rows.slice(0, 500)) };
    items = rows.length;
  } else {
    const alerts = (await collectAlerts(couch, p)).filter((a) => ['device_not_synced', 'conflict', 'shift_unsynced', 'shift_long_open'].includes(a.kind) && (!input.location || a.locationCode === input.location));
    const titles: Record<string, string> = { device_not_synced: 'Device not syncing', conflict: 'Sync conflict', shift_unsynced: 'Shift with unsynced sales', shift_long_open: 'Shift open too long' };
    data = { asOf, alerts: JSON.stringify(alerts.slice(0, 200).map((a) => ({ severity: a.severity, title: `${titles[a.kind] ?? a.kind}${a.locationCode ? ` (${a.locationCode})` : ''}`, message: a.message }))) };
    items = alerts.length;
  }
  await queue(couch, { _id: id, tenantId: p.tenantId, to: user.email, template: input.kind === 'low_stock' ? 'low_stock_digest' : 'sync_alerts', data, ...(input.location ? { locationCode: input.location } : {}) });
  await recordAudit(couch, p.tenantId, { action: 'message.digest', actor: principalId(p), details: { kind: input.kind, items }, ...(requestId ? { requestId } : {}) });
  return { id, to: user.email, items };
}

export const layawayReminderInput = z
  .object({ location: z.string().trim().toUpperCase(), layawayId: z.string().regex(/^layaway:[A-Za-z0-9_-]+:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a layaway id'), channel: z.enum(['email', 'sms']).default('email') })
  .strict();

/**
 * Reminds the layaway's customer what is left to pay: total, deposit and payments so far (the
 * layaway's own tenders and its `layaway_payment` documents), by email or text to the profile's
 * address. Refused for a layaway already picked up or cancelled.
 */
export async function remindLayaway(couch: Couch, p: Principal, input: z.output<typeof layawayReminderInput>, requestId?: string): Promise<{ id: string; to: string; balance: number }> {
  if (!hasPermission(p, 'customer:manage')) throw forbidden('Reminders need the customer:manage permission');
  if (!mayUseLocation(p, input.location)) throw forbidden(`No access to location ${input.location}`);
  const db = couch.use(locationDb(p.tenantId, input.location));
  const raw = await getOrNull<unknown>(couch.use(locationDb(p.tenantId, input.location)), input.layawayId);
  const parsed = layawaySchema.safeParse(raw);
  if (!parsed.success) throw notFound(`No layaway ${input.layawayId} at ${input.location}`);
  const layaway: LayawayDoc = parsed.data;
  const ulid = layaway._id.slice(layaway._id.lastIndexOf(':') + 1);
  const closes = await db.list({ startkey: 'layaway_close:', endkey: 'layaway_close:\ufff0' });
  if (closes.rows.some((r) => r.id.endsWith(`:${ulid}`))) throw badRequest('This layaway is closed (picked up or cancelled)');
  const payments = await db.list({ startkey: 'layaway_payment:', endkey: 'layaway_payment:\ufff0', include_docs: true });
  const paid =
    layaway.tenders.reduce((s, x) => s + x.amount, 0) -
    layaway.change +
    payments.rows.reduce((s, r) => {
      const d = r.doc as unknown as { layawayId?: string; tenders?: { amount: number }[]; change?: number } | undefined;
      return d?.layawayId === layaway._id ? s + (d.tenders ?? []).reduce((a, x) => a + x.amount, 0) - (d.change ?? 0) : s;
    }, 0);
  const balance = Math.max(0, layaway.total - paid);
  const customer = await getOrNull<{ firstName?: string; lastName?: string; email?: string; phone?: string }>(couch.use(customersDb(p.tenantId)), layaway.customerId);
  const to = input.channel === 'email' ? customer?.email : customer?.phone;
  if (!to) throw badRequest(`The customer has no ${input.channel === 'email' ? 'email address' : 'mobile number'} on their profile`);
  const loc = await getOrNull<{ name?: string }>(couch.use(catalogDb(p.tenantId)), `location:${input.location}`);
  const money = (n: number) => formatMoney(n, layaway.currency);
  const id = `outbox:layaway_reminder:${p.tenantId}:${newUlid()}`;
  await queue(couch, {
    _id: id,
    tenantId: p.tenantId,
    channel: input.channel,
    to,
    template: 'layaway_reminder',
    data: {
      customerName: [customer?.firstName, customer?.lastName].filter(Boolean).join(' ') || 'there',
      store: loc?.name ?? input.location,
      items: layaway.lines.map((l) => `${l.qty} x ${l.name}`).join('\n'),
      total: money(layaway.total),
      paid: money(paid),
      balance: money(balance),
      layawayNo: ulid.slice(-8)
    },
    ref: layaway._id,
    locationCode: input.location
  });
  await recordAudit(couch, p.tenantId, { action: 'layaway.reminded', actor: principalId(p), target: layaway._id, details: { channel: input.channel }, ...(requestId ? { requestId } : {}) });
  return { id, to, balance };
}
