import type { RequestHandler } from 'express';
import { PLATFORM_DB, locationDb, parseDbName } from '#domain/db-names.ts';
import type { Couch } from '../couch/client.ts';
import type { Logger } from '../log.ts';
import type { TenantDoc } from '../platform/types.ts';

/**
 * What tells the outbox worker that a location database may hold new outbox documents. The worker
 * only needs "database X changed" (`changed(db)`); it then reads X's `_changes` from its own stored
 * sequence, so a signal may be late, repeated or spurious without harm. The signals are:
 * - the store's database updates (workers/db-updates.ts, wired in start.ts): every write, whichever
 *   server copy or tool made it, and `catchUp` on its sweeps (at start, and when the feed lost its place);
 * - `dbWriteSignal`: a successful write through this copy's gateway, at once (a register pushing,
 *   offline receipts included, the moment it syncs);
 * - the server's own writes of outbox documents call `changed` directly (reports/service.ts).
 * The platform database is followed by the worker's own long-poll feed. None of this runs on a timer.
 */
export function dbWriteSignal(changed: (db: string) => void): RequestHandler {
  return (req, res, next) => {
    const [, db, doc, more] = (req.url.split('?')[0] ?? '').split('/');
    // POST /{db}, POST /{db}/_bulk_docs, PUT /{db}/{docid}: writes. Checkpoints (_local/…) and
    // POSTed reads (_revs_diff, _bulk_get, _all_docs) are not.
    const write = more === undefined && ((req.method === 'POST' && (!doc || doc === '_bulk_docs')) || (req.method === 'PUT' && !!doc && !doc.startsWith('_')));
    if (write && db && parseDbName(db)?.kind === 'location') {
      res.on('finish', () => {
        if (res.statusCode < 300) changed(db);
      });
    }
    next();
  };
}

/** Reads every location database once from its checkpoint (start-up), a few at a time through the worker's queue. */
export async function catchUp(couch: Couch, log: Logger, changed: (db: string) => void): Promise<void> {
  try {
    const res = await couch.use(PLATFORM_DB).list({ startkey: 'tenant:', endkey: 'tenant:\ufff0', include_docs: true });
    let n = 0;
    for (const row of res.rows) {
      const t = row.doc as unknown as TenantDoc | undefined;
      if (!t?.tenantId) continue;
      for (const code of t.locations) {
        changed(locationDb(t.tenantId, code));
        n++;
      }
    }
    log.info({ databases: n }, 'outbox catch-up scheduled for every location database');
  } catch (err) {
    log.error({ err }, 'outbox catch-up could not list tenants; new writes still trigger delivery');
  }
}
