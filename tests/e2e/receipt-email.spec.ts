import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { expect, test, machine } from './support/test.ts';
import { shoot, signInAdmin } from './support/admin.ts';
import { mailTo, waitForMail } from './support/mail.ts';
import { demoItems, enrolRegister, expectUnsynced, openShift, ownerLogin, PINS, registerKey, scan, serverDocs, signIn } from './support/register.ts';

/**
 * The journey: a sale made with the register offline, its receipt asked for by email at the
 * end of the sale (an outbox document on the register), nothing sent while offline, and once the
 * register syncs the server delivers it through SMTP to the local mail server the run started. The
 * email carries the sale's lines, its total and the returns QR code, which decodes to the sale's id.
 * Then the manager's Messages page lists it as sent.
 */
test.setTimeout(machine(180_000));

type JsQr = (typeof import('jsqr'))['default'];
const jsQR: JsQr = (jsqrModule as unknown as { default?: JsQr }).default ?? (jsqrModule as unknown as JsQr);

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

test('a receipt emailed from an offline sale is delivered after the register syncs', async ({ page, context, request }) => {
  const owner = await ownerLogin(request);
  const [a, b] = await demoItems(request, owner, 2);
  await enrolRegister(page, request, owner, 'E2E receipt till');
  const key = await registerKey(page);
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText(/Online · all sent\s·\ssynced \d/, { timeout: machine(60_000) });

  await context.setOffline(true);
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText('Offline', { timeout: machine(30_000) });
  await signIn(page, PINS.cashier);
  await openShift(page);
  for (const item of [a!, b!, a!]) {
    await scan(page, item.barcode);
    await expect(page.getByRole('status', { name: 'Last scan' })).toContainText('Added');
  }
  const total = (await page.getByLabel('Cart total').textContent())!.trim();
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('dialog', { name: 'Payment' }).getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();

  const done = page.getByRole('dialog', { name: 'Sale complete' });
  await expect(done).toBeVisible();
  const address = `e2e-${Date.now()}@shopper.test`;
  await done.getByRole('group', { name: 'Send the receipt' }).getByLabel('Email').check();
  await done.getByLabel('Email address').fill(address);
  await done.getByRole('button', { name: 'Send' }).click();
  // the wording follows the sync state of the moment (a retry in progress reads as connecting)
  await expect(done.getByRole('status').filter({ hasText: 'Receipt queued' })).toHaveText(/^Receipt queued: it is emailed (once this register is back online|in a moment)\.$/);
  await page.setViewportSize({ width: 1366, height: 768 });
  await shoot(page, 'register-receipt-offer');
  await done.getByRole('button', { name: 'New sale' }).click();

  // offline: the sale, the shift and the outbox document wait on the register; nothing is sent
  await expectUnsynced(page, 3);
  expect(await mailTo(address)).toHaveLength(0);

  await context.setOffline(false);
  await expectUnsynced(page, 0, machine(60_000));
  const [sale] = await serverDocs<{ _id: string; total: number; lines: { name: string; qty: number; unitPrice: number; total: number }[] }>(request, owner, `sale:${key}:`);
  expect(usd.format(sale!.total / 100)).toBe(total);
  const [outbox] = await serverDocs<{ _id: string; channel: string; to: string; ref: string }>(request, owner, `outbox:${key}:`);
  expect(outbox).toMatchObject({ channel: 'email', to: address, ref: sale!._id });

  const [mail] = await waitForMail(address);
  expect(mail!.subject).toBe('Your receipt from Nexus Clothing');
  const text = mail!.text ?? '';
  for (const line of sale!.lines) {
    expect(text).toContain(line.name);
    expect(text).toContain(`${line.qty} x `);
    // qty × unit price = the line's amount; tax is in the totals
    expect(text).toContain(usd.format((line.qty * line.unitPrice) / 100));
  }
  expect(text).toMatch(new RegExp(`TOTAL\\s+${total.replace('$', '\\$')}`));
  expect(String(mail!.html)).toContain(total);
  const qr = mail!.attachments.find((x) => x.contentType === 'image/png');
  expect(String(mail!.html)).toContain(`cid:${qr!.contentId!.replace(/[<>]/g, '')}`);
  const png = PNG.sync.read(qr!.content);
  expect(jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data).toBe(sale!._id);
  // exactly one email for the one outbox document
  expect(await mailTo(address)).toHaveLength(1);

  // the manager sees it sent, with the provider's id
  const admin = await context.newPage();
  await signInAdmin(admin, 'manager@nexus.demo');
  await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Messages' }).click();
  const row = admin.getByRole('row').filter({ hasText: address });
  await expect(row).toContainText('Receipt');
  await expect(row).toContainText('Sent');
  await expect(row).toContainText(`Provider id ${mail!.messageId}`);
  for (const [w, h, name] of [
    [1366, 768, 'admin-messages'],
    [1440, 900, 'admin-messages-wide'],
    [390, 844, 'admin-messages-phone']
  ] as const) {
    await admin.setViewportSize({ width: w, height: h });
    await shoot(admin, name);
  }
});
