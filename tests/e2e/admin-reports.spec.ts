import { expect, test, type APIRequestContext, machine } from './support/test.ts';
import fs from 'node:fs/promises';
import { newUlid } from '#domain/ids.ts';
import { demoItems, ownerLogin, PASSWORD, type DemoItem, type Owner } from './support/register.ts';
import { shoot, signInAdmin } from './support/admin.ts';

/**
 * Dashboard, sales journal and reports (admin issue 5). Sales reach the server as a register sends
 * them (PUT through the gateway with an enrolled register's token); the open dashboard picks them up
 * on its next refresh, the journal lists and opens them (receipt, email, void with its approver), a
 * report is exported as CSV and read back, and a cashier is denied the pages and the API.
 */

interface Register {
  id: string;
  token: string;
  db: string;
}

async function enrolRegisterApi(request: APIRequestContext, owner: Owner): Promise<Register> {
  const code = await request.post('/api/v1/devices/enrolment-codes', { headers: owner.auth, data: { kind: 'register', locationCode: 'GM', name: 'Reports till' } });
  expect(code.ok()).toBe(true);
  const res = await request.post('/api/v1/devices/enrol', { data: { code: ((await code.json()) as { code: string }).code } });
  expect(res.status()).toBe(201);
  const body = (await res.json()) as { deviceToken: string; device: { id: string }; databases: { location: string } };
  return { id: body.device.id, token: body.deviceToken, db: body.databases.location };
}

async function userId(request: APIRequestContext, email: string): Promise<string> {
  const res = await request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
  return ((await res.json()) as { user: { id: string } }).user.id;
}

/** A sale as the register writes it: `qty` of `item`, tax 8.875 % on top, paid in cash. */
function makeSale(reg: Register, cashier: { id: string; name: string }, items: { item: DemoItem; qty: number }[]) {
  const lines = items.map(({ item, qty }, i) => {
    const tax = Math.round(qty * item.price * 0.08875);
    return { lineId: `l${i + 1}`, productId: item.productId, variantId: item.variantId, sku: item.sku, name: `Item ${item.sku}`, qty, unitPrice: item.price, discount: 0, tax, total: qty * item.price + tax };
  });
  const sum = (f: (l: (typeof lines)[number]) => number) => lines.reduce((a, l) => a + f(l), 0);
  const total = sum((l) => l.total);
  return {
    _id: `sale:${reg.id}:${newUlid()}`,
    type: 'sale',
    kind: 'sale',
    locationCode: 'GM',
    registerId: `device:${reg.id}`,
    cashierId: cashier.id,
    cashierName: cashier.name,
    currency: 'USD',
    lines,
    subtotal: sum((l) => l.qty * l.unitPrice),
    discountTotal: 0,
    taxTotal: sum((l) => l.tax),
    pricesIncludeTax: false,
    total,
    rounding: 0,
    tenders: [{ kind: 'cash', amount: total }],
    change: 0,
    approvals: [],
    createdAt: new Date().toISOString()
  };
}

async function put(request: APIRequestContext, reg: Register, doc: { _id: string }) {
  const res = await request.put(`/db/${reg.db}/${encodeURIComponent(doc._id)}`, { headers: { authorization: `Bearer ${reg.token}` }, data: doc });
  expect(res.status(), await res.text()).toBe(201);
}

