import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The admin session against a scripted `fetch` (no network): token refresh, the single in-flight
 * refresh the server's rotating refresh tokens require, the 401 retry and sign-out.
 */
type Reply = { status: number; body?: unknown } | 'offline';

const user = (id = 'user:1') => ({
  id,
  email: 'admin@nexus.demo',
  name: 'Adam Admin',
  role: 'admin',
  tenantId: 'nexusclothing',
  tenantName: 'Nexus Clothing',
  locations: ['*'],
  permissions: ['settings:manage']
});
const sessionBody = (token: string) => ({ accessToken: token, expiresIn: 900, user: user() });

let calls: { method: string; path: string; auth: string | null }[];
let script: Map<string, Reply[]>;

/** Queue replies per "METHOD /path"; each call takes the next one (the last one repeats). */
function reply(route: string, ...replies: Reply[]) {
  script.set(route, replies);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.resetModules();
  calls = [];
  script = new Map();
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const method = init.method ?? 'GET';
    const path = url.replace('/api/v1', '');
    const headers = init.headers as Record<string, string>;
    calls.push({ method, path, auth: headers.authorization ?? null });
    const queue = script.get(`${method} ${path}`);
    if (!queue?.length) throw new Error(`unscripted ${method} ${path}`);
    const r = (queue.length > 1 ? queue.shift() : queue[0])!;
    // let other calls start before this one answers, as a real request would
    await Promise.resolve();
    if (r === 'offline') throw new TypeError('Failed to fetch');
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

async function freshSession() {
  return (await import('./session.svelte')).session;
}

describe('admin session', () => {
  it('restores from the refresh cookie once, however many callers ask at the same time', async () => {
    reply('POST /auth/refresh', { status: 200, body: sessionBody('t1') }, { status: 401, body: { error: 'unauthorized', message: 'Session expired; sign in again' } });
    const session = await freshSession();
    await Promise.all([session.restore(), session.restore(), session.ready()]);
    expect(calls.filter((c) => c.path === '/auth/refresh')).toHaveLength(1);
    expect(session.token).toBe('t1');
    expect(session.user?.tenantName).toBe('Nexus Clothing');
    expect(session.restoring).toBe(false);
  });

  it('with no session cookie, stays signed out', async () => {
    reply('POST /auth/refresh', { status: 401, body: { error: 'unauthorized', message: 'No session; sign in again' } });
    const session = await freshSession();
    await session.ready();
    expect(session.user).toBeNull();
    expect(session.token).toBeNull();
    expect(session.restoring).toBe(false);
  });

  it('a refresh that cannot reach the server keeps the session it has', async () => {
    reply('POST /auth/login', { status: 200, body: sessionBody('t1') });
    reply('POST /auth/refresh', 'offline');
    const session = await freshSession();
    await session.signIn('admin@nexus.demo', 'pw');
    await session.restore();
    expect(session.token).toBe('t1');
  });

  it('a revoked refresh token ends the session', async () => {
    reply('POST /auth/login', { status: 200, body: sessionBody('t1') });
    reply('POST /auth/refresh', { status: 401, body: { error: 'unauthorized', message: 'Session expired; sign in again' } });
    const session = await freshSession();
    await session.signIn('admin@nexus.demo', 'pw');
    await session.restore();
    expect(session.user).toBeNull();
    expect(session.token).toBeNull();
  });

  it('refreshes a minute before the access token expires', async () => {
    reply('POST /auth/login', { status: 200, body: sessionBody('t1') });
    reply('POST /auth/refresh', { status: 200, body: sessionBody('t2') });
    const session = await freshSession();
    await session.signIn('admin@nexus.demo', 'pw');
    await vi.advanceTimersByTimeAsync(839_000);
    expect(session.token).toBe('t1');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(session.token).toBe('t2');
  });

  it('authed calls that all get a 401 together share one refresh and retry with the new token', async () => {
    const { api } = await import('$lib/api/client');
    reply('POST /auth/login', { status: 200, body: sessionBody('t1') });
    reply('POST /auth/refresh', { status: 200, body: sessionBody('t2') }, { status: 401, body: { error: 'unauthorized', message: 'Session expired; sign in again' } });
    const session = await freshSession();
    await session.signIn('admin@nexus.demo', 'pw');
    const locations = { locations: [{ code: 'GM', name: 'Nexus Grand Mall', address: '1 Mall', timeZone: 'America/New_York', currency: 'USD' }] };
    // the first two calls carry the expired token, the retries the new one
    reply('GET /locations', { status: 401, body: { error: 'unauthorized', message: 'Token expired' } }, { status: 401, body: { error: 'unauthorized', message: 'Token expired' } }, { status: 200, body: locations });
    const [a, b] = await Promise.all([session.authed((t) => api.locations(t)), session.authed((t) => api.locations(t))]);
    expect(a.locations.map((l) => l.code)).toEqual(['GM']);
    expect(b.locations.map((l) => l.code)).toEqual(['GM']);
    expect(calls.filter((c) => c.path === '/auth/refresh')).toHaveLength(1);
    expect(calls.filter((c) => c.path === '/locations').map((c) => c.auth)).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t2', 'Bearer t2']);
    expect(session.token).toBe('t2');
  });

  it('signs out locally even when the server cannot be reached', async () => {
    reply('POST /auth/login', { status: 200, body: sessionBody('t1') });
    reply('POST /auth/logout', 'offline');
    const session = await freshSession();
    await session.signIn('admin@nexus.demo', 'pw');
    await session.signOut();
    expect(session.user).toBeNull();
    expect(session.token).toBeNull();
  });

  it('shows the server’s message for a wrong password and stays signed out', async () => {
    reply('POST /auth/login', { status: 401, body: { error: 'invalid_credentials', message: 'Email or password is wrong' } });
    const session = await freshSession();
    await expect(session.signIn('admin@nexus.demo', 'nope')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials', message: 'Email or password is wrong' });
    expect(session.user).toBeNull();
  });
});
