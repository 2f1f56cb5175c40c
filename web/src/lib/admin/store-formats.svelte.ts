import { api, type Location } from '$lib/api/client';
import { session } from '$lib/auth/session.svelte';
import { storeFormat, type StoreFormat } from '$lib/domain/store-format';

/**
 * How the admin portal writes dates and money: each location's own locale, time zone and currency
 * (domain/store-format.ts), never the browser's. A row that belongs to a location uses that
 * location's; tenant-wide things (the audit log, customers, gift cards) use the first location's.
 * The locations are read once per signed-in tenant, on first use.
 */
class AdminFormats {
  #locations = $state<Location[]>([]);
  #tenant: string | null = null;

  #ensure(): void {
    const tenant = session.user?.tenantId ?? null;
    if (!tenant || tenant === this.#tenant) return;
    this.#tenant = tenant;
    session.authed((t) => api.locations(t)).then(
      (r) => {
        if (this.#tenant === tenant) this.#locations = r.locations;
      },
      () => {
        if (this.#tenant === tenant) this.#tenant = null; // try again on next use
      }
    );
  }

  /** The formatter of location `code` (or of the tenant's first location). */
  of(code?: string | null): StoreFormat {
    this.#ensure();
    const list = this.#locations;
    const l = (code ? list.find((x) => x.code === code) : undefined) ?? list[0];
    return storeFormat(l ? { locale: l.locale, timeZone: l.timeZone, currency: l.currency } : { timeZone: 'UTC', currency: 'USD' });
  }
}

export const adminFormats = new AdminFormats();
