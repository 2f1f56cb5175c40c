import { untrack } from 'svelte';
import { api, type Location } from '$lib/api/client';
import { session } from '$lib/auth/session.svelte';

/**
 * A report page's start: once someone is signed in (and again if another user signs in on the same
 * tab), the tenant's stores for the page's store filter and the page's first query. Call it while the
 * component initialises. The stores failing to load leaves the filter at "all stores"; the query's
 * own failure is the page's to show.
 */
export function whenSignedIn(onLocations: (locations: Location[]) => void, firstQuery: () => Promise<unknown>): void {
  const userId = $derived(session.user?.id ?? null);
  $effect(() => {
    if (!userId) return;
    untrack(() => {
      session.authed((token) => api.locations(token)).then((r) => onLocations(r.locations), () => {});
      void firstQuery();
    });
  });
}
