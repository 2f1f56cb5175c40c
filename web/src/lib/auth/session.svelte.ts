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

  private accept(s: { accessToken: string; expiresIn: number; user: User }) {
    this.user = s.user;
    this.token = s.accessToken;
    clearTimeout(this.timer);
    // Refresh a minute before expiry so calls never race an expired token.
    this.timer = setTimeout(() => void this.restore(), Math.max(30, s.expiresIn - 60) * 1000);
  }

  async restore(): Promise<void> {
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

  async signOut(): Promise<void> {
    try {
      await api.logout();
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
