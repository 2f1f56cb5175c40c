import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, throttleContext, type BrowserContext, type Page, machine } from './support/test.ts';
import { waitForServiceWorker } from './support/offline.ts';
import {
  demoItems,
  enrolRegister,
  expectUnsynced,
  finishSale,
  openShift,
  ownerLogin,
  payExactCash,
  PINS,
  registerKey,
  scan,
  serverDocs,
  serverStock,
  signIn
} from './support/register.ts';

/**
 * The register issue's "done when": a cashier sells with the network unplugged — 20 scanned sales,
 * a split tender and a return — reloads the page offline, closes the browser and opens it again
 * offline, and when the network comes back the server has every sale exactly once and stock moved
 * by exactly their quantities. A persistent browser profile, so closing and reopening keeps the
 * device's IndexedDB and service worker as a real kiosk would.
 */
test.setTimeout(machine(240_000));

const launch = async (dir: string, baseURL: string) =>
  throttleContext(await chromium.launchPersistentContext(dir, {
    baseURL,
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    viewport: { width: 1366, height: 768 }
  }));

async function firstPage(ctx: BrowserContext): Promise<Page> {
  return ctx.pages()[0] ?? (await ctx.newPage());
}

test('a full day offline: every sale reaches the server exactly once and stock moves exactly', async ({ request, baseURL }) => {
  const owner = await ownerLogin(request);
  const items = await demoItems(request, owner, 8);
  const variantIds = items.map((i) => i.variantId);
  const before = await serverStock(request, owner, variantIds);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-kiosk-'));
  let ctx = await launch(dir, baseURL!);
  try {
    let page = await firstPage(ctx);
    await enrolRegister(page, request, owner, 'E2E offline till');
    await waitForServiceWorker(page);
    const key = await registerKey(page);
    // the register has been round the server once (catalog, staff, stock in), then the cable is pulled
    await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText(/Online · all sent\s·\ssynced \d/, { timeout: machine(60_000) });
    await ctx.setOffline(true);
    await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText('Offline', { timeout: machine(30_000) });

    await signIn(page, PINS.cashier);
    await openShift(page);
    await expectUnsynced(page, 1); // the shift

    const sold = new Map<string, number>(variantIds.map((v) => [v, 0]));
    const numbers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const basket = i % 4 === 0 ? [items[i % 8]!, items[(i * 3 + 1) % 8]!] : [items[i % 8]!];
      for (const item of basket) {
        await scan(page, item.barcode);
        await expect(page.getByRole('status', { name: 'Last scan' })).toContainText('Added');
        sold.set(item.variantId, sold.get(item.variantId)! + 1);
      }
      await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(new Set(basket.map((b) => b.variantId)).size);
      if (i === 7) {
        // split tender: 10.00 on the card terminal, the rest in cash
        await page.getByRole('button', { name: /^Pay / }).click();
        const pay = page.getByRole('dialog', { name: 'Payment' });
        await pay.getByRole('textbox', { name: /^Amount/ }).fill('10.00');
        await pay.getByRole('button', { name: /^Card on terminal/ }).click();
        await expect(pay.getByRole('list', { name: 'Tenders' })).toContainText('Card (terminal): $10.00');
        await pay.getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
        numbers.push(await finishSale(page));
      } else {
        numbers.push(await payExactCash(page));
      }
    }
    await expectUnsynced(page, 21);

    // a return of the first item of sale #2, found by the receipt number
    const returned = items[1 % 8]!;
    await page.getByRole('button', { name: 'Return' }).click();
    const ret = page.getByRole('dialog', { name: 'Return' });
    await ret.getByLabel('Receipt barcode or sale number').fill(numbers[1]!);
    await ret.getByRole('button', { name: 'Find sale' }).click();
    await ret.getByLabel(/^Units to return of/).first().fill('1');
    await ret.getByLabel(/^Why is .* coming back\?/).selectOption({ label: 'Changed their mind' });
    await ret.getByRole('button', { name: 'Add to cart as return' }).click();
    await page.getByRole('button', { name: /^Refund / }).click();
    const refund = page.getByRole('dialog', { name: 'Refund' });
    await refund.getByRole('button', { name: /^Refund cash/ }).click();
    await finishSale(page);
    sold.set(returned.variantId, sold.get(returned.variantId)! - 1);
    await expectUnsynced(page, 22);

    // a sale parked while the customer keeps shopping, resumed and paid
    const parkedItem = items[2]!;
    await scan(page, parkedItem.barcode);
    await page.getByRole('button', { name: 'Park sale' }).click();
    const park = page.getByRole('dialog', { name: 'Park sale' });
    await park.getByLabel('Name for this sale').fill('Fitting room 2');
    await park.getByRole('button', { name: 'Park this sale' }).click();
    await page.getByRole('button', { name: 'Parked sales' }).click();
    await page.getByRole('dialog', { name: 'Parked sales' }).getByRole('button', { name: 'Resume Fitting room 2' }).click();
    await payExactCash(page);
    sold.set(parkedItem.variantId, sold.get(parkedItem.variantId)! + 1);

    // a layaway for a customer created at the till
    await page.getByRole('button', { name: 'Customer', exact: true }).click();
    const picker = page.getByRole('dialog', { name: 'Customer' });
    await picker.getByRole('button', { name: 'New customer' }).click();
    await picker.getByLabel('First name').fill('Olga');
    await picker.getByLabel('Last name').fill('Offline');
    await picker.getByRole('button', { name: 'Create and attach' }).click();
    await expect(picker).toBeHidden();
    await scan(page, items[3]!.barcode);
    await page.getByRole('button', { name: 'Layaway', exact: true }).click();
    const lay = page.getByRole('dialog', { name: 'Layaways' });
    await lay.getByRole('button', { name: 'Take deposit' }).click();
    const deposit = page.getByRole('dialog', { name: 'Layaway deposit' });
    await deposit.getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
    await expect(lay.getByRole('status').filter({ hasText: 'Layaway opened for Olga Offline' })).toBeVisible();
    await lay.getByRole('button', { name: 'Done' }).click();
    await expectUnsynced(page, 25); // + the resumed sale, the parked sale's deletion, the layaway

    // reload with no network: the service worker serves the app, the sales are still here
    await page.reload();
    await signIn(page, PINS.cashier);
    await expect(page.getByLabel('Barcode or SKU')).toBeVisible({ timeout: machine(30_000) }); // the shift is still open
    await expectUnsynced(page, 25);

    // close the browser and open it again, still offline
    await ctx.close();
    ctx = await launch(dir, baseURL!);
    await ctx.setOffline(true);
    page = await firstPage(ctx);
    await page.goto('/pos');
    await signIn(page, PINS.cashier);
    await expect(page.getByLabel('Barcode or SKU')).toBeVisible();
    await expectUnsynced(page, 25);

    // close the day, still offline: the count, then a manager's override because nothing is on the server yet
    await page.getByRole('button', { name: 'Shift', exact: true }).click();
    const shift = page.getByRole('dialog', { name: 'Shift' });
    await shift.getByRole('button', { name: 'Close shift' }).click();
    const expected = (await shift.getByLabel('Expected cash').textContent())!.replace(/[^0-9.]/g, '');
    const cents = Math.round(Number(expected) * 100);
    await shift.getByRole('table', { name: 'Denominations' }).getByLabel('$0.01', { exact: true }).fill(String(cents));
    await expect(shift.getByLabel('Over / short')).toHaveText(/Exact|\$0\.00|Even/);
    const refusal = shift.getByRole('alert').filter({ hasText: 'Closing is refused' });
    await refusal.getByRole('button', { name: 'Manager override' }).click();
    const override = page.getByRole('dialog', { name: 'Manager override' });
    await override.getByLabel('Manager PIN').fill(PINS.manager);
    await override.getByRole('button', { name: 'Approve' }).click();
    await shift.getByRole('button', { name: 'Confirm close' }).click();
    await expect(shift.getByRole('heading', { name: 'Z report' })).toBeVisible();
    await shift.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByLabel('Your PIN')).toBeVisible(); // locked until the next shift
    await expectUnsynced(page, 26);

    // the network comes back
    await ctx.setOffline(false);
    await expectUnsynced(page, 0, machine(60_000));

    const sales = await serverDocs<{ _id: string; kind: string; lines: { qty: number }[] }>(request, owner, `sale:${key}:`);
    expect(sales).toHaveLength(22);
    expect(new Set(sales.map((s) => s._id)).size).toBe(22);
    expect(sales.filter((s) => s.kind === 'return')).toHaveLength(1);
    expect(await serverDocs(request, owner, `layaway:${key}:`)).toHaveLength(1);
    expect(await serverDocs(request, owner, `parked:${key}:`)).toHaveLength(0);
    const [close] = await serverDocs<{ countedCash: number; expectedCash: number; approvals: { action: string }[] }>(request, owner, `shift_close:${key}:`);
    expect(close).toMatchObject({ countedCash: cents, expectedCash: cents });
    expect(close!.approvals.map((a) => a.action)).toEqual(['close_unsynced']);
    const after = await serverStock(request, owner, variantIds);
    for (const v of variantIds) expect(after.get(v), v).toBe(before.get(v)! - sold.get(v)!);
  } finally {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
