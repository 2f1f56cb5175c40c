import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Couch } from '../couch/client.ts';
import { StaffDirectory } from './staff-directory.ts';

/** A couch whose catalog lists the given staff entries and counts the reads. */
function fakeCouch(entries: Record<string, unknown>[]) {
  const state = { reads: 0, entries };
  const couch = {
    use: () => ({
      list: async () => {
        state.reads++;
        return { rows: state.entries.map((doc) => ({ id: doc._id, doc })) };
      }
    })
  } as unknown as Couch;
  return { couch, state };
}

const entry = (id: string, role = 'manager') => ({ _id: `staff:${id}`, type: 'staff', userId: `user:${id}`, name: id, role, locations: ['GM'], active: true });

afterEach(() => vi.useRealTimers());

describe('StaffDirectory', () => {
  it('finds staff by entry id and user id, caches for a few seconds, and shares concurrent reads', async () => {
    vi.useFakeTimers();
    const { couch, state } = fakeCouch([entry('m1')]);
    const dir = new StaffDirectory(couch);
    const [a, b] = await Promise.all([dir.forTenant('acme'), dir.forTenant('acme')]);
    expect(state.reads).toBe(1);
    expect(a.get('staff:m1')).toMatchObject({ userId: 'user:m1', role: 'manager' });
    expect(b.get('user:m1')).toBe(a.get('staff:m1'));
    vi.advanceTimersByTime(4_000);
    await dir.forTenant('acme', ['user:m1']);
    expect(state.reads).toBe(1);
    vi.advanceTimersByTime(1_500);
    await dir.forTenant('acme');
    expect(state.reads).toBe(2);
  });

  it('an unknown id reloads early (once a second at most), so a manager added a moment ago is found', async () => {
    vi.useFakeTimers();
    const { couch, state } = fakeCouch([entry('m1')]);
    const dir = new StaffDirectory(couch);
    await dir.forTenant('acme');
    state.entries = [entry('m1'), entry('m2')];
    expect((await dir.forTenant('acme', ['user:m2'])).has('user:m2')).toBe(false); // just read: no reload yet
    vi.advanceTimersByTime(1_100);
    expect((await dir.forTenant('acme', ['user:m2'])).has('user:m2')).toBe(true);
    expect(state.reads).toBe(2);
  });
});
