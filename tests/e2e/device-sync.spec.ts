import { expect, test, type APIRequestContext, machine } from './support/test.ts';
import { openSupportDetails } from './support/register.ts';

const PASSWORD = 'nexus-demo-2026';

async function enrolmentLink(request: APIRequestContext, kind: 'register' | 'rfid_phone', name: string): Promise<string> {
  const login = await request.post('/api/v1/auth/login', { data: { email: 'owner@nexus.demo', password: PASSWORD } });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const res = await request.post('/api/v1/devices/enrolment-codes', { headers: { authorization: `Bearer ${accessToken}` }, data: { kind, locationCode: 'GM', name } });
  return ((await res.json()) as { qrPayload: string }).qrPayload;
}

test('an enrolled register replicates its databases, shows going offline, and recovers', async ({ page, context, request }) => {
  await page.goto(await enrolmentLink(request, 'register', 'Sync test register'));
  await page.getByRole('button', { name: 'Enrol' }).click();

  // the databases are for support: behind "Details for support", named in the shop's words
  await openSupportDetails(page);
  const dbs = page.getByRole('table', { name: 'Databases' });
  await expect(dbs.getByRole('row')).toHaveCount(4); // header + catalog, location, customers (from the sync rules)
  await expect(dbs.getByRole('row', { name: /^Products and prices/ })).toContainText('Up to date', { timeout: machine(30_000) });
  for (const kind of ['Sales and stock of this store', 'Customers']) await expect(dbs.getByRole('row', { name: new RegExp(`^${kind}`) })).toContainText('Up to date');
  // the demo catalog: 520 products + categories + tax rates + registers + staff + settings + design docs
  const catalogCount = dbs.getByRole('row', { name: /^Products and prices/ }).getByRole('cell').nth(2);
  await expect.poll(async () => Number(await catalogCount.textContent())).toBeGreaterThan(520);
  // a brand-new register has nothing to send: what it pulled came from the server
  await expect(page.getByRole('status', { name: 'Sync summary' })).toContainText('Online · everything is on the server');
  await expect(page.getByText(/read-only|under pressure|pending/)).toHaveCount(0);
  // the compact catalog can scan every demo variant (520 products × their sizes and colours)
  await expect(page.getByLabel('Items ready to scan')).toHaveText(/Ready to sell: [\d,]{5,} items can be scanned/);

  await context.setOffline(true);
  await expect(page.getByRole('status', { name: 'Sync summary' })).toContainText('Offline', { timeout: machine(30_000) });
  await context.setOffline(false);
  await expect(page.getByRole('status', { name: 'Sync summary' })).toContainText('Online', { timeout: machine(30_000) });

  // a reload keeps the enrolment and the local replica, and the scan index is there at once
  const scannable = await page.getByLabel('Items ready to scan').textContent();
  await page.reload();
  await expect(page.getByLabel('Items ready to scan')).toHaveText(scannable!);
  await openSupportDetails(page);
  await expect(page.getByRole('table', { name: 'Databases' }).getByRole('row', { name: /^Products and prices/ })).toContainText('Up to date', { timeout: machine(30_000) });
  for (const [name, width, height] of [['register', 1366, 768], ['phone', 390, 844]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `test-results/screens/pos-enrolled-${name}.png`, fullPage: true });
  }
});

test('an RFID phone replicates only what its rules give it', async ({ page, request }) => {
  await page.goto(await enrolmentLink(request, 'rfid_phone', 'Sync test phone'));
  await page.getByRole('button', { name: 'Enrol' }).click();
  await openSupportDetails(page);
  const dbs = page.getByRole('table', { name: 'Databases' });
  await expect(dbs.getByRole('row')).toHaveCount(3); // header + catalog, location; no customers
  await expect(dbs.getByRole('row', { name: /^Sales and stock of this store/ })).toContainText('Up to date', { timeout: machine(30_000) });
});

test('a device whose clock is an hour ahead is told so', async ({ page, request }) => {
  await page.clock.setSystemTime(new Date(Date.now() + 61 * 60_000));
  await page.goto(await enrolmentLink(request, 'register', 'Clock test register'));
  await page.getByRole('button', { name: 'Enrol' }).click();
  await expect(page.getByRole('alert')).toContainText(/clock is 6\d minutes ahead of the server/);
});
