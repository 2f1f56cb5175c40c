import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import PouchDB from 'pouchdb-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDb, customersDb, locationDb } from '#domain/db-names.ts';
import { newUlid } from '#domain/ids.ts';
import { customerSchema } from '#domain/schemas/index.ts';
import { manifestSchema, type Manifest } from '../../server/backup/format.ts';
import { createTenant } from '../../server/tenants/provision.ts';
import { couchEnv, enrol, login, startTestServer, VIEW_SETTLES, type TestServer } from './support/server.ts';
import { ledgerWritten, ledgerWrittenUntil } from './support/ledger.ts';
import { localDb, remoteDb } from './support/pouch.ts';
import { makeProduct, makeSale } from '../support/fixtures.ts';

/**
 * The restore drill (docs/OPERATIONS.md "Backups and restore"): a tenant with two stores, a register
 * with sales (a customer paying partly with store credit, earning points), the ledger worker run; a
 * backup with the CLI while the server runs; every tenant database deleted; the register sells twice
 * more offline; a restore with the CLI. Then the sales and the ledger balances are what they were,
 * the register resumes syncing and sends exactly its two new sales (its checkpoint on the server is
 * gone, so it starts over and `_revs_diff` finds everything else already there, at the same
 * revisions), and the ledger worker, its checkpoints gone too, writes only the new sales' entries.
 * A sale the other store's register synced after the backup (lost with the databases) comes back
 * from that register the same way.
 * Workers are off (run by hand) so every count is exact.
 */
const run = promisify(execFile);
const PW = 'correct-horse-battery';
const CUSTOMER = 'customer:ann';
const POINTS_PER_UNIT = 2;
// a 1×1 PNG: the media database's attachment must survive
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let s: TestServer;
let t = '';
let owner = '';
let gm: Awaited<ReturnType<typeof enrol>>;
let hm: Awaited<ReturnType<typeof enrol>>;
let till: PouchDB.Database;
let hmTill: PouchDB.Database;
let imageId = '';
/** catalog documents with a history, a conflict (two leaves) and a deletion: every revision must come back */
const edited = makeProduct();
const conflicted = makeProduct();
const removed = makeProduct();
let editedRev = '';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-backup-'));
const backupDir = path.join(work, 'drill');

/** Runs a CLI as an operator would, against the test server's store (the running embedded one, or the suite's CouchDB). */
async function cli(script: 'backup' | 'restore', args: string[], dataDir = s.dataDir): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  try {
    const r = await run(process.execPath, ['--import', 'tsx', `server/cli/${script}.ts`, ...args], {
      env: { ...process.env, ...couchEnv(dataDir), DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 120_000
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '', ms: Date.now() - t0 };
  }
}

const creditSale = (credit: number) =>
  makeSale('GM', gm.device.id, {
    customerId: CUSTOMER,
    lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 1, unitPrice: 1200, discount: 0, tax: 107, total: 1307 }],
    subtotal: 1200,
    taxTotal: 107,
    total: 1307,
    tenders: [
      { kind: 'store_credit', amount: credit, reference: CUSTOMER },
      { kind: 'cash', amount: 1307 - credit }
    ]
  });

async function salesAt(srv: TestServer, code: string): Promise<{ id: string; rev: string; conflicts: number }[]> {
  const res = (await srv.couch.use(locationDb(t, code)).list({ startkey: 'sale:', endkey: 'sale:\ufff0', include_docs: true, conflicts: true } as never)) as unknown as {
    rows: { id: string; value: { rev: string }; doc: { _conflicts?: string[] } }[];
  };
  return res.rows.map((r) => ({ id: r.id, rev: r.value.rev, conflicts: r.doc._conflicts?.length ?? 0 }));
}

async function balance(srv: TestServer, account: 'loyalty' | 'store_credit'): Promise<number> {
  const res = await srv.couch.use(customersDb(t)).view('ledger', 'balance', { group: true, key: [account, CUSTOMER] });
  return (res.rows[0]?.value as number | undefined) ?? 0;
}

async function ledgerIds(srv: TestServer): Promise<string[]> {
  const res = await srv.couch.use(customersDb(t)).list({ startkey: 'ledger:', endkey: 'ledger:\ufff0' });
  return res.rows.map((r) => r.id);
}

