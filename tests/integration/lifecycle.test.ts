import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogDb, locationDb } from '#domain/db-names.ts';
import { DEMO_PASSWORD } from '../../server/demo/seed-demo.ts';
import { couchEnv, login, ON_COUCHDB, startTestServer, type TestServer } from './support/server.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('server lifecycle', () => {
  it('seeds the demo tenant once, and its data survives a restart', async () => {
    let s: TestServer = await startTestServer({ SEED_DEMO: '1', SEED_HISTORY_DAYS: '0' });
    dirs.push(s.dataDir);
    expect(s.demo).toMatchObject({ seeded: true, enrolmentCode: expect.stringMatching(/^\w{4}-\w{4}$/) });
    const tenantId = s.demo!.tenantId;
    const products = await s.couch.use(catalogDb(tenantId)).list({ startkey: 'product:', endkey: 'product:\ufff0' });
    expect(products.rows.length).toBeGreaterThanOrEqual(500);
    const owner = await login(s, 'owner@nexus.demo', DEMO_PASSWORD);
    const locs = (await (await s.call('GET', '/api/v1/locations', { token: owner })).json()) as { locations: { code: string }[] };
    expect(locs.locations.map((l) => l.code)).toEqual(['GM', 'HM', 'LM']);
    // stock on hand comes from the ledger view: opening movements, summed
    const stock = await s.couch.use(locationDb(tenantId, 'GM')).view('stock', 'on_hand', { group: true, limit: 5 });
    expect(stock.rows.length).toBeGreaterThan(0);
    // the embedded store's service account is generated once and kept
    const credsFile = ON_COUCHDB ? '' : fs.readFileSync(path.join(s.dataDir, 'couch', 'credentials.json'), 'utf8');

    await s.stop({ keepData: true });
    s = await startTestServer({ SEED_DEMO: '1', SEED_HISTORY_DAYS: '0' }, s.dataDir);
    expect(s.demo).toMatchObject({ seeded: false, tenantId }); // not seeded twice, logins still printed
    if (!ON_COUCHDB) expect(fs.readFileSync(path.join(s.dataDir, 'couch', 'credentials.json'), 'utf8')).toBe(credsFile);
    const again = await s.couch.use(catalogDb(tenantId)).list({ startkey: 'product:', endkey: 'product:\ufff0' });
    expect(again.rows.length).toBe(products.rows.length);
    await login(s, 'manager@nexus.demo', DEMO_PASSWORD); // tokens still verify with the kept secret
    await s.stop({ keepData: true });
    // Two starts that seed 520 products: bound by the machine, not by a user-visible goal (a CI run
    // under a load average of ~27 took over 60 s).
  }, 240_000);

  it('rate-limits /api/v1 per client without touching replication', async () => {
    const s = await startTestServer({ API_RATE_LIMIT: '5' });
    dirs.push(s.dataDir);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await s.call('GET', '/api/v1/locations')).status);
      expect(statuses.slice(0, 5).every((x) => x === 401)).toBe(true);
      const limited = await s.call('GET', '/api/v1/locations');
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as { message: string }).message).toContain('5 per minute');
      for (let i = 0; i < 10; i++) expect((await s.call('GET', '/db/t-x-catalog')).status).toBe(401);
    } finally {
      await s.stop({ keepData: true });
    }
  });

  it('a bad configuration value stops the process with one line naming the variable', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-cfg-'));
    dirs.push(dir);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: 'eighty', DATA_DIR: dir },
      encoding: 'utf8',
      timeout: 30_000
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^Invalid configuration: PORT /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('tenant:create CLI', () => {
  it('creates a tenant and prints its id and the generated password', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-cli-'));
    dirs.push(dir);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/tenant-create.ts', '--name', 'Corner Shop', '--admin-email', 'me@corner.test', '--locations', 'GM,HM'], {
      env: { ...process.env, ...couchEnv(dir), DATA_DIR: dir, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/tenant id: cornershop/);
    expect(r.stdout).toMatch(/password: {2}\S{12,}/);
  });
});
