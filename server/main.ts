import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer } from './start.ts';
import { DEMO_PASSWORD } from './demo/seed-demo.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const log = createLogger(config.LOG_LEVEL);

try {
  const running = await startServer(config, log);
  const lines = [`POS Platform listening on ${running.url}`, `  Register: ${running.url}/pos   Admin: ${running.url}/admin   RFID: ${running.url}/raptag`];
  if (running.demo) {
    const what = running.demo.seeded ? 'created' : 'ready';
    lines.push(`  Demo tenant "${running.demo.tenantName}" (${running.demo.tenantId}) ${what}. Logins (password ${DEMO_PASSWORD}):`);
    for (const u of running.demo.users) lines.push(`    ${u.role.padEnd(12)} ${u.email.padEnd(24)} PIN ${u.pin}`);
    if (running.demo.enrolmentCode) lines.push(`  Register enrolment code (GM, 24 h): ${running.demo.enrolmentCode}`);
  }
  console.log(lines.join('\n'));
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1)
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (err) {
  log.fatal({ err }, 'failed to start');
  console.error(`POS Platform failed to start: ${(err as Error).message}`);
  process.exit(1);
}
