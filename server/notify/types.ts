import type { PlatformTemplate } from '../platform/types.ts';

/**
 * Delivery of the outbox (docs/INTEGRATIONS.md "Email and SMS"). An outbox document is an event: it
 * says "send this" once and is never edited. What happened to it lives in one `delivery` document per
 * outbox document, in the `platform` database (server-only, never replicated), written only here.
 */
export type Channel = 'email' | 'sms';

export type Template = PlatformTemplate | 'receipt';

/**
 * Transactional messages go out whatever the recipient chose (a receipt, a password reset); the
 * others (digests, alerts, reminders) carry an unsubscribe link and respect an unsubscribe.
 */
export type Category = 'transactional' | 'notification';

export const TEMPLATE_CATEGORY: Readonly<Record<Template, Category>> = {
  receipt: 'transactional',
  welcome: 'transactional',
  staff_invite: 'transactional',
  password_reset: 'transactional',
  purchase_order: 'transactional',
  gift_card_issued: 'transactional',
  low_stock_digest: 'notification',
  sync_alerts: 'notification',
  layaway_reminder: 'notification'
};

export const TEMPLATE_LABEL: Readonly<Record<Template, string>> = {
  receipt: 'Receipt',
  welcome: 'Welcome',
  staff_invite: 'Staff invitation',
  password_reset: 'Password reset',
  purchase_order: 'Purchase order',
  gift_card_issued: 'Gift card issued',
  low_stock_digest: 'Low-stock digest',
  sync_alerts: 'Sync and device alerts',
  layaway_reminder: 'Layaway reminder'
};

/**
 * - queued: waiting for its first attempt (or for the channel to be configured)
 * - sending: an attempt is recorded and under way (`claim`); a claim that outlives its expiry is recovered
 * - retrying: a temporary failure; the next attempt is at `nextAttemptAt`
 * - sent: the provider accepted it (`providerId`)
 * - failed: permanently (bad address, rejected content, out of attempts): never retried by itself
 * - suppressed: not sent: the address is on the tenant's suppression list
 * - unconfirmed: the server stopped between handing an email to the mail server and recording the
 *   answer; it may or may not have gone out, so it is not sent again by itself (at most once)
 */
export const DELIVERY_STATUSES = ['queued', 'sending', 'retrying', 'sent', 'failed', 'suppressed', 'unconfirmed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Where the outbox event is: the platform database, or a tenant's location database. */
export interface OutboxSource {
  db: string;
  id: string;
}

export interface DeliveryAttempt {
  n: number;
  generation: number;
  at: string;
  outcome: 'sent' | 'temporary' | 'permanent' | 'suppressed' | 'recovered' | 'unconfirmed' | 'resend';
  code?: string;
  message?: string;
  providerId?: string;
  by?: string;
}

export interface DeliveryDoc {
  _id: string; // delivery:{source db}:{outbox id}
  _rev?: string;
  type: 'delivery';
  tenantId: string;
  locationCode?: string;
  source: OutboxSource;
  channel: Channel;
  template: Template;
  category: Category;
  to: string;
  /** when the outbox event was made (possibly offline on a register) and when the server took it in */
  createdAt: string;
  queuedAt: string;
  status: DeliveryStatus;
  /** attempts in this generation */
  attempts: number;
  /** 1, then one more each time a manager resends it: the Message-ID and attempt keys include it */
  generation: number;
  nextAttemptAt?: string;
  /** the attempt under way: recorded before anything is handed to the provider */
  claim?: { attempt: number; at: string; expiresAt: string; by: string; key: string; /** sha256 of a text message's body, to find it at the provider after a crash */ fingerprint?: string };
  providerId?: string;
  sentAt?: string;
  lastError?: { code: string; message: string; permanent: boolean; at: string };
  /** the last attempts, newest last (capped) */
  history: DeliveryAttempt[];
}

export interface SuppressionDoc {
  _id: string; // suppression:{tenantId}:{channel}:{address}
  _rev?: string;
  type: 'suppression';
  tenantId: string;
  channel: Channel;
  address: string;
  /** bounce: the provider said the address does not exist; unsubscribe: the person asked (link, STOP) */
  reason: 'bounce' | 'unsubscribe';
  /** what it stops: every message, or only notifications (an unsubscribe link keeps receipts coming) */
  scope: 'all' | 'notification';
  detail?: string;
  createdAt: string;
}

/** One rendered message, whatever the channel. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; content: Buffer; contentType: string; cid?: string }[];
}

export interface RenderedSms {
  body: string;
}
