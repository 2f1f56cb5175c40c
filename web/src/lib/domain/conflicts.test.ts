import { describe, expect, it } from 'vitest';
import { mergeRevisions, type RevisionBody } from './conflicts.ts';
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
