import { describe, expect, it } from 'vitest';
import { effectiveLocations, grantProblem, lastOwnerProblem, manageProblem } from './staff-rules.ts';

const owner = { userId: 'user:o', role: 'owner' as const, locations: ['*'] };
const admin = { userId: 'user:a', role: 'admin' as const, locations: ['*'] };
const manager = { userId: 'user:m', role: 'manager' as const, locations: ['GM'] };

describe('grantProblem', () => {
  it('owners grant anything; admins anything but owner', () => {
    expect(grantProblem(owner, 'owner', [])).toBeNull();
    expect(grantProblem(admin, 'admin', [])).toBeNull();
    expect(grantProblem(admin, 'cashier', ['GM', 'HM'])).toBeNull();
    expect(grantProblem(admin, 'owner', [])).toMatch(/Only an owner/);
  });

  it('nobody grants permissions or locations they lack', () => {
    expect(grantProblem(manager, 'admin', [])).toMatch(/staff:manage/);
    expect(grantProblem(manager, 'stock_clerk', ['GM'])).toBeNull();
    expect(grantProblem(manager, 'cashier', ['GM', 'HM'])).toMatch(/access to HM/);
    expect(grantProblem(manager, 'cashier', ['*'])).toMatch(/every location/);
  });

  it('a role limited to locations needs at least one', () => {
    expect(grantProblem(owner, 'cashier', [])).toMatch(/at least one location/);
  });
});

describe('effectiveLocations', () => {
  it('owners and admins are everywhere; others get a sorted unique list', () => {
    expect(effectiveLocations('admin', ['GM'])).toEqual(['*']);
    expect(effectiveLocations('cashier', ['HM', 'GM', 'HM'])).toEqual(['GM', 'HM']);
  });
});

describe('manageProblem and lastOwnerProblem', () => {
  const members = [
    { userId: 'user:o', role: 'owner' as const, active: true },
    { userId: 'user:a', role: 'admin' as const, active: true }
  ];
  it('only owners change owners', () => {
    expect(manageProblem(admin, members[0]!)).toMatch(/Only an owner/);
    expect(manageProblem(owner, members[1]!)).toBeNull();
  });
  it('the last active owner cannot be demoted or locked; with a second owner they can', () => {
    expect(lastOwnerProblem(members, 'user:o', { role: 'admin', active: true })).toMatch(/last active owner/);
    expect(lastOwnerProblem(members, 'user:o', { role: 'owner', active: false })).toMatch(/last active owner/);
    expect(lastOwnerProblem(members, 'user:o', { role: 'owner', active: true })).toBeNull();
    const two = [...members, { userId: 'user:o2', role: 'owner' as const, active: true }];
    expect(lastOwnerProblem(two, 'user:o', { role: 'admin', active: true })).toBeNull();
    // a locked second owner does not count
    const lockedSecond = [...members, { userId: 'user:o2', role: 'owner' as const, active: false }];
    expect(lastOwnerProblem(lockedSecond, 'user:o', { role: 'owner', active: false })).toMatch(/last active owner/);
  });
});
