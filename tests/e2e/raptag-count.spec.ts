import { expect, test, machine } from './support/test.ts';
import { ownerLogin, PINS } from './support/register.ts';
import { shoot, signInAdmin } from './support/admin.ts';
import { installFakeReader } from './support/rfid.ts';
import { adjust, barcodedVariants, enrolPhone, FOREIGN_TAGS, newLocation, pairBluetooth, phoneReady, signInPhone, tagsOf, tile } from './support/raptag.ts';

/**
 * Issue 15: a clerk counts a store of 2,000 tagged items with a Bluetooth TSL reader (the simulator
 * behind a byte-level fake of Web Bluetooth, so the app's real transport and driver run), offline
 * from pairing to submission, with a reload in the middle of the count; 20 items are missing and 5
 * unexpected; the count syncs when the network is back, a manager approves it in the admin portal,
 * and the stock list shows the corrections.
 */
test('count 2,000 tagged items offline (reload mid-count), submit, approve: the adjustments are in the stock list', async ({ page, context, request, browser }) => {
  test.setTimeout(machine(300_000));
  const owner = await ownerLogin(request);
  const loc = await newLocation(request, owner, 'RC');

  // the store: 80 variants × 25 units = 2,000 expected
  const stocked = await barcodedVariants(request, owner, 81);
  const [stray, ...shelf] = [stocked[80]!, ...stocked.slice(0, 80)];
  await adjust(request, owner, loc, shelf.map((v) => ({ variantId: v.variantId, qty: 25 })));

  // what is really on the shelf: 20 units gone (one from each of the first 20 variants), 3 extra units of
  // variant 21 and 2 of a variant this store does not stock = 5 unexpected; 2 tags of another company
  const tags = shelf.flatMap((v, i) => tagsOf(v, 25 - (i < 20 ? 1 : 0) + (i === 20 ? 3 : 0)));
  tags.push(...tagsOf(stray, 2), ...FOREIGN_TAGS);
  expect(tags.length).toBe(2000 - 20 + 5 + 2);
  await installFakeReader(page, { tags: tags.map((epc, i) => ({ epc, distance: 0.5 + (i % 40) / 10 })), readsPerSecond: 300 });

  await page.setViewportSize({ width: 390, height: 844 });
  await enrolPhone(page, request, owner, loc, 'Count phone');
  await phoneReady(page, 1000);
  await signInPhone(page, PINS.owner);

  // offline from here until the count is submitted
  await context.setOffline(true);
  await pairBluetooth(page);
  await expect(page.getByRole('button', { name: /^Reader: Reader · 87%/ })).toBeVisible();
  await page.getByRole('button', { name: /Count stock/ }).click();
  await page.getByLabel('The whole store (full count)').check();
  await page.getByRole('button', { name: 'Start counting' }).click();
  await expect(tile(page, 'Items counted')).toHaveText('0');
  await expect(page.getByRole('status', { name: 'Count progress' })).toContainText('of 2000 expected');
  await page.getByRole('button', { name: 'Start reading' }).click();
  await expect.poll(async () => Number(await tile(page, 'Tags read').textContent()), { timeout: machine(60_000) }).toBeGreaterThan(400);
  await shoot(page, 'raptag-count-reading-390');

  // the phone reloads mid-count (offline, from the service worker): every tag it showed is still counted
  await page.getByRole('button', { name: 'Stop reading' }).click();
  await expect(page.getByRole('status', { name: 'Saved' })).toBeVisible();
  const shown = Number(await tile(page, 'Tags read').textContent());
  expect(shown).toBeLessThan(1500); // the reload really is mid-count
  await page.reload();
  await signInPhone(page, PINS.owner);
  await expect(page.getByRole('region', { name: 'Count in progress' })).toContainText(`${shown} tags read`, { timeout: machine(30_000) });
  await page.getByRole('button', { name: 'Resume the count' }).click();
  await expect(tile(page, 'Tags read')).toHaveText(String(shown));
  // the paired reader came back by itself
  await expect(page.getByRole('button', { name: /^Reader: Reader/ })).toBeVisible({ timeout: machine(30_000) });
  await page.getByRole('button', { name: 'Start reading' }).click();
  await expect(tile(page, 'Tags read')).toHaveText(String(tags.length), { timeout: machine(60_000) });
  await page.getByRole('button', { name: 'Stop reading' }).click();
  await expect(page.getByRole('status', { name: 'Saved' })).toContainText(`All ${tags.length} tags`);

  await expect(tile(page, 'Items counted')).toHaveText('1985');
  await expect(tile(page, 'Missing')).toHaveText('20');
  await expect(tile(page, 'Unexpected')).toHaveText('5');
  await expect(page.getByLabel('Variance value')).toContainText('2 other tags');
  await page.getByText('Missing: 20 units of 20 items').click();
  await expect(page.getByRole('table', { name: 'Missing items' }).locator('tbody tr')).toHaveCount(20);
  await page.getByText('Unexpected: 5 units of 2 items').click();
  await expect(page.getByRole('table', { name: 'Unexpected items' }).locator('tbody tr')).toHaveCount(2);
  await shoot(page, 'raptag-count-done-390');
  await page.setViewportSize({ width: 360, height: 640 });
  await shoot(page, 'raptag-count-done-360');

  await page.getByRole('button', { name: 'Submit count' }).click();
  await page.getByRole('group', { name: 'Confirm submit' }).getByRole('button', { name: 'Submit for review' }).click();
  await expect(page.getByRole('status', { name: 'Count submitted' })).toContainText('waiting to sync');

  // back online: the count reaches the store
  await context.setOffline(false);
  let countId = '';
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/inventory/counts?location=${loc}&status=submitted`, { headers: owner.auth });
        const sessions = ((await res.json()) as { sessions: { _id: string; source: string; units: number }[] }).sessions;
        countId = sessions[0]?._id ?? '';
        return sessions.map((s) => [s.source, s.units]);
      },
      { timeout: machine(60_000) }
    )
    .toEqual([['rfid', 1985]]);

  // a manager approves it in the admin portal
  const admin = await browser.newPage();
  await admin.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(admin, 'owner@nexus.demo');
  await admin.goto(`/admin/inventory/counts/view?id=${encodeURIComponent(countId)}`);
  await expect(admin.getByLabel('Status: Waiting for review')).toBeVisible({ timeout: machine(60_000) });
  await shoot(admin, 'admin-rfid-count-review');
  await admin.getByRole('button', { name: 'Approve and book variances' }).click();
  await expect(admin.getByLabel('Status: Approved')).toBeVisible({ timeout: machine(60_000) });

  // the stock list shows the corrections: 24 of the first variant, 28 of variant 21, 2 of the stray
  for (const [v, qty] of [[shelf[0]!, 24], [shelf[20]!, 28], [stray, 2], [shelf[50]!, 25]] as const) {
    await admin.goto(`/admin/inventory?location=${loc}&q=${encodeURIComponent(v.sku)}`);
    const row = admin.getByRole('table', { name: `Stock levels at ${loc}` }).locator('tbody tr');
    await expect(row).toHaveCount(1, { timeout: machine(60_000) });
    await expect(row.getByRole('cell').nth(2)).toHaveText(String(qty));
  }
  await admin.close();
});

test('two phones count one store together: their reads merge, a tag both read counts once, one submit closes it for both', async ({ browser, request }) => {
  test.setTimeout(machine(300_000));
  const owner = await ownerLogin(request);
  const loc = await newLocation(request, owner, 'RS');
  const shelf = await barcodedVariants(request, owner, 10, 200);
  await adjust(request, owner, loc, shelf.map((v) => ({ variantId: v.variantId, qty: 10 })));
  const tags = shelf.flatMap((v) => tagsOf(v, 10));

  async function phone(name: string, field: string[]) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await installFakeReader(page, { tags: field.map((epc) => ({ epc, distance: 1 })), id: `fake-${name}` });
    await enrolPhone(page, request, owner, loc, name);
    await phoneReady(page, 1000);
    await signInPhone(page, PINS.owner);
    await pairBluetooth(page);
    await page.getByRole('button', { name: /Count stock/ }).click();
    return page;
  }

  // phone A counts the first 70 tags of the store
  const a = await phone('Aisle A phone', tags.slice(0, 70));
  await a.getByLabel('Count together with other phones').check();
  await a.getByRole('button', { name: 'Start counting' }).click();
  await a.getByRole('button', { name: 'Start reading' }).click();
  await expect(tile(a, 'Tags read')).toHaveText('70', { timeout: machine(30_000) });
  await a.getByRole('button', { name: 'Stop reading' }).click();

  // phone B joins and reads the last 50 (20 of them phone A read too)
  const b = await phone('Aisle B phone', tags.slice(50));
  await expect(b.getByRole('button', { name: /^Join the full count/ })).toBeVisible({ timeout: machine(60_000) });
  await b.getByRole('button', { name: /^Join the full count/ }).click();
  await b.getByRole('button', { name: 'Start reading' }).click();
  await expect(tile(b, 'Tags read')).toHaveText('100', { timeout: machine(60_000) });
  await b.getByRole('button', { name: 'Stop reading' }).click();
  await shoot(b, 'raptag-shared-count-390');

  // phone A sees B's reads merged, and submits the whole store
  await expect(tile(a, 'Tags read')).toHaveText('100', { timeout: machine(60_000) });
  await expect(tile(a, 'Missing')).toHaveText('0');
  await a.getByRole('button', { name: 'Submit count' }).click();
  await a.getByRole('group', { name: 'Confirm submit' }).getByRole('button', { name: 'Submit for review' }).click();
  await expect(a.getByRole('status', { name: 'Count submitted' })).toBeVisible();
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/inventory/counts?location=${loc}&status=submitted`, { headers: owner.auth })).json()) as { sessions: { units: number }[] }).sessions.map((s) => s.units), { timeout: machine(60_000) })
    .toEqual([100]);
  // phone B learns the count was submitted and closes its copy
  await expect(b.getByRole('status', { name: 'Closed' })).toContainText('Another phone submitted this count', { timeout: machine(60_000) });
  await a.context().close();
  await b.context().close();
});
