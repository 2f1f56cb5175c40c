import { adminFormats } from '../store-formats.svelte.ts';
import { api, type Location } from '$lib/api/client';
import { session } from '$lib/auth/session.svelte';
import { formatMoney } from '$lib/domain/money';

/** Locations the signed-in user may work at (owners/admins: all of the tenant's). */
export async function myLocations(): Promise<Location[]> {
  const all = (await session.authed((token) => api.locations(token))).locations;
  const mine = session.user?.locations ?? [];
  return mine.includes('*') || ['owner', 'admin'].includes(session.user?.role ?? '') ? all : all.filter((l) => mine.includes(l.code));
}

export const money = (minor: number, currency = 'USD') => formatMoney(minor, currency);

/** A time as the store writes it (`code`: the location it belongs to, else the tenant's first). */
export const when = (iso: string | null | undefined, code?: string) => (iso ? adminFormats.of(code).shortDateTime(iso) : '–');

/** Signed number for variances: +2, −3, 0. */
export const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');

/** Location code remembered across these pages (the list, detail and editor open at the same store). */
const KEY = 'admin.inventory.location';
export const rememberedLocation = () => (typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY));
export const rememberLocation = (code: string) => {
  if (typeof localStorage !== 'undefined') localStorage.setItem(KEY, code);
};
/** Where a list opens: the remembered location when it is one of `locations`, else the first ('' for none). */
export const openingLocation = (locations: Location[]) => {
  const saved = rememberedLocation();
  return locations.find((l) => l.code === saved)?.code ?? locations[0]?.code ?? '';
};

export const PAGE_SIZE = 25;
