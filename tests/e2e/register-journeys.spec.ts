import { expect, test, type Page, machine } from './support/test.ts';
import {
  demoItems,
  enrolRegister,
  expectOnServer,
  finishSale,
  openShift,
  ownerLogin,
  payExactCash,
  PINS,
  registerKey,
  scan,
  serverDocs,
  signIn,
  type DemoItem,
  type Owner
} from './support/register.ts';

/**
 * The register's journeys one by one, each on a freshly enrolled register of the demo store:
 * returns and exchanges, voids with a manager PIN, parking, layaways, the shift close, and a
 * storage failure during a sale. Receipts go to the simulated printer, whose decoded output
 * (window.__simulatedPrinter) the tests read like a cashier reads the paper.
 */
test.setTimeout(machine(120_000));

let owner: Owner;
let items: DemoItem[];

test.beforeAll(async ({ request }) => {
  owner = await ownerLogin(request);
  items = await demoItems(request, owner, 12);
});

async function ready(page: Page, request: Parameters<typeof enrolRegister>[1], name: string, pin: string = PINS.cashier): Promise<string> {
  await enrolRegister(page, request, owner, name);
  await signIn(page, pin);
  await openShift(page);
  return registerKey(page);
}

interface PrintedJob {
  lines: string[];
  qrcodes: string[];
  drawerKicks: number;
}

async function lastReceipt(page: Page): Promise<PrintedJob> {
  return page.evaluate(() => {
    const sim = (window as unknown as { __simulatedPrinter?: { jobs: PrintedJob[] } }).__simulatedPrinter;
    const job = sim?.jobs.at(-1);
    if (!job) throw new Error('nothing was printed');
    return { lines: job.lines, qrcodes: job.qrcodes, drawerKicks: job.drawerKicks };
  });
}

test('a sale prints a receipt with its lines, totals, the sale-id code and one drawer kick; a reprint kicks no drawer', async ({ page, request }) => {
  const key = await ready(page, request, 'E2E receipt till');
  const [a, b] = [items[0]!, items[1]!];
  await scan(page, a.barcode);
  await scan(page, a.barcode);
  await scan(page, b.sku);
  const cart = page.getByRole('list', { name: 'Cart lines' });
  await expect(cart.getByRole('listitem')).toHaveCount(2);
  await expect(cart.getByRole('listitem').first()).toHaveAccessibleName(/quantity 2/);
  const total = (await page.getByLabel('Cart total').textContent())!.trim();
  await payExactCash(page);
  const receipt = await lastReceipt(page);
  const text = receipt.lines.join('\n');
  expect(text).toContain('2 x');
  expect(text).toMatch(/TOTAL\s+\$[\d,.]+/);
  expect(text).toContain(total);
  expect(receipt.drawerKicks).toBe(1);
  expect(receipt.qrcodes).toHaveLength(1);
  expect(receipt.qrcodes[0]).toMatch(new RegExp(`^sale:${key}:[0-9A-Z]{26}$`));

  // an unknown barcode adds nothing and says so
  await scan(page, '9780201379624');
  await expect(page.getByRole('alert', { name: 'Scan problem' })).toContainText('Unknown barcode or SKU “9780201379624”: nothing was added.');
  await expect(page.getByText('Scan an item or pick one from the grid.')).toBeVisible();
});

test('a return by receipt and an exchange in one transaction; stock comes back on the server', async ({ page, request }) => {
  const key = await ready(page, request, 'E2E returns till');
  const [a, b, c] = [items[2]!, items[3]!, items[4]!];
  await scan(page, a.barcode);
  await scan(page, b.barcode);
  const number = await payExactCash(page);

  // return one of A and swap it for C in the same sale
  await page.getByRole('button', { name: 'Return', exact: true }).click();
  const ret = page.getByRole('dialog', { name: 'Return' });
  await ret.getByLabel('Receipt barcode or sale number').fill(number);
  await ret.getByRole('button', { name: 'Find sale' }).click();
  await ret.getByLabel(/^Units to return of/).first().fill('1');
  await ret.getByLabel(/^Why is .* coming back\?/).selectOption({ label: 'Changed their mind' });
  await ret.getByRole('button', { name: 'Add to cart as return' }).click();
  await expect(ret).toBeHidden();
  await scan(page, c.barcode);
  const lines = page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem');
  await expect(lines).toHaveCount(2);
  await expect(lines.first()).toHaveAccessibleName(/quantity -1/);
  await page.getByRole('button', { name: /^(Pay|Refund) / }).click();
  const pay = page.getByRole('dialog', { name: /Payment|Refund/ });
  await pay.getByRole('button', { name: /^(Cash|Refund cash)/ }).first().click();
  await finishSale(page);

  await expectOnServer(request, owner, `sale:${key}:`, 2);
  const sales = await serverDocs<{ kind: string; lines: { qty: number; variantId: string; returnOf?: { saleId: string } }[] }>(request, owner, `sale:${key}:`);
  const exchange = sales.find((s) => s.kind === 'exchange')!;
  expect(exchange.lines.map((l) => [l.variantId, l.qty])).toEqual([
    [a.variantId, -1],
    [c.variantId, 1]
  ]);
  expect(exchange.lines[0]!.returnOf?.saleId).toMatch(new RegExp(`^sale:${key}:`));

  // the receipt cannot be returned twice
  await page.getByRole('button', { name: 'Return', exact: true }).click();
  await ret.getByLabel('Receipt barcode or sale number').fill(number);
  await ret.getByRole('button', { name: 'Find sale' }).click();
  await expect(ret.getByRole('row', { name: new RegExp(a.sku) })).toContainText('none left');
});

