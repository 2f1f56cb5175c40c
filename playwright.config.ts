import { defineConfig, devices } from '@playwright/test';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TIME_SCALE } from './tests/e2e/support/machine.ts';
import { MailSink } from './tests/support/mail-sink.ts';
import { startFakeStripe } from './tests/support/fake-stripe.ts';
import { startFakeTaxjar } from './tests/support/fake-taxjar.ts';

/**
 * End-to-end tests in Debian's Chromium (Playwright's own browser download cannot work on these
 * machines) against the real server with the embedded store and the demo tenant, on a fresh data dir.
 */
const PORT = Number(process.env.E2E_PORT ?? 4173);

// The runner and every worker process load this file. Only the runner makes the data dir; workers
// inherit it through the environment (else each would leave an empty temp dir behind), and the
// runner removes it when it exits, after the server has been stopped. A dir given in E2E_DATA_DIR
// is the caller's and is kept.
if (!process.env.E2E_DATA_DIR) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-e2e-'));
  process.env.E2E_DATA_DIR = dir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}
const DATA_DIR = process.env.E2E_DATA_DIR;

// Email from the e2e server goes to a real SMTP server on a free port, run by the runner process;
// every message is written to E2E_MAIL_DIR as an .eml file that specs read (tests/e2e/support/mail.ts).
if (!process.env.E2E_SMTP_URL) {
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-e2e-mail-'));
  const sink = new MailSink(mailDir);
  process.env.E2E_SMTP_URL = await sink.start();
  process.env.E2E_MAIL_DIR = mailDir;
  process.on('exit', () => fs.rmSync(mailDir, { recursive: true, force: true }));
}

// Card payments go to the local Stripe server (tests/support/fake-stripe.ts: Stripe's wire format and
// its simulated reader's test helpers), run by the runner process like the mail sink; the server
// reaches it through STRIPE_API_BASE, specs through E2E_STRIPE_URL (stripe-node's host/port options).
if (!process.env.E2E_STRIPE_URL) {
  const stripe = await startFakeStripe();
  process.env.E2E_STRIPE_URL = stripe.url;
}

// The local Shopify (tests/support/fake-shopify.ts) is started by the spec that uses it, in its worker
// process, on a port chosen here so the server can be told SHOPIFY_API_ORIGIN before it starts. The
// runner picks a free port once; workers inherit it through the environment.
if (!process.env.E2E_SHOPIFY_PORT) {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  process.env.E2E_SHOPIFY_PORT = String((probe.address() as net.AddressInfo).port);
  await new Promise<void>((r) => probe.close(() => r()));
}

// TaxJar for the server is a local server speaking its API (tests/support/fake-taxjar.ts), reached
// through the taxjar client's own apiUrl (TAXJAR_API_URL); specs set its rates over E2E_TAXJAR_URL.
if (!process.env.E2E_TAXJAR_URL) {
  const taxjar = await startFakeTaxjar({ control: true });
  process.env.E2E_TAXJAR_URL = taxjar.url;
}

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  // One server and one demo tenant for the whole run, and a per-client rate limit on /api/v1 that
  // every test shares (all come from 127.0.0.1): tests run one at a time, on CI and locally.
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  // Limits for the machine, never latency goals (those are measured in bench/): a test and an
  // expectation wait for state, and these only say when to give up. Both stretch with E2E_TIME_SCALE
  // (tests/e2e/support/machine.ts) so the stress run on a loaded machine keeps the same assertions.
  // A whole journey gets 2 min: a fresh-clone CI under a load average of ~30 ran 20-s journeys past 60 s.
  timeout: 120_000 * TIME_SCALE,
  expect: { timeout: 15_000 * TIME_SCALE },
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure'
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage']
        }
      }
    }
  ],
  webServer: {
    command: 'npx tsx server/main.ts',
    url: `http://127.0.0.1:${PORT}/healthz`,
    // the server runs `vite build` first when build/ is missing (scripts/test.sh builds beforehand)
    timeout: 180_000 * TIME_SCALE,
    reuseExistingServer: false,
    // SIGTERM lets the server stop its embedded store cleanly instead of being SIGKILLed with it
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    stdout: 'ignore',
    stderr: 'pipe',
    // Every test's browser and API calls come from 127.0.0.1: one client to the per-client limit on
    // /api/v1, which admin pages reach quickly across a run. The limit itself is tested in
    // tests/integration/lifecycle.test.ts; here it is raised so it never decides a journey.
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATA_DIR,
      SEED_DEMO: '1',
      // today's demo data only: the e2e tests count sales, shifts and stock from a store with no trade yet
      SEED_HISTORY_DAYS: '0',
      LOG_LEVEL: 'warn',
      API_RATE_LIMIT: '5000',
      SMTP_URL: process.env.E2E_SMTP_URL,
      STRIPE_API_BASE: process.env.E2E_STRIPE_URL,
      TAXJAR_API_URL: process.env.E2E_TAXJAR_URL,
      MAIL_FROM: 'Nexus Clothing <receipts@nexus.demo>',
      PUBLIC_URL: `http://127.0.0.1:${PORT}`,
      SHOPIFY_API_ORIGIN: `http://127.0.0.1:${process.env.E2E_SHOPIFY_PORT}`,
      // a push that failed (the local Shopify not started yet) is tried again soon, not after 30 s
      SHOPIFY_PUSH_RETRY_S: '2'
    }
  }
});
