import { expect, test, machine } from './support/test.ts';

/**
 * The public sign-up (issue 5, tenant journey): pick a plan, name the business and its first store,
 * get the temporary password once, sign in with it, and the setup wizard walks through the rest.
 */
test('a retailer signs up, is walked through setup (store, first product, a cashier, tax, payments) and enrols a register the cashier signs in to', async ({ page, context }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Create an account for your business' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole('heading', { name: 'Create your account', level: 1 })).toBeVisible();

  // the three plans as labelled choices, priced from the plan data
  const plans = page.getByRole('group', { name: 'Plan' });
  await expect(plans.getByRole('radio')).toHaveCount(3);
  await expect(plans.getByRole('radio', { name: 'Pro $149.00 a month' })).toBeChecked();
  await expect(plans.getByText('Unlimited stores')).toBeVisible();
  // nothing is sold that does not work yet: RFID counting arrives with the RFID app (/raptag says so)
  await expect(page.getByText(/RFID/)).toHaveCount(0);
  await plans.getByRole('radio', { name: 'Starter $49.00 a month' }).check();

  const email = `owner-${Date.now()}@corner.test`;
  await page.getByLabel('Business name').fill('Corner Goods');
  await page.getByLabel('Your name').fill('Cora Corner');
  await page.getByLabel('Your email').fill(email);
  await page.getByLabel('First store name').fill('Main Street');
  await page.getByLabel('Store code').fill('ms');
  await page.getByLabel('Time zone').selectOption('Europe/Berlin');
  await page.getByLabel('Currency').selectOption('EUR');
  await page.getByRole('button', { name: 'Create account' }).click();

  const done = page.getByRole('heading', { name: 'Corner Goods is ready', level: 1 });
  await expect(done).toBeVisible({ timeout: machine(20_000) });
  await expect(done).toBeFocused();
  const password = (await page.getByLabel('Temporary password').textContent())?.trim() ?? '';
  expect(password).toMatch(/^\S{12,}$/);
  await expect(page.getByRole('status')).toContainText('shown once');

  await page.getByRole('link', { name: 'Sign in to the admin portal' }).click();
  await expect(page).toHaveURL(/\/admin\/setup$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // the generated password is temporary: the owner chooses their own before anything else
  await expect(page.getByRole('heading', { name: 'Choose a new password', level: 1 })).toBeVisible();
  await page.getByLabel('Temporary password').fill(password);
  await page.getByLabel('New password', { exact: true }).fill('Fresh-shelves-2026!');
  await page.getByLabel('Confirm new password').fill('Fresh-shelves-2026!');
  await page.getByRole('button', { name: 'Change password' }).click();

  // The wizard opens at the first step not done: the store from sign-up has no address yet.
  await expect(page.getByRole('heading', { name: 'Set up Corner Goods', level: 1 })).toBeVisible();
  const steps = page.getByRole('navigation', { name: 'Setup steps' });
  await expect(page.getByRole('heading', { name: 'Step 1 of 6: Locations' })).toBeVisible();
  await expect(steps.getByRole('button', { name: /Locations To do · 1 location; missing an address: MS/ })).toBeVisible();
  await page.getByRole('button', { name: 'Edit MS' }).click();
  const store = page.getByRole('form', { name: 'Edit location MS' });
  await expect(store.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
  await store.getByLabel('Address').fill('12 Main Street, Berlin');
  await store.getByRole('button', { name: 'Save location' }).click();
  await expect(page.getByText('Location MS saved.')).toBeVisible();
  await expect(steps.getByRole('button', { name: /Locations Done · 1 location/ })).toBeVisible();

  // A Starter plan has one store: adding a second is refused with the plan's reason.
  await page.getByRole('button', { name: 'Add location' }).click();
  const add = page.getByRole('form', { name: 'New location' });
  await add.getByLabel('Code').fill('WH');
  await add.getByLabel('Name').fill('Warehouse');
  await add.getByRole('button', { name: 'Add location' }).click();
  await expect(add.getByRole('alert')).toContainText(/Starter/);
  await add.getByRole('button', { name: 'Cancel' }).click();

  // Step 2: the first product, from a CSV file checked then imported.
  await page.getByRole('button', { name: 'Next: Products' }).click();
  await expect(page.getByRole('heading', { name: 'Step 2 of 6: Products' })).toBeVisible();
  await page.getByLabel('Catalog CSV file').setInputFiles({
    name: 'first.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('handle,name,category,tax_category,sku,barcode,price\nmug,Corner Mug,Kitchen,standard,MUG-1,9780201379624,12.50\n')
  });
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByRole('heading', { name: 'Preview: the file checks out' })).toBeVisible();
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('heading', { name: 'Import complete' })).toBeVisible();
  await expect(steps.getByRole('button', { name: /Products Done · 1 product/ })).toBeVisible();

  // Staff: a cashier with a register PIN.
  await page.getByRole('button', { name: 'Next: Staff' }).click();
  const invite = page.getByRole('form', { name: 'Invite staff' });
  await invite.getByLabel('Full name').fill('Cass Till');
  await invite.getByLabel('Email').fill(`cass-${Date.now()}@corner.test`);
  await invite.getByLabel('Role').selectOption('cashier');
  await invite.getByLabel('Register PIN (optional)').fill('4826');
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('heading', { name: 'Cass Till is invited' })).toBeVisible();
  await expect(steps.getByRole('button', { name: /Staff Done · 1 staff member besides you/ })).toBeVisible();

  // Tax rates: a rate, then used at the store.
  await page.getByRole('button', { name: 'Next: Tax rates' }).click();
  await page.getByRole('button', { name: 'Add tax rate' }).click();
  const rate = page.getByRole('form', { name: 'New tax rate' });
  await rate.getByLabel('Name').fill('MwSt');
  await rate.getByLabel('Rate (%)').fill('19');
  await rate.getByRole('button', { name: 'Save tax rate' }).click();
  await expect(page.getByRole('table', { name: 'Tax rates' }).getByRole('cell', { name: 'MwSt', exact: true })).toBeVisible();
  await page.getByLabel('Tax rate for MS').selectOption({ label: 'MwSt · 19 %' });
  await page.getByRole('button', { name: 'Use this rate at MS' }).click();
  // the step's status is read when the next step opens: wait for the save to be answered first
  await expect(page.getByRole('status').filter({ hasText: 'MS now charges MwSt.' })).toBeVisible({ timeout: machine(30_000) });
  await page.getByRole('button', { name: 'Next: Payments' }).click();
  await expect(steps.getByRole('button', { name: /Tax rates Done · Every location has a tax rate/ })).toBeVisible();

  // Payments: confirmed once.
  await steps.getByRole('button', { name: /Payments/ }).click();
  await page.getByRole('button', { name: 'Confirm payment methods' }).click();
  await expect(page.getByText('Payment methods confirmed.')).toBeVisible();
  await expect(steps.getByRole('button', { name: /Payments Done/ })).toBeVisible();

  // Devices: an enrolment code with its QR code, opened on "the register" (a second page).
  await steps.getByRole('button', { name: /Devices/ }).click();
  await expect(page.getByRole('heading', { name: 'Step 6 of 6: Devices' })).toBeVisible();
  await page.getByLabel('Device name').fill('Front till');
  await page.getByRole('button', { name: 'Create enrolment code' }).click();
  const issued = page.getByRole('region', { name: 'Enrolment code' });
  await expect(issued).toContainText('Front till');
  await expect(issued.getByRole('img', { name: /QR code for enrolment code/ }).locator('svg')).toBeVisible();
  const link = (await issued.getByRole('link', { name: /\/pos\?enrol=/ }).getAttribute('href')) ?? '';
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pos\?enrol=/);

  const register = await context.newPage();
  await register.goto(link);
  await register.getByRole('button', { name: 'Enrol' }).click();
  await expect(register.getByLabel('Your PIN')).toBeVisible({ timeout: machine(30_000) });
  // the cashier invited in the wizard signs in with the PIN given there
  await register.getByLabel('Your PIN').fill('4826');
  await register.getByRole('button', { name: 'Sign in' }).click();
  await expect(register.getByLabel('Opening float')).toBeVisible({ timeout: machine(30_000) });

  // back in the wizard, the checklist counts the register
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Setup steps' }).getByRole('button', { name: /Devices Done · 1 register enrolled/ })).toBeVisible({ timeout: machine(30_000) });
});

test('signing up again with a taken email says so and offers to sign in', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Business name').fill('Nexus Again');
  await page.getByLabel('Your email').fill('owner@nexus.demo');
  await page.getByLabel('First store name').fill('Second');
  await page.getByLabel('Store code').fill('GM');
  await page.getByRole('button', { name: 'Create account' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('An account with owner@nexus.demo already exists');
  await expect(alert.getByRole('link', { name: 'Sign in instead' })).toHaveAttribute('href', '/admin');
});
