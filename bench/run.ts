/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` runs those whose name contains NAME.
 * Each benchmark measures ours and its baseline in the same run and prints one line per figure:
 *   BENCH {"name":…,"metric":…,"value":…,"baseline":…,"baseline_value":…,"speedup":…}
 * Benchmarks are never part of the test pass/fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark } from './lib.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
let ran = 0;
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default: Benchmark };
  if (!mod.default.name.includes(filter)) continue;
  ran++;
  console.error(`running ${mod.default.name}…`);
  await mod.default.run();
}
if (ran === 0) {
  console.error(`no benchmark matches "${filter}"; available: ${files.map((f) => f.replace('.bench.ts', '')).join(', ')}`);
  process.exit(2);
}
process.exit(0);
