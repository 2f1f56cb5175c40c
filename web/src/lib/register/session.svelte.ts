import { DeviceSync } from '$lib/sync/device-sync.svelte';
import type { StoredDevice } from '$lib/ui/device-store';
import { newUlid } from '$lib/domain/ids';
import type { CartTax } from '$lib/domain/cart';
import type { PricingContext } from '$lib/domain/price-rules';
import type { Permission } from '$lib/domain/permissions';
import { storeFormat, type StoreFormat } from '$lib/domain/store-format';
import { loadReferenceData, referenceFromDocs, staffByPin, staffCan, taxConfigOf, type ReferenceData, type Staff } from './reference-data.ts';
import { Cart, type Approval, type CartSnapshot } from './cart.svelte.ts';
import { currentShift, findSale, openShift as saveShift, paymentVoidsOf, recordPaymentVoid, recordSale, StorageError, type PaymentVoidDoc, type SaleDoc, type ShiftDoc } from './register-db.ts';
import { buildPaymentVoid, giveBackText, LEGACY_HELD_CARTS_KEY, OpenSales, parseOpenSale, paymentVoidSlipLines, tendersStillHeld } from './open-sales.ts';
import { fallbackShortCode, storeDate } from '$lib/domain/receipt-number';
import { allocateReceiptNo } from './receipt-counter.ts';
import { useStrictDurability } from './durability.ts';
import { CustomerLedger, customerPrefixes, LedgerFollower, LocationLedger, locationPrefixes, spendableBalance } from './local-ledger.ts';
import type { Tender } from '$lib/domain/tender';
import { RegisterPrinter } from './printing.ts';
import { loadScannerSettings, saveScannerSettings, type ScannerSettings } from '$lib/peripherals/scanner-settings';
import { receiptLayout, receiptText, type ReceiptContext } from '$lib/domain/receipt';
import { recordOutbox, recordTimeEntry } from './register-db.ts';
import { cardPaymentApi, type CardPaymentApi } from './card-api.ts';
import { reconcileCardPayments, type CardFlowDeps, type ReaderCache } from './flows/card-payment.ts';

const REFERENCE_RETRY_MS = 500;
/**
 * A scan that arrives while no screen takes it (the PIN pad is closing, the shift is opening) waits
 * this long for the sales screen; older ones are dropped rather than surprise the next cashier.
 */
