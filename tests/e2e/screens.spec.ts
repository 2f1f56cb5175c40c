import { expect, test, type Page, machine } from './support/test.ts';

/** Screenshots at register, laptop and phone sizes, to look at (test-results/screens/). */
const VIEWPORTS = [
  { name: 'register', width: 1366, height: 768 },
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
];
const PASSWORD = 'nexus-demo-2026';

async function shoot(page: Page, file: string) {
  // Let a resize or a late status update lay out and paint first: a full-page capture taken in the
  // same frame as a viewport change came out cut short (the sync card's lower half missing).
  await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
  await page.screenshot({ path: `test-results/screens/${file}.png`, fullPage: true, animations: 'disabled' });
  // nothing overflows sideways, at any size
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${file} scrolls sideways`).toBeLessThanOrEqual(0);
}

for (const vp of VIEWPORTS) {
  test(`screens at ${vp.name} size`, async ({ page }) => {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto('/');
    await shoot(page, `landing-${vp.name}`);
    await page.goto('/pos');
    await expect(page.getByLabel('Enrolment code')).toBeVisible();
    await shoot(page, `pos-${vp.name}`);
    await page.goto('/raptag');
    await expect(page.getByLabel('Enrolment code')).toBeVisible();
    await shoot(page, `raptag-${vp.name}`);
    await page.goto('/admin');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await shoot(page, `admin-login-${vp.name}`);
    await page.getByLabel('Email').fill('owner@nexus.demo');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // the first dashboard load on a just-started server may wait for the reports view to be indexed
    await expect(page.getByRole('table', { name: 'Sales by location' })).toBeVisible({ timeout: machine(60_000) });
    await shoot(page, `admin-${vp.name}`);
    // locations and devices, and sync health, live in Settings
    await page.goto('/admin/settings');
    await expect(page.getByRole('table', { name: 'Locations' })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Devices' })).toBeVisible();
    await shoot(page, `admin-settings-${vp.name}`);
    await page.goto('/admin/settings/sync');
    // the first conflicts query after a big import builds the view on the embedded store: allow for it
    await expect(page.getByRole('status', { name: 'Conflicts summary' })).toBeVisible({ timeout: machine(60_000) });
    await shoot(page, `admin-sync-${vp.name}`);
  });
}

test('screens of an enrolled register: lock screen, sales with a cart, variant picker, payment', async ({ page, request }) => {
  const login = await request.post('/api/v1/auth/login', { data: { email: 'admin@nexus.demo', password: PASSWORD } });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const codeRes = await request.post('/api/v1/devices/enrolment-codes', {
    headers: { authorization: `Bearer ${accessToken}` },
    data: { kind: 'register', locationCode: 'HM', name: 'HM Register screens' }
  });
  const { qrPayload } = (await codeRes.json()) as { qrPayload: string };
  await page.goto(qrPayload);
  await page.getByRole('button', { name: 'Enrol' }).click();
  await expect(page.getByLabel('Your PIN')).toBeVisible({ timeout: machine(30_000) });
  await expect(page.getByRole('status', { name: 'Sync summary' })).toContainText('everything is on the server', { timeout: machine(60_000) });
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await shoot(page, `pos-lock-${vp.name}`);
  }
  // the support details (database table and names) fit a phone too: they scroll or wrap inside the card
  await page.getByText('Details for support').click();
  await expect(page.getByRole('table', { name: 'Databases' })).toBeVisible();
  await shoot(page, 'pos-lock-details-phone');
  await page.getByText('Details for support').click();
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.getByLabel('Your PIN').fill('1111'); // the owner may sell at every store
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Opening float').fill('150.00');
  await page.getByRole('button', { name: 'Open register' }).click();
  const grid = page.getByRole('list', { name: 'Products' });
  await page.getByRole('group', { name: 'Categories' }).getByRole('button', { name: 'T-shirts' }).click();
  await grid.getByRole('button', { name: /Tee/ }).first().click();
  const picker = page.getByRole('dialog').filter({ has: page.getByRole('table', { name: 'Variants' }) });
  await expect(picker).toBeVisible();
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await shoot(page, `pos-variants-${vp.name}`);
  }
  await picker.getByRole('table', { name: 'Variants' }).getByRole('button').first().click();
  await page.getByRole('button', { name: 'Jeans' }).click();
  await grid.getByRole('button').nth(2).click();
  await page.getByRole('dialog').getByRole('table', { name: 'Variants' }).getByRole('button').nth(3).click();
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(2);
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await shoot(page, `pos-sale-${vp.name}`);
  }
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('dialog', { name: 'Payment' })).toBeVisible();
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await shoot(page, `pos-payment-${vp.name}`);
  }
  await page.getByRole('dialog', { name: 'Payment' }).getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
  await expect(page.getByRole('dialog', { name: 'Sale complete' })).toBeVisible();
  await shoot(page, 'pos-sale-complete-register');
  await page.getByRole('button', { name: 'New sale' }).click();
  await page.getByRole('button', { name: 'Shift', exact: true }).click();
  await expect(page.getByRole('table', { name: 'X report', exact: true })).toBeVisible();
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await shoot(page, `pos-shift-${vp.name}`);
  }
});
