import { expect, test, machine } from './support/test.ts';
import { ownerLogin, PINS } from './support/register.ts';
import { shoot, signInAdmin } from './support/admin.ts';
import { installFakeReader } from './support/rfid.ts';
import { barcodedVariants, enrolPhone, FOREIGN_TAGS, newLocation, pairBluetooth, phoneReady, signInPhone } from './support/raptag.ts';

/**
 * Issue 15, tagging goods: an owner sets the tenant's GS1 company prefix and encodes SGTIN-96 tags for
 * an item with a serial range in the admin portal; a phone reading exactly those tags (plus two of
 * another company) finds the item and counts its units.
 */
test('company prefix and tag encoding in the admin portal; the encoded tags read back on a phone as the item', async ({ page, browser, request }) => {
  test.setTimeout(machine(240_000));
  const owner = await ownerLogin(request);
  const [item] = await barcodedVariants(request, owner, 1, 300);
  const prefix = `0${item!.barcode}`.slice(1, 8); // GTIN-14 digits 2–8

  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo');
  await page.goto('/admin/settings/rfid');
  await page.getByLabel('Company prefixes, one per line').fill(`${prefix}\n12345`);
  await page.getByRole('button', { name: 'Save prefixes' }).click();
  await expect(page.getByRole('alert')).toContainText('6 to 12 digits');
  await page.getByLabel('Company prefixes, one per line').fill(prefix);
  await page.getByRole('button', { name: 'Save prefixes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page.getByLabel('Item: SKU or barcode').fill(item!.sku);
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page.getByLabel('Item to tag')).toContainText(`company prefix ${prefix}`, { timeout: machine(60_000) });
  await page.getByLabel('First serial').fill('5000');
  await page.getByLabel('How many tags').fill('5');
  await page.getByRole('button', { name: 'Encode' }).click();
  await expect(page.getByRole('status', { name: 'Encoded' })).toHaveText('5 tags, serials 5000–5004.');
  const rows = page.getByRole('table', { name: 'Encoded tags' }).locator('tbody tr');
  await expect(rows).toHaveCount(5);
  await expect(rows.first()).toContainText(`urn:epc:tag:sgtin-96:1.${prefix}.`);
  const epcs = await rows.locator('td:nth-child(2) code').allTextContents();
  await shoot(page, 'admin-rfid-tags');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV for the encoder' }).click();
  expect((await download).suggestedFilename()).toBe(`tags-${item!.sku}-5000-5004.csv`);

  // a phone holding those tags (and two of another company) finds the item and counts 5 of it
  const loc = await newLocation(request, owner, 'TG');
  const phone = await browser.newPage({ viewport: { width: 360, height: 640 } });
  await installFakeReader(phone, { tags: [...epcs, ...FOREIGN_TAGS].map((epc) => ({ epc, distance: 0.5 })) });
  await enrolPhone(phone, request, owner, loc, 'Tag test phone');
  await phoneReady(phone, 1000);
  await signInPhone(phone, PINS.owner);
  await pairBluetooth(phone);
  await phone.getByRole('button', { name: /^Find an item/ }).click();
  await phone.getByRole('button', { name: 'Start reading' }).click();
  await expect(phone.getByLabel('Tags around')).toHaveText('5', { timeout: machine(30_000) });
  await expect(phone.getByText(item!.sku, { exact: false }).first()).toBeVisible();
  await phone.getByRole('button', { name: 'Stop reading' }).click();
  await shoot(phone, 'raptag-lookup-360');
  await phone.close();
});
