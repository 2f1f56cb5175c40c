import { expect, test, machine, type APIRequestContext, type Browser, type Page } from './support/test.ts';
import { shoot, signInAdmin } from './support/admin.ts';
import { enrolRegister, expectUnsynced, openShift, ownerLogin, PINS, registerKey, scan, serverDocs, signIn, type Owner } from './support/register.ts';

/**
 * Issue 18's tax journeys, in Chromium against the real server (embedded store) and the local TaxJar
 * server the Playwright runner started (tests/support/fake-taxjar.ts; the server reaches it through
 * the taxjar client's apiUrl, TAXJAR_API_URL): (a) an admin gives a New York store its jurisdictions
 * by hand (clothing under $110 exempt from the state's and the MCTD's share) and a Berlin store has
 * VAT inside its prices; each rings a sale offline with the right tax on screen, on the receipt and in
 * the synced sale; (b) the admin refreshes New York from TaxJar, reviews the diff, schedules it,
 * cancels that, applies it now, and a register rings the new rate after it syncs; (c) a customer given
 * an exemption certificate in the admin buys offline tax-free, the certificate on the receipt.
 * The expected tax is worked out here from the sale's own nets, not by the app's engine.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(machine(300_000));

const TAXJAR = process.env.E2E_TAXJAR_URL ?? '';
const TOKEN = 'tj_e2e_0123456789abcdef';
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

interface Item {
  name: string;
  barcode: string;
  price: number;
  taxCategory: string;
}
interface SaleLine {
  name: string;
  taxCategory: string;
  qty: number;
  unitPrice: number;
  discount: number;
  tax: number;
  taxes?: { jurisdictionId: string; name: string; ratePpm: number; amount: number }[];
}
interface Sale {
  _id: string;
  taxTotal: number;
  total: number;
  lines: SaleLine[];
  taxExemption?: { certificateNo: string; expiresOn: string };
}
interface PrintedJob {
  lines: string[];
}

let owner: Owner;
let under: Item; // clothing under $110
let over: Item; // clothing at or over $110
let accessory: Item;

/** half-up rounding of net × ppm / 1,000,000 in integers (line rounding, the demo's setting) */
const share = (net: number, ppm: number, den = 1_000_000) => Math.floor((2 * net * ppm + den) / (2 * den));

async function catalogItems(request: APIRequestContext): Promise<Item[]> {
  const res = await request.get(`/db/t-${owner.tenantId}-catalog/_all_docs`, {
    headers: owner.auth,
    params: { include_docs: 'true', startkey: JSON.stringify('product:nx-'), endkey: JSON.stringify('product:nx-\ufff0'), limit: '400' }
  });
  const { rows } = (await res.json()) as { rows: { doc: { name: string; taxCategory: string; variants: { barcode?: string; price: number }[] } }[] };
  return rows.flatMap(({ doc }) => doc.variants.filter((v) => v.barcode).map((v) => ({ name: doc.name, barcode: v.barcode!, price: v.price, taxCategory: doc.taxCategory })));
}

async function lastReceipt(page: Page): Promise<string> {
  const job = await page.evaluate(() => (window as unknown as { __simulatedPrinter?: { jobs: PrintedJob[] } }).__simulatedPrinter?.jobs.at(-1)?.lines ?? null);
  if (!job) throw new Error('nothing was printed');
  return job.join('\n');
}

/** A register of `code` in its own browser context, synced (so it holds the tax table), then offline, signed in, shift open. */
async function offlineRegister(browser: Browser, request: APIRequestContext, code: string, name: string, pin: string = PINS.cashier) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await enrolRegister(page, request, owner, name, code);
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText(/Online · all sent\s·\ssynced \d/, { timeout: machine(60_000) });
  await context.setOffline(true);
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText('Offline', { timeout: machine(30_000) });
  await signIn(page, pin);
  await openShift(page);
  return { context, page, key: await registerKey(page) };
}

async function ring(page: Page, items: Item[]): Promise<void> {
  for (const [i, item] of items.entries()) {
    await scan(page, item.barcode);
    await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(i + 1);
  }
}

async function pay(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('dialog', { name: 'Payment' }).getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
  await expect(page.getByRole('dialog', { name: 'Sale complete' })).toBeVisible();
}

