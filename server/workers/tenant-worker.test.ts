import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import type { Couch } from '../couch/client.ts';
import { TenantWorker } from './tenant-worker.ts';

const log = createLogger('silent');
const couch = {} as Couch;

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

describe('TenantWorker', () => {
  it('works a tenant when a database of a kind it reads changes, and ignores other kinds and other databases', async () => {
    const seen: string[] = [];
    const w = new TenantWorker(couch, log, { name: 't', kinds: ['location'], perTenant: async (t) => void seen.push(t) });
    w.changed('t-acme-loc-gm');
    w.changed('t-acme-catalog');
    w.changed('platform');
    w.changed('t-bolt-loc-hm');
    await w.idle();
    expect(seen).toEqual(['acme', 'bolt']);
  });

  it('keeps a tenant once in the queue, and runs it once more when it changed during its run', async () => {
    const seen: string[] = [];
    const first = gate();
    const w = new TenantWorker(couch, log, {
      name: 't',
      kinds: ['location'],
      perTenant: async (t) => {
        seen.push(t);
        if (seen.length === 1) await first.p;
      }
    });
    w.changed('t-acme-loc-gm');
    await new Promise((r) => setTimeout(r, 10));
    // during the first run: three more changes of acme make one more run, not three
    w.changed('t-acme-loc-gm');
    w.changed('t-acme-loc-hm');
    w.changed('t-acme-loc-gm');
    expect(w.lagSeconds()).toBeGreaterThanOrEqual(0);
    first.open();
    await w.idle();
    expect(seen).toEqual(['acme', 'acme']);
    expect(w.lagSeconds()).toBe(0);
  });

  it('works a change that arrives just as its queue runs dry, at any moment (and idle() still ends)', async () => {
    // a change heard between the drain's last look at the queue and its end must start a new drain
    for (let hops = 0; hops < 40; hops++) {
      const seen: string[] = [];
      const w = new TenantWorker(couch, log, { name: 't', kinds: ['location'], perTenant: async (t) => void seen.push(t) });
      w.changed('t-acme-loc-gm');
      let later: Promise<unknown> = Promise.resolve();
      for (let i = 0; i < hops; i++) later = later.then(() => undefined);
      await later.then(() => w.changed('t-bolt-loc-gm'));
      await new Promise((r) => setTimeout(r, 5));
      w.changed('t-cargo-loc-gm'); // and the worker keeps taking work after that
      await new Promise((r) => setTimeout(r, 20));
      expect(seen, `${hops} hops`).toEqual(['acme', 'bolt', 'cargo']);
      expect(w.quiet(), `${hops} hops: quiet`).toBe(true);
      await w.idle(); // (a drain left behind as the loop made idle() spin without end)
      await w.stop();
    }
  });

  it('retries a tenant after a failure without holding up the others', async () => {
    const seen: string[] = [];
    let fail = true;
    const w = new TenantWorker(couch, log, {
      name: 't',
      kinds: ['location'],
      retryMs: 20,
      perTenant: async (t) => {
        seen.push(t);
        if (t === 'acme' && fail) {
          fail = false;
          throw new Error('store away');
        }
      }
    });
    w.changed('t-acme-loc-gm');
    w.changed('t-bolt-loc-gm');
    await w.idle();
    expect(seen).toEqual(['acme', 'bolt']);
    await expect.poll(() => seen.length).toBe(3);
    expect(seen[2]).toBe('acme');
    await w.stop();
  });

  it('lag: the age of the oldest change not worked on yet', async () => {
    const hold = gate();
    const w = new TenantWorker(couch, log, { name: 't', kinds: ['location'], perTenant: () => hold.p });
    w.enqueue('acme', Date.now() - 7_000);
    w.enqueue('bolt', Date.now() - 2_000);
    expect(w.lagSeconds()).toBeGreaterThanOrEqual(7);
    hold.open();
    await w.idle();
    expect(w.lagSeconds()).toBe(0);
  });

  it('a lease held by another copy: skipped now, tried again when the lease runs out', async () => {
    const seen: string[] = [];
    let held = true;
    const leases = { acquire: async () => (held ? { ok: false as const, until: Date.now() + 30 } : { ok: true as const }) };
    const w = new TenantWorker(couch, log, { name: 't', kinds: ['location'], leases: leases as never, perTenant: async (t) => void seen.push(t) });
    w.changed('t-acme-loc-gm');
    await w.idle();
    expect(seen).toEqual([]);
    held = false;
    await expect.poll(() => seen).toEqual(['acme']);
    await w.stop();
  });

  it('on a cluster, runs a tenant once more a moment after a run (a copy may not have had the write yet), and no more', async () => {
    const seen: string[] = [];
    const w = new TenantWorker(couch, log, { name: 't', kinds: ['location'], settleMs: 30, perTenant: async (t) => void seen.push(t) });
    w.changed('t-acme-loc-gm');
    await expect.poll(() => seen.length).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['acme', 'acme']);
    expect(w.quiet()).toBe(true);
    await w.stop();
  });
});
