import { expect, test, type APIRequestContext, machine } from './support/test.ts';
import { customersDb } from '#domain/db-names.ts';
import { PASSWORD, shoot, signInAdmin } from './support/admin.ts';

/**
 * Customers in the admin portal (issue 5): search a demo customer, open the profile, edit the phone,
 * adjust loyalty points with a reason, issue a gift card and see its balance, merge two duplicates
 * (their store credit moves, searches find only the kept one). A cashier is denied page and API.
 */
// unique per run, so a kept data dir (E2E_DATA_DIR) can run the file again
const TAG = Date.now().toString(36);
const PHONE = `+1 555 ${TAG.slice(-3).replace(/\D/g, '7').padStart(3, '7')} ${String(Date.now()).slice(-4)}`;

async function apiLogin(request: APIRequestContext, email: string) {
  const res = await request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { accessToken: string; user: { tenantId: string } };
  return { headers: { authorization: `Bearer ${body.accessToken}` }, tenantId: body.user.tenantId };
}

test('a manager finds a demo customer, edits the phone, adjusts points and issues a gift card', async ({ page }) => {
  test.setTimeout(machine(120_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'manager@nexus.demo');
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();
  await page.getByLabel('Search customers').fill('ava.anders@');
  const results = page.getByRole('table', { name: 'Customers' });
  await expect(results.getByRole('row')).toHaveCount(2); // header + Ava Anders
  await shoot(page, 'admin-customers-search-1440');
  await results.getByRole('link', { name: 'Ava Anders' }).click();

  await expect(page.getByRole('heading', { name: 'Ava Anders', level: 1 })).toBeVisible();
  await page.getByLabel('Phone').fill(PHONE);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Profile saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Phone')).toHaveValue(PHONE, { timeout: machine(30_000) });

  // loyalty points up by 250, with the reason kept in the history
  const before = Number((await page.getByTestId('loyalty-balance').innerText()).replace(/,/g, ''));
  await page.getByLabel('Account').selectOption('loyalty');
  await page.getByLabel('Points (+ or −)').fill('250');
  await page.getByLabel('Reason').fill(`goodwill ${TAG}`);
  await page.getByRole('button', { name: 'Adjust balance' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Loyalty points adjusted by +250 points' })).toBeVisible();
  await expect(page.getByTestId('loyalty-balance')).toHaveText((before + 250).toLocaleString('en-US'));
  const history = page.getByRole('table', { name: 'Loyalty points history' });
  await expect(history.getByRole('row').filter({ hasText: `adjustment: goodwill ${TAG}` })).toContainText('+250 pts');
  await expect(history.getByRole('row').filter({ hasText: `adjustment: goodwill ${TAG}` })).toContainText('Maria Manager');
  // a reason is required
  await page.getByLabel('Points (+ or −)').fill('5');
  await page.getByRole('button', { name: 'Adjust balance' }).click();
  await expect(page.getByRole('alert')).toContainText('Say why');
  await shoot(page, 'admin-customers-profile-1440');

  // a gift card for her, 40.00
  await page.getByRole('link', { name: 'Issue a gift card' }).click();
  await expect(page.getByRole('heading', { name: 'Gift cards', level: 1 })).toBeVisible();
  await expect(page.getByText('For Ava Anders')).toBeVisible();
  await page.getByLabel('Initial value (USD)').fill('40.00');
  await page.getByRole('button', { name: 'Issue gift card' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Gift card \d{4} \d{4} \d{4} \d{4} issued with \$40\.00/ })).toBeVisible();
  await expect(page.getByTestId('gift-card-balance')).toHaveText('$40.00');
  await expect(page.getByRole('link', { name: 'Ava Anders' })).toBeVisible();
  const number = new URL(page.url()).searchParams.get('number')!;
  expect(number).toMatch(/^8\d{15}$/);
  // spend-down correction on the card, then a lookup by its printed form
  await page.getByLabel('Amount in USD (+ or −)').fill('-15');
  await page.getByLabel('Reason').fill('damaged card partial reissue');
  await page.getByRole('button', { name: 'Adjust balance' }).click();
  await expect(page.getByTestId('gift-card-balance')).toHaveText('$25.00');
  await page.goto('/admin/customers/gift-cards');
  await page.getByLabel('Gift card number').fill(number.replace(/(\d{4})(?=\d)/g, '$1 '));
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('gift-card-balance')).toHaveText('$25.00');
  await expect(page.getByRole('table', { name: 'Gift card history' }).getByRole('row')).toHaveCount(3);
  await shoot(page, 'admin-customers-gift-card-1440');
  // a mistyped digit is caught by the check digit before any lookup
  const wrong = number.slice(0, 15) + String((Number(number[15]) + 1) % 10);
  await page.getByLabel('Gift card number').fill(wrong);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('alert')).toContainText('not a valid gift card number');
});

