import type { NextFunction, Request, Response } from 'express';
import type { Caller, Principal } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { AppError, unauthorized } from './errors.ts';
import { API_KEY_PREFIX } from '#domain/api-keys.ts';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function bearerToken(req: Request): string | null {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Bearer ')) return null;
  return h.slice('Bearer '.length).trim() || null;
}

/**
 * An API key (`pk_…`), from `X-API-Key` or `Authorization: Bearer pk_…`; null when the request
 * carries none. Keys are honoured by the gateway's read path only, never by `/api/v1`.
 */
export function apiKeyToken(req: Request): string | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const bearer = bearerToken(req);
  return bearer?.startsWith(API_KEY_PREFIX) ? bearer : null;
}

/**
 * Verifies the token (signature, expiry, claims), that the device it names (a device or a PIN session
 * on it) is not revoked, and that a person's session has not ended (auth/sessions.ts).
 */
export async function resolvePrincipal(ctx: Ctx, req: Request): Promise<Principal | null> {
  const token = bearerToken(req);
  if (!token) return null;
  const p = ctx.tokens.verify(token);
  if (!p) return null;
  if (p.kind !== 'user' && !(await ctx.devices.isActive(p.deviceId, p.tenantId))) return null;
  if (!(await ctx.sessions.isCurrent(p))) return null;
  return p;
}

/** What a user who signed in with a temporary password may still call: change it, see who they are, leave. */
const OPEN_BEFORE_PASSWORD_CHANGE = new Set(['/api/v1/auth/password', '/api/v1/auth/me', '/api/v1/auth/logout']);

export const passwordChangeRequired = () =>
  new AppError(403, 'password_change_required', 'Choose a new password first: you signed in with a temporary one (POST /api/v1/auth/password)');

export function requireAuth(ctx: Ctx) {
  return (req: Request, _res: Response, next: NextFunction) => {
    resolvePrincipal(ctx, req)
      .then((p) => {
        if (!p) return next(unauthorized('A valid access token is required (Authorization: Bearer …)'));
        if (p.kind === 'user' && p.mustChangePassword && !OPEN_BEFORE_PASSWORD_CHANGE.has(`${req.baseUrl}${req.path}`)) return next(passwordChangeRequired());
        req.principal = p;
        next();
      })
      .catch(next);
  };
}

/** Who is calling a use case, from a request that passed `requireAuth`: its principal and request id (audit). */
export const callerOf = (req: Request): Caller => ({ principal: req.principal!, requestId: String(req.id) });
