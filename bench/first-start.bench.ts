/**
 * A newcomer's first start (issue 21: "`npm start` opens on a store with three months of believable
 * trade, in under a minute"): `npm start` on a fresh data directory, as README's quick start runs it
 * (the demo tenant with SEED_HISTORY_DAYS' default of 90 days), then the owner signs in and opens the
 * dashboard (its requests together, as the page sends them) and a 90-day report.
 *
 * - first-start-ready: seconds from `npm start` until /readyz answers (the demo seeded, the views the
 *   first pages read built).
 * - first-start-dashboard: until the dashboard (its figures, chart, top products) has answered, the
 *   page's requests sent together as the page sends them. The goal: 60 s.
 * - first-start-dashboard-page: until all of them (alerts, setup status, locations too) have answered.
 * - first-start-report-90d: until the 90-day sales-by-day report has answered after that.
 * - first-start-cpu: CPU seconds `npm start`'s processes used until the dashboard answered (the
 *   work, whatever else the machine is doing; the times above stretch with the load average).
 * Checked, not timed: the report has a row with sales for at least 85 of the 91 days and the
 * dashboard answers. Needs a web build (`npm run build`), like `npm start` without one would make it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD } from '../server/demo/seed-demo.ts';
import { report, type Benchmark } from './lib.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GOAL_S = 60;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** CPU seconds (user + system) of the live processes of a process group. */
function groupCpuSeconds(pgid: number): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== pgid) continue;
      total += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

export default {
  name: 'first-start',
  async run() {
    if (!fs.existsSync(path.join(ROOT, 'build', 'handler.js'))) throw new Error('first-start needs a web build: npm run build');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-first-start-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    for (const k of ['COUCH_URL', 'COUCH_USER', 'COUCH_PASSWORD', 'SEED_DEMO', 'SEED_HISTORY_DAYS']) delete env[k];
    const t0 = Date.now();
    const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
    const seconds = () => (Date.now() - t0) / 1000;
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
        const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
        if (ok) break;
        if (seconds() > 900) throw new Error('not ready after 15 min');
        await new Promise((r) => setTimeout(r, 200));
      }
      const ready = seconds();
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@nexus.demo', password: DEMO_PASSWORD }) });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const get = async (p: string) => {
        const res = await fetch(base + p, { headers: { authorization: `Bearer ${accessToken}` } });
        if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
        return res.json() as Promise<Record<string, unknown>>;
      };
      // the dashboard page's requests go out together; its figures and chart are the first one's
      let dashboard = 0;
      let cpu = 0;
      const page = ['/api/v1/reports/dashboard', '/api/v1/alerts', '/api/v1/setup/status', '/api/v1/locations'].map(get);
      const figures = (await page[0]!.then((d) => {
        dashboard = seconds();
        cpu = groupCpuSeconds(child.pid!);
        return d;
      })) as { total?: { week?: { transactions?: number } } };
      await Promise.all(page);
      const wholePage = seconds();
      const r90 = (await get(`/api/v1/reports/sales-by-day?from=${day(90)}&to=${day(0)}`)) as { rows: { transactions?: number }[] };
      const report90 = seconds();
      const days = r90.rows.filter((r) => (r.transactions ?? 0) > 0).length;
      if (days < 85) throw new Error(`the 90-day report shows sales on ${days} days; the demo history has them on every day`);
      console.error(`first start: ready ${ready.toFixed(1)} s, dashboard ${dashboard.toFixed(1)} s (goal ${GOAL_S} s; this week ${figures.total?.week?.transactions ?? 0} sales), its alerts and the rest of the page ${wholePage.toFixed(1)} s, 90-day report ${report90.toFixed(1)} s (${days} days with sales), ${cpu.toFixed(1)} CPU s; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
      report({ name: 'first-start-ready', metric: 's', value: ready });
      report({ name: 'first-start-dashboard', metric: 's', value: dashboard });
      report({ name: 'first-start-dashboard-page', metric: 's', value: wholePage });
      report({ name: 'first-start-report-90d', metric: 's', value: report90 });
      report({ name: 'first-start-cpu', metric: 'cpu_s', value: cpu });
    } finally {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 3_000));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // stopped
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
} satisfies Benchmark;
