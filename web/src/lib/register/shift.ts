import type { z } from 'zod';
import type { approvalSchema } from '../domain/schemas/index.ts';
import { newUlid } from '../domain/ids.ts';
import { countedTotal } from '../domain/money.ts';
import { closeShiftFigures, shiftReport, shiftReportRows, type ShiftReport, type ShiftReportRow } from '../domain/shift-report.ts';
import type { StoreFormat } from '../domain/store-format.ts';
import { staffCan, type Staff } from './reference-data.ts';
import {
  AlreadyExistsError,
  closeShift,
  recordCashMovement,
  shiftActivity,
  type CashMovementDoc,
  type ShiftCloseDoc,
  type ShiftDoc
} from './register-db.ts';

/**
 * Shift management use cases (X report, cash in/out, no-sale, close with a counted drawer and Z
 * report). Plain TypeScript over the pieces of the session (database, register, shift, staff), so
 * the dialog stays thin and these run the same in unit tests, benchmarks and the browser.
 */

export type Approval = z.infer<typeof approvalSchema>;

/** Who is doing what where: the session's pieces a shift use case needs. */
export interface ShiftContext {
  db: PouchDB.Database;
  /** the register's id in document ids (`cash:{registerKey}:{ulid}`) */
  registerKey: string;
  /** the register document reference (`device:…`) */
  registerId: string;
  locationCode: string;
  shift: ShiftDoc;
  /** the signed-in cashier */
  staff: Staff;
  /** clock, for tests */
  now?: () => Date;
}

/** The action needs a manager approval the caller did not bring (the UI then asks for a manager PIN). */
export class ApprovalRequiredError extends Error {
  name = 'ApprovalRequiredError';
  constructor(
    readonly action: Approval['action'],
    message: string
  ) {
    super(message);
  }
}

/** Closing refused: changes of this location are not on the server yet and no manager overrode. */
export class UnsyncedShiftError extends Error {
  name = 'UnsyncedShiftError';
  constructor(readonly unsynced: number) {
    super(
      `${unsynced} change${unsynced === 1 ? '' : 's'} on this register ${unsynced === 1 ? 'is' : 'are'} not on the server yet. ` +
        'Wait for the register to sync (check the connection), or ask a manager to override.'
    );
  }
}

/** The permission that lets a cashier pay out cash or open the drawer without a manager. */
export const CASH_CONTROL_PERMISSION = 'sale:void' as const;

const nowIso = (ctx: ShiftContext) => (ctx.now ? ctx.now() : new Date()).toISOString();
const hasApproval = (approvals: readonly Approval[], action: Approval['action']) => approvals.some((a) => a.action === action);

/** True when `staff` needs a manager's approval for a payout (`payout`) or a no-sale (`no_sale`). */
export function needsApproval(staff: Staff, action: 'payout' | 'no_sale'): boolean {
  void action; // both are cash-control actions behind the same permission
  return !staffCan(staff, CASH_CONTROL_PERMISSION);
}

// --- X report --------------------------------------------------------------------------------------

/** The shift's figures so far (X report): one key-range read per document kind, one pass to sum. */
export async function xReport(db: PouchDB.Database, registerKey: string, shift: ShiftDoc): Promise<ShiftReport> {
  return shiftReport(await shiftActivity(db, registerKey, shift));
}

// --- cash in / out, no sale ------------------------------------------------------------------------

export interface CashInOutInput {
  kind: 'in' | 'out';
  /** minor units, > 0 */
  amount: number;
  reason: string;
  approvals?: Approval[];
}

/**
 * Cash put into (float top-up) or taken out of (payout) the drawer. A payout by a cashier without
 * the cash-control permission needs a manager's `payout` approval; both identities are recorded
 * (staffId = the cashier, approvals[].staffId = the manager).
 */
