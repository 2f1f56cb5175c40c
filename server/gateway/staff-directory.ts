import type { Role } from '#domain/permissions.ts';
import type { Couch } from '../couch/client.ts';
import { listStaff } from '../tenants/provision.ts';

/** What the gateway needs to know about a staff member to judge an approval they gave. */
export interface StaffMember {
  /** `staff:{id}` in the catalog */
  id: string;
  /** `user:{id}` in the platform database */
  userId: string;
  name: string;
  role: Role;
  /** location codes, or "*" */
  locations: string[];
  active: boolean;
}

/** A tenant's staff, found by the staff entry id or the user id (a register may record either). */
export type StaffLookup = ReadonlyMap<string, StaffMember>;

export function staffLookup(members: StaffMember[]): StaffLookup {
  const m = new Map<string, StaffMember>();
  for (const s of members) {
    m.set(s.id, s);
    m.set(s.userId, s);
  }
  return m;
}

/**
 * Per-tenant staff directory for approval checks, read from the catalog's `staff:*` entries. Like the
 * device registry it caches briefly (5 s) so a register's push does not read the directory per batch,
 * while a demotion or deactivation takes effect within seconds on every server copy. An id the cached
 * copy does not know triggers one early reload (at most once a second), so a manager added a moment
 * ago is not refused.
 */
const CACHE_MS = 5_000;
const MISS_RELOAD_MS = 1_000;

export class StaffDirectory {
  private cache = new Map<string, { lookup: StaffLookup; at: number }>();
  private loading = new Map<string, Promise<StaffLookup>>();

  constructor(private readonly couch: Couch) {}

  async forTenant(tenantId: string, mustKnow: readonly string[] = []): Promise<StaffLookup> {
    const hit = this.cache.get(tenantId);
    const age = hit ? Date.now() - hit.at : Infinity;
    if (hit && age < CACHE_MS && (age < MISS_RELOAD_MS || mustKnow.every((id) => hit.lookup.has(id)))) return hit.lookup;
    return this.load(tenantId);
  }

  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private load(tenantId: string): Promise<StaffLookup> {
    // Concurrent batches of one tenant share one read.
    const pending = this.loading.get(tenantId);
    if (pending) return pending;
    const p = listStaff(this.couch, tenantId)
      .then((entries) => {
        const lookup = staffLookup(
          entries
            .filter((e) => e && typeof e._id === 'string')
            .map((e) => ({ id: e._id, userId: e.userId, name: e.name, role: e.role, locations: e.locations ?? [], active: e.active === true }))
        );
        this.cache.set(tenantId, { lookup, at: Date.now() });
        if (this.cache.size > 10_000) this.cache.clear();
        return lookup;
      })
      .finally(() => this.loading.delete(tenantId));
    this.loading.set(tenantId, p);
    return p;
  }
}
