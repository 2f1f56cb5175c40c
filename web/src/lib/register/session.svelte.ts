import { DeviceSync } from '$lib/sync/device-sync.svelte';
import type { StoredDevice } from '$lib/ui/device-store';
import { newUlid } from '$lib/domain/ids';
import type { TaxConfig } from '$lib/domain/cart';
import type { PricingContext } from '$lib/domain/price-rules';
import type { Permission } from '$lib/domain/permissions';
import { storeFormat, type StoreFormat } from '$lib/domain/store-format';
import { loadReferenceData, referenceFromDocs, staffByPin, staffCan, taxConfigOf, type ReferenceData, type Staff } from './reference-data.ts';
import { Cart, type Approval, type CartSnapshot } from './cart.svelte.ts';
import { currentShift, openShift as saveShift, recordSale, StorageError, type SaleDoc, type ShiftDoc } from './register-db.ts';
import { useStrictDurability } from './durability.ts';
import { CustomerLedger, customerPrefixes, LedgerFollower, LocationLedger, locationPrefixes, spendableBalance } from './local-ledger.ts';
import type { Tender } from '$lib/domain/tender';
import { RegisterPrinter } from './printing.ts';
import { recordOutbox, recordTimeEntry } from './register-db.ts';

const REFERENCE_RETRY_MS = 500;
/** Parked-on-switch carts survive a reload (a crash mid-sale must not lose the basket). */
const HELD_CARTS_KEY = 'pos.heldCarts';

export interface CompletedSale {
  sale: SaleDoc & { _rev: string };
}

/**
 * One register: its device credential, sync, reference data, the signed-in cashier, the open shift
 * and the current cart. UI components read this state and call its verbs; documents are written only
 * through register-db.ts.
 */
