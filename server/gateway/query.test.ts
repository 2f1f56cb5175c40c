import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from './classify.ts';
import { ENDPOINT_PARAMS, parseDbQuery } from './query.ts';

/** The embedded store's own query parser (express-pouchdb 4.2 → Express 4 → qs): what would read the query upstream. */
const storeQs = createRequire(import.meta.url)('express-pouchdb/node_modules/qs') as { parse(s: string): Record<string, unknown> };

const ok = (endpoint: Endpoint, raw: string) => {
  const q = parseDbQuery(endpoint, raw);
  if (!q.ok) throw new Error(`${raw}: ${q.reason}`);
  return q.search;
};

describe('what replication and the apps send passes, rebuilt', () => {
  it.each([
    // PouchDB 9 replication (pull): live changes feed, batches, checkpoints
    ['changes', 'style=all_docs&feed=longpoll&heartbeat=10000&since=0&limit=500', '?style=all_docs&feed=longpoll&heartbeat=10000&since=0&limit=500'],
    ['changes', 'style=all_docs&since=42&limit=500', '?style=all_docs&since=42&limit=500'],
    ['changes', 'since=now&feed=continuous&heartbeat=10000&timeout=30000', '?since=now&feed=continuous&heartbeat=10000&timeout=30000'],
    ['changes', 'seq_interval=500&include_docs=true&conflicts=true&descending=false&attachments=false', '?seq_interval=500&include_docs=true&conflicts=true&descending=false&attachments=false'],
    // CouchDB 3's opaque sequences (clusters)
    ['changes', 'since=12-g1AAAAFreJzLYWBg4MhgTmHgz8tPSTV0MDQy1zMAQsMcoARTIkOS_P___7MymBMZc4EC7AYpJiYmlubY1OPRnMcCJBkagBRQ_f6sxEy8ijMTEzNTxHKQFZmYW6Yim4rdvGQhaPRnnYMTOK0w&limit=10', '?since=12-g1AAAAFreJzLYWBg4MhgTmHgz8tPSTV0MDQy1zMAQsMcoARTIkOS_P___7MymBMZc4EC7AYpJiYmlubY1OPRnMcCJBkagBRQ_f6sxEy8ijMTEzNTxHKQFZmYW6Yim4rdvGQhaPRnnYMTOK0w&limit=10'],
    // the register's fast bootstrap (web/src/lib/sync/bootstrap.ts)
    ['changes', 'include_docs=true&style=main_only&since=0&limit=2000', '?include_docs=true&style=main_only&since=0&limit=2000'],
    ['bulk_get', 'revs=true&latest=true', '?revs=true&latest=true'],
    ['bulk_get', 'revs=true&attachments=true', '?revs=true&attachments=true'],
    ['doc_read', 'revs=true&open_revs=%5B%221-abc%22%5D&latest=true', '?revs=true&open_revs=%5B%221-abc%22%5D&latest=true'],
    ['doc_read', 'open_revs=all&revs=true', '?open_revs=all&revs=true'],
    ['doc_read', 'rev=3-0123456789abcdef&conflicts=true', '?rev=3-0123456789abcdef&conflicts=true'],
    ['doc_read', '_nonce=1732000000000', ''],
    // replication checkpoints: _local revisions are 0-N
    ['local', 'rev=0-12', '?rev=0-12'],
    ['all_docs', 'include_docs=true&startkey=%22product%3A%22&endkey=%22product%3A%EF%BF%B0%22&limit=5000&skip=1', '?include_docs=true&startkey=%22product%3A%22&endkey=%22product%3A%EF%BF%B0%22&limit=5000&skip=1'],
    ['all_docs', 'keys=%5B%22a%22%2C%22b%22%5D', '?keys=%5B%22a%22%2C%22b%22%5D'],
    ['view', 'group=true&group_level=2&reduce=true&startkey=%5B%22GM%22%5D&endkey=%5B%22GM%22%2C%7B%7D%5D', '?group=true&group_level=2&reduce=true&startkey=%5B%22GM%22%5D&endkey=%5B%22GM%22%2C%7B%7D%5D'],
    ['view', 'key=%5B%22GM%22%2C%22v1%22%5D&include_docs=true&reduce=false&update=lazy', '?key=%5B%22GM%22%2C%22v1%22%5D&include_docs=true&reduce=false&update=lazy'],
    ['doc_write', 'rev=2-abc', '?rev=2-abc'],
    ['db_info', '', '']
  ] as [Endpoint, string, string][])('%s ?%s', (endpoint, raw, rebuilt) => {
    expect(ok(endpoint, raw)).toBe(rebuilt);
  });

  it('normalises JSON values and spaces the way the store reads them', () => {
    expect(ok('view', 'key=%5B+%22GM%22+%5D')).toBe('?key=%5B%22GM%22%5D');
    expect(ok('changes', 'heartbeat=true')).toBe('?heartbeat=60000');
  });
});

