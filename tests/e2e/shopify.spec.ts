import { FakeShopify, type FakeProduct } from '../support/fake-shopify.ts';
import { shoot, signInAdmin } from './support/admin.ts';
import { enrolRegister, expectUnsynced, openShift, ownerLogin, payExactCash, PINS, scan, serverStock, signIn } from './support/register.ts';
import { expect, machine, test, type Page } from './support/test.ts';

/**
 * Issue 16's journey against the local Shopify (tests/support/fake-shopify.ts, speaking the Admin
 * GraphQL API and signing webhooks as Shopify does; started here on the port the server was given as
 * SHOPIFY_API_ORIGIN, see playwright.config.ts): an owner connects a store (first with an app that
 * lacks a scope, which the page names), maps the Grand Mall to a Shopify location, previews and imports
 * the catalog; a cashier sells an imported shirt at a register with the network unplugged and, once it
 * is back, Shopify's stock at that location is one lower; an online order's webhook lowers the POS
 * stock; and "Compare stock" finds no differences.
 */
test.setTimeout(machine(420_000));

const shop = new FakeShopify('nexus-online.myshopify.com');
let pickup = '';
let shirt: FakeProduct;

test.beforeAll(async () => {
  await shop.start(Number(process.env.E2E_SHOPIFY_PORT));
  shop.shopName = 'Nexus Online';
  pickup = shop.addLocation('Grand Mall pickup').id;
  shop.addLocation('Online warehouse');
  shirt = shop.addProduct(
    {
      title: 'Online linen shirt',
      options: [{ name: 'Size', values: ['S', 'M'] }],
      collections: [{ id: '4410001', title: 'Summer online' }],
      variants: [
        { sku: 'ONL-LIN-S', barcode: '036000291452', price: '49.00', options: [{ name: 'Size', value: 'S' }] },
        { sku: 'ONL-LIN-M', barcode: '012345678905', price: '49.00', options: [{ name: 'Size', value: 'M' }] }
      ]
    },
    { [pickup]: 10 }
  );
  shop.addProduct({ title: 'Online tote bag', variants: [{ sku: 'ONL-TOTE', barcode: '042100005264', price: '15.00' }] }, { [pickup]: 4 });
});

test.afterAll(async () => {
  await shop.stop();
});

const level = (v: FakeProduct['variants'][number]) => shop.availableAt(v.inventoryItemId, pickup);

async function openShopifyPage(page: Page) {
  await page.goto('/admin/settings/integrations');
  await page.getByRole('link', { name: 'Open Shopify settings' }).click();
  await expect(page.getByRole('heading', { name: 'Shopify', exact: true })).toBeVisible();
}