/** What the drill compares: sales per store, the customer's balances, the ledger entries. */
async function books(srv: TestServer) {
  return {
    GM: (await salesAt(srv, 'GM')).length,
    HM: (await salesAt(srv, 'HM')).length,
    storeCredit: await balance(srv, 'store_credit'),
    loyalty: await balance(srv, 'loyalty'),
    entries: (await ledgerIds(srv)).length
  };
}

const written = () => ledgerWritten(s.couch, t);
const writtenUntil = (n: number) => ledgerWrittenUntil(s.couch, t, n);

/** The register's remote, recording every document it sends in `_bulk_docs` as `id rev`. */
function spiedRemote(dbName: string, token: string, sent: string[]): PouchDB.Database {
  return new PouchDB(`${s.url}/db/${dbName}`, {
    skip_setup: true,
    fetch: (url: string | Request, opts?: RequestInit) => {
      const headers = new Headers(opts?.headers);
      headers.set('Authorization', `Bearer ${token}`);
      if (String(url).includes('/_bulk_docs') && typeof opts?.body === 'string') {
        for (const d of (JSON.parse(opts.body) as { docs: { _id: string; _rev: string }[] }).docs) sent.push(`${d._id} ${d._rev}`);
      }
      return PouchDB.fetch(url, { ...opts, headers });
    }
  } as PouchDB.Configuration.RemoteDatabaseConfiguration);
}

const dirBytes = (dir: string) => fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);

let before: Awaited<ReturnType<typeof books>>;
let oldSales: { id: string; rev: string }[] = [];
let offline: ReturnType<typeof creditSale>[] = [];
let lost: ReturnType<typeof makeSale>;

