import { session } from '$lib/auth/session.svelte';
import type { LayoutLoad } from './$types';

// The admin portal runs in the browser only: its data comes from the API with an in-memory token.
export const ssr = false;

/**
 * Guard: nothing under /admin renders before the session is known. A reload has lost the in-memory
 * access token, so the httpOnly refresh cookie is traded for a new one first; without a session the
 * layout shows the sign-in form instead of the page (default deny; the API checks again).
 */
export const load: LayoutLoad = async () => {
  await session.ready();
  return {};
};
