import { expect, test, type Page, machine } from './support/test.ts';
import fs from 'node:fs/promises';
import { PASSWORD, shoot, signInAdmin } from './support/admin.ts';

/**
 * Catalog CSV import in the admin portal (issue 5): a file with problems is reported row by row
 * and writes nothing; a clean file previews, imports, and importing it again changes nothing; the
 * export carries the imported SKUs. A cashier is denied the page's actions.
 */
// unique per run, so a kept data dir (E2E_DATA_DIR) can run the file again
const TAG = Date.now().toString(36).toUpperCase();
const h = (s: string) => `csv-${TAG.toLowerCase()}-${s}`;
const sku = (s: string) => `CSV-${TAG}-${s}`;

const BAD = [
  'handle,name,category,tax_category,sku,barcode,price',
  `${h('okay')},Okay Product,E2E Import,standard,${sku('OK')},,5.00`,
  `${h('price')},Bad Price,E2E Import,standard,${sku('BAD1')},,abc`,
  `${h('noname')},,E2E Import,standard,${sku('BAD2')},,4.00`,
  `${h('code')},Bad Barcode,E2E Import,standard,${sku('BAD3')},4006381333932,3.00`
].join('\n');

const CLEAN = [
  'handle,name,category,tax_category,status,option1_name,option1_value,sku,barcode,price,cost,active',
  `${h('tee')},E2E Tee,E2E Import,clothing,active,Size,S,${sku('TEE-S')},,19.99,7.50,true`,
  `${h('tee')},E2E Tee,E2E Import,clothing,active,Size,M,${sku('TEE-M')},,19.99,7.50,true`,
  `${h('mug')},"Mug, large",E2E Import,standard,active,,,${sku('MUG')},,8.50,,true`,
  `${h('cap')},E2E Cap,E2E Import,clothing,active,,,${sku('CAP')},,12.00,4.00,true`
].join('\r\n');

async function choose(page: Page, name: string, csv: string) {
  await page.getByLabel('Catalog CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
}

async function exported(page: Page): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export catalog (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^catalog-.+\.csv$/);
  return fs.readFile(await file.path(), 'utf8');
}

test('an owner checks a file with errors, imports a clean one, re-imports it without changes and exports', async ({ page }) => {
  test.setTimeout(machine(120_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo');
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Catalog' }).click();
  await page.getByRole('link', { name: 'Import or export products (CSV)' }).click();
  await expect(page.getByRole('heading', { name: 'Import and export products (CSV)', level: 1 })).toBeVisible();
  const checkBtn = page.getByRole('button', { name: 'Check file' });
  const importBtn = page.getByRole('button', { name: 'Import', exact: true });
  await expect(checkBtn).toBeDisabled();
  await expect(importBtn).toBeDisabled();

  // a file with problems: every row named with its column and why; nothing written
  await choose(page, 'bad.csv', BAD);
  await checkBtn.click();
  const errors = page.getByRole('table', { name: 'Import errors' });
  // the first journey of a run: the just-started server is still indexing the demo tenant's views
  await expect(errors).toBeVisible({ timeout: machine(60_000) });
  await expect(page.getByRole('alert').filter({ hasText: 'problems in the file' })).toContainText('3 problems in the file; nothing was imported');
  for (const col of ['Row', 'Column', 'Problem']) await expect(errors.getByRole('columnheader', { name: col })).toBeVisible();
  const rows = errors.locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0).getByRole('cell')).toHaveText(['3', 'price', /"abc" is not a price/]);
  await expect(rows.nth(1).getByRole('cell')).toHaveText(['4', 'name', /required for a new product/]);
  await expect(rows.nth(2).getByRole('cell')).toHaveText(['5', 'barcode', /check digit/]);
  await expect(importBtn).toBeDisabled();
  await shoot(page, 'admin-catalog-import-errors-1440');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'admin-catalog-import-errors-phone');
  await page.setViewportSize({ width: 1440, height: 900 });
  let csv = await exported(page);
  expect(csv).toContain('handle,name,category'); // the demo catalog is there…
  expect(csv).not.toContain(sku('OK')); // …but not even the file's good row was written

  // a clean file: preview, then import
  await choose(page, 'clean.csv', CLEAN);
  await expect(errors).toHaveCount(0); // a new file clears the old report
  await checkBtn.click();
  const preview = page.getByRole('table', { name: 'Import preview' });
  await expect(preview.getByRole('row', { name: /^Products/ }).getByRole('cell')).toHaveText(['3', '0', '0']);
  await expect(preview.getByRole('row', { name: /^Variants/ }).getByRole('cell')).toHaveText(['4', '0', '0']);
  await expect(preview.getByRole('row', { name: /^Categories/ }).getByRole('cell').first()).toHaveText('1');
  await expect(page.getByText('4 rows checked; nothing has been written yet.')).toBeVisible();
  await expect(importBtn).toBeEnabled();
  await shoot(page, 'admin-catalog-import-preview-1440');
  await importBtn.click();
  const result = page.getByRole('table', { name: 'Import result' });
  await expect(result.getByRole('row', { name: /^Products/ }).getByRole('cell')).toHaveText(['3', '0', '0']);
  await expect(page.getByRole('heading', { name: 'Import complete' })).toBeVisible();
  await expect(page.getByText('Imported 4 rows: 3 products written, 1 new category.')).toBeVisible();
  await expect(importBtn).toBeDisabled();

  // the same file again: idempotent, nothing to create or update, nothing to import
  await choose(page, 'clean.csv', CLEAN);
  await checkBtn.click();
  await expect(preview.getByRole('row', { name: /^Products/ }).getByRole('cell')).toHaveText(['0', '0', '3']);
  await expect(preview.getByRole('row', { name: /^Variants/ }).getByRole('cell')).toHaveText(['0', '0', '4']);
  await expect(page.getByText('Nothing to import: the catalog already matches this file.')).toBeVisible();
  await expect(importBtn).toBeDisabled();

  // the export carries the imported products in the same format
  csv = await exported(page);
  for (const s of ['TEE-S', 'TEE-M', 'MUG', 'CAP']) expect(csv).toContain(sku(s));
  expect(csv).toContain(`${h('mug')},"Mug, large",E2E Import,standard,active`);
  await expect(page.getByRole('status').filter({ hasText: 'Downloaded' })).toContainText(/Downloaded catalog-.+\.csv/);
});

