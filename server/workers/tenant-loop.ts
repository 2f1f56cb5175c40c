import type { Couch } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import { allTenantIds } from './conflicts.ts';

/**
 * The schedule every background worker shares: every `intervalMs`, run `perTenant` for each tenant
 * in turn. A failing tenant is logged and retried next time without stopping the others; a run
 * never overlaps the next (the timer is set when a run ends). `onPass` is told of every run in which
 * each tenant succeeded (the worker-lag metric). Returns a stop function.
 */
export function startTenantLoop(
  couch: Couch,
  log: Logger,
  name: string,
  intervalMs: number,
  perTenant: (tenantId: string) => Promise<void>,
  opts: { firstRunMs?: number; onPass?: (() => void) | undefined } = {}
): () => void {
  const firstRunMs = opts.firstRunMs ?? Math.min(intervalMs, 1_000);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      let failed = false;
      for (const t of await allTenantIds(couch)) {
        if (stopped) return;
        try {
          await perTenant(t);
        } catch (err) {
          failed = true;
          log.error({ err, tenantId: t }, `${name} failed for a tenant; retrying next interval`);
        }
      }
      if (!failed) opts.onPass?.();
    } catch (err) {
      log.error({ err }, `${name} run failed; retrying next interval`);
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs).unref();
    }
  };
  timer = setTimeout(() => void tick(), firstRunMs).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
