import { describe, expect, it } from 'vitest';
import { maskAddress, normaliseAddress } from './addresses.ts';
import { MAX_BACKOFF_MS, backoffMs } from './backoff.ts';
import { TenantRateLimiter } from './rate-limit.ts';
import { readUnsubscribeToken, unsubscribeKey, unsubscribeToken } from './unsubscribe.ts';

describe('backoff', () => {
  it('doubles per attempt within ±20 %, capped at an hour', () => {
    expect(backoffMs(1, 30_000, 0.5)).toBe(30_000);
    expect(backoffMs(2, 30_000, 0.5)).toBe(60_000);
    expect(backoffMs(4, 30_000, 0.5)).toBe(240_000);
    expect(backoffMs(1, 30_000, 0)).toBe(24_000);
    expect(backoffMs(1, 30_000, 1)).toBe(36_000);
    expect(backoffMs(20, 30_000, 0.5)).toBe(MAX_BACKOFF_MS);
  });
});

describe('TenantRateLimiter', () => {
  it('allows a burst of the per-minute limit, then one per interval, per tenant and channel', () => {
    const l = new TenantRateLimiter(6);
    const t0 = 1_000_000;
    for (let i = 0; i < 6; i++) expect(l.take('a', 'email', t0).ok).toBe(true);
    const no = l.take('a', 'email', t0);
    expect(no).toEqual({ ok: false, nextAt: t0 + 10_000 });
    expect(l.take('b', 'email', t0).ok).toBe(true);
    expect(l.take('a', 'sms', t0).ok).toBe(true);
    expect(l.take('a', 'email', t0 + 9_999).ok).toBe(false);
    expect(l.take('a', 'email', t0 + 10_000).ok).toBe(true);
  });
  it('forgets buckets that are full again', () => {
    const l = new TenantRateLimiter(60);
    l.take('a', 'email', 0);
    l.prune(60_000);
    expect((l as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(0);
  });
});

describe('addresses', () => {
  it('normalises for comparison and masks for logs', () => {
    expect(normaliseAddress('email', ' Ann@Example.COM ')).toBe('ann@example.com');
    expect(normaliseAddress('sms', '+1 (555) 010-0199')).toBe('+15550100199');
    expect(normaliseAddress('sms', '555.0100')).toBe('5550100');
    expect(maskAddress('email', 'ann@example.com')).toBe('a…@example.com');
    expect(maskAddress('sms', '+15550100199')).toBe('…0199');
  });
});

describe('unsubscribe tokens', () => {
  const key = unsubscribeKey('x'.repeat(40));
  it('round-trip, and refuse tampering or another key', () => {
    const token = unsubscribeToken(key, { tenantId: 'corner', channel: 'email', address: 'ann@example.com' });
    expect(readUnsubscribeToken(key, token)).toEqual({ tenantId: 'corner', channel: 'email', address: 'ann@example.com' });
    const [body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ t: 'other', c: 'email', a: 'ann@example.com' })).toString('base64url');
    expect(readUnsubscribeToken(key, `${forged}.${sig}`)).toBeNull();
    expect(readUnsubscribeToken(unsubscribeKey('y'.repeat(40)), token)).toBeNull();
    expect(readUnsubscribeToken(key, `${body}.${sig}.x`)).toBeNull();
    expect(readUnsubscribeToken(key, 'garbage')).toBeNull();
  });
});
