import jwt from 'jsonwebtoken';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ROLES } from '#domain/permissions.ts';
import { DEVICE_KINDS } from '../../sync-rules/schema.ts';
import type { Principal } from './principal.ts';

const ISSUER = 'pos-platform';
const AUDIENCE = 'pos-platform';
/** Device credentials are long-lived (a register runs for months); revocation is checked per request. */
const DEVICE_TOKEN_TTL_S = 5 * 365 * 86_400;

const claimsSchema = z.discriminatedUnion('typ', [
  z.object({
    typ: z.literal('user'),
    sub: z.string(),
    tid: z.string(),
    role: z.enum(ROLES),
    locs: z.array(z.string()),
    pwc: z.literal(true).optional(),
    sid: z.string().max(64).optional(),
    sv: z.number().int().min(0).optional()
  }),
  z.object({ typ: z.literal('device'), sub: z.string(), tid: z.string(), loc: z.string(), kind: z.enum(DEVICE_KINDS) }),
  z.object({
    typ: z.literal('staff'),
    sub: z.string(),
    tid: z.string(),
    role: z.enum(ROLES),
    loc: z.string(),
    dev: z.string(),
    kind: z.enum(DEVICE_KINDS),
    sid: z.string().max(64).optional(),
    sv: z.number().int().min(0).optional()
  })
]);

export class TokenService {
  constructor(
    private readonly secret: string,
    private readonly accessTtlS: number
  ) {}

  signPrincipal(p: Principal): { token: string; expiresIn: number } {
    const ttl = p.kind === 'device' ? DEVICE_TOKEN_TTL_S : this.accessTtlS;
    const session = p.kind === 'device' ? {} : { ...(p.sessionId ? { sid: p.sessionId } : {}), ...(p.sessionVersion ? { sv: p.sessionVersion } : {}) };
    const claims =
      p.kind === 'user'
        ? { typ: 'user', sub: p.userId, tid: p.tenantId, role: p.role, locs: p.locations, ...(p.mustChangePassword ? { pwc: true } : {}), ...session }
        : p.kind === 'device'
          ? { typ: 'device', sub: p.deviceId, tid: p.tenantId, loc: p.locationCode, kind: p.deviceKind }
          : { typ: 'staff', sub: p.userId, tid: p.tenantId, role: p.role, loc: p.locationCode, dev: p.deviceId, kind: p.deviceKind, ...session };
    const token = jwt.sign(claims, this.secret, { algorithm: 'HS256', expiresIn: ttl, issuer: ISSUER, audience: AUDIENCE });
    return { token, expiresIn: ttl };
  }

  /** Returns the principal, or null for any invalid, expired or foreign token. */
  verify(token: string): Principal | null {
    let raw: unknown;
    try {
      raw = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    } catch {
      return null;
    }
    const parsed = claimsSchema.safeParse(raw);
    if (!parsed.success) return null;
    const c = parsed.data;
    const session = c.typ === 'device' ? {} : { ...(c.sid ? { sessionId: c.sid } : {}), ...(c.sv ? { sessionVersion: c.sv } : {}) };
    switch (c.typ) {
      case 'user':
        return { kind: 'user', userId: c.sub, tenantId: c.tid, role: c.role, locations: c.locs, ...(c.pwc ? { mustChangePassword: true as const } : {}), ...session };
      case 'device':
        return { kind: 'device', deviceId: c.sub, tenantId: c.tid, locationCode: c.loc, deviceKind: c.kind };
      case 'staff':
        return { kind: 'staff', userId: c.sub, tenantId: c.tid, role: c.role, locationCode: c.loc, deviceId: c.dev, deviceKind: c.kind, ...session };
    }
  }
}

/** Opaque random secrets (refresh tokens, enrolment codes) are stored only as their SHA-256. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Enrolment codes are typed by hand on a register: 8 characters without look-alikes, shown as XXXX-XXXX. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function enrolmentCode(): string {
  const bytes = randomBytes(8);
  let s = '';
  for (const b of bytes) s += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

export function normaliseEnrolmentCode(input: string): string {
  const s = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}