async function syncedSale(page: Page, request: APIRequestContext, key: string, code: string): Promise<Sale> {
  await page.context().setOffline(false);
  await expectUnsynced(page, 0, machine(60_000));
  // the badge can read "all sent" a moment before the sale's push is answered: wait for the server's copy
  let sales: Sale[] = [];
  await expect.poll(async () => (sales = await serverDocs<Sale>(request, owner, `sale:${key}:`, code)).length, { timeout: machine(60_000) }).toBe(1);
  return sales[0]!;
}

async function control(request: APIRequestContext, path: string, data?: unknown): Promise<void> {
  const res = await request.put(`${TAXJAR}/_control/${path}`, data === undefined ? {} : { data });
  expect(res.ok()).toBe(true);
}

test.beforeAll(async ({ request }) => {
  expect(TAXJAR, 'the runner starts the local TaxJar (playwright.config.ts)').not.toBe('');
  owner = await ownerLogin(request);
  const settings = (await (await request.get('/api/v1/settings', { headers: owner.auth })).json()) as { settings: { taxRounding: string } };
  expect(settings.settings.taxRounding).toBe('line');
  const items = await catalogItems(request);
  under = items.find((i) => i.taxCategory === 'clothing' && i.price >= 2_000 && i.price < 11_000)!;
  over = items.find((i) => i.taxCategory === 'clothing' && i.price >= 11_000)!;
  accessory = items.find((i) => i.taxCategory !== 'clothing')!;
  expect([under, over, accessory].every(Boolean)).toBe(true);
});

