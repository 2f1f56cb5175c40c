import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUlid } from '#domain/ids.ts';
import { docTypeOfId, type DocType } from '#domain/schemas/index.ts';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import { makeCountSession, makeProduct, makeSale } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { makeCast, type Cast, type PrincipalName } from './support/principals.ts';

/**
 * Fuzz (issue 11, "Tests and proof"): ≥ 2,000 generated requests — paths, methods, query shapes,
 * bodies and documents, valid and mutated — as every kind of principal, against the real server and
 * store. Asserted for every answer: never a 5xx; errors are JSON without internals; a 2xx only where
 * the access table below (written by hand from docs/SECURITY.md, independent of the gateway's code)
 * allows it. Afterwards: nothing from a refused request is stored, the store never restarted, and
 * /healthz and /readyz are green. Reproducible: FUZZ_SEED picks the run (default fixed), FUZZ_RUNS
 * its size.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_400);
const CONCURRENCY = 4;

let s: TestServer;
/** restarts of the embedded store (a real CouchDB in COUCH_URL has none to count) */
const restarts = () => s.embedded?.restartCount ?? 0;
let c: Cast;

type DbKey = 'A:catalog' | 'A:loc-gm' | 'A:loc-hm' | 'A:customers' | 'A:audit' | 'A:media' | 'B:catalog' | 'B:loc-gm' | 'platform' | '_users' | 'x';
const DB_KEYS: DbKey[] = ['A:catalog', 'A:loc-gm', 'A:loc-hm', 'A:customers', 'A:audit', 'A:media', 'B:catalog', 'B:loc-gm', 'platform', '_users', 'x'];
const dbName = (k: DbKey) => {
  if (k === 'platform' || k === '_users') return k;
  if (k === 'x') return 't-nobody-catalog';
  const [tenant, kind] = k.split(':') as ['A' | 'B', string];
  return `t-${tenant === 'A' ? c.tenant : c.other}-${kind}`;
};

/** What each principal may read (hand-written: the policy, not the code). */
const ALL_A: DbKey[] = ['A:catalog', 'A:loc-gm', 'A:loc-hm', 'A:customers', 'A:audit'];
const READ: Record<PrincipalName, DbKey[]> = {
  owner: ALL_A,
  admin: ALL_A,
  manager: ['A:catalog', 'A:loc-gm', 'A:customers'],
  cashier: ['A:catalog', 'A:loc-gm'],
  clerk: ['A:catalog', 'A:loc-gm'],
  register: ['A:catalog', 'A:loc-gm', 'A:customers'],
  register2: ['A:catalog', 'A:loc-gm', 'A:customers'],
  phone: ['A:catalog', 'A:loc-gm'],
  pinCashierOnRegister: ['A:catalog', 'A:loc-gm', 'A:customers'],
  pinManagerOnRegister: ['A:catalog', 'A:loc-gm', 'A:customers'],
  pinCashierOnPhone: ['A:catalog', 'A:loc-gm'],
  pinClerkOnPhone: ['A:catalog', 'A:loc-gm'],
  apiKey: ['A:catalog', 'A:loc-gm', 'A:loc-hm', 'A:customers'],
  otherOwner: ['B:catalog', 'B:loc-gm'],
  anonymous: []
};

