import { expect, type APIRequestContext, type Page, machine } from './test.ts';

/** Register journeys share these steps: enrol, sign in, open the shift, scan, pay; and the server's view. */
export const PASSWORD = 'nexus-demo-2026';
export const PINS = { owner: '1111', manager: '3333', cashier: '4444', clerk: '5555' } as const;

export interface Owner {
  token: string;
  tenantId: string;
  auth: { authorization: string };
}

export async function ownerLogin(request: APIRequestContext): Promise<Owner> {
  const res = await request.post('/api/v1/auth/login', { data: { email: 'owner@nexus.demo', password: PASSWORD } });
  expect(res.ok()).toBe(true);
  const { accessToken, user } = (await res.json()) as { accessToken: string; user: { tenantId: string } };
  return { token: accessToken, tenantId: user.tenantId, auth: { authorization: `Bearer ${accessToken}` } };
}

export async function enrolmentLink(request: APIRequestContext, owner: Owner, name: string, locationCode = 'GM'): Promise<string> {
  const res = await request.post('/api/v1/devices/enrolment-codes', { headers: owner.auth, data: { kind: 'register', locationCode, name } });
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { qrPayload: string }).qrPayload;
}

/**
 * Opens the enrolment link (as scanning the QR code would), enrols, and waits for the lock screen.
 * The simulated receipt printer is chosen before the app loads, as a shop's IT would pair a printer.
 */
export async function enrolRegister(page: Page, request: APIRequestContext, owner: Owner, name: string, locationCode = 'GM'): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('pos.printer', 'simulated'));
  await page.goto(await enrolmentLink(request, owner, name, locationCode));
  await page.getByRole('button', { name: 'Enrol' }).click();
  await expect(page.getByLabel('Your PIN')).toBeVisible({ timeout: machine(30_000) });
}

export async function signIn(page: Page, pin: string): Promise<void> {
  await page.getByLabel('Your PIN').fill(pin);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function openShift(page: Page, float = '150.00'): Promise<void> {
  await page.getByLabel('Opening float').fill(float);
  await page.getByRole('button', { name: 'Open register' }).click();
  await expect(page.getByLabel('Barcode or SKU')).toBeVisible();
}

/**
 * A keyboard-wedge scanner: a burst of key presses a millisecond or two apart, then Enter, sent to
 * whatever has focus. Dispatched inside the page so the burst keeps a scanner's timing however busy
 * the test machine is (Playwright's own typing goes through one IPC round trip per key).
 */
export async function scan(page: Page, code: string): Promise<void> {
  await page.evaluate((c) => {
    const target = document.activeElement ?? document.body;
    for (const key of [...c, 'Enter']) {
      target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      target.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true, cancelable: true }));
    }
  }, code);
}

/**
 * A keyboard-wedge scanner at `msPerChar`: real, trusted key events through Chromium's input pipeline
 * (they type into a focused field, press buttons, submit forms), each stamped with the time the
 * scanner sent it (CDP Input.dispatchKeyEvent `timestamp`), as a USB scanner's keys are stamped on
 * arrival. Playwright's `keyboard.type(…, { delay })` cannot stand in: on a loaded machine its keys
 * arrived 190–340 ms apart at delay 20 (measured, with no long task in the page), which is the test
 * machine's timing, not the scanner's.
 */
export async function wedgeScan(page: Page, code: string, msPerChar: number, suffix: 'Enter' | 'Tab' | null = 'Enter'): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const t0 = Date.now() / 1000;
  const keys: string[] = [...code, ...(suffix ? [suffix] : [])];
  try {
    for (const [i, key] of keys.entries()) {
      const timestamp = t0 + (i * msPerChar) / 1000;
      const special = key === 'Enter' ? { code: 'Enter', vk: 13, text: '\r' } : key === 'Tab' ? { code: 'Tab', vk: 9, text: '' } : null;
      const vk = special?.vk ?? key.toUpperCase().charCodeAt(0);
      const text = special ? special.text : key;
      await cdp.send('Input.dispatchKeyEvent', { type: text ? 'keyDown' : 'rawKeyDown', key, code: special?.code ?? '', windowsVirtualKeyCode: vk, ...(text ? { text, unmodifiedText: text } : {}), timestamp });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code: special?.code ?? '', windowsVirtualKeyCode: vk, timestamp: timestamp + Math.min(msPerChar, 10) / 2000 });
    }
  } finally {
    await cdp.detach();
  }
}

/** The same with the real keyboard, for a test that wants real key events (slower machines may split the burst). */
export async function typeScan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

/** Pays what is due with the exact-cash quick button and returns to a new sale; returns the sale number shown. */
export async function payExactCash(page: Page): Promise<string> {
  await page.getByRole('button', { name: /^Pay / }).click();
  const dialog = page.getByRole('dialog', { name: 'Payment' });
  await dialog.getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
  return finishSale(page);
}

