import { beepInterval, proximity, smooth } from '../../domain/rfid-count.ts';
import type { TagRead } from '../../peripherals/rfid/reader.ts';

/**
 * Locating ("geiger"): the clerk picks an EPC or a variant; every read of a matching tag moves a
 * smoothed proximity meter (0–100, from RSSI); when the tag goes quiet the meter decays. The UI turns
 * `interval` into beeps and vibration. Pure state over reads and a clock.
 */
export type LocateTarget = { epc: string } | { variantId: string };

/** After this long without a matching read the meter falls. */
export const QUIET_MS = 800;

export class Locator {
  value: number | null = null;
  /** the matching tag heard last (a variant may have several units around) */
  lastEpc: string | null = null;
  lastRssi: number | null = null;
  private lastAt = -Infinity;

  constructor(
    readonly target: LocateTarget,
    private readonly variantOf: (epc: string) => string | undefined
  ) {}

  matches(epc: string): boolean {
    return 'epc' in this.target ? epc === this.target.epc : this.variantOf(epc) === this.target.variantId;
  }

  /** Reads from the reader; returns true when the meter moved. */
  push(reads: readonly TagRead[]): boolean {
    let moved = false;
    for (const r of reads) {
      if (r.rssi === undefined || !this.matches(r.epc)) continue;
      this.value = smooth(this.value, proximity(r.rssi));
      this.lastEpc = r.epc;
      this.lastRssi = r.rssi;
      this.lastAt = r.at;
      moved = true;
    }
    return moved;
  }

  /** Decay while nothing matching is heard. */
  tick(now: number): void {
    if (this.value !== null && now - this.lastAt > QUIET_MS) this.value = smooth(this.value, 0, 0.25);
  }

  /** Beep every `interval` ms (null: silent, nothing heard yet). */
  get interval(): number | null {
    return this.value === null || this.value === 0 ? null : beepInterval(this.value);
  }
}
