import type { HandleClientError } from '@sveltejs/kit';

/**
 * The browser's funnel for errors nobody caught (a bug in a page, a chunk that failed to load after a
 * release): logged for whoever debugs it, and shown as words a person can act on, never as the raw
 * error. API errors never get here: pages catch them and show `errorText` (lib/api/client.ts).
 */
export const handleError: HandleClientError = ({ error, status, message }) => {
  console.error('unhandled error', status, error);
  if (status === 404) return { message: 'There is no such page here.' };
  // a page's code that could not be fetched: usually a new release or a dropped link
  if (/fetch|import|module/i.test(error instanceof Error ? error.message : message)) {
    return { message: 'Part of this page could not be loaded. Check the connection and reload the page.' };
  }
  return { message: 'Something went wrong on this page. Reload it; if it happens again, tell your manager what you were doing.' };
};
