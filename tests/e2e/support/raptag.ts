import { encodeSgtin96 } from '#domain/epc.ts';
import { normaliseGtin } from '#domain/gtin.ts';
import { expect, machine, type APIRequestContext, type Page } from './test.ts';
import type { Owner } from './register.ts';
import { waitForServiceWorker } from './offline.ts';

/** Steps the RFID phone journeys share: a store of their own, stock there, tags for it, an enrolled phone. */

export interface StockedVariant {
  variantId: string;
  sku: string;
  barcode: string;
}

/** A new location for one journey, so "the whole store" is exactly the stock the test put there. */
export async function newLocation(request: APIRequestContext, owner: Owner, prefix: string): Promise<string> {
  const code = `${prefix}${Date.now().toString(36).slice(-5).toUpperCase()}`;
  const res = await request.post('/api/v1/locations', { headers: owner.auth, data: { code, name: `RFID test ${code}` } });
  expect(res.status(), await res.text()).toBe(201);
  return code;
}

/** Demo variants with a barcode, `count` of them from distinct products, starting at product `from`. */
export async function barcodedVariants(request: APIRequestContext, owner: Owner, count: number, from = 0): Promise<StockedVariant[]> {
  const res = await request.get(`/db/t-${owner.tenantId}-catalog/_all_docs`, {
    headers: owner.auth,
    params: { include_docs: 'true', startkey: JSON.stringify('product:nx-'), endkey: JSON.stringify('product:nx-\ufff0'), limit: String(count + from + 20) }
  });
  const { rows } = (await res.json()) as { rows: { doc: { variants: { id: string; sku: string; barcode?: string }[] } }[] };
  return rows
    .slice(from)
    .map(({ doc }) => doc.variants.find((v) => v.barcode))
    .filter((v): v is { id: string; sku: string; barcode: string } => !!v)
    .slice(0, count)
    .map((v) => ({ variantId: v.id, sku: v.sku, barcode: v.barcode }));
}

export async function adjust(request: APIRequestContext, owner: Owner, location: string, lines: { variantId: string; qty: number }[]): Promise<void> {
  const res = await request.post('/api/v1/inventory/adjustments', { headers: owner.auth, data: { location, reason: 'found', lines } });
  expect(res.status(), await res.text()).toBe(201);
}

let serial = 1;
/** `n` SGTIN-96 tags of a variant (company prefix: the GTIN's first seven digits), distinct serials per run. */
export function tagsOf(v: StockedVariant, n: number): string[] {
  const gtin = normaliseGtin(v.barcode)!;
  return Array.from({ length: n }, () => encodeSgtin96({ gtin, companyPrefix: gtin.slice(1, 8), serial: serial++ }).epc);
}

/** Two tags of another company (the GS1 TDS examples): on the shelf, never stock. */
export const FOREIGN_TAGS = ['3074257BF7194E4000001A85', '3074257BF7194E4000001A86'];

export async function enrolPhone(page: Page, request: APIRequestContext, owner: Owner, location: string, name: string): Promise<void> {
  const res = await request.post('/api/v1/devices/enrolment-codes', { headers: owner.auth, data: { kind: 'rfid_phone', locationCode: location, name } });
  expect(res.status(), await res.text()).toBe(201);
  await page.goto(((await res.json()) as { qrPayload: string }).qrPayload);
  await page.getByRole('button', { name: 'Enrol' }).click();
  await expect(page.getByLabel('Your PIN')).toBeVisible({ timeout: machine(60_000) });
}

export async function signInPhone(page: Page, pin: string): Promise<void> {
  await page.getByLabel('Your PIN').fill(pin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'RFID tasks' })).toBeVisible();
}

/** Waits until the phone's replicas are complete (so it can work offline) and its service worker controls it. */
export async function phoneReady(page: Page, minIndex: number): Promise<void> {
  await waitForServiceWorker(page);
  await page.waitForFunction(
    (min) => {
      const app = (window as unknown as { __raptag?: { sync: { state: { databases: { phase: string }[] } | null; scannable: number | null } } }).__raptag;
      const dbs = app?.sync.state?.databases ?? [];
      return dbs.length > 0 && dbs.every((d) => d.phase === 'up-to-date') && (app?.sync.scannable ?? 0) >= min;
    },
    minIndex,
    { timeout: machine(60_000), polling: 250 }
  );
}

export async function pairBluetooth(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Reader:/ }).click();
  await page.getByRole('button', { name: /Bluetooth reader/ }).click();
  await expect(page.getByRole('status', { name: 'Reader state' })).toHaveText('Connected');
  await page.getByRole('button', { name: 'Back to the menu' }).click();
}

export const tile = (page: Page, name: 'Tags read' | 'Items counted' | 'Missing' | 'Unexpected') => page.getByRole('status', { name: 'Count progress' }).getByLabel(name, { exact: true });
