import { expect, test, machine } from './support/test.ts';

const PASSWORD = 'nexus-demo-2026';

test('the landing page links to the three apps', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const apps = page.getByRole('navigation', { name: 'Apps' });
  await expect(apps.getByRole('link', { name: /Register/ })).toHaveAttribute('href', '/pos');
  await expect(apps.getByRole('link', { name: /Admin portal/ })).toHaveAttribute('href', '/admin');
  await expect(apps.getByRole('link', { name: /RFID stock app/ })).toHaveAttribute('href', '/raptag');
});

test('a wrong password shows the server’s message', async ({ page }) => {
  await page.goto('/admin');
  await page.getByLabel('Email').fill('admin@nexus.demo');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Email or password is wrong');
});

test('the demo admin signs in, sees every location on the dashboard and in Settings, stays signed in on reload and signs out', async ({ page }) => {
  await page.goto('/admin');
  await page.getByLabel('Email').fill('admin@nexus.demo');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'Sales by location' });
  // the server indexes the reports view at start; on a just-started server the first load may wait for it
  await expect(table).toBeVisible({ timeout: machine(60_000) });
  for (const header of ['Location', 'Today net', 'Week net']) await expect(table.getByRole('columnheader', { name: header })).toBeVisible();
  for (const code of ['GM', 'HM', 'LM']) await expect(table.getByRole('rowheader', { name: new RegExp(`^${code} `) })).toBeVisible();
  await expect(table.getByRole('rowheader', { name: 'Total' })).toBeVisible();

  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/admin\/settings$/);
  const locations = page.getByRole('table', { name: 'Locations' });
  for (const header of ['Code', 'Name', 'Time zone', 'Currency']) await expect(locations.getByRole('columnheader', { name: header })).toBeVisible();
  for (const code of ['GM', 'HM', 'LM']) await expect(locations.getByRole('cell', { name: code, exact: true })).toBeVisible();

  // admins see sync health (conflicts resolved by the sync rules); nothing is open in the demo
  // (the first conflicts query after a big import builds the view on the embedded store: allow for it)
  await page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'Sync health' }).click();
  await expect(page.getByRole('status', { name: 'Conflicts summary' })).toContainText('0 open conflicts', { timeout: machine(60_000) });
  await page.getByRole('button', { name: 'Resolve conflicts now' }).click();
  await expect(page.getByRole('status', { name: 'Conflicts summary' })).toContainText('0 open conflicts', { timeout: machine(60_000) });

  await page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'Locations and devices' }).click();
  // the link is a client-side navigation: reload only once it has arrived, or the reload reloads the page being left
  await expect(page).toHaveURL(/\/admin\/settings$/);
  await expect(page.getByRole('table', { name: 'Locations' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('table', { name: 'Locations' }).getByRole('cell', { name: 'GM', exact: true })).toBeVisible({ timeout: machine(30_000) });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible({ timeout: machine(30_000) });
});

test('the admin session survives a browser restart: the refresh cookie is kept for 30 days, not only for the session', async ({ page, browser }) => {
  await page.goto('/admin');
  await page.getByLabel('Email').fill('admin@nexus.demo');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible();

  const cookies = await page.context().cookies();
  const refresh = cookies.find((c) => c.name === 'pos_refresh');
  expect(refresh?.httpOnly).toBe(true);
  expect(refresh?.expires ?? -1).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);

  // a restarted browser keeps persistent cookies and drops session ones (expires -1); nothing else survives
  const restarted = await browser.newContext({ storageState: { cookies: cookies.filter((c) => c.expires > 0), origins: [] } });
  try {
    const again = await restarted.newPage();
    await again.goto(new URL('/admin', page.url()).href);
    await expect(again.getByRole('heading', { name: 'Nexus Clothing', level: 1 })).toBeVisible({ timeout: machine(30_000) });
    await expect(again.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  } finally {
    await restarted.close();
  }
});

test('a GM manager sees only GM, and not Settings', async ({ page, request }) => {
  await page.goto('/admin');
  await page.getByLabel('Email').fill('manager@nexus.demo');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const table = page.getByRole('table', { name: 'Sales by location' });
  await expect(table.getByRole('rowheader', { name: /^GM / })).toBeVisible({ timeout: machine(60_000) });
  await expect(table.getByRole('row')).toHaveCount(2); // header + GM (no total for one location)
  // no settings:manage: no Settings section (locations, devices, sync health live there)
  await expect(page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await page.goto('/admin/settings/sync');
  await expect(page.getByRole('alert')).toContainText('does not have access to Settings');
  await expect(page.getByRole('heading', { name: 'Sync health' })).toHaveCount(0);
  const login = await request.post('/api/v1/auth/login', { data: { email: 'manager@nexus.demo', password: PASSWORD } });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const res = await request.get('/api/v1/locations', { headers: { authorization: `Bearer ${accessToken}` } });
  expect(((await res.json()) as { locations: { code: string }[] }).locations.map((l) => l.code)).toEqual(['GM']);
});

test('a register enrols with a code from the admin API, and the code works only once', async ({ page, request }) => {
  const login = await request.post('/api/v1/auth/login', { data: { email: 'admin@nexus.demo', password: PASSWORD } });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const codeRes = await request.post('/api/v1/devices/enrolment-codes', {
    headers: { authorization: `Bearer ${accessToken}` },
    data: { kind: 'register', locationCode: 'GM', name: 'GM Register 2' }
  });
  const { qrPayload } = (await codeRes.json()) as { qrPayload: string };

  await page.goto(qrPayload); // as a scanned QR code would open it, code pre-filled
  await page.getByRole('button', { name: 'Enrol' }).click();
  const lock = page.getByRole('region', { name: 'Sign in' });
  await expect(lock).toContainText('GM Register 2 · Nexus Grand Mall');
  await page.reload();
  await expect(lock).toContainText('GM Register 2 · Nexus Grand Mall', { timeout: machine(30_000) });

  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Register settings' });
  await settings.getByRole('button', { name: 'Forget this register…' }).click();
  await settings.getByRole('button', { name: 'Forget this register', exact: true }).click();
  await expect(page.getByLabel('Enrolment code')).toBeVisible();
  await page.goto(qrPayload);
  await page.getByRole('button', { name: 'Enrol' }).click();
  await expect(page.getByRole('alert')).toContainText('unknown, used or expired');
});
