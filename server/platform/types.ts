import type { Role } from '#domain/permissions.ts';
import type { DeviceKind } from '../../sync-rules/schema.ts';
import type { ApiKeyScope } from '#domain/api-keys.ts';

/** Documents of the `platform` database (server-only, never replicated to devices). */
export interface TenantDoc {
  _id: string; // tenant:{id}
  _rev?: string;
  type: 'tenant';
  tenantId: string;
  name: string;
  plan: string;
  locations: string[];
  status: 'active' | 'suspended';
  createdAt: string;
}

export interface UserDoc {
  _id: string; // user:{ulid}
  _rev?: string;
  type: 'user';
  email: string;
  name: string;
  tenantId: string;
  role: Role;
  /** location codes, or ['*'] */
  locations: string[];
  passwordHash: string;
  failures: number;
  lockedUntil?: string | undefined;
  /** false = locked by an admin: no sign-in, no refresh, PIN refused (staff directory `active`) */
  active: boolean;
  /** set with a temporary password (sign-up, invite, reset): the user must choose their own first */
  mustChangePassword?: boolean;
  passwordChangedAt?: string;
  /** bumped to end every session at once (lock, password reset or change): tokens carry the value they were issued with */
  sessionVersion?: number;
  /** sessions signed out, listed until their last access token has expired (server/auth/sessions.ts) */
  revokedSessions?: { sid: string; until: string }[];
  createdAt: string;
}

export interface EmailClaimDoc {
  _id: string; // email:{lowercased}
  _rev?: string;
  type: 'email_claim';
  userId: string;
}

export interface DeviceDoc {
  _id: string; // device:{id}
  _rev?: string;
  type: 'device';
  tenantId: string;
  locationCode: string;
  kind: DeviceKind;
  name: string;
  enrolledAt: string;
  enrolledWith: string;
  /** registers: the short code receipt numbers start with (GM1), unique in the tenant */
  shortCode?: string;
  revokedAt?: string;
  pinFailures: number;
  pinLockedUntil?: string | undefined;
  /** last request at the gateway / last successful replication (server/settings/device-activity.ts) */
  lastSeenAt?: string;
  lastSyncAt?: string;
}

export interface EnrolmentDoc {
  _id: string; // enrolment:{sha256(code)}
  _rev?: string;
  type: 'enrolment';
  tenantId: string;
  locationCode: string;
  kind: DeviceKind;
  name: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
  deviceId?: string;
}

export interface RefreshDoc {
  _id: string; // refresh:{sha256(token)}
  _rev?: string;
  type: 'refresh_token';
  userId: string;
  /** the session this refresh token belongs to (kept across rotations; access tokens carry it as `sid`) */
  sid?: string;
  tenantId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
}

export interface ApiKeyDoc {
  _id: string; // apikey:{keyId}
  _rev?: string;
  type: 'api_key';
  tenantId: string;
  name: string;
  scopes: ApiKeyScope[];
  /** sha256 of the whole token; the token itself is shown once and never stored */
  tokenHash: string;
  createdBy: string;
  createdAt: string;
  revokedAt?: string;
}

/**
 * A message the server queued (platform outbox): an event, written once and never edited. Delivery
 * state lives in the `delivery:` document the outbox worker keeps for it (server/notify/), so
 * `status`/`attempts` here only say what they were when it was queued. Never holds a secret.
 */
export interface EmailOutboxDoc {
  _id: string; // outbox:{purpose}:{id}
  _rev?: string;
  type: 'email_outbox';
  tenantId: string;
  /** email unless said otherwise (the type name predates text messages) */
  channel?: 'email' | 'sms';
  to: string;
  template: PlatformTemplate;
  data: Record<string, string>;
  /** the document the message is about (a purchase order, a layaway), for templates that read it */
  ref?: string;
  /** the store it concerns, when it concerns one (purchase orders, digests, layaways) */
  locationCode?: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  createdAt: string;
}

export const PLATFORM_TEMPLATES = ['welcome', 'purchase_order', 'staff_invite', 'password_reset', 'low_stock_digest', 'sync_alerts', 'gift_card_issued', 'layaway_reminder'] as const;
export type PlatformTemplate = (typeof PLATFORM_TEMPLATES)[number];
