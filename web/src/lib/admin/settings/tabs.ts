import { adminFormats } from '../store-formats.svelte.ts';
/** Settings' own pages, in tab order (each a static route under /admin/settings). */
export const SETTINGS_TABS = [
  { href: '/admin/settings', label: 'Locations and devices' },
  { href: '/admin/settings/taxes', label: 'Tax rates' },
  { href: '/admin/settings/register', label: 'Receipt and payments' },
  { href: '/admin/settings/rfid', label: 'RFID tags' },
  { href: '/admin/settings/plan', label: 'Plan and API keys' },
  { href: '/admin/settings/integrations', label: 'Integrations' },
  { href: '/admin/settings/messages', label: 'Messages' },
  { href: '/admin/settings/audit', label: 'Audit log' },
  { href: '/admin/settings/sync', label: 'Sync health' }
] as const;

/** "just now", "12 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const min = Math.floor((now - new Date(iso).getTime()) / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** A time as the store writes it (its locale and zone; `code`: the location it belongs to, else the first). */
export const when = (iso: string, code?: string) => adminFormats.of(code).dateTime(iso);

/** Fixed-size pages of a list already in memory. */
export function pageOf<T>(items: readonly T[], page: number, size: number): T[] {
  return items.slice(page * size, page * size + size);
}