describe('refused', () => {
  it.each([
    // the probe's bracket forms (qs would read them as arrays and objects)
    ['changes', 'doc_ids[]=a', 400, 'bracketed'],
    ['changes', 'selector[type]=sale', 400, 'bracketed'],
    ['changes', 'filter[]=_view&view[]=a/b', 400, 'bracketed'],
    ['changes', 'filter[0]=_doc_ids&doc_ids[0]=a', 400, 'bracketed'],
    ['changes', 'view[x]=a', 400, 'bracketed'],
    ['changes', 'doc_ids%5B%5D=a', 400, 'bracketed'],
    ['changes', 'since.a=1', 400, 'bracketed'],
    // filters by name stay 403 (the sync rules name none)
    ['changes', 'filter=_selector', 403, 'sync rules'],
    ['changes', 'filter=_view&view=a/b', 403, 'sync rules'],
    ['changes', 'doc_ids=%5B%22a%22%5D', 403, 'sync rules'],
    ['changes', 'selector=%7B%7D', 403, 'sync rules'],
    // unknown and repeated names, separators and encodings
    ['changes', 'since=0&since=5', 400, 'repeated'],
    ['changes', 'style=all_docs&batch=ok', 400, 'not accepted'],
    ['changes', 'since=0;feed=continuous', 400, '";"'],
    ['changes', 'since=%E0%A4%A', 400, 'percent-encoding'],
    ['bulk_docs', 'new_edits=false', 400, 'not accepted'],
    ['db_info', 'anything=1', 400, 'not accepted'],
    ['changes', '__proto__=1', 400, 'not accepted'],
    ['changes', 'constructor=1', 400, 'not accepted'],
    // wrong shapes
    ['changes', 'limit=-1', 400, 'whole number'],
    ['changes', 'limit=1e3', 400, 'whole number'],
    ['changes', 'feed=eventsource', 400, 'normal, longpoll'],
    ['changes', 'heartbeat=1', 400, 'between'],
    ['changes', 'timeout=99999999', 400, 'up to'],
    ['changes', 'since=%7B%7D', 400, 'sequence'],
    ['changes', 'style=everything', 400, 'main_only'],
    ['doc_read', 'rev=latest', 400, 'revision'],
    ['doc_read', 'open_revs=%5B1%5D', 400, 'revisions'],
    ['view', 'key=%7Bnot+json', 400, 'JSON'],
    ['view', 'keys=%22a%22', 400, 'array'],
    ['view', 'key=%22%5Cu0000%22', 400, 'control'],
    ['all_docs', 'startkey_docid=a%00b', 400, 'control'],
    ['view', `key=${encodeURIComponent('['.repeat(40) + ']'.repeat(40))}`, 400, 'JSON']
  ] as [Endpoint, string, number, string][])('%s ?%s → %i', (endpoint, raw, status, reason) => {
    const q = parseDbQuery(endpoint, raw);
    expect(q).toMatchObject({ ok: false, status });
    expect(q.ok ? '' : q.reason).toContain(reason);
  });
});

describe('properties', () => {
  const endpoints = Object.keys(ENDPOINT_PARAMS) as Endpoint[];
  const names = fc.oneof(
    fc.constantFrom(...new Set(Object.values(ENDPOINT_PARAMS).flatMap((p) => Object.keys(p)))),
    fc.constantFrom('filter', 'selector', 'doc_ids', 'view', '_nonce', 'batch', 'w', 'r'),
    fc.string({ maxLength: 12 }),
    fc.tuple(fc.constantFrom('doc_ids', 'filter', 'selector', 'view', 'since', 'keys'), fc.constantFrom('[]', '[0]', '[type]', '%5B%5D', '%5b0%5d', '.x')).map(([a, b]) => a + b)
  );
  const values = fc.oneof(
    fc.constantFrom('true', 'false', '0', '10', 'now', 'all', 'lazy', 'longpoll', 'main_only', '1-abc', '%5B%22a%22%5D', '%7B%7D', '10000', '-1'),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
    fc.string({ maxLength: 20 })
  );
  const query = fc.array(fc.tuple(names, values), { maxLength: 6 }).map((ps) => ps.map(([n, v]) => `${n}=${v}`).join('&'));

  it('a rebuilt query names only allowed parameters, once each, and the store reads every value as a plain string', () => {
    fc.assert(
      fc.property(fc.constantFrom(...endpoints), query, (endpoint, raw) => {
        const q = parseDbQuery(endpoint, raw);
        if (!q.ok) return;
        const parsed = storeQs.parse(q.search.slice(1));
        for (const [k, v] of Object.entries(parsed)) {
          expect(Object.keys(ENDPOINT_PARAMS[endpoint])).toContain(k);
          expect(typeof v).toBe('string');
          expect(v).toBe(q.params.get(k));
        }
        expect(Object.keys(parsed).length).toBe(q.params.size);
      }),
      { numRuns: 3_000 }
    );
  });

  it('parsing the rebuilt query gives it back unchanged (the gateway is a fixed point)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...endpoints), query, (endpoint, raw) => {
        const q = parseDbQuery(endpoint, raw);
        if (!q.ok) return;
        const again = parseDbQuery(endpoint, q.search.slice(1));
        expect(again).toMatchObject({ ok: true, search: q.search });
      }),
      { numRuns: 2_000 }
    );
  });

  it('never forwards a name with a bracket or a forbidden filter, whatever the encoding', () => {
    fc.assert(
      fc.property(fc.constantFrom(...endpoints), fc.constantFrom('filter', 'selector', 'doc_ids', 'view'), fc.constantFrom('', '[]', '[0]', '%5B%5D', '%5B0%5D', '[x]'), values, (endpoint, name, suffix, v) => {
        const q = parseDbQuery(endpoint, `since=0&${name}${suffix}=${v}`);
        expect(q.ok).toBe(false);
      })
    );
  });
});
