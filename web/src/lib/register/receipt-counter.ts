import { formatReceiptNo, nextReceiptNumber, parseReceiptNo, type ReceiptCounter } from '../domain/receipt-number.ts';
import { readLocalState, recentSales, storageError, writeLocalState } from './register-db.ts';

/**
 * The register's daily receipt counter: a `_local` document of the location replica (never
 * replicated, strict durability like the sales), advanced with a revision check, so two tabs of one
 * register never hand out the same number (the second write gets a 409, re-reads and takes the next).
 * A number is taken before the sale is written: a crash in between leaves a gap, never a duplicate.
 */
export const RECEIPT_COUNTER_ID = '_local/pos-receipt-counter';
const ATTEMPTS = 20;
/** One allocation at a time per replica in this tab; only another tab can race it (409, retried). */
const queues = new WeakMap<object, Promise<unknown>>();

/** The highest receipt number among this register's latest sales (ids sort by time). */
async function latestOwnNumber(db: PouchDB.Database, registerKey: string): Promise<string | null> {
  const recent = await recentSales(db, registerKey, 5);
  let best: string | null = null;
  for (const s of recent) {
    const p = s.receiptNo ? parseReceiptNo(s.receiptNo) : null;
    const b = best ? parseReceiptNo(best) : null;
    if (p && (!b || p.date > b.date || (p.date === b.date && p.n > b.n))) best = s.receiptNo!;
  }
  return best;
}

export function allocateReceiptNo(db: PouchDB.Database, registerKey: string, shortCode: string, date: string): Promise<string> {
  const run = (queues.get(db) ?? Promise.resolve()).catch(() => undefined).then(() => allocate(db, registerKey, shortCode, date));
  queues.set(db, run);
  return run;
}

async function allocate(db: PouchDB.Database, registerKey: string, shortCode: string, date: string): Promise<string> {
  try {
    let latest: string | null | undefined;
    for (let attempt = 1; ; attempt++) {
      const doc = await readLocalState<ReceiptCounter>(db, RECEIPT_COUNTER_ID);
      // A counter already on today is authoritative; without one (first sale of the day, or a
      // replica rebuilt from the server) the register's own latest sales say where to go on from.
      if (latest === undefined && doc?.date !== date) latest = await latestOwnNumber(db, registerKey);
      const n = nextReceiptNumber(doc && typeof doc.last === 'number' ? { date: doc.date, last: doc.last } : null, date, latest);
      try {
        await writeLocalState(db, RECEIPT_COUNTER_ID, doc?._rev, { date, last: n });
        return formatReceiptNo(shortCode, date, n);
      } catch (err) {
        if ((err as { status?: number }).status === 409 && attempt < ATTEMPTS) {
          // the other tab took a number: step aside a moment (jittered, so two tabs do not lockstep)
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof RangeError) throw err;
    throw await storageError(err);
  }
}
