import { describe, expect, it } from 'vitest';
import { classifyDbRequest } from './classify.ts';

const q = (s = '') => s;
const DB = '/t-acme-loc-gm';

describe('classifyDbRequest', () => {
  it.each([
    ['GET', DB, 'db_info', 'read'],
    ['GET', `${DB}/_changes`, 'changes', 'read'],
    ['GET', `${DB}/_all_docs`, 'all_docs', 'read'],
    ['POST', `${DB}/_all_docs`, 'all_docs', 'read'],
    ['POST', `${DB}/_bulk_get`, 'bulk_get', 'read'],
    ['POST', `${DB}/_revs_diff`, 'revs_diff', 'read'],
    ['POST', `${DB}/_bulk_docs`, 'bulk_docs', 'write'],
    ['GET', `${DB}/_local/abc`, 'local', 'read'],
    ['PUT', `${DB}/_local/abc`, 'local', 'checkpoint'],
    ['GET', `${DB}/sale%3Ar1%3A01ARZ3NDEKTSV4RRFFQ69G5FAV`, 'doc_read', 'read'],
    ['PUT', `${DB}/sale%3Ar1%3A01ARZ3NDEKTSV4RRFFQ69G5FAV`, 'doc_write', 'write'],
    ['DELETE', `${DB}/product%3A1`, 'doc_write', 'write'],
    ['POST', DB, 'doc_create', 'write'],
    ['POST', `${DB}/_find`, 'find', 'read'],
    ['GET', `${DB}/_design/stock/_view/on_hand`, 'view', 'read'],
    ['GET', `${DB}/_design/stock`, 'ddoc_read', 'read'],
    ['GET', `${DB}/_index`, 'index_list', 'read']
  ])('%s %s → %s (%s)', (method, path, endpoint, need) => {
    const c = classifyDbRequest(method, path, q());
    expect(c).toMatchObject({ ok: true, endpoint, need, db: 't-acme-loc-gm' });
  });

  it.each([
    ['GET', '/'],
    ['GET', '/_all_dbs'],
    ['GET', '/_config'],
    ['GET', '/_users'],
    ['POST', '/_session'],
    ['GET', '/_uuids'],
    ['PUT', DB],
    ['DELETE', DB],
    ['GET', `${DB}/_security`],
    ['PUT', `${DB}/_security`],
    ['PUT', `${DB}/_design/stock`],
    ['DELETE', `${DB}/_design/stock`],
    ['POST', `${DB}/_index`],
    ['POST', `${DB}/_changes`],
    ['POST', `${DB}/_compact`],
    ['POST', `${DB}/_purge`],
    ['GET', `${DB}/_design/stock/_show/x`],
    ['PUT', `${DB}/doc/attachment.png`],
    ['GET', '/t-acme-loc-gm%2F_security'],
    ['GET', '/t-acme-loc-gm/..%2F_all_dbs'],
    ['GET', `${DB}/%2e%2e`],
    ['GET', `${DB}/_design_docs`]
  ])('denies %s %s', (method, path) => {
    expect(classifyDbRequest(method, path, q()).ok).toBe(false);
  });

  it.each(['filter=_selector', 'filter=app/by_type', 'selector=%7B%7D', 'doc_ids=%5B%5D', 'filter=_view&view=a/b'])(
    'denies _changes with %s',
    (query) => {
      const c = classifyDbRequest('GET', `${DB}/_changes`, q(query));
      expect(c).toMatchObject({ ok: false, status: 403 });
    }
  );

  it('re-encodes segments for the upstream path', () => {
    const c = classifyDbRequest('GET', `${DB}/product%3Aabc`, q());
    expect(c).toMatchObject({ ok: true, upstreamPath: '/t-acme-loc-gm/product%3Aabc', docId: 'product:abc' });
  });
});