export class RegisterSession {
  readonly sync = new DeviceSync();
  ref = $state<ReferenceData | null>(null);
  cashier = $state<Staff | null>(null);
  shift = $state<ShiftDoc | null>(null);
  /** the shift has been looked up (null shift then means: none open) */
  shiftLoaded = $state(false);
  /** set when a local write failed: new sales are blocked until the cashier acknowledges and storage works */
  storageError = $state<string | null>(null);
  readonly cart = new Cart(
    () => this.taxConfig,
    () => this.pricing
  );
  private held = new Map<string, CartSnapshot>();
  private stopped = false;
  /** stock, returns and balances summed on the device (local-ledger.ts) */
  readonly locationLedger = new LocationLedger();
  readonly customerLedger = new CustomerLedger();
  private followers: LedgerFollower[] = [];
  private stopCartKeeper: (() => void) | null = null;
  private refTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly device: StoredDevice) {}

  /** The register's id in document ids: `sale:{registerKey}:{ulid}`. */
  get registerKey(): string {
    return this.device.device.id;
  }

  get registerId(): string {
    return `device:${this.device.device.id}`;
  }

  get locationCode(): string {
    return this.device.device.locationCode;
  }

  get currency(): string {
    return this.ref?.location.currency ?? 'USD';
  }

  /** Dates, times and money as this store writes them (its locale, time zone and currency), on screen. */
  get format(): StoreFormat {
    const loc = this.ref?.location;
    return storeFormat({ locale: loc?.locale, timeZone: loc?.timeZone ?? 'UTC', currency: this.currency });
  }

  /** The same for paper (printer-safe spaces): receipts, X/Z reports, slips. */
  get printFormat(): StoreFormat {
    const loc = this.ref?.location;
    return storeFormat({ locale: loc?.locale, timeZone: loc?.timeZone ?? 'UTC', currency: this.currency }, { plain: true });
  }

  get taxConfig(): TaxConfig {
    return this.ref ? taxConfigOf(this.ref) : { ratePpm: 0, exemptCategories: [], pricesIncludeTax: false, rounding: 'line', roundingMode: 'half_up' };
  }

  /** Price rules at this moment (the cart re-prices with the time of each change), or null without rules. */
  get pricing(): Omit<PricingContext, 'customerGroup'> | null {
    const rules = this.ref?.priceRules ?? [];
    if (rules.length === 0) return null;
    const lookup = this.sync.index?.lookup;
    return { rules, at: new Date().toISOString(), categoryOf: (productId) => lookup?.variantsOf(productId)[0]?.categoryId };
  }

  get catalogDb(): PouchDB.Database {
    return this.db('catalog');
  }

  get locationDb(): PouchDB.Database {
    return this.db('location');
  }

  get customersDb(): PouchDB.Database {
    return this.db('customers');
  }

  private db(kind: 'catalog' | 'location' | 'customers'): PouchDB.Database {
    const name = this.device.databases[kind];
    const db = name ? this.sync.local(name) : null;
    if (!db) throw new Error(`the ${kind} replica is not open yet`);
    return db;
  }

  /** Local changes (sales, shifts…) of this location not yet on the server. */
  get unsynced(): number {
    const name = this.device.databases.location;
    return name ? this.sync.pendingOf(name) : 0;
  }

  async start(): Promise<void> {
    const locName = this.device.databases.location;
    if (locName) useStrictDurability((idb) => idb.includes(locName));
    try {
      const held = JSON.parse(localStorage.getItem(HELD_CARTS_KEY) ?? '{}') as Record<string, CartSnapshot>;
      this.held = new Map(Object.entries(held));
    } catch {
      this.held = new Map();
    }
    // Sign-in must not wait for the catalog replica: the last reference data this register read
    // is kept, so a cold start (even offline, even while IndexedDB is busy) shows the PIN pad at once.
    const cached = this.readCachedReference();
    if (cached) this.ref = cached;
    // The cart in progress is kept as the cashier builds it: a crash or a reload mid-sale gives it
    // back when they sign in again (completed sales are already in the database).
    this.stopCartKeeper = $effect.root(() => {
      $effect(() => {
        const cashier = this.cashier;
        // read every field the cart keeps (deeply), so any change to it reruns this effect
        JSON.stringify([this.cart.lines, this.cart.orderDiscount, this.cart.customer?._id, this.cart.approvals]);
        if (!cashier) return;
        if (this.cart.isEmpty) this.held.delete(cashier.id);
        else this.held.set(cashier.id, this.cart.snapshot());
        this.saveHeld();
      });
    });
    await this.sync.start(this.device);
    this.followers = [new LedgerFollower(this.locationDb, this.locationLedger, locationPrefixes), new LedgerFollower(this.customersDb, this.customerLedger, customerPrefixes)];
    void this.loadShift();
    await this.loadReference();
  }

  private get referenceKey(): string {
    return `pos.reference.${this.device.databases.catalog ?? ''}.${this.locationCode}`;
  }

  private readCachedReference(): ReferenceData | null {
    try {
      const docs = JSON.parse(localStorage.getItem(this.referenceKey) ?? 'null') as unknown[] | null;
      return docs ? referenceFromDocs(docs, this.locationCode) : null;
    } catch {
      return null;
    }
  }

  /** The open shift, from the location replica (retried: "no shift" must never be a guess). */
  private async loadShift(): Promise<void> {
    for (let attempt = 0; !this.shiftLoaded && !this.stopped; attempt++) {
      try {
        this.shift = await currentShift(this.locationDb, this.registerKey);
        this.shiftLoaded = true;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
      }
    }
  }

  /** Stock on hand and available (on hand − layaway reservations) at this store, per variant. */
  async stock(variantIds: readonly string[]): Promise<Map<string, { onHand: number; available: number }>> {
    await this.followers[0]?.ready;
    return new Map(variantIds.map((v) => [v, this.locationLedger.stock(v)]));
  }

  /** Units of each line of a sale already returned at any register of this store. */
  async returnedOf(saleId: string): Promise<Map<string, number>> {
    await this.followers[0]?.ready;
    return this.locationLedger.returnedOf(saleId);
  }

  /** What a customer (or gift card) may spend, or their loyalty points. */
  async balance(account: 'loyalty' | 'store_credit' | 'gift_card', holder: string): Promise<number> {
    await Promise.all(this.followers.map((f) => f.ready));
    return spendableBalance(this.customerLedger, this.locationLedger, account, holder);
  }

  stop(): void {
    this.stopped = true;
    this.stopCartKeeper?.();
    for (const f of this.followers) f.stop();
    clearTimeout(this.refTimer);
    this.sync.stop();
  }

  /** Reference data comes with the first catalog page; until then, poll the local replica. */
  async loadReference(): Promise<void> {
    clearTimeout(this.refTimer);
    const fromReplica = await loadReferenceData(this.catalogDb, this.locationCode).catch(() => null);
    const ref = fromReplica ?? referenceFromDocs(this.sync.referenceDocs, this.locationCode);
    if (ref) this.ref = ref;
    if (fromReplica) {
      try {
        localStorage.setItem(this.referenceKey, JSON.stringify([fromReplica.location, fromReplica.settings, ...(fromReplica.taxRate ? [fromReplica.taxRate] : []), ...fromReplica.staff, ...fromReplica.categories, ...fromReplica.priceRules]));
      } catch {
        /* a full localStorage only costs the fast cold start */
      }
    }
    // Keep staff, tax and settings current (PIN changes, rate changes) while the register runs.
    if (!this.stopped) this.refTimer = setTimeout(() => void this.loadReference(), ref ? 15_000 : REFERENCE_RETRY_MS);
  }

  // --- staff ---------------------------------------------------------------------------------------

  /**
   * PIN sign-in, offline. A different cashier signing in keeps the previous cashier's cart aside
   * (fast switch), and gets back their own if they had one.
   */
  async signIn(pin: string): Promise<Staff | null> {
    if (!this.ref) return null;
    const staff = await staffByPin(this.ref, pin);
    if (!staff) return null;
    if (!staffCan(staff, 'sale:create')) return null;
    this.cashier = staff;
    const mine = this.held.get(staff.id);
    if (mine) {
      this.cart.restore(mine);
      this.held.delete(staff.id);
      this.saveHeld();
    }
    return staff;
  }

  /**
   * Clock in or out by PIN, from the lock screen, offline too: any active staff member of this location
   * (not only those who may sell). Writes one immutable `time_entry`; the admin timesheet pairs them.
   */
  async clock(pin: string, kind: 'in' | 'out'): Promise<{ staff: Staff; at: string } | null> {
    if (!this.ref) return null;
    const staff = await staffByPin(this.ref, pin);
    if (!staff) return null;
    const at = new Date().toISOString();
    await this.guard(() =>
      recordTimeEntry(this.locationDb, {
        _id: `time_entry:${this.registerKey}:${newUlid()}`,
        type: 'time_entry',
        locationCode: this.locationCode,
        registerId: this.registerId,
        staffId: staff.id,
        staffName: staff.name,
        kind,
        at
      })
    );
    return { staff, at };
  }

  /** Locks the register; the cashier's cart waits for them. */
  lock(): void {
    if (this.cashier && !this.cart.isEmpty) {
      this.held.set(this.cashier.id, this.cart.snapshot());
      this.saveHeld();
    }
    this.cart.clear();
    this.cashier = null;
  }

  /** A manager's PIN for one action the cashier may not do; returns the approval to record, or why not. */
  async approve(pin: string, permission: Permission, action: Approval['action']): Promise<Approval | string> {
    if (!this.ref) return 'Store data is still loading.';
    const staff = await staffByPin(this.ref, pin);
    if (!staff) return 'That PIN does not match anyone at this store.';
    if (!staffCan(staff, permission)) return `${staff.name} may not approve this (needs ${permission}).`;
    return { action, staffId: staff.id, staffName: staff.name, at: new Date().toISOString() };
  }

  can(permission: Permission): boolean {
    return this.cashier ? staffCan(this.cashier, permission) : false;
  }

  private saveHeld(): void {
    try {
      localStorage.setItem(HELD_CARTS_KEY, JSON.stringify(Object.fromEntries(this.held)));
    } catch {
      /* a full localStorage only loses the convenience of switching back */
    }
  }

  // --- shift ---------------------------------------------------------------------------------------

  async openShift(openingFloat: number): Promise<ShiftDoc> {
    const cashier = this.requireCashier();
    const doc: ShiftDoc = {
      _id: `shift:${this.registerKey}:${newUlid()}`,
      type: 'shift',
      locationCode: this.locationCode,
      registerId: this.registerId,
      openedBy: cashier.id,
      openedByName: cashier.name,
      openingFloat,
      openedAt: new Date().toISOString()
    };
    const saved = await this.guard(() => saveShift(this.locationDb, doc));
    this.shift = saved;
    return saved;
  }

  /** After a close: no shift until the next one is opened. */
  shiftClosed(): void {
    this.shift = null;
  }

  // --- sales ---------------------------------------------------------------------------------------

  /**
   * Turns the cart and its payment into one immutable sale document and writes it locally. Returns
   * only after the write is durable; the receipt prints after this. Never waits for the network.
   */
  async completeSale(payment: { tenders: Tender[]; change: number; rounding: number }, extra: Partial<SaleDoc> = {}): Promise<SaleDoc & { _rev: string }> {
    const cashier = this.requireCashier();
    if (this.storageError) throw new StorageError(this.storageError);
    const t = this.cart.totals;
    const kind = this.cart.hasReturns ? (this.cart.hasSales ? 'exchange' : 'return') : 'sale';
    const sale: SaleDoc = {
      _id: `sale:${this.registerKey}:${newUlid()}`,
      type: 'sale',
      kind,
      locationCode: this.locationCode,
      registerId: this.registerId,
      ...(this.shift ? { shiftId: this.shift._id } : {}),
      cashierId: cashier.id,
      cashierName: cashier.name,
      ...(this.cart.customer ? { customerId: this.cart.customer._id } : {}),
      currency: this.currency,
      lines: t.lines,
      ...(this.cart.orderDiscount && this.cart.orderDiscount.value > 0 ? { orderDiscount: this.cart.orderDiscount } : {}),
      subtotal: t.subtotal,
      discountTotal: t.discountTotal,
      taxTotal: t.taxTotal,
      pricesIncludeTax: this.taxConfig.pricesIncludeTax,
      total: t.total,
      rounding: payment.rounding,
      tenders: payment.tenders.map((x) => ({ kind: x.kind, amount: x.amount, ...(x.reference ? { reference: x.reference } : {}) })),
      change: payment.change,
      approvals: $state.snapshot(this.cart.approvals),
      ...(this.cart.layawayId ? { layawayId: this.cart.layawayId } : {}),
      createdAt: new Date().toISOString(),
      ...extra
    };
    const saved = await this.guard(() => recordSale(this.locationDb, sale));
    this.cart.clear();
    this.sync.nudge();
    return saved;
  }

  // --- receipts and the drawer ------------------------------------------------------------------------

  readonly printer = new RegisterPrinter();

  /** Prints a sale's receipt (and kicks the drawer on cash). Throws with a reason; the sale stays saved. */
  async printReceipt(sale: SaleDoc, opts: { reprint: boolean }): Promise<void> {
    const ref = this.ref;
    await this.printer.printSale(
      sale,
      {
        storeName: ref?.settings.tenantName ?? 'Receipt',
        ...(ref ? { address: `${ref.location.name}\n${ref.location.address}` } : {}),
        ...(ref?.settings.receiptHeader ? { header: ref.settings.receiptHeader } : {}),
        ...(ref?.settings.receiptFooter ? { footer: ref.settings.receiptFooter } : {}),
        registerName: this.device.device.name,
        ...(sale.cashierName ? { cashierName: sale.cashierName } : {}),
        timeZone: ref?.location.timeZone ?? 'UTC',
        ...(ref?.location.locale ? { locale: ref.location.locale } : {})
      },
      opts.reprint
    );
  }

  /**
   * Queues the receipt for email or a text message (an outbox document; the outbox worker delivers
   * it when online). Offline it waits on this register and goes with the next sync.
   */
  async sendReceipt(sale: SaleDoc, channel: 'email' | 'sms', to: string): Promise<void> {
    const cashier = this.requireCashier();
    await this.guard(() =>
      recordOutbox(this.locationDb, {
        _id: `outbox:${this.registerKey}:${newUlid()}`,
        type: 'outbox',
        locationCode: this.locationCode,
        channel,
        to: to.trim(),
        template: 'receipt',
        ref: sale._id,
        createdBy: cashier.id,
        createdAt: new Date().toISOString()
      })
    );
    this.sync.nudge();
  }

  /** Queues the receipt for email (kept for callers that only email). */
  emailReceipt(sale: SaleDoc, to: string): Promise<void> {
    return this.sendReceipt(sale, 'email', to);
  }

  openDrawer(): Promise<void> {
    return this.printer.openDrawer();
  }

  printReport(lines: string[], title = 'Shift report'): Promise<void> {
    return this.printer.printLines(title, lines, this.currency);
  }

  /** Runs a local write; a storage failure blocks further sales with the reason, and is rethrown. */
  async guard<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof StorageError) this.storageError = err.message;
      throw err;
    }
  }

  /** The cashier acknowledged a storage error; the next write tries again. */
  clearStorageError(): void {
    this.storageError = null;
  }

  requireCashier(): Staff {
    if (!this.cashier) throw new Error('Sign in with your PIN first.');
    return this.cashier;
  }
}
