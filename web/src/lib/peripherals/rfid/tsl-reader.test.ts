import { describe, expect, it } from 'vitest';
import { SimulatedTransport, TslSimulator, type SimulatorOptions } from './simulator.ts';
import { TslReader } from './tsl-reader.ts';
import type { ReaderInfo, TagRead } from './reader.ts';

/** EPC-shaped hex (SGTIN-96 header) for tag n. */
const epcOf = (n: number) => `30340000000000${n.toString(16).toUpperCase().padStart(10, '0')}`;

function rig(opts: SimulatorOptions = {}, readerOpts: ConstructorParameters<typeof TslReader>[1] = {}) {
  const sim = new TslSimulator({ roundMs: 2, readsPerSecond: 50_000, ...opts });
  const reader = new TslReader(new SimulatedTransport(sim), { reconnectDelaysMs: [5, 5, 5], commandTimeoutMs: 2_000, ...readerOpts });
  const reads: TagRead[] = [];
  const infos: ReaderInfo[] = [];
  reader.on('reads', (batch) => reads.push(...batch));
  reader.on('info', (i) => infos.push(i));
  return { sim, reader, reads, infos };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('TSL reader over the simulated handheld', () => {
  it('connects and reports firmware, serial and battery', async () => {
    const { reader } = rig({ battery: 64 });
    await reader.connect();
    expect(reader.info).toMatchObject({ status: 'connected', battery: 64, firmware: '2.4.0 (simulated)', serial: 'SIM-000042', scanning: false });
    await reader.disconnect();
    expect(reader.info.status).toBe('disconnected');
  });

  it('reads every tag of a 2,000-tag field (duplicates and all) and nothing else', async () => {
    const tags = Array.from({ length: 2_000 }, (_, i) => ({ epc: epcOf(i) }));
    const { reader, reads } = rig({ tags, duplicateRate: 0.3 });
    await reader.connect();
    await reader.startInventory();
    await until(() => new Set(reads.map((r) => r.epc)).size === 2_000);
    await reader.stopInventory();
    const population = new Set(tags.map((t) => t.epc));
    expect(reads.every((r) => population.has(r.epc) && typeof r.rssi === 'number')).toBe(true);
    expect(reads.length).toBeGreaterThan(2_000); // duplicates arrive; dedupe is downstream
    expect(reader.info.scanning).toBe(false);
  });

  it('garbled lines on a noisy link never become reads', async () => {
    const tags = Array.from({ length: 300 }, (_, i) => ({ epc: epcOf(i) }));
    const { reader, reads } = rig({ tags, noiseRate: 5, chunkBytes: [1, 7] });
    await reader.connect();
    await reader.startInventory();
    await until(() => new Set(reads.map((r) => r.epc)).size === 300);
    await reader.stopInventory();
    const population = new Set(tags.map((t) => t.epc));
    expect(reads.filter((r) => !population.has(r.epc))).toEqual([]);
  });

  it('the trigger starts and stops inventory', async () => {
    const { sim, reader, reads } = rig({ tags: [{ epc: epcOf(1) }] });
    const triggers: string[] = [];
    reader.on('trigger', (t) => triggers.push(t));
    await reader.connect();
    sim.pullTrigger();
    await until(() => reads.length > 0 && reader.info.scanning);
    sim.releaseTrigger();
    await until(() => !reader.info.scanning);
    const n = reads.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(reads.length).toBe(n);
    expect(triggers).toEqual(['pulled', 'released']);
  });

  it('a dropped link reconnects and the scan resumes', async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({ epc: epcOf(i) }));
    const { sim, reader, reads, infos } = rig({ tags });
    await reader.connect();
    await reader.startInventory();
    await until(() => reads.length > 10);
    sim.dropLink();
    await until(() => infos.some((i) => i.status === 'reconnecting'));
    const before = reads.length;
    await until(() => reader.info.status === 'connected' && reader.info.scanning && reads.length > before + 10);
    await reader.stopInventory();
    await reader.disconnect();
  });

  it('a reader that stays away ends disconnected with a message a clerk can act on', async () => {
    const { sim, reader } = rig({ tags: [{ epc: epcOf(1) }] });
    await reader.connect();
    sim.reachable = false;
    sim.dropLink();
    await until(() => reader.info.status === 'disconnected');
    expect(reader.info.error).toMatch(/out of reach/);
  });

  it('RSSI rises as the reader approaches a tag; lower power reads a shorter range', async () => {
    const target = epcOf(7);
    const { sim, reader, reads } = rig({ tags: [{ epc: target, distance: 5 }, { epc: epcOf(8), distance: 7 }], rssiJitter: 0, duplicateRate: 0 });
    await reader.connect();
    const mean = async (distance: number) => {
      sim.setDistance(target, distance);
      reads.length = 0;
      await reader.startInventory();
      await until(() => reads.filter((r) => r.epc === target).length >= 5);
      await reader.stopInventory();
      const own = reads.filter((r) => r.epc === target);
      return own.reduce((a, r) => a + r.rssi!, 0) / own.length;
    };
    const far = await mean(5);
    const near = await mean(0.5);
    expect(near).toBeGreaterThan(far + 10);
    await reader.setPower(10); // ≈ 0.9 m of range
    reads.length = 0;
    await reader.startInventory();
    await until(() => reads.length >= 5);
    await reader.stopInventory();
    expect(new Set(reads.map((r) => r.epc))).toEqual(new Set([target]));
    expect(reader.info.powerDbm).toBe(10);
  });
});
