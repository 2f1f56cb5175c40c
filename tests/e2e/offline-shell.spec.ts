import { expect, test, machine } from './support/test.ts';
import { cachedUrls, expectNoDataCached, waitForServiceWorker } from './support/offline.ts';

/**
 * The offline app shell: after one online visit every app route cold-starts with no network
 * (DESIGN.md §5). `context.setOffline(true)` cuts the service worker's network too, so pages that
 * render offline came from its precache.
 */

test('after one online visit, /pos, /raptag, /admin and / start with no network', async ({ page, context }) => {
  await page.goto('/pos');
  await expect(page.getByRole('heading', { name: 'Register', level: 1 })).toBeVisible();
  await waitForServiceWorker(page);
  // the shells and the build are precached; nothing from the API, the gateway or health checks
  expect(await cachedUrls(page)).toEqual(expect.arrayContaining(['/pos', '/raptag', '/admin', '/']));
  await expectNoDataCached(page);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Register', level: 1 })).toBeVisible({ timeout: machine(30_000) });
  // an enrolment link (query string) opens the same shell
  await page.goto('/pos?code=OFFLINE-TEST');
  await expect(page.getByRole('heading', { name: 'Register', level: 1 })).toBeVisible();

  await page.goto('/raptag');
  await expect(page.getByRole('heading', { name: 'RFID stock app', level: 1 })).toBeVisible();
  // the portal's session check cannot reach the API: it offers the sign-in form instead of failing
  await page.goto('/admin');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.goto('/');
  await expect(page.getByRole('navigation', { name: 'Apps' })).toBeVisible();
  // a page under an app root starts from that app's shell (the client router then routes it)
  await page.goto('/raptag/no-such-page');
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to the start' })).toHaveAttribute('href', '/raptag');
  await page.goto('/');
  // client-side navigation offline: the route's chunks come from the precache
  await page.getByRole('link', { name: /RFID stock app/ }).click();
  await expect(page.getByRole('heading', { name: 'RFID stock app', level: 1 })).toBeVisible();

  // the API is not answered from any cache while offline
  const status = await page.evaluate(() => fetch('/healthz').then((r) => r.status, () => 'network error'));
  expect(status).toBe('network error');
  await context.setOffline(false);
});

test('a new worker waits until the user chooses "Reload to update"', async ({ page }) => {
  await page.goto('/pos');
  await waitForServiceWorker(page);
  await page.evaluate(() => ((window as unknown as { midSale: boolean }).midSale = true));
  // A deploy, as the browser sees it: another worker script installs for the same scope. (Playwright
  // cannot rewrite the worker script the browser fetches, so the "new build" has a new URL instead.)
  await page.evaluate(async () => {
    await navigator.serviceWorker.register('/service-worker.js?next-build');
  });

  // the page is told; the new worker waits and the page is neither reloaded nor taken over
  const update = page.getByRole('status', { name: 'Update ready' });
  await expect(update).toBeVisible();
  await page.waitForTimeout(500);
  const state = await page.evaluate(async () => ({
    midSale: (window as unknown as { midSale?: boolean }).midSale,
    controller: navigator.serviceWorker.controller?.scriptURL,
    waiting: (await navigator.serviceWorker.getRegistration())?.waiting?.scriptURL
  }));
  expect(state).toEqual({ midSale: true, controller: expect.stringMatching(/\/service-worker\.js$/), waiting: expect.stringMatching(/\?next-build$/) });

  // the user chooses: the waiting worker takes over and the page reloads into it
  await Promise.all([page.waitForEvent('load'), update.getByRole('button', { name: 'Reload to update' }).click()]);
  await expect(page.getByRole('heading', { name: 'Register', level: 1 })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { midSale?: boolean }).midSale)).toBeUndefined();
  await waitForServiceWorker(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\?next-build$/);
  // (the reloaded page registers `/service-worker.js` again, which to the browser is yet another
  // script URL, so the banner may come back here; a real deploy keeps the URL)
});

test('a browser that never visited gets the browser’s offline error (nothing is faked)', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await context.setOffline(true);
  await expect(page.goto('/pos')).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
  await context.close();
});

test('the server makes browsers revalidate the service worker and the shells', async ({ request }) => {
  for (const path of ['/service-worker.js', '/pos', '/raptag', '/', '/pos.webmanifest']) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(200);
    expect(res.headers()['cache-control'], path).toBe('no-cache');
  }
  const sw = await request.get('/service-worker.js');
  expect(sw.headers()['content-type']).toMatch(/javascript/);
  // hashed build files keep their long-lived cache
  const shell = await (await request.get('/pos')).text();
  const chunk = /href="(\/_app\/immutable\/[^"]+\.js)"/.exec(shell)?.[1];
  expect(chunk).toBeDefined();
  expect((await request.get(chunk!)).headers()['cache-control']).toContain('immutable');
  // the register's manifest installs the register
  const manifest = (await (await request.get('/pos.webmanifest')).json()) as { start_url: string; scope: string };
  expect(manifest).toMatchObject({ start_url: '/pos', scope: '/pos' });
});
