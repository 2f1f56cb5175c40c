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
import { discardCount, expectedFor, liveCount, startCount, submitCount, type CountDeps, type LiveCount } from './flows/count.ts';
import { joinedSession, openSharedCounts, othersReads, publishReads, submittedElsewhere, type OpenSharedCount, type ShareDeps } from './flows/shared-count.ts';
import { flushOutbox, type OutboxDeps } from './flows/outbox.ts';
import { Lookup, type LookupState } from './flows/lookup.ts';
import { Locator, type LocateTarget } from './flows/locate.ts';
import { newTransferSession, receiveScanned, shipPicked, transferProgress, type TransferDeps, type TransferMode, type TransferProgress } from './flows/transfer.ts';
import { PhoneApi, type TransferWithDirection } from './raptag-api.ts';
import { docsByPrefix } from './raptag-db.ts';
import { replenishment, type ReplenishLine } from '$lib/domain/rfid-count';
import { transferSchema, type Transfer } from '$lib/domain/schemas';
import type { OutboxItem } from './raptag-db.ts';

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
  ref = $state.raw<ReferenceData | null>(null);
  staff = $state<Staff | null>(null);
  view = $state<View>('home');
  readerInfo = $state<ReaderInfo | null>(null);
  readerChoice = $state<ReaderChoice | null>(null);
  // Large objects replaced whole on every tick: `raw` keeps Svelte from proxying 10,000 lines deeply
  // (reading them through proxies cost hundreds of milliseconds per tick on a 10k count).
  count = $state.raw<CountView | null>(null);
  /** the last count submitted on this phone, for approval */
  submitted = $state.raw<LocalSession | null>(null);
  startError = $state('');
  /** no read is waiting to be written: everything the reader sent is in the buffer and shown */
  readsSettled = $state(true);
  /** API calls waiting for the network (ship, receive), with the last refusal if any */
  outbox = $state<OutboxItem[]>([]);
  lookup = $state.raw<LookupState | null>(null);
  locate = $state<{ target: LocateTarget; label: string; value: number | null; lastRssi: number | null } | null>(null);
  transfers = $state.raw<TransferWithDirection[] | null>(null);
  transfersError = $state('');
  transferWork = $state.raw<{ session: LocalSession; transfer: Transfer; progress: TransferProgress } | null>(null);
  /** shared counts other phones of this store have open (to join) */
  sharedCounts = $state.raw<OpenSharedCount[]>([]);
  /** set when another phone submitted the shared count this phone was on */
  closedElsewhere = $state('');
  private shareTimer: ReturnType<typeof setInterval> | undefined;
  readonly api = new PhoneApi(() => this.device.deviceToken);
  private lookupFlow: Lookup | null = null;
  private locator: Locator | null = null;
  private locateTimer: ReturnType<typeof setInterval> | undefined;
  private outboxTimer: ReturnType<typeof setInterval> | undefined;
  private onlineHandler = () => void this.flushQueue();
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
    await this.refreshQueue();
    addEventListener('online', this.onlineHandler);
    this.outboxTimer = setInterval(() => void this.flushQueue(), 15_000);
    void this.flushQueue();
    // the paired reader comes back by itself (a reload, an app restart): no chooser, no gesture
    if (this.readerChoice) void this.connectReader(this.readerChoice.kind, this.readerChoice.name, { reconnectOnly: true }).catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    removeEventListener('online', this.onlineHandler);
    clearInterval(this.outboxTimer);
    clearInterval(this.locateTimer);
    clearInterval(this.shareTimer);
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
        // reads count only on the screen of the session they belong to (a locate in the middle of a
        // count must not add the tags it hears to the count)
        if ((this.view === 'count' || this.view === 'transfers') && this.processor.session) {
          if (this.readsSettled) this.readsSettled = false;
          this.processor.push(reads);
        }
        if (this.view === 'lookup') void this.lookupReads(reads);
        if (this.view === 'locate' && this.locator?.push(reads)) this.showLocate();
        for (const fn of this.readListeners) fn(reads);
      }),
      reader.on('barcode', (code) => {
        if (this.view === 'lookup') void this.lookupCode(code);
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
      const choice = { ...$state.snapshot(this.readerChoice), powerDbm: dBm };
      this.readerChoice = choice;
      await this.store.setPref('reader', choice);
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

  async beginCount(scope: CountScope, zone: string, shared = false): Promise<void> {
    if (!this.staff) throw new Error('Sign in first');
    const session = await startCount(this.countDeps(), { scope, zone, staff: { id: this.staff.id, name: this.staff.name }, shared });
    await this.openCount(session);
  }

  /** Joins a count another phone of this store started: same session id, their reads merged into ours. */
  async joinCount(open: OpenSharedCount, zone: string): Promise<void> {
    if (!this.staff) throw new Error('Sign in first');
    const plain = $state.snapshot(open) as OpenSharedCount; // the list is runes state: IndexedDB cannot clone its proxies
    const session = joinedSession(plain, zone, { id: this.staff.id, name: this.staff.name }, await expectedFor(this.countDeps(), plain.scope));
    await this.store.saveSession(session);
    await this.openCount(session);
    await this.syncShared();
  }

  async loadSharedCounts(): Promise<void> {
    this.sharedCounts = await openSharedCounts(this.shareDeps(), Date.now()).catch(() => []);
  }

  private shareDeps(): ShareDeps {
    // published in memory first: a flush of a re-read row between the two must not write the old flag back
    const store: ShareDeps['store'] = {
      unpublishedTags: (id) => this.store.unpublishedTags(id),
      saveSession: (session) => this.store.saveSession(session),
      markPublished: (id, epcs) => {
        if (this.processor.session === id) this.processor.markPublished(epcs);
        return this.store.markPublished(id, epcs);
      }
    };
    return { store, location: this.locationDb as unknown as ShareDeps['location'], device: { id: this.deviceId, locationCode: this.locationCode }, now: () => new Date().toISOString(), ulid: () => newUlid() };
  }

  /** A shared count: publish our new reads, merge the other phones', notice when one of them submitted. */
  async syncShared(): Promise<void> {
    const c = this.count;
    if (!c?.session.shared) return;
    const deps = this.shareDeps();
    const session = $state.snapshot(c.session) as LocalSession;
    if (await submittedElsewhere(deps.location, session)) {
      await this.processor.close();
      await this.store.saveSession({ ...session, status: 'submitted' });
      this.count = null;
      this.closedElsewhere = 'Another phone submitted this count; it is closed here.';
      return;
    }
    await publishReads(deps, session);
    const theirs = await othersReads(deps, session);
    if (theirs.ids.length) {
      if (this.processor.session === session.id) this.processor.merge(theirs.rows);
      const next = { ...session, merged: [...(session.merged ?? []), ...theirs.ids] };
      await this.store.saveSession(next);
      if (this.count?.session.id === session.id) this.count = { ...this.count, session: next };
    }
    this.sync.nudge();
  }

  private async openCount(session: LocalSession): Promise<void> {
    const tick = await this.processor.open(session.id, session.zone);
    this.lastTick = tick;
    await this.follower?.ready;
    this.closedElsewhere = '';
    this.count = { session, tick, live: liveCount(session, this.ledger.onHand, this.processor.counted(), this.catalog) };
    clearInterval(this.shareTimer);
    if (session.shared) this.shareTimer = setInterval(() => void this.syncShared().catch(() => undefined), 3_000);
  }

  setZone(zone: string): void {
    if (!this.count) return;
    this.processor.setZone(zone);
    // runes state is a proxy IndexedDB cannot clone: store a plain snapshot
    const session = { ...$state.snapshot(this.count.session), zone };
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

  /** Recomputes the live numbers from what is durable (also after sales replicate in). */
  refreshLive(): void {
    const c = this.count;
    if (c && this.lastTick && this.lastTick.sessionId === c.session.id) {
      this.count = { session: c.session, tick: this.lastTick, live: liveCount(c.session, this.ledger.onHand, this.processor.countedNow(), this.catalog) };
    }
    const w = this.transferWork;
    if (w && this.processor.session === w.session.id) this.transferWork = { ...w, progress: transferProgress(w.session.lines ?? [], this.processor.counted()) };
  }

  /** Binds the scan buffer to the count again when its screen opens (a transfer may have had it). */
  async showCount(): Promise<void> {
    this.view = 'count';
    if (this.count && this.processor.session !== this.count.session.id) await this.openCount(this.count.session);
  }

  async finishCount(): Promise<void> {
    const c = this.count;
    if (!c || !this.staff) return;
    await this.reader?.stopInventory();
    await this.processor.settle();
    if (c.session.shared) {
      // last round: what the others read so far is in the count we submit
      await this.syncShared();
      await this.processor.settle();
      if (!this.count) return; // another phone submitted meanwhile
    }
    clearInterval(this.shareTimer);
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
    clearInterval(this.shareTimer);
    await this.processor.close();
    await discardCount(this.countDeps(), c.session.id);
    this.count = null;
  }

  /** Moves between screens, leaving the one we were on cleanly (locating stops, a pick is kept for later). */
  async go(view: View): Promise<void> {
    if (this.view === 'locate' && view !== 'locate') this.stopLocate();
    if (this.view === 'transfers' && view !== 'transfers' && this.transferWork) await this.leaveTransfer();
    if (view === 'count') return this.showCount();
    if (view === 'lookup') return this.openLookup();
    this.view = view;
    if (view === 'transfers') void this.loadTransfers();
  }

  // --- approval on the phone (online) -----------------------------------------------------------

  /** A manager approves the submitted count with their PIN: the server checks PIN, role and store. */
  async approveSubmitted(pin: string): Promise<string> {
    const s = this.submitted;
    if (!s) throw new Error('No submitted count on this phone');
    const session = await this.api.pinSession(pin);
    if (!session.user.permissions.includes('inventory:adjust')) throw new Error(`${session.user.name} may not approve counts`);
    const out = await this.api.approveCount(s.id, session.accessToken);
    return out.session.status;
  }

  // --- the offline queue ------------------------------------------------------------------------

  private outboxDeps(): OutboxDeps {
    return { store: this.store, send: (path, body) => this.api.post(path.replace(/^\/api\/v1/, ''), body), now: () => new Date().toISOString() };
  }

  async refreshQueue(): Promise<void> {
    this.outbox = await this.store.queued();
  }

  /** Sends queued calls when the network allows (on start, when back online, every 15 s). */
  async flushQueue(): Promise<void> {
    if (!this.outbox.length && !(await this.store.queued()).length) return;
    await flushOutbox(this.outboxDeps()).catch(() => undefined);
    await this.refreshQueue();
  }

  // --- lookup -----------------------------------------------------------------------------------

  openLookup(): void {
    this.view = 'lookup';
    this.lookupFlow = new Lookup({
      catalog: () => this.catalog,
      resolve: (epc) => this.processor.row(epc) ?? this.resolveTag(epc),
      onHand: (v) => this.ledger.stock(v).onHand,
      elsewhere: (v) => this.api.stockAcross([v])
    });
    this.lookup = this.lookupFlow.state;
  }

  private resolveTag = tagResolver(() => this.catalog, () => this.ref?.settings.gs1CompanyPrefixes ?? []);

  async lookupCode(code: string): Promise<void> {
    if (!this.lookupFlow) this.openLookup();
    this.lookupFlow!.clear();
    this.lookup = await this.lookupFlow!.identify(code);
  }

  private async lookupReads(reads: TagRead[]): Promise<void> {
    if (this.lookupFlow && (await this.lookupFlow.push(reads))) this.lookup = this.lookupFlow.state;
  }

  clearLookup(): void {
    this.lookupFlow?.clear();
    this.lookup = this.lookupFlow?.state ?? null;
  }

  // --- locate -----------------------------------------------------------------------------------

  /** Starts locating a variant or one EPC; the reader switches to session 0 (every tag answers every round). */
  startLocate(target: LocateTarget, label: string): void {
    this.locator = new Locator(target, (epc) => this.resolveTag(epc).variantId);
    this.locate = { target, label, value: null, lastRssi: null };
    (this.reader as { setSession?: (s: 0 | 1) => void } | null)?.setSession?.(0);
    clearInterval(this.locateTimer);
    this.locateTimer = setInterval(() => {
      this.locator?.tick(Date.now());
      this.showLocate();
    }, 200);
  }

  private showLocate(): void {
    const l = this.locator;
    if (!l || !this.locate) return;
    if (this.locate.value !== l.value || this.locate.lastRssi !== l.lastRssi) this.locate = { ...this.locate, value: l.value, lastRssi: l.lastRssi };
  }

  get locateInterval(): number | null {
    return this.locator?.interval ?? null;
  }

  stopLocate(): void {
    clearInterval(this.locateTimer);
    this.locator = null;
    this.locate = null;
    (this.reader as { setSession?: (s: 0 | 1) => void } | null)?.setSession?.(1);
    void this.reader?.stopInventory();
  }

  // --- transfers --------------------------------------------------------------------------------

  /** This store's transfers: from the server when online, else the drafts its replica holds (last list kept). */
  async loadTransfers(): Promise<void> {
    this.transfersError = '';
    try {
      const list = await this.api.transfers(this.locationCode);
      this.transfers = list;
      await this.store.setPref('transfers', list);
    } catch (err) {
      const kept = (await this.store.pref<TransferWithDirection[]>('transfers')) ?? [];
      const local = (await docsByPrefix<unknown>(this.locationDb as never, `transfer:${this.locationCode}:`))
        .map((d) => transferSchema.safeParse(d))
        .flatMap((r) => (r.success ? [{ ...r.data, direction: 'out' as const, inTransit: r.data.status === 'shipped' }] : []));
      const byId = new Map([...kept, ...local].map((t) => [t._id, t]));
      this.transfers = [...byId.values()];
      this.transfersError = `Offline: showing what this phone already knows (${(err as Error).message})`;
    }
  }

  private transferDeps(): TransferDeps {
    return { store: this.store, outbox: this.outboxDeps(), now: () => new Date().toISOString() };
  }

  async openTransfer(t: Transfer, mode: TransferMode): Promise<void> {
    if (!this.staff) throw new Error('Sign in first');
    const id = `${mode}:${t._id}`;
    const session = (await this.store.getSession(id)) ?? newTransferSession(mode, t, { id: this.staff.id, name: this.staff.name }, new Date().toISOString());
    await this.store.saveSession(session);
    this.lastTick = await this.processor.open(session.id, 'floor');
    this.transferWork = { session, transfer: t, progress: transferProgress(session.lines ?? [], this.processor.counted()) };
  }

  async finishTransfer(): Promise<void> {
    const w = this.transferWork;
    if (!w) return;
    await this.reader?.stopInventory();
    await this.processor.settle();
    const label = `${w.transfer.locationCode} → ${w.transfer.toLocationCode}`;
    const session = $state.snapshot(w.session) as LocalSession;
    if (session.kind === 'pick') await shipPicked(this.transferDeps(), session, label);
    else await receiveScanned(this.transferDeps(), session, this.processor.counted(), label);
    await this.processor.close();
    this.transferWork = null;
    await this.refreshQueue();
    await this.flushQueue();
    await this.loadTransfers();
  }

  async leaveTransfer(): Promise<void> {
    await this.reader?.stopInventory();
    await this.processor.settle();
    this.transferWork = null;
  }

  // --- replenishment ----------------------------------------------------------------------------

  /** Floor vs back room from the count in progress (or none): what to bring out. */
  replenishList(target = 1): ReplenishLine[] {
    if (!this.count || this.processor.session !== this.count.session.id) return [];
    return replenishment(this.processor.counted('floor'), this.processor.counted('backroom'), () => target);
  }
}

const emptyCatalog: VariantCatalog = {
  byGtin14: () => undefined,
  variant: () => undefined,
  find: () => undefined,
  entries: function* () {},
  size: 0
};