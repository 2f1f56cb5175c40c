import { z } from 'zod';
import { actorOf, authorize, type Caller } from '../auth/principal.ts';

/**
 * Who may edit the catalog: every catalog write needs catalog:edit (devices read the catalog through
 * their replica and never write it here). Returns the caller's tenant and the actor to record.
 */
export function catalogEditor(caller: Caller, action: string) {
  const p = authorize(caller.principal, 'catalog:edit', action);
  return { tenantId: p.tenantId, actor: actorOf(p, caller.requestId) };
}

/** `?rev=` of a delete: the revision the editor is deleting (a stale one is a 409). */
export const revQuery = z.object({ rev: z.string().min(1, 'is required: the revision you are deleting') });

/** An archive or restore: the `_rev` the editor saw, if it sends one. */
export const statusBody = z.object({ _rev: z.string().min(1).optional() }).strict();