export async function recordCashInOut(ctx: ShiftContext, input: CashInOutInput): Promise<CashMovementDoc & { _rev: string }> {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw new RangeError('Enter an amount greater than zero.');
  const reason = input.reason.trim();
  if (!reason) throw new RangeError(input.kind === 'in' ? 'Say why cash goes in (e.g. float top-up).' : 'Say what the cash is paid out for.');
  const approvals = input.approvals ?? [];
  if (input.kind === 'out' && needsApproval(ctx.staff, 'payout') && !hasApproval(approvals, 'payout')) {
    throw new ApprovalRequiredError('payout', 'A payout needs a manager’s approval.');
  }
  return recordCashMovement(ctx.db, {
    _id: `cash:${ctx.registerKey}:${newUlid()}`,
    type: 'cash_movement',
    locationCode: ctx.locationCode,
    registerId: ctx.registerId,
    shiftId: ctx.shift._id,
    kind: input.kind,
    amount: input.amount,
    reason,
    staffId: ctx.staff.id,
    approvals,
    createdAt: nowIso(ctx)
  });
}

/**
 * A no-sale drawer open, recorded before the drawer is kicked (the caller then calls
 * `session.openDrawer()`): an open that is not on record is what cash control must never allow; a
 * record whose kick failed (no printer) moved no money and is harmless. Needs a manager's `no_sale`
 * approval unless the cashier has the cash-control permission.
 */
export async function recordNoSale(ctx: ShiftContext, input: { reason?: string; approvals?: Approval[] } = {}): Promise<CashMovementDoc & { _rev: string }> {
  const approvals = input.approvals ?? [];
  if (needsApproval(ctx.staff, 'no_sale') && !hasApproval(approvals, 'no_sale')) {
    throw new ApprovalRequiredError('no_sale', 'Opening the drawer without a sale needs a manager’s approval.');
  }
  return recordCashMovement(ctx.db, {
    _id: `cash:${ctx.registerKey}:${newUlid()}`,
    type: 'cash_movement',
    locationCode: ctx.locationCode,
    registerId: ctx.registerId,
    shiftId: ctx.shift._id,
    kind: 'no_sale',
    amount: 0,
    reason: input.reason?.trim() || 'No sale',
    staffId: ctx.staff.id,
    approvals,
    createdAt: nowIso(ctx)
  });
}

// --- close -----------------------------------------------------------------------------------------

export interface CloseInput {
  /** count per note/coin, keyed by its value in minor units: { "2000": 3, "25": 8 } */
  denominations: Record<string, number>;
  /** pending local changes of the location database (session.unsynced) at the moment of closing */
  unsynced: number;
  /** a `close_unsynced` approval when a manager overrides the unsynced refusal */
  approvals?: Approval[];
}

export interface ClosedShift {
  close: ShiftCloseDoc & { _rev: string };
  /** the Z report (also stored in close.report) */
  report: ShiftReport;
}

/** The close document's id: `shift_close:{register}:{the shift's ulid}` (one close per shift, any device). */
export const shiftCloseId = (shift: ShiftDoc) => `shift_close:${shift._id.slice('shift:'.length)}`;

/** Drops zero counts and checks each key is a value in minor units and each count a whole number. */
export function cleanDenominations(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(counts)) if (n !== 0) out[k] = n;
  countedTotal(out); // throws RangeError with the reason on a bad key or count
  return out;
}

/** Builds the shift_close document from a Z report and the drawer count (pure; no I/O). */
export function buildShiftClose(ctx: ShiftContext, report: ShiftReport, input: CloseInput): ShiftCloseDoc {
  const denominations = cleanDenominations(input.denominations);
  const figures = closeShiftFigures(report, denominations);
  return {
    _id: shiftCloseId(ctx.shift),
    type: 'shift_close',
    locationCode: ctx.locationCode,
    registerId: ctx.registerId,
    shiftId: ctx.shift._id,
    closedBy: ctx.staff.id,
    closedByName: ctx.staff.name,
    denominations,
    countedCash: figures.countedCash,
    expectedCash: figures.expectedCash,
    overShort: figures.overShort,
    report: report as unknown as Record<string, unknown>,
    unsyncedAtClose: Math.max(0, input.unsynced),
    approvals: input.approvals ?? [],
    closedAt: nowIso(ctx)
  };
}

/**
 * Closes the shift: refuses while local changes are not synced unless a manager's `close_unsynced`
 * approval is given (recorded on the close with the unsynced count), recomputes the Z report from
 * the shift's documents, and writes the close. A second close of the same shift (here or on
 * another device) is refused by the deterministic id.
 */
