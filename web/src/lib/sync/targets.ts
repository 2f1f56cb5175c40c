import { SYNC_RULES } from '../../../../sync-rules/rules.ts';
import type { DeviceKind } from '../../../../sync-rules/schema.ts';
import type { SyncTarget } from './orchestrator.ts';

/**
 * What this device replicates, from the same sync rules the gateway enforces: the enrolment answer
 * names the databases, the rules give each its direction.
 */
export function targetsFor(kind: DeviceKind, databases: Record<string, string>): SyncTarget[] {
  return (SYNC_RULES.principals[kind] ?? []).flatMap((rule) => {
    const name = databases[rule.db];
    return name ? [{ name, kind: rule.db, direction: rule.direction }] : [];
  });
}
