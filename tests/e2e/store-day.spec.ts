import { expect, machine, test, type APIRequestContext, type Browser, type Page } from './support/test.ts';
import { shoot, signInAdmin } from './support/admin.ts';
import { demoItems, enrolRegister, expectOnServer, finishSale, openShift, ownerLogin, registerKey, scan, signIn, type DemoItem, type Owner } from './support/register.ts';

/**
 * The store day (issue 12): a fresh register at LM (a store no other journey sells at, so its day is
 * exactly this register's), a cashier and a manager of that store, cash rounding to 0.05. A day of
 * sales — discounted lines (one over the cashier's limit, approved), an order discount, a split
 * tender, a return, a void, a layaway deposit, payment and pickup — then the shift is closed. At the
 * end the receipts (decoded from the simulated printer), the Z report (on screen and on paper), the
 * dashboard (API and page) and every report (JSON and CSV) must show the same figures to the cent,
 * and each report's rows must add up to its totals.
 */
test.setTimeout(machine(300_000));

const LOC = 'LM';
const ZONE = 'America/Los_Angeles';
const TAG = Date.now().toString(36);

let owner: Owner;
let items: DemoItem[];
let roundingBefore = 0;
const cashier = { name: `Dana Day ${TAG}`, email: `dana.${TAG}@store-day.test`, pin: '' };
const manager = { name: `Max Day ${TAG}`, email: `max.${TAG}@store-day.test`, pin: '' };

/** A staff member of LM with a PIN no one else in the tenant has (409 means taken: try another). */
async function hire(request: APIRequestContext, who: typeof cashier, role: 'cashier' | 'manager'): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pin = String(100_000 + Math.floor(Math.random() * 900_000));
    const res = await request.post('/api/v1/staff', { headers: owner.auth, data: { name: who.name, email: who.email, role, locations: [LOC], pin } });
    if (res.status() === 409 && /PIN/i.test(await res.text())) continue;
    expect(res.status(), await res.text()).toBe(201);
    who.pin = pin;
    return;
  }
  throw new Error('no free PIN found');
}

test.beforeAll(async ({ request }) => {
  owner = await ownerLogin(request);
  items = await demoItems(request, owner, 8);
  const settings = (await (await request.get('/api/v1/settings', { headers: owner.auth })).json()) as { settings: { cashRounding?: number } };
  roundingBefore = settings.settings.cashRounding ?? 0;
  // the store uses cash rounding to the nickel (set before the register enrols, so its replica has it)
  expect((await request.patch('/api/v1/settings', { headers: owner.auth, data: { cashRounding: 5 } })).ok()).toBe(true);
  await hire(request, cashier, 'cashier');
  await hire(request, manager, 'manager');
});

test.afterAll(async ({ request }) => {
  const o = await ownerLogin(request);
  await request.patch('/api/v1/settings', { headers: o.auth, data: { cashRounding: roundingBefore } });
});

/** "$1,234.56" / "-$0.05" → minor units; anything else fails the test. */
function minor(text: string): number {
  const m = /^(-)?\$([\d,]+)\.(\d\d)$/.exec(text.trim());
  expect(m, `an amount: “${text}”`).not.toBeNull();
  return (m![1] ? -1 : 1) * (Number(m![2]!.replace(/,/g, '')) * 100 + Number(m![3]));
}
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const money = (n: number) => usd.format(n / 100);

interface PrintedJob {
  lines: string[];
  qrcodes: string[];
}
async function printed(page: Page): Promise<PrintedJob[]> {
  return page.evaluate(() => {
    const sim = (window as unknown as { __simulatedPrinter?: { jobs: PrintedJob[] } }).__simulatedPrinter;
    return (sim?.jobs ?? []).map((j) => ({ lines: j.lines, qrcodes: j.qrcodes }));
  });
}

const lines = (page: Page) => page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem');

async function approve(page: Page, title: string, pin: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.getByLabel('Manager PIN').fill(pin);
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
}

