import { DeviceSync } from '$lib/sync/device-sync.svelte';
import type { StoredDevice } from '$lib/ui/device-store';
import { newUlid } from '$lib/domain/ids';
import type { CountScope } from '$lib/domain/schemas';
import { LedgerFollower, LocationLedger, locationPrefixes } from '$lib/register/local-ledger';
import { loadReferenceData, referenceFromDocs, staffByPin, staffCan, type ReferenceData, type Staff } from '$lib/register/reference-data';
import type { ReaderInfo, RfidReader, TagRead } from '$lib/peripherals/rfid/reader';
import { readerFor, type ReaderChoice } from '$lib/peripherals/rfid/choose';
import { BatchProcessor, type FlushTick } from './batch-processor.ts';
import { RaptagStore, type LocalSession } from './raptag-db.ts';
import { tagResolver, type VariantCatalog } from './tag-resolver.ts';
import { demoTags } from './demo-tags.ts';
import { discardCount, liveCount, startCount, submitCount, type CountDeps, type LiveCount } from './flows/count.ts';

export type View = 'home' | 'count' | 'lookup' | 'locate' | 'transfers' | 'reader' | 'replenish';

const REFERENCE_RETRY_MS = 500;
/** Recomputing the live variance is cheap, but not on every flush of a 10k-tag count: at most this often. */
const LIVE_MS = 250;

/** Ticks of the live count the UI shows: what is durable and how it compares. */
export interface CountView {
  session: LocalSession;
  tick: FlushTick;
  live: LiveCount;
}

/**
 * One enrolled RFID phone: its sync, the reference data (who may sign in, the tenant's company
 * prefixes), the signed-in clerk, the paired reader, and the scan buffer. Components read this state
 * and call its verbs; the business flows are in `flows/`, storage in `raptag-db.ts`.
 */
export class RaptagApp {
  readonly sync = new DeviceSync();
  readonly store: RaptagStore;
  readonly ledger = new LocationLedger();
  readonly processor: BatchProcessor;
  ref = $state<ReferenceData | null>(null);
  staff = $state<Staff | null>(null);
  view = $state<View>('home');
  readerInfo = $state<ReaderInfo | null>(null);
  readerChoice = $state<ReaderChoice | null>(null);
  count = $state<CountView | null>(null);
  /** the last count submitted on this phone, for approval */
  submitted = $state<LocalSession | null>(null);
  startError = $state('');
  /** no read is waiting to be written: everything the reader sent is in the buffer and shown */
  readsSettled = $state(true);
  /** flows that want reads besides the scan buffer (locate, lookup) */
  private readListeners = new Set<(reads: TagRead[]) => void>();
  private barcodeListeners = new Set<(code: string) => void>();
  reader: RfidReader | null = null;
  private offReader: (() => void)[] = [];
  private follower: LedgerFollower | null = null;
  private refTimer: ReturnType<typeof setTimeout> | undefined;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTick: FlushTick | null = null;
  private stopped = false;

  constructor(readonly device: StoredDevice) {
    this.store = new RaptagStore(device.device.id);
    this.processor = new BatchProcessor(this.store, tagResolver(() => this.catalog, () => this.ref?.settings.gs1CompanyPrefixes ?? []));
    this.processor.onFlush((t) => {
      this.lastTick = t;
      this.scheduleLive();
    });
  }

  get locationCode(): string {
    return this.device.device.locationCode;
  }

  get deviceId(): string {
    return this.device.device.id;
  }

  get catalog(): VariantCatalog | null {
    return this.sync.index?.lookup ?? null;
  }

  get locationDb(): PouchDB.Database {
    const name = this.device.databases.location;
    const db = name ? this.sync.local(name) : null;
    if (!db) throw new Error('the location replica is not open yet');
    return db;
  }

  /** Local changes (counts, movements) not on the server yet. */
  get unsynced(): number {
    const name = this.device.databases.location;
    return name ? this.sync.pendingOf(name) : 0;
  }

  private get referenceKey(): string {
    return `raptag.reference.${this.device.databases.catalog ?? ''}.${this.locationCode}`;
  }

