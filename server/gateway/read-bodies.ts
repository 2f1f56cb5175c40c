import { z } from 'zod';
import type { Endpoint } from './classify.ts';

/**
 * Bodies of the read endpoints that take one (`_bulk_get`, `_all_docs`/view `keys`, `_revs_diff`,
 * `_find`/`_explain`), checked by shape before anything reaches the store: `{"docs":"x"}` on
 * `_bulk_get` made express-pouchdb answer 500 with its stack. The gateway forwards the parsed,
 * re-serialised body, never the client's bytes. Pure, table-tested.
 */

const REV = z.string().regex(/^[1-9]\d{0,8}-[0-9a-f]{1,64}$/, 'must be a document revision like 1-abc…');
const DOC_ID = z.string().min(1).max(1_000);
/** Replication asks for at most a batch at a time (PouchDB: batch_size, ours 500–2,000). */
const MAX_ITEMS = 10_000;

const bulkGetBody = z
  .object({
    docs: z
      .array(z.object({ id: DOC_ID, rev: REV.optional(), atts_since: z.array(REV).max(1_000).optional() }).strict())
      .max(MAX_ITEMS)
  })
  .strict();

/** View and `_all_docs` keys: JSON values, bounded. */
const keysBody = z.object({ keys: z.array(z.json()).max(MAX_ITEMS) }).strict();

const revsDiffBody = z
  .record(DOC_ID, z.array(REV).max(1_000))
  .refine((r) => Object.keys(r).length <= MAX_ITEMS, `at most ${MAX_ITEMS} documents`);

/**
 * Mango operators a client may use. No app sends `_find` to the gateway today (registers and phones
 * query their local replicas); API-key integrations get comparisons, sets and logic, which CouchDB runs
 * in linear time. Never `$regex`: a client-supplied pattern such as `^(a+)+$` backtracks exponentially
 * and stalls the store for every tenant. Nor `$where`-like or JavaScript operators (CouchDB has none).
 */
export const FIND_OPERATORS: ReadonlySet<string> = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$type',
  '$size',
  '$and',
  '$or',
  '$nor',
  '$not',
  '$elemMatch',
  '$allMatch'
]);
const MAX_SELECTOR_DEPTH = 8;
const MAX_SELECTOR_NODES = 500;

/** Why a `_find` selector is refused, or null. */
export function selectorProblem(selector: unknown): string | null {
  let nodes = 0;
  const walk = (v: unknown, path: string, depth: number): string | null => {
    if (++nodes > MAX_SELECTOR_NODES) return `selector: more than ${MAX_SELECTOR_NODES} terms`;
    if (depth > MAX_SELECTOR_DEPTH) return `selector: nested deeper than ${MAX_SELECTOR_DEPTH}`;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const why = walk(v[i], `${path}.${i}`, depth + 1);
        if (why) return why;
      }
      return null;
    }
    if (v === null || typeof v !== 'object') return null;
    for (const [k, child] of Object.entries(v)) {
      if (k.startsWith('$') && !FIND_OPERATORS.has(k)) {
        return `${path}.${k}: operator ${k} is not allowed${k === '$regex' ? ' (regular expressions are not accepted)' : ''}; use ${[...FIND_OPERATORS].join(', ')}`;
      }
      const why = walk(child, `${path}.${k}`, depth + 1);
      if (why) return why;
    }
    return null;
  };
  if (selector === null || typeof selector !== 'object' || Array.isArray(selector)) return 'selector: must be an object';
  return walk(selector, 'selector', 0);
}

const sortItem = z.union([z.string().max(200), z.record(z.string().max(200), z.enum(['asc', 'desc']))]);
const findBody = z
  .object({
    selector: z.record(z.string(), z.json()),
    fields: z.array(z.string().max(200)).max(100).optional(),
    sort: z.array(sortItem).max(20).optional(),
    limit: z.number().int().min(0).max(100_000).optional(),
    skip: z.number().int().min(0).max(1_000_000).optional(),
    use_index: z.union([z.string().max(200), z.array(z.string().max(200)).max(2)]).optional(),
    bookmark: z.string().max(4_096).optional(),
    conflicts: z.boolean().optional(),
    execution_stats: z.boolean().optional(),
    update: z.boolean().optional(),
    stable: z.boolean().optional()
  })
  .strict()
  .superRefine((b, ctx) => {
    const why = selectorProblem(b.selector);
    if (why) ctx.addIssue({ code: 'custom', path: ['selector'], message: why.replace(/^selector:?\s*/, '') });
  });

/** The schema for each read endpoint that takes a body (POST); absent = no body accepted. */
export const READ_BODY_SCHEMAS: Partial<Record<Endpoint, z.ZodType>> = {
  bulk_get: bulkGetBody,
  all_docs: keysBody,
  view: keysBody,
  revs_diff: revsDiffBody,
  find: findBody,
  explain: findBody
};

/** Largest read body: a bulk_get or revs_diff of a big replication batch stays far below. */
export const MAX_READ_BODY_BYTES = 4 * 1024 * 1024;
