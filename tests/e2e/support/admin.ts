import { expect, type Page } from './test.ts';
import { PASSWORD } from './register.ts';

/** The demo tenant's password for every seeded user (owner@, admin@, manager@, cashier@nexus.demo). */
export { PASSWORD };

export interface SignInOptions {
  /** Defaults to the demo PASSWORD (a temporary one after an invite or a reset). */
  password?: string;
  /** Wait for "Sign out" (default); off when the account is sent elsewhere (forced password change). */
  waitSignedIn?: boolean;
  /** How long to wait for "Sign out", when the spec's default expect timeout is too short. */
  timeout?: number;
}

/** Signs in to /admin with email and password through the portal's own form. */
export async function signInAdmin(page: Page, email: string, { password = PASSWORD, waitSignedIn = true, timeout }: SignInOptions = {}): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (waitSignedIn) await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible(timeout === undefined ? undefined : { timeout });
}

/** Where screenshots to look at go (SCREENS_DIR, else test-results/screens/). */
export const SCREENS = process.env.SCREENS_DIR ?? 'test-results/screens';

/** A full-page screenshot to look at, after two frames so layout has settled; nothing may scroll sideways. */
export async function shoot(page: Page, file: string): Promise<void> {
  await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
  await page.screenshot({ path: `${SCREENS}/${file}.png`, fullPage: true, animations: 'disabled' });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${file} scrolls sideways`).toBeLessThanOrEqual(0);
}
