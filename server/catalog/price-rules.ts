import { textRule } from '#domain/schemas/text.ts';
import { z } from 'zod';
import { catalogDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { ruleState } from '#domain/price-rules.ts';
import { priceRuleSchema, type PriceRuleDoc } from '#domain/schemas/index.ts';
import { recordAudit } from '../audit.ts';
import { statusOf, type Couch, type Db } from '../couch/client.ts';
import { AppError, badRequest, notFound, parseBody } from '../errors.ts';
import { catalogEditor, revQuery } from './editor.ts';
import type { Caller } from '../auth/principal.ts';
import type { Actor } from './products.ts';

/**
 * Price rules (catalog database, replicated to registers, which apply them offline). The admin portal
 * writes them here so the target is checked against the catalog; the gateway accepts the same
 * documents from catalog:edit holders and checks their shape (schemas/pricing.ts).
 */

export const priceRuleInput = z
  .object({
    name: z.string().trim().min(1, 'is required').max(120).superRefine(textRule()),
    discount: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('percent'), value: z.number().int().min(1).max(10_000) }).strict(),
      z.object({ kind: z.literal('amount'), value: z.number().int().min(1) }).strict()
    ]),
    target: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('category'), categoryId: z.string().min(1).max(200) }).strict(),
      z.object({ kind: z.literal('product'), productId: z.string().min(1).max(200) }).strict(),
      z.object({ kind: z.literal('customer_group'), group: z.string().trim().min(1).max(40).superRefine(textRule()) }).strict()
    ]),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    active: z.boolean().default(true)
  })
  .strict();
export type PriceRuleInput = z.infer<typeof priceRuleInput>;
export const priceRuleUpdate = priceRuleInput.extend({ _rev: z.string().min(1, 'is required: the revision you edited') });

const stale = 'This price rule was changed by someone else since you opened it. Reload the list and make your change again.';

async function assertTarget(db: Db, target: PriceRuleInput['target']): Promise<void> {
  if (target.kind === 'customer_group') return;
  const id = target.kind === 'category' ? target.categoryId : target.productId;
  try {
    const doc = (await db.get(id)) as { type?: string };
    if (doc.type === target.kind) return;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  throw badRequest(`target: no ${target.kind} ${id}`);
}

function build(id: string, input: PriceRuleInput, prev: PriceRuleDoc | null, actor: Actor): PriceRuleDoc {
  const fieldTimes: Record<string, string> = { ...(prev?.fieldTimes ?? {}) };
  for (const k of ['name', 'discount', 'target', 'startsAt', 'endsAt', 'active'] as const) {
    if (!prev || JSON.stringify(prev[k]) !== JSON.stringify(input[k])) fieldTimes[k] = actor.now;
  }
  const r = priceRuleSchema.safeParse({
    _id: id,
    ...(prev?._rev ? { _rev: prev._rev } : {}),
    type: 'price_rule',
    ...input,
    updatedAt: actor.now,
    updatedBy: actor.by,
    fieldTimes
  });
  if (!r.success) throw badRequest(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

async function put(db: Db, doc: PriceRuleDoc): Promise<PriceRuleDoc> {
  try {
    const res = await db.insert(doc);
    return { ...doc, _rev: res.rev };
  } catch (err) {
    if (statusOf(err) === 409) throw new AppError(409, 'stale_revision', stale);
    throw err;
  }
}

async function getRule(db: Db, id: string): Promise<PriceRuleDoc> {
  try {
    const doc = (await db.get(id)) as unknown as PriceRuleDoc;
    if (doc.type === 'price_rule') return doc;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  throw notFound(`No price rule ${id}`);
}

export async function listPriceRules(couch: Couch, tenantId: string) {
  const res = await couch.use(catalogDb(tenantId)).list({ startkey: 'price_rule:', endkey: 'price_rule:\ufff0', include_docs: true });
  const now = new Date().toISOString();
  return res.rows
    .map((r) => r.doc as unknown as PriceRuleDoc)
    .filter((d) => d?.type === 'price_rule')
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => ({ ...d, state: ruleState(d, now) }));
}

async function createPriceRuleNow(couch: Couch, tenantId: string, input: PriceRuleInput, actor: Actor) {
  const db = couch.use(catalogDb(tenantId));
  await assertTarget(db, input.target);
  const saved = await put(db, build(`price_rule:${newUlid().toLowerCase()}`, input, null, actor));
  await recordAudit(couch, tenantId, { action: 'catalog.price_rule.create', actor: actor.by, target: saved._id, details: { name: saved.name }, ...(actor.requestId ? { requestId: actor.requestId } : {}) });
  return saved;
}

async function updatePriceRuleNow(couch: Couch, tenantId: string, id: string, input: PriceRuleInput & { _rev: string }, actor: Actor) {
  const db = couch.use(catalogDb(tenantId));
  const prev = await getRule(db, id);
  if (prev._rev !== input._rev) throw new AppError(409, 'stale_revision', stale);
  const { _rev, ...fields } = input;
  await assertTarget(db, fields.target);
  const saved = await put(db, build(id, fields, prev, actor));
  await recordAudit(couch, tenantId, { action: 'catalog.price_rule.update', actor: actor.by, target: id, details: { name: saved.name }, ...(actor.requestId ? { requestId: actor.requestId } : {}) });
  return saved;
}

async function deletePriceRuleNow(couch: Couch, tenantId: string, id: string, rev: string, actor: Actor) {
  const db = couch.use(catalogDb(tenantId));
  const prev = await getRule(db, id);
  if (prev._rev !== rev) throw new AppError(409, 'stale_revision', stale);
  try {
    await db.destroy(id, rev);
  } catch (err) {
    if (statusOf(err) === 409) throw new AppError(409, 'stale_revision', stale);
    throw err;
  }
  await recordAudit(couch, tenantId, { action: 'catalog.price_rule.delete', actor: actor.by, target: id, details: { name: prev.name }, ...(actor.requestId ? { requestId: actor.requestId } : {}) });
}

// -------------------------------------------------------------------------------------------------
// Use cases: each checks its caller (catalog:edit) before reading the input, whoever calls it.

export async function createPriceRule(couch: Couch, caller: Caller, raw: unknown) {
  const { tenantId, actor } = catalogEditor(caller, 'Creating a price rule');
  return createPriceRuleNow(couch, tenantId, parseBody(priceRuleInput, raw), actor);
}

export async function updatePriceRule(couch: Couch, caller: Caller, id: string, raw: unknown) {
  const { tenantId, actor } = catalogEditor(caller, 'Editing a price rule');
  return updatePriceRuleNow(couch, tenantId, id, parseBody(priceRuleUpdate, raw), actor);
}

export async function deletePriceRule(couch: Couch, caller: Caller, id: string, rawQuery: unknown) {
  const { tenantId, actor } = catalogEditor(caller, 'Deleting a price rule');
  return deletePriceRuleNow(couch, tenantId, id, parseBody(revQuery, rawQuery).rev, actor);
}
