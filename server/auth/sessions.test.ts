import { describe, expect, it } from 'vitest';
import type { UserDoc } from '../platform/types.ts';
import type { Principal } from './principal.ts';
import { endAllSessions, sessionProblem } from './sessions.ts';

const now = new Date('2026-11-24T12:00:00.000Z');
const user: UserDoc = { _id: 'user:1', type: 'user', email: 'a@b.c', name: 'A', tenantId: 't', role: 'manager', locations: ['GM'], passwordHash: 'x', failures: 0, active: true, createdAt: '2026-01-01T00:00:00.000Z' };
const token: Principal = { kind: 'user', userId: 'user:1', tenantId: 't', role: 'manager', locations: ['GM'], sessionId: 's1' };
const pin: Principal = { kind: 'staff', userId: 'user:1', tenantId: 't', role: 'manager', locationCode: 'GM', deviceId: 'd1', deviceKind: 'register', sessionId: 's2' };

describe('sessionProblem', () => {
  it.each([
    ['current', token, user, null],
    ['a PIN session, current', pin, user, null],
    ['user gone', token, null, 'unknown user'],
    ['another tenant', token, { ...user, tenantId: 'x' }, 'unknown user'],
    ['locked', token, { ...user, active: false }, 'locked'],
    ['locked (PIN session)', pin, { ...user, active: false }, 'locked'],
    ['role changed', token, { ...user, role: 'cashier' }, 'role changed'],
    ['role changed (PIN session)', pin, { ...user, role: 'cashier' }, 'role changed'],
    ['locations changed', token, { ...user, locations: ['GM', 'HM'] }, 'locations changed'],
    ['locations reordered', { ...token, locations: ['HM', 'GM'] }, { ...user, locations: ['GM', 'HM'] }, null],
    ['sessions ended (reset, lock, password change)', token, endAllSessions(user), 'sessions ended'],
    ['issued after the sessions were ended', { ...token, sessionVersion: 1 }, endAllSessions(user), null],
    ['this session signed out', token, { ...user, revokedSessions: [{ sid: 's1', until: '2026-11-24T12:10:00.000Z' }] }, 'signed out'],
    ['another session signed out', token, { ...user, revokedSessions: [{ sid: 's9', until: '2026-11-24T12:10:00.000Z' }] }, null],
    ['a sign-out whose tokens have all expired', token, { ...user, revokedSessions: [{ sid: 's1', until: '2026-11-24T11:00:00.000Z' }] }, null]
  ] as [string, Principal, UserDoc | null, string | null][])('%s', (_what, p, u, problem) => {
    expect(sessionProblem(p, u, now)).toBe(problem);
  });

  it('devices are not sessions (their revocation is the device registry\'s)', () => {
    expect(sessionProblem({ kind: 'device', deviceId: 'd', tenantId: 't', locationCode: 'GM', deviceKind: 'register' }, null, now)).toBeNull();
  });
});