test('voiding a sale needs a manager PIN; the void is recorded with both identities and audited', async ({ page, request }) => {
  const key = await ready(page, request, 'E2E void till');
  await scan(page, items[5]!.barcode);
  const number = await payExactCash(page);
  await page.getByRole('button', { name: 'Return', exact: true }).click();
  const ret = page.getByRole('dialog', { name: 'Return' });
  await ret.getByLabel('Receipt barcode or sale number').fill(number);
  await ret.getByRole('button', { name: 'Find sale' }).click();
  await ret.getByRole('button', { name: 'Void this sale' }).click();
  await ret.getByLabel(/Reason/).fill('Rang up the wrong customer');
  await ret.getByRole('button', { name: 'Void sale' }).click();
  const approval = page.getByRole('dialog', { name: 'Approve void' });
  await approval.getByLabel('Manager PIN').fill(PINS.cashier);
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(approval.getByRole('alert')).toContainText('cannot approve this. Ask a manager to enter their PIN.');
  await approval.getByLabel('Manager PIN').fill(PINS.manager);
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByText(/voided/i).first()).toBeVisible();

  await expectOnServer(request, owner, `void:${key}:`, 1);
  const [v] = await serverDocs<{ cashierId: string; approvals: { action: string; staffName: string }[] }>(request, owner, `void:${key}:`);
  expect(v!.approvals).toEqual([expect.objectContaining({ action: 'void', staffName: 'Maria Manager' })]);
  // the server's audit trail gets the approval once it has replicated: who asked and who approved
  await expect
    .poll(
      async () => {
        const res = await request.get(`/db/t-${owner.tenantId}-audit/_all_docs`, { headers: owner.auth, params: { include_docs: 'true' } });
        const rows = ((await res.json()) as { rows: { doc: { action?: string; target?: string; actor?: string; approvedBy?: string } }[] }).rows;
        const hit = rows.map((r) => r.doc).find((d) => d.action === 'approval.void' && d.target === (v as unknown as { _id: string })._id);
        return hit ? [hit.actor === v!.cashierId, hit.approvedBy !== hit.actor] : null;
      },
      { timeout: machine(45_000) }
    )
    .toEqual([true, true]);
});

test('a parked sale is resumed on another register of the store', async ({ browser, page, request }) => {
  await ready(page, request, 'E2E park till A');
  await scan(page, items[6]!.barcode);
  await scan(page, items[7]!.barcode);
  await page.getByRole('button', { name: 'Park sale' }).click();
  const park = page.getByRole('dialog', { name: 'Park sale' });
  await park.getByLabel('Name for this sale').fill('Customer trying on jeans');
  await park.getByRole('button', { name: 'Park this sale' }).click();
  await expect(page.getByText('Scan an item or pick one from the grid.')).toBeVisible();

  const other = await (await browser.newContext()).newPage();
  await ready(other, request, 'E2E park till B', PINS.manager);
  await other.getByRole('button', { name: 'Parked sales' }).click();
  const list = other.getByRole('dialog', { name: 'Parked sales' });
  await list.getByRole('button', { name: 'Resume Customer trying on jeans' }).click({ timeout: machine(30_000) });
  await expect(other.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(2);
  await payExactCash(other);

  // gone from register A's list too, once it syncs
  await page.getByRole('button', { name: 'Parked sales' }).click();
  await expect(page.getByRole('dialog', { name: 'Parked sales' }).getByText('No parked sales.')).toBeVisible({ timeout: machine(30_000) });
});

test('a storage failure when payment is taken blocks the sale with the reason before any money counts, keeps the cart, and selling resumes once storage works', async ({ page, request }) => {
  const key = await ready(page, request, 'E2E quota till');
  await scan(page, items[8]!.barcode);
  // the device's storage is full: every IndexedDB write now fails as Chromium reports it
  await page.evaluate(() => {
    const w = window as unknown as { __quota?: boolean };
    w.__quota = true;
    for (const method of ['put', 'add'] as const) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        if (w.__quota) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return original.apply(this, args);
      } as IDBObjectStore['put'];
    }
  });
  await page.getByRole('button', { name: /^Pay / }).click();
  const payment = page.getByRole('dialog', { name: 'Payment' });
  await payment.getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
  // the tender is kept durably before the cash counts as taken: with no storage, nothing was taken
  await expect(payment.getByRole('alert')).toContainText('Nothing was taken');
  await expect(payment.getByRole('alert')).toContainText('storage is full');
  await payment.getByRole('button', { name: 'Back to cart' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'storage is full' }).first()).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Sale complete' })).toBeHidden();
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(1);
  await expect(page.getByRole('button', { name: /^Pay / })).toBeDisabled();

  await page.evaluate(() => ((window as unknown as { __quota?: boolean }).__quota = false));
  await page.getByRole('button', { name: 'Try again' }).click();
  await payExactCash(page);
  await expectOnServer(request, owner, `sale:${key}:`, 1);
});

test('a reload mid-sale gives the cashier their cart back', async ({ page, request }) => {
  await ready(page, request, 'E2E crash till');
  await scan(page, items[9]!.barcode);
  await scan(page, items[10]!.barcode);
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(2);
  await page.reload(); // a crash, a power cut, an update
  await signIn(page, PINS.cashier);
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(2, { timeout: machine(30_000) });
  await payExactCash(page);
  await page.reload();
  await signIn(page, PINS.cashier);
  await expect(page.getByText('Scan an item or pick one from the grid.')).toBeVisible({ timeout: machine(30_000) }); // a paid cart does not come back
});