test('an owner merges two duplicates: store credit moves and only the kept profile is found', async ({ page, request }) => {
  test.setTimeout(machine(120_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  // two profiles of one person, as two registers would create them offline (through the gateway)
  const { headers, tenantId } = await apiLogin(request, 'owner@nexus.demo');
  const now = new Date().toISOString();
  const keepId = `customer:e2e-${TAG}-a`;
  const dupId = `customer:e2e-${TAG}-b`;
  const last = `Dupont${TAG}`;
  for (const [id, email] of [
    [keepId, `june.${TAG}@example.com`],
    [dupId, `june.dupont.${TAG}@example.com`]
  ] as const) {
    const res = await request.put(`/db/${customersDb(tenantId)}/${encodeURIComponent(id)}`, {
      headers,
      data: { _id: id, type: 'customer', firstName: 'June', lastName: last, email, tags: [], updatedAt: now, updatedBy: 'user:e2e' }
    });
    expect(res.status()).toBe(201);
  }
  const credit = await request.post('/api/v1/customers/adjustments', { headers, data: { account: 'store_credit', holder: dupId, amount: 1250, reason: 'return without receipt' } });
  expect(credit.status()).toBe(201);

  await signInAdmin(page, 'owner@nexus.demo');
  await page.goto('/admin/customers/merge');
  await expect(page.getByRole('heading', { name: 'Merge duplicate customers', level: 1 })).toBeVisible();
  await page.getByLabel('Find the profile to keep').fill(last);
  await page.getByRole('button', { name: `Keep June ${last} (june.${TAG}@example.com)` }).click();
  await page.getByLabel('Find the duplicate').fill(last);
  await page.getByRole('button', { name: `Duplicate June ${last} (june.dupont.${TAG}@example.com)` }).click();
  const preview = page.getByRole('table', { name: 'Merge preview' });
  await expect(preview.getByRole('row', { name: /Store credit/ })).toContainText('$0.00');
  await expect(preview.getByRole('row', { name: /Store credit/ }).getByRole('cell').last()).toHaveText('$12.50');
  await shoot(page, 'admin-customers-merge-1440');
  await page.getByRole('button', { name: `Merge June ${last} into June ${last}` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'was merged into' })).toBeVisible();
  await page.getByRole('link', { name: `Open June ${last}` }).click();

  await expect(page.getByTestId('store-credit-balance')).toHaveText('$12.50');
  await expect(page.getByRole('heading', { name: 'Merged into this profile' })).toBeVisible();
  // the store-credit history shows both profiles' entries: the duplicate's credit and the transfer
  await page.getByRole('button', { name: 'Store credit' }).click();
  await expect(page.getByRole('table', { name: 'Store credit history' }).getByRole('row')).toHaveCount(4);

  // searches (and registers, which match the same way) find only the kept profile
  await page.goto('/admin/customers');
  await page.getByLabel('Search customers').fill(last);
  await expect(page.getByRole('table', { name: 'Customers' }).getByRole('row')).toHaveCount(2);
  await page.getByLabel('Show merged profiles').check();
  await expect(page.getByRole('table', { name: 'Customers' }).getByRole('row')).toHaveCount(3);
  await expect(page.getByRole('table', { name: 'Customers' }).getByText('merged')).toHaveCount(1);

  // merging again moves nothing twice
  const again = await request.post('/api/v1/customers/merge', { headers, data: { keep: keepId, duplicate: dupId } });
  expect(((await again.json()) as { written: number }).written).toBe(0);
});

test('a cashier is denied the Customers pages and the API', async ({ page, request }) => {
  await signInAdmin(page, 'cashier@nexus.demo');
  await expect(page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Customers' })).toHaveCount(0);
  await page.goto('/admin/customers');
  await expect(page.getByRole('alert')).toContainText('does not have access to Customers');
  await expect(page.getByLabel('Search customers')).toHaveCount(0);
  const { headers } = await apiLogin(request, 'cashier@nexus.demo');
  expect((await request.get('/api/v1/customers?q=ava', { headers })).status()).toBe(403);
  expect((await request.post('/api/v1/customers/gift-cards', { headers, data: { amount: 1000 } })).status()).toBe(403);
});

test('the customer profile reads on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAdmin(page, 'manager@nexus.demo');
  await page.goto(`/admin/customers/profile?id=${encodeURIComponent('customer:nx-0001')}`);
  await expect(page.getByRole('heading', { name: 'Ava Anders', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Purchases' }).or(page.getByText('No purchases at GM yet.'))).toBeVisible();
  await shoot(page, 'admin-customers-profile-390');
});
