import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-node';
import { newUlid } from '../../domain/ids.ts';
import type { SaleDoc, ShiftDoc } from '../register-db.ts';
import type { Staff } from '../reference-data.ts';
import type { ShiftFlowContext } from './shift.ts';

/**
 * A register for the flows' unit tests: a real PouchDB (LevelDB in a temporary directory; the browser's
 * is IndexedDB, same API) as its location replica, the session's guard (a storage failure is
 * remembered) and a sync that counts nudges. `close()` removes it.
 */
export const cashier: Staff = { id: 'user:cash1', name: 'Casey Cashier', role: 'cashier' };
export const manager: Staff = { id: 'user:mgr1', name: 'Morgan Manager', role: 'manager' };

export interface TestRegister extends ShiftFlowContext {
  locationDb: PouchDB.Database;
  shift: ShiftDoc | null;
  storageError: string | null;
  staff: Staff | null;
  nudges: number;
  openPayments: { cashierName: string; taken: number }[];
  /** ids of every document in the replica with the prefix */
  ids(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function testRegister(opts: { staff?: Staff | null; shift?: boolean } = {}): Promise<TestRegister> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'register-flows-'));
  const db = new PouchDB(path.join(dir, 'location'));
  const staff = opts.staff === undefined ? cashier : opts.staff;
  let shift: ShiftDoc | null = null;
  if (opts.shift !== false && staff) {
    shift = { _id: `shift:R1:${newUlid()}`, type: 'shift', locationCode: 'GM', registerId: 'device:R1', openedBy: staff.id, openedByName: staff.name, openingFloat: 10_000, openedAt: new Date().toISOString() };
    await db.put(shift);
  }
  const reg: TestRegister = {
    locationDb: db,
    registerKey: 'R1',
    registerId: 'device:R1',
    locationCode: 'GM',
    shift,
    storageError: null,
    staff,
    nudges: 0,
    openPayments: [],
    format: { money: (n: number) => `$${(n / 100).toFixed(2)}` },
    requireCashier() {
      if (!reg.staff) throw new Error('Sign in with your PIN first.');
      return reg.staff;
    },
    async guard<T>(write: () => Promise<T>): Promise<T> {
      try {
        return await write();
      } catch (err) {
        if ((err as Error).name === 'StorageError') reg.storageError = (err as Error).message;
        throw err;
      }
    },
    sync: {
      nudge() {
        reg.nudges++;
      }
    },
    async salesWithTenders() {
      return reg.openPayments;
    },
    async ids(prefix: string) {
      const res = await db.allDocs({ startkey: prefix, endkey: `${prefix}\ufff0` });
      return res.rows.map((r) => r.id);
    },
    async close() {
      await db.destroy().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  return reg;
}

/** A completed cash sale of this register in its shift (as completeSale writes it). */
export function cashSale(reg: Pick<TestRegister, 'shift'>, over: Partial<SaleDoc> = {}): SaleDoc {
  return {
    _id: `sale:R1:${newUlid()}`,
    type: 'sale',
    kind: 'sale',
    receiptNo: 'GM1-20261207-0001',
    locationCode: 'GM',
    registerId: 'device:R1',
    ...(reg.shift ? { shiftId: reg.shift._id } : {}),
    cashierId: cashier.id,
    cashierName: cashier.name,
    currency: 'USD',
    lines: [{ lineId: 'l1', productId: 'product:p1', variantId: 'p1-v01', sku: 'T-1', name: 'Tee', qty: 1, unitPrice: 2000, discount: 0, tax: 0, total: 2000 }],
    subtotal: 2000,
    discountTotal: 0,
    taxTotal: 0,
    pricesIncludeTax: false,
    total: 2000,
    rounding: 0,
    tenders: [{ kind: 'cash', amount: 2000 }],
    change: 0,
    approvals: [],
    createdAt: new Date().toISOString(),
    ...over
  };
}
