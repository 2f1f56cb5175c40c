import { describe, expect, it } from 'vitest';
import { cleanUpstreamError, feedIdleMs, storePath, writeSearch } from './proxy.ts';

describe('cleanUpstreamError', () => {
  it.each([
    [500, { error: 'unknown_error', reason: 'function_clause' }, 502, 'upstream_error'],
    [500, null, 502, 'upstream_error'],
    [503, { error: 'x' }, 502, 'upstream_error'],
    [404, { error: 'not_found', reason: 'missing' }, 404, 'not_found'],
    [409, { error: 'conflict', reason: 'Document update conflict.' }, 409, 'conflict'],
    [400, null, 400, 'bad_request']
  ] as const)('%i %j → %i %s', (status, json, outStatus, error) => {
    const c = cleanUpstreamError(status, json);
    expect(c).toMatchObject({ status: outStatus, body: { error } });
  });

  it('never passes a stack, a path or HTML through', () => {
    for (const reason of ['TypeError: x\n    at Object.<anonymous> (/srv/node_modules/express-pouchdb/lib/x.js:1:1)', '<html><body>Error</body></html>', 'at /home/app/server.js']) {
      const c = cleanUpstreamError(400, { error: 'bad_request', reason });
      expect(c.body.reason).toBe('the database refused this request');
    }
    expect(cleanUpstreamError(400, { error: '<script>', reason: 'x' }).body.error).toBe('bad_request');
  });
});

describe('feedIdleMs', () => {
  it('follows the heartbeat, else the timeout, else CouchDB\'s default, plus slack', () => {
    expect(feedIdleMs(new Map([['heartbeat', '10000']]))).toBe(40_000);
    expect(feedIdleMs(new Map([['timeout', '1000']]))).toBe(31_000);
    expect(feedIdleMs(new Map())).toBe(90_000);
  });
});

describe('storePath', () => {
  it('puts the deployment prefix in front of the database segment only', () => {
    expect(storePath('/t-acme-loc-gm/_changes', 'it0a1b_')).toBe('/it0a1b_t-acme-loc-gm/_changes');
    expect(storePath('/t-acme-catalog/product%3A1', 'p_')).toBe('/p_t-acme-catalog/product%3A1');
    expect(storePath('/_session', 'p_')).toBe('/_session');
    expect(storePath('/t-acme-loc-gm/_changes', '')).toBe('/t-acme-loc-gm/_changes');
    expect(storePath('/t-acme-loc-gm/_changes')).toBe('/t-acme-loc-gm/_changes');
  });
});

describe('writeSearch', () => {
  it("adds the deployment's w to a write's rebuilt query, and nothing when the store has one copy", () => {
    const up = { url: 'http://couch', authHeader: 'x' };
    expect(writeSearch('', { ...up, writeCopies: 3 })).toBe('?w=3');
    expect(writeSearch('?new_edits=false', { ...up, writeCopies: 3 })).toBe('?new_edits=false&w=3');
    expect(writeSearch('?rev=1-a', up)).toBe('?rev=1-a');
  });
});
