import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mergeRevisions, pickOriginalEvent, type RevisionBody } from './conflicts.ts';
import { customerSchema } from './schemas/index.ts';

const base = { _id: 'customer:1', type: 'customer', firstName: 'Ana', lastName: 'Diaz', tags: [] as string[] };

describe('mergeRevisions (field-lww)', () => {
  it('takes the later document when no field times are recorded', () => {
    const a: RevisionBody = { ...base, _rev: '2-a', phone: '111', updatedAt: '2026-11-24T10:00:00Z', updatedBy: 'device:A' };
    const b: RevisionBody = { ...base, _rev: '2-b', phone: '222', updatedAt: '2026-11-24T10:05:00Z', updatedBy: 'device:B' };
    expect(mergeRevisions([a, b])).toMatchObject({ phone: '222', updatedBy: 'device:B', updatedAt: '2026-11-24T10:05:00Z' });
    expect(mergeRevisions([b, a])).toEqual(mergeRevisions([a, b]));
  });

  it('merges per field when devices edited different fields', () => {
    const a: RevisionBody = { ...base, _rev: '2-a', phone: '111', email: 'old@x.test', updatedAt: '2026-11-24T10:00:00Z', updatedBy: 'device:A', fieldTimes: { phone: '2026-11-24T10:00:00Z' } };
    const b: RevisionBody = { ...base, _rev: '2-b', phone: '000', email: 'new@x.test', updatedAt: '2026-11-24T09:00:00Z', updatedBy: 'device:B', fieldTimes: { email: '2026-11-24T09:00:00Z', phone: '2026-11-01T00:00:00Z' } };
    const m = mergeRevisions([a, b]);
    // A wrote the phone last; only B ever wrote the email, however old A's document is
    expect(m).toMatchObject({ phone: '111', email: 'new@x.test' });
    expect(m.fieldTimes).toMatchObject({ phone: '2026-11-24T10:00:00Z', email: '2026-11-24T09:00:00Z' });
    // the merge is itself a valid document (no empty stamps)
    expect(customerSchema.safeParse(m).success).toBe(true);
  });

  it('breaks ties deterministically by writer, and unions set-merge fields', () => {
    const t = '2026-11-24T10:00:00Z';
    const a: RevisionBody = { ...base, _rev: '2-a', lastName: 'A', tags: ['vip'], updatedAt: t, updatedBy: 'device:A' };
    const b: RevisionBody = { ...base, _rev: '2-b', lastName: 'B', tags: ['wholesale', 'vip'], updatedAt: t, updatedBy: 'device:B' };
    const m = mergeRevisions([a, b], ['tags']);
    expect(m).toMatchObject({ lastName: 'B', tags: ['vip', 'wholesale'] });
    expect(mergeRevisions([b, a], ['tags'])).toEqual(m);
  });

  it('never loses a field only one side has', () => {
    const a: RevisionBody = { ...base, _rev: '2-a', note: 'likes linen', updatedAt: '2026-11-24T08:00:00Z', updatedBy: 'x' };
    const b: RevisionBody = { ...base, _rev: '2-b', updatedAt: '2026-11-24T09:00:00Z', updatedBy: 'y' };
    expect(mergeRevisions([a, b])).toMatchObject({ note: 'likes linen' });
  });
});

describe('pickOriginalEvent', () => {
  const sale = (rev: string, createdAt: string, total = 100) => ({ _id: 'sale:r1:x', _rev: rev, type: 'sale', createdAt, total });
  it('keeps the revision that says it happened first, never the highest revision id', () => {
    const original = sale('1-3a9e', '2026-11-24T10:00:00.000Z');
    const forged = sale('1-ffffffffffffffff', '2026-11-24T10:00:00.000Z', 1);
    expect(pickOriginalEvent([forged, original])).toBe(original);
    expect(pickOriginalEvent([original, forged])).toBe(original);
    const earlier = sale('1-ffff', '2026-11-24T09:00:00.000Z');
    expect(pickOriginalEvent([original, earlier])).toBe(earlier);
  });
  it('uses the type\'s own time (shifts open, closes close, punches at) and puts revisions without one last', () => {
    const shift = (rev: string, openedAt?: string) => ({ _id: 'shift:r:x', _rev: rev, type: 'shift', ...(openedAt ? { openedAt } : {}) });
    expect(pickOriginalEvent([shift('1-a'), shift('1-b', '2026-11-24T08:00:00.000Z')])._rev).toBe('1-b');
  });
  it('is the same whatever order the leaves come in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ rev: fc.string({ unit: fc.constantFrom('0', '7', 'a', 'f'), minLength: 1, maxLength: 4 }), t: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 5, selector: (r) => r.rev }), (leaves) => {
        const docs = leaves.map((l) => sale(`1-${l.rev}`, new Date(Date.UTC(2026, 10, 24, l.t)).toISOString()));
        const a = pickOriginalEvent(docs);
        expect(pickOriginalEvent([...docs].reverse())).toBe(a);
      })
    );
  });
});