test('(a) a New York store with clothing rules and a VAT store ring the right tax offline', async ({ page, browser, request }) => {
  // the admin gives GM its jurisdictions by hand (ids as TaxJar's, so a later refresh keeps the rules)
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo');
  await page.goto('/admin/settings/taxes');
  // the stores are listed by code, and earlier journeys add stores that sort before GM
  await page.getByLabel('Store', { exact: true }).selectOption('GM');
  await expect(page.getByRole('heading', { name: 'GM · Nexus Grand Mall' })).toBeVisible();
  await expect(page.getByText(/Charges the single rate NY sales tax 8.875%/)).toBeVisible();
  await page.getByRole('button', { name: 'Edit rates by hand' }).click();
  const form = page.getByRole('form', { name: 'Edit the rates at GM' });
  await form.getByLabel('Name', { exact: true }).first().fill('New York State');
  await form.getByLabel('Id (reports add up by it)').first().fill('us-ny');
  await form.getByLabel('Rate (%)').first().fill('4');
  await form.getByRole('button', { name: 'Add category rule' }).first().click();
  await form.getByLabel(/^Price per item/).first().fill('110');
  await form.getByRole('button', { name: 'Add jurisdiction' }).click();
  await form.getByLabel('Name', { exact: true }).nth(1).fill('New York city');
  await form.getByLabel('Id (reports add up by it)').nth(1).fill('us-ny-city-new-york');
  await form.getByLabel('Kind', { exact: true }).nth(1).selectOption('city');
  await form.getByLabel('Rate (%)').nth(1).fill('4.5');
  await form.getByRole('button', { name: 'Add jurisdiction' }).click();
  await form.getByLabel('Name', { exact: true }).nth(2).fill('MCTD');
  await form.getByLabel('Id (reports add up by it)').nth(2).fill('us-ny-districts-10001');
  await form.getByLabel('Kind', { exact: true }).nth(2).selectOption('special');
  await form.getByLabel('Rate (%)').nth(2).fill('0.375');
  await form.getByRole('button', { name: 'Add category rule' }).nth(2).click();
  await form.getByLabel(/^Price per item/).nth(1).fill('110');
  // the gateway's schema speaks first: a rate over 100 % is refused before anything is sent
  await form.getByLabel('Rate (%)').nth(2).fill('150');
  await form.getByRole('button', { name: 'Save rates' }).click();
  await expect(page.getByRole('alert')).toContainText('MCTD: rate must be at most 100 %');
  await form.getByLabel('Rate (%)').nth(2).fill('0.375');
  await shoot(page, 'tax-hand-editor-laptop');
  await form.getByRole('button', { name: 'Save rates' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved: GM charges 8.875 % from now.' })).toBeVisible();
  const inForce = page.getByRole('table', { name: 'Jurisdictions from the start' });
  await expect(inForce.getByRole('row')).toHaveCount(4);
  await expect(inForce.getByRole('row', { name: /New York State/ })).toContainText('clothing: exempt under $110.00 an item');
  await shoot(page, 'tax-versions-laptop');
  await page.setViewportSize({ width: 1280, height: 800 });
  await shoot(page, 'tax-versions-register-size');

  // a VAT store: Berlin, prices include MwSt 19 % (set through the API the page uses)
  expect((await request.post('/api/v1/locations', { headers: owner.auth, data: { code: 'BE', name: 'Nexus Berlin', address: 'Alexanderplatz 1, Berlin', timeZone: 'Europe/Berlin', currency: 'EUR' } })).status()).toBe(201);
  expect((await request.patch('/api/v1/locations/BE', { headers: owner.auth, data: { pricesIncludeTax: true } })).ok()).toBe(true);
  const vat = await request.put('/api/v1/settings/locations/BE/tax-table', { headers: owner.auth, data: { components: [{ id: 'de-vat', name: 'MwSt', kind: 'country', ratePpm: 190_000, rules: { books: { kind: 'reduced', ratePpm: 70_000 } } }] } });
  expect(vat.ok(), await vat.text()).toBe(true);

  // New York, offline: the tee (under $110) pays only the city's 4.5 %, the jacket and the accessory all three
  const ny = await offlineRegister(browser, request, 'GM', 'E2E tax GM');
  await ring(ny.page, [under, over, accessory]);
  const nyNets = [under, over, accessory].map((i) => i.price);
  const exempt = (i: Item) => i.taxCategory === 'clothing' && i.price < 11_000;
  const expected = {
    state: [under, over, accessory].reduce((s, i) => s + (exempt(i) ? 0 : share(i.price, 40_000)), 0),
    city: nyNets.reduce((s, n) => s + share(n, 45_000), 0),
    mctd: [under, over, accessory].reduce((s, i) => s + (exempt(i) ? 0 : share(i.price, 3_750)), 0)
  };
  const nyTax = expected.state + expected.city + expected.mctd;
  await expect(ny.page.getByLabel('Tax', { exact: true })).toHaveText(usd.format(nyTax / 100));
  await expect(ny.page.getByLabel('New York State 4%')).toHaveText(usd.format(expected.state / 100));
  await expect(ny.page.getByLabel('New York city 4.5%')).toHaveText(usd.format(expected.city / 100));
  await expect(ny.page.getByLabel('MCTD 0.375%')).toHaveText(usd.format(expected.mctd / 100));
  await shoot(ny.page, 'tax-register-ny');
  await pay(ny.page);
  const nyReceipt = await lastReceipt(ny.page);
  expect(nyReceipt).toMatch(new RegExp(`New York State 4%\\s+\\${usd.format(expected.state / 100)}`));
  expect(nyReceipt).toMatch(new RegExp(`New York city 4\\.5%\\s+\\${usd.format(expected.city / 100)}`));
  expect(nyReceipt).toMatch(new RegExp(`MCTD 0\\.375%\\s+\\${usd.format(expected.mctd / 100)}`));
  const nySale = await syncedSale(ny.page, request, ny.key, 'GM');
  expect(nySale.taxTotal).toBe(nyTax);
  const tee = nySale.lines.find((l) => l.unitPrice === under.price && l.taxCategory === 'clothing')!;
  expect(tee.taxes!.map((t) => t.jurisdictionId)).toEqual(['us-ny-city-new-york']);
  await ny.context.close();

  // Berlin, offline: VAT is inside the prices: net × 19/119 per line, the total is the prices' sum
  // the demo's cashier works at the US stores only: the owner rings Berlin
  const be = await offlineRegister(browser, request, 'BE', 'E2E tax BE', PINS.owner);
  await ring(be.page, [under, accessory]);
  const vatTax = share(under.price, 190_000, 1_190_000) + share(accessory.price, 190_000, 1_190_000);
  const amount = (n: number) => new RegExp(`${Math.floor(n / 100)}[.,]${String(n % 100).padStart(2, '0')}`);
  await expect(be.page.getByLabel('Cart total')).toHaveText(amount(under.price + accessory.price));
  await expect(be.page.getByLabel('Tax', { exact: true })).toHaveText(amount(vatTax));
  await expect(be.page.getByLabel('MwSt 19%')).toHaveText(amount(vatTax));
  await shoot(be.page, 'tax-register-vat');
  await pay(be.page);
  const beReceipt = await lastReceipt(be.page);
  expect(beReceipt).toMatch(new RegExp(`Incl\\. MwSt 19%\\s+.*${amount(vatTax).source}`));
  const beSale = await syncedSale(be.page, request, be.key, 'BE');
  expect(beSale).toMatchObject({ taxTotal: vatTax, total: under.price + accessory.price });
  await be.context.close();
});

test('(b) rates refreshed from the local TaxJar: the diff reviewed, scheduled and cancelled, applied now, rung after sync', async ({ page, browser, request }) => {
  await control(request, `tokens/${TOKEN}`);
  // New York City's rate goes from 4.5 % to 5 %; the state and the districts stay
  await control(request, 'us/10001', { state: 'NY', state_rate: '0.04', county: 'NEW YORK', county_rate: '0.0', city: 'NEW YORK', city_rate: '0.05', combined_district_rate: '0.00375' });
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo');
  await page.goto('/admin/settings/taxes');
  await page.getByLabel('TaxJar API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Connect TaxJar' }).click();
  await expect(page.getByText('TaxJar connected · token …cdef')).toBeVisible();
  // the stores are listed by code: Berlin (BE) now comes first
  await page.getByLabel('Store', { exact: true }).selectOption('GM');
  await expect(page.getByRole('heading', { name: 'GM · Nexus Grand Mall' })).toBeVisible();

  const lookUp = async () => {
    await page.getByRole('button', { name: 'Refresh rates from TaxJar' }).click();
    await page.getByLabel('ZIP / postal code').fill('10001');
    await page.getByLabel('State', { exact: true }).fill('NY');
    await page.getByLabel('City', { exact: true }).fill('New York');
    await page.getByRole('button', { name: 'Look up rates' }).click();
    return page.getByRole('region', { name: 'Proposed rate changes for GM' });
  };
  let diff = await lookUp();
  await expect(diff).toContainText('combined rate 8.875 % → 9.375 %, at once');
  const changed = diff.getByRole('row', { name: /New York city/ });
  await expect(changed).toContainText('Rate changed');
  await expect(changed).toContainText('4.5 %');
  await expect(changed).toContainText('5 %');
  await expect(diff.getByRole('row', { name: /NY state/ })).toContainText('Unchanged');
  await shoot(page, 'tax-taxjar-diff-laptop');
  await page.setViewportSize({ width: 1280, height: 800 });
  await shoot(page, 'tax-taxjar-diff-register-size');

  // scheduled for tomorrow: listed with its date, then cancelled
  await page.getByRole('button', { name: 'Apply on a date…' }).click();
  const tomorrow = await page.getByLabel('Start date').evaluate((el: HTMLInputElement) => {
    const [y, m, d] = el.min.split('-').map(Number);
    return new Date(Date.UTC(y!, m! - 1, d! + 1)).toISOString().slice(0, 10);
  });
  await page.getByLabel('Start date').fill(tomorrow);
  await page.getByRole('button', { name: 'Review for this date' }).click();
  await expect(diff).toContainText(`from the store’s midnight starting ${tomorrow}`);
  await page.getByRole('button', { name: `Apply from ${tomorrow}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Applied: GM charges 9.375 % from ${tomorrow}` })).toBeVisible();
  const scheduled = page.getByRole('listitem', { name: `Rates from ${tomorrow}` });
  await expect(scheduled).toContainText('Scheduled');
  await shoot(page, 'tax-scheduled-register-size');
  await scheduled.getByRole('button', { name: 'Cancel this change' }).click();
  await expect(page.getByRole('status').filter({ hasText: `The change scheduled from ${tomorrow} is cancelled.` })).toBeVisible();
  await expect(scheduled).toBeHidden();

  // applied now
  diff = await lookUp();
  await expect(diff).toContainText('combined rate 8.875 % → 9.375 %, at once');
  await page.getByRole('button', { name: 'Apply now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Applied: GM charges 9.375 % from now.' })).toBeVisible();
  const now = page.getByRole('table', { name: /^Jurisdictions from \d{4}-\d{2}-\d{2}$/ });
  await expect(now.getByRole('row', { name: /New York city/ })).toContainText('5 %');
  // the clothing rule stayed with the state (same id)
  await expect(now.getByRole('row', { name: /NY state/ })).toContainText('clothing: exempt under $110.00 an item');
  await page.setViewportSize({ width: 1440, height: 900 });
  await shoot(page, 'tax-applied-laptop');

  // a register that synced after the change charges the new city rate (and still exempts the tee from the state's)
  const ny = await offlineRegister(browser, request, 'GM', 'E2E tax GM after refresh');
  await ring(ny.page, [under]);
  const city = share(under.price, 50_000);
  await expect(ny.page.getByLabel('Tax', { exact: true })).toHaveText(usd.format(city / 100));
  await expect(ny.page.getByLabel('New York city 5%')).toHaveText(usd.format(city / 100));
  await pay(ny.page);
  expect(await lastReceipt(ny.page)).toMatch(new RegExp(`New York city 5%\\s+\\${usd.format(city / 100)}`));
  expect((await syncedSale(ny.page, request, ny.key, 'GM')).taxTotal).toBe(city);
  await ny.context.close();
});