const dollars = (minor: number) => `$${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

test('sales from a register show on the live dashboard, in the journal and in an exported report', async ({ page, request }) => {
  test.setTimeout(machine(300_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  const owner = await ownerLogin(request);
  const reg = await enrolRegisterApi(request, owner);
  const [a, b] = await demoItems(request, owner, 2);
  const carlos = { id: await userId(request, 'cashier@nexus.demo'), name: 'Carlos Cashier' };
  const maria = await userId(request, 'manager@nexus.demo');

  // the dashboard's figures before (the demo may already hold sales for today)
  const before = (await (await request.get('/api/v1/reports/dashboard?location=GM', { headers: owner.auth })).json()) as { total: { today: { transactions: number; net: number; units: number } } };

  await signInAdmin(page, 'owner@nexus.demo', { waitSignedIn: false });
  await expect(page.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible();
  await page.getByRole('combobox', { name: 'Location' }).selectOption('GM');
  await expect(page.getByLabel('Today Transactions')).toHaveText(String(before.total.today.transactions), { timeout: machine(60_000) });

  // three sales arrive from the register; one is then voided by a manager
  const s1 = makeSale(reg, carlos, [{ item: a!, qty: 2 }]);
  const s2 = makeSale(reg, carlos, [{ item: a!, qty: 1 }, { item: b!, qty: 1 }]);
  const s3 = makeSale(reg, carlos, [{ item: b!, qty: 3 }]);
  for (const s of [s1, s2, s3]) await put(request, reg, s);
  const v3 = {
    _id: `void:${s3._id.slice('sale:'.length)}`,
    type: 'void',
    locationCode: 'GM',
    registerId: s3.registerId,
    saleId: s3._id,
    reason: 'Rang up the wrong size',
    lines: s3.lines.map((l) => ({ variantId: l.variantId, qty: l.qty })),
    tenders: s3.tenders.map((t) => ({ ...t, amount: -t.amount })),
    total: -s3.total,
    cashierId: carlos.id,
    approvals: [{ action: 'void', staffId: maria, staffName: 'Maria Manager', at: new Date().toISOString() }],
    createdAt: new Date().toISOString()
  };
  await put(request, reg, v3);

  // the open dashboard refreshes by itself (every 15 s): two more sales today, the voided one left out
  const net = s1.subtotal + s2.subtotal;
  await expect(page.getByLabel('Today Transactions')).toHaveText(String(before.total.today.transactions + 2), { timeout: machine(30_000) });
  await expect(page.getByLabel('Today Net sales')).toHaveText(dollars(before.total.today.net + net));
  await expect(page.getByLabel('Today Units')).toHaveText(String(before.total.today.units + 4));
  const byLocation = page.getByRole('table', { name: 'Sales by location' });
  await expect(byLocation.getByRole('row', { name: /GM/ })).toContainText(dollars(before.total.today.net + net));
  await expect(page.getByRole('img', { name: /Net sales per day this week/ })).toBeVisible();
  await page.getByRole('combobox', { name: 'Location' }).selectOption('');
  await expect(byLocation.getByRole('rowheader', { name: /HM/ })).toBeVisible({ timeout: machine(30_000) });
  await shoot(page, 'admin-dashboard-1440');

  // the journal lists them; the voided one opens with its approver
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Sales' }).click();
  await expect(page.getByRole('heading', { name: 'Sales journal', level: 1 })).toBeVisible();
  const sales = page.getByRole('table', { name: 'Sales' });
  for (const s of [s1, s2, s3]) await expect(sales.getByRole('link', { name: `Open sale ${s._id.slice(-8)}` })).toBeVisible();
  await page.getByRole('combobox', { name: 'Type' }).selectOption('voided');
  await page.getByRole('button', { name: 'Show sales' }).click();
  await expect(sales.getByRole('link', { name: `Open sale ${s3._id.slice(-8)}` })).toBeVisible();
  await expect(sales.getByRole('link', { name: `Open sale ${s1._id.slice(-8)}` })).toHaveCount(0);
  await shoot(page, 'admin-sales-1440');
  await sales.getByRole('link', { name: `Open sale ${s3._id.slice(-8)}` }).click();
  await expect(page.getByRole('heading', { name: `Sale ${s3._id.slice(-8)}` })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Approvals' })).toContainText('void: approved by Maria Manager');
  await expect(page.getByLabel('Receipt text')).toContainText('VOID');

  // a normal sale: lines, tenders, the receipt to reprint, email queued
  await page.getByRole('button', { name: 'Back to the journal' }).click();
  await page.getByRole('combobox', { name: 'Type' }).selectOption('');
  await page.getByLabel('Receipt number').fill(s2._id.slice(-8));
  await page.getByRole('button', { name: 'Show sales' }).click();
  await expect(sales.getByRole('row')).toHaveCount(2);
  await sales.getByRole('link', { name: `Open sale ${s2._id.slice(-8)}` }).click();
  const lines = page.getByRole('table', { name: 'Lines' });
  await expect(lines.getByRole('row', { name: new RegExp(a!.sku) })).toBeVisible();
  await expect(lines.getByRole('row', { name: new RegExp(b!.sku) })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Tenders' })).toContainText(dollars(s2.total));
  await expect(page.getByLabel('Receipt text')).toContainText('REPRINT');
  await expect(page.getByLabel('Receipt text')).toContainText(dollars(s2.total));
  await expect(page.getByRole('button', { name: 'Print receipt' })).toBeEnabled();
  await page.getByLabel('Email address').fill('shopper@example.test');
  await page.getByRole('button', { name: 'Email receipt' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Receipt queued for shopper@example.test' })).toBeVisible();
  const outbox = await request.get(`/db/${reg.db}/_all_docs`, { headers: owner.auth, params: { include_docs: 'true', startkey: JSON.stringify('outbox:admin:'), endkey: JSON.stringify('outbox:admin:\ufff0') } });
  const queued = ((await outbox.json()) as { rows: { doc: { ref: string; to: string } }[] }).rows.map((r) => r.doc);
  expect(queued).toContainEqual(expect.objectContaining({ ref: s2._id, to: 'shopper@example.test' }));
  await shoot(page, 'admin-sale-detail-1440');

  // reports: sales by product at GM today, exported as CSV and read back
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Reports' }).click();
  await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
  // GM's business day (New York), whatever the test machine's zone
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
  await page.getByRole('combobox', { name: 'Report' }).selectOption('sales-by-product');
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByRole('combobox', { name: 'Location' }).selectOption('GM');
  await page.getByRole('button', { name: 'Run report' }).click();
  const table = page.getByRole('table', { name: /Sales by product/ });
  await expect(table.getByRole('columnheader', { name: 'Net sales' })).toBeVisible();
  await expect(table.getByRole('row')).not.toHaveCount(1);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`sales-by-product-GM-${today}-to-${today}.csv`);
  const csv = await fs.readFile((await file.path())!, 'utf8');
  const rows = csv.trim().split('\r\n');
  // gross before discounts, returns apart, net without tax (domain/sales-figures.ts); the totals row last
  expect(rows[0]).toBe('Product id,Product,Transactions,Units,Gross sales,Discounts,Returns,Net sales,Tax,Total sales');
  expect(rows.at(-1)).toMatch(/^Total,,,/);
  // sold today at GM by this test: a ×3 over two sales, b ×1 (the voided b ×3 is left out); the demo may add its own
  const rowOf = (productId: string) => rows.find((r) => r.startsWith(`${productId},`))?.split(',');
  const ra = rowOf(a!.productId)!;
  const rb = rowOf(b!.productId)!;
  expect(Number(ra[3])).toBeGreaterThanOrEqual(3);
  expect(Number(rb[3])).toBeGreaterThanOrEqual(1);
  const reportJson = (await (await request.get(`/api/v1/reports/sales-by-product?from=${today}&to=${today}&location=GM`, { headers: owner.auth })).json()) as { rows: { key: string; units: number }[] };
  expect(Number(ra[3])).toBe(reportJson.rows.find((r) => r.key === a!.productId)!.units);

  await page.getByRole('combobox', { name: 'Report' }).selectOption('sales-by-hour');
  await page.getByRole('button', { name: 'Run report' }).click();
  await expect(page.getByRole('img', { name: /Sales by hour: net sales/ })).toBeVisible();
  await shoot(page, 'admin-reports-1440');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByLabel('Today Transactions')).toBeVisible();
  await shoot(page, 'admin-dashboard-phone');
});

test('a cashier is denied the dashboard, journal and reports, and the matching API calls', async ({ page, request }) => {
  await signInAdmin(page, 'cashier@nexus.demo', { waitSignedIn: false });
  const nav = page.getByRole('navigation', { name: 'Admin sections' });
  await expect(page.getByRole('alert')).toContainText('does not have access to Dashboard');
  for (const name of ['Dashboard', 'Sales', 'Reports']) await expect(nav.getByRole('link', { name, exact: true })).toHaveCount(0);
  await expect(page.getByLabel('Today Transactions')).toHaveCount(0);
  for (const [path, label] of [
    ['/admin/sales', 'Sales'],
    ['/admin/reports', 'Reports']
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('alert')).toContainText(`does not have access to ${label}`);
  }
  await expect(page.getByRole('button', { name: 'Export CSV' })).toHaveCount(0);

  const login = await request.post('/api/v1/auth/login', { data: { email: 'cashier@nexus.demo', password: PASSWORD } });
  const headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
  for (const path of ['/api/v1/reports/dashboard', '/api/v1/reports/sales-by-day', '/api/v1/reports/tenders.csv', '/api/v1/sales']) {
    expect((await request.get(path, { headers })).status(), path).toBe(403);
  }
});
