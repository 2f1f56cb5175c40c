/**
 * npm run backup -- --tenant ID --out DIR
 * Backs up one tenant while the server runs: its databases (every revision, attachments included)
 * and its platform documents, into DIR (new or empty) with a manifest.json. docs/OPERATIONS.md
 * "Backups and restore". Uses COUCH_URL when set, else the embedded store of DATA_DIR.
 */
import { ZodError } from 'zod';
import { describeIssues } from '#domain/schemas/index.ts';
import { backupArgs, parseCli, UsageError } from '../backup/cli-args.ts';
import { humanBytes } from '../backup/format.ts';
import { backupTenant } from '../backup/tenant.ts';
import { connectCliStore, type CliStore } from './connect.ts';

const USAGE = 'usage: npm run backup -- --tenant ID --out DIR';

let store: CliStore | null = null;
try {
  const args = parseCli(backupArgs, process.argv.slice(2));
  store = await connectCliStore();
  const t0 = Date.now();
  console.log(`backing up tenant ${args.tenant} from ${store.where} to ${args.out}`);
  const manifest = await backupTenant(store.couch, args.tenant, args.out, (p) =>
    console.log(`  ${p.db.padEnd(32)} ${String(p.docs).padStart(8)} docs ${humanBytes(p.bytes).padStart(10)} ${String(p.ms).padStart(6)} ms`)
  );
  const bytes = manifest.databases.reduce((a, d) => a + d.bytes, manifest.platform.bytes);
  const docs = manifest.databases.reduce((a, d) => a + d.docs, 0);
  console.log(`done: ${manifest.databases.length} databases, ${docs} documents, ${manifest.platform.docs} platform documents, ${humanBytes(bytes)} in ${Date.now() - t0} ms (manifest.json)`);
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`backup: ${err.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`backup failed: ${err instanceof ZodError ? describeIssues(err) : (err as Error).message}`);
    process.exitCode = 1;
  }
} finally {
  await store?.close();
}
