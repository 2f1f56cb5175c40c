/**
 * Per-tenant, per-channel token buckets: each tenant may send `perMinute` messages a minute on a
 * channel, in bursts of up to `perMinute`. A message over the limit is not failed: it waits until
 * `nextAt` (the worker sets its timer to that). Kept in memory per server copy (docs/INTEGRATIONS.md).
 * Pure apart from the clock, which is a parameter.
 */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly perMinute: number) {}

  /** Takes a token if there is one; otherwise says when the next one comes. */
  take(tenantId: string, channel: string, now = Date.now()): { ok: true } | { ok: false; nextAt: number } {
    const key = `${tenantId}\n${channel}`;
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    const tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * rate);
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      return { ok: true };
    }
    this.buckets.set(key, { tokens, at: now });
    return { ok: false, nextAt: now + Math.ceil((1 - tokens) / rate) };
  }

  /** Drops full buckets so memory follows the tenants sending now, not every tenant ever seen. */
  prune(now = Date.now()): void {
    const rate = this.perMinute / 60_000;
    for (const [k, b] of this.buckets) if (b.tokens + (now - b.at) * rate >= this.perMinute) this.buckets.delete(k);
  }
}