test('(c) a customer with an exemption certificate buys offline without tax, the certificate on the receipt', async ({ page, browser, request }) => {
  const res = await request.get(`/db/t-${owner.tenantId}-customers/_all_docs`, { headers: owner.auth, params: { include_docs: 'true', startkey: JSON.stringify('customer:'), endkey: JSON.stringify('customer:\ufff0'), limit: '20' } });
  const { rows } = (await res.json()) as { rows: { doc: { _id: string; firstName: string; lastName: string; mergedInto?: string } }[] };
  const customer = rows.map((r) => r.doc).find((c) => !c.mergedInto && c.lastName)!;
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo');
  await page.goto(`/admin/customers/profile?id=${encodeURIComponent(customer._id)}`);
  const cert = page.getByRole('form', { name: 'Tax exemption certificate' });
  await cert.getByLabel('Certificate number').fill('ST-120-E2E');
  const expires = `${new Date().getUTCFullYear() + 1}-12-31`;
  await cert.getByLabel('Valid through').fill(expires);
  await cert.getByRole('button', { name: 'Save exemption' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Exemption saved' })).toBeVisible();
  await expect(page.getByText(`Exempt: certificate ST-120-E2E, valid to ${expires}, from all sales tax.`)).toBeVisible();
  await shoot(page, 'tax-customer-exemption-laptop');

  const ny = await offlineRegister(browser, request, 'GM', 'E2E tax exempt');
  await ny.page.getByRole('button', { name: 'Customer', exact: true }).click();
  const picker = ny.page.getByRole('dialog', { name: 'Customer' });
  await picker.getByLabel('Search by name, email or phone').fill(`${customer.firstName} ${customer.lastName}`);
  await picker.getByRole('list', { name: 'Customers found' }).getByRole('button').first().click();
  await expect(picker).toBeHidden();
  await ring(ny.page, [over, accessory]);
  await expect(ny.page.getByLabel('Tax exemption')).toContainText(`Tax exempt · certificate ST-120-E2E to ${expires}`);
  await expect(ny.page.getByLabel('Tax', { exact: true })).toHaveText('$0.00');
  await expect(ny.page.getByLabel('Cart total')).toHaveText(usd.format((over.price + accessory.price) / 100));
  await shoot(ny.page, 'tax-register-exempt');
  await pay(ny.page);
  expect((await lastReceipt(ny.page)).replace(/\s+/g, ' ')).toContain(`Tax exempt: certificate ST-120-E2E (valid to ${expires}), exempt from all sales tax`);
  const sale = await syncedSale(ny.page, request, ny.key, 'GM');
  expect(sale).toMatchObject({ taxTotal: 0, taxExemption: { certificateNo: 'ST-120-E2E', expiresOn: expires } });
  await ny.context.close();
});
