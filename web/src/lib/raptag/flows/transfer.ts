import type { Transfer } from '../../domain/schemas/index.ts';
import type { LocalSession, RaptagStore } from '../raptag-db.ts';
import { receivePath, shipPath } from '../raptag-api.ts';
import { enqueueCall, type OutboxDeps } from './outbox.ts';

/**
 * Transfers by scanning. The source store *picks*: each tag read counts towards the transfer's lines,
 * the clerk sees what is left, and ships; the destination *receives* by scanning what arrived, and the
 * server records every line where received ≠ sent. Shipping and receiving are API calls (transfers are
 * server-written: the ledger moves with them) queued in the outbox, so both work offline and are sent
 * when the phone is back online — the server's operations are idempotent, so a resend is harmless.
 */

export type TransferMode = 'pick' | 'receive';

export interface TransferLineProgress {
  variantId: string;
  /** what the transfer lists */
  expected: number;
  /** units (distinct tags) scanned for it */
  scanned: number;
}

export interface TransferProgress {
  lines: TransferLineProgress[];
  /** variants scanned that the transfer does not list (wrong item picked, or a surprise in the box) */
  extras: { variantId: string; scanned: number }[];
  expectedUnits: number;
  /** scanned units that count towards the lines (capped at each line's quantity) */
  matchedUnits: number;
  short: number;
  over: number;
}

export function transferSessionId(mode: TransferMode, transferId: string): string {
  return `${mode}:${transferId}`;
}

export function newTransferSession(mode: TransferMode, t: Pick<Transfer, '_id' | 'lines' | 'locationCode' | 'toLocationCode'>, staff: { id: string; name: string }, now: string): LocalSession {
  return {
    id: transferSessionId(mode, t._id),
    kind: mode,
    status: 'active',
    locationCode: mode === 'pick' ? t.locationCode : t.toLocationCode,
    toLocationCode: t.toLocationCode,
    zone: 'floor',
    startedAt: now,
    startedBy: staff,
    lines: t.lines.map((l) => ({ variantId: l.variantId, qty: l.qty }))
  };
}

/** Scanned vs listed, per line. */
export function transferProgress(lines: readonly { variantId: string; qty: number }[], scanned: ReadonlyMap<string, number>): TransferProgress {
  const listed = new Map(lines.map((l) => [l.variantId, l.qty]));
  const out: TransferProgress = { lines: [], extras: [], expectedUnits: 0, matchedUnits: 0, short: 0, over: 0 };
  for (const l of lines) {
    const n = scanned.get(l.variantId) ?? 0;
    out.lines.push({ variantId: l.variantId, expected: l.qty, scanned: n });
    out.expectedUnits += l.qty;
    out.matchedUnits += Math.min(n, l.qty);
    if (n < l.qty) out.short += l.qty - n;
    else out.over += n - l.qty;
  }
  for (const [variantId, n] of scanned) if (!listed.has(variantId) && n > 0) out.extras.push({ variantId, scanned: n });
  out.over += out.extras.reduce((a, e) => a + e.scanned, 0);
  return out;
}

/** The receive call's body: what arrived per line of the transfer (a line nothing arrived for is 0). */
export function receivedLines(lines: readonly { variantId: string; qty: number }[], scanned: ReadonlyMap<string, number>): { variantId: string; qty: number }[] {
  return lines.map((l) => ({ variantId: l.variantId, qty: scanned.get(l.variantId) ?? 0 }));
}

export interface TransferDeps {
  store: Pick<RaptagStore, 'saveSession' | 'getSession'>;
  outbox: OutboxDeps;
  now(): string;
}

/** Ships as listed (the API ships the transfer's lines) once the clerk has picked; queued for the network. */
export async function shipPicked(deps: TransferDeps, session: LocalSession, transferLabel: string): Promise<void> {
  const transferId = session.id.slice('pick:'.length);
  await enqueueCall(deps.outbox, { label: `Ship ${transferLabel}`, path: shipPath(transferId), body: undefined });
  await deps.store.saveSession({ ...session, status: 'submitted', submittedAt: deps.now() });
}

/** Records what arrived (the server notes every discrepancy); queued for the network. */
export async function receiveScanned(deps: TransferDeps, session: LocalSession, scanned: ReadonlyMap<string, number>, transferLabel: string): Promise<void> {
  const transferId = session.id.slice('receive:'.length);
  await enqueueCall(deps.outbox, { label: `Receive ${transferLabel}`, path: receivePath(transferId), body: { lines: receivedLines(session.lines ?? [], scanned) } });
  await deps.store.saveSession({ ...session, status: 'submitted', submittedAt: deps.now() });
}