const REGISTER_DOCS: DocType[] = ['sale', 'shift', 'shift_close', 'cash_movement', 'parked_sale', 'layaway', 'layaway_payment', 'layaway_close', 'outbox', 'time_entry', 'customer'];
const BACK_OFFICE: DocType[] = ['category', 'product', 'price_rule', 'stock_movement', 'count_session', 'customer', 'ledger_entry'];
/** Document types each principal may write (hand-written). */
const WRITE: Record<PrincipalName, DocType[]> = {
  owner: [...BACK_OFFICE, 'tax_rate', 'tax_table', 'settings'],
  admin: [...BACK_OFFICE, 'tax_rate', 'tax_table', 'settings'],
  manager: BACK_OFFICE,
  cashier: [],
  clerk: ['stock_movement', 'count_session'],
  register: REGISTER_DOCS.concat('void'),
  register2: REGISTER_DOCS.concat('void'),
  phone: ['stock_movement', 'count_session'],
  pinCashierOnRegister: REGISTER_DOCS,
  pinManagerOnRegister: REGISTER_DOCS.concat('void'),
  pinCashierOnPhone: [],
  pinClerkOnPhone: ['stock_movement', 'count_session'],
  apiKey: [],
  otherOwner: [...BACK_OFFICE, 'tax_rate', 'tax_table', 'settings'],
  anonymous: []
};
/** The device a principal writes as (register documents are named after it). */
const deviceOf = (p: PrincipalName): string | null =>
  p === 'register' || p.endsWith('OnRegister') ? c.registerId : p === 'register2' ? c.register2Id : p === 'phone' || p.endsWith('OnPhone') ? c.phoneId : null;
const OWN_ID: DocType[] = ['sale', 'shift', 'cash_movement', 'parked_sale', 'layaway', 'layaway_payment', 'outbox', 'time_entry'];

/** May `p` have a 2xx for writing `doc` into `db`? Necessary conditions only (schema validity is the gateway's). */
function mayWrite(p: PrincipalName, db: DbKey, doc: Record<string, unknown>): string | null {
  const id = typeof doc._id === 'string' ? doc._id : '';
  const type = docTypeOfId(id);
  if (!type) return `unknown type ${id}`;
  if (!READ[p].includes(db)) return `no access to ${db}`;
  if (SYNC_RULES.documents[type]!.db !== db.split(':')[1]!.replace(/-.*/, '').replace('loc', 'location')) return `${type} does not belong in ${db}`;
  if (!WRITE[p].includes(type)) return `${p} may not write ${type}`;
  if (p === 'apiKey') return 'API keys never write';
  const loc = db.endsWith('loc-gm') ? 'GM' : db.endsWith('loc-hm') ? 'HM' : null;
  if (loc && doc._deleted !== true && doc.locationCode !== loc) return `locationCode ${String(doc.locationCode)} in ${db}`;
  const dev = deviceOf(p);
  if (dev && deviceOf(p) !== c.phoneId && doc._deleted !== true) {
    if (doc.registerId !== undefined && doc.registerId !== `device:${dev}`) return `registerId ${String(doc.registerId)} written by ${p}`;
    if (OWN_ID.includes(type) && id.split(':')[1] !== dev) return `${id} written by ${p}`;
  }
  if (dev && type === 'count_session' && doc.deviceId !== `device:${dev}`) return `count deviceId ${String(doc.deviceId)} written by ${p}`;
  if (SYNC_RULES.documents[type]!.lifecycle === 'event' && doc._deleted === true) return 'an event deleted';
  return null;
}

// ---- generators ------------------------------------------------------------------------------------

/**
 * Most generated requests are plausible for their principal (a database it reads, a document type it
 * writes, named after its own device), so the 2xx side of the table is exercised as much as the
 * refusals; the rest are drawn from everything.
 */
const plausible = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.nat());
const pick = <T,>(own: readonly T[], any: T, [roll, n]: [number, number], odds = 6): T => (own.length > 0 && roll < odds ? own[n % own.length]! : any);
const dbFor = (type: string): DbKey => {
  const kind = SYNC_RULES.documents[type as DocType]?.db;
  return kind === 'location' ? 'A:loc-gm' : kind === 'customers' ? 'A:customers' : 'A:catalog';
};

