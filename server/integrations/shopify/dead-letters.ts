import { webhookDocId } from '#domain/shopify/index.ts';
import { recordAudit } from '../../audit.ts';
import { principalId, type Caller } from '../../auth/principal.ts';
import { casUpdate } from '../../couch/cas.ts';
import { statusOf } from '../../couch/client.ts';
import { conflict, notFound } from '../../errors.ts';
import { shopifyAdmin } from './connection.ts';
import type { ShopifyIntegration } from './service.ts';
import { webhookDocSchema, type WebhookDoc } from './webhooks.ts';

/**
 * Webhooks the queue gave up on (status `dead`, after the retry schedule ran out), listed with their
 * error for the admin page, and put back in the queue on request. A retry starts the schedule afresh;
 * applying is idempotent (every effect has an id derived from Shopify's), so retrying a delivery whose
 * effects were partly written completes it without doubling any.
 */
const LIST_LIMIT = 100;

export interface DeadLetter {
  webhookId: string;
  topic: string;
  receivedAt: string;
  failedAt: string | null;
  attempts: number;
  error: string | null;
}

const publicDead = (d: WebhookDoc): DeadLetter => ({ webhookId: d.webhookId, topic: d.topic, receivedAt: d.receivedAt, failedAt: d.failedAt, attempts: d.attempts, error: d.error });

/** The tenant's dead letters, newest failure first (view `queue/dead`; on a cluster a just-failed one may show a moment late). */
export async function listDeadWebhooks(sh: ShopifyIntegration, caller: Caller): Promise<{ dead: DeadLetter[] }> {
  const p = shopifyAdmin(caller, 'Reading failed Shopify webhooks');
  if (!(await sh.store.connection(p.tenantId))) return { dead: [] };
  const db = await sh.store.db();
  const rows = await db.view('queue', 'dead', { startkey: [p.tenantId, {}], endkey: [p.tenantId], descending: true, include_docs: true, limit: LIST_LIMIT });
  const dead = rows.rows.flatMap((r) => {
    const d = webhookDocSchema.safeParse(r.doc);
    // the view may lag a retry that already moved the document on: list only what is still dead
    return d.success && d.data.status === 'dead' && d.data.tenantId === p.tenantId ? [publicDead(d.data)] : [];
  });
  return { dead };
}

/** Puts one dead letter back in the queue, due now; `409` when it is not dead (already retried or done). */
export async function retryDeadWebhook(sh: ShopifyIntegration, caller: Caller, webhookId: string): Promise<{ webhook: DeadLetter & { status: WebhookDoc['status'] } }> {
  const p = shopifyAdmin(caller, 'Retrying a Shopify webhook');
  if (!/^[A-Za-z0-9-]{8,100}$/.test(webhookId)) throw notFound('No such Shopify webhook');
  const db = await sh.store.db();
  const id = webhookDocId(p.tenantId, webhookId);
  const now = new Date().toISOString();
  let out: Awaited<ReturnType<typeof casUpdate<WebhookDoc>>>;
  try {
    out = await casUpdate<WebhookDoc>(db, id, (raw) => webhookDocSchema.parse(raw), (d) =>
      d.status === 'dead' && d.tenantId === p.tenantId ? { ...d, status: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: null, failedAt: null } : null
    );
  } catch (err) {
    if (statusOf(err) === 404) throw notFound('No such Shopify webhook');
    throw err;
  }
  if (!out) throw conflict('The webhook is being changed by another request; reload and try again');
  if (out.doc.tenantId !== p.tenantId) throw notFound('No such Shopify webhook');
  if (!out.changed) throw conflict(`This webhook is ${out.doc.status}, not failed: reload the list`);
  sh.queue.kick(id);
  await recordAudit(sh.couch, p.tenantId, { action: 'shopify.webhook_retried', actor: principalId(p), target: webhookId, details: { topic: out.doc.topic, error: out.doc.error } });
  return { webhook: { ...publicDead(out.doc), status: out.doc.status } };
}