/** Pays the rest with the first quick-cash button (the amount due, rounded to the nickel). */
async function payQuickCash(page: Page, dialogName: string | RegExp = 'Payment'): Promise<void> {
  await page.getByRole('dialog', { name: dialogName }).getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
}

async function findReceipt(page: Page, number: string) {
  await page.getByRole('button', { name: 'Return', exact: true }).click();
  const ret = page.getByRole('dialog', { name: 'Return' });
  await ret.getByLabel('Receipt barcode or sale number').fill(number);
  await ret.getByRole('button', { name: 'Find sale' }).click();
  return ret;
}

async function newCustomer(page: Page, first: string, last: string): Promise<void> {
  await page.getByRole('button', { name: 'Customer', exact: true }).click();
  const picker = page.getByRole('dialog', { name: 'Customer' });
  await picker.getByRole('button', { name: 'New customer' }).click();
  const form = picker.getByRole('form', { name: 'New customer' });
  await form.getByLabel('First name').fill(first);
  await form.getByLabel('Last name').fill(last);
  await form.getByRole('button', { name: 'Create and attach' }).click();
  await expect(picker).toBeHidden();
}

/** Notes and coins (USD) adding up to `amount`, largest first. */
function countOut(amount: number): Map<number, number> {
  const out = new Map<number, number>();
  let left = amount;
  for (const d of [10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1]) {
    const n = Math.floor(left / d);
    if (n > 0) out.set(d, n);
    left -= n * d;
  }
  return out;
}

const FIGURES = ['transactions', 'gross', 'discounts', 'returns', 'net', 'tax', 'rounding', 'collected'] as const;
type Figures = Record<(typeof FIGURES)[number], number>;

/** The Z report's figures as the register prints them (label, then the amount at the end of the line). */
function zFigures(zLines: string[]): Figures {
  const amount = (label: RegExp) => {
    const line = zLines.find((l) => label.test(l.trim()));
    return line ? minor(/(-?\$[\d,]+\.\d\d)\s*$/.exec(line)![1]!) : 0;
  };
  const count = Number(/^Transactions\s+(-?\d+)$/.exec(zLines.map((l) => l.trim()).find((l) => l.startsWith('Transactions'))!)![1]);
  return {
    transactions: count,
    gross: amount(/^Gross sales\s/),
    discounts: -amount(/^Discounts\s/) || 0,
    returns: -amount(/^Returns \(\d+\)\s/) || 0,
    net: amount(/^Net sales\s/),
    tax: amount(/^Tax\s/),
    rounding: amount(/^Cash rounding\s/),
    collected: amount(/^Total collected\s/)
  };
}

async function adminPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  await signInAdmin(page, 'owner@nexus.demo', { waitSignedIn: false });
  await expect(page.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible({ timeout: machine(30_000) });
  return page;
}