  async start(): Promise<void> {
    try {
      const cached = JSON.parse(localStorage.getItem(this.referenceKey) ?? 'null') as unknown[] | null;
      if (cached) this.ref = referenceFromDocs(cached, this.locationCode);
    } catch {
      /* no cached reference: wait for the replica */
    }
    await this.sync.start(this.device);
    this.follower = new LedgerFollower(this.locationDb, this.ledger, locationPrefixes);
    void this.loadReference();
    this.readerChoice = (await this.store.pref<ReaderChoice>('reader')) ?? null;
    const [active] = await this.store.activeSessions();
    if (active?.kind === 'count') await this.openCount(active);
    // the paired reader comes back by itself (a reload, an app restart): no chooser, no gesture
    if (this.readerChoice) void this.connectReader(this.readerChoice.kind, this.readerChoice.name, { reconnectOnly: true }).catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.refTimer);
    clearTimeout(this.liveTimer);
    this.follower?.stop();
    for (const off of this.offReader) off();
    void this.reader?.disconnect();
    this.sync.stop();
    this.store.close();
  }

  async loadReference(): Promise<void> {
    clearTimeout(this.refTimer);
    const catalogName = this.device.databases.catalog;
    const catalog = catalogName ? this.sync.local(catalogName) : null;
    const fromReplica = catalog ? await loadReferenceData(catalog, this.locationCode).catch(() => null) : null;
    const ref = fromReplica ?? referenceFromDocs(this.sync.referenceDocs, this.locationCode);
    if (ref) this.ref = ref;
    if (fromReplica) {
      try {
        localStorage.setItem(this.referenceKey, JSON.stringify([fromReplica.location, fromReplica.settings, ...fromReplica.staff]));
      } catch {
        /* a full localStorage only costs the fast cold start */
      }
    }
    // keep reading: staff and settings change (a new clerk, new company prefixes)
    if (!this.stopped) this.refTimer = setTimeout(() => void this.loadReference(), fromReplica ? 30_000 : REFERENCE_RETRY_MS);
  }

  // --- sign-in ---------------------------------------------------------------------------------

  /** A clerk signs in with their PIN, offline (the staff directory replicates to the phone). */
  async signIn(pin: string): Promise<Staff | null> {
    if (!this.ref) return null;
    const staff = await staffByPin(this.ref, pin);
    if (!staff || !staffCan(staff, 'inventory:count')) return null;
    this.staff = staff;
    return staff;
  }

  lock(): void {
    this.staff = null;
    this.view = 'home';
  }

  // --- the reader ------------------------------------------------------------------------------

  /** Pairs (or reconnects) a reader of this kind and remembers it. Needs a user gesture for Bluetooth/Serial. */
  async connectReader(kind: ReaderChoice['kind'], name: string, opts: { reconnectOnly?: boolean } = {}): Promise<void> {
    await this.disconnectReader();
    const previous = this.readerChoice?.kind === kind ? this.readerChoice : null;
    const choice: ReaderChoice = previous ?? { kind, name };
    const reader = readerFor(choice, () => demoTags(this.catalog ?? emptyCatalog, this.ledger.onHand, this.ref?.settings.gs1CompanyPrefixes ?? []));
    this.attachReader(reader);
    await reader.connect(opts);
    if (choice.powerDbm) await reader.setPower(choice.powerDbm);
    const saved: ReaderChoice = { kind, name: reader.info.name, ...(reader.deviceId ? { deviceId: reader.deviceId } : {}), ...(reader.info.powerDbm ? { powerDbm: reader.info.powerDbm } : {}) };
    this.readerChoice = saved;
    await this.store.setPref('reader', saved);
  }

  private attachReader(reader: RfidReader): void {
    for (const off of this.offReader) off();
    this.reader = reader;
    this.readerInfo = reader.info;
    this.offReader = [
      reader.on('info', (i) => {
        const stopped = this.readerInfo?.scanning && !i.scanning;
        this.readerInfo = i;
        if (stopped) void this.settleReads();
      }),
      reader.on('reads', (reads) => {
        if (this.readsSettled && this.processor.session) this.readsSettled = false;
        this.processor.push(reads);
        for (const fn of this.readListeners) fn(reads);
      }),
      reader.on('barcode', (code) => {
        for (const fn of this.barcodeListeners) fn(code);
      })
    ];
  }

  async disconnectReader(): Promise<void> {
    const r = this.reader;
    if (!r) return;
    this.reader = null;
    for (const off of this.offReader) off();
    this.offReader = [];
    await r.disconnect().catch(() => undefined);
    this.readerInfo = null;
  }

  async forgetReader(): Promise<void> {
    await this.disconnectReader();
    this.readerChoice = null;
    await this.store.setPref('reader', null);
  }

  async setPower(dBm: number): Promise<void> {
    await this.reader?.setPower(dBm);
    if (this.readerChoice) {
      this.readerChoice = { ...this.readerChoice, powerDbm: dBm };
      await this.store.setPref('reader', this.readerChoice);
    }
  }

  async toggleScan(): Promise<void> {
    if (!this.reader) return;
    if (this.reader.info.scanning) {
      await this.reader.stopInventory();
      await this.settleReads();
    } else await this.reader.startInventory();
  }

  /** After the reader stops: write what is still queued and show the final numbers. */
  async settleReads(): Promise<void> {
    await this.processor.settle();
    this.refreshLive();
    if (!this.reader?.info.scanning) this.readsSettled = true;
  }

  onReads(fn: (reads: TagRead[]) => void): () => void {
    this.readListeners.add(fn);
    return () => this.readListeners.delete(fn);
  }

  onBarcode(fn: (code: string) => void): () => void {
    this.barcodeListeners.add(fn);
    return () => this.barcodeListeners.delete(fn);
  }

  // --- counts ----------------------------------------------------------------------------------

  private countDeps(): CountDeps {
    return {
      store: this.store,
      location: this.locationDb as unknown as CountDeps['location'],
      onHand: async () => {
        await this.follower?.ready;
        return this.ledger.onHand;
      },
      catalog: () => this.catalog,
      device: { id: this.deviceId, locationCode: this.locationCode },
      now: () => new Date().toISOString(),
      ulid: () => newUlid()
    };
  }

  async beginCount(scope: CountScope, zone: string): Promise<void> {
    if (!this.staff) throw new Error('Sign in first');
    const session = await startCount(this.countDeps(), { scope, zone, staff: { id: this.staff.id, name: this.staff.name } });
    await this.openCount(session);
  }

  private async openCount(session: LocalSession): Promise<void> {
    const tick = await this.processor.open(session.id, session.zone);
    this.lastTick = tick;
    await this.follower?.ready;
    this.count = { session, tick, live: liveCount(session, this.ledger.onHand, this.processor.counted(), this.catalog) };
  }

  setZone(zone: string): void {
    if (!this.count) return;
    this.processor.setZone(zone);
    const session = { ...this.count.session, zone };
    this.count = { ...this.count, session };
    void this.store.saveSession(session);
  }

  private scheduleLive(): void {
    if (this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      this.refreshLive();
    }, LIVE_MS);
  }

  /** Recomputes the live variance from what is durable (also after sales replicate in). */
  refreshLive(): void {
    const c = this.count;
    if (!c || !this.lastTick || this.lastTick.sessionId !== c.session.id) return;
    this.count = { session: c.session, tick: this.lastTick, live: liveCount(c.session, this.ledger.onHand, this.processor.counted(), this.catalog) };
  }

  async finishCount(): Promise<void> {
    const c = this.count;
    if (!c || !this.staff) return;
    await this.reader?.stopInventory();
    await this.processor.settle();
    await submitCount(this.countDeps(), c.session.id, this.processor.counted(), { id: this.staff.id, name: this.staff.name });
    await this.processor.close();
    this.submitted = (await this.store.getSession(c.session.id)) ?? null;
    this.count = null;
    this.sync.nudge();
  }

  async abandonCount(): Promise<void> {
    const c = this.count;
    if (!c) return;
    await this.reader?.stopInventory();
    await this.processor.close();
    await discardCount(this.countDeps(), c.session.id);
    this.count = null;
  }
}

const emptyCatalog: VariantCatalog = {
  byGtin14: () => undefined,
  variant: () => undefined,
  find: () => undefined,
  entries: function* () {},
  size: 0
};
