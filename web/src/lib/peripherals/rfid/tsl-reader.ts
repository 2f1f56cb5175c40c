import { Emitter, MAX_POWER_DBM, MIN_POWER_DBM, ReaderError, type ReaderEvents, type ReaderInfo, type RfidReader, type TagRead } from './reader.ts';
import { message, type ByteTransport } from './transport.ts';
import {
  batteryPercent,
  commandName,
  COMMANDS,
  encodeCommand,
  ER_NO_TRANSPONDER,
  fieldOf,
  inventoryCommand,
  LineFramer,
  TslStream,
  type TslEvent,
  type TslField
} from './tsl-protocol.ts';

/** A reply slower than this means the link is dead even if nobody told us (a BLE link can hang silently). */
export const COMMAND_TIMEOUT_MS = 5_000;
/** Reconnect attempts after a dropped link, and the waits before each (a reader walking back into range). */
export const RECONNECT_DELAYS_MS = [250, 1_000, 2_000, 4_000, 8_000] as const;
/** Counting: session 1 lets each tag answer about once per pass, so a crowd of thousands is read quickly. */
export const COUNT_SESSION = 1 as const;

interface Pending {
  name: string;
  resolve(r: { fields: TslField[]; error?: string }): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export interface TslReaderOptions {
  /** start inventorying when the trigger is pulled (and stop on release); default true */
  triggerStartsInventory?: boolean;
  commandTimeoutMs?: number;
  reconnectDelaysMs?: readonly number[];
  /** Gen2 session for inventory rounds (0 for locating: every tag answers every round) */
  session?: 0 | 1 | 2 | 3;
  now?: () => number;
}

/**
 * TSL ASCII 2.0 reader over any byte transport. One command in flight at a time (the reader runs
 * them in order); inventory is a loop of `.iv` rounds while scanning, each round's transponders
 * emitted as one `reads` batch per received chunk. Trigger pulls come as `SW:` reports; replies the
 * reader runs on its own (its switch action) are taken as reads too. A dropped link is reconnected
 * with backoff and a scan in progress resumes.
 */
export class TslReader implements RfidReader {
  readonly kind: 'bluetooth' | 'serial' | 'simulated';
  info: ReaderInfo;
  private readonly events = new Emitter<ReaderEvents>();
  private readonly framer = new LineFramer();
  private readonly stream = new TslStream();
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private power = MAX_POWER_DBM;
  private loop: Promise<void> | null = null;
  private wantScan = false;
  private closing = false;
  private readonly opts: Required<Omit<TslReaderOptions, 'session'>> & { session: 0 | 1 | 2 | 3 };

  constructor(
    private readonly transport: ByteTransport,
    opts: TslReaderOptions = {}
  ) {
    this.kind = transport.kind;
    this.opts = {
      triggerStartsInventory: opts.triggerStartsInventory ?? true,
      commandTimeoutMs: opts.commandTimeoutMs ?? COMMAND_TIMEOUT_MS,
      reconnectDelaysMs: opts.reconnectDelaysMs ?? RECONNECT_DELAYS_MS,
      session: opts.session ?? COUNT_SESSION,
      now: opts.now ?? (() => Date.now())
    };
    this.info = { kind: transport.kind, name: transport.name, status: 'disconnected', scanning: false, powerDbm: this.power };
    transport.onData = (chunk) => this.onChunk(chunk);
    transport.onClose = (reason) => void this.onDropped(reason);
  }

  get deviceId(): string | undefined {
    return this.transport.deviceId;
  }

  on<K extends keyof ReaderEvents>(event: K, fn: (v: ReaderEvents[K]) => void): () => void {
    return this.events.on(event, fn);
  }

  private update(patch: Partial<ReaderInfo>): void {
    this.info = { ...this.info, ...patch, name: this.transport.name };
    this.events.emit('info', this.info);
  }

  /** Gen2 session for the next rounds (locating wants 0). */
  setSession(session: 0 | 1 | 2 | 3): void {
    this.opts.session = session;
  }

  async connect(opts: { reconnectOnly?: boolean } = {}): Promise<void> {
    this.closing = false;
    this.update({ status: 'connecting', error: undefined });
    try {
      if (!opts.reconnectOnly) await this.transport.open();
      else if (!(await this.transport.reopen())) throw new ReaderError(`${this.transport.name} is not in reach; pair it again from the reader screen.`);
      await this.initialise();
    } catch (err) {
      this.update({ status: 'disconnected', error: message(err) });
      throw err instanceof ReaderError ? err : new ReaderError(`The reader did not connect: ${message(err)}`);
    }
  }

  /** What every (re)connection does: clean parser state, who the reader is, its battery, trigger reports on. */
  private async initialise(): Promise<void> {
    this.framer.reset();
    this.stream.reset();
    const version = await this.command(COMMANDS.version);
    const firmware = fieldOf(version.fields, 'UF') ?? fieldOf(version.fields, 'RF');
    const serial = fieldOf(version.fields, 'US');
    await this.command(COMMANDS.switchReports);
    const battery = batteryPercent((await this.command(COMMANDS.battery)).fields);
    this.update({ status: 'connected', error: undefined, ...(firmware ? { firmware } : {}), ...(serial ? { serial } : {}), ...(battery !== undefined ? { battery } : {}) });
  }

