import { describe, expect, it } from 'vitest';
import { designDocsFor } from '../../couch-design-docs/index.ts';
import { backupArgs, parseCli, restoreArgs, UsageError } from './cli-args.ts';
import { Batcher, DumpTally, emailClaimIds, isTenantDbName, isTenantPlatformDoc, manifestSchema, parseRevisionLine, restoreOrder, tenantDatabases, type Manifest } from './format.ts';

const SHA = 'a'.repeat(64);
const db = (name: string) => ({ name, file: `${name}.ndjson.gz`, bytes: 10, sha256: SHA, lines: 1, docs: 1, deleted: 0, conflicts: 0, attachments: 0 });
const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  format: 'pos-tenant-backup',
  formatVersion: 1,
  tool: { name: 'pos-platform', version: '0.1.0' },
  tenantId: 'acme',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  databases: [db('t-acme-catalog'), db('t-acme-loc-gm')],
  platform: { file: 'platform.ndjson.gz', bytes: 10, sha256: SHA, lines: 2, docs: 2, types: { tenant: 1, user: 1 } },
  ...over
});

describe('the manifest', () => {
  it('accepts what backup writes', () => {
    expect(manifestSchema.parse(manifest())).toEqual(manifest());
  });

  it.each([
    ['another format version', { formatVersion: 2 }, 'must be 1 (this release reads version 1 only)'],
    ['a database of another tenant', { databases: [db('t-other-catalog')] }, 'is not a database of tenant acme'],
    ['a file outside the directory', { databases: [{ ...db('t-acme-catalog'), file: '../t-acme-catalog.ndjson.gz' }] }, 'must be a file name'],
    ['a file not named after its database', { databases: [{ ...db('t-acme-catalog'), file: 't-acme-audit.ndjson.gz' }] }, 'must be t-acme-catalog.ndjson.gz'],
    ['a database twice', { databases: [db('t-acme-catalog'), db('t-acme-catalog')] }, 'is listed twice'],
    ['no database', { databases: [] }, 'at least its catalog'],
    ['a bad checksum', { platform: { ...manifest().platform, sha256: 'abc' } }, 'must be a sha256 in hex'],
    ['an odd tenant id', { tenantId: 'Acme' }, 'must be a tenant id']
  ])('refuses %s', (_name, over, message) => {
    const r = manifestSchema.safeParse({ ...manifest(), ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).join('; ')).toContain(message);
  });
});

describe('which databases are the tenant’s', () => {
  it('the required ones (catalog, customers, audit, one per location) and any other t-{tenant}- database, in restore order', () => {
    const existing = ['platform', 't-acme-catalog', 't-acme-customers', 't-acme-audit', 't-acme-loc-gm', 't-acme-media', 't-acmex-catalog', 't-acme-loc-hm', '_users'];
    expect(tenantDatabases('acme', ['GM', 'HM'], existing)).toEqual({
      names: ['t-acme-catalog', 't-acme-customers', 't-acme-audit', 't-acme-media', 't-acme-loc-gm', 't-acme-loc-hm'],
      missing: []
    });
  });

  it('names a required database that is missing', () => {
    expect(tenantDatabases('acme', ['GM', 'HM'], ['t-acme-catalog', 't-acme-customers', 't-acme-audit', 't-acme-loc-gm']).missing).toEqual(['t-acme-loc-hm']);
  });

  it('a tenant id is never a prefix of another’s', () => {
    expect(isTenantDbName('t-acmex-catalog', 'acme')).toBe(false);
    expect(isTenantDbName('t-acme-catalog', 'acme')).toBe(true);
    expect(isTenantDbName('t-acme-', 'acme')).toBe(false);
  });

  it('restores outputs before inputs: catalog, customers, audit, others, locations', () => {
    expect(restoreOrder(['t-a1x-loc-bb', 't-a1x-loc-aa', 't-a1x-media', 't-a1x-audit', 't-a1x-customers', 't-a1x-catalog'])).toEqual([
      't-a1x-catalog',
      't-a1x-customers',
      't-a1x-audit',
      't-a1x-media',
      't-a1x-loc-aa',
      't-a1x-loc-bb'
    ]);
  });
});

