import { errorText } from '$lib/api/client';
import { inventoryApi, type InventoryLocation } from '$lib/api/inventory';
import { session } from '$lib/auth/session.svelte';

/**
 * The tenant's locations for the inventory pages, and the one being looked at: `?location=` when the
 * user may act there (a link from another page), else the first of theirs.
 */
export class InventoryLocations {
  all = $state<InventoryLocation[]>([]);
  current = $state('');
  error = $state('');
  loaded = $state(false);

  async load(): Promise<void> {
    try {
      const { locations } = await session.authed((t) => inventoryApi.locations(t));
      this.all = locations;
      const asked = new URLSearchParams(location.search).get('location')?.toUpperCase();
      const mine = locations.filter((l) => l.mine);
      this.current = mine.find((l) => l.code === asked)?.code ?? mine[0]?.code ?? '';
      if (!mine.length) this.error = 'You have no location to manage stock at. Ask an owner or admin for access to one.';
    } catch (err) {
      this.error = errorText(err, 'Could not load the locations.');
    } finally {
      this.loaded = true;
    }
  }

  name(code: string): string {
    return this.all.find((l) => l.code === code)?.name ?? code;
  }
}
