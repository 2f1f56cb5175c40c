/**
 * A simulated TSL handheld: it answers the same ASCII 2.0 commands with the same bytes a real one
 * sends, so the real driver (tsl-reader.ts) runs unchanged against it — in unit tests through
 * `SimulatedTransport`, in the demo, and in Playwright behind a fake `navigator.bluetooth` /
 * `navigator.serial` (tests/e2e/support/rfid-page.ts) that streams its output as BLE notifications.
 *
 * What it models: a tag population with distances; reads per second; each inventory pass reports
 * every tag in range once, in shuffled order (session 1 anti-collision), plus duplicates; RSSI from
 * distance and output power with jitter (it rises as a tag "approaches": `setDistance`); range
 * shrinking with lower power; garbled lines; replies split into chunks at random byte positions;
 * a dropped link (`dropLink`), and the trigger (`pullTrigger` / `releaseTrigger`).
 * Deterministic for a given seed. No DOM, no Node APIs.
 */

export interface SimTag {
  epc: string;
  /** metres from the reader; default 1.5 */
  distance?: number;
}

export interface SimulatorOptions {
  tags?: SimTag[];
  /** transponder replies per second while inventorying (handhelds: 200–700; default 600) */
  readsPerSecond?: number;
  /** length of one `.iv` round, ms (default 50) */
  roundMs?: number;
  /** chance that a reported tag is reported twice in the same round (default 0.1) */
  duplicateRate?: number;
  /** chance per round of one garbled line in the reply (default 0) */
  noiseRate?: number;
  /** ± dB of RSSI jitter (default 2) */
  rssiJitter?: number;
  /** reading range at full power (29 dBm), metres (default 8) */
  rangeM?: number;
  /** smallest and largest chunk the link delivers, bytes (default 20–180: BLE notification sizes) */
  chunkBytes?: [number, number];
  battery?: number;
  seed?: number;
  name?: string;
  /** timers (tests may pass fake ones) */
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export const NUS_SERVICE = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';
/** host → reader (write) */
export const NUS_RX = '6e400002-b5a3-f393-e0a9-e50e24dcca9e';
/** reader → host (notify) */
export const NUS_TX = '6e400003-b5a3-f393-e0a9-e50e24dcca9e';

/**
 * mulberry32: small, fast, deterministic — a copy of domain/prng.ts on purpose: this file has no imports,
 * because the e2e tests transpile it alone and evaluate it in the page (tests/e2e/support/rfid.ts).
 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
};

export class TslSimulator {
  /** reader → host bytes; set by the transport */
  onBytes: ((chunk: Uint8Array) => void) | null = null;
  /** the link dropped (set by the transport) */
  onDrop: (() => void) | null = null;
  readonly stats = { rounds: 0, reported: 0, commands: 0 };
  connected = false;
  /** false: switched off or out of range, so reconnecting fails */
  reachable = true;
  private tags = new Map<string, number>();
  private order: string[] = [];
  private cursor = 0;
  private input = '';
  private busy = Promise.resolve();
  private readonly rand: () => number;
  private readonly o: Required<Omit<SimulatorOptions, 'tags' | 'seed' | 'setTimer'>> & { setTimer: (fn: () => void, ms: number) => unknown };
  private switchReports = false;

  constructor(opts: SimulatorOptions = {}) {
    this.rand = prng(opts.seed ?? 1);
    this.o = {
      readsPerSecond: opts.readsPerSecond ?? 600,
      roundMs: opts.roundMs ?? 50,
      duplicateRate: opts.duplicateRate ?? 0.1,
      noiseRate: opts.noiseRate ?? 0,
      rssiJitter: opts.rssiJitter ?? 2,
      rangeM: opts.rangeM ?? 8,
      chunkBytes: opts.chunkBytes ?? [20, 180],
      battery: opts.battery ?? 87,
      name: opts.name ?? 'TSL 1128 (simulated)',
      setTimer: opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
    };
    this.setTags(opts.tags ?? []);
  }

  get name(): string {
    return this.o.name;
  }

  // --- the tag field ---------------------------------------------------------------------------

  setTags(tags: readonly SimTag[]): void {
    this.tags = new Map(tags.map((t) => [t.epc.toUpperCase(), t.distance ?? 1.5]));
    this.order = [];
    this.cursor = 0;
  }

  addTags(tags: readonly SimTag[]): void {
    for (const t of tags) this.tags.set(t.epc.toUpperCase(), t.distance ?? 1.5);
    this.order = [];
  }

  removeTags(epcs: readonly string[]): void {
    for (const e of epcs) this.tags.delete(e.toUpperCase());
    this.order = [];
  }

  /** Moves a tag (the clerk walking towards it, or away). */
  setDistance(epc: string, metres: number): void {
    this.tags.set(epc.toUpperCase(), metres);
  }

  get size(): number {
    return this.tags.size;
  }

  /** Set from outside to change the link's behaviour mid-run (tests, demo). */
  configure(patch: Partial<Pick<SimulatorOptions, 'readsPerSecond' | 'roundMs' | 'noiseRate' | 'duplicateRate' | 'battery'>>): void {
    Object.assign(this.o, patch);
  }

  // --- the link ----------------------------------------------------------------------------------

  connect(): void {
    this.connected = true;
    this.input = '';
  }

  /** The reader goes out of range: the host sees its link close; nothing more is answered. */
  dropLink(): void {
    if (!this.connected) return;
    this.connected = false;
    this.onDrop?.();
  }

  pullTrigger(): void {
    if (this.connected && this.switchReports) this.send('SW: single\r\n');
  }

  releaseTrigger(): void {
    if (this.connected && this.switchReports) this.send('SW: off\r\n');
  }

