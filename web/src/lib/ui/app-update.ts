import { browser, dev } from '$app/environment';
import { readonly, writable } from 'svelte/store';
import { Workbox } from 'workbox-window';

/**
 * Registers the service worker (web/src/service-worker.ts) with workbox-window, so the page can see
 * a new build waiting. Policy: a new build never takes over a running page by itself (a register
 * must not reload mid-sale); it activates on the next launch, or now if the user presses "Reload to
 * update" (`applyUpdate`). SvelteKit's own registration is off (`kit.serviceWorker.register: false`).
 */

const ready = writable(false);
/** True once a new build is installed and waiting: show a "Reload to update" button. */
export const updateReady = readonly(ready);

// Kiosks run for days without navigating, and the browser checks for a new worker only on
// navigation: ask now and then so the button appears (the update still waits for the user).
const CHECK_EVERY_MS = 60 * 60_000;

let wb: Workbox | undefined;
let reloadWhenControlled = false;

export function registerServiceWorker(): void {
  // Not in `vite dev`: a worker there would serve stale shells across edits.
  if (!browser || dev || wb || !('serviceWorker' in navigator)) return;
  wb = new Workbox('/service-worker.js', { scope: '/' });
  // also fires at registration when a build was already waiting from an earlier visit
  wb.addEventListener('waiting', () => ready.set(true));
  wb.addEventListener('controlling', () => {
    // the first install also takes control (clients.claim); only a chosen update reloads
    if (reloadWhenControlled) location.reload();
  });
  wb.register().then(
    () => setInterval(() => void wb?.update().catch(() => {}), CHECK_EVERY_MS),
    (err: unknown) => console.warn('service worker registration failed; the app will not start offline', err)
  );
}

/** Lets the waiting build take over and reloads into it; call only from a user's action. */
export function applyUpdate(): void {
  if (!wb) return;
  reloadWhenControlled = true;
  wb.messageSkipWaiting();
}
