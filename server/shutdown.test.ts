import { describe, expect, it } from 'vitest';
import { runShutdown } from './shutdown.ts';

describe('runShutdown', () => {
  it('runs the steps in order and reports each', async () => {
    const order: string[] = [];
    const report = await runShutdown([
      { name: 'a', deadlineMs: 1_000, run: () => void order.push('a') },
      { name: 'b', deadlineMs: 1_000, run: async () => void order.push('b') }
    ]);
    expect(order).toEqual(['a', 'b']);
    expect(report.steps.map((s) => [s.name, s.outcome])).toEqual([['a', 'done'], ['b', 'done']]);
  });

  it('moves on from a step that never ends, and names it', async () => {
    const after: string[] = [];
    const report = await runShutdown([
      { name: 'stuck socket', deadlineMs: 30, run: () => new Promise<void>(() => {}) },
      { name: 'store', deadlineMs: 1_000, run: () => void after.push('store') }
    ]);
    expect(report.steps[0]).toMatchObject({ name: 'stuck socket', outcome: 'timed out' });
    expect(after).toEqual(['store']);
  });

  it('records a failing step and still runs the rest', async () => {
    const report = await runShutdown([
      { name: 'worker', deadlineMs: 1_000, run: () => Promise.reject(new Error('feed gone')) },
      { name: 'store', deadlineMs: 1_000, run: () => undefined }
    ]);
    expect(report.steps).toMatchObject([{ name: 'worker', outcome: 'failed', error: 'feed gone' }, { name: 'store', outcome: 'done' }]);
  });
});
