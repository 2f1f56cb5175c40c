import { expect, test, type APIRequestContext, machine } from './support/test.ts';
import { PASSWORD, shoot, signInAdmin } from './support/admin.ts';

/**
 * Count sessions and purchase orders in the admin portal (issue 5): a manager runs a manual count with
 * variances, reviews and approves it, and stock levels (GET /api/v1/inventory/stock) move by exactly
 * the variances; an order is created, sent, received partially then fully, and stock goes up by what
 * arrived. A cashier is denied the pages and the API.
 */
const TAG = Date.now().toString(36).toUpperCase();

interface Variant {
  id: string;
  sku: string;
  barcode?: string;
}

async function apiLogin(request: APIRequestContext, email: string): Promise<{ token: string; tenantId: string }> {
  const res = await request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { accessToken: string; user: { tenantId: string } };
  return { token: body.accessToken, tenantId: body.user.tenantId };
}

async function stock(request: APIRequestContext, token: string, variants: [Variant, Variant]): Promise<[number, number]> {
  const res = await request.get(`/api/v1/inventory/stock?location=GM&variant=${variants.map((v) => v.id).join(',')}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { stock: { variantId: string; onHand: number }[] };
  const of = (v: Variant) => body.stock.find((s) => s.variantId === v.id)!.onHand;
  return [of(variants[0]), of(variants[1])];
}

/** Two demo variants (different products) with a barcode, read from the catalog through the gateway. */
async function demoVariants(request: APIRequestContext, token: string, tenantId: string): Promise<[Variant, Variant]> {
  const res = await request.get(`/db/t-${tenantId}-catalog/_all_docs?include_docs=true&startkey=${encodeURIComponent('"product:nx-"')}&limit=3`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  const rows = ((await res.json()) as { rows: { doc: { variants: Variant[] } }[] }).rows;
  const a = rows[0]!.doc.variants[0]!;
  const b = rows[1]!.doc.variants.find((v) => v.barcode)!;
  return [a, b];
}

test('a manual count with variances is reviewed and approved: stock moves by the variances', async ({ page, request }) => {
  test.setTimeout(machine(120_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  const { token, tenantId } = await apiLogin(request, 'owner@nexus.demo');
  const [a, b] = await demoVariants(request, token, tenantId);
  const [a0, b0] = await stock(request, token, [a, b]);
  const countA = a0 + 2; // 2 found
  const countB = Math.max(0, b0 - 3); // up to 3 missing
  const varB = countB - b0;

  await signInAdmin(page, 'manager@nexus.demo');
  await page.goto('/admin/inventory/counts');
  await expect(page.getByRole('heading', { name: 'Stock counts', level: 1 })).toBeVisible();
  await page.getByLabel('Chosen items').check();
  await page.getByLabel('SKUs or barcodes').fill(`${a.sku}\n${b.barcode}`);
  await page.getByRole('button', { name: 'Start count' }).click();
  // the first SKU and barcode lookups build the catalog's views on the embedded store
  await expect(page.getByRole('heading', { name: 'Count at GM', level: 1 })).toBeVisible({ timeout: machine(60_000) });
  await expect(page.getByLabel('Status: Being counted')).toBeVisible();

  for (const [code, qty] of [[a.sku, countA], [b.sku, countB]] as const) {
    await page.getByLabel('SKU or barcode').fill(code);
    await page.getByLabel('Counted', { exact: true }).fill(String(qty));
    await page.getByRole('button', { name: 'Save count' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Count saved.' })).toBeVisible();
  }
  await page.getByRole('button', { name: 'Submit count' }).click();
  await expect(page.getByLabel('Status: Waiting for review')).toBeVisible();

  const lines = page.getByRole('table', { name: 'Count lines' });
  const rowA = lines.getByRole('row').filter({ hasText: a.sku });
  await expect(rowA.getByRole('cell').nth(2)).toHaveText(String(a0));
  await expect(rowA.getByRole('cell').nth(3)).toHaveText(String(countA));
  await expect(rowA.getByRole('cell').nth(4)).toHaveText('+2');
  const rowB = lines.getByRole('row').filter({ hasText: b.sku });
  await expect(rowB.getByRole('cell').nth(4)).toHaveText(varB === 0 ? '0' : `−${-varB}`);
  await shoot(page, 'admin-count-review');

  await page.getByRole('button', { name: 'Approve and book variances' }).click();
  await expect(page.getByLabel('Status: Approved')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Approved: the variances are booked' })).toBeVisible();
  expect(await stock(request, token, [a, b])).toEqual([a0 + 2, b0 + varB]);

  // the list shows it among the approved
  await page.goto('/admin/inventory/counts');
  await page.getByLabel('Approved').check();
  await expect(page.getByRole('table', { name: 'Count sessions' }).getByRole('row')).not.toHaveCount(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await shoot(page, 'admin-counts-list');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'admin-counts-list-phone');
});

test('a purchase order is created, sent, received partially then fully: stock goes up by what arrived', async ({ page, request }) => {
  test.setTimeout(machine(120_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  const { token, tenantId } = await apiLogin(request, 'owner@nexus.demo');
  const [a, b] = await demoVariants(request, token, tenantId);
  const [a0, b0] = await stock(request, token, [a, b]);

  await signInAdmin(page, 'manager@nexus.demo');
  await page.goto('/admin/inventory/purchase-orders/suppliers');
  await page.getByLabel('Name').fill(`E2E Supplier ${TAG}`);
  await page.getByLabel('Order email').fill(`orders-${TAG.toLowerCase()}@supplier.test`);
  await page.getByLabel('Lead time (days)').fill('5');
  await page.getByRole('button', { name: 'Add supplier' }).click();
  await expect(page.getByRole('table', { name: 'Suppliers' }).getByRole('row').filter({ hasText: `E2E Supplier ${TAG}` })).toBeVisible();
  await shoot(page, 'admin-suppliers');

  await page.goto('/admin/inventory/purchase-orders');
  await page.getByLabel('Supplier').selectOption({ label: `E2E Supplier ${TAG}` });
  await page.getByRole('button', { name: /New purchase order for GM/ }).click();
  await expect(page.getByRole('heading', { name: /Purchase order PO-/, level: 1 })).toBeVisible();
  await expect(page.getByLabel('Status: Draft')).toBeVisible();

  await page.getByLabel('Add by SKU or barcode').fill(a.sku);
  await page.getByRole('button', { name: 'Add line' }).click();
  await page.getByLabel(`Quantity of ${a.sku}`).fill('5');
  await page.getByLabel(`Unit cost of ${a.sku}`).fill('3.25');
  await page.getByLabel('Add by SKU or barcode').fill(b.barcode!);
  await page.getByRole('button', { name: 'Add line' }).click();
  await page.getByLabel(`Quantity of ${b.sku}`).fill('2');
  await expect(page.getByRole('table', { name: 'Order lines' }).getByRole('row')).toHaveCount(4); // head, 2 lines, total
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await shoot(page, 'admin-po-draft');

  await page.getByRole('button', { name: 'Send to supplier' }).click();
  await expect(page.getByLabel('Status: Sent')).toBeVisible();
  await expect(page.getByRole('status')).toContainText(`orders-${TAG.toLowerCase()}@supplier.test`);

  // first delivery: 3 of A, none of B
  await page.getByLabel(`Arrived now of ${a.sku}`).fill('3');
  await page.getByLabel(`Arrived now of ${b.sku}`).fill('0');
  await page.getByRole('button', { name: 'Receive delivery' }).click();
  await expect(page.getByLabel('Status: Partially received')).toBeVisible();
  expect(await stock(request, token, [a, b])).toEqual([a0 + 3, b0]);
  await shoot(page, 'admin-po-receive');

  // over-receipt refused
  await page.getByLabel(`Arrived now of ${a.sku}`).fill('9');
  await page.getByRole('button', { name: 'Receive delivery' }).click();
  await expect(page.getByRole('alert')).toContainText('over-receipts are refused');
  expect(await stock(request, token, [a, b])).toEqual([a0 + 3, b0]);

  // the rest arrives (the form offers what is outstanding)
  await page.reload();
  await expect(page.getByLabel(`Arrived now of ${a.sku}`)).toHaveValue('2', { timeout: machine(30_000) });
  await expect(page.getByLabel(`Arrived now of ${b.sku}`)).toHaveValue('2');
  await page.getByRole('button', { name: 'Receive delivery' }).click();
  await expect(page.getByLabel('Status: Received')).toBeVisible();
  expect(await stock(request, token, [a, b])).toEqual([a0 + 5, b0 + 2]);

  await page.goto('/admin/inventory/purchase-orders');
  await page.getByLabel('Status').selectOption({ label: 'Received' });
  await expect(page.getByRole('table', { name: 'Purchase orders' }).getByRole('row').filter({ hasText: `E2E Supplier ${TAG}` })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await shoot(page, 'admin-po-list');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'admin-po-list-phone');
});

test('a cashier is denied count review and purchase orders, in the portal and the API', async ({ page, request }) => {
  await signInAdmin(page, 'cashier@nexus.demo');
  await page.goto('/admin/inventory/counts');
  await expect(page.getByRole('alert')).toContainText('does not have access to Inventory');
  await page.goto('/admin/inventory/purchase-orders');
  await expect(page.getByRole('alert')).toContainText('does not have access to Inventory');
  const { token } = await apiLogin(request, 'cashier@nexus.demo');
  const headers = { authorization: `Bearer ${token}` };
  expect((await request.get('/api/v1/inventory/counts?location=GM', { headers })).status()).toBe(403);
  expect((await request.get('/api/v1/inventory/purchase-orders?location=GM', { headers })).status()).toBe(403);
  expect((await request.post('/api/v1/inventory/suppliers', { headers, data: { name: 'Nope' } })).status()).toBe(403);
});
