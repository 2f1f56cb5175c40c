import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Unsubscribe links for notifications (digests, alerts, reminders). The link carries who and what,
 * signed with a key derived from the server's JWT secret (so every server copy verifies it and no new
 * secret needs configuring), and nothing else: no database lookup to forge or enumerate. It never
 * expires: an old email's link must still work. One-click per RFC 8058 (List-Unsubscribe-Post).
 */
const payloadSchema = z.object({ t: z.string().min(1).max(40), c: z.enum(['email', 'sms']), a: z.string().min(3).max(200) }).strict();
export type UnsubscribePayload = { tenantId: string; channel: 'email' | 'sms'; address: string };

/** Key material as a plain Uint8Array (Node's Buffer types do not satisfy crypto's under TS 5.9). */
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

export function unsubscribeKey(jwtSecret: string): Uint8Array {
  return bytes(createHmac('sha256', jwtSecret).update('pos-unsubscribe-v1').digest());
}

function sign(key: Uint8Array, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function unsubscribeToken(key: Uint8Array, p: UnsubscribePayload): string {
  const body = Buffer.from(JSON.stringify({ t: p.tenantId, c: p.channel, a: p.address })).toString('base64url');
  return `${body}.${sign(key, body)}`;
}

/** The payload of a genuine token; null for anything else (bad shape, bad signature). */
export function readUnsubscribeToken(key: Uint8Array, token: string): UnsubscribePayload | null {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined || body.length > 600) return null;
  const want = Buffer.from(sign(key, body));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(bytes(want), bytes(got))) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const p = payloadSchema.safeParse(json);
  return p.success ? { tenantId: p.data.t, channel: p.data.c, address: p.data.a } : null;
}
