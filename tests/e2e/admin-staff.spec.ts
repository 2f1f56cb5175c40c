import { expect, test, type Browser, type Page, machine } from './support/test.ts';
import { newUlid } from '#domain/ids.ts';
import { enrolRegister, ownerLogin } from './support/register.ts';
import { SCREENS, shoot, signInAdmin } from './support/admin.ts';

/**
 * Staff in the admin portal (issue 5): an owner invites a cashier, who signs in with the temporary
 * password, must choose a new one, and is then denied the admin sections; the owner gives them a PIN,
 * they clock in and out on a register and the timesheet shows it; the owner locks them out.
 */
const TAG = Date.now().toString(36);
const CASHIER = { name: `Casey ${TAG}`, email: `casey-${TAG}@nexus.demo` };
const NEW_PASSWORD = 'Own-choice-pass-2026';

let temporaryPassword = '';
let generatedPin = '';

async function openMember(page: Page, name: string) {
  await page.goto('/admin/staff');
  await page.getByRole('table', { name: 'Staff members' }).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

test.describe.serial('admin staff', () => {
  test('an owner invites a cashier; the temporary password is shown once', async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInAdmin(page, 'owner@nexus.demo', { waitSignedIn: false });
    await expect(page.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible();
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Staff' }).click();
    await expect(page.getByRole('heading', { name: 'Staff', level: 1 })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Staff members' }).getByRole('cell', { name: 'owner@nexus.demo' })).toBeVisible();

    await page.getByRole('button', { name: 'Invite staff' }).click();
    const form = page.getByRole('form', { name: 'Invite staff' });
    await form.getByLabel('Full name').fill(CASHIER.name);
    await form.getByLabel('Email').fill(CASHIER.email);
    await form.getByLabel('Role').selectOption('cashier');
    await form.getByLabel(/Nexus Grand Mall/).check();
    await shoot(page, 'staff-invite-1440');
    await form.getByRole('button', { name: 'Send invitation' }).click();

    await expect(page.getByRole('heading', { name: `${CASHIER.name} is invited` })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'shown once' })).toContainText(CASHIER.email);
    temporaryPassword = ((await page.getByLabel('Temporary password').textContent()) ?? '').trim();
    expect(temporaryPassword).toMatch(/^\S{12,}$/);
    const row = page.getByRole('table', { name: 'Staff members' }).getByRole('row').filter({ hasText: CASHIER.email });
    await expect(row).toContainText('Cashier');
    await expect(row).toContainText('GM');
    await expect(row).toContainText('Invited (temporary password)');
    await page.getByRole('button', { name: 'Close invitation' }).click();
    await shoot(page, 'staff-list-1440');
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, 'staff-list-390');
  });

  test('the cashier signs in with it, must choose a new password, and is then denied the admin sections', async ({ page, request }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInAdmin(page, CASHIER.email, { password: temporaryPassword, waitSignedIn: false });
    await expect(page.getByRole('heading', { name: 'Choose a new password', level: 1 })).toBeVisible();
    // nothing else of the portal is reachable before the change
    await expect(page.getByRole('navigation', { name: 'Admin sections' })).toHaveCount(0);
    await page.goto('/admin/staff');
    await expect(page.getByRole('heading', { name: 'Choose a new password', level: 1 })).toBeVisible();
    await page.getByLabel('Temporary password').fill(temporaryPassword);
    await page.getByLabel('New password', { exact: true }).fill('weak');
    await expect(page.getByText('Must be at least 10 characters')).toBeVisible();
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await shoot(page, 'staff-forced-password-1440');
    await page.getByRole('button', { name: 'Change password' }).click();

    // a cashier holds no admin permission: every section is denied, the staff one included
    await expect(page.getByRole('alert')).toContainText('Your role (cashier) does not have access to Staff');
    await expect(page.getByRole('navigation', { name: 'Admin sections' })).toHaveCount(0);
    await page.goto('/admin');
    await expect(page.getByRole('alert')).toContainText('does not have access to Dashboard');
    // their own password stays theirs to change
    await page.getByRole('link', { name: 'Password' }).click();
    await expect(page.getByRole('heading', { name: 'Change your password', level: 1 })).toBeVisible();
    await expect(page.getByLabel('Current password')).toBeVisible();

    // the temporary password is gone, the new one works, and the API refuses staff calls
    expect((await request.post('/api/v1/auth/login', { data: { email: CASHIER.email, password: temporaryPassword } })).status()).toBe(401);
    const login = await request.post('/api/v1/auth/login', { data: { email: CASHIER.email, password: NEW_PASSWORD } });
    expect(login.status()).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    expect((await request.get('/api/v1/staff', { headers: { authorization: `Bearer ${accessToken}` } })).status()).toBe(403);
  });

  test('the owner generates a PIN; the cashier clocks in and out on a register; the timesheet shows it', async ({ page, request, browser }) => {
    test.setTimeout(machine(120_000));
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInAdmin(page, 'owner@nexus.demo', { waitSignedIn: false });
    await expect(page.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible();
    await openMember(page, CASHIER.name);
    await page.getByRole('button', { name: 'Generate a PIN' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'PIN changed' })).toBeVisible();
    generatedPin = ((await page.getByLabel('New PIN (shown once)').textContent()) ?? '').trim();
    expect(generatedPin).toMatch(/^\d{6}$/);
    await shoot(page, 'staff-member-1440');

    await clockInAndOut(browser, request, generatedPin);

    await page.goto('/admin/staff/timesheet');
    await expect(page.getByRole('heading', { name: 'Timesheet', level: 1 })).toBeVisible();
    // other journeys may have added locations: the register was at GM
    await page.getByLabel('Location').selectOption({ label: 'Nexus Grand Mall (GM)' });
    const row = page.getByRole('table', { name: 'Timesheet' }).getByRole('row').filter({ hasText: CASHIER.name });
    // the punches reach the server when the register's location replica syncs
    await expect(async () => {
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      await expect(row).toBeVisible({ timeout: machine(2_000) });
    }).toPass({ timeout: machine(45_000) });
    await expect(row.getByRole('cell').nth(2)).toHaveText('0.00');
    await expect(row).toContainText('–');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^timesheet-GM-.+\.csv$/);
    await shoot(page, 'staff-timesheet-1440');
  });

  test('a register’s closed shift is listed with its over/short and opens on its Z report', async ({ page, request }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const registerName = `Till ${TAG}`;
    await closedShiftFromRegister(request, registerName);
    await signInAdmin(page, 'owner@nexus.demo', { waitSignedIn: false });
    await expect(page.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible();
    await page.goto('/admin/staff/shifts?location=GM');
    const row = page.getByRole('table', { name: 'Shifts' }).getByRole('row').filter({ hasText: registerName });
    await expect(row).toContainText(CASHIER.name);
    await expect(row).toContainText('$287.00'); // net sales, without the tax
    await expect(row).toContainText('-$2.50');
    await row.getByRole('link', { name: /Z report/ }).click();
    await expect(page.getByRole('heading', { name: new RegExp(`Z report: ${registerName}`) })).toBeVisible();
    const totals = page.getByRole('table', { name: 'Z report totals' });
    await expect(totals.getByRole('row', { name: /Net sales/ })).toContainText('$287.00');
    await expect(totals.getByRole('row', { name: /Total collected/ })).toContainText('$312.40');
    await expect(totals.getByRole('row', { name: /Over \/ short/ })).toContainText('-$2.50');
    await expect(page.getByRole('table', { name: 'Sales by cashier' })).toContainText(CASHIER.name);
    await shoot(page, 'staff-shift-z-report-1440');
  });

  test('the owner locks the cashier: sign-in is refused until unlocked', async ({ page, request }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInAdmin(page, 'owner@nexus.demo', { waitSignedIn: false });
    await expect(page.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible();
    await openMember(page, CASHIER.name);
    await page.getByRole('button', { name: 'Lock account' }).click();
    await expect(page.getByTestId('member-status')).toHaveText('Locked');
    const refused = await request.post('/api/v1/auth/login', { data: { email: CASHIER.email, password: NEW_PASSWORD } });
    expect(refused.status()).toBe(403);
    await page.goto('/admin/staff');
    await expect(page.getByRole('table', { name: 'Staff members' }).getByRole('row').filter({ hasText: CASHIER.email })).toContainText('Locked');
    await openMember(page, CASHIER.name);
    await page.getByRole('button', { name: 'Unlock account' }).click();
    await expect(page.getByTestId('member-status')).toHaveText('Active');
    expect((await request.post('/api/v1/auth/login', { data: { email: CASHIER.email, password: NEW_PASSWORD } })).status()).toBe(200);
  });
});