export async function closeShiftNow(ctx: ShiftContext, input: CloseInput): Promise<ClosedShift> {
  const approvals = input.approvals ?? [];
  if (input.unsynced > 0 && !hasApproval(approvals, 'close_unsynced')) throw new UnsyncedShiftError(input.unsynced);
  const report = await xReport(ctx.db, ctx.registerKey, ctx.shift);
  const doc = buildShiftClose(ctx, report, { ...input, approvals });
  try {
    const close = await closeShift(ctx.db, doc);
    return { close, report };
  } catch (err) {
    if (err instanceof AlreadyExistsError) throw new Error('This shift is already closed (on this or another register). Open a new shift to continue selling.');
    throw err;
  }
}

// --- presentation (shared by the on-screen tables and the printed report) --------------------------

export type ReportRow = ShiftReportRow;

/** The report as label/value rows (domain/shift-report.ts shiftReportRows), in the store's format. */
export function reportRows(r: ShiftReport, fmt: StoreFormat): ReportRow[] {
  return shiftReportRows(r, fmt.money, fmt.number);
}

export interface CloseFigures {
  countedCash: number;
  expectedCash: number;
  overShort: number;
}

/** "Over $1.00", "Short $0.25", "Even". */
export function overShortText(overShort: number, fmt: Pick<StoreFormat, 'money'>): string {
  if (overShort === 0) return 'Even';
  return `${overShort > 0 ? 'Over' : 'Short'} ${fmt.money(Math.abs(overShort))}`;
}

function twoCol(left: string, right: string, width: number): string {
  const gap = width - left.length - right.length;
  return gap >= 1 ? left + ' '.repeat(gap) + right : `${left} ${right}`;
}

export interface ReportTextOptions {
  title: 'X REPORT' | 'Z REPORT';
  /** the location's formatter, printer-safe (storeFormat(…, { plain: true })) */
  format: StoreFormat;
  registerName?: string;
  printedAt?: Date;
  close?: (CloseFigures & { closedByName?: string; denominations: Record<string, number>; unsyncedAtClose: number; approvals: Approval[] }) | undefined;
  width?: number;
}

/** Fixed-width lines of an X or Z report for the receipt printer (one string per printed line). */
export function reportLines(r: ShiftReport, opts: ReportTextOptions): string[] {
  const width = opts.width ?? 42;
  const fmt = opts.format;
  const m = fmt.money;
  const rule = '-'.repeat(width);
  const out: string[] = [opts.title];
  if (opts.registerName) out.push(`Register: ${opts.registerName}`);
  out.push(`Shift opened: ${fmt.dateTime(r.openedAt)}`, `Printed: ${fmt.dateTime(opts.printedAt ?? new Date())}`, rule);
  for (const row of reportRows(r, fmt)) {
    if (row.section) out.push(row.label.toUpperCase());
    else out.push(twoCol(row.indent ? `  ${row.label}` : row.label, row.value, width));
  }
  if (r.byCashier.length) {
    out.push(rule, 'BY CASHIER');
    for (const c of r.byCashier) {
      out.push(c.cashierName ?? c.cashierId, twoCol(`  ${fmt.number(c.transactions)} sales, returns ${m(-c.returns)}`, m(c.net), width));
    }
  }
  const c = opts.close;
  if (c) {
    out.push(rule, 'DRAWER COUNT');
    for (const [k, n] of Object.entries(c.denominations).sort((a, b) => Number(b[0]) - Number(a[0]))) {
      out.push(twoCol(`  ${m(Number(k))} x ${n}`, m(Number(k) * n), width));
    }
    out.push(twoCol('Counted cash', m(c.countedCash), width), twoCol('Expected cash', m(c.expectedCash), width), twoCol('Over/short', overShortText(c.overShort, fmt), width));
    if (c.closedByName) out.push(`Closed by: ${c.closedByName}`);
    if (c.unsyncedAtClose > 0) out.push(`Closed with ${c.unsyncedAtClose} unsynced change(s)`);
    for (const a of c.approvals) out.push(`Approved ${a.action.replace(/_/g, ' ')}: ${a.staffName}`);
  }
  return out;
}
