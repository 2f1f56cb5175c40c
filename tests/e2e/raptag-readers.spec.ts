import { expect, test, machine, type Page } from './support/test.ts';
import { ownerLogin, PINS } from './support/register.ts';
import { installFakeReader } from './support/rfid.ts';
import { adjust, barcodedVariants, enrolPhone, newLocation, phoneReady, signInPhone, tagsOf, tile } from './support/raptag.ts';

/** Types a code the way a keyboard-mode reader does: every key and Enter in one burst (one task). */
async function wedgeTypes(page: Page, code: string): Promise<void> {
  await page.evaluate((text) => {
    for (const key of [...text, 'Enter']) document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  }, code);
}

/**
 * Issue 15: the other reader connections. Offline, one count is read first with a TSL reader on Web
 * Serial (a cable, or a Bluetooth serial port; faked at the byte level, so the real serial transport
 * and TSL driver run), then — that reader forgotten — with a keyboard-mode reader that types each EPC
 * and Enter (DataWedge keystrokes): its tags join the same count while reading (not before), a tag read
 * by both counts once.
 */
test('a count read with a USB/serial TSL reader, then a keyboard-mode reader, offline', async ({ page, context, request }) => {
  test.setTimeout(machine(180_000));
  const owner = await ownerLogin(request);
  const loc = await newLocation(request, owner, 'RD');
  const [a, b] = await barcodedVariants(request, owner, 2, 210);
  await adjust(request, owner, loc, [
    { variantId: a!.variantId, qty: 3 },
    { variantId: b!.variantId, qty: 3 }
  ]);
  const onShelf = [...tagsOf(a!, 3), ...tagsOf(b!, 2)];
  const typed = tagsOf(b!, 1)[0]!;
  const typedWhileIdle = tagsOf(a!, 1)[0]!;
  await installFakeReader(page, { tags: onShelf.map((epc) => ({ epc, distance: 1 })), id: 'fake-serial' });

  await page.setViewportSize({ width: 390, height: 844 });
  await enrolPhone(page, request, owner, loc, 'Readers phone');
  await phoneReady(page, 1000);
  await signInPhone(page, PINS.owner);
  await context.setOffline(true);

  // a TSL reader on Web Serial: its state comes from the reader itself (.vr, .bl)
  await page.getByRole('button', { name: /^Reader:/ }).click();
  await page.getByRole('button', { name: /USB or serial reader/ }).click();
  await expect(page.getByRole('status', { name: 'Reader state' })).toHaveText('Connected');
  await expect(page.getByLabel('Battery')).toHaveText('87%');
  await page.getByRole('button', { name: 'Back to the menu' }).click();
  await page.getByRole('button', { name: /Count stock/ }).click();
  await page.getByLabel('The whole store (full count)').check();
  await page.getByRole('button', { name: 'Start counting' }).click();
  await page.getByRole('button', { name: 'Start reading' }).click();
  await expect(tile(page, 'Tags read')).toHaveText('5', { timeout: machine(30_000) });
  await page.getByRole('button', { name: 'Stop reading' }).click();
  await expect(page.getByRole('status', { name: 'Saved' })).toContainText('All 5 tags');
  await expect(tile(page, 'Missing')).toHaveText('1');

  // the serial reader forgotten; a keyboard-mode reader instead
  await page.getByRole('button', { name: /^Reader:/ }).click();
  await page.getByRole('button', { name: 'Forget this reader' }).click();
  await page.getByRole('button', { name: /Keyboard-mode reader/ }).click();
  await expect(page.getByRole('status', { name: 'Reader state' })).toHaveText('Connected');
  await page.getByRole('button', { name: 'Back to the menu' }).click();
  await page.getByRole('button', { name: 'Resume the count' }).click();
  // typed while not reading: not counted (else the end would show 7 tags)
  await wedgeTypes(page, typedWhileIdle);
  await page.getByRole('button', { name: 'Start reading' }).click();
  await wedgeTypes(page, typed);
  await wedgeTypes(page, onShelf[0]!); // read before: counts once
  await expect(tile(page, 'Tags read')).toHaveText('6', { timeout: machine(30_000) });
  await expect(tile(page, 'Items counted')).toHaveText('6');
  await expect(tile(page, 'Missing')).toHaveText('0');
  await page.getByRole('button', { name: 'Stop reading' }).click();
  await expect(page.getByRole('status', { name: 'Saved' })).toContainText('All 6 tags');
});