/**
 * A register of GM (enrolled through the API) writes a shift and its close with the Z report, through
 * the gateway as the register app would replicate them.
 */
async function closedShiftFromRegister(request: Parameters<typeof ownerLogin>[0], name: string) {
  const owner = await ownerLogin(request);
  const codeRes = await request.post('/api/v1/devices/enrolment-codes', { headers: owner.auth, data: { kind: 'register', locationCode: 'GM', name } });
  const { code } = (await codeRes.json()) as { code: string };
  const enrolled = await request.post('/api/v1/devices/enrol', { data: { code } });
  expect(enrolled.status()).toBe(201);
  const { deviceToken, device } = (await enrolled.json()) as { deviceToken: string; device: { id: string } };
  const staff = (await (await request.get('/api/v1/staff', { headers: owner.auth })).json()) as { staff: { id: string; email: string }[] };
  const cashierId = staff.staff.find((m) => m.email === CASHIER.email)!.id;
  const ulid = newUlid();
  const openedAt = new Date(Date.now() - 8 * 3_600_000).toISOString();
  const closedAt = new Date().toISOString();
  const db = `/db/t-${owner.tenantId}-loc-gm`;
  const put = (doc: Record<string, unknown>) => request.put(`${db}/${encodeURIComponent(String(doc._id))}`, { headers: { authorization: `Bearer ${deviceToken}` }, data: doc });
  const registerId = `device:${device.id}`;
  const shiftId = `shift:${device.id}:${ulid}`;
  expect((await put({ _id: shiftId, type: 'shift', locationCode: 'GM', registerId, openedBy: cashierId, openedByName: CASHIER.name, openingFloat: 15000, openedAt })).status()).toBe(201);
  // the Z report as a register stores it (domain/shift-report.ts, version 2)
  const tenders = { cash: 12000, card_external: 19240, card_stripe: 0, store_credit: 0, gift_card: 0, layaway: 0 };
  const report = {
    version: 2, shiftId, registerId, openedAt, openingFloat: 15000,
    figures: { transactions: 7, units: 9, gross: 28700, discounts: 0, returns: 0, net: 28700, tax: 2540, total: 31240, rounding: 0, collected: 31240, averageBasket: 4100 },
    returnsCount: 0, itemsSold: 9, itemsReturned: 0, voidCount: 0, voidRefunds: 0, tenders, salesTenders: tenders,
    layawayTaken: 0, layawayRefunded: 0, layawayNet: 0, layawayFeesKept: 0, duplicateVoidRefunds: 0,
    cashIn: 0, cashOut: 0, noSaleCount: 0, expectedCash: 27000, byCashier: [{ cashierId, cashierName: CASHIER.name, transactions: 7, returns: 0, net: 28700 }], approvals: 0
  };
  const close = {
    _id: `shift_close:${device.id}:${ulid}`, type: 'shift_close', locationCode: 'GM', registerId, shiftId, closedBy: cashierId, closedByName: CASHIER.name,
    denominations: { '2000': 13, '100': 47 }, countedCash: 26750, expectedCash: 27000, overShort: -250, report, unsyncedAtClose: 0, approvals: [], closedAt
  };
  expect((await put(close)).status()).toBe(201);
}

