import { describe, expect, it } from 'vitest';
import { beepInterval, countedByVariant, countVariance, movedSince, proximity, replenishment, scopedExpected, smooth, varianceTop } from './rfid-count.ts';

const prices: Record<string, { unitCost: number; unitPrice: number }> = { a: { unitCost: 500, unitPrice: 1200 }, b: { unitCost: 300, unitPrice: 900 }, c: { unitCost: 0, unitPrice: 2000 } };
const price = (v: string) => prices[v];

describe('RFID count variance', () => {
  it('counts tags per variant, per zone, ignoring tags without a variant', () => {
    const tags = [
      { epc: '1', variantId: 'a', zone: 'floor' },
      { epc: '2', variantId: 'a', zone: 'backroom' },
      { epc: '3', variantId: 'b', zone: 'floor' },
      { epc: '4', zone: 'floor' }
    ];
    expect(countedByVariant(tags)).toEqual(new Map([['a', 2], ['b', 1]]));
    expect(countedByVariant(tags, 'backroom')).toEqual(new Map([['a', 1]]));
  });

  it('missing and unexpected units, valued at cost and at retail', () => {
    const s = countVariance(new Map([['a', 10], ['b', 4], ['c', 0]]), new Map([['a', 8], ['b', 4], ['c', 1], ['d', 2]]), price);
    expect(s).toMatchObject({ expectedUnits: 14, countedUnits: 15, missingUnits: 2, unexpectedUnits: 3, missingCost: 1000, unexpectedCost: 0, netCost: -1000, missingRetail: 2400, unexpectedRetail: 2000, netRetail: -400, matched: 1 });
    expect(s.lines.map((l) => [l.variantId, l.variance])).toEqual([['a', -2], ['d', 2], ['c', 1], ['b', 0]]);
  });

  it('2,000 tagged units with 20 missing and 5 unexpected add up', () => {
    const expected = new Map(Array.from({ length: 200 }, (_, i) => [`v${i}`, 10]));
    const counted = new Map(expected);
    for (let i = 0; i < 20; i++) counted.set(`v${i}`, 9);
    counted.set('stray', 5);
    const s = countVariance(expected, counted, () => ({ unitCost: 100, unitPrice: 250 }));
    expect([s.expectedUnits, s.countedUnits, s.missingUnits, s.unexpectedUnits, s.netCost, s.netRetail]).toEqual([2000, 1985, 20, 5, -1500, -3750]);
  });

  it('the live view\'s top lines and totals are those of the full, sorted variance', () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 20; round++) {
      const expected = new Map<string, number>();
      const counted = new Map<string, number>();
      for (let i = 0; i < 300; i++) {
        const v = `v${rand(400)}`;
        if (rand(3)) expected.set(v, rand(4));
        if (rand(3)) counted.set(v, rand(5));
      }
      const priced = (v: string) => (v.endsWith('7') ? undefined : { unitCost: v.length * 10, unitPrice: v.length * 25 });
      const full = countVariance(expected, counted, priced);
      const top = varianceTop(expected, counted, priced, 10);
      const { lines, ...totals } = full;
      expect(top).toMatchObject(totals);
      expect(top.missing).toEqual(lines.filter((l) => l.variance < 0).slice(0, 10));
      expect(top.unexpected).toEqual(lines.filter((l) => l.variance > 0).slice(0, 10));
      expect([top.missingLines, top.unexpectedLines]).toEqual([lines.filter((l) => l.variance < 0).length, lines.filter((l) => l.variance > 0).length]);
    }
  });

  it('scopes expected stock and reports what moved during the count', () => {
    const onHand = new Map([['a', 3], ['b', 0], ['c', -1]]);
    expect(scopedExpected(onHand, null)).toEqual(new Map([['a', 3], ['c', -1]]));
    expect(scopedExpected(onHand, (v) => v === 'a')).toEqual(new Map([['a', 3]]));
    expect(movedSince(new Map([['a', 3], ['b', 1]]), new Map([['a', 2], ['b', 1], ['c', 4]]))).toEqual(new Map([['a', -1], ['c', 4]]));
  });
});

describe('replenishment', () => {
  it('brings out what the floor lacks, no more than the back room has', () => {
    const floor = new Map([['a', 0], ['b', 2], ['c', 1]]);
    const back = new Map([['a', 5], ['b', 3], ['c', 1], ['d', 0]]);
    expect(replenishment(floor, back, (v) => (v === 'a' ? 2 : 2))).toEqual([
      { variantId: 'a', onFloor: 0, inBackroom: 5, bring: 2 },
      { variantId: 'c', onFloor: 1, inBackroom: 1, bring: 1 }
    ]);
  });
});

describe('locating', () => {
  it('maps RSSI to 0–100, smooths it, and beeps faster when close', () => {
    expect([proximity(-90), proximity(-75), proximity(-55), proximity(-35), proximity(-20)]).toEqual([0, 0, 50, 100, 100]);
    expect(smooth(null, 40)).toBe(40);
    expect(smooth(40, 80)).toBe(54);
    expect(beepInterval(0)).toBeGreaterThan(beepInterval(50));
    expect(beepInterval(100)).toBe(80);
  });
});
