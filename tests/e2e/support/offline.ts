import { expect, type Page } from './test.ts';

/**
 * Waits until the service worker has installed (its precache is complete) and controls `page`, so
 * that `context.setOffline(true)` and a reload are answered by it. Call after the first `goto` of an
 * app page; a fresh Playwright context starts with no service worker, so each test needs this once.
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  // `ready` resolves once a worker is active: its install (the precache) has finished
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // ...and it claims open pages while activating
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** URLs held in any Cache Storage cache of the page's origin (to assert what is, and is not, cached). */
export async function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    }
    return urls;
  });
}

/** Asserts that no API, gateway or health response was cached. */
export async function expectNoDataCached(page: Page): Promise<void> {
  expect((await cachedUrls(page)).filter((p) => /^\/(api|db|healthz|readyz)(\/|$)/.test(p))).toEqual([]);
}