/** A register of GM, in its own browser context (own IndexedDB), used as the time clock. */
async function clockInAndOut(browser: Browser, request: Parameters<typeof ownerLogin>[0], pin: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const register = await context.newPage();
  try {
    const owner = await ownerLogin(request);
    await enrolRegister(register, request, owner, `Time clock ${TAG}`);
    // the new PIN reaches the register with the catalog's staff directory
    await expect(async () => {
      await register.getByRole('radio', { name: 'Start work' }).check();
      await register.getByLabel('Your PIN').fill(pin);
      await register.getByRole('button', { name: 'Clock in' }).click();
      await expect(register.getByRole('status').filter({ hasText: 'clocked in' })).toContainText(CASHIER.name, { timeout: machine(2_000) });
    }).toPass({ timeout: machine(30_000) });
    await register.getByRole('radio', { name: 'End work' }).check();
    await register.getByLabel('Your PIN').fill(pin);
    await register.getByRole('button', { name: 'Clock out' }).click();
    await expect(register.getByRole('status').filter({ hasText: 'clocked out' })).toContainText(CASHIER.name);
    await register.screenshot({ path: `${SCREENS}/register-time-clock.png` });
    // wait until the location replica has pushed (the sync badge's count of unsynced changes is 0)
    await expect.poll(() => register.evaluate(() => (window as unknown as { __register?: { unsynced: number } }).__register?.unsynced ?? -1), { timeout: machine(30_000) }).toBe(0);
  } finally {
    await context.close();
  }
}