beforeAll(async () => {
  s = await startTestServer({ SALE_LEDGER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', CONFLICT_WORKER_INTERVAL_S: '0' });
  t = (await createTenant({ couch: s.couch }, { name: 'Drill Co', adminEmail: 'o@drill.test', adminPassword: PW, locations: [{ code: 'GM' }, { code: 'HM' }] })).tenantId;
  owner = await login(s, 'o@drill.test', PW);
  gm = await enrol(s, owner, 'register', 'GM', 'Till 1');
  hm = await enrol(s, owner, 'register', 'HM', 'HM till');
  const catalog = s.couch.use(catalogDb(t));
  const settings = await catalog.get('settings:tenant');
  await catalog.insert({ ...settings, loyaltyPointsPerUnit: POINTS_PER_UNIT });
  const now = new Date().toISOString();
  await s.couch.use(customersDb(t)).insert(customerSchema.parse({ _id: CUSTOMER, type: 'customer', firstName: 'Ann', lastName: 'Lee', updatedAt: now, updatedBy: 'user:owner' }));
  // 20.00 of store credit, given by the owner in the admin portal
  const opening = { _id: `ledger:adj:${newUlid()}`, type: 'ledger_entry', account: 'store_credit', holder: CUSTOMER, amount: 2000, reason: 'goodwill', createdAt: now, createdBy: 'user:owner' };
  expect((await s.call('PUT', `/db/${customersDb(t)}/${encodeURIComponent(opening._id)}`, { token: owner, body: opening })).status).toBe(201);
  const up = await fetch(`${s.url}/api/v1/catalog/images`, { method: 'POST', headers: { authorization: `Bearer ${owner}`, 'content-type': 'image/png' }, body: new Uint8Array(PNG) });
  expect(up.status).toBe(201);
  imageId = ((await up.json()) as { imageId: string }).imageId;

  const first = await catalog.insert(edited);
  editedRev = (await catalog.insert({ ...edited, _rev: first.rev, name: 'Edited tee' })).rev;
  // two leaves, as two offline edits replicated in would make them
  const leaves = ['a', 'b'].map((c) => ({ ...conflicted, _rev: `1-${c.repeat(32)}`, name: `Tee ${c}` }));
  await s.couch.server.request({ db: s.couch.physical(catalogDb(t)), path: '_bulk_docs', method: 'POST', body: { new_edits: false, docs: leaves } });
  const gone = await catalog.insert(removed);
  await catalog.destroy(removed._id, gone.rev);
});

afterAll(async () => {
  await s?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('backup and restore drill', () => {
  it('a tenant with sales, a customer with store credit and points, the ledger derived', async () => {
    till = localDb('drill-gm');
    await till.bulkDocs([creditSale(600), makeSale('GM', gm.device.id, { customerId: CUSTOMER }), makeSale('GM', gm.device.id)]);
    // the register syncs both ways, as it does all day: checkpoints on both sides
    expect(await till.replicate.to(remoteDb(s.url, gm.databases.location!, gm.deviceToken))).toMatchObject({ docs_written: 3, doc_write_failures: 0 });
    await till.replicate.from(remoteDb(s.url, gm.databases.location!, gm.deviceToken));
    hmTill = localDb('drill-hm');
    await hmTill.put(makeSale('HM', hm.device.id, { customerId: CUSTOMER }));
    expect(await hmTill.replicate.to(remoteDb(s.url, hm.databases.location!, hm.deviceToken))).toMatchObject({ docs_written: 1 });

    // credit sale: points + store credit; customer cash sale: points; HM customer sale: points
    expect(await writtenUntil(4)).toBe(4);
    await expect.poll(() => books(s), VIEW_SETTLES).toEqual({ GM: 3, HM: 1, storeCredit: 1400, loyalty: (13 + 10 + 10) * POINTS_PER_UNIT, entries: 5 });
    before = await books(s);
    oldSales = await salesAt(s, 'GM');
  });

  it('backs up online with the CLI: every database, the platform documents, a manifest', { timeout: 180_000 }, async () => {
    const r = await cli('backup', ['--tenant', t, '--out', backupDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done: 6 databases/m);
    const manifest: Manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8')));
    expect(manifest.tenantId).toBe(t);
    expect(manifest.databases.map((d) => d.name)).toEqual([catalogDb(t), customersDb(t), `t-${t}-audit`, `t-${t}-media`, locationDb(t, 'GM'), locationDb(t, 'HM')]);
    const gmEntry = manifest.databases.find((d) => d.name === locationDb(t, 'GM'))!;
    expect(gmEntry).toMatchObject({ docs: 3, deleted: 0, conflicts: 0 });
    expect(manifest.databases[0]).toMatchObject({ deleted: 1, conflicts: 1 });
    expect(manifest.databases.find((d) => d.name === `t-${t}-media`)).toMatchObject({ docs: 1, attachments: 1 });
    expect(manifest.platform.types).toMatchObject({ tenant: 1, user: 1, email_claim: 1, device: 2 });
    expect(manifest.platform.types.refresh_token).toBeUndefined();
    console.log(`drill backup: ${manifest.databases.reduce((a, d) => a + d.lines, 0)} revisions, ${dirBytes(backupDir)} bytes on disk, CLI ${r.ms} ms`);
  });

  it('the HM register syncs one more sale after the backup; then every tenant database is deleted; the GM register sells twice more, offline', async () => {
    lost = makeSale('HM', hm.device.id, { customerId: CUSTOMER });
    await hmTill.put(lost);
    expect(await hmTill.replicate.to(remoteDb(s.url, hm.databases.location!, hm.deviceToken))).toMatchObject({ docs_written: 1 });
    expect(await writtenUntil(1)).toBe(1);
    for (const name of await s.couch.listDbs()) if (name.startsWith(`t-${t}-`)) await s.couch.server.db.destroy(s.couch.physical(name));
    // the embedded store's database list catches up with a deletion a moment later (measured under load)
    await expect.poll(async () => (await s.couch.listDbs()).filter((n) => n.startsWith(`t-${t}-`)), VIEW_SETTLES).toEqual([]);
    offline = [creditSale(300), makeSale('GM', gm.device.id)];
    await till.bulkDocs(offline);
  });

  it('restores with the CLI: sales, balances and entries as they were; the worker re-reads and writes nothing', { timeout: 180_000 }, async () => {
    const r = await cli('restore', ['--tenant', t, '--from', backupDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${locationDb(t, 'GM')}`);
    expect(r.stdout).toMatch(/^done: 6 databases/m);
    console.log(`drill restore: CLI ${r.ms} ms`);

    await expect.poll(() => books(s), VIEW_SETTLES).toEqual(before);
    // the same documents at the same revisions, no conflict
    expect(await salesAt(s, 'GM')).toEqual(oldSales);
    // the worker's checkpoints were in the deleted customers database: it starts over, and writes nothing twice
    expect(await written()).toBe(0);
    expect(await books(s)).toEqual(before);
    const img = await s.call('GET', `/api/v1/catalog/images/${encodeURIComponent(imageId)}`, { token: owner });
    expect(img.status).toBe(200);
    expect(Buffer.from(await img.arrayBuffer()).equals(PNG)).toBe(true);
    // history, conflict and deletion as they were
    const catalog = s.couch.use(catalogDb(t));
    const e = (await catalog.get(edited._id, { revs: true })) as unknown as { _rev: string; _revisions: { ids: string[] } };
    expect([e._rev, e._revisions.ids.length]).toEqual([editedRev, 2]);
    expect(((await catalog.get(conflicted._id, { conflicts: true })) as unknown as { _conflicts: string[] })._conflicts).toHaveLength(1);
    await expect(catalog.get(removed._id)).rejects.toMatchObject({ statusCode: 404 });
    const tombstone = (await s.couch.server.request({ db: s.couch.physical(catalogDb(t)), doc: removed._id, qs: { open_revs: 'all' } })) as { ok: { _deleted?: boolean; _rev: string } }[];
    expect(tombstone.map((r) => [r.ok._rev.split('-')[0], r.ok._deleted])).toEqual([['2', true]]);
    // restored databases are admin-only, as provisioned ones are
    const security = (await s.couch.server.request({ db: s.couch.physical(locationDb(t, 'GM')), path: '_security' })) as { members?: { roles?: string[] } };
    expect(security.members?.roles).toEqual(['_admin']);
  });

  it('the register resumes syncing: it sends exactly its two new sales, nothing again, no duplicate, no conflict', async () => {
    const sent: string[] = [];
    const push = await till.replicate.to(spiedRemote(gm.databases.location!, gm.deviceToken, sent));
    expect(push).toMatchObject({ docs_written: 2, doc_write_failures: 0 });
    const local = await Promise.all(offline.map(async (d) => `${d._id} ${(await till.get(d._id))._rev}`));
    expect(sent.sort()).toEqual(local.sort());
    const pull = await till.replicate.from(remoteDb(s.url, gm.databases.location!, gm.deviceToken));
    expect(pull).toMatchObject({ docs_written: 0, doc_write_failures: 0 });

    await expect.poll(async () => (await salesAt(s, 'GM')).length, VIEW_SETTLES).toBe(before.GM + 2);
    const server = await salesAt(s, 'GM');
    expect(server.filter((x) => x.conflicts > 0)).toEqual([]);
    // the old sales keep their revisions: nothing was re-sent as a new revision
    for (const old of oldSales) expect(server).toContainEqual({ ...old, conflicts: 0 });
    // and the register's copy of every sale is the server's revision
    for (const x of server) expect((await till.get(x.id))._rev).toBe(x.rev);
  });

  it('the other register sends back the one sale it synced after the backup, and only that', async () => {
    const sent: string[] = [];
    expect(await hmTill.replicate.to(spiedRemote(hm.databases.location!, hm.deviceToken, sent))).toMatchObject({ docs_written: 1, doc_write_failures: 0 });
    expect(sent).toEqual([`${lost._id} ${(await hmTill.get(lost._id))._rev}`]);
    await expect.poll(async () => (await salesAt(s, 'HM')).map((x) => x.conflicts), VIEW_SETTLES).toEqual([0, 0]);
  });

  it('the ledger worker writes only the new sales’ entries; the balances move by exactly them', async () => {
    // the GM credit sale: points and store credit; the HM sale back from its register: points
    expect(await writtenUntil(3)).toBe(3);
    const credit = offline[0]!;
    await expect.poll(async () => (await ledgerIds(s)).filter((id) => id.startsWith(`ledger:${credit._id}`)).sort(), VIEW_SETTLES).toEqual([`ledger:${credit._id}:points`, `ledger:${credit._id}:t0`]);
    await expect.poll(() => books(s), VIEW_SETTLES).toEqual({ GM: before.GM + 2, HM: before.HM + 1, storeCredit: before.storeCredit - 300, loyalty: before.loyalty + (13 + 10) * POINTS_PER_UNIT, entries: before.entries + 3 });
    expect(await written()).toBe(0);
  });
});

describe('restore refuses what it must', () => {
  it('refuses databases that have documents unless --into-existing, which then merges without changing anything', { timeout: 180_000 }, async () => {
    const now = await books(s);
    const r = await cli('restore', ['--tenant', t, '--from', backupDir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^restore failed: refusing to restore over database\(s\) that have documents: t-\S+-catalog \(\d+ documents\)/);
    expect(r.stderr).toContain('--into-existing');

    const merged = await cli('restore', ['--tenant', t, '--from', backupDir, '--into-existing']);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(merged.stdout).toMatch(/platform: 0 documents written/);
    // every revision of the backup was already there: the two sales made since are kept, nothing conflicts
    await expect.poll(() => books(s), VIEW_SETTLES).toEqual(now);
    expect((await salesAt(s, 'GM')).filter((x) => x.conflicts > 0)).toEqual([]);
    expect(await written()).toBe(0);
  });

  it('rejects a bad manifest, a changed file, another tenant’s backup and bad arguments, each in one line, before writing anything', { timeout: 180_000 }, async () => {
    const copy = (name: string) => {
      const dir = path.join(work, name);
      fs.cpSync(backupDir, dir, { recursive: true });
      return dir;
    };
    const target = ['--tenant', t, '--into-existing', '--from'];

    const badVersion = copy('bad-version');
    const m = JSON.parse(fs.readFileSync(path.join(badVersion, 'manifest.json'), 'utf8'));
    fs.writeFileSync(path.join(badVersion, 'manifest.json'), JSON.stringify({ ...m, formatVersion: 2, databases: [{ ...m.databases[0], file: '../../etc/passwd' }] }));
    let r = await cli('restore', [...target, badVersion]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^restore failed: manifest\.json is not a valid tenant backup manifest: formatVersion: must be 1.*databases\.0\.file: must be a file name/);

    const notJson = copy('not-json');
    fs.writeFileSync(path.join(notJson, 'manifest.json'), '{"format": "pos-tenant-backup",');
    r = await cli('restore', [...target, notJson]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('restore failed: manifest.json is not valid JSON');

    const changed = copy('changed');
    fs.appendFileSync(path.join(changed, `${locationDb(t, 'GM')}.ndjson.gz`), 'x');
    r = await cli('restore', [...target, changed]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restore failed: \S+t-\S+-loc-gm\.ndjson\.gz has \d+ bytes, the manifest says \d+/);

    const unfinished = copy('unfinished');
    fs.rmSync(path.join(unfinished, 'manifest.json'));
    r = await cli('restore', [...target, unfinished]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/manifest\.json not found: not a backup directory, or the backup did not finish/);

    r = await cli('restore', ['--tenant', 'someoneelse', '--from', backupDir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`restore failed: this backup is of tenant ${t}, not someoneelse`);

    r = await cli('restore', ['--tenant', t]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^restore: --from is required\nusage: npm run restore -- --tenant ID --from DIR/);
    r = await cli('backup', ['--tenant', 'Bad-Id!', '--out', path.join(work, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backup: --tenant must be a tenant id/);
    r = await cli('backup', ['--tenant', t, '--out', backupDir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`backup failed: ${backupDir} is not empty; give a new or empty directory`);
    // and nothing changed
    expect(await written()).toBe(0);
  });
});

describe('restore onto a new deployment', () => {
  it('brings the whole tenant: its owner signs in, the books are as backed up, the image is there', { timeout: 180_000 }, async () => {
    const fresh = await startTestServer({ SALE_LEDGER_INTERVAL_S: '0', APPROVALS_AUDIT_INTERVAL_S: '0', CONFLICT_WORKER_INTERVAL_S: '0' });
    try {
      const r = await cli('restore', ['--tenant', t, '--from', backupDir], fresh.dataDir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/platform: \d+ documents written, 0 already there/);
      await expect.poll(() => books(fresh), VIEW_SETTLES).toEqual(before);
      const token = await login(fresh, 'o@drill.test', PW);
      const img = await fresh.call('GET', `/api/v1/catalog/images/${encodeURIComponent(imageId)}`, { token });
      expect(Buffer.from(await img.arrayBuffer()).equals(PNG)).toBe(true);
      const devices = await fresh.call('GET', '/api/v1/devices', { token });
      expect(devices.status).toBe(200);
      expect(JSON.stringify(await devices.json())).toContain(gm.device.id);
    } finally {
      await fresh.stop();
    }
  });
});