const now = () => new Date().toISOString();
const DOC_MAKERS: Record<string, (dev: string) => Record<string, unknown>> = {
  sale: (dev) => makeSale('GM', dev),
  shift: (dev) => ({ _id: `shift:${dev}:${newUlid()}`, type: 'shift', locationCode: 'GM', registerId: `device:${dev}`, openedBy: 'user:x', openingFloat: 1000, openedAt: now() }),
  cash_movement: (dev) => ({ _id: `cash:${dev}:${newUlid()}`, type: 'cash_movement', locationCode: 'GM', registerId: `device:${dev}`, shiftId: 'shift:x', kind: 'in', amount: 500, reason: 'top-up', staffId: 'user:x', createdAt: now() }),
  time_entry: (dev) => ({ _id: `time_entry:${dev}:${newUlid()}`, type: 'time_entry', locationCode: 'GM', registerId: `device:${dev}`, staffId: 'user:x', staffName: 'Sam', kind: 'in', at: now() }),
  parked_sale: (dev) => ({
    _id: `parked:${dev}:${newUlid()}`,
    type: 'parked_sale',
    locationCode: 'GM',
    registerId: `device:${dev}`,
    label: 'Hold for Ann',
    lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', taxCategory: 'clothing', qty: 1, unitPrice: 1000, listPrice: 1000 }],
    parkedBy: 'user:x',
    updatedAt: now(),
    updatedBy: 'user:x'
  }),
  customer: () => ({ _id: `customer:${newUlid()}`, type: 'customer', firstName: 'Ann', updatedAt: now(), updatedBy: 'user:x' }),
  product: () => makeProduct(`product:fz-${newUlid().toLowerCase()}`),
  category: () => ({ _id: `category:${newUlid()}`, type: 'category', name: 'Hats', updatedAt: now(), updatedBy: 'user:x' }),
  tax_rate: () => ({ _id: `tax_rate:${newUlid()}`, type: 'tax_rate', name: 'VAT', ratePpm: 200_000, updatedAt: now(), updatedBy: 'user:x' }),
  tax_table: () => ({
    _id: `tax_table:${newUlid()}`,
    type: 'tax_table',
    name: 'NYC',
    versions: [{ components: [{ id: 'ny-state', name: 'New York State', kind: 'state', ratePpm: 40_000, rules: { clothing: { kind: 'exempt_under', threshold: 11_000 } } }] }],
    updatedAt: now(),
    updatedBy: 'user:x'
  }),
  stock_movement: () => ({ _id: `movement:adj:${newUlid()}`, type: 'stock_movement', locationCode: 'GM', reason: 'damage', lines: [{ variantId: 'p1-v01', qty: -1 }], createdAt: now(), createdBy: 'user:x' }),
  count_session: (dev) => makeCountSession('GM', dev),
  ledger_entry: () => ({ _id: `ledger:adj:${newUlid()}`, type: 'ledger_entry', account: 'store_credit', holder: 'customer:x', amount: 500, reason: 'goodwill', createdAt: now(), createdBy: 'user:x' }),
  staff: () => ({ _id: `staff:${newUlid()}`, type: 'staff', userId: 'user:x', name: 'Mallory', role: 'owner', locations: ['*'], active: true, updatedAt: now(), updatedBy: 'x' }),
  transfer: () => ({ _id: `transfer:GM:${newUlid()}`, type: 'transfer', locationCode: 'GM' })
};

