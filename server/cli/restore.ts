/**
 * npm run restore -- --tenant ID --from DIR [--into-existing]
 * Restores a tenant backup made by `npm run backup`: checks the manifest and every file's sha256, then
 * writes each database back with its revisions (creating missing ones, admin-only, with this
 * release's design documents) and the tenant's platform documents. Refuses a database that has
 * documents unless --into-existing (alias --force) is given. docs/OPERATIONS.md "Backups and restore".
 */
import { ZodError } from 'zod';
import { describeIssues } from '#domain/schemas/index.ts';
import { parseCli, restoreArgs, UsageError } from '../backup/cli-args.ts';
import { restoreTenant } from '../backup/tenant.ts';
import { connectCliStore, type CliStore } from './connect.ts';

const USAGE = 'usage: npm run restore -- --tenant ID --from DIR [--into-existing]';

let store: CliStore | null = null;
try {
  const args = parseCli(restoreArgs, process.argv.slice(2));
  store = await connectCliStore();
  const t0 = Date.now();
  const intoExisting = args['into-existing'] || args.force;
  console.log(`restoring tenant ${args.tenant} from ${args.from} into ${store.where}${intoExisting ? ' (into existing databases)' : ''}`);
  const report = await restoreTenant(store.couch, args.tenant, args.from, { intoExisting }, (d) =>
    console.log(`  ${d.name.padEnd(32)} ${d.before === null ? 'created' : `had ${d.before}`.padEnd(7)} ${String(d.lines).padStart(8)} revisions ${String(d.ms).padStart(6)} ms`)
  );
  const p = report.platform;
  console.log(`  platform: ${p.written} documents written, ${p.present} already there${p.kept.length ? `, ${p.kept.length} kept as the deployment has them (${p.kept.slice(0, 5).join(', ')}${p.kept.length > 5 ? ', …' : ''})` : ''}`);
  console.log(`done: ${report.databases.length} databases from the backup of ${report.manifest.startedAt} in ${Date.now() - t0} ms; restart the server copies so in-memory caches are rebuilt`);
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`restore: ${err.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`restore failed: ${err instanceof ZodError ? describeIssues(err) : (err as Error).message}`);
    process.exitCode = 1;
  }
} finally {
  await store?.close();
}
