/**
 * npm run tenant:create -- --name "Acme Retail" --admin-email owner@acme.test [--admin-password ...] [--locations GM,HM]
 * Uses COUCH_URL when set; otherwise the embedded store of DATA_DIR (the running server's, or one it
 * starts for the duration of the command).
 */
import { parseArgs } from 'node:util';
import { connectCliStore, type CliStore } from './connect.ts';
import { createTenant, preparePlatform } from '../tenants/provision.ts';
import { ZodError } from 'zod';
import { describeIssues } from '#domain/schemas/index.ts';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    'admin-email': { type: 'string' },
    'admin-password': { type: 'string' },
    'admin-pin': { type: 'string' },
    plan: { type: 'string' },
    locations: { type: 'string' }
  }
});

if (!values.name || !values['admin-email']) {
  console.error('usage: npm run tenant:create -- --name NAME --admin-email EMAIL [--admin-password PW] [--admin-pin 1234] [--plan starter|pro|enterprise] [--locations GM,HM]');
  process.exit(2);
}

let store: CliStore | null = null;
try {
  store = await connectCliStore();
  const { couch } = store;
  await preparePlatform(couch);
  const out = await createTenant(
    { couch },
    {
      name: values.name,
      adminEmail: values['admin-email'],
      ...(values['admin-password'] ? { adminPassword: values['admin-password'] } : {}),
      ...(values['admin-pin'] ? { adminPin: values['admin-pin'] } : {}),
      ...(values.plan ? { plan: values.plan as 'starter' } : {}),
      ...(values.locations ? { locations: values.locations.split(',').map((code) => ({ code: code.trim() })) } : {})
    }
  );
  console.log(`tenant id: ${out.tenantId}`);
  console.log(`admin:     ${out.adminEmail}`);
  if (out.generatedPassword) console.log(`password:  ${out.generatedPassword}   (shown once; change it after signing in)`);
} catch (err) {
  console.error(`tenant:create failed: ${err instanceof ZodError ? describeIssues(err) : (err as Error).message}`);
  process.exitCode = 1;
} finally {
  await store?.close();
}