type Mutation = (d: Record<string, unknown>) => Record<string, unknown>;
const junk = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 8 }), fc.constant('a\u0000b'), fc.constant('x\ud800'), fc.constant('Cafe\u0301'), fc.jsonValue({ maxDepth: 2 }));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 8, arbitrary: fc.constant((d: Record<string, unknown>) => d) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('total', 'name', 'type', 'locationCode', 'lines', 'createdAt', 'registerId', 'amount', 'firstName', 'reason'), junk).map(([k, v]) => (d: Record<string, unknown>) => ({ ...d, [k]: v })) },
  { weight: 1, arbitrary: fc.constantFrom<Mutation>((d) => ({ ...d, locationCode: 'HM' }), (d) => ({ ...d, registerId: `device:${c.register2Id}` }), (d) => ({ ...d, _deleted: true }), (d) => ({ ...d, extra: 1 }), (d) => ({ ...d, _rev: '2-abc' }), (d) => ({ ...d, _attachments: { a: { data: 'eA==' } } })) },
  { weight: 1, arbitrary: fc.constant((d: Record<string, unknown>) => ({ ...d, note: JSON.parse('['.repeat(40) + ']'.repeat(40)) })) }
);
/** A document for `writer`: usually a type it writes, named after its own device; sometimes anything. */
const docArb = fc
  .tuple(fc.constantFrom(...Object.keys(DOC_MAKERS)), fc.constantFrom<PrincipalName>('register', 'register2', 'phone'), mutation, plausible)
  .map(([anyType, anyDevice, mutate, roll]) => (writer: PrincipalName) => {
    const type = pick(WRITE[writer].filter((t) => t in DOC_MAKERS), anyType, roll);
    const dev = pick([deviceOf(writer)].filter((d): d is string => d !== null), deviceOf(anyDevice)!, roll, 7);
    return { type, doc: mutate(DOC_MAKERS[type]!(dev)) };
  });

const QUERY_NAMES = ['since', 'limit', 'feed', 'heartbeat', 'timeout', 'style', 'include_docs', 'conflicts', 'descending', 'key', 'keys', 'startkey', 'endkey', 'skip', 'reduce', 'group', 'group_level', 'rev', 'revs', 'open_revs', 'latest', 'new_edits', 'update', 'filter', 'doc_ids', 'selector', 'view', 'doc_ids[]', 'selector[type]', 'filter[0]', 'view[x]', 'keys%5B%5D', '_nonce', 'batch', 'x'];
const QUERY_VALUES = ['0', '1', '5', 'true', 'false', 'now', 'all', 'normal', 'main_only', 'all_docs', '%5B%22GM%22%5D', '%22a%22', '%7B%7D', '-1', 'abc', '1-abc', '%00', '10000', '_view', '_doc_ids', 'a/b', '%5B%5B%5B%5B', ''];
const queryArb = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.constantFrom(...QUERY_VALUES)), { maxLength: 4 })
  .map((ps) => ps.filter(([n, v]) => !(n === 'feed' && v !== 'normal')).map(([n, v]) => `${n}=${v}`).join('&'));

