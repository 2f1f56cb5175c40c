import { expect, test, type Page, machine } from './support/test.ts';
import { PINS, demoItems, enrolRegister, openShift, ownerLogin, scan, signIn as pinSignIn } from './support/register.ts';
import { PASSWORD, shoot, signInAdmin } from './support/admin.ts';

/**
 * Settings in the admin portal (issue 5): add and edit a location, enrol a register (code + QR code),
 * rename and revoke it (the gateway then refuses it), edit a tax rate, change the receipt footer, and
 * find those actions in the audit log. A Starter tenant is told its plan's store limit; a manager
 * (no settings:manage) is denied.
 */
// unique per run, so a kept data dir (E2E_DATA_DIR) can run the file again
const TAG = Date.now().toString(36).slice(-5).toUpperCase();

const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name });

test('an admin manages locations, devices, tax rates and the receipt, and finds it all in the audit log', async ({ page, request }) => {
  test.setTimeout(machine(180_000));
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'admin@nexus.demo');
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();

  // --- locations: add one, then edit it
  const locations = page.getByRole('table', { name: 'Locations' });
  for (const code of ['GM', 'HM', 'LM']) await expect(locations.getByRole('cell', { name: code, exact: true })).toBeVisible();
  const code = `E${TAG}`;
  await page.getByRole('button', { name: 'Add location' }).click();
  const newLoc = page.getByRole('form', { name: 'New location' });
  await newLoc.getByLabel('Code').fill(code.toLowerCase());
  await newLoc.getByLabel('Name').fill('E2E Outlet');
  await newLoc.getByLabel('Address').fill('9 Test Street, Boston, MA');
  await newLoc.getByLabel('Time zone').fill('America/New_York');
  await newLoc.getByLabel('Currency').fill('USD');
  await newLoc.getByRole('button', { name: 'Add location' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Location ${code} added.` })).toBeVisible({ timeout: machine(20_000) });
  const row = locations.getByRole('row').filter({ has: page.getByRole('cell', { name: code, exact: true }) });
  await expect(row).toContainText('E2E Outlet');
  await row.getByRole('button', { name: `Edit ${code}` }).click();
  const editLoc = page.getByRole('form', { name: `Edit location ${code}` });
  await editLoc.getByLabel('Name').fill('E2E Outlet Renamed');
  await editLoc.getByLabel('Time zone').fill('America/Chicago');
  await editLoc.getByRole('button', { name: 'Save location' }).click();
  await expect(row).toContainText('E2E Outlet Renamed');
  await expect(row).toContainText('America/Chicago');

  // --- enrol a register: one-time code, its QR code and the app link
  const enrolForm = page.getByRole('form', { name: 'Enrol a device' });
  await enrolForm.getByLabel('Device kind').selectOption('register');
  await enrolForm.getByLabel('Location').selectOption('GM');
  await enrolForm.getByLabel('Device name').fill(`Till ${TAG}`);
  await enrolForm.getByRole('button', { name: 'Create enrolment code' }).click();
  const issued = page.getByRole('region', { name: 'Enrolment code' });
  await expect(issued).toBeVisible();
  const enrolCode = ((await issued.getByLabel('One-time enrolment code').textContent()) ?? '').trim();
  expect(enrolCode).toMatch(/^[A-Z0-9-]{8,20}$/);
  const qr = issued.getByRole('img', { name: `QR code for enrolment code ${enrolCode}` });
  await expect(qr.locator('svg path').first()).toBeAttached();
  await expect(issued.getByRole('link', { name: /\/pos$/ })).toHaveAttribute('href', '/pos');
  await expect(issued.getByRole('link', { name: /\/pos\?enrol=/ })).toHaveAttribute('href', new RegExp(`/pos\\?enrol=${encodeURIComponent(enrolCode)}$`));
  await shoot(page, 'admin-settings-enrol-1440');

  // the register redeems the code (as /pos would) and replicates once
  const enrolled = await request.post('/api/v1/devices/enrol', { data: { code: enrolCode } });
  expect(enrolled.status()).toBe(201);
  const device = (await enrolled.json()) as { deviceToken: string; databases: Record<string, string> };
  const sync = await request.get(`/db/${device.databases.location}/_changes?since=0&limit=1`, { headers: { authorization: `Bearer ${device.deviceToken}` } });
  expect(sync.status()).toBe(200);

  // the gateway records the sync (after answering): wait for it through the API, not by reloading
  // the page in a loop (/api/v1 is rate limited per client)
  const admin = (await (await request.post('/api/v1/auth/login', { data: { email: 'admin@nexus.demo', password: PASSWORD } })).json()) as { accessToken: string };
  await expect
    .poll(async () => {
      const list = (await (await request.get('/api/v1/devices', { headers: { authorization: `Bearer ${admin.accessToken}` } })).json()) as { devices: { name: string; lastSyncAt: string | null }[] };
      return list.devices.find((d) => d.name === `Till ${TAG}`)?.lastSyncAt ?? null;
    }, { intervals: [250, 500, 1000] })
    .not.toBeNull();

  // --- rename and revoke it
  await page.reload();
  const devices = page.getByRole('table', { name: 'Devices' });
  const deviceRow = devices.getByRole('row').filter({ hasText: `Till ${TAG}` });
  await expect(deviceRow).toContainText('Register', { timeout: machine(30_000) });
  await expect(deviceRow).toContainText('Syncing');
  await expect(deviceRow).toContainText('just now');
  await devices.getByRole('button', { name: `Rename Till ${TAG}` }).click();
  await devices.getByLabel(`New name for Till ${TAG}`).fill(`Front ${TAG}`);
  await devices.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Renamed to Front ${TAG}.` })).toBeVisible();
  const renamed = devices.getByRole('row').filter({ hasText: `Front ${TAG}` });
  await renamed.getByRole('button', { name: `Revoke Front ${TAG}` }).click();
  await renamed.getByRole('button', { name: 'Confirm revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Front ${TAG} revoked` })).toBeVisible();
  await expect(devices.getByRole('row').filter({ hasText: `Front ${TAG}` })).toHaveCount(0);
  await page.getByLabel('Show revoked devices').check();
  await expect(devices.getByRole('row').filter({ hasText: `Front ${TAG}` })).toContainText('Revoked');
  await expect
    .poll(async () => (await request.get(`/db/${device.databases.location}/_changes?since=0&limit=1`, { headers: { authorization: `Bearer ${device.deviceToken}` } })).status())
    .toBe(401);
  await shoot(page, 'admin-settings-1440');

  // --- tax rates: add one, edit its rate, then remove it (the demo's rates stay as the register tests expect)
  await tab(page, 'Tax rates').click();
  const rates = page.getByRole('table', { name: 'Tax rates' });
  await expect(rates.getByRole('row').filter({ hasText: 'NY sales tax 8.875%' })).toContainText('8.875 %');
  await page.getByRole('button', { name: 'Add tax rate' }).click();
  const newRate = page.getByRole('form', { name: 'New tax rate' });
  await newRate.getByLabel('Name').fill(`E2E rate ${TAG}`);
  await newRate.getByLabel('Rate (%)').fill('abc');
  await newRate.getByRole('button', { name: 'Save tax rate' }).click();
  await expect(newRate.getByRole('alert')).toContainText('must be a percentage');
  await newRate.getByLabel('Rate (%)').fill('5');
  await newRate.getByLabel('Exempt tax categories').fill('Exempt, food');
  await newRate.getByRole('button', { name: 'Save tax rate' }).click();
  const rateRow = rates.getByRole('row').filter({ hasText: `E2E rate ${TAG}` });
  await expect(rateRow).toContainText('5 %');
  await expect(rateRow).toContainText('exempt, food');
  await rateRow.getByRole('button', { name: `Edit E2E rate ${TAG}` }).click();
  const editRate = page.getByRole('form', { name: `Edit tax rate E2E rate ${TAG}` });
  await editRate.getByLabel('Rate (%)').fill('5.125');
  await editRate.getByRole('button', { name: 'Save tax rate' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Tax rate E2E rate ${TAG} saved: 5.125 %.` })).toBeVisible();
  await expect(rateRow).toContainText('5.125 %');
  await shoot(page, 'admin-settings-taxes-1440');
  await rateRow.getByRole('button', { name: `Delete E2E rate ${TAG}` }).click();
  await expect(rateRow).toHaveCount(0);

  // --- receipt footer (restored afterwards: other tests print receipts)
  await tab(page, 'Receipt and payments').click();
  const footer = page.getByLabel('Receipt footer');
  await expect(footer).toBeVisible();
  const before = await footer.inputValue();
  await footer.fill(`Thanks for visiting ${TAG}`);
  await expect(page.getByRole('figure', { name: 'Receipt preview' })).toContainText(`Thanks for visiting ${TAG}`);
  await page.getByLabel('Cashier discount limit (%)').fill('150');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('alert')).toContainText('Cashier discount limit must be a percentage from 0 to 100.');
  await page.getByLabel('Cashier discount limit (%)').fill('10');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Receipt footer')).toHaveValue(`Thanks for visiting ${TAG}`, { timeout: machine(30_000) });
  await shoot(page, 'admin-settings-register-1440');
  await page.getByLabel('Receipt footer').fill(before);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();

  // --- plan and usage (the demo is Enterprise: API keys are offered)
  await tab(page, 'Plan and API keys').click();
  await expect(page.getByRole('heading', { name: /^Enterprise plan/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Plan usage' }).getByRole('row').filter({ hasText: 'Stores' })).toContainText('Unlimited');
  await shoot(page, 'admin-settings-plan-1440');

  // --- the audit log shows what was done, by whom, on which device
  await tab(page, 'Audit log').click();
  const audit = page.getByRole('table', { name: 'Audit log' });
  await expect(audit.getByRole('row').nth(1)).toBeVisible();
  const filters = page.getByRole('form', { name: 'Audit filters' });
  await filters.getByLabel('Action').selectOption('device.');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(audit.getByRole('row').filter({ hasText: 'device.renamed' }).filter({ hasText: `Front ${TAG}` }).first()).toContainText('Adam Admin');
  await expect(audit.getByRole('row').filter({ hasText: 'device.revoked' }).filter({ hasText: `Front ${TAG}` }).first()).toBeVisible();
  await expect(audit.getByRole('row').filter({ hasText: 'device.enrolled' }).filter({ hasText: `Front ${TAG}` }).first()).toBeVisible();
  await filters.getByLabel('Action').selectOption('tax_rate.');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(audit.getByRole('row').filter({ hasText: 'tax_rate.updated' }).filter({ hasText: `tax_rate:e2e-rate-${TAG.toLowerCase()}` }).first()).toContainText('5 % → 5.125 %');
  await filters.getByLabel('Action').selectOption('location.');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(audit.getByRole('row').filter({ hasText: `location:${code}` }).filter({ hasText: 'location.created' })).toHaveCount(1);
  await filters.getByLabel('Action').selectOption('settings.updated');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(audit.getByRole('row').filter({ hasText: 'receiptFooter' }).first()).toContainText('Adam Admin');
  // a date range after today finds nothing
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await filters.getByLabel('From').fill(tomorrow);
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(audit.getByRole('cell', { name: 'No events match these filters.' })).toBeVisible();
  await filters.getByRole('button', { name: 'Clear' }).click();
  await expect(audit.getByRole('row').filter({ hasText: 'settings.updated' }).first()).toBeVisible();
  await shoot(page, 'admin-settings-audit-1440');

  // --- sync health: operational alerts, each device's last sync, the conflict list
  await tab(page, 'Sync health').click();
  await expect(page.getByRole('status', { name: 'Alerts summary' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Device sync' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Conflicts summary' })).toBeVisible({ timeout: machine(60_000) });
  await shoot(page, 'admin-settings-sync-1440');

  // phone width: the main Settings page reads without sideways scrolling
  await page.setViewportSize({ width: 390, height: 844 });
  await tab(page, 'Locations and devices').click();
  await expect(page.getByRole('table', { name: 'Devices' })).toBeVisible();
  await shoot(page, 'admin-settings-390');
});

test('a Starter tenant adding a second store is told the plan limit', async ({ page, request }) => {
  const email = `starter-${TAG.toLowerCase()}@settings.test`;
  const res = await request.post('/api/v1/signup', {
    data: { businessName: `Starter ${TAG}`, ownerName: 'Stella Starter', ownerEmail: email, plan: 'starter', location: { code: 'ST', name: 'Only Store', timeZone: 'Europe/Berlin', currency: 'EUR' } }
  });
  expect(res.status()).toBe(201);
  const { temporaryPassword } = (await res.json()) as { temporaryPassword: string };
  await signInAdmin(page, email, { password: temporaryPassword });
  // the generated password is temporary: replaced before anything else
  await page.getByLabel('Temporary password').fill(temporaryPassword);
  await page.getByLabel('New password', { exact: true }).fill('Shelf-stock-2026!');
  await page.getByLabel('Confirm new password').fill('Shelf-stock-2026!');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a new password', level: 1 })).toHaveCount(0);
  await page.goto('/admin/settings');
  await expect(page.getByRole('table', { name: 'Locations' }).getByRole('cell', { name: 'ST', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Add location' }).click();
  const form = page.getByRole('form', { name: 'New location' });
  await form.getByLabel('Code').fill('S2');
  await form.getByLabel('Name').fill('Second Store');
  await form.getByRole('button', { name: 'Add location' }).click();
  await expect(form.getByRole('alert')).toHaveText('Your Starter plan includes 1 store; upgrade to add more');
  await tab(page, 'Plan and API keys').click();
  await expect(page.getByRole('heading', { name: /^Starter plan/ })).toBeVisible();
  await expect(page.getByRole('meter', { name: 'Stores: 1 of 1' })).toBeVisible();
  await expect(page.getByText('API keys come with the Enterprise plan.')).toBeVisible();
});

test('a manager (no settings:manage) is denied Settings and its API', async ({ page, request }) => {
  await signInAdmin(page, 'manager@nexus.demo');
  await expect(page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Settings' })).toHaveCount(0);
  for (const path of ['/admin/settings', '/admin/settings/audit']) {
    await page.goto(path);
    await expect(page.getByRole('alert')).toContainText('Your role (manager) does not have access to Settings');
    await expect(page.getByRole('table')).toHaveCount(0);
  }
  const login = await request.post('/api/v1/auth/login', { data: { email: 'manager@nexus.demo', password: PASSWORD } });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  for (const path of ['/api/v1/settings', '/api/v1/audit', '/api/v1/devices', '/api/v1/settings/tax-rates']) {
    expect((await request.get(path, { headers })).status(), path).toBe(403);
  }
  expect((await request.patch('/api/v1/settings', { headers, data: { receiptFooter: 'mine' } })).status()).toBe(403);
  // alerts are for the dashboard: a manager sees them, for GM only
  const alerts = await request.get('/api/v1/alerts', { headers });
  expect(alerts.status()).toBe(200);
  const body = (await alerts.json()) as { alerts: { locationCode: string | null }[] };
  expect(body.alerts.every((a) => a.locationCode === null || a.locationCode === 'GM')).toBe(true);
});

test('the register offers the tenders the settings name', async ({ page, request }) => {
  test.setTimeout(machine(120_000));
  const owner = await ownerLogin(request);
  const before = ((await (await request.get('/api/v1/settings', { headers: owner.auth })).json()) as { settings: { payments: unknown } }).settings.payments;
  const set = (payments: unknown) => request.patch('/api/v1/settings', { headers: owner.auth, data: { payments } });
  expect((await set({ cash: true, card: 'stripe', storeCredit: true, giftCard: false })).status()).toBe(200);
  try {
    const [item] = await demoItems(request, owner, 1);
    await enrolRegister(page, request, owner, `Tenders ${TAG}`);
    await pinSignIn(page, PINS.cashier);
    await openShift(page);
    await scan(page, item!.barcode);
    await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(1);
    await page.getByRole('button', { name: /^Pay / }).click();
    const pay = page.getByRole('dialog', { name: 'Payment' });
    await expect(pay.getByRole('group', { name: 'Quick cash amounts' })).toBeVisible();
    // this register has no reader assigned: the standalone terminal stands in, and the dialog says why
    await expect(pay.getByRole('note').filter({ hasText: 'No card reader is assigned to this register' })).toBeVisible();
    await expect(pay.getByRole('button', { name: /^Card \(reader\)/ })).toHaveCount(0);
    await expect(pay.getByRole('button', { name: /^Card on standalone terminal/ })).toBeVisible();
    await expect(pay.getByRole('button', { name: /^Card on terminal/ })).toHaveCount(0);
    await expect(pay.getByRole('button', { name: 'Gift card' })).toHaveCount(0);
    await expect(pay.getByRole('button', { name: 'Store credit' })).toBeVisible();
  } finally {
    expect((await set(before)).status()).toBe(200);
  }
});
