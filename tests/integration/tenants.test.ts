import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDb, catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { deployDesignDocs } from '../../server/couch/design-docs.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.stop();
});

describe('createTenant', () => {
  it('creates every database, locked to the service account, with design documents stamped by version', async () => {
    const out = await createTenant({ couch: s.couch }, { name: 'Locked Co', adminEmail: 'o@locked.test', locations: [{ code: 'GM' }, { code: 'HM' }] });
    expect(out.generatedPassword).toMatch(/^\S{12,}$/);
    const t = out.tenantId;
    const names = [catalogDb(t), customersDb(t), auditDb(t), locationDb(t, 'GM'), locationDb(t, 'HM')];
    const all = await s.couch.listDbs();
    for (const n of names) {
      expect(all).toContain(n);
      const sec = (await s.couch.server.request({ db: s.couch.physical(n), path: '_security' })) as { members: { roles: string[] } };
      expect(sec.members.roles).toEqual(['_admin']);
    }
    const ddoc = (await s.couch.use(locationDb(t, 'GM')).get('_design/stock')) as { version?: string; _rev: string };
    expect(ddoc.version).toMatch(/^[0-9a-f]{64}$/);

    // re-deploying changes nothing: same revision, reported unchanged
    const again = await deployDesignDocs(s.couch.use(locationDb(t, 'GM')), 'location');
    expect(again.deployed).toEqual([]);
    expect(again.unchanged).toContain('_design/stock');
    const after = (await s.couch.use(locationDb(t, 'GM')).get('_design/stock')) as { _rev: string };
    expect(after._rev).toBe(ddoc._rev);

    // a changed design doc (e.g. an older deployment) is replaced
    await s.couch.use(locationDb(t, 'GM')).insert({ ...ddoc, version: 'old', views: {} } as never);
    const fixed = await deployDesignDocs(s.couch.use(locationDb(t, 'GM')), 'location');
    expect(fixed.deployed).toContain('_design/stock');
  });

  it('refuses bad input with the field named, and gives a second tenant of the same name its own id', async () => {
    await expect(createTenant({ couch: s.couch }, { name: 'X', adminEmail: 'not-an-email' })).rejects.toThrow(/adminEmail|name/);
    const a = await createTenant({ couch: s.couch }, { name: 'Same Name', adminEmail: 'a@same.test' });
    const b = await createTenant({ couch: s.couch }, { name: 'Same Name', adminEmail: 'b@same.test' });
    expect(a.tenantId).toBe('samename');
    expect(b.tenantId).not.toBe(a.tenantId);
    await expect(createTenant({ couch: s.couch }, { name: 'Third', adminEmail: 'a@same.test' })).rejects.toThrow(/already exists/);
  });
});
