/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/**
 * Offline app shell (DESIGN.md §5). After the first visit every app route cold-starts with no
 * network: the build, the static files and the page shells are precached at install.
 *
 * Shells: /pos, /raptag and /admin are `ssr = false`, so SvelteKit renders them as empty shells
 * that load no data on the server; they are also `prerender = true`, which writes that shell to
 * build/prerendered at build time. adapter-node serves build/prerendered itself (behind the Express
 * mount, so the /admin IP allow-list still applies), and `$service-worker`'s `prerendered` lists the
 * paths, so the exact HTML the server would send is precached with this build's `version`. An
 * `ssr = false` shell boots the client router, which routes by `location`: any page under an app
 * root can therefore start from that root's shell. The landing page `/` is prerendered (it is static).
 *
 * Never cached: /api/*, /db/*, /healthz, /readyz. Nothing here adds a runtime cache; Workbox only
 * answers precached URLs and allow-listed navigations, and any other request (PouchDB replication,
 * API calls) goes to the network untouched, so its failures reach the app (and Playwright's
 * `page.route` sees them).
 *
 * Updates: no skipWaiting at install. A new build installs next to the running one and waits; it
 * takes over when every window of the app has closed (the next launch of the kiosk), or when the
 * user presses "Reload to update" (`$lib/ui/app-update.ts` posts SKIP_WAITING). A register is never
 * reloaded mid-sale by a deploy.
 */
import { build, files, prerendered, version } from '$service-worker';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

const sw = self as unknown as ServiceWorkerGlobalScope;

/** App roots whose pages are all `ssr = false` shells. */
const APP_ROOTS = ['/pos', '/admin', '/raptag'];

precacheAndRoute(
  [
    // hashed file names: the URL is the revision, so unchanged chunks are not fetched again
    ...build.map((url) => ({ url, revision: url.includes('/_app/immutable/') ? null : version })),
    // fixed names (icons, manifests, page shells) change with the build
    ...files.map((url) => ({ url, revision: version })),
    ...prerendered.map((url) => ({ url, revision: version }))
  ],
  // `/` must not be answered from `/index.html`, nor `/pos` from `/pos.html`: shells are matched below
  { directoryIndex: null, cleanURLs: false }
);
cleanupOutdatedCaches();

/** The precached shell that can start `pathname`, if any. */
function shellFor(pathname: string): string | undefined {
  if (prerendered.includes(pathname)) return pathname;
  const root = APP_ROOTS.find((r) => pathname.startsWith(`${r}/`));
  return root && prerendered.includes(root) ? root : undefined;
}

registerRoute(
  new NavigationRoute(
    async ({ request, url }) => {
      const shell = shellFor(url.pathname);
      // A prerendered page (query strings such as `/pos?code=` included) comes from this build's
      // precache: instant and identical to what the server sends for this build.
      if (shell === url.pathname) {
        const cached = await matchPrecache(shell);
        if (cached) return cached;
      }
      // Deeper pages are asked of the server first (it may have something better), and fall back
      // to their app's shell when it cannot be reached.
      try {
        return await fetch(request);
      } catch (err) {
        const cached = shell ? await matchPrecache(shell) : undefined;
        if (cached) return cached;
        throw err;
      }
    },
    {
      // tested against pathname + search
      allowlist: [/^\/(\?|$)/, /^\/(pos|admin|raptag)([/?]|$)/],
      denylist: [/^\/(api|db|healthz|readyz)(\/|$)/]
    }
  )
);

sw.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void sw.skipWaiting();
});

// Take control of open pages when this version activates. That happens on the first install
// (nothing was in control; the page came from the network), when no window of the app was open, or
// after the user chose "Reload to update" (the page then reloads): never under a running sale.
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));
