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
    expect(settlePlan('2-b', '1-x', [leaf('2-b', ['b', 'x'])])).toEqual({ kind: 'stands' });
    // the losing leaf of an older, unrelated conflict is not a rival
    expect(settlePlan('3-b', '2-y', [leaf('3-b', ['b', 'y', 'x']), leaf('2-q', ['q', 'x'])])).toEqual({ kind: 'stands' });
    // a rival already deleted (it yielded first) is not a rival
    expect(settlePlan('2-b', '1-x', [leaf('2-b', ['b', 'x']), leaf('3-d', ['d', 'a', 'x'], {}, true)])).toEqual({ kind: 'stands' });
  });

  it('yields to a rival grown from the same revision, whichever revision id is greater', () => {
    expect(settlePlan('2-a', '1-x', [leaf('2-a', ['a', 'x']), leaf('2-b', ['b', 'x'])])).toEqual({ kind: 'yield' });
    expect(settlePlan('2-b', '1-x', [leaf('2-b', ['b', 'x']), leaf('2-a', ['a', 'x'])])).toEqual({ kind: 'yield' });
    // the quorum read may not even meet the copy that took ours
    expect(settlePlan('2-b', '1-x', [leaf('2-a', ['a', 'x'])])).toEqual({ kind: 'yield' });
  });

  it('yields to a rival that was confirmed and already built upon', () => {
    expect(settlePlan('2-z', '1-x', [leaf('2-z', ['z', 'x']), leaf('3-a', ['a', 'b', 'x'])])).toEqual({ kind: 'yield' });
  });

  it('treats every live leaf of a document written from nothing as a rival', () => {
    expect(settlePlan('1-a', null, [leaf('1-a', ['a']), leaf('1-b', ['b'])])).toEqual({ kind: 'yield' });
    expect(settlePlan('1-a', null, [leaf('1-a', ['a'])])).toEqual({ kind: 'stands' });
  });
});
