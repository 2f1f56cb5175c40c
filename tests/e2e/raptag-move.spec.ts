import { expect, test, machine, type Page } from './support/test.ts';
import { ownerLogin, PINS } from './support/register.ts';
import { shoot } from './support/admin.ts';
import { installFakeReader } from './support/rfid.ts';
import { adjust, barcodedVariants, enrolPhone, newLocation, pairBluetooth, phoneReady, signInPhone, tagsOf } from './support/raptag.ts';

/**
 * Issue 15: moving and finding stock with the phone. A transfer is picked by scanning at the source
 * store and shipped; at the destination it is received by scanning, offline, with one unit missing —
 * the receipt waits in the phone's queue and reaches the server when the network returns, which records
 * the discrepancy. Then, on the source phone, an item is looked up (stock here and at the other stores)
 * and located with the proximity meter as the simulated tag comes closer.
 */
test('a transfer picked, shipped and received by scanning (offline receipt, one missing); lookup and locate', async ({ browser, request }) => {
  test.setTimeout(machine(300_000));
  const owner = await ownerLogin(request);
  const [from, to] = [await newLocation(request, owner, 'TA'), await newLocation(request, owner, 'TB')];
  const items = await barcodedVariants(request, owner, 3, 100);
  await adjust(request, owner, from, items.map((v) => ({ variantId: v.variantId, qty: 5 })));
  const created = await request.post('/api/v1/inventory/transfers', { headers: owner.auth, data: { from, to, lines: items.map((v, i) => ({ variantId: v.variantId, qty: i + 1 })) } });
  expect(created.status()).toBe(201);
  const transferId = ((await created.json()) as { transfer: { _id: string } }).transfer._id;
  // the boxes: 1 + 2 + 3 units tagged; the units of item 0 and 1 sit on the source shelf too (more stock)
  const boxTags = items.flatMap((v, i) => tagsOf(v, i + 1));
  const shelfTags = tagsOf(items[0]!, 4);

  async function phone(location: string, name: string, tags: string[]): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await installFakeReader(page, { tags: tags.map((epc) => ({ epc, distance: 1 })), id: `fake-${name}` });
    await enrolPhone(page, request, owner, location, name);
    await phoneReady(page, 1000);
    await signInPhone(page, PINS.owner);
    await pairBluetooth(page);
    return page;
  }

  // --- source: pick by scanning, ship ---
  const a = await phone(from, 'Source phone', boxTags);
  await a.getByRole('button', { name: /^Transfers/ }).click();
  await a.getByRole('button', { name: new RegExp(`^Pick ${from} → ${to}`) }).click();
  await a.getByRole('button', { name: 'Start reading' }).click();
  await expect(a.getByRole('status', { name: 'Transfer progress' })).toHaveText('6 of 6 units scanned', { timeout: machine(30_000) });
  await a.getByRole('button', { name: 'Stop reading' }).click();
  await shoot(a, 'raptag-pick-390');
  await a.getByRole('button', { name: 'Ship', exact: true }).click();
  await a.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Ship it' }).click();
  await expect(a.getByRole('heading', { name: /To pick and ship/ })).toBeVisible();
  const transfer = async () => ((await (await request.get(`/api/v1/inventory/transfers/${encodeURIComponent(transferId)}`, { headers: owner.auth })).json()) as { transfer: { status: string; discrepancies?: unknown[] } }).transfer;
  await expect.poll(async () => (await transfer()).status, { timeout: machine(30_000) }).toBe('shipped');

  // --- destination: the list is fetched online, then the network goes; receive by scanning, one unit missing ---
  const b = await phone(to, 'Destination phone', boxTags.slice(1));
  await b.getByRole('button', { name: /^Transfers/ }).click();
  const receive = b.getByRole('button', { name: new RegExp(`^Receive ${from} → ${to}`) });
  await expect(receive).toBeVisible();
  await b.context().setOffline(true);
  await receive.click();
  await b.getByRole('button', { name: 'Start reading' }).click();
  await expect(b.getByRole('status', { name: 'Transfer progress' })).toHaveText('5 of 6 units scanned', { timeout: machine(30_000) });
  await b.getByRole('button', { name: 'Stop reading' }).click();
  await b.getByRole('button', { name: 'Receive', exact: true }).click();
  await expect(b.getByRole('group', { name: 'Confirm' })).toContainText('1 missing will be recorded as a discrepancy');
  await b.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Record receipt' }).click();
  await expect(b.getByRole('region', { name: /Waiting for the network \(1\)/ })).toContainText(`Receive ${from} → ${to}`);
  await shoot(b, 'raptag-receive-queued-390');
  expect((await transfer()).status).toBe('shipped');
  await b.context().setOffline(false);
  await expect(b.getByRole('region', { name: /Waiting for the network/ })).toHaveCount(0, { timeout: machine(30_000) });
  expect(await transfer()).toMatchObject({ status: 'received', discrepancies: [{ variantId: items[0]!.variantId, sent: 1, received: 0, diff: 1 }] });

  // --- lookup: stock here and at the other stores ---
  await a.getByRole('button', { name: 'Back to the menu' }).click();
  await a.getByRole('button', { name: /^Find an item/ }).click();
  await a.getByLabel('Barcode, SKU or EPC').fill(items[1]!.sku);
  await a.getByRole('button', { name: 'Find' }).click();
  const stores = a.getByRole('table', { name: 'Stock at every store' });
  await expect(stores.getByRole('row', { name: new RegExp(`${from}.*\\(here\\)`) })).toContainText('3'); // 5 − 2 shipped
  await expect(stores.getByRole('row', { name: new RegExp(`RFID test ${to}`) })).toContainText('2');
  await shoot(a, 'raptag-lookup-390');

  // --- locate: the meter rises as the tag comes closer ---
  const target = shelfTags[0]!;
  await a.evaluate((tags) => (window as unknown as { __rfidSim: { addTags(t: { epc: string; distance: number }[]): void } }).__rfidSim.addTags(tags.map((epc) => ({ epc, distance: 7 }))), shelfTags);
  await a.getByRole('button', { name: 'Back to the menu' }).click();
  await a.getByRole('button', { name: /^Locate a tag/ }).click();
  await a.getByLabel('Barcode, SKU or EPC to locate').fill(target);
  await a.getByRole('button', { name: 'Locate', exact: true }).click();
  await a.getByRole('button', { name: 'Start searching' }).click();
  const meter = a.getByRole('meter', { name: 'Proximity' });
  await expect.poll(async () => Number(await meter.getAttribute('aria-valuenow')), { timeout: machine(20_000) }).toBeGreaterThan(0);
  const far = Number(await meter.getAttribute('aria-valuenow'));
  expect(far).toBeLessThan(40);
  await a.evaluate((epc) => (window as unknown as { __rfidSim: { setDistance(e: string, d: number): void } }).__rfidSim.setDistance(epc, 0.3), target);
  await expect.poll(async () => Number(await meter.getAttribute('aria-valuenow')), { timeout: machine(20_000) }).toBeGreaterThan(80);
  await shoot(a, 'raptag-locate-390');
  await a.getByRole('button', { name: 'Stop searching' }).click();
  await a.context().close();
  await b.context().close();
});
