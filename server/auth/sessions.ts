import { PLATFORM_DB } from '#domain/db-names.ts';
import { statusOf, updateDoc, type Couch } from '../couch/client.ts';
import type { UserDoc } from '../platform/types.ts';
import type { Principal } from './principal.ts';

/**
 * Access tokens are short-lived JWTs (ACCESS_TOKEN_TTL_S, 15 min), and a JWT cannot be recalled; so
 * every request with a person's token (a browser session or a PIN session on a device) is checked
 * against that person's `user:{id}` document in `platform`, cached 5 s like device revocation. The
 * token stops working within seconds on every server copy when:
 * - the user is locked (`active: false`), or their role or locations changed (the token's claims no
 *   longer match: the portal refreshes and gets a token with the new ones);
 * - their sessions were ended as a whole (`sessionVersion` bumped: lock, password reset, own password
 *   change — which keeps only the session that changed it);
 * - this one session signed out (its session id is in `revokedSessions` until its tokens expire).
 * The copy that made the change forgets its cached document at once, so there it is immediate.
 */
export const SESSION_CACHE_MS = 5_000;

export interface SessionClaims {
  /** session id: one per sign-in, kept across refreshes */
  sessionId?: string;
  /** the user's `sessionVersion` when the token was issued */
  sessionVersion?: number;
}

/** Why a person's token is no longer good against their user document, or null. Pure. */
export function sessionProblem(p: Principal, user: UserDoc | null, now: Date): string | null {
  if (p.kind === 'device') return null;
  if (!user || user.tenantId !== p.tenantId) return 'unknown user';
  if (!user.active) return 'locked';
  if (user.role !== p.role) return 'role changed';
  if (p.kind === 'user' && [...user.locations].sort().join(',') !== [...p.locations].sort().join(',')) return 'locations changed';
  if ((user.sessionVersion ?? 0) !== (p.sessionVersion ?? 0)) return 'sessions ended';
  if (p.sessionId && (user.revokedSessions ?? []).some((r) => r.sid === p.sessionId && new Date(r.until).getTime() > now.getTime())) return 'signed out';
  return null;
}

export class SessionRegistry {
  private cache = new Map<string, { doc: UserDoc | null; at: number }>();

  constructor(private readonly couch: Couch) {}

  private async user(userId: string): Promise<UserDoc | null> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < SESSION_CACHE_MS) return hit.doc;
    let doc: UserDoc | null = null;
    try {
      doc = (await this.couch.use(PLATFORM_DB).get(userId)) as UserDoc;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    this.cache.set(userId, { doc, at: Date.now() });
    if (this.cache.size > 10_000) this.cache.clear();
    return doc;
  }

  /** True when a person's token still stands (devices: always; their revocation is the device registry's). */
  async isCurrent(p: Principal): Promise<boolean> {
    if (p.kind === 'device') return true;
    return sessionProblem(p, await this.user(p.userId), new Date()) === null;
  }

  forget(userId: string): void {
    this.cache.delete(userId);
  }
}

/** Ends one session: its id is listed (until its last token has expired) on the user document. */
export async function revokeSessionId(couch: Couch, userId: string, sessionId: string, accessTtlS: number): Promise<void> {
  const now = Date.now();
  const until = new Date(now + accessTtlS * 1000).toISOString();
  try {
    await updateDoc<UserDoc>(couch.use(PLATFORM_DB), userId, (u) => {
      const kept = (u.revokedSessions ?? []).filter((r) => new Date(r.until).getTime() > now && r.sid !== sessionId);
      return { ...u, revokedSessions: [...kept, { sid: sessionId, until }] };
    });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

/** The user-document change that ends every session of a user at once (applied inside their update). */
export function endAllSessions(u: UserDoc): UserDoc {
  return { ...u, sessionVersion: (u.sessionVersion ?? 0) + 1, revokedSessions: [] };
}
