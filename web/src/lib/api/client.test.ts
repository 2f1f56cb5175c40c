import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './client';

/** The browser's API funnel against a stubbed fetch: every failure comes out as an ApiError. */
function answer(res: Response | Error) {
  const fetch = vi.fn(async () => {
    if (res instanceof Error) throw res;
    return res;
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('sends JSON with the bearer token and returns the checked body', async () => {
    const fetch = answer(json(200, { locations: [{ code: 'GM', name: 'Nexus Grand Mall', address: '1 Mall', timeZone: 'America/New_York', currency: 'USD' }] }));
    const out = await api.locations('tok');
    expect(out.locations.map((l) => l.code)).toEqual(['GM']);
    expect(fetch).toHaveBeenCalledWith('/api/v1/locations', expect.objectContaining({ method: 'GET', headers: expect.objectContaining({ authorization: 'Bearer tok' }) }));
  });

  it('passes the server’s error code and message through', async () => {
    answer(json(423, { error: 'locked', message: 'Too many failed attempts; try again in 15 minutes' }));
    await expect(api.login('a@b.c', 'x')).rejects.toMatchObject({ status: 423, code: 'locked', message: 'Too many failed attempts; try again in 15 minutes' });
  });

  it('an error without our body still has a message', async () => {
    answer(new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(api.refresh()).rejects.toMatchObject({ status: 502, code: 'http_error', message: 'The server answered 502.' });
  });

  it('no network is status 0, "offline"', async () => {
    answer(new TypeError('Failed to fetch'));
    const err = await api.enrol('ABCD-EFGH').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, code: 'offline' });
  });

  it('a 200 that is not JSON (a captive portal page) or not the expected shape is a bad_response', async () => {
    answer(new Response('<html>Sign in to the Wi-Fi</html>', { status: 200 }));
    await expect(api.refresh()).rejects.toMatchObject({ code: 'bad_response' });
    answer(json(200, { accessToken: 1 }));
    await expect(api.refresh()).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('a 204 needs no body', async () => {
    answer(new Response(null, { status: 204 }));
    await expect(api.logout()).resolves.toBeUndefined();
  });
});
