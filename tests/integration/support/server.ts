import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../server/config.ts';
import { createLogger } from '../../../server/log.ts';
import { startServer, type RunningServer, type StartOptions } from '../../../server/start.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** fetch against the server with an optional bearer token */
  call(method: string, urlPath: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/**
 * `COUCH_URL=… COUCH_USER=… COUCH_PASSWORD=… npm run test:integration` runs the suite against that
 * CouchDB instead of the embedded store. Each test server then gets its own database prefix, derived
 * from its data directory (so a restart on the same directory finds its databases again), and test
 * servers in parallel never see each other's tenants.
 */
export const ON_COUCHDB = !!process.env.COUCH_URL;
export const STORE = ON_COUCHDB ? `CouchDB at ${process.env.COUCH_URL}` : 'the embedded store';

/**
 * For `expect.poll` on a view or list read of something written in the background (a worker's output)
 * or by compare-and-swap (cas.ts writes at quorum): a CouchDB cluster answers a view from one copy of
 * each shard, which may not have that write yet. A request's own writes need no wait: they are written
 * to every copy (`w` = n, read-your-writes.test.ts). Several older tests still poll after a request's
 * write; that is harmless. The embedded store answers the first poll.
 */
export const VIEW_SETTLES = { timeout: 30_000, interval: 100 };

/** The env a server (in-process or a child process) needs to use the suite's store for `dataDir`. */
export function couchEnv(dataDir: string): Record<string, string> {
  if (!ON_COUCHDB) return {};
  const prefix = 'it' + createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 10) + '_';
  return { COUCH_URL: process.env.COUCH_URL!, COUCH_USER: process.env.COUCH_USER ?? '', COUCH_PASSWORD: process.env.COUCH_PASSWORD ?? '', COUCH_DB_PREFIX: prefix };
}

/**
 * For tests of the embedded store itself (crashing it, its measured defects): skipped on CouchDB,
 * with the reason printed once per file.
 */
export function embeddedOnly(what: string): boolean {
  if (ON_COUCHDB) console.warn(`skipped on CouchDB (needs the embedded store): ${what}`);
  return ON_COUCHDB;
}

/** Deletes a test server's prefixed databases on a shared CouchDB. */
async function dropDatabases(s: RunningServer): Promise<void> {
  if (!s.couch.prefix) return;
  for (const name of await s.couch.listDbs()) await s.couch.server.db.destroy(s.couch.physical(name)).catch(() => {});
}

/** The real server (in-process) with its real store on free ports: the embedded one (a child process), or the suite's CouchDB. */
export async function startTestServer(env: Record<string, string> = {}, dataDir?: string, opts: StartOptions = {}): Promise<TestServer> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pos-it-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, SEED_DEMO: '0', SKIP_WEB: '1', LOG_LEVEL: 'silent', ...couchEnv(dir), ...env });
  const running = await startServer(config, createLogger(config.LOG_LEVEL), opts);
  return {
    ...running,
    dataDir: dir,
    call(method, urlPath, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.body);
      }
      return fetch(running.url + urlPath, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
    async stop(opts = {}) {
      const report = await running.close();
      // the server's log is silent in tests: a slow or stuck shutdown step is named on stderr instead
      if (report.steps.some((s) => s.outcome !== 'done' || s.ms > 2_000)) console.error('test server shutdown:', JSON.stringify(report));
      if (!opts.keepData) {
        await dropDatabases(running);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  };
}

export async function login(s: TestServer, email: string, password: string): Promise<string> {
  const res = await s.call('POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export async function enrol(s: TestServer, adminToken: string, kind: 'register' | 'rfid_phone', locationCode: string, name = 'Test device') {
  const codeRes = await s.call('POST', '/api/v1/devices/enrolment-codes', { token: adminToken, body: { kind, locationCode, name } });
  if (codeRes.status !== 201) throw new Error(`enrolment code failed: ${codeRes.status} ${await codeRes.text()}`);
  const { code } = (await codeRes.json()) as { code: string };
  const res = await s.call('POST', '/api/v1/devices/enrol', { body: { code } });
  if (res.status !== 201) throw new Error(`enrol failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { deviceToken: string; device: { id: string; locationCode: string }; databases: Record<string, string> };
}
