import { auditDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import type { Couch } from './couch/client.ts';

export interface AuditEvent {
  action: string;
  /** `user:{id}`, `device:{id}` or `system` */
  actor: string;
  /** a second identity when an action needed approval (e.g. manager PIN) */
  approvedBy?: string;
  deviceId?: string;
  target?: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

/** Append-only audit trail per tenant; written only by the server (devices never reach this database). */
export async function recordAudit(couch: Couch, tenantId: string, event: AuditEvent): Promise<void> {
  const createdAt = new Date().toISOString();
  await couch.use(auditDb(tenantId)).insert({ _id: `audit:${newUlid()}`, type: 'audit_event', createdAt, ...event });
}