  /** A barcode read by the handheld's scan engine, reported unasked. */
  scanBarcode(code: string): void {
    if (this.connected) this.send(`BC: ${code}\r\n`);
  }

  /** Host → reader bytes (a command, possibly split across writes). */
  receive(bytes: Uint8Array): void {
    if (!this.connected) return;
    for (let i = 0; i < bytes.length; i++) this.input += String.fromCharCode(bytes[i]!);
    let nl: number;
    while ((nl = this.input.search(/[\r\n]/)) >= 0) {
      const line = this.input.slice(0, nl).trim();
      this.input = this.input.slice(nl + 1);
      // commands run one after another, as on the real reader
      if (line) this.busy = this.busy.then(() => this.run(line));
    }
  }

  private send(text: string): void {
    const [lo, hi] = this.o.chunkBytes;
    const bytes = enc(text);
    for (let i = 0; i < bytes.length; ) {
      const n = Math.min(bytes.length - i, lo + Math.floor(this.rand() * (hi - lo + 1)));
      if (!this.connected) return;
      this.onBytes?.(bytes.subarray(i, i + n));
      i += n;
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((r) => this.o.setTimer(r, ms));
  }

  private async run(line: string): Promise<void> {
    this.stats.commands++;
    const [name = '', ...args] = line.split(/\s+/);
    const opt = (flag: string) => {
      const i = args.indexOf(flag);
      return i >= 0 ? args[i + 1] : undefined;
    };
    switch (name.toLowerCase()) {
      case '.vr':
        this.send(`CS: ${line}\r\nMF: Technology Solutions (UK) Ltd\r\nUS: SIM-000042\r\nPV: 2.6\r\nUF: 2.4.0 (simulated)\r\nRF: 1.0.0\r\nOK:\r\n`);
        return;
      case '.bl':
        this.send(`CS: ${line}\r\nBP: ${Math.round(this.o.battery)}%\r\nOK:\r\n`);
        return;
      case '.sr':
        this.switchReports = opt('-a') !== 'off';
        this.send(`CS: ${line}\r\nOK:\r\n`);
        return;
      case '.iv':
        await this.inventory(line, Number(opt('-o') ?? 29), opt('-ir') !== 'off');
        return;
      default:
        this.send(`CS: ${line}\r\nER: 001\r\n`);
    }
  }

  private rssiFor(distance: number, power: number): number {
    // indoor fall-off (path-loss exponent 3): −30 dBm at 0.3 m, −30 dB per decade, shifted by the output power
    const base = -30 - 30 * Math.log10(Math.max(distance, 0.05) / 0.3) + (power - 29);
    return Math.round(base + (this.rand() * 2 - 1) * this.o.rssiJitter);
  }

  private async inventory(line: string, power: number, withRssi: boolean): Promise<void> {
    await this.wait(this.o.roundMs);
    if (!this.connected) return;
    this.stats.rounds++;
    // range shrinks with power: −6 dB halves it
    const range = this.o.rangeM * 10 ** ((Math.min(29, Math.max(10, power)) - 29) / 20);
    const budget = Math.max(1, Math.round((this.o.readsPerSecond * this.o.roundMs) / 1000));
    if (this.order.length === 0 || this.cursor >= this.order.length) {
      this.order = [...this.tags.keys()];
      for (let i = this.order.length - 1; i > 0; i--) {
        const j = Math.floor(this.rand() * (i + 1));
        [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
      }
      this.cursor = 0;
    }
    let out = `CS: ${line}\r\n`;
    let reported = 0;
    for (let scanned = 0; reported < budget && scanned < this.order.length && this.cursor < this.order.length; scanned++) {
      const epc = this.order[this.cursor++]!;
      const distance = this.tags.get(epc);
      if (distance === undefined || distance > range) continue;
      const times = this.rand() < this.o.duplicateRate ? 2 : 1;
      for (let k = 0; k < times; k++) {
        out += `EP: ${epc}\r\n`;
        if (withRssi) out += `RI: ${this.rssiFor(distance, power)}\r\n`;
        reported++;
      }
      if (this.o.noiseRate > 0 && this.rand() < this.o.noiseRate / Math.max(1, budget)) out += `EP: ${epc.slice(0, 7)}#~\r\nR!: ??\r\n`;
    }
    this.stats.reported += reported;
    out += reported ? 'OK:\r\n' : 'ME: No transponder found\r\nER: 005\r\n';
    this.send(out);
  }
}

/**
 * The simulator as a byte transport: the same interface Web Bluetooth and Web Serial give the
 * driver. Bytes cross in both directions on a later task, as they would over a real link.
 */
export class SimulatedTransport {
  readonly kind = 'simulated' as const;
  name: string;
  deviceId = 'simulated';
  onData: ((chunk: Uint8Array) => void) | null = null;
  onClose: ((reason: string) => void) | null = null;

  constructor(readonly sim: TslSimulator) {
    this.name = sim.name;
    sim.onBytes = (chunk) => {
      const copy = chunk.slice();
      queueMicrotask(() => this.onData?.(copy));
    };
    sim.onDrop = () => setTimeout(() => this.onClose?.('link dropped'), 0);
  }

  async open(): Promise<void> {
    if (!this.sim.reachable) throw new Error('no reader in range');
    this.sim.connect();
  }

  async reopen(): Promise<boolean> {
    if (!this.sim.reachable) return false;
    this.sim.connect();
    return true;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.sim.connected) throw new Error('not connected');
    const copy = bytes.slice();
    setTimeout(() => this.sim.receive(copy), 0);
  }

  async close(): Promise<void> {
    this.sim.connected = false;
  }
}
