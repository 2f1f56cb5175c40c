import { expect, test, machine } from './support/test.ts';
import { ownerLogin, PINS } from './support/register.ts';
import { shoot } from './support/admin.ts';
import { installFakeReader } from './support/rfid.ts';
import { barcodedVariants, enrolPhone, newLocation, pairBluetooth, phoneReady, signInPhone, tagsOf, tile } from './support/raptag.ts';

type Sim = { setDistance(epc: string, d: number): void; addTags(t: { epc: string; distance: number }[]): void };

/**
 * Issue 15: replenishment. Offline, one count reads the back room (zone "Back room"), then — the back
 * room's tags out of range — the sales floor (zone "Sales floor"); the phone lists what to bring out so
 * the floor holds the target per item: item A (back 3, floor 0) → 2, item B (back 2, floor 1) → 1, item C
 * (back 1, floor 2) → nothing.
 */
test('replenishment: back room and sales floor read in one count, offline; the list of what to bring out', async ({ page, context, request }) => {
  test.setTimeout(machine(180_000));
  const owner = await ownerLogin(request);
  const loc = await newLocation(request, owner, 'RP');
  const [a, b, c] = await barcodedVariants(request, owner, 3, 200);
  const back = [...tagsOf(a!, 3), ...tagsOf(b!, 2), ...tagsOf(c!, 1)];
  const floor = [...tagsOf(b!, 1), ...tagsOf(c!, 2)];
  await installFakeReader(page, { tags: back.map((epc) => ({ epc, distance: 1 })), id: 'fake-replenish' });

  await page.setViewportSize({ width: 390, height: 844 });
  await enrolPhone(page, request, owner, loc, 'Replenish phone');
  await phoneReady(page, 1000);
  await signInPhone(page, PINS.owner);
  await context.setOffline(true);
  await pairBluetooth(page);

  // the back room first
  await page.getByRole('button', { name: /Count stock/ }).click();
  await page.getByLabel('The whole store (full count)').check();
  await page.getByRole('radio', { name: 'Back room' }).check();
  await page.getByRole('button', { name: 'Start counting' }).click();
  await page.getByRole('button', { name: 'Start reading' }).click();
  await expect(tile(page, 'Tags read')).toHaveText(String(back.length), { timeout: machine(30_000) });
  await page.getByRole('button', { name: 'Stop reading' }).click();
  await expect(page.getByRole('status', { name: 'Saved' })).toContainText(`All ${back.length} tags`);

  // then the floor: the clerk walks out (the back room's tags out of range) and switches the zone
  await page.evaluate(
    ({ back, floor }) => {
      const sim = (window as unknown as { __rfidSim: Sim }).__rfidSim;
      for (const epc of back) sim.setDistance(epc, 100);
      sim.addTags(floor.map((epc) => ({ epc, distance: 1 })));
    },
    { back, floor }
  );
  await page.getByRole('radio', { name: 'Sales floor' }).check();
  await page.getByRole('button', { name: 'Start reading' }).click();
  await expect(tile(page, 'Tags read')).toHaveText(String(back.length + floor.length), { timeout: machine(30_000) });
  await page.getByRole('button', { name: 'Stop reading' }).click();
  await expect(page.getByRole('status', { name: 'Saved' })).toContainText(`All ${back.length + floor.length} tags`);

  await page.getByRole('button', { name: 'Back to the menu' }).click();
  await page.getByRole('button', { name: /^Replenish the floor/ }).click();
  await page.getByLabel('Units to keep on the floor per item').fill('2');
  const list = page.getByRole('table', { name: 'Bring out' });
  await expect(list.locator('tbody tr')).toHaveCount(2);
  // columns: item, floor, back room, bring
  await expect(list.locator('tbody tr').nth(0)).toContainText(a!.sku);
  await expect(list.locator('tbody tr').nth(0).locator('td')).toHaveText([new RegExp(a!.sku), '0', '3', '2']);
  await expect(list.locator('tbody tr').nth(1).locator('td')).toHaveText([new RegExp(b!.sku), '1', '2', '1']);
  await expect(list).not.toContainText(c!.sku);
  await shoot(page, 'raptag-replenish-390');
  await page.setViewportSize({ width: 360, height: 640 });
  await shoot(page, 'raptag-replenish-360');

  // a target the floor already meets everywhere: nothing to bring
  await page.getByLabel('Units to keep on the floor per item').fill('1');
  await expect(list.locator('tbody tr')).toHaveCount(1);
  await expect(list.locator('tbody tr').nth(0).locator('td')).toHaveText([new RegExp(a!.sku), '0', '3', '1']);
});
