import { expect, test } from '@playwright/test';

/**
 * The public sign-up (issue 5, tenant journey): pick a plan, name the business and its first store,
 * get the temporary password once, sign in to /admin with it and find the store there.
 */
test('a retailer signs up on the Starter plan and signs in to the admin portal with the temporary password', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Create an account for your business' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole('heading', { name: 'Create your account', level: 1 })).toBeVisible();

  // the three plans as labelled choices, priced from the plan data
  const plans = page.getByRole('group', { name: 'Plan' });
  await expect(plans.getByRole('radio')).toHaveCount(3);
  await expect(plans.getByRole('radio', { name: 'Pro $149.00 a month' })).toBeChecked();
  await expect(plans.getByText('Unlimited stores')).toBeVisible();
  await plans.getByRole('radio', { name: 'Starter $49.00 a month' }).check();

  const email = `owner-${Date.now()}@corner.test`;
  await page.getByLabel('Business name').fill('Corner Goods');
  await page.getByLabel('Your name').fill('Cora Corner');
  await page.getByLabel('Your email').fill(email);
  await page.getByLabel('First store name').fill('Main Street');
  await page.getByLabel('Store code').fill('ms');
  await page.getByLabel('Time zone').selectOption('Europe/Berlin');
  await page.getByLabel('Currency').selectOption('EUR');
  await page.getByRole('button', { name: 'Create account' }).click();

  const done = page.getByRole('heading', { name: 'Corner Goods is ready', level: 1 });
  await expect(done).toBeVisible({ timeout: 20_000 });
  await expect(done).toBeFocused();
  const password = (await page.getByLabel('Temporary password').textContent())?.trim() ?? '';
  expect(password).toMatch(/^\S{12,}$/);
  await expect(page.getByRole('status')).toContainText('shown once');

  await page.getByRole('link', { name: 'Sign in to the admin portal' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // the generated password is temporary: the owner chooses their own before anything else
  await expect(page.getByRole('heading', { name: 'Choose a new password', level: 1 })).toBeVisible();
  await page.getByLabel('Temporary password').fill(password);
  await page.getByLabel('New password', { exact: true }).fill('Fresh-shelves-2026!');
  await page.getByLabel('Confirm new password').fill('Fresh-shelves-2026!');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Corner Goods', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Locations' }).getByRole('cell', { name: 'MS', exact: true })).toBeVisible();
});

test('signing up again with a taken email says so and offers to sign in', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Business name').fill('Nexus Again');
  await page.getByLabel('Your email').fill('owner@nexus.demo');
  await page.getByLabel('First store name').fill('Second');
  await page.getByLabel('Store code').fill('GM');
  await page.getByRole('button', { name: 'Create account' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('An account with owner@nexus.demo already exists');
  await expect(alert.getByRole('link', { name: 'Sign in instead' })).toHaveAttribute('href', '/admin');
});
