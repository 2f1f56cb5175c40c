import { expect, test } from '@playwright/test';

/** Screenshots at register, laptop and phone sizes, to look at (test-results/screens/). */
const VIEWPORTS = [
  { name: 'register', width: 1366, height: 768 },
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
];

for (const vp of VIEWPORTS) {
  test(`screens at ${vp.name} size`, async ({ page }) => {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto('/');
    await page.screenshot({ path: `test-results/screens/landing-${vp.name}.png`, fullPage: true });
    await page.goto('/pos');
    await expect(page.getByLabel('Enrolment code')).toBeVisible();
    await page.screenshot({ path: `test-results/screens/pos-${vp.name}.png`, fullPage: true });
    await page.goto('/admin');
    await page.screenshot({ path: `test-results/screens/admin-login-${vp.name}.png`, fullPage: true });
    await page.getByLabel('Email').fill('owner@nexus.demo');
    await page.getByLabel('Password').fill('nexus-demo-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('table', { name: 'Locations' })).toBeVisible();
    // the first conflicts query after a big import builds the view on the embedded store: allow for it
    await expect(page.getByRole('status', { name: 'Conflicts summary' })).toBeVisible({ timeout: 60_000 });
    await page.screenshot({ path: `test-results/screens/admin-${vp.name}.png`, fullPage: true });
    // nothing overflows sideways on a phone
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
}
