import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The e2e suite's timing convention (tests/e2e/support/machine.ts) holds only if every spec goes
 * through support/test.ts: its `test` carries the stress run's CPU throttling and its `machine(ms)`
 * stretches machine-bound limits. A spec importing Playwright directly, or a raw number as a limit,
 * would quietly opt out of both.
 */
const root = path.resolve(import.meta.dirname, '../e2e');
const files = fs
  .readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && f !== path.join('support', 'test.ts') && f !== path.join('support', 'machine.ts'))
  .map((f) => ({ name: f, text: fs.readFileSync(path.join(root, f), 'utf8') }));

describe('e2e conventions', () => {
  it('finds the specs', () => {
    expect(files.filter((f) => f.name.endsWith('.spec.ts')).length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [f.name, f.text]))('%s imports Playwright through support/test.ts', (_name, text) => {
    expect(text).not.toMatch(/from '@playwright\/test'/);
  });

  it.each(files.map((f) => [f.name, f.text]))('%s gives machine-bound limits as machine(ms)', (_name, text) => {
    expect(text.match(/(timeout:|setTimeout\()\s*\d[\d_]*/g) ?? []).toEqual([]);
  });
});
