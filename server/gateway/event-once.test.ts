import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYNC_RULES } from '../../sync-rules/rules.ts';
import { makeSale } from '../../tests/support/fixtures.ts';
import { canonicalBody, isCreateOnce, judgeEvent } from './event-once.ts';

const sale = { ...makeSale('GM', 'r1'), _rev: '1-aaaa' };

describe('judgeEvent', () => {
  it.each([
    ['nothing stored', { ...sale, _rev: '1-ffff' }, undefined, 'new'],
    ['the same revision again (a replication retry)', sale, { rev: '1-aaaa', doc: sale }, 'known_revision'],
    ['the same body under another revision (an offline register retrying a re-made revision)', { ...sale, _rev: '1-bbbb' }, { rev: '1-aaaa', doc: sale }, 'same_content'],
    ['a forged body under a made-up generation-1 revision', { ...sale, _rev: '1-ffff', total: 1 }, { rev: '1-aaaa', doc: sale }, 'refused'],
    ['a second body under a revision that is already a conflicting leaf', { ...sale, _rev: '1-cccc', total: 1 }, { rev: '1-aaaa', doc: { ...sale, _conflicts: ['1-cccc'] } }, 'known_revision'],
    ['a body under an id whose winner was deleted', { ...sale, _rev: '1-ffff' }, { rev: '2-dead', deleted: true, doc: null }, 'refused']
  ] as const)('%s → %s', (_what, incoming, stored, kind) => {
    const v = judgeEvent(incoming, stored);
    expect(v.kind).toBe(kind);
    if (v.kind === 'refused') expect(v.reason).toMatch(new RegExp(`^_id: ${sale._id.replace(/[:]/g, '.')} `));
  });

  it('compares bodies whatever their key order and revision bookkeeping', () => {
    const shuffled = fc.shuffledSubarray(Object.keys(sale), { minLength: Object.keys(sale).length });
    fc.assert(
      fc.property(shuffled, fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 8 }), (keys, rev) => {
        const reordered = Object.fromEntries(keys.map((k) => [k, sale[k as keyof typeof sale]]));
        expect(canonicalBody({ ...reordered, _rev: `1-${rev}`, _revisions: { start: 1, ids: [rev] } })).toBe(canonicalBody(sale));
      })
    );
  });

  it('any change of content under a new revision is refused', () => {
    fc.assert(
      fc.property(fc.constantFrom('total', 'cashierId', 'createdAt', 'registerId', 'lines'), fc.jsonValue(), (field, value) => {
        fc.pre(JSON.stringify(value) !== JSON.stringify((sale as Record<string, unknown>)[field]));
        expect(judgeEvent({ ...sale, [field]: value, _rev: '1-ffff' }, { rev: sale._rev, doc: sale }).kind).toBe('refused');
      })
    );
  });

  it('applies to every event type and count sessions, not to mutable documents', () => {
    expect(isCreateOnce('sale:r1:x', SYNC_RULES)).toBe(true);
    expect(isCreateOnce('ledger:adj:1', SYNC_RULES)).toBe(true);
    expect(isCreateOnce('count:GM:x', SYNC_RULES)).toBe(true);
    expect(isCreateOnce('product:p1', SYNC_RULES)).toBe(false);
    expect(isCreateOnce('parked:r1:x', SYNC_RULES)).toBe(false);
    expect(isCreateOnce('nonsense', SYNC_RULES)).toBe(false);
  });
});
