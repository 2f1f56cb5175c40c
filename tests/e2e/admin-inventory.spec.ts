import { expect as baseExpect, test, type Page, machine } from './support/test.ts';
import fs from 'node:fs/promises';
import { PASSWORD, shoot, signInAdmin } from './support/admin.ts';

/**
 * Inventory in the admin portal (issue 5), on the demo tenant: a transfer GM → HM created, shipped
 * and received with one discrepancy through the UI, then seen in both locations' stock levels; an
 * adjustment with a reason; a low-stock threshold that flags the variant; valuation with its CSV;
 * a GM manager limited to GM; a cashier denied the pages and the API.
 */
// Stock pages read whole location ledgers; on a loaded CI machine an answer can take seconds.
const expect = baseExpect.configure({ timeout: machine(20_000) });

const stockTable = (page: Page, loc: string) => page.getByRole('table', { name: `Stock levels at ${loc}` });

/** Opens stock levels at `loc` filtered to `sku`; answers its row. */
async function stockRow(page: Page, loc: string, sku: string) {
  await page.goto(`/admin/inventory?location=${loc}&q=${encodeURIComponent(sku)}`);
  await expect(page.getByLabel('Location', { exact: true })).toHaveValue(loc);
  await expect(page.getByLabel('Search product, SKU or barcode')).toHaveValue(sku);
  const rows = stockTable(page, loc).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(sku);
  return rows.first();
}

/** On hand and in transit of `sku` at `loc`, read from the stock levels page. */
async function level(page: Page, loc: string, sku: string): Promise<{ onHand: number; inTransit: number }> {
  const cells = (await stockRow(page, loc, sku)).getByRole('cell');
  const n = (s: string) => (s.trim() === '—' ? 0 : Number(s.replace(/,/g, '')));
  return { onHand: n(await cells.nth(2).innerText()), inTransit: n(await cells.nth(3).innerText()) };
}

let skuA = '';
let skuB = '';

test.describe.configure({ mode: 'serial' });