describe('the tenant’s platform documents', () => {
  it('everything carrying its tenant id except sessions', () => {
    expect(isTenantPlatformDoc({ _id: 'tenant:acme', type: 'tenant', tenantId: 'acme' }, 'acme')).toBe(true);
    expect(isTenantPlatformDoc({ _id: 'device:x', type: 'device', tenantId: 'acme' }, 'acme')).toBe(true);
    expect(isTenantPlatformDoc({ _id: 'regcode:acme:GM1', type: 'register_code', tenantId: 'acme' }, 'acme')).toBe(true);
    expect(isTenantPlatformDoc({ _id: 'refresh:abc', type: 'refresh_token', tenantId: 'acme' }, 'acme')).toBe(false);
    expect(isTenantPlatformDoc({ _id: 'user:1', type: 'user', tenantId: 'other' }, 'acme')).toBe(false);
    expect(isTenantPlatformDoc({ _id: '_design/x', tenantId: 'acme' }, 'acme')).toBe(false);
  });

  it('are found with the tenant_docs/by_tenant view: every document carrying a tenant id', () => {
    const src = designDocsFor('platform').find((d) => d._id === '_design/tenant_docs')?.views?.by_tenant?.map;
    const emitted: unknown[] = [];
    const map = new Function('emit', `return (${src});`)((k: unknown) => emitted.push(k)) as (d: object) => void;
    for (const d of [{ type: 'user', tenantId: 'acme' }, { type: 'email_claim', userId: 'user:1' }, { type: 'delivery', tenantId: 'acme' }]) map(d);
    expect(emitted).toEqual(['acme', 'acme']);
  });

  it('the email claims of its users', () => {
    expect(emailClaimIds([{ type: 'user', email: ' Ann@Shop.test ' }, { type: 'device', email: 'x@y.z' }, { type: 'user' }])).toEqual(['email:ann@shop.test']);
  });
});

describe('DumpTally', () => {
  it('counts documents, deletions and extra leaves by the latest feed row of each document', () => {
    const t = new DumpTally();
    t.leaves('a', { live: 1, deleted: 0 });
    t.leaves('b', { live: 2, deleted: 1 }); // a conflict, and a deleted branch
    t.leaves('c', { live: 0, deleted: 1 });
    t.leaves('a', { live: 1, deleted: 0 }); // changed during the backup: listed again, counted once
    for (const doc of [{}, { _attachments: { original: {}, thumb: {} } }]) t.line(doc);
    expect(t.totals()).toEqual({ docs: 2, deleted: 1, conflicts: 1 });
    expect([t.lines, t.attachments]).toEqual([2, 2]);
  });
});

describe('Batcher', () => {
  it('cuts by count and by size; a document larger than the limit goes alone', () => {
    const b = new Batcher(3, 100);
    const full: string[][] = [];
    for (const s of ['a', 'b', 'c', 'd', 'x'.repeat(150), 'e']) {
      const out = b.add(s);
      if (out) full.push(out);
    }
    full.push(b.flush());
    expect(full).toEqual([['a', 'b', 'c'], ['d'], ['x'.repeat(150)], ['e']]);
    expect(b.flush()).toEqual([]);
  });
});

describe('parseRevisionLine', () => {
  it('takes a revision with its id and rev; refuses anything else', () => {
    expect(parseRevisionLine('{"_id":"sale:x","_rev":"2-abc","_revisions":{"start":2,"ids":["abc","def"]}}')).toMatchObject({ ok: true, doc: { _id: 'sale:x' } });
    expect(parseRevisionLine('{"_id":"sale:x"')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseRevisionLine('[1]')).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(parseRevisionLine('{"_id":"sale:x"}')).toEqual({ ok: false, reason: 'sale:x: no valid _rev' });
    expect(parseRevisionLine('{"_id":"_local/cp","_rev":"0-1"}')).toMatchObject({ ok: false, reason: expect.stringContaining('_local documents are never restored') });
  });
});

describe('command-line arguments', () => {
  it('backup: tenant and out (resolved against where npm ran)', () => {
    expect(parseCli(backupArgs, ['--tenant', 'acme', '--out', 'bk'], '/srv')).toEqual({ tenant: 'acme', out: '/srv/bk' });
  });

  it('restore: --into-existing and its alias --force are flags', () => {
    expect(parseCli(restoreArgs, ['--tenant', 'acme', '--from', '/b', '--force'], '/srv')).toEqual({ tenant: 'acme', from: '/b', 'into-existing': false, force: true });
  });

  it.each([
    [['--tenant', 'acme'], '--out is required'],
    [['--tenant', 'ACME', '--out', 'x'], '--tenant must be a tenant id'],
    [['--tenant', 'acme', '--out', 'x', '--verbose'], "Unknown option '--verbose'"],
    [['--tenant', 'acme', '--out', 'x', 'extra'], 'positional argument']
  ])('refuses %j in one line', (argv, message) => {
    expect(() => parseCli(backupArgs, argv)).toThrow(UsageError);
    expect(() => parseCli(backupArgs, argv)).toThrow(message);
  });
});
