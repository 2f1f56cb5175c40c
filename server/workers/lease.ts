import { randomBytes } from 'node:crypto';
import { PLATFORM_DB } from '#domain/db-names.ts';
import { casPut } from '../couch/cas.ts';
import { statusOf, type Couch } from '../couch/client.ts';

/**
 * Which server copy does a worker's work for a tenant: a lease document per worker and tenant in
 * `platform` (`lease:{worker}:{tenantId}`), taken by writing it with the current revision, so only one
 * copy wins a race (409 for the others). Every copy hears the same database updates; the holder works,
 * the others skip and look again when the lease runs out, so a copy that died is replaced within one
 * lease. The workers are idempotent, so two copies overlapping at a hand-over write nothing twice: the
 * lease saves the work, it does not guard correctness. A lease is renewed only while there is work
 * (at most one write per worker and tenant per half lease): an idle tenant costs nothing.
 */
export interface LeaseDoc {
  _id: string;
  _rev?: string;
  type: 'lease';
  worker: string;
  tenantId: string;
  holder: string;
  until: string;
}

export type LeaseAnswer = { ok: true } | { ok: false; until: number };

export class Leases {
  private readonly held = new Map<string, number>();

  constructor(
    private readonly couch: Couch,
    /** this copy's id: random per process */
    readonly holder = randomBytes(6).toString('hex'),
    readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now
  ) {}

  async acquire(worker: string, tenantId: string): Promise<LeaseAnswer> {
    const id = `lease:${worker}:${tenantId}`;
    const now = this.now();
    if ((this.held.get(id) ?? 0) - now > this.ttlMs / 2) return { ok: true };
    const db = this.couch.use(PLATFORM_DB);
    let current: LeaseDoc | null = null;
    try {
      current = (await db.get(id)) as LeaseDoc;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    if (current && current.holder !== this.holder) {
      const until = Date.parse(current.until);
      if (until > now) return { ok: false, until };
    }
    const until = now + this.ttlMs;
    const doc: LeaseDoc = { _id: id, type: 'lease', worker, tenantId, holder: this.holder, until: new Date(until).toISOString(), ...(current?._rev ? { _rev: current._rev } : {}) };
    // another copy took it a moment ago (409, or a cluster race it won: couch/cas.ts): it does the
    // work; look again when its lease may have run out
    if (!(await casPut(db, doc)).ok) return { ok: false, until: now + this.ttlMs };
    this.held.set(id, until);
    return { ok: true };
  }
}