export async function finishSale(page: Page): Promise<string> {
  const done = page.getByRole('dialog', { name: /Sale complete|Refund complete/ });
  await expect(done).toBeVisible();
  const text = (await done.getByRole('status').first().textContent()) ?? '';
  // the receipt number (GM3-20261201-0007); older sales showed the id's last 8 characters
  const number = /([A-Z0-9]{1,12}-\d{8}-\d{4,6}|[0-9A-Z]{8})\s*$/.exec(text.trim())?.[1] ?? '';
  await done.getByRole('button', { name: 'New sale' }).click();
  await expect(done).toBeHidden();
  return number;
}

export interface DemoItem {
  productId: string;
  variantId: string;
  barcode: string;
  sku: string;
  price: number;
}

/** Sellable demo items, read from the server's catalog through the gateway (as the admin portal would). */
export async function demoItems(request: APIRequestContext, owner: Owner, count: number): Promise<DemoItem[]> {
  const res = await request.get(`/db/t-${owner.tenantId}-catalog/_all_docs`, {
    headers: owner.auth,
    params: { include_docs: 'true', startkey: JSON.stringify('product:nx-'), endkey: JSON.stringify('product:nx-\ufff0'), limit: String(count) }
  });
  const { rows } = (await res.json()) as { rows: { doc: { _id: string; variants: { id: string; barcode?: string; sku: string; price: number }[] } }[] };
  return rows.map(({ doc }) => {
    const v = doc.variants[0]!;
    return { productId: doc._id, variantId: v.id, barcode: v.barcode!, sku: v.sku, price: v.price };
  });
}

/** Stock on hand at GM per variant, from the server's ledger view. */
export async function serverStock(request: APIRequestContext, owner: Owner, variantIds: string[], loc = 'GM'): Promise<Map<string, number>> {
  const res = await request.get(`/db/t-${owner.tenantId}-loc-${loc.toLowerCase()}/_design/stock/_view/on_hand`, {
    headers: owner.auth,
    params: { group: 'true', keys: JSON.stringify(variantIds.map((v) => [loc, v])) }
  });
  expect(res.ok(), await res.text()).toBe(true);
  const { rows } = (await res.json()) as { rows: { key: [string, string]; value: number }[] };
  return new Map(variantIds.map((v) => [v, rows.find((r) => r.key[1] === v)?.value ?? 0]));
}

/** Documents of one kind this register wrote, as the server holds them. */
export async function serverDocs<T>(request: APIRequestContext, owner: Owner, prefix: string, loc = 'GM'): Promise<T[]> {
  const res = await request.get(`/db/t-${owner.tenantId}-loc-${loc.toLowerCase()}/_all_docs`, {
    headers: owner.auth,
    params: { include_docs: 'true', startkey: JSON.stringify(prefix), endkey: JSON.stringify(`${prefix}\ufff0`) }
  });
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { rows: { doc: T }[] }).rows.map((r) => r.doc);
}

/** The id of the register enrolled in this page (its sale ids are `sale:{id}:…`). */
export async function registerKey(page: Page): Promise<string> {
  return page.evaluate(() => (JSON.parse(localStorage.getItem('pos.device') ?? '{}') as { device?: { id: string } }).device?.id ?? '');
}

/** The sync badge reads "… · N to send · …" ("all sent" for none); waits until it shows `n`. */
export async function expectUnsynced(page: Page, n: number, timeout = machine(30_000)): Promise<void> {
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText(n === 0 ? /· all sent/ : new RegExp(`(^|\\D)${n} to send`), { timeout });
}

/** Waits until the server holds `count` documents whose id starts with `prefix` (a push has landed). */
export async function expectOnServer(request: APIRequestContext, owner: Owner, prefix: string, count: number, loc = 'GM'): Promise<void> {
  await expect.poll(async () => (await serverDocs(request, owner, prefix, loc)).length, { timeout: machine(30_000) }).toBe(count);
}

/**
 * Opens the sync panel's "Details for support" and returns its databases table. A click is a toggle,
 * and the panel can be re-rendered while a fresh device starts (the click then lands on the old
 * element, or the new one starts closed), so this checks the disclosure is open rather than clicking once.
 */
export async function openSupportDetails(page: Page) {
  const details = page.locator('details', { has: page.locator('summary', { hasText: 'Details for support' }) });
  const table = page.getByRole('table', { name: 'Databases' });
  await expect(async () => {
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await page.getByText('Details for support').click();
    await expect(table).toBeVisible({ timeout: machine(2_000) });
  }).toPass({ timeout: machine(30_000) });
  return table;
}