test('a transfer GM → HM is created, shipped and received with a discrepancy, and shows in both locations’ stock', async ({ page }) => {
  test.setTimeout(machine(300_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo', { timeout: machine(20_000) });
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Inventory' }).click();
  await expect(page.getByRole('heading', { name: 'Stock levels', level: 1 })).toBeVisible();
  // the first read builds the location's views (lazily, in the embedded store)
  await expect(stockTable(page, 'GM')).toBeVisible({ timeout: machine(120_000) });

  // two demo variants GM has in stock
  await page.getByLabel('Show').selectOption('in_stock');
  const gmRows = stockTable(page, 'GM').locator('tbody tr');
  await expect(gmRows.nth(1)).toBeVisible();
  skuA = (await gmRows.nth(0).getByRole('cell').nth(1).locator('code').innerText()).trim();
  skuB = (await gmRows.nth(1).getByRole('cell').nth(1).locator('code').innerText()).trim();
  await expect(page.getByRole('status').filter({ hasText: /variants · page 1 of \d+$/ })).toBeVisible();
  await shoot(page, 'admin-inventory-stock');

  const before = { gmA: await level(page, 'GM', skuA), gmB: await level(page, 'GM', skuB), hmA: await level(page, 'HM', skuA), hmB: await level(page, 'HM', skuB) };

  // create GM → HM: 2 × A, 1 × B
  await page.getByRole('navigation', { name: 'Inventory pages' }).getByRole('link', { name: 'Transfers' }).click();
  await expect(page.getByRole('heading', { name: 'Transfers', level: 1 })).toBeVisible();
  await page.getByLabel('Location', { exact: true }).selectOption('GM');
  await page.getByLabel('To location').selectOption('HM');
  const code = page.getByLabel('Add a variant (SKU or barcode)');
  await code.fill(skuA);
  await code.press('Enter');
  await expect(page.getByLabel(`Quantity of ${skuA}`)).toHaveValue('1');
  await page.getByLabel(`Quantity of ${skuA}`).fill('2');
  await code.fill(skuB);
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page.getByLabel(`Quantity of ${skuB}`)).toHaveValue('1');
  await page.getByLabel('Note (optional)').fill('E2E restock Harbor Mall');
  await page.getByRole('button', { name: 'Create transfer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'created as a draft' })).toBeVisible();
  const list = page.getByRole('table', { name: 'Transfers from and to GM' });
  const row = list.locator('tbody tr').first();
  await expect(row).toContainText('Outgoing to HM');
  await expect(row).toContainText('Draft');
  await expect(row).toContainText(`2 × `);
  await row.getByRole('button', { name: 'Ship' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'shipped: 3 units left GM' })).toBeVisible();
  await expect(row).toContainText('In transit');
  await expect(row.getByRole('button', { name: 'Ship' })).toHaveCount(0);

  // stock left GM and is on its way to HM
  expect(await level(page, 'GM', skuA)).toEqual({ onHand: before.gmA.onHand - 2, inTransit: 0 });
  expect(await level(page, 'HM', skuA)).toEqual({ onHand: before.hmA.onHand, inTransit: 2 });

  // receive at HM: only 1 of the 2 A arrived
  await page.goto('/admin/inventory/transfers?location=HM');
  const hmList = page.getByRole('table', { name: 'Transfers from and to HM' });
  const incoming = hmList.locator('tbody tr').filter({ hasText: 'Incoming from GM' }).first();
  await expect(incoming).toContainText('In transit');
  await incoming.getByRole('button', { name: 'Receive' }).click();
  const recv = page.getByRole('table', { name: 'Received quantities' });
  await expect(recv).toBeVisible();
  const gotA = recv.getByLabel(new RegExp(`Received of .*${skuA}`));
  await expect(gotA).toHaveValue('2');
  await gotA.fill('1');
  await expect(recv.locator('tbody tr').filter({ hasText: skuA })).toContainText('1 missing');
  await expect(recv.locator('tbody tr').filter({ hasText: skuB })).toContainText('as sent');
  await shoot(page, 'admin-inventory-transfer-receive');
  await page.getByRole('button', { name: 'Confirm receipt' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'received at HM with 1 discrepancy' })).toBeVisible();
  const done = hmList.locator('tbody tr').filter({ hasText: 'Incoming from GM' }).first();
  await expect(done).toContainText('Received');
  await expect(done).toContainText('sent 2, received 1 (1 missing)');
  await shoot(page, 'admin-inventory-transfers');

  // both ends: GM lost 2 A and 1 B; HM gained 1 A (one went missing) and 1 B; nothing in transit
  expect(await level(page, 'GM', skuA)).toEqual({ onHand: before.gmA.onHand - 2, inTransit: 0 });
  expect(await level(page, 'GM', skuB)).toEqual({ onHand: before.gmB.onHand - 1, inTransit: 0 });
  expect(await level(page, 'HM', skuA)).toEqual({ onHand: before.hmA.onHand + 1, inTransit: 0 });
  expect(await level(page, 'HM', skuB)).toEqual({ onHand: before.hmB.onHand + 1, inTransit: 0 });
});

test('an adjustment with a reason moves stock and is listed; a low-stock threshold flags the variant', async ({ page }) => {
  test.setTimeout(machine(120_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo', { timeout: machine(20_000) });
  const start = await level(page, 'GM', skuA);

  await page.getByRole('navigation', { name: 'Inventory pages' }).getByRole('link', { name: 'Adjustments' }).click();
  await expect(page.getByRole('heading', { name: 'Stock adjustments', level: 1 })).toBeVisible();
  await page.getByLabel('Location', { exact: true }).selectOption('GM');
  const recordBtn = page.getByRole('button', { name: 'Record adjustment' });
  await expect(recordBtn).toBeDisabled();
  await page.getByLabel('SKU or barcode').fill(skuA);
  await page.getByLabel('SKU or barcode').press('Enter');
  await expect(page.getByLabel('Variant to adjust')).toContainText(`on hand at GM: ${start.onHand}`);
  await page.getByLabel('Reason').selectOption('damage');
  await page.getByLabel('Quantity').fill('1');
  await expect(page.getByText('Stock changes by -1.')).toBeVisible();
  await page.getByLabel('Note (optional)').fill('Water damage in the stock room');
  await recordBtn.click();
  await expect(page.getByRole('status').filter({ hasText: 'Recorded damage of -1' })).toBeVisible();
  const first = page.getByRole('table', { name: 'Recent adjustments at GM' }).locator('tbody tr').first();
  await expect(first.getByRole('cell')).toHaveText([/\d/, 'Damage', new RegExp(skuA), '-1', 'Water damage in the stock room']);
  await shoot(page, 'admin-inventory-adjustments');
  expect((await level(page, 'GM', skuA)).onHand).toBe(start.onHand - 1);

  // threshold at the current level → low stock, listed under "needs attention" and in the alerts
  const now = start.onHand - 1;
  const row = await stockRow(page, 'GM', skuA);
  await expect(row).not.toContainText('Low stock');
  await row.getByRole('button', { name: /^Set limits for / }).click();
  await page.getByLabel('Low-stock threshold').fill(String(Math.max(now, 0)));
  await page.getByLabel('Reorder point').fill(String(Math.max(now, 0) + 5));
  await page.getByRole('button', { name: 'Save limits' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Limits saved for' })).toBeVisible();
  const flagged = stockTable(page, 'GM').locator('tbody tr').first();
  await expect(flagged.getByRole('cell').nth(6)).toHaveText(now === 0 ? 'Out of stock' : 'Low stock');
  await expect(flagged.getByRole('cell').nth(4)).toHaveText(String(Math.max(now, 0)));
  await expect(page.getByRole('status', { name: 'Stock alerts' })).toContainText('at or under their low-stock threshold');
  await page.getByLabel('Search product, SKU or barcode').fill('');
  await page.getByLabel('Show').selectOption('attention');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('status').filter({ hasText: / · page \d+ of \d+$/ })).toBeVisible(); // not "· loading…"
  await expect(stockTable(page, 'GM').locator('tbody tr').filter({ hasText: skuA })).toHaveCount(1);
  await expect(stockTable(page, 'GM').locator('tbody .badge.ok')).toHaveCount(0); // only what needs attention
  await shoot(page, 'admin-inventory-low-stock');

  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'admin-inventory-stock-phone');
});

test('valuation at cost by location and category, exported as CSV', async ({ page }) => {
  test.setTimeout(machine(240_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo', { timeout: machine(20_000) });
  await page.goto('/admin/inventory/valuation');
  await expect(page.getByRole('heading', { name: 'Inventory valuation', level: 1 })).toBeVisible();
  const byLoc = page.getByRole('table', { name: 'By location', exact: true });
  await expect(byLoc.locator('tbody tr')).toHaveCount(3, { timeout: machine(120_000) }); // a fresh server builds three ledgers' views first
  await expect(byLoc.locator('tbody tr').first()).toContainText(/GM · Nexus Grand Mall.*\$[\d,]+\.\d\d/);
  await shoot(page, 'admin-inventory-valuation');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export valuation (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^inventory-valuation-all-.+\.csv$/);
  const csv = (await fs.readFile(await file.path(), 'utf8')).trim().split('\r\n');
  expect(csv[0]).toBe('location,category,units,value_usd,variants_without_cost');
  expect(csv.at(-1)).toMatch(/^TOTAL,,\d+,\d+\.\d\d,\d+$/);
  expect(csv.some((l) => l.startsWith('HM,'))).toBe(true);
});

test('a GM manager works only at GM', async ({ page }) => {
  await signInAdmin(page, 'manager@nexus.demo', { timeout: machine(20_000) });
  await page.goto('/admin/inventory/transfers');
  await expect(page.getByRole('heading', { name: 'Transfers', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Location', { exact: true }).locator('option')).toHaveText(['GM · Nexus Grand Mall']);
  // a transfer may go anywhere, but only GM's side acts here: the HM receipt is not offered
  await expect(page.getByLabel('To location').locator('option', { hasText: 'HM' })).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Receive' })).toHaveCount(0);
});

test('a cashier is denied the inventory pages and the API', async ({ page }) => {
  await signInAdmin(page, 'cashier@nexus.demo', { timeout: machine(20_000) });
  await expect(page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Inventory' })).toHaveCount(0);
  await page.goto('/admin/inventory');
  await expect(page.getByRole('alert')).toContainText('Your role (cashier) does not have access to Inventory');
  await expect(page.getByRole('table')).toHaveCount(0);

  const login = await page.request.post('/api/v1/auth/login', { data: { email: 'cashier@nexus.demo', password: PASSWORD } });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  expect((await page.request.get('/api/v1/inventory/levels?location=GM', { headers })).status()).toBe(403);
  expect((await page.request.put('/api/v1/inventory/thresholds', { headers, data: { location: 'GM', variantIds: ['x'], lowStock: 1, reorderPoint: null } })).status()).toBe(403);
  expect((await page.request.post('/api/v1/inventory/transfers', { headers, data: { from: 'GM', to: 'HM', lines: [{ variantId: 'x', qty: 1 }] } })).status()).toBe(403);
});