test('a store day: receipts, the Z report, the dashboard and every report agree to the cent', async ({ page, browser, request }) => {
  const [a, b, c, d, e, f] = items;
  await enrolRegister(page, request, owner, `E2E store day till ${TAG}`, LOC);
  const key = await registerKey(page);
  await signIn(page, cashier.pin);
  await openShift(page, '150.00');
  await expect(page.getByLabel('Signed in as')).toHaveText(cashier.name);

  // 1. two of A (25 % off, over the cashier's 10 %: the manager approves) and one B; split: $20.00 on the card, the rest in cash
  await scan(page, a!.barcode);
  await scan(page, a!.barcode);
  await scan(page, b!.barcode);
  await expect(lines(page)).toHaveCount(2);
  await page.getByRole('button', { name: /^Edit / }).first().click();
  const edit = page.getByRole('dialog', { name: /^Edit / });
  await edit.getByLabel('Discount %').fill('25');
  await edit.getByRole('button', { name: 'Apply' }).click();
  await approve(page, 'Manager approval', manager.pin);
  await expect(edit).toBeHidden();
  await page.getByRole('button', { name: /^Pay / }).click();
  const pay = page.getByRole('dialog', { name: 'Payment' });
  await pay.getByRole('textbox', { name: /^Amount \(leave empty/ }).fill('20.00');
  await pay.getByRole('button', { name: /^Card on terminal \$20\.00/ }).click();
  await expect(pay.getByRole('list', { name: 'Tenders' })).toContainText('$20.00');
  await payQuickCash(page);
  const sale1 = await finishSale(page);

  // 2. C and D with a 5 % order discount, cash
  await scan(page, c!.barcode);
  await scan(page, d!.barcode);
  await expect(lines(page)).toHaveCount(2);
  await page.getByRole('button', { name: 'Order discount' }).click();
  const disc = page.getByRole('dialog', { name: 'Order discount' });
  await disc.getByLabel('Discount %').fill('5');
  await disc.getByRole('button', { name: 'Apply discount' }).click();
  await expect(disc).toBeHidden();
  await page.getByRole('button', { name: /^Pay / }).click();
  await payQuickCash(page);
  await finishSale(page);

  // 3. E, rung up by mistake: paid, then voided with the manager's PIN
  await scan(page, e!.barcode);
  await expect(lines(page)).toHaveCount(1);
  await page.getByRole('button', { name: /^Pay / }).click();
  await payQuickCash(page);
  const sale3 = await finishSale(page);
  let ret = await findReceipt(page, sale3);
  await ret.getByRole('button', { name: 'Void this sale' }).click();
  await ret.getByLabel(/Reason/).fill('Rang up the wrong item');
  await ret.getByRole('button', { name: 'Void sale' }).click();
  await approve(page, 'Approve void', manager.pin);
  await expect(ret.getByRole('status').filter({ hasText: `Sale ${sale3} voided` })).toBeVisible();
  await ret.getByRole('button', { name: 'Done' }).click();
  await expect(ret).toBeHidden();

  // 4. one A from sale 1 comes back, refunded in cash
  ret = await findReceipt(page, sale1);
  await ret.getByLabel(/^Units to return of/).first().fill('1');
  await ret.getByLabel(/^Why is .* coming back\?/).selectOption({ label: 'Changed their mind' });
  await ret.getByRole('button', { name: 'Add to cart as return' }).click();
  await expect(ret).toBeHidden();
  await expect(lines(page)).toHaveCount(1);
  await page.getByRole('button', { name: /^Refund / }).click();
  await page.getByRole('dialog', { name: /Refund/ }).getByRole('button', { name: /^Refund cash/ }).first().click();
  await finishSale(page);

  // 5. a layaway of F: deposit in cash, $5.00 on the card, picked up with the balance in cash
  await scan(page, f!.barcode);
  await expect(lines(page)).toHaveCount(1);
  await newCustomer(page, 'Lena', `Layaway ${TAG}`);
  await page.getByRole('button', { name: 'Layaway', exact: true }).click();
  const lay = page.getByRole('dialog', { name: 'Layaways' });
  await lay.getByRole('button', { name: 'Take deposit' }).click();
  await payQuickCash(page, 'Layaway deposit');
  await expect(lay.getByRole('status').filter({ hasText: 'Layaway opened for Lena' })).toBeVisible();
  const mine = lay.getByRole('listitem', { name: `Layaway of Lena Layaway ${TAG}` });
  await mine.getByRole('button', { name: 'Take payment' }).click();
  await mine.getByLabel('Payment amount').fill('5.00');
  await mine.getByRole('button', { name: 'Continue to payment' }).click();
  await page.getByRole('dialog', { name: 'Layaway payment' }).getByRole('button', { name: /^Card on terminal/ }).click();
  await expect(lay.getByRole('status').filter({ hasText: 'Payment of $5.00 taken' })).toBeVisible();
  await mine.getByRole('button', { name: 'Pick up' }).click();
  await mine.getByRole('button', { name: /^Take balance .* and pick up$/ }).click();
  await payQuickCash(page, 'Layaway balance');
  await expect(lay.getByRole('status').filter({ hasText: 'picked up the layaway' })).toBeVisible();
  await lay.getByRole('button', { name: 'Done' }).click();
  await expect(lay).toBeHidden();

  // 6. everything on the server, then close the shift with the drawer counted exactly
  await expectOnServer(request, owner, `sale:${key}:`, 5, LOC);
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText(/all sent/, { timeout: machine(60_000) });
  await page.getByRole('button', { name: 'Shift', exact: true }).click();
  const shift = page.getByRole('dialog', { name: 'Shift' });
  await shift.getByRole('button', { name: 'Close shift' }).click();
  await expect(shift.getByLabel('Expected cash')).toHaveText(/^\$/);
  const expected = minor((await shift.getByLabel('Expected cash').textContent())!);
  const table = shift.getByRole('table', { name: 'Denominations' });
  for (const [den, n] of countOut(expected)) await table.getByLabel(money(den), { exact: true }).fill(String(n));
  await expect(shift.getByLabel('Over / short')).toHaveText('Even');
  await shift.getByRole('button', { name: 'Confirm close' }).click();
  await expect(shift.getByRole('heading', { name: 'Z report' })).toBeVisible();
  await expectOnServer(request, owner, `shift_close:${key}:`, 1, LOC);

  // --- the Z report on paper and on screen: its own lines add up ---------------------------------
  await expect.poll(async () => (await printed(page)).some((j) => j.lines.some((l) => l.trim() === 'Z REPORT')), { timeout: machine(30_000) }).toBe(true);
  const jobs = await printed(page);
  const zLines = jobs.find((j) => j.lines.some((l) => l.trim() === 'Z REPORT'))!.lines;
  const z = zFigures(zLines);
  expect(z.net).toBe(z.gross - z.discounts - z.returns);
  expect(z.collected).toBe(z.net + z.tax + z.rounding);
  expect(z.transactions).toBe(4); // five sale documents, one voided
  expect(z.discounts).toBeGreaterThan(0);
  expect(z.returns).toBeGreaterThan(0);
  const zTable = shift.getByRole('table', { name: 'Z report', exact: true });
  for (const [label, value] of [
    [/^Gross sales/, z.gross],
    [/^Net sales/, z.net],
    [/^Tax/, z.tax],
    [/^Total collected/, z.collected]
  ] as const) {
    await expect(zTable.getByRole('row', { name: label })).toContainText(money(value));
  }
  // the Z report speaks the store's time (no ISO instants, no raw shift id)
  expect(zLines.join('\n')).not.toMatch(/\d{4}-\d{2}-\d{2}T|shift:/);
  await page.setViewportSize({ width: 1366, height: 768 });
  await shoot(page, 'store-day-z-report-1366');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'store-day-z-report-phone');
  await page.setViewportSize({ width: 1366, height: 768 });

  // tenders on paper: cash + card + layaway deposits used = total tendered = sales + layaway money
  const tendered = minor(/(-?\$[\d,]+\.\d\d)\s*$/.exec(zLines.find((l) => l.trim().startsWith('Total tendered'))!)![1]!);

  // --- receipts: each adds up, and over the day's sales (the voided one out) they are the Z's figures ----
  const receipts = jobs.filter((j) => j.qrcodes[0]?.startsWith(`sale:${key}:`));
  // the voided sale's receipt: found by its receipt number on paper, its id from the QR code
  const voidedId = receipts.find((j) => j.lines.some((l) => l.includes(sale3)))?.qrcodes[0];
  expect(voidedId).toBeTruthy();
  const sum = { gross: 0, discounts: 0, returns: 0, tax: 0, total: 0, rounding: 0, collected: 0 };
  const seen = new Set<string>();
  for (const job of receipts) {
    const id = job.qrcodes[0]!;
    if (seen.has(id)) continue; // a reprint
    seen.add(id);
    const amount = (label: RegExp) => {
      const line = job.lines.find((l) => label.test(l.trim()));
      return line ? minor(/(-?\$[\d,]+\.\d\d)\s*$/.exec(line)![1]!) : 0;
    };
    const r = {
      gross: amount(/^Subtotal\s/),
      discounts: -amount(/^Discounts\s/) || 0,
      returns: -amount(/^Returns\s/) || 0,
      tax: amount(/^Tax\s/),
      total: amount(/^TOTAL( REFUND)?\s/),
      rounding: amount(/^Rounding\s/)
    };
    const collected = amount(/^Amount (paid|refunded)\s/) || r.total;
    expect(r.gross - r.discounts - r.returns + r.tax, `receipt ${id}`).toBe(r.total);
    expect(r.total + r.rounding).toBe(collected);
    if (id === voidedId) continue; // voided: its void takes it back off the day
    for (const k of ['gross', 'discounts', 'returns', 'tax', 'total', 'rounding'] as const) sum[k] += r[k];
    sum.collected += collected;
  }
  expect(seen.size).toBe(5);
  expect({ gross: sum.gross, discounts: sum.discounts, returns: sum.returns, tax: sum.tax, rounding: sum.rounding, collected: sum.collected }).toEqual({
    gross: z.gross,
    discounts: z.discounts,
    returns: z.returns,
    tax: z.tax,
    rounding: z.rounding,
    collected: z.collected
  });
  expect(sum.total).toBe(z.net + z.tax);

  // --- the server: dashboard and every report for LM's business day ------------------------------
  const day = new Date().toLocaleDateString('en-CA', { timeZone: ZONE });
  const q = `from=${day}&to=${day}&location=${LOC}`;
  const get = async <T>(path: string): Promise<T> => {
    const res = await request.get(`/api/v1/${path}`, { headers: owner.auth });
    expect(res.status(), path).toBe(200);
    return (await res.json()) as T;
  };
  const dash = await get<{ total: { today: Figures } }>(`reports/dashboard?location=${LOC}`);
  expect(Object.fromEntries(FIGURES.map((k) => [k, dash.total.today[k]]))).toEqual(z);

  interface Report {
    columns: { key: string; label: string; kind: string; sum?: boolean }[];
    rows: Record<string, string | number>[];
    totals: Record<string, string | number>;
  }
  const reports = ['sales-by-day', 'sales-by-hour', 'sales-by-location', 'sales-by-employee', 'sales-by-category', 'sales-by-product', 'sales-by-variant', 'tax', 'tenders', 'discounts', 'refunds-voids', 'z-reports'];
  const json: Record<string, Report> = {};
  for (const name of reports) {
    const r = await get<Report>(`reports/${name}?${q}`);
    json[name] = r;
    // rows add up to the totals row
    for (const c of r.columns.filter((x) => x.sum)) expect(r.totals[c.key], `${name} ${c.key}`).toBe(r.rows.reduce((acc, row) => acc + Number(row[c.key] ?? 0), 0));
    // the CSV is the same table, totals last, money as decimals
    const csvRes = await request.get(`/api/v1/reports/${name}.csv?${q}`, { headers: owner.auth });
    expect(csvRes.status()).toBe(200);
    const csv = (await csvRes.text()).trim().split('\r\n');
    expect(csv[0]).toBe(r.columns.map((c) => (/[",]/.test(c.label) ? `"${c.label.replace(/"/g, '""')}"` : c.label)).join(','));
    if (r.rows.length) {
      const last = csv.at(-1)!.split(',');
      const labelsHaveCommas = r.columns.some((c) => c.kind === 'text');
      if (!labelsHaveCommas || !csv.at(-1)!.includes('"')) {
        r.columns.forEach((c, i) => {
          if (c.sum && c.kind === 'money') expect(Math.round(Number(last[i]) * 100), `${name} CSV ${c.label}`).toBe(r.totals[c.key]);
          if (c.sum && c.kind === 'int') expect(Number(last[i])).toBe(r.totals[c.key]);
        });
      }
    }
  }
  const pick = (row: Record<string, string | number>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, row[k]]));
  for (const name of ['sales-by-day', 'sales-by-hour', 'sales-by-location', 'sales-by-employee', 'z-reports']) expect(pick(json[name]!.totals, FIGURES), name).toEqual(z);
  for (const name of ['sales-by-category', 'sales-by-product', 'sales-by-variant']) {
    expect(pick(json[name]!.totals, ['gross', 'discounts', 'returns', 'net', 'tax', 'total']), name).toEqual({ gross: z.gross, discounts: z.discounts, returns: z.returns, net: z.net, tax: z.tax, total: z.net + z.tax });
  }
  expect(json.tax!.totals).toMatchObject({ taxable: z.net, tax: z.tax });
  expect(json.tenders!.totals).toMatchObject({ sales: z.collected, net: tendered });
  expect(json.discounts!.totals).toMatchObject({ discount: z.discounts });
  expect(json['refunds-voids']!.rows.filter((r) => r.kind === 'return').reduce((acc, r) => acc + Number(r.net), 0)).toBe(z.returns);
  expect(json['refunds-voids']!.rows.filter((r) => r.kind === 'void')).toHaveLength(1);
  // product rows are named after the product, variant rows after the variant sold
  for (const row of json['sales-by-product']!.rows) expect(String(row.label)).not.toContain(' · ');
  for (const row of json['sales-by-variant']!.rows) expect(String(row.sku)).toMatch(/\S/);
  // the shift is named by its register and opening time, never its id
  expect(String(json['z-reports']!.rows[0]!.shift)).toMatch(new RegExp(`^E2E store day till ${TAG} · `));

  // --- the admin pages show the same, in LM's locale and time zone -------------------------------
  const admin = await adminPage(browser);
  await admin.getByRole('combobox', { name: 'Location' }).selectOption(LOC);
  await expect(admin.getByLabel('Today Net sales')).toHaveText(money(z.net), { timeout: machine(30_000) });
  await expect(admin.getByLabel('Today Total collected')).toHaveText(money(z.collected));
  await expect(admin.getByLabel('Today Transactions')).toHaveText(String(z.transactions));
  await expect(admin.getByLabel('Today Returns')).toHaveText(money(z.returns));

  await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Reports' }).click();
  await expect(admin.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
  await admin.getByLabel('From', { exact: true }).fill(day);
  await admin.getByLabel('To', { exact: true }).fill(day);
  await admin.getByRole('combobox', { name: 'Location' }).selectOption(LOC);
  /** Runs a report and waits for its own table (the page keeps the last one on screen while it runs). */
  const run = async (report: string, title: string) => {
    await admin.getByRole('combobox', { name: 'Report' }).selectOption(report);
    await admin.getByRole('button', { name: 'Run report' }).click();
    const heading = admin.getByRole('heading', { name: new RegExp(`^${title.replace(/[()]/g, '\\$&')} · .* · ${LOC}$`) });
    await expect(heading).toBeVisible({ timeout: machine(30_000) });
    await expect(admin.getByRole('button', { name: 'Run report' })).toBeEnabled();
    return admin.getByRole('table', { name: new RegExp(`^${title.replace(/[()]/g, '\\$&')} · `) });
  };
  for (const [report, title] of [
    ['sales-by-day', 'Sales by day'],
    ['sales-by-product', 'Sales by product'],
    ['z-reports', 'Z reports (shift closes)']
  ] as const) {
    const t = await run(report, title);
    const shot = report;
    const totalsRow = t.getByRole('row', { name: /^Total/ }).last();
    await expect(totalsRow).toBeVisible();
    if (report !== 'sales-by-product') await expect(totalsRow).toContainText(money(z.collected));
    else await expect(totalsRow).toContainText(money(z.net));
    await expect(t.getByRole('columnheader', { name: 'Gross sales' })).toHaveAttribute('title', /before discounts/);
    await shoot(admin, `store-day-report-${shot}-1366`);
  }
  await admin.setViewportSize({ width: 390, height: 844 });
  await shoot(admin, 'store-day-report-z-reports-phone');
  const byDay = await run('sales-by-day', 'Sales by day');
  await expect(byDay.getByRole('row', { name: /^Total/ }).last()).toContainText(money(z.net));
  await shoot(admin, 'store-day-report-sales-by-day-phone');
  await admin.context().close();
});
