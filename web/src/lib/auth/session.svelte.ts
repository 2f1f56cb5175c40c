import { api, ApiError, type User } from '$lib/api/client';

/**
 * Admin sign-in state. The access token lives only in memory; the refresh token is an httpOnly
 * cookie the script cannot read, so a reload restores the session through `restore()`.
 */
class AdminSession {
  user = $state<User | null>(null);
  token = $state<string | null>(null);
  restoring = $state(true);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private first: Promise<void> | null = null;
  private inflight: Promise<void> | null = null;

  /** Takes a new access token and user (sign-in, refresh, and the fresh token a password change returns). */
  accept(s: { accessToken: string; expiresIn: number; user: User }) {
    this.user = s.user;
    this.token = s.accessToken;
    clearTimeout(this.timer);
    // Refresh a minute before expiry so calls never race an expired token.
    this.timer = setTimeout(() => void this.restore(), Math.max(30, s.expiresIn - 60) * 1000);
  }

  /** Resolves once the first restore (page load) has settled; later calls reuse it. */
  ready(): Promise<void> {
    this.first ??= this.restore();
    return this.first;
  }

  /**
   * Trades the refresh cookie for a new access token. Calls made while one is in flight share it:
   * the server rotates the refresh token on every use, so a second concurrent refresh (the timer and
   * a 401 retry firing together when a laptop wakes) would present a revoked token, get a 401 and
   * sign the admin out.
   */
  restore(): Promise<void> {
    this.inflight ??= this.refreshNow().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async refreshNow(): Promise<void> {
    try {
      this.accept(await api.refresh());
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 0) this.clear();
    } finally {
      this.restoring = false;
    }
  }

  async signIn(email: string, password: string): Promise<void> {
    this.accept(await api.login(email, password));
  }

  /**
   * Runs an API call with the access token. A 401 means the token expired before the refresh timer
   * fired (a laptop that slept through it): refresh once and retry; a second 401 ends the session.
   */
  async authed<T>(call: (token: string) => Promise<T>): Promise<T> {
    if (!this.token) throw new ApiError(401, 'unauthorized', 'Sign in again.');
    try {
      return await call(this.token);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      await this.restore();
      if (!this.token) throw err;
      return call(this.token);
    }
  }

  /** Signs out here even when the server cannot be reached (its refresh cookie then lives on until it expires). */
  async signOut(): Promise<void> {
    try {
      await api.logout();
    } catch {
      // nothing to show: the local session ends either way
    } finally {
      this.clear();
    }
  }

  private clear() {
    clearTimeout(this.timer);
    this.user = null;
    this.token = null;
  }
}

export const session = new AdminSession();
