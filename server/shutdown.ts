/**
 * Graceful shutdown with a deadline per step. A deploy's SIGTERM (or a test's stop) must end: a step
 * that waits on something that never comes (a socket, a child, a feed) is logged by name and the
 * shutdown moves on, instead of hanging the process until an orchestrator kills it.
 */
export interface ShutdownStep {
  name: string;
  /** how long this step may take before the shutdown moves on without it */
  deadlineMs: number;
  run(): Promise<void> | void;
}

export interface ShutdownReport {
  ms: number;
  steps: { name: string; ms: number; outcome: 'done' | 'timed out' | 'failed'; error?: string }[];
}

export async function runShutdown(steps: ShutdownStep[], now: () => number = Date.now): Promise<ShutdownReport> {
  const started = now();
  const report: ShutdownReport = { ms: 0, steps: [] };
  for (const step of steps) {
    const t0 = now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), step.deadlineMs);
    });
    let outcome: 'done' | 'timed out' | 'failed';
    let error: string | undefined;
    try {
      outcome = await Promise.race([Promise.resolve().then(() => step.run()).then(() => 'done' as const), deadline]);
    } catch (err) {
      outcome = 'failed';
      error = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
    }
    report.steps.push({ name: step.name, ms: now() - t0, outcome, ...(error !== undefined ? { error } : {}) });
  }
  report.ms = now() - started;
  return report;
}