  async refresh(): Promise<void> {
    const battery = batteryPercent((await this.command(COMMANDS.battery)).fields);
    if (battery !== undefined) this.update({ battery });
  }

  async setPower(dBm: number): Promise<void> {
    this.power = Math.max(MIN_POWER_DBM, Math.min(MAX_POWER_DBM, Math.round(dBm)));
    this.update({ powerDbm: this.power });
  }

  async startInventory(): Promise<void> {
    this.wantScan = true;
    if (this.info.status !== 'connected') return; // resumes after the reconnect
    this.loop ??= this.runInventory().finally(() => (this.loop = null));
  }

  async stopInventory(): Promise<void> {
    this.wantScan = false;
    await this.loop;
  }

  private async runInventory(): Promise<void> {
    this.update({ scanning: true });
    try {
      while (this.wantScan && this.info.status === 'connected') {
        const reply = await this.command(inventoryCommand({ powerDbm: this.power, session: this.opts.session, rssi: true }));
        if (reply.error && reply.error !== ER_NO_TRANSPONDER) throw new ReaderError(`Inventory failed (error ${reply.error})`);
      }
    } catch (err) {
      // a dropped link ends the loop here; onDropped restarts it once the reader is back
      if (this.info.status === 'connected') this.update({ error: message(err) });
    } finally {
      this.update({ scanning: false });
    }
  }

  /** Sends one command and resolves with its reply's fields (commands queue: one in flight at a time). */
  command(line: string): Promise<{ fields: TslField[]; error?: string }> {
    const run = async () => {
      const name = commandName(line);
      const reply = new Promise<{ fields: TslField[]; error?: string }>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (this.pending?.timer === timer) this.pending = null;
          reject(new ReaderError(`The reader did not answer ${name} within ${this.opts.commandTimeoutMs / 1000} s`));
          // a silent link is a dead link: reconnect
          void this.onDropped('no answer');
        }, this.opts.commandTimeoutMs);
        this.pending = { name, resolve, reject, timer };
      });
      try {
        await this.transport.write(encodeCommand(line));
      } catch (err) {
        this.failPending(new ReaderError(`Could not send to the reader: ${message(err)}`));
      }
      return reply;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private failPending(err: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.reject(err);
  }

  private onChunk(chunk: Uint8Array): void {
    const events = this.stream.lines(this.framer.push(chunk));
    if (events.length) this.handle(events);
  }

  private handle(events: TslEvent[]): void {
    const reads: TagRead[] = [];
    const at = this.opts.now();
    for (const ev of events) {
      switch (ev.type) {
        case 'transponder':
          reads.push(ev.transponder.rssi !== undefined ? { epc: ev.transponder.epc, rssi: ev.transponder.rssi, at } : { epc: ev.transponder.epc, at });
          break;
        case 'response': {
          const p = this.pending;
          if (p && commandName(ev.command) === p.name) {
            this.pending = null;
            clearTimeout(p.timer);
            p.resolve(ev.error !== undefined ? { fields: ev.fields, error: ev.error } : { fields: ev.fields });
          }
          // otherwise: a reply the reader ran on its own (switch action); its transponders are reads already
          break;
        }
        case 'switch':
          if (ev.state === 'off') {
            this.events.emit('trigger', 'released');
            if (this.opts.triggerStartsInventory) void this.stopInventory();
          } else {
            this.events.emit('trigger', 'pulled');
            if (this.opts.triggerStartsInventory) void this.startInventory();
          }
          break;
        case 'barcode':
          this.events.emit('barcode', ev.code);
          break;
        case 'noise':
          break; // a garbled line on a weak link: never a read
      }
    }
    if (reads.length) this.events.emit('reads', reads);
  }

  private reconnecting = false;

  private async onDropped(reason: string): Promise<void> {
    if (this.closing || this.reconnecting || this.info.status === 'disconnected') return;
    this.reconnecting = true;
    const resume = this.wantScan;
    this.failPending(new ReaderError(`The reader connection dropped (${reason})`));
    this.update({ status: 'reconnecting', scanning: false, error: `Connection lost (${reason}); reconnecting…` });
    try {
      for (const delay of this.opts.reconnectDelaysMs) {
        await new Promise((r) => setTimeout(r, delay));
        if (this.closing) return;
        let ok = false;
        try {
          ok = await this.transport.reopen();
          if (ok) await this.initialise();
        } catch {
          ok = false;
        }
        if (ok) {
          if (resume) {
            this.wantScan = true;
            void this.startInventory();
          }
          return;
        }
      }
      this.wantScan = false;
      this.update({ status: 'disconnected', error: 'The reader is out of reach. Check it is on and close by, then connect again.' });
    } finally {
      this.reconnecting = false;
    }
  }

  async disconnect(): Promise<void> {
    this.closing = true;
    this.wantScan = false;
    this.failPending(new ReaderError('disconnected'));
    await this.loop?.catch(() => undefined);
    await this.transport.close().catch(() => undefined);
    this.update({ status: 'disconnected', scanning: false });
  }
}
