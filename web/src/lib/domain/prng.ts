/**
 * mulberry32: a tiny seeded PRNG (uniform in [0, 1)), so generated data — the demo catalog and its
 * history — is the same on every machine and a failing seed replays. (The simulated RFID reader keeps
 * its own copy: that file must have no imports.)
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