const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{"docs":"x"}', '{"docs":[{"id":"settings:tenant"}]}', '{"keys":["settings:tenant"]}', '{"selector":{"type":"sale"}}', '{"selector":{"name":{"$regex":"^(a+)+$"}}}', '{"a":["1-abc"]}', '{"docs": [', '[' .repeat(5_000) + ']'.repeat(5_000), 'null', '{"last_seq":0}')
);

interface Req {
  who: PrincipalName;
  method: string;
  path: string;
  body?: string;
  /** the documents written, for the storage check */
  docs?: Record<string, unknown>[];
  db?: DbKey;
  kind: 'read' | 'write' | 'local' | 'other' | 'api';
  newEdits?: boolean;
  localId?: string;
  /** an endpoint no principal may use (security object, compaction, index or design writes, POST _changes) */
  never?: boolean;
}

const enc = encodeURIComponent;
const principalArb = fc.constantFrom<PrincipalName>('owner', 'admin', 'manager', 'cashier', 'clerk', 'register', 'register2', 'phone', 'pinCashierOnRegister', 'pinManagerOnRegister', 'pinCashierOnPhone', 'pinClerkOnPhone', 'apiKey', 'otherOwner', 'anonymous');
const dbArb = fc.constantFrom(...DB_KEYS);
const idArb = fc.constantFrom('settings:tenant', 'location:GM', 'staff:x', '_design/stock', 'nope', 'a%2Fb', '..', '%E0%A4%A', 'product:p1');

const API_PATHS = ['/api/v1/inventory/stock?location=GM', '/api/v1/inventory/stock?location=XX', '/api/v1/inventory/levels?location=GM', '/api/v1/customers?q=a', '/api/v1/reports/dashboard', '/api/v1/sales?location=GM', '/api/v1/staff', '/api/v1/audit?limit=5', '/api/v1/settings/tax-rates?location=GM', '/api/v1/locations', '/api/v1/devices', '/api/v1/alerts', '/api/v1/auth/me', '/api/v1/sync/conflicts', '/api/v1/catalog/products', '/api/v1/inventory/counts?location=GM'];
const API_WRITES = ['/api/v1/customers', '/api/v1/inventory/adjustments', '/api/v1/inventory/transfers', '/api/v1/catalog/categories', '/api/v1/settings/receipts', '/api/v1/staff'];

const maybeQuery = fc.oneof(fc.constant(''), queryArb);
const WRITERS = (Object.keys(WRITE) as PrincipalName[]).filter((p) => WRITE[p].length > 0 && p !== 'otherOwner');

const requestArb: fc.Arbitrary<() => Req> = fc.oneof(
  // reads of every endpoint shape
  {
    weight: 5,
    arbitrary: fc
      .tuple(principalArb, dbArb, plausible, fc.constantFrom('', '/_changes', '/_all_docs', '/_index', '/_design/stock', '/_design/stock/_view/on_hand', '/_local/cp', '/DOC', '/DOC/att.png', '/_security', '/_compact', '/_purge'), maybeQuery, idArb)
      .map(([who, anyDb, roll, suffix, q, id]) => () => ({ who, db: pick(READ[who], anyDb, roll), kind: 'read' as const, method: 'GET', path: `/db/${dbName(pick(READ[who], anyDb, roll))}${suffix.replace('DOC', id)}${q ? `?${q}` : ''}`, never: ['/_security', '/_compact', '/_purge'].includes(suffix) }))
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(principalArb, dbArb, plausible, fc.constantFrom('/_all_docs', '/_bulk_get', '/_revs_diff', '/_find', '/_explain', '/_design/stock/_view/on_hand', '/_changes', '/_index', '/_design/x'), bodyArb, maybeQuery)
      .map(([who, anyDb, roll, suffix, body, q]) => () => ({ who, db: pick(READ[who], anyDb, roll), kind: 'read' as const, method: 'POST', path: `/db/${dbName(pick(READ[who], anyDb, roll))}${suffix}${q ? `?${q}` : ''}`, ...(body !== undefined ? { body } : {}), never: ['/_changes', '/_index', '/_design/x'].includes(suffix) }))
  },
  // replication checkpoints
  {
    weight: 1,
    arbitrary: fc.tuple(principalArb, dbArb, plausible, bodyArb).map(([who, anyDb, roll, body]) => () => {
      const db = pick(READ[who], anyDb, roll);
      const localId = `fz-${newUlid()}`;
      return { who, db, kind: 'local' as const, method: 'PUT', path: `/db/${dbName(db)}/_local/${localId}`, body: body ?? '{"last_seq":1}', localId };
    })
  },
  // writes: one document by PUT/POST, or a batch
  {
    weight: 6,
    arbitrary: fc.tuple(principalArb, dbArb, plausible, fc.array(docArb, { minLength: 1, maxLength: 3 }), fc.constantFrom('bulk', 'bulk-replication', 'put', 'post', 'put-replication'), queryArb, fc.boolean()).map(([anyWho, anyDb, roll, makers, how, q, withQuery]) => () => {
      const who = pick(WRITERS, anyWho, roll);
      const replication = how.endsWith('replication');
      const made = makers.map((m) => m(who));
      const db = roll[0] < 7 ? dbFor(made[0]!.type) : anyDb;
      const docs = made.map(({ doc: d }) => (replication && d._rev === undefined ? { ...d, _rev: `1-${newUlid().toLowerCase().replace(/[^0-9a-f]/g, 'a')}` } : d));
      const base = `/db/${dbName(db)}`;
      if (how.startsWith('bulk')) return { who, db, kind: 'write' as const, method: 'POST', path: `${base}/_bulk_docs`, body: JSON.stringify({ docs, ...(replication ? { new_edits: false } : {}) }), docs, newEdits: !replication };
      const doc = docs[0]!;
      if (how === 'post') return { who, db, kind: 'write' as const, method: 'POST', path: base, body: JSON.stringify(doc), docs: [doc], newEdits: true };
      const qs = replication ? '?new_edits=false' : q && withQuery ? `?${q}` : '';
      return { who, db, kind: 'write' as const, method: 'PUT', path: `${base}/${enc(String(doc._id))}${qs}`, body: JSON.stringify(doc), docs: [doc], newEdits: !replication };
    })
  },
  // database and server level
  {
    weight: 1,
    arbitrary: fc.tuple(principalArb, fc.constantFrom('PUT', 'DELETE', 'POST', 'COPY', 'PATCH', 'GET'), fc.constantFrom('/db/', '/db/_all_dbs', '/db/_users', '/db/_config', '/db/_session', '/db/_uuids', '/db/platform/_all_docs', '/db/%2e%2e/_all_dbs', '/db/t-x-catalog%2F_all_docs', '/db/T-BAD', '/db/t-a-loc-gm/..%2F..%2Fplatform')).map(([who, method, path]) => () => ({ who, kind: 'other' as const, method, path }))
  },
  // the API around it
  {
    weight: 2,
    arbitrary: fc.tuple(principalArb, fc.constantFrom(...API_PATHS), fc.constantFrom(...API_WRITES), bodyArb, fc.boolean()).map(([who, get, post, body, isGet]) => () => (isGet ? { who, kind: 'api' as const, method: 'GET', path: get } : { who, kind: 'api' as const, method: 'POST', path: post, body: body ?? '{}' }))
  }
);

// ---- the run -----------------------------------------------------------------------------------------

interface Outcome {
  req: Req;
  status: number;
  text: string;
  type: string;
}

async function send(req: Req): Promise<Outcome> {
  const headers: Record<string, string> = { ...c.headers[req.who] };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + req.path, { method: req.method, headers, ...(req.body !== undefined ? { body: req.body } : {}), signal: AbortSignal.timeout(30_000) });
  return { req, status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

function describeReq(o: Outcome): string {
  return `${o.req.who} ${o.req.method} ${o.req.path} ${o.req.body?.slice(0, 300) ?? ''} → ${o.status} ${o.text.slice(0, 300)}`;
}

beforeAll(async () => {
  s = await startTestServer({ API_RATE_LIMIT: '1000000', CONFLICT_WORKER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', SALE_LEDGER_INTERVAL_S: '0' });
  c = await makeCast(s, 'Fuzz');
});

afterAll(async () => {
  await s?.stop();
});

describe('gateway fuzz', () => {
  it(`${RUNS} generated requests as every kind of principal: no 5xx, no 2xx beyond the access table, nothing stored from a refusal`, async () => {
    const restartsBefore = restarts();
    const makers = fc.sample(requestArb, { numRuns: RUNS, seed: SEED });
    const outcomes: Outcome[] = [];
    const queue = [...makers];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let m = queue.shift(); m; m = queue.shift()) outcomes.push(await send(m()));
      })
    );
    expect(outcomes.length).toBe(RUNS);

    const problems: string[] = [];
    const accepted = new Map<string, DbKey>();
    const refused = new Map<string, DbKey>();
    const refusedLocal: { db: DbKey; id: string }[] = [];
    let reads2xx = 0;
    let writes2xx = 0;
    for (const o of outcomes) {
      const { req } = o;
      if (o.status >= 500) problems.push(`5xx: ${describeReq(o)}`);
      if (o.status >= 400 && (!o.type.startsWith('application/json') || /<html|node_modules|\bat .*\(|\/srv\/|\/home\//i.test(o.text))) problems.push(`unclean error: ${describeReq(o)}`);
      const ok = o.status >= 200 && o.status < 300;
      if (req.kind === 'read' && ok) {
        reads2xx++;
        if (!req.db || !READ[req.who].includes(req.db)) problems.push(`read beyond the table: ${describeReq(o)}`);
        if (req.never) problems.push(`refused endpoint answered: ${describeReq(o)}`);
      }
      if (req.kind === 'local') {
        if (ok && (!req.db || !READ[req.who].includes(req.db) || req.who === 'apiKey')) problems.push(`checkpoint beyond the table: ${describeReq(o)}`);
        if (!ok && req.db && req.localId) refusedLocal.push({ db: req.db, id: req.localId });
      }
      if (req.kind === 'other' && ok) problems.push(`server-level 2xx: ${describeReq(o)}`);
      if (req.kind === 'api' && ok && (req.who === 'apiKey' || req.who === 'anonymous')) problems.push(`API 2xx without a session: ${describeReq(o)}`);
      if (req.kind === 'write' && req.docs && req.db) {
        // which documents did the store take? whole-request 2xx for one document; per-document results for a batch
        let perDoc: boolean[] = req.docs.map(() => ok);
        if (ok && req.path.endsWith('/_bulk_docs')) {
          const results = JSON.parse(o.text) as { id: string | null; ok?: boolean; error?: string }[];
          perDoc = req.newEdits ? results.map((r) => r.ok === true) : req.docs.map((d) => !results.some((r) => r.id === d._id));
        }
        req.docs.forEach((d, i) => {
          const id = String(d._id);
          if (perDoc[i]) {
            writes2xx++;
            const why = mayWrite(req.who, req.db!, d);
            if (why) problems.push(`write beyond the table (${why}): ${describeReq(o)}`);
            accepted.set(id, req.db!);
          } else refused.set(id, req.db!);
        });
      }
    }
    if (process.env.FUZZ_DEBUG) {
      // what the run did, by kind, status and reason (FUZZ_DEBUG=1)
      const h = new Map<string, number>();
      for (const o of outcomes) {
        const k = `${o.req.kind} ${o.status} ${o.status >= 400 ? o.text.slice(0, 70) : o.req.path.replace(/t-[^/]+/, 'DB').slice(0, 40)}`;
        h.set(k, (h.get(k) ?? 0) + 1);
      }
      console.log({ reads2xx, writes2xx, accepted: accepted.size, refused: refused.size });
      console.log([...h].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n'));
    }
    expect(problems.slice(0, 20), `${problems.length} problems (FUZZ_SEED=${SEED})`).toEqual([]);
    // the run exercised both sides of the table
    expect(reads2xx).toBeGreaterThan(RUNS / 30);
    expect(writes2xx).toBeGreaterThan(RUNS / 60);

    // nothing stored from a refused request (ids are fresh per generated document)
    const byDb = new Map<DbKey, string[]>();
    for (const [id, db] of refused) if (!accepted.has(id) && db !== 'x' && db !== 'platform' && db !== '_users') byDb.set(db, [...(byDb.get(db) ?? []), id]);
    for (const [db, ids] of byDb) {
      const rows = (await s.couch.use(dbName(db)).fetchRevs({ keys: ids }).catch(() => ({ rows: [] }))).rows as { key: string; error?: string }[];
      const stored = rows.filter((r) => !r.error).map((r) => r.key);
      expect(stored, `refused documents stored in ${db}`).toEqual([]);
    }
    for (const { db, id } of refusedLocal.slice(0, 200)) {
      if (db === 'x' || db === 'platform' || db === '_users') continue;
      await expect(s.couch.use(dbName(db)).get(`_local/${id}`), `${db} _local/${id}`).rejects.toMatchObject({ statusCode: 404 });
    }
    // and what was accepted is there
    for (const [id, db] of [...accepted].slice(0, 100)) expect((await s.couch.use(dbName(db)).get(id))._id).toBe(id);

    expect(restarts()).toBe(restartsBefore);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
  }, 240_000);
});
