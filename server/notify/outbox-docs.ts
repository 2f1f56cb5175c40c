import { z } from 'zod';
import { PLATFORM_DB, parseDbName } from '#domain/db-names.ts';
import { outboxSchema, type OutboxDoc } from '#domain/schemas/index.ts';
import { PLATFORM_TEMPLATES, type EmailOutboxDoc } from '../platform/types.ts';
import { TEMPLATE_CATEGORY, type Channel, type DeliveryDoc, type OutboxSource, type Template } from './types.ts';

/**
 * The two outbox shapes the worker reads (zod at this boundary too: a register's document passed the
 * gateway, a server's was written by our code, and both are checked again here before anything is sent):
 * - `email_outbox` in `platform`: queued by the server (welcome, invites, resets, purchase orders,
 *   digests, gift cards, reminders);
 * - `outbox` in a location database: queued by a register (offline too) or the admin portal (receipts).
 */
export const platformOutboxSchema = z
  .object({
    _id: z.string().regex(/^outbox:[a-z_]+:[^\s]{1,200}$/),
    _rev: z.string().optional(),
    type: z.literal('email_outbox'),
    tenantId: z.string().min(1).max(40),
    channel: z.enum(['email', 'sms']).optional(),
    to: z.string().min(3).max(200),
    template: z.enum(PLATFORM_TEMPLATES),
    data: z.record(z.string(), z.string()),
    ref: z.string().max(200).optional(),
    locationCode: z.string().max(10).optional(),
    status: z.string().optional(),
    attempts: z.number().optional(),
    createdAt: z.string()
  })
  .passthrough();

export type SourceDoc = { kind: 'platform'; doc: EmailOutboxDoc } | { kind: 'location'; tenantId: string; doc: OutboxDoc };

/** A changed document of `db` as an outbox source, or a reason it is not one (logged, never sent). */
export function readSource(db: string, raw: unknown): { ok: true; source: SourceDoc } | { ok: false; reason: string } {
  if (db === PLATFORM_DB) {
    const p = platformOutboxSchema.safeParse(raw);
    return p.success ? { ok: true, source: { kind: 'platform', doc: p.data as EmailOutboxDoc } } : { ok: false, reason: p.error.issues[0]?.message ?? 'invalid' };
  }
  const parsed = parseDbName(db);
  if (parsed?.kind !== 'location') return { ok: false, reason: 'not an outbox database' };
  const p = outboxSchema.safeParse(raw);
  return p.success ? { ok: true, source: { kind: 'location', tenantId: parsed.tenantId, doc: p.data } } : { ok: false, reason: p.error.issues[0]?.message ?? 'invalid' };
}

/** The intake's checkpoint for a database's changes feed (in platform; a restore of that database clears it). */
export const outboxIntakeCheckpointId = (db: string) => `_local/outbox-intake-${db}`;

export const deliveryId = (s: OutboxSource) => `delivery:${s.db}:${s.id}`;

/** The delivery record an outbox document starts with (status queued, due now). */
export function newDelivery(db: string, s: SourceDoc, now: string): DeliveryDoc {
  const source = { db, id: s.doc._id };
  const channel: Channel = s.kind === 'platform' ? (s.doc.channel ?? 'email') : s.doc.channel;
  const template: Template = s.doc.template;
  const tenantId = s.kind === 'platform' ? s.doc.tenantId : s.tenantId;
  const locationCode = s.kind === 'location' ? s.doc.locationCode : s.doc.locationCode;
  return {
    _id: deliveryId(source),
    type: 'delivery',
    tenantId,
    ...(locationCode ? { locationCode } : {}),
    source,
    channel,
    template,
    category: TEMPLATE_CATEGORY[template],
    to: s.doc.to,
    createdAt: s.doc.createdAt,
    queuedAt: now,
    status: 'queued',
    attempts: 0,
    generation: 1,
    nextAttemptAt: now,
    history: []
  };
}
