import { describe, expect, it } from 'vitest';
import { settlePlan, type Leaf } from './cas.ts';

/** A leaf at `rev` whose history is `path` (newest first, hashes only) — as `open_revs=all&revs=true` returns it. */
const leaf = (rev: string, path: string[], body: Record<string, unknown> = {}, deleted = false): Leaf => ({
  _id: 'count:GM:1',
  _rev: rev,
  _revisions: { start: Number(rev.split('-')[0]), ids: path },
  ...(deleted ? { _deleted: true } : {}),
  ...body
});

describe('settlePlan: a write answered 202 on a cluster', () => {
  it('stands when no other live leaf grew from its base (a copy was down: the only write there was)', () => {
    expect(settlePlan('2-b', '1-x', [leaf('2-b', ['b', 'x'])], 3)).toEqual({ kind: 'stands' });
    // the losing leaf of an older, unrelated conflict is not a rival
    expect(settlePlan('3-b', '2-y', [leaf('3-b', ['b', 'y', 'x']), leaf('2-q', ['q', 'x'])], 3)).toEqual({ kind: 'stands' });
    // a rival already deleted (it yielded first) is not a rival
    expect(settlePlan('2-b', '1-x', [leaf('2-b', ['b', 'x']), leaf('3-d', ['d', 'a', 'x'], {}, true)], 3)).toEqual({ kind: 'stands' });
  });

  it('yields to a rival grown from the same revision, whichever revision id is greater', () => {
    expect(settlePlan('2-a', '1-x', [leaf('2-a', ['a', 'x']), leaf('2-b', ['b', 'x'])], 3)).toEqual({ kind: 'yield' });
    expect(settlePlan('2-b', '1-x', [leaf('2-b', ['b', 'x']), leaf('2-a', ['a', 'x'])], 3)).toEqual({ kind: 'yield' });
    // the read may not even meet the copy that took ours
    expect(settlePlan('2-b', '1-x', [leaf('2-a', ['a', 'x'])], 3)).toEqual({ kind: 'yield' });
  });

  it('yields to a rival that was confirmed and already built upon', () => {
    expect(settlePlan('2-z', '1-x', [leaf('2-z', ['z', 'x']), leaf('3-a', ['a', 'b', 'x'])], 3)).toEqual({ kind: 'yield' });
  });

  it('treats every live leaf of a document written from nothing as a rival', () => {
    expect(settlePlan('1-a', null, [leaf('1-a', ['a']), leaf('1-b', ['b'])], 3)).toEqual({ kind: 'yield' });
    expect(settlePlan('1-a', null, [leaf('1-a', ['a'])], 3)).toEqual({ kind: 'stands' });
  });

  it('when each copy took a different write of the race, all racers agree the greatest revision stands', () => {
    const race = [leaf('2-a', ['a', 'x']), leaf('2-c', ['c', 'x']), leaf('2-b', ['b', 'x'])];
    expect(settlePlan('2-c', '1-x', race, 3)).toEqual({ kind: 'stands' });
    expect(settlePlan('2-a', '1-x', race, 3)).toEqual({ kind: 'yield' });
    expect(settlePlan('2-b', '1-x', race, 3)).toEqual({ kind: 'yield' });
    // a racer that already yielded still counts as a write of the race (its tombstone keeps its history)
    const afterYield = [leaf('3-d', ['d', 'a', 'x'], {}, true), leaf('2-c', ['c', 'x']), leaf('2-b', ['b', 'x'])];
    expect(settlePlan('2-c', '1-x', afterYield, 3)).toEqual({ kind: 'stands' });
    expect(settlePlan('2-b', '1-x', afterYield, 3)).toEqual({ kind: 'yield' });
    // creating from nothing: the same rule over the first revisions
    const created = [leaf('1-a', ['a']), leaf('1-b', ['b']), leaf('1-c', ['c'])];
    expect(settlePlan('1-c', null, created, 3).kind).toBe('stands');
    expect(settlePlan('1-b', null, created, 3).kind).toBe('yield');
  });

  it('yields, even as the greatest, when fewer writes than copies took part: a rival may hold two copies and a 201', () => {
    expect(settlePlan('2-c', '1-x', [leaf('2-c', ['c', 'x']), leaf('2-a', ['a', 'x'])], 3)).toEqual({ kind: 'yield' });
    // a database kept on one copy never answers 202 for a race: nothing to agree on
    expect(settlePlan('2-c', '1-x', [leaf('2-c', ['c', 'x']), leaf('2-a', ['a', 'x'])], 1)).toEqual({ kind: 'yield' });
  });

  it('only counts writes made on the same base as part of the race', () => {
    // 2-q grew from another revision (1-y): three leaves, but only two writes of this race
    const leaves = [leaf('2-c', ['c', 'x']), leaf('2-a', ['a', 'x']), leaf('2-q', ['q', 'y'])];
    expect(settlePlan('2-c', '1-x', leaves, 3)).toEqual({ kind: 'yield' });
  });
});
