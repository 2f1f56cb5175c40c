/** Devices stamp sales and shifts with their own clock; warn when it is off the server's. */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;

/**
 * Skew = device clock − server clock, corrected for half the round trip (the server's time was read
 * somewhere between sending and receiving).
 */
export function clockSkewMs(serverTimeIso: string, sentAt: number, receivedAt: number): number {
  const server = Date.parse(serverTimeIso);
  if (Number.isNaN(server)) throw new Error('server time is not a date');
  return (sentAt + receivedAt) / 2 - server;
}

export function describeSkew(skewMs: number): string | null {
  if (Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS) return null;
  const minutes = Math.round(Math.abs(skewMs) / 60_000);
  return `This device's clock is ${minutes} minutes ${skewMs > 0 ? 'ahead of' : 'behind'} the server. Fix the date and time settings: sales are stamped with this clock.`;
}

export async function measureSkew(fetchFn: typeof fetch = fetch): Promise<number | null> {
  try {
    const sentAt = Date.now();
    const res = await fetchFn('/healthz', { cache: 'no-store' });
    const receivedAt = Date.now();
    const body = (await res.json()) as { time?: string };
    return body.time ? clockSkewMs(body.time, sentAt, receivedAt) : null;
  } catch {
    return null; // offline: nothing to compare with
  }
}
