import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { TENANT_ID_PATTERN } from '#domain/db-names.ts';

/** The backup and restore commands' arguments (zod-checked; a bad one is a one-line usage error, exit 2). */
const tenant = z.string({ message: 'is required' }).regex(TENANT_ID_PATTERN, 'must be a tenant id (a lowercase letter, then 2–29 lowercase letters or digits)');
const dir = z.string({ message: 'is required' }).trim().min(1, 'must be a directory');

export const backupArgs = z.object({ tenant, out: dir }).strict();
export const restoreArgs = z.object({ tenant, from: dir, 'into-existing': z.boolean().default(false), force: z.boolean().default(false) }).strict();

export class UsageError extends Error {}

/** Parses argv with parseArgs (unknown options refused) and the schema; paths resolved against where npm was run. */
export function parseCli<S extends typeof backupArgs | typeof restoreArgs>(schema: S, argv: string[], cwd = process.env.INIT_CWD ?? process.cwd()): z.infer<S> {
  const options = Object.fromEntries(Object.entries(schema.shape).map(([k, v]) => [k, { type: v instanceof z.ZodDefault ? ('boolean' as const) : ('string' as const) }]));
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => (i.path.length ? `--${i.path.join('.')} ${i.message}` : i.message)).join('; '));
  const out = parsed.data as Record<string, unknown>;
  for (const k of ['out', 'from']) if (typeof out[k] === 'string') out[k] = path.resolve(cwd, out[k] as string);
  return out as z.infer<S>;
}
