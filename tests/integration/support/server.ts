import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../server/config.ts';
import { createLogger } from '../../../server/log.ts';
import { startServer, type RunningServer } from '../../../server/start.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** fetch against the server with an optional bearer token */
  call(method: string, urlPath: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** The real server (in-process) with its real embedded store (child process) on free ports. */
export async function startTestServer(env: Record<string, string> = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pos-it-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, SEED_DEMO: '0', SKIP_WEB: '1', LOG_LEVEL: 'silent', ...env });
  const running = await startServer(config, createLogger(config.LOG_LEVEL));
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
      if (!opts.keepData) fs.rmSync(dir, { recursive: true, force: true });
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