const PENDING_SCAN_MS = 5_000;

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
  /** every cashier's sale in progress (cart + tenders taken), durable in the location replica */
  private openSales: OpenSales | null = null;
  private openSalesReady: Promise<void>;
  private resolveOpenSales!: () => void;
  private stopped = false;
  /** stock, returns and balances summed on the device (local-ledger.ts) */
  readonly locationLedger = new LocationLedger();
  readonly customerLedger = new CustomerLedger();
  private followers: LedgerFollower[] = [];
  private stopCartKeeper: (() => void) | null = null;
  private refTimer: ReturnType<typeof setTimeout> | undefined;
  /** how this register's scanner types (prefix, suffix, timing): Register settings → Barcode scanner */
  scanner = $state<ScannerSettings>(loadScannerSettings());
  /** set while the settings screen reads a test scan: scans go to it, not to the cart */
  scanPaused = $state(false);
  private scanHandler: ((code: string) => void) | null = null;
  private pendingScans: { code: string; at: number }[] = [];

  constructor(readonly device: StoredDevice) {
    this.openSalesReady = new Promise((resolve) => (this.resolveOpenSales = resolve));
  }

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

  /** The register's short code, which starts its receipt numbers (GM1-20261201-0042). */
  get shortCode(): string {
    return this.device.device.shortCode ?? fallbackShortCode(this.locationCode, this.registerKey);
  }

  get timeZone(): string {
    return this.ref?.location.timeZone ?? 'UTC';
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

  get taxConfig(): CartTax {
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
    // Sign-in must not wait for the catalog replica: the last reference data this register read
    // is kept, so a cold start (even offline, even while IndexedDB is busy) shows the PIN pad at once.
    const cached = this.readCachedReference();
    if (cached) this.ref = cached;
    try {
      await this.sync.start(this.device);
      this.openSales = new OpenSales(this.locationDb, typeof localStorage === 'undefined' ? null : localStorage);
      await this.adoptLegacyHeldCarts().catch(() => undefined);
    } finally {
      this.resolveOpenSales();
    }
    // The sale in progress is kept as the cashier builds it: a crash or a reload mid-sale gives it
    // back, tenders and all, when they sign in again (completed sales are already in the database).
    this.stopCartKeeper = $effect.root(() => {
      $effect(() => {
        const cashier = this.cashier;
        // read every field the cart keeps (deeply), so any change to it reruns this effect
        JSON.stringify([this.cart.lines, this.cart.orderDiscount, this.cart.customer?._id, this.cart.approvals, this.cart.layawayId, this.cart.tenders, this.cart.saleId]);
        if (!cashier) return;
        const snap = this.cart.isEmpty && !this.cart.locked ? null : this.cart.snapshot();
        // a failure here is shown by the writes that matter (tenders, the sale); the next change retries
        void this.openSales?.save(cashier.id, snap).catch(() => undefined);
      });
    });
    this.followers = [new LedgerFollower(this.locationDb, this.locationLedger, locationPrefixes), new LedgerFollower(this.customersDb, this.customerLedger, customerPrefixes)];
    void this.loadShift();
    // card payments this register started and never saw end (a reload or crash mid-payment): the
    // uncaptured ones are cancelled now; a captured one is recorded when its sale's payment reopens
    if (this.online) void reconcileCardPayments(this.cardDeps, null).catch(() => undefined);
    await this.loadReference();
  }

  /**
   * Whether the device has a network (the browser's flag). Not sync's state: a replication round that
   * failed once shows "offline" until its retry, and a card payment or refund must not be refused for
   * that; a request that cannot reach the server is handled by the card flow itself.
   */
  get online(): boolean {
    return typeof navigator === 'undefined' || navigator.onLine !== false;
  }

  // --- card payments (flows/card-payment.ts) ------------------------------------------------------------

  readonly cardApi: CardPaymentApi = cardPaymentApi(() => this.device.deviceToken);

  /** What the card flow needs from this register: its replica, the server, and the sale in progress. */
  get cardDeps(): CardFlowDeps {
    return {
      registerKey: this.registerKey,
      locationDb: this.locationDb,
      api: this.cardApi,
      online: () => this.online,
      takeTender: (t) => this.takeTender(t),
      tenders: () => this.cart.tenders
    };
  }

  /** The reader assigned to this register as last seen online (device-local: the till's own setting). */
  get readerCache(): ReaderCache {
    const key = `pos.cardReader.${this.registerKey}`;
    return {
      get: () => {
        try {
          return localStorage.getItem(key);
        } catch {
          return null;
        }
      },
      set: (v) => {
        try {
          if (v) localStorage.setItem(key, v);
          else localStorage.removeItem(key);
        } catch {
          /* a full localStorage only costs the offline hint */
        }
      }
    };
  }

  /** Carts held before they were kept in the replica (localStorage, which Chromium writes to disk lazily) move in once. */
  private async adoptLegacyHeldCarts(): Promise<void> {
    const raw = localStorage.getItem(LEGACY_HELD_CARTS_KEY);
    if (!raw || !this.openSales) return;
    const held = JSON.parse(raw) as Record<string, unknown>;
    const stored = await this.openSales.all();
    for (const [cashierId, snap] of Object.entries(held)) {
      const cart = parseOpenSale(snap);
      if (cart && !stored.has(cashierId)) await this.openSales.save(cashierId, cart);
    }
    localStorage.removeItem(LEGACY_HELD_CARTS_KEY);
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

  // --- barcode scanner ---------------------------------------------------------------------------------

  /**
   * A scan from the register-wide listener (RegisterApp): to the screen that takes scans now, or,
   * during a screen change (sign-in, opening the shift), held for it for a few seconds.
   */
  deliverScan(code: string): void {
    if (this.scanPaused) return;
    if (this.scanHandler) return this.scanHandler(code);
    const now = Date.now();
    this.pendingScans = [...this.pendingScans.filter((p) => now - p.at < PENDING_SCAN_MS), { code, at: now }];
  }

  /** The sales screen takes scans while mounted; scans that waited for it are handed over first. */
  takeScans(handler: (code: string) => void): () => void {
    this.scanHandler = handler;
    const now = Date.now();
    const waiting = this.pendingScans.filter((p) => now - p.at < PENDING_SCAN_MS);
    this.pendingScans = [];
    for (const p of waiting) handler(p.code);
    return () => {
      if (this.scanHandler === handler) this.scanHandler = null;
    };
  }

  saveScanner(s: ScannerSettings): void {
    this.scanner = saveScannerSettings(s);
  }

  /** The sale a receipt number names, from any register of this store (as far as the replica has it). */
  saleIdByNumber(receiptNo: string): string | undefined {
    return this.locationLedger.saleByNumber.get(receiptNo);
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
    // Their sale in progress first, then the cashier: the cart keeper must never store an empty
    // cart over the one they left.
    const mine = await this.heldSaleOf(staff.id);
    if (mine) this.cart.restore(mine);
    else this.cart.clear();
    this.cashier = staff;
    return staff;
  }

  /**
   * A cashier's stored sale in progress, reconciled with what is already on record: a sale that
   * was written (a crash right after "Sale complete") is not rung up again, and tenders already
   * given back in a payment void are not held twice.
   */
  private async heldSaleOf(cashierId: string): Promise<CartSnapshot | null> {
    await this.openSalesReady;
    // A read that fails must fail the sign-in: an empty cart here would be stored over theirs.
    const held = this.openSales ? await this.openSales.get(cashierId) : null;
    if (!held) return null;
    if (!held.saleId) return held;
    const db = this.locationDb;
    if (await findSale(db, held.saleId).catch(() => null)) {
      void this.openSales?.save(cashierId, null).catch(() => undefined);
      return null;
    }
    const voids = await paymentVoidsOf(db, this.registerKey, held.saleId).catch(() => []);
    const tenders = tendersStillHeld(held.tenders ?? [], voids);
    return { ...held, tenders, saleId: tenders.length ? held.saleId : null };
  }

  /** Sales in progress on this register with money taken, by cashier name (closing the shift waits for them). */
  async salesWithTenders(): Promise<{ cashierId: string; cashierName: string; taken: number }[]> {
    await this.openSalesReady;
    const all = (await this.openSales?.all()) ?? new Map<string, CartSnapshot>();
    const current = this.cashier;
    if (current) all.set(current.id, this.cart.snapshot());
    const out: { cashierId: string; cashierName: string; taken: number }[] = [];
    for (const [cashierId, cart] of all) {
      const tenders = cart.tenders ?? [];
      if (tenders.length === 0) continue;
      const name = this.ref?.staff.find((s) => s.userId === cashierId)?.name ?? cashierId;
      out.push({ cashierId, cashierName: name, taken: tenders.reduce((a, t) => a + t.amount, 0) });
    }
    return out;
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

  /** Locks the register; the cashier's sale in progress (tenders included) waits for them. */
  lock(): void {
    if (this.cashier) void this.openSales?.save(this.cashier.id, this.cart.isEmpty && !this.cart.locked ? null : this.cart.snapshot()).catch(() => undefined);
    this.cart.clear();
    this.cashier = null;
  }

  /** A manager's PIN for one action the cashier may not do; returns the approval to record, or why not. */
  async approve(pin: string, permission: Permission, action: Approval['action']): Promise<Approval | string> {
    if (!this.ref) return 'Store data is still loading.';
    const staff = await staffByPin(this.ref, pin);
    if (!staff) return 'That PIN does not match anyone at this store.';
    // who may approve is a role question (domain/permissions.ts); the cashier needs the next step, not the permission name
    if (!staffCan(staff, permission)) return `${staff.name} cannot approve this. Ask a manager to enter their PIN.`;
    return { action, staffId: staff.id, staffName: staff.name, at: new Date().toISOString() };
  }

  can(permission: Permission): boolean {
    return this.cashier ? staffCan(this.cashier, permission) : false;
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
   * The payment dialog opened: the sale gets the id it will be written under, stored with the cart,
   * so after a crash right after the sale was saved the cart is recognised as sold, not sold again.
   * A cart whose payment was abandoned before any tender gives its id up again (endPayment).
   */
  async beginPayment(): Promise<void> {
    const cashier = this.requireCashier();
    if (!this.cart.saleId) this.cart.saleId = `sale:${this.registerKey}:${newUlid()}`;
    await this.guard(() => this.requireOpenSales().save(cashier.id, this.cart.snapshot()));
  }

  /** The payment dialog closed without completing: with no tender taken, nothing ties the cart to an id. */
  endPayment(): void {
    if (!this.cart.locked) this.cart.saleId = null;
  }

  /**
   * Takes one tender toward the sale in progress. Returns once it is durable with the cart: only then
   * is the money shown as taken. A storage failure takes nothing (and says so).
   */
  async takeTender(t: Tender): Promise<void> {
    const cashier = this.requireCashier();
    if (this.storageError) throw new StorageError(this.storageError);
    if (!this.cart.saleId) this.cart.saleId = `sale:${this.registerKey}:${newUlid()}`;
    const snap = this.cart.snapshot();
    // stored first, shown second: a tender on screen is a tender on disk
    await this.guard(() => this.requireOpenSales().save(cashier.id, { ...snap, tenders: [...(snap.tenders ?? []), t] }));
    this.cart.tenders.push(t);
  }

  /**
   * Gives back tenders taken toward the sale in progress (`indexes` into cart.tenders; all by default):
   * writes a payment void first, then takes them off the cart, then prints the slip and opens the
   * drawer for cash. Never silently: the document and the slip say what went back.
   */
  async cancelTenders(reason: string, indexes?: number[]): Promise<{ doc: PaymentVoidDoc; printError: string }> {
    const cashier = this.requireCashier();
    const all = this.cart.tenders;
    const picked = (indexes ?? all.map((_, i) => i)).filter((i) => i >= 0 && i < all.length);
    if (picked.length === 0) throw new RangeError('No payment has been taken for this sale.');
    const taken = picked.map((i) => $state.snapshot(all[i]!) as Tender);
    const saleId = this.cart.saleId ?? `sale:${this.registerKey}:${newUlid()}`;
    const doc = buildPaymentVoid(
      { id: `payment_void:${this.registerKey}:${newUlid()}`, registerId: this.registerId, locationCode: this.locationCode, shiftId: this.shift?._id, cashierId: cashier.id, cashierName: cashier.name },
      { saleId, currency: this.currency, total: this.cart.totals.total, items: this.cart.lines.map((l) => ({ name: l.name, qty: l.qty })) },
      taken,
      reason
    );
    await this.guard(() => recordPaymentVoid(this.locationDb, doc));
    this.cart.tenders = all.filter((_, i) => !picked.includes(i));
    if (this.cart.tenders.length === 0) this.cart.saleId = null;
    // The void is on record; should this save fail, the next sign-in subtracts the void (heldSaleOf).
    await this.openSales?.save(cashier.id, this.cart.snapshot()).catch(() => undefined);
    this.sync.nudge();
    let printError = '';
    // the slip in the store's locale and time zone, printer-safe (store-format.ts)
    const paper = this.printFormat;
    try {
      await this.printReport(paymentVoidSlipLines(doc, paper.money, paper.dateTime), 'PAYMENT CANCELLED');
      if (taken.some((t) => t.kind === 'cash')) await this.openDrawer();
    } catch (err) {
      printError = `The cancelled payment is recorded, but the slip did not print: ${(err as Error).message}`;
    }
    return { doc, printError };
  }

  /** "Give back $20.00 in cash", one line per tender. */
  giveBack(tenders: readonly Tender[]): string[] {
    return tenders.map((t) => giveBackText(t, this.format.money));
  }

  private requireOpenSales(): OpenSales {
    if (!this.openSales) throw new StorageError('This register’s storage is not open yet; wait a moment and try again.');
    return this.openSales;
  }

  /**
   * Turns the cart and its payment into one immutable sale document and writes it locally. Returns
   * only after the write is durable; the receipt prints after this. Never waits for the network.
   */
  async completeSale(payment: { tenders: Tender[]; change: number; rounding: number }, extra: Partial<SaleDoc> = {}): Promise<SaleDoc & { _rev: string }> {
    const cashier = this.requireCashier();
    if (this.storageError) throw new StorageError(this.storageError);
    const t = this.cart.totals;
    const kind = this.cart.hasReturns ? (this.cart.hasSales ? 'exchange' : 'return') : 'sale';
    const now = new Date();
    const receiptNo = await this.guard(() => allocateReceiptNo(this.locationDb, this.registerKey, this.shortCode, storeDate(now, this.timeZone)));
    const sale: SaleDoc = {
      _id: this.saleIdForCompletion(),
      type: 'sale',
      kind,
      receiptNo,
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
      tenders: payment.tenders.map((x) => ({ kind: x.kind, amount: x.amount, ...(x.reference ? { reference: x.reference } : {}), ...(x.paymentId ? { paymentId: x.paymentId } : {}) })),
      change: payment.change,
      approvals: $state.snapshot(this.cart.approvals),
      ...(this.cart.layawayId ? { layawayId: this.cart.layawayId } : {}),
      ...(t.taxExemption ? { taxExemption: t.taxExemption } : {}),
      createdAt: now.toISOString(),
      ...extra
    };
    const saved = await this.guard(() => recordSale(this.locationDb, sale));
    this.cart.clear();
    // the cart keeper would do this too; doing it now narrows the window in which a crash brings back a sold cart
    void this.openSales?.save(cashier.id, null).catch(() => undefined);
    this.sync.nudge();
    return saved;
  }

  /**
   * The id the sale is written under: the one fixed when payment began, unless it predates the open
   * shift (a cart held across a shift close with no tender taken): the shift's reports read its sales
   * by id range from the shift's own ulid on.
   */
  private saleIdForCompletion(): string {
    const id = this.cart.saleId;
    const shiftUlid = this.shift?._id.slice(this.shift._id.lastIndexOf(':') + 1) ?? '';
    if (id && id.startsWith(`sale:${this.registerKey}:`) && id.slice(id.lastIndexOf(':') + 1) > shiftUlid) return id;
    return `sale:${this.registerKey}:${newUlid()}`;
  }

  // --- receipts and the drawer ------------------------------------------------------------------------

  readonly printer = new RegisterPrinter();

  /** How this register's receipts are headed: store, address, header/footer, register, the store's time zone. */
  receiptContext(sale: Pick<SaleDoc, 'cashierName'>): ReceiptContext {
    const ref = this.ref;
    return {
      storeName: ref?.settings.tenantName ?? 'Receipt',
      ...(ref ? { address: `${ref.location.name}\n${ref.location.address}` } : {}),
      ...(ref?.settings.receiptHeader ? { header: ref.settings.receiptHeader } : {}),
      ...(ref?.settings.receiptFooter ? { footer: ref.settings.receiptFooter } : {}),
      registerName: this.device.device.name,
      ...(sale.cashierName ? { cashierName: sale.cashierName } : {}),
      timeZone: this.timeZone,
      ...(ref?.location.locale ? { locale: ref.location.locale } : {})
    };
  }

  /** The receipt as it prints, line by line, for the on-screen preview (no printer needed). */
  receiptPreview(sale: SaleDoc, reprint = false): string[] {
    return receiptText(receiptLayout(sale, { ...this.receiptContext(sale), reprint }), 42);
  }

  /** Prints a sale's receipt (and kicks the drawer on cash). Throws with a reason; the sale stays saved. */
  async printReceipt(sale: SaleDoc, opts: { reprint: boolean }): Promise<void> {
    await this.printer.printSale(sale, this.receiptContext(sale), opts.reprint);
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