test('a large file shows its upload progress, then the check', async ({ page }) => {
  test.setTimeout(machine(120_000));
  await signInAdmin(page, 'owner@nexus.demo');
  await page.goto('/admin/catalog/import');
  // 10,000 new single-variant products, ~0.8 MB; a dry run only
  const lines = ['handle,name,category,tax_category,sku,price'];
  for (let i = 0; i < 10_000; i++) lines.push(`${h(`big${i}`)},Bulk product ${i},E2E Bulk,standard,${sku(`BIG-${i}`)},${(1 + (i % 50)).toFixed(2)}`);
  await choose(page, 'big.csv', lines.join('\n'));
  // a slow uplink (~400 KB/s) so the upload takes long enough to watch
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 400 * 1024 });
  await page.getByRole('button', { name: 'Check file' }).click();
  const status = page.getByRole('status').filter({ has: page.locator('progress') });
  await expect(status).toContainText(/Uploading… \d+% of \d/);
  await expect(page.getByRole('progressbar', { name: 'Upload progress' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Check file' })).toBeDisabled();
  await expect(page.getByLabel('Catalog CSV file')).toBeDisabled();
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const preview = page.getByRole('table', { name: 'Import preview' });
  await expect(preview.getByRole('row', { name: /^Products/ }).getByRole('cell')).toHaveText(['10,000', '0', '0'], { timeout: machine(60_000) });
  await expect(page.getByText('10,000 rows checked; nothing has been written yet.')).toBeVisible();
});

test('a cashier is denied the import page’s actions, and so is the API', async ({ page }) => {
  await signInAdmin(page, 'cashier@nexus.demo');
  // no admin section is the cashier's: no menu at all, and a section's page says why it is closed
  await expect(page.getByRole('navigation', { name: 'Admin sections' })).toHaveCount(0);
  await page.goto('/admin/catalog/import');
  await expect(page.getByRole('heading', { name: 'Catalog', level: 1 })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Your role (cashier) does not have access to Catalog');
  await expect(page.getByLabel('Catalog CSV file')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Check file' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Export catalog (CSV)' })).toHaveCount(0);

  // the server refuses as well (the UI only hides)
  const login = await page.request.post('/api/v1/auth/login', { data: { email: 'cashier@nexus.demo', password: PASSWORD } });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  const imp = await page.request.post('/api/v1/catalog/import?dryRun=1', { headers: { ...headers, 'content-type': 'text/csv' }, data: CLEAN });
  expect(imp.status()).toBe(403);
  expect((await page.request.get('/api/v1/catalog/export', { headers })).status()).toBe(403);
});
