import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, can, hasAllLocations } from '#domain/permissions.ts';
import { AppError } from '../errors.ts';
import { actorOf, authorize, type Principal } from './principal.ts';

const user = (role: (typeof ROLES)[number], locations: string[]): Principal => ({ kind: 'user', userId: 'user:u1', tenantId: 't', role, locations, sid: 's1' }) as Principal;
const staff = (role: (typeof ROLES)[number]): Principal => ({ kind: 'staff', userId: 'user:u2', tenantId: 't', role, locationCode: 'GM', deviceId: 'GM-1', deviceKind: 'register', sid: 's2' }) as Principal;
const device: Principal = { kind: 'device', deviceId: 'GM-1', tenantId: 't', locationCode: 'GM', deviceKind: 'register' };

const refusal = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(403);
    return (err as AppError).message;
  }
};

describe('authorize', () => {
  it('agrees with the role table for every role and permission, users and staff sessions alike; a device holds none', () => {
    for (const role of ROLES) {
      for (const permission of PERMISSIONS) {
        for (const p of [user(role, ['GM']), staff(role)]) {
          const msg = refusal(() => authorize(p, permission, 'Doing it'));
          expect(msg === null, `${p.kind} ${role} ${permission}`).toBe(can(role, permission));
          if (msg) expect(msg).toBe(`Doing it needs the ${permission} permission`);
        }
        expect(refusal(() => authorize(device, permission, 'Doing it'))).toBe(`Doing it needs the ${permission} permission`);
      }
    }
  });

  it('checks every location asked for: a user her own (or all, by role or *), a staff session only its device’s store', () => {
    for (const role of ROLES) {
      const permission = PERMISSIONS.find((x) => can(role, x))!;
      const gm = user(role, ['GM']);
      expect(refusal(() => authorize(gm, permission, 'Counting', 'GM'))).toBeNull();
      expect(refusal(() => authorize(gm, permission, 'Counting', ['GM', 'HM']))).toBe(hasAllLocations(role) ? null : 'Counting: no access to location HM');
      expect(refusal(() => authorize(user(role, ['*']), permission, 'Counting', ['GM', 'HM']))).toBeNull();
      expect(refusal(() => authorize(staff(role), permission, 'Counting', 'HM'))).toBe('Counting: no access to location HM');
    }
  });

  it('every permission of a list is needed, and the first missing one is named', () => {
    const cashier = user('cashier', ['GM']);
    const missing = PERMISSIONS.filter((x) => !can('cashier', x));
    const held = PERMISSIONS.filter((x) => can('cashier', x));
    expect(refusal(() => authorize(cashier, [...held, missing[0]!], 'Closing'))).toBe(`Closing needs the ${missing[0]} permission`);
    expect(authorize(cashier, held, 'Selling')).toBe(cashier);
  });
});

describe('actorOf', () => {
  it('records who (a user by id, a device as device:…) and when, and the request when given', () => {
    const a = actorOf(user('manager', ['GM']), 'req-1');
    expect(a).toMatchObject({ by: 'user:u1', requestId: 'req-1' });
    expect(Number.isNaN(Date.parse(a.now))).toBe(false);
    expect(actorOf(device)).not.toHaveProperty('requestId');
    expect(actorOf(device).by).toBe('device:GM-1');
  });
});