test('connect, map, import; an offline register sale reaches Shopify; an online order reaches the POS; nothing differs', async ({ page, browser, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAdmin(page, 'owner@nexus.demo');
  await openShopifyPage(page);
  await expect(page.getByRole('navigation', { name: 'Settings pages' }).getByRole('link', { name: 'Integrations' })).toHaveAttribute('aria-current', 'page');

  // an app installed without read_orders: refused, the missing scope named, nothing kept
  shop.scopes = ['write_products', 'write_inventory', 'read_locations'];
  const form = page.getByRole('form', { name: 'Connect your Shopify store' });
  await form.getByLabel('Shop domain').fill('nexus-online');
  await expect(form.getByText('Connects nexus-online.myshopify.com')).toBeVisible();
  await form.getByLabel('Admin API access token').fill(shop.accessToken);
  await form.getByLabel('API secret key').fill(shop.apiSecret);
  await form.getByRole('button', { name: 'Connect' }).click();
  await expect(form.getByRole('alert')).toContainText('read_orders');
  await expect(form.getByRole('list', { name: 'Missing access scopes' }).getByRole('listitem')).toHaveText([/read_orders — online orders and refunds move stock/]);
  expect(shop.subscriptions).toHaveLength(0);

  // the scope added and the app reinstalled: connected, every scope granted, webhooks subscribed here
  shop.scopes = ['write_products', 'write_inventory', 'read_locations', 'read_orders'];
  await form.getByRole('button', { name: 'Connect' }).click();
  const connection = page.getByRole('region', { name: 'Nexus Online' });
  await expect(connection.getByText('Connected', { exact: true })).toBeVisible();
  await expect(connection.getByRole('table', { name: 'Access scopes' }).getByText('Granted')).toHaveCount(6);
  expect(shop.subscriptions.map((s) => s.topic).sort()).toEqual(['INVENTORY_LEVELS_UPDATE', 'ORDERS_CANCELLED', 'ORDERS_CREATE', 'PRODUCTS_UPDATE', 'REFUNDS_CREATE']);

  // the Grand Mall shares the pickup location's stock; the other stores stay out; Shopify owns product data
  const mapping = page.getByRole('form', { name: 'Stores and locations' });
  await mapping.getByLabel('Nexus Grand Mall (GM)').selectOption({ label: 'Grand Mall pickup' });
  // every other store stays out, including stores earlier specs of the run added to the demo tenant
  for (const store of await mapping.getByRole('combobox').all()) {
    const label = await store.evaluate((el) => (el as HTMLSelectElement).labels?.[0]?.textContent ?? '');
    if (/\(GM\)|Online orders/.test(label)) continue;
    await store.selectOption({ label: 'Not synced' });
  }
  await expect(mapping.getByLabel('Online orders without a location take stock from')).toHaveValue('GM');
  await mapping.getByRole('radio', { name: /Shopify: online edits win/ }).check();
  await mapping.getByRole('button', { name: 'Save mapping' }).click();
  await expect(mapping.getByRole('status')).toContainText('Mapping saved');

  // preview: two new products, three variants, two categories (the collection, and one for products in
  // none), three opening stock lines; then import
  const importer = page.getByRole('region', { name: 'Import the catalog' });
  await importer.getByRole('button', { name: 'Preview import' }).click();
  const preview = importer.getByRole('table', { name: 'Import preview' });
  await expect(preview.getByRole('row', { name: /^Products/ }).getByRole('cell')).toHaveText(['2', '0', '0', '0']);
  await expect(preview.getByRole('row', { name: /^Variants/ }).getByRole('cell')).toHaveText(['3', '0', '0', '—']);
  await expect(preview.getByRole('row', { name: /^Categories/ }).getByRole('cell').first()).toHaveText('2');
  await expect(importer.getByText('3 opening stock lines.')).toBeVisible();
  await importer.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(importer.getByRole('status').filter({ hasText: 'Imported' })).toContainText('2 products written, 2 categories, 3 opening stock lines', { timeout: machine(60_000) });
  await shoot(page, 'shopify-connected-1440');

  // a register at the Grand Mall sells one small shirt with the network unplugged
  const owner = await ownerLogin(request);
  const small = `sh-${shirt.id}-${shirt.variants[0]!.id}`;
  const medium = `sh-${shirt.id}-${shirt.variants[1]!.id}`;
  await expect.poll(async () => Object.fromEntries(await serverStock(request, owner, [small, medium])), { timeout: machine(30_000) }).toEqual({ [small]: 10, [medium]: 10 });
  // the register is its own device: its own browser context, whose network is unplugged alone
  const device = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const till = await device.newPage();
  await enrolRegister(till, request, owner, 'E2E Shopify till');
  await signIn(till, PINS.cashier);
  await openShift(till);
  // the imported shirt has reached the register (scanned by its Shopify barcode); then the cable is pulled
  await scan(till, '036000291452');
  await expect(till.getByRole('status', { name: 'Last scan' })).toContainText('Added', { timeout: machine(30_000) });
  await expect(till.getByText('Online linen shirt').first()).toBeVisible();
  await device.setOffline(true);
  await expect(till.getByRole('status', { name: 'Sync badge' })).toContainText('Offline', { timeout: machine(30_000) });
  await payExactCash(till);
  await expect(till.getByRole('status', { name: 'Sync badge' })).not.toContainText('all sent'); // the sale waits on the register
  expect(level(shirt.variants[0]!)).toBe(10);

  // back online: the sale reaches the server and the push takes one off Shopify's pickup location
  await device.setOffline(false);
  await expectUnsynced(till, 0, machine(60_000));
  await expect.poll(() => level(shirt.variants[0]!), { timeout: machine(60_000) }).toBe(9);
  expect(shop.adjustments.flatMap((a) => a.changes)).toEqual([{ inventoryItemId: shirt.variants[0]!.inventoryItemId, locationId: pickup, delta: -1 }]);

  // an online order for two medium shirts: Shopify lowers its own stock and tells the POS by webhook
  shop.available.set(`${shirt.variants[1]!.inventoryItemId}@${pickup}`, 8);
  const order = {
    id: 7400000000001,
    name: '#1001',
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    location_id: Number(pickup),
    line_items: [{ id: 990001, variant_id: Number(shirt.variants[1]!.id), product_id: Number(shirt.id), quantity: 2, sku: 'ONL-LIN-M' }],
    refunds: []
  };
  expect(await shop.sendWebhook('orders/create', order)).toEqual([200]);
  await expect.poll(async () => (await serverStock(request, owner, [medium])).get(medium), { timeout: machine(30_000) }).toBe(8);
  await device.close();

  // the admin sees the webhook arrive, the push up to date, and no difference between the two sides
  await page.reload();
  const health = page.getByRole('region', { name: 'Sync health' });
  await expect(health.getByText('just now', { exact: true })).toBeVisible();
  await expect(health.getByRole('table', { name: 'Stock sent to Shopify' }).getByRole('row', { name: /Nexus Grand Mall/ })).toContainText('Up to date');
  await expect(health.getByText('None: every webhook received was applied')).toBeVisible();
  const reconcile = page.getByRole('region', { name: 'Compare stock' });
  await reconcile.getByRole('button', { name: 'Compare stock' }).click();
  await expect(reconcile.getByRole('status')).toHaveText('No differences: Shopify and the POS agree.');
  await expect(reconcile.getByRole('list', { name: 'Stores compared' })).toContainText('Nexus Grand Mall ↔ Grand Mall pickup: 3 variants compared, 0 differ');
  await shoot(page, 'shopify-health-1440');

  // someone changes the tote's stock in Shopify's admin: the comparison lists it, "push POS stock" sets it back
  const tote = shop.products.find((p) => p.title === 'Online tote bag')!.variants[0]!;
  shop.available.set(`${tote.inventoryItemId}@${pickup}`, 1);
  await reconcile.getByRole('button', { name: 'Compare stock' }).click();
  const diff = reconcile.getByRole('table', { name: 'Stock differences' });
  await expect(diff.getByRole('row', { name: /Online tote bag/ }).getByRole('cell')).toHaveText(['', 'GM', 'Online tote bag', 'ONL-TOTE', '4', '1', '+3']);
  await reconcile.getByRole('checkbox', { name: 'Choose Online tote bag at GM' }).check();
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'shopify-compare-390');
  await reconcile.getByRole('button', { name: 'Push POS stock (1)' }).click();
  await expect(reconcile.getByRole('status').filter({ hasText: 'Shopify now has the POS stock' })).toContainText('1 chosen variant (3 units moved)', { timeout: machine(60_000) });
  await expect(reconcile.getByRole('status').filter({ hasText: 'No differences' })).toBeVisible();
  expect(level(tote)).toBe(4);
  await shoot(page, 'shopify-390');

  // disconnecting removes the webhooks and the token
  await page.setViewportSize({ width: 1440, height: 900 });
  await connection.getByRole('button', { name: 'Disconnect…' }).click();
  await connection.getByRole('group', { name: 'Confirm disconnecting' }).getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(page.getByRole('form', { name: 'Connect your Shopify store' })).toBeVisible();
  expect(shop.subscriptions).toHaveLength(0);
});
